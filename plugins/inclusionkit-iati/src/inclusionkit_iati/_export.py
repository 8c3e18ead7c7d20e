"""Write a project as one IATI 2.03 ``iati-activity``, validated against the official schema.

Only aggregates leave: titles, organisations, dates, places, and per indicator its baseline,
target and achieved value (with a breakdown by gender when participation records are given and
every published cell is large enough). No participant identifier, name or record is ever written.
The mapping is documented in ``docs/formats/iati.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pandas as pd
from lxml import etree

from inclusionkit import InclusionKitError, Indicator, Partner, Project, Text, progress, ro
from inclusionkit.models import Gender, IndicatorKind
from inclusionkit_iati import _codes as codes
from inclusionkit_iati._validate import schema_errors, summarise

XML_LANG = f"{{{codes.XML_NS}}}lang"
NSMAP = {"ik": codes.IK_NS}

# Gender cells with fewer persons than this are left out of the breakdown (primary suppression),
# and more cells are hidden when the hidden ones could be recovered by subtraction from the total
# (secondary suppression); see publishable(). This small rule covers the one breakdown IATI gets;
# it is to give way to the one suppression policy (inclusionkit.suppress / Report.suppress).
# The total itself is the indicator's value the project answers for and is always written.
DEFAULT_SUPPRESS = 5

# IATI identifiers may not contain "/", "&", "|", "?" or white space (IATI Standard ruleset);
# we keep to a conservative alphabet and turn every other run of characters into one hyphen.
_IDENTIFIER_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")
_REF_FORBIDDEN = re.compile(r"[\s/&|?]")
# An organisation identifier in IATI form: a registration agency prefix ("RO-CUI", "XM-DAC")
# followed by the number it issued. Internal ids ("cpe", "lead") are not written as @ref.
_ORG_IDENTIFIER = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,}-[^\s/&|?]+$")

EXPORT_OPTIONS = (
    "as_of",
    "participations",
    "reporting_org",
    "suppress",
    "sector",
    "generated_at",
)


@attrs.frozen(kw_only=True)
class ReportingOrg:
    """The organisation publishing the IATI file: its IATI identifier, name and type code."""

    ref: str
    name: str
    type: str


@attrs.frozen(kw_only=True)
class ExportOptions:
    """The checked options of one export (see :func:`project_to_iati`)."""

    as_of: dt.date
    participations: pd.DataFrame | None = attrs.field(default=None, eq=False)
    reporting_org: ReportingOrg | None = None
    suppress: int = DEFAULT_SUPPRESS
    sector: str = codes.DEFAULT_SECTOR
    generated_at: dt.datetime = attrs.field(
        factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0)
    )


def project_to_iati(
    project: Project,
    *,
    as_of: dt.date | str | None = None,
    participations: pd.DataFrame | str | os.PathLike[str] | None = None,
    reporting_org: ReportingOrg | Mapping[str, str] | Sequence[str] | str | None = None,
    suppress: int = DEFAULT_SUPPRESS,
    sector: str = codes.DEFAULT_SECTOR,
    generated_at: dt.datetime | str | None = None,
) -> bytes:
    """Return ``project`` as an IATI 2.03 activities document (UTF-8 XML bytes).

    :param as_of: the reporting date (default: today): it sets the activity status, which dates
        are actual, and the date achieved values are computed at.
    :param participations: the participation table (a DataFrame, or the path of a file
        :func:`inclusionkit.read_participations` reads); it feeds the indicator rules and the
        breakdown of achieved values by gender. Only aggregates are written.
    :param reporting_org: the publisher, as ``{"ref": ..., "name": ..., "type": ...}`` or
        ``(ref, name[, type])`` or just ``ref``; default: the lead partner.
    :param suppress: the smallest gender cell published (default 5); ``0`` publishes every cell.
    :param sector: the OECD DAC 5-digit purpose code (default 16010, social protection).
    :param generated_at: the file's ``generated-datetime`` (default: now), for reproducible files.
    :raises InclusionKitError: on a bad option, or when the document would not be valid against
        the IATI 2.03 schema (the message lists the schema's complaints).
    """
    options = parse_options(
        {
            "as_of": as_of,
            "participations": participations,
            "reporting_org": reporting_org,
            "suppress": suppress,
            "sector": sector,
            "generated_at": generated_at,
        }
    )
    return build_document(project, options)


def write_project(
    obj: Any, path: os.PathLike[str], *, kind: str, options: Mapping[str, Any]
) -> None:
    """The exporter's ``write``: a :class:`~inclusionkit.Project` to an IATI XML file."""
    if not isinstance(obj, Project):
        raise InclusionKitError(
            f"the IATI exporter writes projects, not {type(obj).__name__} objects"
        )
    data = build_document(obj, parse_options(options))
    with open(path, "wb") as handle:
        handle.write(data)


def parse_options(options: Mapping[str, Any]) -> ExportOptions:
    """Check export options (as given to ``inclusionkit.write``) and fill in defaults."""
    unknown = sorted(set(options) - set(EXPORT_OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"unknown IATI export option(s) {', '.join(unknown)}; "
            f"known: {', '.join(EXPORT_OPTIONS)}"
        )
    values: dict[str, Any] = {"as_of": _date_option(options.get("as_of")) or dt.date.today()}
    participations = options.get("participations")
    if participations is not None:
        values["participations"] = _participations_option(participations)
    if options.get("reporting_org") is not None:
        values["reporting_org"] = _reporting_org_option(options["reporting_org"])
    if options.get("suppress") is not None:
        values["suppress"] = _suppress_option(options["suppress"])
    if options.get("sector") is not None:
        values["sector"] = _sector_option(options["sector"])
    if options.get("generated_at") is not None:
        values["generated_at"] = _datetime_option(options["generated_at"])
    return ExportOptions(**values)


def _date_option(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InclusionKitError(f"as_of: {value!r} is not a date (YYYY-MM-DD)") from None


def _datetime_option(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InclusionKitError(
                f"generated_at: {value!r} is not a date and time (ISO 8601)"
            ) from None
    # xsd:dateTime accepts naive times, but a file read in another time zone should not shift.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _participations_option(value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, str | os.PathLike):
        from inclusionkit import read_participations

        frame: pd.DataFrame = read_participations(value)
        return frame
    raise InclusionKitError(
        f"participations: expected a participation table or a file path, not {type(value).__name__}"
    )


def _reporting_org_option(value: Any) -> ReportingOrg:
    if isinstance(value, ReportingOrg):
        return value
    if isinstance(value, str):
        parts: list[Any] = [value]
    elif isinstance(value, Mapping):
        unknown = set(value) - {"ref", "name", "type"}
        if unknown or "ref" not in value:
            raise InclusionKitError(
                "reporting_org: expected keys 'ref' (required), 'name' and 'type'"
            )
        parts = [value["ref"], value.get("name"), value.get("type")]
    elif isinstance(value, Sequence) and 1 <= len(value) <= 3:
        parts = list(value)
    else:
        raise InclusionKitError(
            "reporting_org: expected {'ref': ..., 'name': ..., 'type': ...}, (ref, name) or ref"
        )
    parts += [None] * (3 - len(parts))
    ref, name, type_ = (None if part is None else str(part).strip() for part in parts)
    if not ref or _REF_FORBIDDEN.search(ref):
        raise InclusionKitError(
            f"reporting_org: {ref!r} is not an IATI organisation identifier "
            "(non-empty, no spaces, '/', '&', '|' or '?'), e.g. 'RO-CUI-12345678'"
        )
    if type_ and type_ not in codes.ORGANISATION_TYPES:
        raise InclusionKitError(
            f"reporting_org: type {type_!r} is not an IATI organisation type code; "
            f"known: {', '.join(codes.ORGANISATION_TYPES)}"
        )
    # An empty name or type is filled in from the lead partner when the document is built.
    return ReportingOrg(ref=ref, name=name or "", type=type_ or "")


def _suppress_option(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(value, bool) or number < 0 or str(number) != str(value).strip():
        raise InclusionKitError(f"suppress: expected a whole number >= 0, not {value!r}")
    return number


def _sector_option(value: Any) -> str:
    code = str(value).strip()
    if not re.fullmatch(r"\d{5}", code):
        raise InclusionKitError(
            f"sector: {value!r} is not an OECD DAC 5-digit purpose code, e.g. 16010"
        )
    return code


# --- the document ------------------------------------------------------------------------------


def build_document(project: Project, options: ExportOptions) -> bytes:
    """Build, validate and serialise the activities document for ``project``."""
    root = etree.Element("iati-activities", nsmap=NSMAP)
    root.set("version", codes.IATI_VERSION)
    root.set("generated-datetime", options.generated_at.isoformat())
    root.append(_activity(project, options))
    errors = schema_errors(root)
    if errors:
        raise InclusionKitError(
            f"the IATI document for {project.code} is not valid against the IATI 2.03 schema:\n"
            + "\n".join(f"  - {message}" for message in summarise(errors))
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _activity(project: Project, options: ExportOptions) -> etree._Element:
    activity = etree.Element("iati-activity")
    activity.set("last-updated-datetime", options.generated_at.isoformat())
    activity.set(XML_LANG, "ro")
    activity.set(_ik("programme"), project.programme)
    reporter = _reporting_org(project, options.reporting_org)

    # The order of the children is fixed by the schema's xsd:sequence.
    _sub(activity, "iati-identifier", text=activity_identifier(reporter.ref, project.code))
    reporting = _sub(activity, "reporting-org", ref=reporter.ref, type=reporter.type)
    _narratives(reporting, Text(ro=reporter.name))
    _narratives(_sub(activity, "title"), project.title)
    _description(activity, project)
    for partner in project.partners:
        for role in codes.ROLES_OF_PARTNER[partner.role]:
            _participating_org(activity, partner, role)
    _sub(activity, "other-identifier", ref=project.code, type=codes.OTHER_ID_INTERNAL)
    _sub(activity, "activity-status", code=activity_status(project, options.as_of))
    for type_, date in activity_dates(project, options.as_of):
        _sub(activity, "activity-date", type=type_, **{"iso-date": date.isoformat()})
    _sub(activity, "recipient-country", code=codes.COUNTRY_ROMANIA)
    seen: dict[str, int] = {}
    for location in project.locations:
        # A location's @ref names it within the activity, so a second place in the same region
        # gets a numbered reference ("RO11-2"); the region itself is in ik:region.
        seen[location.region] = seen.get(location.region, 0) + 1
        count = seen[location.region]
        ref = location.region if count == 1 else f"{location.region}-{count}"
        _location(activity, ref, location.region, location.county, location.city)
    sector = _sub(
        activity,
        "sector",
        vocabulary=codes.SECTOR_VOCABULARY_DAC,
        code=options.sector,
        percentage="100",
    )
    if options.sector in codes.SECTORS_DAC:
        # The DAC names are English; written so a reader need not look the code up.
        narrative = etree.SubElement(sector, "narrative")
        narrative.set(XML_LANG, "en")
        narrative.text = codes.SECTORS_DAC[options.sector]
    _results(activity, project, options)
    return activity


def activity_identifier(reporting_ref: str, project_code: str) -> str:
    """Return the IATI identifier ``{reporting-org ref}-{project code}`` made safe for IATI."""
    code = _IDENTIFIER_UNSAFE.sub("-", project_code.strip()).strip("-")
    return f"{reporting_ref}-{code}"


def activity_status(project: Project, as_of: dt.date) -> str:
    """Return the IATI activity status of ``project`` on ``as_of`` (from its period alone)."""
    if as_of < project.period.start:
        return codes.STATUS_PIPELINE
    end = project.period.end
    if end is None or as_of <= end:
        return codes.STATUS_IMPLEMENTATION
    if (as_of - end).days <= codes.FINALISATION_DAYS:
        return codes.STATUS_FINALISATION
    return codes.STATUS_CLOSED


def activity_dates(project: Project, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Return the ``(type, date)`` activity dates: planned always, actual once they have passed.

    IATI forbids actual dates in the future, so a start or end after ``as_of`` is only planned.
    """
    start, end = project.period.start, project.period.end
    dates = [(codes.DATE_PLANNED_START, start)]
    if start <= as_of:
        dates.append((codes.DATE_ACTUAL_START, start))
    if end is not None:
        dates.append((codes.DATE_PLANNED_END, end))
        if end <= as_of:
            dates.append((codes.DATE_ACTUAL_END, end))
    return dates


def _reporting_org(project: Project, given: ReportingOrg | None) -> ReportingOrg:
    # By default the lead beneficiary publishes its own project; a managing authority publishing
    # for many projects passes its own registered identifier.
    lead = project.lead.organisation
    lead_type = codes.TYPE_OF_KIND[lead.kind]
    if given is None:
        return ReportingOrg(ref=lead.id, name=lead.name, type=lead_type)
    if given.ref == lead.id:
        return ReportingOrg(
            ref=given.ref, name=given.name or lead.name, type=given.type or lead_type
        )
    if not given.name:
        raise InclusionKitError(f"reporting_org: give the name of {given.ref!r}")
    return ReportingOrg(ref=given.ref, name=given.name, type=given.type or "90")


def _description(activity: etree._Element, project: Project) -> None:
    description = _sub(activity, "description", type=codes.DESCRIPTION_GENERAL)
    if project.description is not None:
        _narratives(description, project.description)
        return
    # IATI requires a description; a project without one gets a sentence made from its title,
    # marked so that the import does not mistake it for the project's own description.
    description.set(_ik("generated"), "true")
    _narratives(
        description,
        Text(
            ro=f"Proiect {project.code} ({project.programme}): {project.title.ro}",
            en=f"Project {project.code} ({project.programme}): {project.title.in_language('en')}",
        ),
    )


def _participating_org(activity: etree._Element, partner: Partner, role: str) -> None:
    organisation = partner.organisation
    element = _sub(activity, "participating-org")
    if _ORG_IDENTIFIER.match(organisation.id):
        element.set("ref", organisation.id)
    element.set("type", codes.TYPE_OF_KIND[organisation.kind])
    element.set("role", role)
    # What IATI cannot say exactly: our id (when it is not an IATI identifier), the organisation's
    # kind, the model role, so "associate" (written as extending) reads back unchanged, and
    # whether the operation supports it directly (entity indicators; absent when undeclared).
    element.set(_ik("id"), organisation.id)
    element.set(_ik("kind"), str(organisation.kind))
    element.set(_ik("role"), str(partner.role))
    if organisation.supported is not None:
        element.set(_ik("supported"), "true" if organisation.supported else "false")
    if organisation.country:
        element.set(_ik("country"), organisation.country)
    if organisation.city:
        element.set(_ik("city"), organisation.city)
    _narratives(element, Text(ro=organisation.name, en=organisation.name_en))
    for tag in organisation.tags:
        _sub(element, _ik("tag"), text=_xml_text(tag))


def _location(
    activity: etree._Element, ref: str, region_code: str, county: str | None, city: str | None
) -> None:
    region = ro.region(region_code)
    # NUTS-2 development regions are sub-national, so they are not IATI recipient-regions (which
    # are supra-national); they are written as locations of class "administrative region", with
    # the NUTS code as the location's reference. No geographic vocabulary of IATI holds NUTS.
    element = _sub(activity, "location", ref=ref)
    element.set(_ik("region"), region.code)
    if county:
        element.set(_ik("county"), county)
    if city:
        element.set(_ik("city"), city)
    _sub(element, "location-reach", code=codes.LOCATION_REACH_ACTIVITY)
    place = ", ".join(dict.fromkeys(part for part in (city, county) if part))
    name = Text(
        ro=f"{place} ({region.name}, {region.code})" if place else f"{region.name} ({region.code})",
        en=f"{place} ({region.name_en}, {region.code})"
        if place
        else f"{region.name_en} ({region.code})",
    )
    _narratives(_sub(element, "name"), name)
    _sub(
        element,
        "administrative",
        vocabulary=codes.GEO_VOCABULARY_ISO_COUNTRY,
        level="0",
        code=codes.COUNTRY_ROMANIA,
    )
    _sub(element, "exactness", code=codes.EXACTNESS_APPROXIMATE)
    _sub(element, "location-class", code=codes.LOCATION_CLASS_ADMINISTRATIVE)
    _sub(element, "feature-designation", code=codes.FEATURE_ECONOMIC_REGION)


# --- results -----------------------------------------------------------------------------------


def _results(activity: etree._Element, project: Project, options: ExportOptions) -> None:
    if not project.objectives:
        return
    table = progress(project, options.participations, as_of=options.as_of)
    achieved = {
        row.indicator: None if pd.isna(row.achieved) else float(row.achieved)
        for row in table.itertuples(index=False)
    }
    breakdown = _GenderBreakdown(project, options)
    period_start = project.period.start
    # An open-ended project's targets still need a period end: the reporting date, or the start
    # for a project that has not begun.
    period_end = project.period.end or max(options.as_of, period_start)
    for objective in project.objectives:
        # IATI types a whole result (output, outcome), the model types each indicator: an
        # objective with both kinds becomes two results sharing the objective's id.
        for kind in IndicatorKind:
            indicators = [ind for ind in objective.indicators if ind.kind is kind]
            if not indicators:
                continue
            result = _sub(activity, "result", type=codes.RESULT_TYPE_OF_KIND[kind])
            result.set(_ik("objective"), objective.id)
            _narratives(_sub(result, "title"), objective.title)
            for indicator in indicators:
                _indicator(
                    result,
                    indicator,
                    achieved.get(indicator.code),
                    breakdown,
                    period_start,
                    period_end,
                    options.as_of,
                )


def _indicator(
    result: etree._Element,
    indicator: Indicator,
    achieved: float | None,
    breakdown: _GenderBreakdown,
    period_start: dt.date,
    period_end: dt.date,
    as_of: dt.date,
) -> None:
    element = _sub(
        result,
        "indicator",
        measure=codes.measure_of_unit(indicator.unit),
        ascending=_bool(indicator.ascending),
    )
    element.set(_ik("unit"), str(indicator.unit))
    if indicator.milestone is not None:
        element.set(_ik("milestone"), _number(indicator.milestone))
    _narratives(_sub(element, "title"), indicator.name)
    _sub(element, "reference", vocabulary=codes.VOCABULARY_REPORTING_ORG, code=indicator.code)
    _sub(
        element,
        "baseline",
        year=str(period_start.year),
        **{"iso-date": period_start.isoformat()},
        value=_number(indicator.baseline),
    )
    period = _sub(element, "period")
    _sub(period, "period-start", **{"iso-date": period_start.isoformat()})
    _sub(period, "period-end", **{"iso-date": period_end.isoformat()})
    _sub(period, "target", value=_number(indicator.target))
    if achieved is None:
        return
    # The actual is the value to date, computed (or reported) as of the reporting date.
    period.set(_ik("actual-as-of"), as_of.isoformat())
    _sub(period, "actual", value=_number(achieved))
    for gender, value in breakdown.cells(indicator).items():
        actual = _sub(period, "actual", value=_number(value))
        _sub(actual, "dimension", name="sex", value=str(gender))


class _GenderBreakdown:
    """Achieved values per gender for indicators computed from participation records."""

    def __init__(self, project: Project, options: ExportOptions) -> None:
        self._project = project
        self._participations = options.participations
        self._as_of = options.as_of
        self._threshold = options.suppress
        self._records: Any = None

    def cells(self, indicator: Indicator) -> dict[Gender, float]:
        """Return the published gender cells of ``indicator`` (possibly none)."""
        rule = indicator.rule
        if rule is None or rule.get("population") != "participations":
            return {}
        if self._participations is None or "gender" not in self._participations.columns:
            return {}
        from inclusionkit import RecordSet, evaluate_rule

        if self._records is None:
            # One record set for every indicator: the engine prepares the table once.
            self._records = RecordSet.from_project(
                self._project, participations=self._participations, as_of=self._as_of
            )
        counts = rule.get("aggregate", {}).get("function") in ("count", "count_distinct")
        values: dict[Gender, float] = {}
        sizes: dict[Gender, float] = {}
        for gender in Gender:
            # The rule narrowed to one gender, so the engine's own semantics (as-of cut, re-entry
            # merge, completeness) apply to each cell exactly as to the total.
            narrowed = _narrowed(rule, gender)
            values[gender] = float(evaluate_rule(narrowed, self._records))
            # The size of a cell is the number of persons behind it: the value itself for counts,
            # the number of distinct participants matching the rule for sums (hours, say).
            sizes[gender] = (
                values[gender]
                if counts
                else float(
                    evaluate_rule(
                        {
                            **narrowed,
                            "aggregate": {"function": "count_distinct", "column": "participant_id"},
                        },
                        self._records,
                    )
                )
            )
        if any(math.isnan(value) for value in values.values()):
            return {}
        return {gender: values[gender] for gender in publishable(sizes, self._threshold)}


def _narrowed(rule: Mapping[str, Any], gender: Gender) -> dict[str, Any]:
    condition: dict[str, Any] = {"eq": ["gender", str(gender)]}
    original = rule.get("filter")
    return {
        **rule,
        "filter": condition if original is None else {"all": [original, condition]},
    }


def publishable(sizes: Mapping[Gender, float], threshold: int) -> list[Gender]:
    """Return the cells that may be published, in the given order, after suppression.

    The policy follows the project's disclosure control (:func:`inclusionkit.suppress`): a cell with
    between 1 and ``threshold - 1`` persons behind it is hidden (primary suppression); zeros are
    published, since they describe nobody. As the total is published, the hidden cells' sum could
    be recovered by subtraction, so while it is between 1 and ``threshold - 1`` the smallest
    non-zero published cell is hidden too (secondary suppression), zeros only as a last resort.
    """
    hidden = {cell for cell, size in sizes.items() if 0 < size < threshold}
    shown = [cell for cell in sizes if cell not in hidden]
    while shown and 0 < sum(sizes[cell] for cell in hidden) < threshold:
        smallest = min(shown, key=lambda cell: (sizes[cell] == 0, sizes[cell]))
        hidden.add(smallest)
        shown.remove(smallest)
    return shown


# --- small XML helpers -------------------------------------------------------------------------


def _ik(name: str) -> str:
    return f"{{{codes.IK_NS}}}{name}"


def _sub(
    parent: etree._Element, tag: str, *, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        element.set(key, value)
    if text is not None:
        element.text = text
    return element


def _narratives(parent: etree._Element, text: Text) -> None:
    # Every narrative says its language, although the activity's default is "ro": an element
    # copied out of context keeps its meaning.
    for lang, value in (("ro", text.ro), ("en", text.en)):
        if not value:
            continue
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, lang)
        narrative.text = _xml_text(value)


def _xml_text(value: str) -> str:
    # XML 1.0 cannot carry most control characters; a stray one in a title must not make the
    # whole export fail.
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(float(value))


def _bool(value: bool) -> str:
    return "true" if value else "false"
