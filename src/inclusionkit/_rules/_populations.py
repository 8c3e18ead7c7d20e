"""The populations a rule can count, and the columns (with kinds) each one offers.

``participations`` are rows of the participation table after the as-of cut, the re-entry merge
and the completeness test, plus the derived values. The other populations are built from a
project document: its activities, deliverables, partners, organisations (the bodies it serves
together with its partners' organisations, each saying whether the operation supports it
directly) and the project itself (its declared ``focus``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from inclusionkit._participations import COLUMNS
from inclusionkit._rules._columns import Kind

POPULATIONS: tuple[str, ...] = (
    "participations",
    "activities",
    "organisations",
    "deliverables",
    "partners",
    "projects",
)
"""Every population a rule may name."""

DERIVED: Mapping[str, Kind] = MappingProxyType(
    {
        "age_at_entry": "int",
        "leaver": "bool",
        "observed_6m": "bool",
        "entry_year": "int",
        "exit_year": "int",
    }
)
"""Values the engine computes for each participation (they depend on the as-of date)."""

DERIVED_FROM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "age_at_entry": ("birth_date", "entry_date"),
        "leaver": ("exit_date",),
        "observed_6m": ("exit_date",),
        "entry_year": ("entry_date",),
        "exit_year": ("exit_date",),
    }
)
"""The columns each derived value is computed from (what a file must give to compute it)."""

DERIVED_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "age_at_entry": "completed years between birth_date and entry_date",
        "leaver": "exit_date is set and not after the as-of date",
        "observed_6m": "a leaver whose exit_date plus six calendar months is not after the as-of "
        "date",
        "entry_year": "the calendar year of entry_date",
        "exit_year": "the calendar year of exit_date (missing while still in)",
    }
)

RESULT_COLUMNS: tuple[str, ...] = (
    "job_searching_at_exit",
    "education_at_exit",
    "qualification_at_exit",
    "employed_at_exit",
    "employed_6m",
    "improved_situation_6m",
)
"""Columns taken from the row with the latest exit when re-entries are merged."""


def is_result_column(name: str) -> bool:
    """Whether re-entries take ``name`` from the row of the latest exit: a result column of the
    contract, or a rule set's extra column named like one (``offer_at_exit``, ``education_6m``)."""
    return name in RESULT_COLUMNS or name.endswith(("_at_exit", "_6m"))


_KIND_OF = {"string": "string", "date": "date", "bool": "bool", "int": "int"}

PARTICIPATION_COLUMNS: Mapping[str, Kind] = MappingProxyType(
    {
        **{column.name: _KIND_OF[column.kind] for column in COLUMNS},  # type: ignore[misc]
        **DERIVED,
    }
)
"""Canonical columns and derived values of the ``participations`` population."""

_ORGANISATION_COLUMNS: dict[str, Kind] = {
    "id": "string",
    "name": "string",
    "name_en": "string",
    "kind": "string",
    "city": "string",
    "country": "string",
    "tags": "string",
    "role": "string",
    "supported": "bool",
    "project_code": "string",
}

POPULATION_COLUMNS: Mapping[str, Mapping[str, Kind]] = MappingProxyType(
    {
        "participations": PARTICIPATION_COLUMNS,
        "activities": MappingProxyType(
            {
                "id": "string",
                "kind": "string",
                "start": "date",
                "end": "date",
                "year": "int",
                "title": "string",
                "city": "string",
                "hours": "float",
                "attendance": "int",
                "partner": "string",
                "organisations": "string",
                "participants": "string",
                "n_organisations": "int",
                "n_participants": "int",
                "project_code": "string",
            }
        ),
        "deliverables": MappingProxyType(
            {
                "id": "string",
                "kind": "string",
                "date": "date",
                "year": "int",
                "title": "string",
                "city": "string",
                "partner": "string",
                "project_code": "string",
            }
        ),
        "organisations": MappingProxyType(dict(_ORGANISATION_COLUMNS)),
        "partners": MappingProxyType(dict(_ORGANISATION_COLUMNS)),
        "projects": MappingProxyType(
            {"project_code": "string", "programme": "string", "focus": "string"}
        ),
    }
)
"""The columns of every population, with the kind of each."""

LIST_SEPARATOR = ";"
"""How list fields (tags, served organisations, participants) are joined into one text column;
test membership with ``contains``."""
