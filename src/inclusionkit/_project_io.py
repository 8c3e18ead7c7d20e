"""Read, check and write project documents (JSON validated by ``schemas/project.schema.json``).

Loading runs in three stages and stops only after a stage that found problems, so one run reports
everything a person must fix: the JSON Schema (shape, types, units, roles), then the cross-field
rules a schema cannot express (one lead partner, known regions, valid project code, references
between records, dates in order), then structuring into frozen models.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from inclusionkit import ro
from inclusionkit._convert import structure, unstructure
from inclusionkit._errors import Problem, ValidationError
from inclusionkit._i18n import deferred
from inclusionkit._limits import read_json_document
from inclusionkit._schemas import iter_schema_problems
from inclusionkit.models import ACTIVITY_KINDS, DELIVERABLE_KINDS, Project

PROJECT_SCHEMA_URL = "https://inclusionkit.org/schemas/project.schema.json"


def project_problems(
    document: Any,
    *,
    source: str | None = None,
    activity_kinds: Collection[str] | None = None,
    deliverable_kinds: Collection[str] | None = None,
) -> list[Problem]:
    """Return every problem of a project document: schema errors first, then semantic ones.

    Activity and deliverable kinds are checked against the built-in vocabulary plus what plugins
    registered, unless the caller passes its own lists.
    """
    if activity_kinds is None or deliverable_kinds is None:
        from inclusionkit._plugins import vocabulary

        lists = vocabulary()
        activity_kinds = activity_kinds or (*ACTIVITY_KINDS, *lists.get("activity_kind", ()))
        deliverable_kinds = deliverable_kinds or (
            *DELIVERABLE_KINDS,
            *lists.get("deliverable_kind", ()),
        )
    problems = list(iter_schema_problems(document, "project", source=source))
    if not isinstance(document, Mapping):
        return problems
    # The cross-field rules run even when the schema failed, so one run reports everything; a
    # section too malformed to check was already reported by the schema and is skipped.
    seen = {(p.location, p.message) for p in problems}
    for section in _SECTIONS:
        try:
            found = list(section(document, source, activity_kinds, deliverable_kinds))
        except (KeyError, TypeError, AttributeError, ValueError):
            continue
        problems += [p for p in found if (p.location, p.message) not in seen]
    return problems


def _problem_maker(source: str | None) -> Callable[[str, str, str], Problem]:
    def problem(code: str, location: str, message: str) -> Problem:
        return Problem(code=code, message=message, source=source, location=location)

    return problem


def _code_and_period_problems(
    doc: Mapping[str, Any], source: str | None, *_: Collection[str]
) -> Iterator[Problem]:
    problem = _problem_maker(source)
    try:
        ro.parse_project_code(doc["code"])
    except ro.ProjectCodeError as exc:
        yield problem("project.code", "$.code", str(exc))
    yield from _period_problems(doc["period"], problem)


def _period_problems(period: Mapping[str, Any], problem: Any) -> Iterator[Problem]:
    if period.get("end") and period["end"] < period["start"]:
        yield problem(
            "period.order",
            "$.period.end",
            deferred(
                "ends ({end}) before it starts ({start})", end=period["end"], start=period["start"]
            ),
        )


def _partner_problems(
    doc: Mapping[str, Any], source: str | None, *_: Collection[str]
) -> Iterator[Problem]:
    problem = _problem_maker(source)
    roles = Counter(p["role"] for p in doc["partners"])
    if roles["lead"] != 1:
        yield problem(
            "partners.lead",
            "$.partners",
            deferred(
                "a project has exactly one partner with role 'lead' (the ESF beneficiary), "
                "found {count}",
                count=roles["lead"],
            ),
        )

    org_ids: set[str] = set()
    all_orgs = [
        (f"$.partners[{i}].organisation.id", p["organisation"]["id"])
        for i, p in enumerate(doc["partners"])
    ] + [(f"$.organisations[{i}].id", o["id"]) for i, o in enumerate(doc.get("organisations", []))]
    for location, org_id in all_orgs:
        if org_id in org_ids:
            yield problem(
                "organisation.duplicate",
                location,
                deferred("organisation id {id!r} is used twice", id=org_id),
            )
        org_ids.add(org_id)


def _location_and_indicator_problems(
    doc: Mapping[str, Any], source: str | None, *_: Collection[str]
) -> Iterator[Problem]:
    problem = _problem_maker(source)
    for i, location in enumerate(doc.get("locations", [])):
        yield from _location_problems(location, f"$.locations[{i}]", problem)

    codes: set[str] = set()
    for i, objective in enumerate(doc.get("objectives", [])):
        for j, indicator in enumerate(objective["indicators"]):
            where = f"$.objectives[{i}].indicators[{j}]"
            if indicator["code"] in codes:
                yield problem(
                    "indicator.duplicate",
                    f"{where}.code",
                    deferred("indicator code {code!r} is used twice", code=indicator["code"]),
                )
            codes.add(indicator["code"])


def _record_problems(
    doc: Mapping[str, Any],
    source: str | None,
    activity_kinds: Collection[str],
    deliverable_kinds: Collection[str],
) -> Iterator[Problem]:
    problem = _problem_maker(source)
    partner_ids = {p["organisation"]["id"] for p in doc["partners"]}
    org_ids = partner_ids | {o["id"] for o in doc.get("organisations", [])}
    for records in ("activities", "deliverables"):
        seen: set[str] = set()
        for i, record in enumerate(doc.get(records, [])):
            if record["id"] in seen:
                yield problem(
                    f"{records}.duplicate",
                    f"$.{records}[{i}].id",
                    deferred("id {id!r} is used twice", id=record["id"]),
                )
            seen.add(record["id"])
    for i, activity in enumerate(doc.get("activities", [])):
        where = f"$.activities[{i}]"
        if activity["kind"] not in activity_kinds:
            yield problem(
                "activity.kind",
                f"{where}.kind",
                deferred(
                    "unknown activity kind {kind!r}; known: {known}",
                    kind=activity["kind"],
                    known=", ".join(sorted(activity_kinds)),
                ),
            )
        if activity.get("end") and activity["end"] < activity["start"]:
            yield problem(
                "activity.dates",
                f"{where}.end",
                deferred(
                    "ends ({end}) before it starts ({start})",
                    end=activity["end"],
                    start=activity["start"],
                ),
            )
        if activity.get("partner") and activity["partner"] not in partner_ids:
            yield problem(
                "activity.partner",
                f"{where}.partner",
                deferred(
                    "{partner!r} is not a partner of the project", partner=activity["partner"]
                ),
            )
        for k, org_id in enumerate(activity.get("organisations", [])):
            if org_id not in org_ids:
                yield problem(
                    "activity.organisation",
                    f"{where}.organisations[{k}]",
                    deferred("unknown organisation id {id!r}", id=org_id),
                )

    for i, deliverable in enumerate(doc.get("deliverables", [])):
        where = f"$.deliverables[{i}]"
        if deliverable["kind"] not in deliverable_kinds:
            yield problem(
                "deliverable.kind",
                f"{where}.kind",
                deferred(
                    "unknown deliverable kind {kind!r}; known: {known}",
                    kind=deliverable["kind"],
                    known=", ".join(sorted(deliverable_kinds)),
                ),
            )
        if deliverable.get("partner") and deliverable["partner"] not in partner_ids:
            yield problem(
                "deliverable.partner",
                f"{where}.partner",
                deferred(
                    "{partner!r} is not a partner of the project", partner=deliverable["partner"]
                ),
            )


_SECTIONS = (
    _code_and_period_problems,
    _partner_problems,
    _location_and_indicator_problems,
    _record_problems,
)


def _location_problems(location: Mapping[str, Any], where: str, problem: Any) -> Iterator[Problem]:
    try:
        region = ro.region(location["region"])
    except ro.UnknownRegionError as exc:
        yield problem("location.region", f"{where}.region", str(exc))
        return
    city = location.get("city")
    if city:
        try:
            found = ro.locate(city)
        except ro.UnknownRegionError:
            return  # a small town the gazetteer does not list is not an error
        if found.region.code != region.code:
            yield problem(
                "location.city",
                f"{where}.city",
                deferred(
                    "{city!r} is in {found} ({name}), not in {region}",
                    city=city,
                    found=found.region.code,
                    name=found.region.name,
                    region=region.code,
                ),
            )


def project_from_dict(document: Any, *, source: str | None = None) -> Project:
    """Check a JSON-like project document and build a :class:`Project`; raise with every problem."""
    problems = project_problems(document, source=source)
    if problems:
        raise ValidationError(problems, source=source)
    body = {k: v for k, v in document.items() if k != "$schema"}
    return structure(body, Project)


def load_project(source: str | os.PathLike[str] | Mapping[str, Any]) -> Project:
    """Load a project from a JSON file (or an already parsed document), validating it fully.

    Raises :class:`ValidationError` listing every problem with its JSON path.
    """
    if isinstance(source, Mapping):
        return project_from_dict(source)
    return project_from_dict(read_json_document(source), source=os.fspath(source))


def project_to_dict(project: Project) -> dict[str, Any]:
    """Return the JSON-compatible document of a project (what :func:`load_project` reads)."""
    document: dict[str, Any] = {"$schema": PROJECT_SCHEMA_URL}
    document.update(unstructure(project))
    return document


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write a project as pretty-printed UTF-8 JSON, atomically (never a half-written file)."""
    from inclusionkit._atomic import atomic_write_text

    text = json.dumps(project_to_dict(project), ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(path, text)
