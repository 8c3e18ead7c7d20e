"""The project model: who runs it, where, what it promises (objectives, indicators), what it did.

Every class is frozen and keyword-only; collections are tuples so a project is hashable and can be
compared for equality after a JSON round trip. Cross-field invariants that a JSON Schema cannot
express (one lead partner, references between records) are checked by
:func:`inclusionkit.models.check_project`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from inclusionkit.models._vocabulary import IndicatorKind, OrganisationKind, PartnerRole, Unit


@attrs.frozen(kw_only=True)
class Text:
    """A text in Romanian (the original) with an optional English translation."""

    ro: str
    en: str | None = None

    def in_language(self, lang: str) -> str:
        """Return the text in ``lang`` ("ro" or "en"), falling back to Romanian."""
        if lang == "en" and self.en:
            return self.en
        return self.ro


@attrs.frozen(kw_only=True)
class Period:
    """An inclusive date range; ``end`` may be open (``None``)."""

    start: dt.date
    end: dt.date | None = None


@attrs.frozen(kw_only=True)
class Organisation:
    """A legal body: a partner of a project, or an organisation a project serves or federates.

    ``supported`` says whether the operation supports it directly (the entity indicators
    CO20-CO23 and EECO18-EECO19 count only those: SFC FAQ on entities, "The government
    department is supported directly and should be counted"; a subcontractor is not); the lead
    and partners are counted when they are. ``None`` means the document does not say, and the
    organisation is not counted.
    """

    id: str
    name: str
    kind: OrganisationKind
    name_en: str | None = None
    city: str | None = None
    country: str = "RO"
    tags: tuple[str, ...] = ()
    supported: bool | None = None


@attrs.frozen(kw_only=True)
class Partner:
    """An organisation taking part in a project in a given role."""

    organisation: Organisation
    role: PartnerRole


@attrs.frozen(kw_only=True)
class Location:
    """A place a project works in: a NUTS-2 region, and optionally a county and city."""

    region: str
    county: str | None = None
    city: str | None = None


@attrs.frozen(kw_only=True)
class Achievement:
    """A reported achieved value, with its date and source (shown beside the computed value)."""

    value: float
    date: dt.date
    source: str


@attrs.frozen(kw_only=True)
class Indicator:
    """A quantified promise: target (and milestone) against a baseline, in a unit.

    ``rule`` is a reporting rule (see ``docs/rules.md``) that computes the achieved value from the
    project's records; ``achieved`` is a reported value (with its date and source), shown beside
    the computed one and used when there is no rule or no records. ``milestone`` is due by
    ``milestone_date``. ``ascending`` is ``False`` for indicators where lower is better.
    """

    code: str
    name: Text
    unit: Unit
    kind: IndicatorKind
    target: float
    baseline: float = 0.0
    milestone: float | None = None
    milestone_date: dt.date | None = None
    ascending: bool = True
    # A rule is a JSON document (a dict); it takes part in equality but not in the hash.
    rule: dict[str, Any] | None = attrs.field(default=None, hash=False)
    achieved: Achievement | None = None


@attrs.frozen(kw_only=True)
class Objective:
    """One of a project's objectives, measured by one or more indicators."""

    id: str
    title: Text
    indicators: tuple[Indicator, ...]


@attrs.frozen(kw_only=True)
class TargetGroup:
    """A group of people (or organisations) a project serves, with its planned size."""

    id: str
    name: Text
    size: int | None = None
    unit: Unit = Unit.PERSONS


@attrs.frozen(kw_only=True)
class Activity:
    """Something the project did: an event, a course, hours of consultancy or counselling.

    ``organisations`` lists the ids of the organisations served; ``participants`` the pseudonymous
    ids of the persons served, when they are known individually; ``attendance`` is a head count
    when they are not.
    """

    id: str
    kind: str
    start: dt.date
    end: dt.date | None = None
    title: Text | None = None
    city: str | None = None
    hours: float | None = None
    attendance: int | None = None
    partner: str | None = None
    organisations: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Deliverable:
    """A document or product the project made: a local inclusion plan, a portfolio, a project."""

    id: str
    kind: str
    date: dt.date
    title: Text | None = None
    city: str | None = None
    partner: str | None = None


@attrs.frozen(kw_only=True)
class Project:
    """An ESF-funded operation, with everything needed to report on it.

    ``code`` is kept as written (``POSDRU/165/6.2/S/143094``); :attr:`parsed_code` gives its parts.
    ``organisations`` are bodies the project serves or federates (not its partners). ``focus``
    declares what the project targets, from :data:`~inclusionkit.models.PROJECT_FOCUS`
    (``women_in_employment`` makes it count in CO21).
    """

    code: str
    title: Text
    programme: str
    period: Period
    partners: tuple[Partner, ...]
    locations: tuple[Location, ...] = ()
    objectives: tuple[Objective, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    activities: tuple[Activity, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    description: Text | None = None
    focus: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def lead(self) -> Partner:
        """The lead partner (the ESF "beneficiary")."""
        return next(p for p in self.partners if p.role is PartnerRole.LEAD)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator of every objective, in document order."""
        return tuple(ind for objective in self.objectives for ind in objective.indicators)

    @property
    def parsed_code(self) -> Any:
        """The project code split into its parts (an :class:`inclusionkit.ro.ProjectCode`)."""
        from inclusionkit.ro import parse_project_code

        return parse_project_code(self.code)
