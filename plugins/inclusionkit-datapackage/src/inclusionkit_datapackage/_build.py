"""A project (or an indicator report) as a Frictionless tabular data package.

The project's tables are declared as data (``tables.json``, built by :mod:`._tables`); the
indicator tables come from one :class:`inclusionkit.Report`: given, or computed once by
:func:`inclusionkit.compute` from the participations. Disclosure control is
``Report.suppress``'s, the provenance the one converter's (``Provenance.as_dict``). Only
aggregates and facts about the project leave: never a participant's row, id or attribute (an
activity says how many known participants it had, not who).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pandas as pd

from inclusionkit import InclusionKitError, Project, Report, compute, progress, read_participations
from inclusionkit import __version__ as library_version
from inclusionkit.ro import ProjectCodeError, parse_project_code
from inclusionkit_datapackage._model import DataPackage, Field, FieldType, ForeignKey, Table
from inclusionkit_datapackage._tables import project_tables

__all__ = ["DEFAULT_RULES", "LANGUAGES", "Options", "build_datapackage"]

DEFAULT_RULES = "esf-2014"
"""The rule set of the indicator table when none is given (the engine's own default)."""

LANGUAGES = ("en", "ro")


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
    report: Report | None = None
    project: Project | None = None

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
    project: Project | None,
    participations: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | str | None = None,
    rules: Any = DEFAULT_RULES,
    lang: str = "en",
    suppress: int | None = None,
    license: str | None = None,
    report: Report | None = None,
) -> DataPackage:
    """Build the data package of ``project`` (and/or of an indicator ``report``) in memory.

    :param participations: the project's participation table (DataFrame or file path); with
        it, the progress is computed from the records and, unless ``report`` is given, the
        indicator report is computed once from it. Only this project's rows are accepted.
    :param as_of: the reporting date for progress and indicators.
    :param rules: the rule set of the indicator table (default ``"esf-2014"``).
    :param lang: ``"en"`` or ``"ro"``: the language of titles and of the progress names.
    :param suppress: a threshold: counts from 1 to ``suppress - 1`` (and what would give them
        away) are published empty, with ``suppressed`` true (``Report.suppress``).
    :param license: an SPDX-style licence id for the package (``"CC-BY-4.0"``).
    :param report: the indicator report (:class:`inclusionkit.Report`) to publish, computed
        beforehand; with ``project=None`` the package holds only its tables.
    :raises InclusionKitError: participations of other projects, duplicate ids the keys need,
        an unknown rule set or language.
    """
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if suppress is not None and (isinstance(suppress, bool) or not isinstance(suppress, int)):
        raise InclusionKitError(f"suppress must be a whole-number threshold, not {suppress!r}")
    if project is None and report is None:
        raise InclusionKitError("a data package needs a project, an indicator report or both")
    table = _participations(project, participations) if project is not None else None
    if report is None and table is not None:
        report = compute(table, rules, by=("gender",), as_of=as_of, project=project)
    tables: list[Table] = []
    if project is not None:
        tables.extend(
            project_tables(project, progress(project, table, as_of=as_of, lang=lang), lang, as_of)
        )
    if report is not None:
        tables.extend(_indicator_tables(report, suppress))
    for item in tables:
        _check_keys(item)
    return DataPackage(
        descriptor=_descriptor(project, report, tables, lang, as_of, license),
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
    project: Project | None,
    report: Report | None,
    tables: Sequence[Table],
    lang: str,
    as_of: dt.date | str | None,
    license: str | None,
) -> dict[str, Any]:
    from inclusionkit_datapackage import __version__

    resources = [table.descriptor(table.csv_bytes()) for table in tables]
    if project is not None:
        out: dict[str, Any] = {
            "profile": "tabular-data-package",
            "name": _slug(project.code),
            "title": project.title.in_language(lang),
            "description": _package_description(project, lang, report is not None),
            "keywords": ["ESF", "social inclusion", project.programme],
        }
    else:
        assert report is not None
        ruleset = report.ruleset
        out = {
            "profile": "tabular-data-package",
            "name": _slug(f"{ruleset.name}-indicators"),
            "title": f"{ruleset.title or ruleset.name}: indicator table",
            "description": (
                f"The {ruleset.name} indicators by {', '.join(report.breakdowns) or 'nothing'}, "
                "with the rule set's definitions. Aggregates only: no participant-level data."
            ),
            "keywords": ["ESF", "social inclusion", ruleset.name],
        }
    if license:
        out["licenses"] = [{"name": license}]
    if as_of is None and report is not None and report.provenance.as_of is not None:
        as_of = report.provenance.as_of
    out["inclusionkit"] = {
        "project_code": None if project is None else project.code,
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


# -- the indicator tables -------------------------------------------------------------------


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


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _indicator_tables(report: Report, suppress: int | None) -> list[Table]:
    """The rule set's definitions and the report's table (suppressed when asked)."""
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
        table = report.suppress(suppress).published
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
