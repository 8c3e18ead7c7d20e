"""Read IATI activity files into projects, safely and leniently.

Reading never trusts the file: the parser expands no entity, loads no DTD, fetches nothing from
the network and refuses huge trees; a document type declaring entities is refused outright, and
the file's size is checked before it is read whole. Past that, reading is lenient: IATI data in
the wild is often a little off, so schema errors and every guess made while mapping become
warnings, and only an activity that cannot become a valid project at all is refused. The mapping
is documented in ``docs/formats/iati.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import warnings
from collections.abc import Mapping
from typing import IO, Any

import attrs
from lxml import etree

from inclusionkit import (
    Achievement,
    InclusionKitError,
    Indicator,
    Location,
    Objective,
    Organisation,
    Partner,
    Period,
    Project,
    Text,
    ValidationError,
    load_project,
    project_to_dict,
    ro,
)
from inclusionkit.models import IndicatorKind, OrganisationKind, PartnerRole, Unit
from inclusionkit.plugin import ImporterWarning
from inclusionkit_iati import _codes as codes
from inclusionkit_iati._validate import schema_errors, summarise

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Files larger than this (50 MB) are refused unless ``max_bytes`` says otherwise."""

IMPORT_OPTIONS = ("max_bytes", "activity")
ACHIEVEMENT_SOURCE = "IATI"

XML_LANG = f"{{{codes.XML_NS}}}lang"
# The project model's id pattern (schemas/project.schema.json, $defs/id).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_NUTS2 = re.compile(r"^RO[1-4][1-2]$")
# The programming period a code's programme belongs to, for files that do not say (ik:programme).
_PROGRAMME_OF_CODE = {"POSDRU": "POSDRU 2007-2013", "POCU": "POCU 2014-2020"}
UNKNOWN_PROGRAMME = "unknown (imported from IATI)"


class IatiImportWarning(ImporterWarning):
    """Something in an IATI file was guessed, dropped or is invalid, but a project was built."""


@attrs.frozen(kw_only=True)
class IatiImport:
    """What an IATI file became: one project per convertible activity, and what went wrong.

    ``warnings`` are sentences for a person: schema errors of the file, values that could not be
    read, and every guess made (which organisation is the lead, which period's target is kept).
    Warnings about one activity start with ``activity N (identifier):``.
    """

    projects: tuple[Project, ...]
    warnings: tuple[str, ...]


