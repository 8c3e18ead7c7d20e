"""Persons and their participations: the object form of the participation table.

A :class:`Beneficiary` is a person (pseudonymous id and the data that do not change); a
:class:`Participation` is that person's enrolment in one project, with the status at entry and the
results at and after leaving. Every field maps one-to-one to a column of the participation table
(``docs/participations.md``); ``None`` means *unknown* and never counts as true.
"""

from __future__ import annotations

import datetime as dt

import attrs

from inclusionkit.models._vocabulary import Gender, LabourStatus


@attrs.frozen(kw_only=True)
class Beneficiary:
    """A person served by a project, known by a pseudonymous id unique across projects."""

    participant_id: str
    gender: Gender | None = None
    birth_date: dt.date | None = None


@attrs.frozen(kw_only=True)
class Participation:
    """One person's participation in one project (one row of the participation table)."""

    beneficiary: Beneficiary
    project_code: str
    entry_date: dt.date | None = None
    exit_date: dt.date | None = None
    labour_status: LabourStatus | None = None
    isced: int | None = attrs.field(default=None)
    jobless_household: bool | None = None
    dependent_children: bool | None = None
    single_adult_household: bool | None = None
    minority: bool | None = None
    roma: bool | None = None
    migrant: bool | None = None
    foreign_background: bool | None = None
    third_country_national: bool | None = None
    disability: bool | None = None
    other_disadvantaged: bool | None = None
    homeless: bool | None = None
    rural: bool | None = None
    job_searching_at_exit: bool | None = None
    education_at_exit: bool | None = None
    qualification_at_exit: bool | None = None
    employed_at_exit: bool | None = None
    employed_6m: bool | None = None
    improved_situation_6m: bool | None = None
    region: str | None = None
    partner: str | None = None

    @isced.validator
    def _check_isced(self, attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if value is not None and not 0 <= value <= 8:
            raise ValueError(f"isced must be an ISCED 2011 level from 0 to 8, not {value!r}")

    def __attrs_post_init__(self) -> None:
        if self.entry_date and self.exit_date and self.exit_date < self.entry_date:
            raise ValueError(
                f"exit_date {self.exit_date.isoformat()} is before entry_date "
                f"{self.entry_date.isoformat()}"
            )
