"""Public helpers for testing code built on inclusionkit (plugins, reporting scripts).

- :func:`registered_plugin` registers a plugin (a module or an object with ``@hookimpl``
  functions) on a fresh plugin manager for one test; :func:`plugin_manager` builds such a
  manager (built-in formats only, no installed plugins).
- :func:`assert_round_trip` writes an object with an exporter, reads it back with an importer
  and asserts the two are equal.
- Hypothesis strategies that generate *valid* models, participation tables, progress tables and
  reports, so a plugin author can property-test a round trip in a few lines::

    from hypothesis import given
    from inclusionkit.testing import assert_round_trip, participation_tables

    @given(participation_tables())
    def test_my_format_round_trips(table):
        assert_round_trip(table, "myformat")

See ``docs/plugins/testing.md``. Requires ``hypothesis`` (``pip install inclusionkit[testing]``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from inclusionkit import _contract
from inclusionkit._formats import Exporter, Importer
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMNS
from inclusionkit._plugins import (
    PluginManager,
    build_plugin_manager,
    get_plugin_manager,
    use_plugin_manager,
)
from inclusionkit._report_data import ReportData
from inclusionkit.models import (
    ACTIVITY_KINDS,
    DELIVERABLE_KINDS,
    Achievement,
    Activity,
    Deliverable,
    Gender,
    Indicator,
    IndicatorKind,
    LabourStatus,
    Location,
    Objective,
    Organisation,
    OrganisationKind,
    Partner,
    PartnerRole,
    Period,
    Project,
    TargetGroup,
    Text,
    Unit,
)

__all__ = [
    "REPORT_PARTS",
    "activities",
    "assert_round_trip",
    "deliverables",
    "indicators",
    "organisations",
    "participation_tables",
    "plugin_manager",
    "progress_tables",
    "project_codes",
    "projects",
    "registered_plugin",
    "reports",
    "texts",
]

REPORT_PARTS: tuple[str, ...] = ("table", "excluded", "checks", "provenance")
"""The parts of a report :func:`assert_round_trip` compares unless told otherwise."""

REGION_CODES = ("RO11", "RO12", "RO21", "RO22", "RO31", "RO32", "RO41", "RO42")
_words = (
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ăâîșțĂÂÎȘȚ-"), min_size=1, max_size=30
    )
    .map(str.strip)
    .filter(bool)
)
_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,11}", fullmatch=True)
_dates = st.dates(min_value=dt.date(2007, 1, 1), max_value=dt.date(2030, 12, 31))
_amounts = st.integers(min_value=0, max_value=100_000).map(float)


def texts() -> st.SearchStrategy[Text]:
    """Bilingual texts (Romanian always, English sometimes)."""
    return st.builds(Text, ro=_words, en=st.none() | _words)


def project_codes() -> st.SearchStrategy[str]:
    """Valid POSDRU and POCU project codes and bare SMIS codes."""
    posdru = st.builds(
        lambda call, axis, area, kind, number: f"POSDRU/{call}/{axis}.{area}/{kind}/{number}",
        st.integers(1, 250),
        st.integers(1, 7),
        st.integers(1, 5),
        st.sampled_from("GS"),
        st.integers(10_000, 999_999),
    )
    pocu = st.builds(
        lambda call, axis, objective, smis: f"POCU/{call}/{axis}/{objective}/{smis}",
        st.integers(1, 999),
        st.integers(1, 7),
        st.integers(1, 16),
        st.integers(100_000, 999_999),
    )
    smis = st.integers(100_000, 999_999).map(str)
    return st.one_of(posdru, pocu, smis)


def organisations(ids: st.SearchStrategy[str] = _ids) -> st.SearchStrategy[Organisation]:
    """Organisations of every kind, supported directly by the operation, not, or undeclared."""
    return st.builds(
        Organisation,
        id=ids,
        name=_words,
        kind=st.sampled_from(OrganisationKind),
        name_en=st.none() | _words,
        city=st.none() | st.sampled_from(["Timișoara", "Iași", "București", "Cluj-Napoca"]),
        country=st.sampled_from(["RO", "BE", "FR"]),
        tags=st.lists(_words, max_size=2).map(tuple),
        supported=st.none() | st.booleans(),
    )


def indicators(code: st.SearchStrategy[str] = _ids) -> st.SearchStrategy[Indicator]:
    """Indicators with targets, optional milestones, rules and reported values."""
    rule = st.none() | st.sampled_from(
        [
            {"population": "activities", "aggregate": {"function": "count"}},
            {
                "population": "activities",
                "filter": {"in": ["kind", ["consultancy", "mentoring"]]},
                "aggregate": {"function": "sum", "column": "hours"},
            },
            {
                "population": "participations",
                "filter": {"is_true": "minority"},
                "aggregate": {"function": "count_distinct", "column": "participant_id"},
            },
        ]
    )
    achieved = st.none() | st.builds(Achievement, value=_amounts, date=_dates, source=_words)
    return st.builds(
        Indicator,
        code=code,
        name=texts(),
        unit=st.sampled_from(Unit),
        kind=st.sampled_from(IndicatorKind),
        target=_amounts,
        baseline=_amounts,
        milestone=st.none() | _amounts,
        ascending=st.booleans(),
        rule=rule,
        achieved=achieved,
    )


def activities(partner_ids: list[str], org_ids: list[str]) -> st.SearchStrategy[Activity]:
    """Activities whose partner and served organisations are among the given ids."""

    @st.composite
    def build(draw: st.DrawFn) -> Activity:
        start = draw(_dates)
        end = draw(st.none() | st.integers(0, 400).map(lambda d: start + dt.timedelta(days=d)))
        return Activity(
            id=draw(_ids),
            kind=draw(st.sampled_from(ACTIVITY_KINDS)),
            start=start,
            end=end,
            title=draw(st.none() | texts()),
            city=draw(st.none() | st.sampled_from(["Arad", "Oradea", "Sibiu"])),
            hours=draw(st.none() | _amounts),
            attendance=draw(st.none() | st.integers(0, 500)),
            partner=draw(st.none() | st.sampled_from(partner_ids)),
            organisations=tuple(draw(st.lists(st.sampled_from(org_ids), max_size=3))),
            participants=tuple(draw(st.lists(_ids, max_size=3))),
        )

    return build()


def deliverables(partner_ids: list[str]) -> st.SearchStrategy[Deliverable]:
    """Deliverables whose partner is among the given ids."""
    return st.builds(
        Deliverable,
        id=_ids,
        kind=st.sampled_from(DELIVERABLE_KINDS),
        date=_dates,
        title=st.none() | texts(),
        city=st.none() | st.sampled_from(["Brașov", "Iași"]),
        partner=st.none() | st.sampled_from(partner_ids),
    )


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """Valid projects: one lead partner, unique organisation and indicator ids, valid references."""
    ids = draw(st.lists(_ids, min_size=1, max_size=8, unique=True))
    n_partners = draw(st.integers(1, len(ids)))
    partner_ids, other_ids = ids[:n_partners], ids[n_partners:]
    roles = [PartnerRole.LEAD] + [
        draw(st.sampled_from([PartnerRole.PARTNER, PartnerRole.ASSOCIATE, PartnerRole.FUNDER]))
        for _ in partner_ids[1:]
    ]
    partners = tuple(
        Partner(organisation=draw(organisations(st.just(org_id))), role=role)
        for org_id, role in zip(partner_ids, roles, strict=True)
    )
    others = tuple(draw(organisations(st.just(org_id))) for org_id in other_ids)
    codes = draw(st.lists(_ids, max_size=6, unique=True))
    objectives = []
    for number, chunk in enumerate(_chunks(codes), start=1):
        objectives.append(
            Objective(
                id=f"O{number}",
                title=draw(texts()),
                indicators=tuple(draw(indicators(st.just(code))) for code in chunk),
            )
        )
    start = draw(_dates)
    end = draw(st.none() | st.integers(0, 2000).map(lambda d: start + dt.timedelta(days=d)))
    return Project(
        code=draw(project_codes()),
        title=draw(texts()),
        programme=draw(st.sampled_from(["POSDRU 2007-2013", "POCU 2014-2020", "PEO 2021-2027"])),
        period=Period(start=start, end=end),
        partners=partners,
        locations=tuple(
            draw(st.lists(st.builds(Location, region=st.sampled_from(REGION_CODES)), max_size=3))
        ),
        objectives=tuple(objectives),
        target_groups=tuple(
            draw(
                st.lists(
                    st.builds(
                        TargetGroup,
                        id=_ids,
                        name=texts(),
                        size=st.none() | st.integers(0, 5000),
                        unit=st.sampled_from(Unit),
                    ),
                    max_size=2,
                )
            )
        ),
        # Record ids are unique within a project (load_project checks it).
        activities=tuple(
            draw(st.lists(activities(partner_ids, list(ids)), max_size=4, unique_by=_record_id))
        ),
        deliverables=tuple(
            draw(st.lists(deliverables(partner_ids), max_size=3, unique_by=_record_id))
        ),
        organisations=others,
        description=draw(st.none() | texts()),
        notes=tuple(draw(st.lists(_words, max_size=2))),
    )


def _record_id(record: Activity | Deliverable) -> str:
    return record.id


def _chunks(codes: list[str]) -> list[list[str]]:
    return [codes[i : i + 2] for i in range(0, len(codes), 2)]


@st.composite
def participation_tables(draw: st.DrawFn, min_rows: int = 0, max_rows: int = 30) -> pd.DataFrame:
    """Canonical participation tables with plausible, sometimes missing, values."""
    n = draw(st.integers(min_rows, max_rows))
    rows: list[dict[str, Any]] = []
    for i in range(n):
        entry = draw(st.dates(dt.date(2014, 1, 1), dt.date(2023, 12, 31)))
        birth = entry - dt.timedelta(days=draw(st.integers(15 * 366, 70 * 365)))
        days = draw(st.none() | st.integers(0, 900))
        exit_ = None if days is None else entry + dt.timedelta(days=days)
        row: dict[str, Any] = {
            "participant_id": f"P{draw(st.integers(0, max(1, n // 2))):05d}",
            "project_code": draw(
                st.sampled_from(["POCU/449/4/16/127700", "POSDRU/165/6.2/S/143094"])
            ),
            "gender": draw(st.sampled_from([*Gender, None])),
            "birth_date": draw(st.sampled_from([birth, None]) if i % 7 == 3 else st.just(birth)),
            "entry_date": entry,
            "exit_date": exit_,
            "labour_status": draw(st.sampled_from([*LabourStatus, None])),
            "isced": draw(st.none() | st.integers(0, 8)),
            "region": draw(st.none() | st.sampled_from(REGION_CODES)),
            "partner": draw(st.none() | st.sampled_from(["lead", "p1"])),
        }
        for column in COLUMNS:
            if column.kind == "bool":
                row[column.name] = draw(st.sampled_from([True, False, None]))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[c.name for c in COLUMNS])
    for column in COLUMNS:
        if column.kind == "date":
            frame[column.name] = pd.to_datetime(frame[column.name])
    return frame.astype(_contract.DTYPES)


_STATUSES = ("not started", "behind", "met", "exceeded")


@st.composite
def progress_tables(draw: st.DrawFn, min_rows: int = 0, max_rows: int = 12) -> pd.DataFrame:
    """Progress tables shaped like :func:`inclusionkit.progress` returns (columns and dtypes)."""
    from inclusionkit.default_plugins import PROGRESS_DTYPES

    n = draw(st.integers(min_rows, max_rows))
    codes = draw(st.lists(_ids, min_size=n, max_size=n, unique=True))
    numbers = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
    rows = [
        {
            "objective": f"O{draw(st.integers(1, 3))}",
            "indicator": code,
            "name": draw(_words),
            "unit": str(draw(st.sampled_from(Unit))),
            "kind": str(draw(st.sampled_from(IndicatorKind))),
            "baseline": draw(numbers),
            "target": draw(numbers),
            "milestone": draw(st.none() | numbers),
            "achieved": draw(st.none() | numbers),
            "percent": draw(st.none() | st.floats(-100, 1000, allow_nan=False).map(_round1)),
            "status": draw(st.sampled_from(_STATUSES)),
            "source": draw(st.sampled_from(["computed", "reported", "none"])),
        }
        for code in codes
    ]
    frame = pd.DataFrame(rows, columns=list(PROGRESS_DTYPES))
    return frame.astype(PROGRESS_DTYPES)


def _round1(value: float) -> float:
    return round(value, 1)


@st.composite
def reports(draw: st.DrawFn, by: tuple[str, ...] = ("gender",)) -> ReportData:
    """Reports as data, shaped like the indicator engine's: a tidy ``table`` (``indicator``, the
    ``by`` breakdowns with a ``total`` row, ``value``), ``excluded`` and ``checks`` tables, and a
    JSON-compatible ``provenance``.

    For exporters of reports, which rely only on these four attributes. Text columns are
    ``string`` (missing = ``<NA>``); ``value`` is ``int64`` (counts) or ``float64`` (sums).
    """
    codes = draw(st.lists(st.sampled_from(["CO01", "CO02", "CO05", "CO14", "CR03"]), unique=True))
    integral = draw(st.booleans())
    amounts = st.integers(0, 100_000) if integral else _amounts | st.just(0.5)
    labels = {"gender": ["female", "male", "non_binary"], "region": list(REGION_CODES[:3])}
    rows: list[dict[str, Any]] = []
    for code in codes:
        for column in by:
            for label in [*labels.get(column, ["a", "b"]), "total"]:
                rows.append({"indicator": code, column: label, "value": draw(amounts)})
    text = dict.fromkeys(["indicator", *by], "string")
    table = pd.DataFrame(rows, columns=["indicator", *by, "value"]).astype(
        {**text, "value": "int64" if integral else "float64"}
    )
    n_excluded = draw(st.integers(0, 3))
    excluded = pd.DataFrame(
        {
            "participant_id": [f"P{i:05d}" for i in range(n_excluded)],
            "row": list(range(n_excluded)),
            "reason": ["incomplete"] * n_excluded,
            "message": [draw(_words) for _ in range(n_excluded)],
        }
    ).astype({"participant_id": "string", "row": "int64", "reason": "string", "message": "string"})
    checks = pd.DataFrame(
        {
            "check": ["total_by_status"],
            "indicator": [draw(st.none() | st.sampled_from(codes or ["CO01"]))],
            "left": [draw(st.integers(0, 50))],
            "right": [draw(st.integers(0, 50))],
        }
    ).astype({"check": "string", "indicator": "string", "left": "int64", "right": "int64"})
    checks["passed"] = checks["left"] == checks["right"]
    provenance = {
        "ruleset": "esf-2014",
        "ruleset_version": "2014.1",
        "as_of": draw(st.none() | _dates.map(dt.date.isoformat)),
        "by": list(by),
        "input_rows": draw(st.integers(0, 10_000)),
        "not_computed": draw(st.lists(st.sampled_from(["CO20", "CO22", "CO23"]), unique=True)),
    }
    return ReportData(table=table, excluded=excluded, checks=checks, provenance=provenance)


# -- plugins ---------------------------------------------------------------------------------


def plugin_manager(*, builtins: bool = True) -> PluginManager:
    """A fresh plugin manager with the built-in formats and no installed plugins.

    Tests use it so the plugins installed on the machine cannot change their outcome.
    """
    return build_plugin_manager(entry_points=False, builtins=builtins, blocked=())


@contextlib.contextmanager
def registered_plugin(
    plugin: Any, name: str | None = None, *, fresh: bool = True
) -> Iterator[PluginManager]:
    """Register ``plugin`` for the length of a ``with`` block; yield the plugin manager.

    :param plugin: a module or an object whose ``@hookimpl`` functions implement hooks (a class
        instance works; give the class a ``__name__`` or pass ``name``).
    :param name: the plugin's name (what clash messages and ``plugin`` fields show).
    :param fresh: ``True`` (the default) registers on a new :func:`plugin_manager` that
        :func:`inclusionkit.read` / :func:`inclusionkit.write` use inside the block; ``False``
        registers on the current manager.

    A hook name that is not an inclusionkit hook raises :class:`~inclusionkit.PluginError` at
    once. The plugin is unregistered when the block ends, even if the test fails.
    """
    pm = plugin_manager() if fresh else get_plugin_manager()
    registered = pm.add_plugin(plugin, name)
    try:
        with use_plugin_manager(pm):
            yield pm
    finally:
        pm.unregister(name=registered)


def assert_round_trip(
    obj: Any,
    exporter_or_format: Exporter | str,
    importer_or_format: Importer | str | None = None,
    kind: str | None = None,
    *,
    parts: Iterable[str] = REPORT_PARTS,
    write_options: Mapping[str, Any] | None = None,
    read_options: Mapping[str, Any] | None = None,
    check_dtype: bool = True,
) -> Any:
    """Write ``obj``, read it back and assert the result equals ``obj``; return what was read.

    :param exporter_or_format: an :class:`~inclusionkit.Exporter` or a registered format name.
    :param importer_or_format: an :class:`~inclusionkit.Importer` or a format name; by default
        the importer of the same name as the exporter.
    :param kind: what ``obj`` is; inferred by default.
    :param parts: for reports, which of ``table``, ``excluded``, ``checks``, ``provenance`` the
        format keeps (a CSV keeps only the ``table``).
    :param check_dtype: compare DataFrame dtypes too.

    A report is compared with what exporters publish of it (:meth:`ReportData.for_export`: the
    excluded rows as counts by reason unless ``write_options`` has ``include_excluded_ids``).

    DataFrames are compared with :func:`pandas.testing.assert_frame_equal`; reports part by
    part; anything else with ``==``.
    """
    from inclusionkit._io import infer_kind, read_with, write_with

    pm = get_plugin_manager()
    exporter = (
        exporter_or_format
        if isinstance(exporter_or_format, Exporter)
        else pm.find_exporter(exporter_or_format, None, None)
    )
    if importer_or_format is None:
        importer_or_format = exporter.name
    importer = (
        importer_or_format
        if isinstance(importer_or_format, Importer)
        else pm.find_importer(importer_or_format, None, None)
    )
    kind = kind or infer_kind(obj)
    suffix = exporter.extensions[0] if exporter.extensions else ""
    with tempfile.TemporaryDirectory(prefix="inclusionkit-test-") as folder:
        path = Path(folder) / f"round-trip{suffix}"
        write_with(exporter, obj, path, kind=kind, **dict(write_options or {}))
        back = read_with(importer, os.fspath(path), kind=kind, **dict(read_options or {}))
    if kind == "report":
        # A report file carries what the exporter publishes (excluded: counts by reason).
        obj = ReportData.for_export(obj, write_options)
    _assert_equal(back, obj, kind=kind, parts=tuple(parts), check_dtype=check_dtype)
    return back


def _assert_equal(
    back: Any, original: Any, *, kind: str, parts: tuple[str, ...], check_dtype: bool
) -> None:
    if kind == "report":
        got, want = ReportData.from_report(back), ReportData.from_report(original)
        for part in parts:
            if part == "provenance":
                assert got.provenance == want.provenance, (
                    f"provenance differs: {got.provenance!r} != {want.provenance!r}"
                )
            else:
                pd.testing.assert_frame_equal(
                    getattr(got, part), getattr(want, part), check_dtype=check_dtype, obj=part
                )
        return
    if isinstance(original, pd.DataFrame):
        assert isinstance(back, pd.DataFrame), f"read back a {type(back).__name__}, not a DataFrame"
        pd.testing.assert_frame_equal(back, original, check_dtype=check_dtype)
        return
    assert back == original, f"read back {back!r}, wrote {original!r}"
