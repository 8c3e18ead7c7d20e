"""Shared fixtures: a minimal valid project document, and hypothesis profiles."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=60)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests expect English unless they ask for --lang ro: a Romanian locale on the machine
    running them (LANG=ro_RO.UTF-8) would otherwise make the command line speak Romanian."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name, "").lower().startswith("ro"):
            monkeypatch.setenv(name, "C.UTF-8")


MINIMAL_PROJECT: dict[str, Any] = {
    "code": "POSDRU/165/6.2/S/143094",
    "title": {"ro": "Și noi avem dreptul la muncă!", "en": "We too have the right to work!"},
    "programme": "POSDRU 2007-2013",
    "period": {"start": "2014-04-01", "end": "2015-10-31"},
    "locations": [{"region": "RO32", "city": "București"}],
    "partners": [
        {
            "organisation": {"id": "acar", "name": "Agenția de Consultanță", "kind": "company"},
            "role": "lead",
        },
        {"organisation": {"id": "cpe", "name": "Fundația CPE", "kind": "ngo"}, "role": "partner"},
    ],
    "objectives": [
        {
            "id": "O1",
            "title": {"ro": "Incluziune"},
            "indicators": [
                {
                    "code": "ROMA",
                    "name": {"ro": "Persoane de etnie romă", "en": "Roma persons"},
                    "unit": "persons",
                    "kind": "output",
                    "target": 800,
                }
            ],
        }
    ],
    "activities": [
        {"id": "a1", "kind": "discussion_group", "start": "2014-08-19", "partner": "cpe"}
    ],
}


@pytest.fixture
def project_doc() -> dict[str, Any]:
    """A fresh copy of a minimal valid project document, safe to mutate."""
    return copy.deepcopy(MINIMAL_PROJECT)
