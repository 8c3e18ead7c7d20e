"""A project as a Frictionless tabular data package: tables of rows and the descriptor for them.

Each table is declared once, as fields with a Table Schema type and constraints and a function
giving each row's value, so the CSV and its schema cannot drift apart. Only aggregates and
facts about the project leave: never a participant's row, id or attribute (an activity says how
many known participants it had, not who).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import pandas as pd

from inclusionkit import InclusionKitError, Project, progress, read_participations
from inclusionkit.models import (
    IndicatorKind,
    OrganisationKind,
    PartnerRole,
    ProgressStatus,
    Unit,
)

FieldType = Literal["string", "integer", "number", "boolean", "date", "object"]

DEFAULT_RULES = "esf-2014"
"""The rule set of the indicator table when none is given (the engine's own default)."""

LANGUAGES = ("en", "ro")

# Identifiers and vocabulary names, as the project schema defines them.
_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
_KIND_PATTERN = "^[a-z][a-z0-9_]*$"
_COUNTRY_PATTERN = "^[A-Z]{2}$"
_REGION_PATTERN = "^RO[1-4][1-2]$"
_UNITS = tuple(str(unit) for unit in Unit)


@attrs.frozen(kw_only=True)
class Field:
    """One column: its Table Schema type, what it holds, and the constraints its values meet."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    pattern: str | None = None

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field descriptor."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "boolean":
            # Say exactly what the CSV holds, so no reader guesses ("yes"? "1"?).
            out["trueValues"] = ["true"]
            out["falseValues"] = ["false"]
        out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = (
                int(self.minimum) if self.type == "integer" else float(self.minimum)
            )
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            out["constraints"] = constraints
        return out


@attrs.frozen(kw_only=True)
class ForeignKey:
    """``fields`` of this table refer to ``reference`` of the table ``resource``."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema foreign-key descriptor."""
        return {
            "fields": list(self.fields),
            "reference": {"resource": self.resource, "fields": list(self.reference)},
        }


@attrs.frozen(kw_only=True)
class Table:
    """One resource of the package: a CSV file under ``data/`` and its Table Schema.

    ``rows`` hold Python values (``str``, ``int``, ``float``, ``bool``, ``datetime.date``,
    ``dict`` for ``object`` fields, ``None`` for a missing value) in field order. ``extra`` holds
    further properties of the resource descriptor (the indicator table's provenance).
    """

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: tuple[tuple[Any, ...], ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def path(self) -> str:
        """The CSV file's path inside the package (POSIX separators, as the spec requires)."""
        return f"data/{self.name}.csv"

    @property
    def field_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(field.name for field in self.fields)

    def csv_bytes(self) -> bytes:
        """The CSV file: a header row, then one line per row, UTF-8, ``\\n`` line ends."""
        lines = [_csv_line(self.field_names)]
        for row in self.rows:
            lines.append(
                _csv_line(
                    _text(value, field.type) for value, field in zip(row, self.fields, strict=True)
                )
            )
        return "".join(lines).encode("utf-8")

    def descriptor(self, data: bytes | None = None) -> dict[str, Any]:
        """The resource descriptor; with the CSV bytes, also their size and SHA-256 hash, so a
        validator notices a file changed after export."""
        schema: dict[str, Any] = {
            "fields": [field.descriptor() for field in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [key.descriptor() for key in self.foreign_keys]
        out: dict[str, Any] = {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "title": self.title,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
        }
        if data is not None:
            out["bytes"] = len(data)
            out["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        out["schema"] = schema
        out.update(self.extra)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (Python values, one column per field)."""
        return pd.DataFrame(list(self.rows), columns=list(self.field_names), dtype=object)


@attrs.frozen(kw_only=True)
class DataPackage:
    """A built data package: the ``datapackage.json`` descriptor and the tables it describes."""

    descriptor: Mapping[str, Any]
    tables: tuple[Table, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The resource names, in order."""
        return tuple(table.name for table in self.tables)

    def table(self, name: str) -> Table:
        """The resource called ``name``; :class:`InclusionKitError` if there is none."""
        for table in self.tables:
            if table.name == name:
                return table
        raise InclusionKitError(
            f"the data package has no resource {name!r}; it has {', '.join(self.names)}"
        )

    def files(self) -> dict[str, bytes]:
        """Every file of the package by its path inside it: ``datapackage.json`` and the CSVs."""
        out = {table.path: table.csv_bytes() for table in self.tables}
        text = json.dumps(self.descriptor, ensure_ascii=False, indent=2) + "\n"
        return {"datapackage.json": text.encode("utf-8"), **out}


def _csv_line(cells: Iterable[str]) -> str:
    # The csv module quotes exactly the cells that need it (separators, quotes, line breaks).
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(cells))
    return buffer.getvalue()


def _text(value: Any, kind: FieldType) -> str:
    """A value as CSV text of its field type; a missing value is the empty cell."""
    if value is None or value is pd.NA:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(pd.Timestamp(value).date().isoformat())
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            raise InclusionKitError(f"cannot write the infinite number {number} in a data package")
        # Whole numbers without ".0", so 800 stays 800; others in the shortest exact form.
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    if kind == "object":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


# -- options ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Options:
    """What to put in the package besides the project: see :func:`build_datapackage`."""

    participations: Any = None
    as_of: dt.date | str | None = None
    rules: Any = DEFAULT_RULES
    lang: str = "en"
    suppress: int | None = None
    license: str | None = None

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> Options:
        """Options from the exporter's keyword options; unknown names are an error."""
        known = [field.name for field in attrs.fields(cls)]
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise InclusionKitError(
                f"unknown datapackage option(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(known)}"
            )
        return cls(**options)


# -- the package --------------------------------------------------------------------------------


def build_datapackage(
    project: Project,
    participations: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | str | None = None,
    rules: Any = DEFAULT_RULES,
    lang: str = "en",
    suppress: int | None = None,
    license: str | None = None,
) -> DataPackage:
    """Build the data package of ``project`` in memory.

    :param participations: the project's participation table (DataFrame or CSV/Parquet path);
        with it, the progress is computed from the records and an ``indicator_table`` resource
        holds the rule set's indicators by gender. Only this project's rows are accepted.
    :param as_of: the reporting date for progress and indicators.
    :param rules: the rule set of the indicator table (default ``"esf-2014"``).
    :param lang: ``"en"`` or ``"ro"``: the language of titles and of the progress names.
    :param suppress: a threshold: indicator counts from 1 to ``suppress - 1`` (and what would
        give them away) are published empty, with ``suppressed`` true; see
        :func:`inclusionkit._privacy.suppress`.
    :param license: an SPDX-style licence id for the package (``"CC-BY-4.0"``).
    :raises InclusionKitError: participations of other projects, duplicate ids the keys need,
        an unknown rule set or language.
    """
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if suppress is not None and (isinstance(suppress, bool) or not isinstance(suppress, int)):
        raise InclusionKitError(f"suppress must be a whole-number threshold, not {suppress!r}")
    table = _participations(project, participations)
    tables = [
        _project_table(project, lang),
        _locations_table(project),
        _partners_table(project),
        _objectives_table(project),
        _indicators_table(project),
        _target_groups_table(project),
        _activities_table(project),
        _deliverables_table(project),
        _progress_table(project, table, as_of, lang),
    ]
    if table is not None:
        tables.extend(_indicator_tables(project, table, rules, as_of, suppress))
    for item in tables:
        _check_keys(item)
    return DataPackage(
        descriptor=_descriptor(project, tables, lang, as_of, license, table is not None),
        tables=tuple(tables),
    )


def _participations(
    project: Project, participations: pd.DataFrame | str | os.PathLike[str] | None
) -> pd.DataFrame | None:
    if participations is None:
        return None
    if isinstance(participations, str | os.PathLike):
        frame = read_participations(participations, keep_extra=True)
    elif isinstance(participations, pd.DataFrame):
        frame = participations
    else:
        raise InclusionKitError(
            "participations must be a DataFrame or the path of a CSV or Parquet file, not "
            f"{type(participations).__name__}"
        )
    if "project_code" not in frame.columns:
        raise InclusionKitError("the participation table has no project_code column")
    mine = _canonical(project.code)
    others = sorted(
        {
            str(code)
            for code in frame["project_code"].dropna().unique()
            if _canonical(str(code)) != mine
        }
    )
    if others:
        # An indicator table mixing projects would be published as this project's: refuse.
        shown = ", ".join(repr(code) for code in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        raise InclusionKitError(
            f"the participation table has rows of other projects than {project.code!r} "
            f"({shown}{more}); pass only this project's rows"
        )
    return frame


def _canonical(code: str) -> str:
    from inclusionkit.ro import ProjectCodeError, parse_project_code

    try:
        return str(parse_project_code(code).canonical)
    except ProjectCodeError:
        return code.strip()


def _check_keys(table: Table) -> None:
    """A primary key must be unique and complete; say which id breaks it rather than write a
    package that fails validation."""
    if not table.primary_key:
        return
    index = [table.field_names.index(name) for name in table.primary_key]
    keys = [tuple(row[i] for i in index) for row in table.rows]
    missing = [key for key in keys if any(part is None for part in key)]
    if missing:
        raise InclusionKitError(
            f"{table.name}: {len(missing)} row(s) have no {', '.join(table.primary_key)}"
        )
    repeated = [key for key, count in Counter(keys).items() if count > 1]
    if repeated:
        shown = ", ".join("/".join(map(str, key)) for key in repeated[:5])
        raise InclusionKitError(
            f"{table.name}: the id(s) {shown} are used more than once; a data package needs "
            f"unique {', '.join(table.primary_key)}"
        )


def _slug(code: str) -> str:
    # Package names are lower-case letters, digits, "-", "_" and ".".
    slug = re.sub(r"[^a-z0-9._-]+", "-", code.lower()).strip("-._")
    return slug or "project"


def _descriptor(
    project: Project,
    tables: Sequence[Table],
    lang: str,
    as_of: dt.date | str | None,
    license: str | None,
    with_indicators: bool,
) -> dict[str, Any]:
    from inclusionkit import __version__ as library_version
    from inclusionkit_datapackage import __version__

    resources = [table.descriptor(table.csv_bytes()) for table in tables]
    out: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": _slug(project.code),
        "title": project.title.in_language(lang),
        "description": _package_description(project, lang, with_indicators),
        "keywords": ["ESF", "social inclusion", project.programme],
    }
    if license:
        out["licenses"] = [{"name": license}]
    out["inclusionkit"] = {
        "project_code": project.code,
        "as_of": None if as_of is None else str(as_of),
        "library_version": library_version,
        "exporter": f"inclusionkit-datapackage {__version__}",
        "aggregates_only": True,
    }
    out["resources"] = resources
    return out


def _package_description(project: Project, lang: str, with_indicators: bool) -> str:
    parts = []
    if project.description is not None:
        parts.append(project.description.in_language(lang))
    parts.append(
        f"Project {project.code} ({project.programme}): partners, objectives and indicators with "
        "targets, activities, deliverables and progress against every target"
        + (", and the indicator table by gender" if with_indicators else "")
        + ". Aggregates only: no participant-level data."
    )
    return "\n\n".join(parts)


# -- the tables ---------------------------------------------------------------------------------


def _code_field() -> Field:
    return Field(
        name="project_code",
        type="string",
        description="the project's code, as in the project table",
        required=True,
    )


def _to_project() -> ForeignKey:
    return ForeignKey(fields=("project_code",), resource="project", reference=("code",))


def _to_partner(field: str = "partner") -> ForeignKey:
    return ForeignKey(fields=(field,), resource="partners", reference=("organisation_id",))


def _text_fields(prefix: str, what: str, *, required: bool = False) -> tuple[Field, Field]:
    return (
        Field(
            name=f"{prefix}_ro", type="string", description=f"{what} in Romanian", required=required
        ),
        Field(name=f"{prefix}_en", type="string", description=f"{what} in English"),
    )


def _texts(text: Any) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    return text.ro, text.en


def _make(
    name: str,
    title: str,
    description: str,
    fields: Sequence[Field],
    records: Iterable[Any],
    values: Callable[[Any], Sequence[Any]],
    **keys: Any,
) -> Table:
    rows = []
    for record in records:
        row = tuple(values(record))
        if len(row) != len(fields):  # a programming error: fields and values out of step
            raise AssertionError(f"{name}: {len(row)} values for {len(fields)} fields")
        rows.append(row)
    return Table(
        name=name,
        title=title,
        description=description,
        fields=tuple(fields),
        rows=tuple(rows),
        **keys,
    )


def _project_table(project: Project, lang: str) -> Table:
    from inclusionkit.ro import ProjectCodeError, parse_project_code

    try:
        parsed: Any = parse_project_code(project.code)
    except ProjectCodeError:
        parsed = None
    fields = (
        Field(name="code", type="string", description="the project code as written", required=True),
        Field(
            name="code_canonical",
            type="string",
            description="the code in canonical form (empty when it is in no known form)",
        ),
        Field(
            name="code_programme",
            type="string",
            description="the programme the code's form belongs to",
            enum=("POSDRU", "POCU", "SMIS"),
        ),
        Field(name="axis", type="integer", description="priority axis (POSDRU, POCU)", minimum=1),
        Field(
            name="key_area",
            type="string",
            description="key area of intervention (POSDRU), e.g. 6.2",
        ),
        Field(
            name="specific_objective",
            type="string",
            description="specific objective (POCU), e.g. 4.16",
        ),
        Field(name="smis_code", type="integer", description="SMIS code (POCU, PEO, PIDS)"),
        *_text_fields("title", "the title", required=True),
        Field(
            name="programme", type="string", description="the operational programme", required=True
        ),
        Field(name="start", type="date", description="first day of the project", required=True),
        Field(name="end", type="date", description="last day of the project (empty: open)"),
        Field(
            name="lead",
            type="string",
            description="organisation id of the lead partner (the ESF beneficiary)",
            required=True,
        ),
        *_text_fields("description", "the description"),
        Field(name="notes", type="string", description="notes on the data, one per line"),
    )

    def values(p: Project) -> Sequence[Any]:
        return (
            p.code,
            parsed.canonical if parsed else None,
            parsed.programme if parsed else None,
            parsed.axis if parsed else None,
            parsed.key_area if parsed else None,
            parsed.specific_objective if parsed else None,
            parsed.smis_code if parsed else None,
            *_texts(p.title),
            p.programme,
            p.period.start,
            p.period.end,
            p.lead.organisation.id,
            *_texts(p.description),
            "\n".join(p.notes) if p.notes else None,
        )

    return _make(
        "project",
        "Project" if lang == "en" else "Proiect",
        "The project: code (and its parts), title, programme, period, lead partner.",
        fields,
        [project],
        values,
        primary_key=("code",),
        foreign_keys=(_to_partner("lead"),),
    )


def _locations_table(project: Project) -> Table:
    from inclusionkit.ro import RomanianCodeError, category_of_region

    def category(region: str) -> str | None:
        try:
            return category_of_region(region)
        except RomanianCodeError:
            return None

    fields = (
        _code_field(),
        Field(
            name="region",
            type="string",
            description="NUTS-2 development region code",
            required=True,
            pattern=_REGION_PATTERN,
        ),
        Field(
            name="category_of_region",
            type="string",
            description="ESF category of the region (RO32 more developed, the others less)",
            enum=("less developed", "more developed"),
        ),
        Field(name="county", type="string", description="county (județ)"),
        Field(name="city", type="string", description="city or town"),
    )
    return _make(
        "locations",
        "Locations",
        "Where the project works: development region, county and city.",
        fields,
        project.locations,
        lambda loc: (project.code, loc.region, category(loc.region), loc.county, loc.city),
        foreign_keys=(_to_project(),),
    )


def _partners_table(project: Project) -> Table:
    fields = (
        _code_field(),
        Field(
            name="organisation_id",
            type="string",
            description="the organisation's id within the project",
            required=True,
            unique=True,
            pattern=_ID_PATTERN,
        ),
        Field(name="name", type="string", description="legal name", required=True),
        Field(name="name_en", type="string", description="name in English"),
        Field(
            name="kind",
            type="string",
            description="what sort of body it is",
            required=True,
            enum=tuple(str(kind) for kind in OrganisationKind),
        ),
        Field(
            name="role",
            type="string",
            description="role in the project; lead is the ESF beneficiary",
            required=True,
            enum=tuple(str(role) for role in PartnerRole),
        ),
        Field(name="city", type="string", description="seat"),
        Field(
            name="country",
            type="string",
            description="ISO 3166-1 alpha-2 country code",
            required=True,
            pattern=_COUNTRY_PATTERN,
        ),
    )
    return _make(
        "partners",
        "Partners",
        "The organisations running the project and their roles.",
        fields,
        project.partners,
        lambda p: (
            project.code,
            p.organisation.id,
            p.organisation.name,
            p.organisation.name_en,
            str(p.organisation.kind),
            str(p.role),
            p.organisation.city,
            p.organisation.country,
        ),
        primary_key=("organisation_id",),
        foreign_keys=(_to_project(),),
    )


def _objectives_table(project: Project) -> Table:
    fields = (
        _code_field(),
        Field(
            name="id", type="string", description="the objective's id", required=True, unique=True
        ),
        *_text_fields("title", "the objective", required=True),
    )
    return _make(
        "objectives",
        "Objectives",
        "The project's objectives; each is measured by the indicators that name it.",
        fields,
        project.objectives,
        lambda o: (project.code, o.id, *_texts(o.title)),
        primary_key=("id",),
        foreign_keys=(_to_project(),),
    )


def _indicators_table(project: Project) -> Table:
    fields = (
        Field(
            name="objective",
            type="string",
            description="the objective the indicator measures",
            required=True,
        ),
        Field(
            name="code",
            type="string",
            description="the indicator's code, unique in the project",
            required=True,
            unique=True,
        ),
        *_text_fields("name", "the indicator's name", required=True),
        Field(
            name="unit",
            type="string",
            description="unit of target and achieved values",
            required=True,
            enum=_UNITS,
        ),
        Field(
            name="kind",
            type="string",
            description="output (what was done) or result (what changed)",
            required=True,
            enum=tuple(str(kind) for kind in IndicatorKind),
        ),
        Field(name="baseline", type="number", description="value at the start", required=True),
        Field(name="target", type="number", description="value promised", required=True),
        Field(name="milestone", type="number", description="intermediate target"),
        Field(
            name="ascending",
            type="boolean",
            description="true when more is better",
            required=True,
        ),
        Field(
            name="rule",
            type="object",
            description="the reporting rule computing the achieved value from the records",
        ),
        Field(
            name="reported_value",
            type="number",
            description="achieved value as reported (used when no rule can compute it)",
        ),
        Field(name="reported_date", type="date", description="date of the reported value"),
        Field(name="reported_source", type="string", description="source of the reported value"),
    )

    def rows() -> Iterable[tuple[str, Any]]:
        for objective in project.objectives:
            for indicator in objective.indicators:
                yield objective.id, indicator

    def values(item: tuple[str, Any]) -> Sequence[Any]:
        objective, ind = item
        achieved = ind.achieved
        return (
            objective,
            ind.code,
            *_texts(ind.name),
            str(ind.unit),
            str(ind.kind),
            ind.baseline,
            ind.target,
            ind.milestone,
            ind.ascending,
            ind.rule,
            None if achieved is None else achieved.value,
            None if achieved is None else achieved.date,
            None if achieved is None else achieved.source,
        )

    return _make(
        "indicators",
        "Indicators and targets",
        "Every indicator of every objective: unit, baseline, target, milestone, and how its "
        "achieved value is obtained.",
        fields,
        rows(),
        values,
        primary_key=("code",),
        foreign_keys=(ForeignKey(fields=("objective",), resource="objectives", reference=("id",)),),
    )


def _target_groups_table(project: Project) -> Table:
    fields = (
        _code_field(),
        Field(name="id", type="string", description="the target group's id", required=True),
        *_text_fields("name", "the group's name", required=True),
        Field(name="size", type="integer", description="planned size", minimum=0),
        Field(name="unit", type="string", description="unit of the size", enum=_UNITS),
    )
    # No primary key: the model does not require target group ids to be unique, and nothing
    # refers to them.
    return _make(
        "target_groups",
        "Target groups",
        "The groups of people or organisations the project serves, with their planned size.",
        fields,
        project.target_groups,
        lambda g: (project.code, g.id, *_texts(g.name), g.size, str(g.unit)),
        foreign_keys=(_to_project(),),
    )


def _activities_table(project: Project) -> Table:
    fields = (
        _code_field(),
        Field(
            name="id", type="string", description="the activity's id", required=True, unique=True
        ),
        Field(
            name="kind",
            type="string",
            description="what sort of activity (a built-in or plugin-registered kind)",
            required=True,
            pattern=_KIND_PATTERN,
        ),
        Field(name="start", type="date", description="first day", required=True),
        Field(name="end", type="date", description="last day"),
        *_text_fields("title", "the title"),
        Field(name="city", type="string", description="where it took place"),
        Field(name="hours", type="number", description="hours delivered", minimum=0),
        Field(name="attendance", type="integer", description="head count", minimum=0),
        Field(name="partner", type="string", description="the partner that ran it"),
        Field(
            name="organisations_served",
            type="integer",
            description="number of organisations served",
            required=True,
            minimum=0,
        ),
        Field(
            name="participants_known",
            type="integer",
            description="number of participants known individually (their ids are not exported)",
            required=True,
            minimum=0,
        ),
    )
    return _make(
        "activities",
        "Activities",
        "What the project did: events, courses, hours of consultancy and counselling.",
        fields,
        project.activities,
        lambda a: (
            project.code,
            a.id,
            a.kind,
            a.start,
            a.end,
            *_texts(a.title),
            a.city,
            a.hours,
            a.attendance,
            a.partner,
            len(a.organisations),
            len(a.participants),
        ),
        primary_key=("id",),
        foreign_keys=(_to_project(), _to_partner()),
    )


def _deliverables_table(project: Project) -> Table:
    fields = (
        _code_field(),
        Field(
            name="id", type="string", description="the deliverable's id", required=True, unique=True
        ),
        Field(
            name="kind",
            type="string",
            description="what sort of product (a built-in or plugin-registered kind)",
            required=True,
            pattern=_KIND_PATTERN,
        ),
        Field(name="date", type="date", description="date delivered", required=True),
        *_text_fields("title", "the title"),
        Field(name="city", type="string", description="where it was made or applies"),
        Field(name="partner", type="string", description="the partner that made it"),
    )
    return _make(
        "deliverables",
        "Deliverables",
        "Documents and products the project made.",
        fields,
        project.deliverables,
        lambda d: (project.code, d.id, d.kind, d.date, *_texts(d.title), d.city, d.partner),
        primary_key=("id",),
        foreign_keys=(_to_project(), _to_partner()),
    )


def _progress_table(
    project: Project,
    participations: pd.DataFrame | None,
    as_of: dt.date | str | None,
    lang: str,
) -> Table:
    frame = progress(project, participations, as_of=as_of, lang=lang)
    fields = (
        Field(name="objective", type="string", description="the objective", required=True),
        Field(name="indicator", type="string", description="the indicator's code", required=True),
        Field(
            name="name", type="string", description=f"the indicator's name ({lang})", required=True
        ),
        Field(name="unit", type="string", description="unit", required=True, enum=_UNITS),
        Field(
            name="kind",
            type="string",
            description="output or result",
            required=True,
            enum=tuple(str(kind) for kind in IndicatorKind),
        ),
        Field(name="baseline", type="number", description="value at the start", required=True),
        Field(name="target", type="number", description="value promised", required=True),
        Field(name="milestone", type="number", description="intermediate target"),
        Field(name="achieved", type="number", description="value achieved (empty: unknown)"),
        Field(
            name="percent",
            type="number",
            description="share of the way from baseline to target, 100 = target reached",
        ),
        Field(
            name="status",
            type="string",
            description="where the indicator stands against its target",
            required=True,
            enum=tuple(str(status) for status in ProgressStatus),
        ),
        Field(
            name="source",
            type="string",
            description="computed from the records, reported, or none",
            required=True,
            enum=("computed", "reported", "none"),
        ),
    )
    records = frame[[field.name for field in fields]].astype(object).to_numpy().tolist()
    return _make(
        "progress",
        "Progress against targets",
        "For every indicator: target, achieved, percent of the way and status"
        + (f", as of {as_of}" if as_of is not None else "")
        + ".",
        fields,
        records,
        lambda row: [None if _missing(value) else value for value in row],
        primary_key=("indicator",),
        foreign_keys=(
            ForeignKey(fields=("indicator",), resource="indicators", reference=("code",)),
            ForeignKey(fields=("objective",), resource="objectives", reference=("id",)),
        ),
    )


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _indicator_tables(
    project: Project,
    participations: pd.DataFrame,
    rules: Any,
    as_of: dt.date | str | None,
    suppress: int | None,
) -> list[Table]:
    from inclusionkit._rules import compute

    report = compute(participations, rules, by=("gender",), as_of=as_of, project=project)
    ruleset = report.ruleset
    definitions = _make(
        "indicator_definitions",
        f"Indicators of the {ruleset.name} rule set",
        f"{ruleset.title or ruleset.name} ({ruleset.source or 'inclusionkit rule set'}), "
        f"version {ruleset.version}.",
        (
            Field(
                name="code", type="string", description="indicator code", required=True, unique=True
            ),
            Field(name="name_en", type="string", description="name in English", required=True),
            Field(name="name_ro", type="string", description="name in Romanian"),
            Field(name="unit", type="string", description="what is counted", required=True),
            Field(
                name="kind", type="string", description="output or result (and when)", required=True
            ),
            Field(name="data_class", type="string", description="personal, sensitive or entity"),
        ),
        ruleset.indicators,
        lambda ind: (ind.code, ind.name_en, ind.name_ro, ind.unit, ind.kind, ind.data_class),
        primary_key=("code",),
    )
    table = report.table
    breakdowns = [name for name in table.columns if name not in ("indicator", "value")]
    integral = pd.api.types.is_integer_dtype(table["value"].dtype)
    if suppress is not None:
        from inclusionkit._privacy import suppress as suppress_cells

        if not integral:
            raise InclusionKitError(
                f"rule set {ruleset.name!r} has non-count indicators; suppression applies to counts"
            )
        table = suppress_cells(table, suppress).published
    fields: list[Field] = [
        Field(name="indicator", type="string", description="indicator code", required=True)
    ]
    for name in breakdowns:
        kind: FieldType = (
            "integer" if pd.api.types.is_integer_dtype(table[name].dtype) else "string"
        )
        description = (
            "women, men, non-binary; total is every gender together"
            if name == "gender"
            else f"breakdown: {name}"
        )
        fields.append(Field(name=name, type=kind, description=description))
    fields.append(
        Field(
            name="value",
            type="integer" if integral else "number",
            description=(
                "the indicator's value in the cell (empty when suppressed)"
                if suppress is not None
                else "the indicator's value in the cell"
            ),
            required=suppress is None,
            minimum=0,
        )
    )
    if suppress is not None:
        fields.append(
            Field(
                name="suppressed",
                type="boolean",
                description=(
                    f"value withheld: a count below {suppress}, or one that would reveal it"
                ),
                required=True,
            )
        )
    names = [field.name for field in fields]
    records = table[names].astype(object).to_numpy().tolist()
    key = ("indicator", *breakdowns)
    complete = not table[list(key)].isna().any().any()
    provenance = report.provenance.as_dict()
    values = _make(
        "indicator_table",
        f"Indicator table ({ruleset.name})",
        f"The {ruleset.name} indicators computed from the project's participation table"
        + (f" as of {provenance['as_of']}" if provenance.get("as_of") else "")
        + f", by {', '.join(breakdowns) or 'nothing'}. "
        f"{report.provenance.counted} participations counted, "
        f"{report.provenance.excluded} excluded as incomplete.",
        fields,
        records,
        lambda row: [None if _missing(value) else value for value in row],
        # Entity indicators of per-year rule sets have no year: a key must be complete.
        primary_key=key if complete else (),
        foreign_keys=(
            ForeignKey(
                fields=("indicator",), resource="indicator_definitions", reference=("code",)
            ),
        ),
        extra={"provenance": provenance},
    )
    return [definitions, values]
