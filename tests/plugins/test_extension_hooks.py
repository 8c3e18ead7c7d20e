"""Tests that rule sets and vocabulary contributed by plugins reach the engine and the validator."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import inclusionkit
from inclusionkit import hookimpl
from inclusionkit._project_io import project_problems
from inclusionkit._rules import unregister_ruleset
from inclusionkit.testing import registered_plugin
from tests.conftest import MINIMAL_PROJECT

PROGRAMME_RULESET: dict[str, Any] = {
    "name": "ro-national-2024",
    "version": "1",
    "title": "A national programme's own indicators",
    "indicators": [
        {
            "code": "RO-ROMA",
            "name": {"en": "Roma participants", "ro": "Participanți romi"},
            "unit": "participants",
            "kind": "output",
            "population": "participations",
            "filter": {"is_true": "minority"},
            "aggregate": {"function": "count"},
        }
    ],
}


class ProgrammePlugin:
    """A plugin contributing a rule set and an activity kind."""

    __name__ = "programme"

    @hookimpl
    def register_rulesets(self, register: Callable[[Any], None]) -> None:
        register(copy.deepcopy(PROGRAMME_RULESET))

    @hookimpl
    def register_vocabulary(self, register: Callable[[str, str], None]) -> None:
        register("activity_kind", "job_fair")


@pytest.fixture
def programme_plugin() -> Any:
    """The programme plugin, registered for one test; its rule set forgotten afterwards."""
    with registered_plugin(ProgrammePlugin()) as pm:
        yield pm
    unregister_ruleset("ro-national-2024")


def test_plugin_rule_set_is_listed_and_computes(programme_plugin: Any) -> None:
    """A plugin's rule set is known by name and computes like a built-in one."""
    from inclusionkit import examples

    assert "ro-national-2024" in inclusionkit.available_rulesets()
    table = examples.load("dreptul-la-munca").participations
    report = inclusionkit.compute(table, rules="ro-national-2024", by=())
    assert report.value("RO-ROMA") == int(table["minority"].fillna(False).sum()) - 5


def test_plugin_activity_kind_is_accepted(programme_plugin: Any) -> None:
    """A project using a plugin's activity kind validates; without the plugin it does not."""
    document = copy.deepcopy(MINIMAL_PROJECT)
    document["activities"][0]["kind"] = "job_fair"
    assert project_problems(document) == []


def test_unknown_activity_kind_without_plugin() -> None:
    """Without the plugin the same kind is an unknown activity kind."""
    document = copy.deepcopy(MINIMAL_PROJECT)
    document["activities"][0]["kind"] = "job_fair"
    with registered_plugin(object(), name="nothing"):
        [problem] = project_problems(document)
    assert "unknown activity kind 'job_fair'" in problem.message