def read_iati(
    source: str | os.PathLike[str] | IO[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> IatiImport:
    """Read every ``iati-activity`` of an IATI file as a project.

    An activity that cannot become a valid project (no participating organisation that can be the
    lead, no date at all) is left out with a warning; if no activity is left, this raises.

    :param source: a path or a binary file object.
    :param max_bytes: refuse files larger than this many bytes (default 50 MB).
    :raises InclusionKitError: the file is missing, too large, not well-formed XML, declares
        entities, is not an IATI activities file, or holds no activity that could be imported.
    """
    name, root = parse_safely(source, max_bytes=max_bytes)
    if root.tag == "iati-activity":
        # A bare activity (no iati-activities wrapper) is not valid IATI, but it is unambiguous.
        activities = [root]
        notes = [f"{name}: the root element is iati-activity, not iati-activities"]
    elif root.tag == "iati-activities":
        activities = root.findall("iati-activity")
        notes = []
        version = (root.get("version") or "").strip()
        if version != codes.IATI_VERSION:
            notes.append(f"{name}: version {version!r} is read as IATI {codes.IATI_VERSION}")
    else:
        raise InclusionKitError(
            f"{name}: not an IATI activities file (the root element is {root.tag!r}, "
            "expected 'iati-activities')"
        )
    try:
        errors = schema_errors(root) if root.tag == "iati-activities" else []
    except etree.XMLSchemaValidateError:
        # libxml2 gives up on some hostile documents ("Internal error"): refuse, never a trace.
        raise InclusionKitError(
            f"{name}: refused: the IATI schema validator cannot check this document"
        ) from None
    if errors:
        notes.append(
            f"{name}: not valid against the IATI {codes.IATI_VERSION} schema; read anyway: "
            + "; ".join(summarise(errors))
        )
    if not activities:
        raise InclusionKitError(f"{name}: the file holds no iati-activity")

    projects: list[Project] = []
    refused: list[str] = []
    for number, element in enumerate(activities, start=1):
        reader = _ActivityReader(element, number)
        try:
            projects.append(reader.project())
        except InclusionKitError as exc:
            refused.append(f"{reader.label}: not imported: {exc}")
        notes.extend(f"{reader.label}: {message}" for message in reader.warnings)
    if not projects:
        # The file's other problems (schema errors above all) often say why better than the
        # reason the conversion stopped at.
        raise InclusionKitError(
            f"{name}: no activity could be imported as a project:\n"
            + "\n".join(f"  - {reason}" for reason in [*refused, *notes])
        )
    return IatiImport(projects=tuple(projects), warnings=(*refused, *notes))


def read_project(source: Any, *, kind: str, options: Mapping[str, Any]) -> Project:
    """The importer's ``read``: the first (or the chosen) activity of an IATI file, as a project.

    Each warning of the import is issued as an :class:`IatiImportWarning` with
    :func:`warnings.warn`, so a caller sees them without changing how ``inclusionkit.read`` is
    called; use :func:`read_iati` to get every project and the warnings as data.

    Options: ``max_bytes`` (default 50 MB) and ``activity``, the ``iati-identifier`` of the
    activity to return when the file holds several.
    """
    unknown = sorted(set(options) - set(IMPORT_OPTIONS))
    if unknown:
        raise InclusionKitError(
            f"unknown IATI import option(s) {', '.join(unknown)}; "
            f"known: {', '.join(IMPORT_OPTIONS)}"
        )
    max_bytes = options.get("max_bytes", DEFAULT_MAX_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InclusionKitError(f"max_bytes: expected a positive whole number, not {max_bytes!r}")
    result = read_iati(source, max_bytes=max_bytes)
    messages = list(result.warnings)
    wanted = options.get("activity")
    if wanted is not None:
        chosen = [p for p in result.projects if p.code == wanted or _identifier_of(p) == wanted]
        if not chosen:
            raise InclusionKitError(
                f"no imported activity has the identifier or project code {wanted!r}; found: "
                + ", ".join(p.code for p in result.projects)
            )
        project = chosen[0]
    else:
        project = result.projects[0]
        if len(result.projects) > 1:
            messages.append(
                f"the file holds {len(result.projects)} activities; the first ({project.code}) is "
                "returned: pass activity=... to choose, or use inclusionkit_iati.read_iati for all"
            )
    for message in messages:
        # 4: past this function and the plugin's lazy `read` in __init__, to the caller of the host.
        warnings.warn(message, IatiImportWarning, stacklevel=4)
    return project


def _identifier_of(project: Project) -> str | None:
    # read_iati keeps the activity's identifier in the project notes, for activity=... lookups.
    prefix = "IATI identifier: "
    return next((n[len(prefix) :] for n in project.notes if n.startswith(prefix)), None)


# --- safe parsing ------------------------------------------------------------------------------


def parse_safely(
    source: str | os.PathLike[str] | IO[bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, etree._Element]:
    """Parse an XML file without entity expansion, DTD loading, network access or huge trees.

    Returns the source's name (for messages) and the root element.
    """
    name, data = _read_bounded(source, max_bytes)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InclusionKitError(f"{name}: not well-formed XML: {exc}") from None
    # lxml-stubs do not know DTD.iterentities(); it exists since lxml 2.x.
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack system_url / public_id
    dtd: Any = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Entities are how "billion laughs" and external-file attacks work; IATI never needs one.
        raise InclusionKitError(f"{name}: refused: the document type declares entities")
    if docinfo.system_url or docinfo.public_id:
        # An external DTD is never loaded; IATI documents have none.
        raise InclusionKitError(
            f"{name}: refused: the document type refers to an external DTD; an IATI file has "
            "no DOCTYPE line: remove it"
        )
    if next(root.iter(etree.Entity), None) is not None:
        # An undeclared entity (&name;) stays unexpanded; the schema validator cannot handle it.
        raise InclusionKitError(
            f"{name}: refused: the document uses an entity reference (&name;) that is not "
            "declared; write the character itself or a numeric reference (&#233;)"
        )
    return name, root


def _read_bounded(source: str | os.PathLike[str] | IO[bytes], max_bytes: int) -> tuple[str, bytes]:
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        try:
            size = os.stat(name).st_size
        except FileNotFoundError:
            raise InclusionKitError(f"{name}: no such file") from None
        except OSError as exc:
            raise InclusionKitError(f"{name}: cannot read the file ({exc.strerror})") from None
        if size > max_bytes:
            raise InclusionKitError(
                f"{name}: refused: {size} bytes is over the limit of {max_bytes}"
            )
        try:
            with open(name, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InclusionKitError(f"{name}: cannot read the file ({exc.strerror})") from None
    else:
        name = str(getattr(source, "name", "<stream>"))
        # One byte more than allowed tells a stream at the limit from one over it, without ever
        # holding more than that in memory.
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InclusionKitError(f"{name}: refused: larger than the limit of {max_bytes} bytes")
    return name, data


# --- one activity ------------------------------------------------------------------------------


@attrs.define
class _Org:
    """A participating organisation gathered from one or more participating-org elements."""

    key: str
    order: int
    roles: list[str] = attrs.field(factory=list)
    unknown_roles: list[str] = attrs.field(factory=list)
    model_role: PartnerRole | None = None
    ik_id: str | None = None
    ref: str | None = None
    name: Text | None = None
    kind: OrganisationKind | None = None
    type: str | None = None
    country: str | None = None
    city: str | None = None
    tags: list[str] = attrs.field(factory=list)
    supported: bool | None = None


class _ActivityReader:
    """Turns one ``iati-activity`` element into a project, collecting warnings as it goes."""

    def __init__(self, element: etree._Element, number: int) -> None:
        self.element = element
        self.number = number
        self.warnings: list[str] = []
        self.identifier = _clean(element.findtext("iati-identifier"))
        self.label = f"activity {number}" + (f" ({self.identifier})" if self.identifier else "")
        self.default_lang = (element.get(XML_LANG) or "").strip().lower() or None
        self._foreign_text = False

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def project(self) -> Project:
        code, code_is_esf = self._code()
        title = self._text(self.element.find("title"))
        if title is None:
            title = Text(ro=self.identifier or code)
            self.warn("the activity has no title; its identifier is used")
        project = Project(
            code=code,
            title=title,
            programme=self._programme(code, code_is_esf),
            period=self._period(),
            partners=self._partners(),
            locations=self._locations(),
            objectives=self._objectives(),
            description=self._description(),
            notes=(f"IATI identifier: {self.identifier}",) if self.identifier else (),
        )
        if self._foreign_text:
            self.warn("some texts have no Romanian narrative; another language is kept as 'ro'")
        self._check(project, code_is_esf)
        return project

    # --- identity ------------------------------------------------------------------------------

    def _code(self) -> tuple[str, bool]:
        for other in self.element.findall("other-identifier"):
            ref = _clean(other.get("ref"))
            if other.get("type") == codes.OTHER_ID_INTERNAL and ref and _is_esf_code(ref):
                return ref, True
        identifier = self.identifier
        if identifier:
            reporter = _clean(_attr(self.element.find("reporting-org"), "ref"))
            local = identifier
            if reporter and identifier.startswith(reporter + "-"):
                local = identifier[len(reporter) + 1 :]
            # The export writes "POSDRU/165/6.2/S/143094" as "POSDRU-165-6.2-S-143094".
            for candidate in (local, local.replace("-", "/")):
                if _is_esf_code(candidate):
                    return candidate, True
            self.warn(
                f"{identifier!r} holds no POSDRU, POCU or SMIS project code; it is kept as the "
                "project code, which load_project will not accept until it is corrected"
            )
            return identifier, False
        self.warn("the iati-identifier is empty; the project code is made up from its position")
        return f"IATI-activity-{self.number}", False

    def _programme(self, code: str, code_is_esf: bool) -> str:
        given = _clean(self.element.get(_ik("programme")))
        if given:
            return given
        if code_is_esf:
            parsed = ro.parse_project_code(code)
            if parsed.programme in _PROGRAMME_OF_CODE:
                return _PROGRAMME_OF_CODE[parsed.programme]
        self.warn(f"the operational programme is not known; it is set to {UNKNOWN_PROGRAMME!r}")
        return UNKNOWN_PROGRAMME

    def _description(self) -> Text | None:
        candidates = [
            d for d in self.element.findall("description") if d.get(_ik("generated")) != "true"
        ]
        # A general description (type 1, or untyped) describes the project best.
        candidates.sort(key=lambda d: (d.get("type") or "1") != codes.DESCRIPTION_GENERAL)
        for description in candidates:
            text = self._text(description)
            if text is not None:
                return text
        return None

    # --- dates ---------------------------------------------------------------------------------

    def _period(self) -> Period:
        typed: dict[str, dt.date] = {}
        every: list[dt.date] = []
        for element in self.element.findall("activity-date"):
            date = self._date(element.get("iso-date"), "an activity-date")
            if date is None:
                continue
            every.append(date)
            raw_type = _clean(element.get("type"))
            type_ = codes.DATE_WORDS.get(raw_type.lower(), raw_type)
            if type_ in codes.ACTIVITY_DATE_TYPES:
                typed.setdefault(type_, date)
            else:
                self.warn(f"activity-date type {raw_type!r} is not an IATI date type; ignored")
        start = typed.get(codes.DATE_ACTUAL_START) or typed.get(codes.DATE_PLANNED_START)
        end = typed.get(codes.DATE_ACTUAL_END) or typed.get(codes.DATE_PLANNED_END)
        if start is None:
            # Untyped dates first; a file without any still dates its results' periods.
            every = every or self._period_starts()
            if not every:
                raise InclusionKitError("it has no start date (no usable activity-date)")
            start = min(every)
            self.warn(f"no start date; the earliest date given ({start}) is used")
        if end is not None and end < start:
            self.warn(f"the end date {end} is before the start {start}; the end is left open")
            end = None
        return Period(start=start, end=end)

    def _period_starts(self) -> list[dt.date]:
        dates = []
        for element in self.element.iterfind("result/indicator/period/period-start"):
            date = _parse_date(element.get("iso-date"))
            if date is not None:
                dates.append(date)
        return dates

    def _date(self, value: str | None, what: str) -> dt.date | None:
        date = _parse_date(value)
        if date is None:
            self.warn(f"{what} has no valid iso-date ({value!r}); ignored")
        return date

    # --- organisations -------------------------------------------------------------------------

    def _partners(self) -> tuple[Partner, ...]:
        orgs = self._gather_orgs()
        if not orgs:
            raise InclusionKitError("it has no participating-org, so no lead partner")
        roles = self._model_roles(orgs)
        partners: list[Partner] = []
        taken: set[str] = set()
        for position, org in enumerate(orgs, start=1):
            organisation = self._organisation(org, position, taken)
            partners.append(Partner(organisation=organisation, role=roles[org.key]))
        # Document order, so that a project written by the exporter reads back unchanged.
        return tuple(partners)

    def _gather_orgs(self) -> list[_Org]:
        orgs: dict[str, _Org] = {}
        for index, element in enumerate(self.element.findall("participating-org")):
            ik_id = _clean(element.get(_ik("id"))) or None
            ref = _clean(element.get("ref")) or None
            name = self._text(element)
            key = ik_id or ref or (f"name:{name.ro.casefold()}" if name else f"#{index}")
            org = orgs.setdefault(key, _Org(key=key, order=index))
            raw_role = _clean(element.get("role"))
            role = codes.ROLE_WORDS.get(raw_role.lower(), raw_role)
            if role in codes.ORGANISATION_ROLES:
                if role not in org.roles:
                    org.roles.append(role)
            else:
                org.unknown_roles.append(raw_role)
            model_role = _clean(element.get(_ik("role")))
            if model_role in PartnerRole.__members__.values():
                org.model_role = PartnerRole(model_role)
            org.ik_id = org.ik_id or ik_id
            org.ref = org.ref or ref
            org.name = org.name or name
            kind = _clean(element.get(_ik("kind")))
            if kind in OrganisationKind.__members__.values() and org.kind is None:
                org.kind = OrganisationKind(kind)
            org.type = org.type or (_clean(element.get("type")) or None)
            org.country = org.country or (_clean(element.get(_ik("country"))) or None)
            org.city = org.city or (_clean(element.get(_ik("city"))) or None)
            if not org.tags:
                org.tags = [tag for t in element.findall(_ik("tag")) if (tag := _strip(t.text))]
            supported = _clean(element.get(_ik("supported")))
            if org.supported is None and supported in ("true", "false"):
                org.supported = supported == "true"
        return sorted(orgs.values(), key=lambda org: org.order)

    def _model_roles(self, orgs: list[_Org]) -> dict[str, PartnerRole]:
        # Files this plugin wrote carry the model role of every organisation: trust them when
        # they name exactly one lead.
        if all(org.model_role for org in orgs):
            leads = [org for org in orgs if org.model_role is PartnerRole.LEAD]
            if len(leads) == 1:
                return {org.key: org.model_role for org in orgs if org.model_role}
        for org in orgs:
            for raw in org.unknown_roles:
                self.warn(
                    f"participating-org role {raw!r} is not an IATI organisation role "
                    f"({', '.join(f'{c} {n}' for c, n in codes.ORGANISATION_ROLES.items())})"
                )
        accountable = [org for org in orgs if codes.ROLE_ACCOUNTABLE in org.roles]
        implementing = [org for org in orgs if codes.ROLE_IMPLEMENTING in org.roles]
        unknown = [org for org in orgs if not org.roles]
        extending = [org for org in orgs if codes.ROLE_EXTENDING in org.roles]
        if accountable:
            lead = accountable[0]
            if len(accountable) > 1:
                self.warn(
                    f"{len(accountable)} accountable organisations; the first "
                    f"({self._org_label(lead)}) is the lead, the others are partners"
                )
        else:
            candidates = implementing or unknown or extending
            if not candidates:
                raise InclusionKitError(
                    "no participating organisation can be the lead: all of them are funders"
                )
            lead = candidates[0]
            what = "implementing" if implementing else "of unknown role" if unknown else "extending"
            self.warn(
                f"no accountable organisation; the first {what} one ({self._org_label(lead)}) "
                "is taken as the lead partner"
            )
        roles: dict[str, PartnerRole] = {}
        for org in orgs:
            if org is lead:
                roles[org.key] = PartnerRole.LEAD
            elif (
                codes.ROLE_ACCOUNTABLE in org.roles
                or codes.ROLE_IMPLEMENTING in org.roles
                or not org.roles
            ):
                roles[org.key] = PartnerRole.PARTNER
            elif codes.ROLE_EXTENDING in org.roles:
                roles[org.key] = PartnerRole.ASSOCIATE
            else:
                roles[org.key] = PartnerRole.FUNDER
            if org is not lead and codes.ROLE_FUNDING in org.roles and len(org.roles) > 1:
                self.warn(
                    f"{self._org_label(org)} is also a funder; it is kept as "
                    f"{roles[org.key]}, one role per organisation"
                )
        return roles

    def _org_label(self, org: _Org) -> str:
        return org.name.ro if org.name else org.ref or org.ik_id or f"organisation {org.order + 1}"

    def _organisation(self, org: _Org, position: int, taken: set[str]) -> Organisation:
        base = org.ik_id if org.ik_id and _ID.match(org.ik_id) else None
        if base is None and org.ref:
            base = _ID_UNSAFE.sub("-", org.ref).strip("-_.:") or None
        if base is None or not _ID.match(base):
            base = f"org-{position}"
        org_id, suffix = base, 2
        while org_id in taken:
            org_id, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(org_id)
        if org.name is None:
            fallback = org.ref or org.ik_id or f"Organisation {position}"
            self.warn(f"participating organisation {position} has no name; {fallback!r} is used")
            name = Text(ro=fallback)
        else:
            name = org.name
        kind = org.kind or codes.KIND_OF_TYPE.get(org.type or "", OrganisationKind.OTHER)
        return Organisation(
            id=org_id,
            name=name.ro,
            name_en=name.en,
            kind=kind,
            country=self._country(org),
            city=org.city,
            tags=tuple(org.tags),
            supported=org.supported,
        )

    @staticmethod
    def _country(org: _Org) -> str:
        if org.country and re.fullmatch(r"[A-Z]{2}", org.country):
            return org.country
        # An IATI organisation identifier starts with its registration agency's country
        # ("GB-COH-..."); "X" prefixes are IATI's own pseudo-countries (XM-DAC, XI-IATI).
        prefix = (org.ref or "")[:3]
        if re.fullmatch(r"[A-WYZ][A-Z]-", prefix):
            return prefix[:2]
        return "RO"

    # --- places --------------------------------------------------------------------------------

    def _locations(self) -> tuple[Location, ...]:
        found: list[Location] = []
        unmapped = 0
        for element in self.element.findall("location"):
            code = _clean(element.get(_ik("region"))) or _clean(element.get("ref"))
            if not _NUTS2.match(code) or code not in ro.REGIONS:
                unmapped += 1
                continue
            county = _clean(element.get(_ik("county"))) or None
            city = _clean(element.get(_ik("city"))) or None
            if city and not _city_in_region(city, code):
                self.warn(f"the city {city!r} is not in the region {code}; the city is left out")
                city = None
            # Each location element is one place of the project, even when two look alike.
            found.append(Location(region=code, county=county, city=city))
        for element in self.element.findall("recipient-region"):
            code = _clean(element.get("code"))
            # Not what IATI regions are for (they are supra-national), but some publishers put
            # sub-national regions there with their own vocabulary (99).
            if _NUTS2.match(code) and code in ro.REGIONS and all(p.region != code for p in found):
                found.append(Location(region=code))
        if unmapped:
            self.warn(f"{unmapped} location(s) are not Romanian NUTS-2 regions and are left out")
        return tuple(found)

    # --- results -------------------------------------------------------------------------------

    def _objectives(self) -> tuple[Objective, ...]:
        titles: dict[str, Text] = {}
        indicators: dict[str, list[Indicator]] = {}
        used_codes: set[str] = set()
        for number, result in enumerate(self.element.findall("result"), start=1):
            objective_id = _clean(result.get(_ik("objective")))
            if not _ID.match(objective_id):
                objective_id = f"R{number}"
            kind = self._result_kind(result, number)
            title = self._text(result.find("title"))
            if title is None:
                title = Text(ro=f"Result {number}")
                self.warn(f"result {number} has no title")
            titles.setdefault(objective_id, title)
            bucket = indicators.setdefault(objective_id, [])
            for position, element in enumerate(result.findall("indicator"), start=1):
                indicator = self._indicator(element, kind, f"{objective_id}.{position}", used_codes)
                if indicator is not None:
                    bucket.append(indicator)
        objectives = []
        for objective_id, found in indicators.items():
            if found:
                objectives.append(
                    Objective(id=objective_id, title=titles[objective_id], indicators=tuple(found))
                )
            else:
                self.warn(f"result {objective_id} has no indicator with a numeric target; left out")
        return tuple(objectives)

    def _result_kind(self, result: etree._Element, number: int) -> IndicatorKind:
        raw = _clean(result.get("type"))
        type_ = codes.RESULT_WORDS.get(raw.lower(), raw)
        if type_ == codes.RESULT_OUTPUT:
            return IndicatorKind.OUTPUT
        if type_ in (codes.RESULT_OUTCOME, codes.RESULT_IMPACT):
            return IndicatorKind.RESULT
        self.warn(f"result {number} has type {raw!r} (not output/outcome/impact); read as output")
        return IndicatorKind.OUTPUT

    def _indicator(
        self, element: etree._Element, kind: IndicatorKind, fallback_code: str, used: set[str]
    ) -> Indicator | None:
        code = next(
            (
                _clean(ref.get("code"))
                for ref in element.findall("reference")
                if _clean(ref.get("vocabulary")) == codes.VOCABULARY_REPORTING_ORG
                and _clean(ref.get("code"))
            ),
            fallback_code,
        )
        what = f"indicator {code}"
        if code in used:
            renamed, suffix = f"{code}-2", 3
            while renamed in used:
                renamed, suffix = f"{code}-{suffix}", suffix + 1
            self.warn(f"indicator code {code!r} is used twice; the second is renamed {renamed!r}")
            code = renamed
        name = self._text(element.find("title")) or Text(ro=code)
        unit = self._unit(element, what)
        if unit is None:
            return None
        baseline = self._baseline(element, what)
        target, actual = self._periods(element, what)
        if target is None:
            self.warn(f"{what} has no numeric target; left out")
            return None
        used.add(code)
        milestone = _number(element.get(_ik("milestone")))
        ascending = _boolean(element.get("ascending"))
        return Indicator(
            code=code,
            name=name,
            unit=unit,
            kind=kind,
            target=target,
            baseline=baseline,
            milestone=milestone,
            ascending=True if ascending is None else ascending,
            achieved=actual,
        )

    def _unit(self, element: etree._Element, what: str) -> Unit | None:
        given = _clean(element.get(_ik("unit")))
        if given in Unit.__members__.values():
            return Unit(given)
        raw = _clean(element.get("measure"))
        measure = codes.MEASURE_WORDS.get(raw.lower(), raw)
        if measure == codes.MEASURE_PERCENTAGE:
            return Unit.PERCENT
        if measure == codes.MEASURE_UNIT:
            return Unit.NUMBER
        if measure == "5":
            self.warn(f"{what} is qualitative (measure 5) and has no numeric target; left out")
            return None
        self.warn(f"{what} has measure {raw!r}; read as a plain number")
        return Unit.NUMBER

    def _baseline(self, element: etree._Element, what: str) -> float:
        for baseline in element.findall("baseline"):
            if baseline.find("dimension") is not None:
                continue  # a disaggregated baseline; the model keeps totals only
            value = baseline.get("value")
            number = _number(value)
            if number is not None:
                return number
            if value is not None:
                self.warn(f"{what}: baseline {value!r} is not a number; 0 is used")
        return 0.0

    def _periods(
        self, element: etree._Element, what: str
    ) -> tuple[float | None, Achievement | None]:
        periods: list[tuple[dt.date, etree._Element]] = []
        for period in element.findall("period"):
            end = _parse_date(_attr(period.find("period-end"), "iso-date"))
            if end is None:
                self.warn(f"{what}: a period without a valid period-end is left out")
                continue
            periods.append((end, period))
        # Latest period first: its target is the final one, its actual the most recent.
        periods.sort(key=lambda item: item[0], reverse=True)
        target: float | None = None
        achieved: Achievement | None = None
        with_targets = 0
        for end, period in periods:
            value = self._total(period, "target", what)
            if value is not None:
                with_targets += 1
                if target is None:
                    target = value
            actual = self._total(period, "actual", what)
            if actual is not None and achieved is None:
                as_of = _parse_date(period.get(_ik("actual-as-of"))) or end
                achieved = Achievement(value=actual, date=as_of, source=ACHIEVEMENT_SOURCE)
        if with_targets > 1:
            self.warn(
                f"{what} has targets in {with_targets} periods; the latest is kept "
                "(IATI does not say whether periods add up)"
            )
        return target, achieved

    def _total(self, period: etree._Element, tag: str, what: str) -> float | None:
        for element in period.findall(tag):
            if element.find("dimension") is not None:
                continue  # a value for one gender (or other dimension), not the total
            value = element.get("value")
            number = _number(value)
            if number is not None:
                return number
            if value is not None:
                self.warn(f"{what}: {tag} {value!r} is not a number; ignored")
        return None

    # --- texts and checks ----------------------------------------------------------------------

    def _text(self, element: etree._Element | None) -> Text | None:
        if element is None:
            return None
        by_lang: dict[str | None, str] = {}
        for narrative in element.findall("narrative"):
            # Only the ends are trimmed: a description's paragraphs are part of it.
            value = _strip(narrative.text)
            if not value:
                continue
            lang = (narrative.get(XML_LANG) or "").strip().lower() or self.default_lang
            by_lang.setdefault(lang, value)
        if not by_lang:
            return None
        english = by_lang.get("en")
        original = by_lang.get("ro") or by_lang.get(None)
        if original is None:
            original = english or next(iter(by_lang.values()))
            self._foreign_text = True
        return Text(ro=original, en=english)

    def _check(self, project: Project, code_is_esf: bool) -> None:
        # The same checks as any project document gets; only an unknown project code is let
        # through (as a warning, above), since most IATI activities are not ESF projects.
        try:
            load_project(project_to_dict(project))
        except ValidationError as exc:
            problems = [
                p for p in exc.problems if not (p.code == "project.code" and not code_is_esf)
            ]
            if problems:
                raise InclusionKitError(
                    "it does not make a valid project: " + "; ".join(str(p) for p in problems)
                ) from None


def _is_esf_code(text: str) -> bool:
    try:
        ro.parse_project_code(text)
    except ro.ProjectCodeError:
        return False
    return True


def _city_in_region(city: str, region: str) -> bool:
    try:
        return bool(ro.locate(city).region.code == region)
    except ro.UnknownRegionError:
        return True  # a small town the gazetteer does not list is not an error (as load_project)


def _ik(name: str) -> str:
    return f"{{{codes.IK_NS}}}{name}"


def _attr(element: etree._Element | None, name: str) -> str | None:
    return None if element is None else element.get(name)


def _clean(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def _strip(value: str | None) -> str:
    return value.strip() if value else ""


def _parse_date(value: str | None) -> dt.date | None:
    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _boolean(value: str | None) -> bool | None:
    text = _clean(value).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None
