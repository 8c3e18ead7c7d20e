"""The register: a database of every partner's participation rows, every import and change.

A register is an SQLite file (by default) or a PostgreSQL database (by URL). Its schema belongs
to SQLAlchemy Core and Alembic (:mod:`inclusionkit._register._schema`, ``migrations``); its data
travels in Arrow through the ADBC drivers (``adbc_ingest`` is a bulk insert on SQLite and a
``COPY`` on PostgreSQL), never row by row through Python.

An import (:meth:`Register.import_table`) reads the file through the one ingestion pipeline
(:func:`inclusionkit._rejected.read_with_rejections`: accepted plus rejected rows are the rows
of the file), compares the accepted rows with the partner's rows in the register, vectorised,
and writes what changed in ONE transaction: the register after a crash is the register before.
Imports are serialised (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import importlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._atomic import note_input
from inclusionkit._errors import InclusionKitError, Problem
from inclusionkit._fingerprints import FingerprintsAhead
from inclusionkit._formats import REGISTER_SUFFIXES, REGISTER_URLS
from inclusionkit._i18n import translate
from inclusionkit._ingest import RawTable, run
from inclusionkit._pandas import pd
from inclusionkit._participations import COLUMN_NAMES, COLUMNS, from_arrow
from inclusionkit._register._schema import KEY, KEY_INDEX

__all__ = [
    "REGISTER_SUFFIXES",
    "ImportResult",
    "Register",
    "ReportDiff",
    "init_register",
    "is_register",
    "open_register",
    "period_end",
]


_SQLITE_PREFIX = "sqlite:///"
_POSTGRES_PREFIXES = tuple(url for url in REGISTER_URLS if url != _SQLITE_PREFIX)
_LOCK_KEY = 0x1C1_0517  # the PostgreSQL advisory lock serialising imports
_SQLITE_CACHE_KIB = 256 * 1024
_BATCH_ROWS = {"adbc.sqlite.query.batch_rows": str(2**30)}
Mode = Literal["update", "full"]
_ARROW_KINDS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "int": pa.int16(),
}
_DATA_COLUMNS = tuple(name for name in COLUMN_NAMES if name not in KEY)
_ADDED = ("added_import", "added_row")
"""The columns of a participation row that are its history's ``added`` entry."""
_KIND = {c.name: c.kind for c in COLUMNS}
_HISTORY_ORDER = (
    " ORDER BY c.import_id, CASE WHEN c.row IS NULL THEN 1 ELSE 0 END, c.row,"
    " c.participant_id, c.entry_date, c.field"
)


def is_register(source: object) -> bool:
    """Whether ``source`` names a register: a PostgreSQL or SQLite URL, or a ``.db`` file."""
    if isinstance(source, str) and source.startswith((*_POSTGRES_PREFIXES, _SQLITE_PREFIX)):
        return True
    if isinstance(source, str | os.PathLike):
        return Path(source).suffix.lower() in REGISTER_SUFFIXES
    return False


@attrs.frozen
class _Location:
    """Where a register is: its dialect, the URLs for SQLAlchemy and ADBC, a name to show."""

    dialect: Literal["sqlite", "postgresql"]
    sqlalchemy_url: str
    adbc_uri: str
    name: str
    path: Path | None = None


def _locate(target: str | os.PathLike[str]) -> _Location:
    text = os.fspath(target)
    if text.startswith(_POSTGRES_PREFIXES):
        import sqlalchemy as sa

        rest = text.split("://", 1)[1]
        try:
            shown = sa.engine.make_url(f"postgresql://{rest}").render_as_string(hide_password=True)
        except sa.exc.ArgumentError as exc:
            raise InclusionKitError(
                translate("not a PostgreSQL URL: {reason}").format(reason=exc)
            ) from None
        return _Location(
            dialect="postgresql",
            sqlalchemy_url=f"postgresql+psycopg://{rest}",
            adbc_uri=f"postgresql://{rest}",
            name=shown,
        )
    path = Path(text.removeprefix(_SQLITE_PREFIX)).absolute()
    note_input(path)  # an output of a command never overwrites the register it opened
    return _Location(
        dialect="sqlite",
        sqlalchemy_url=f"sqlite:///{path}",
        adbc_uri=str(path),
        name=text,
        path=path,
    )


@attrs.frozen(kw_only=True, eq=False)
class ImportResult:
    """What one import did.

    ``rows`` is the number of rows in the file: ``accepted + rejected``; of the accepted rows'
    keys, ``added`` were new, ``updated`` changed (or came back after a withdrawal) and
    ``unchanged`` did not; ``superseded`` accepted rows repeated a key a later row of the same
    file has (the later one counts). ``incomplete`` of the rejected rows are kept in the register
    all the same: their key is there and their only problems make them incomplete, so the
    contract counts them in ``GRAND_TOTAL`` (as a report of the file does). ``withdrawn`` rows of
    the partner were missing from a ``full`` import; ``withdrawn_rows`` lists their keys.
    ``rejected_rows`` and ``problems`` are those of
    :func:`inclusionkit._rejected.read_with_rejections`, as ``validate --rejected`` reports them.
    """

    import_id: int
    source: str
    partner: str
    mode: str
    rows: int
    accepted: int
    added: int
    updated: int
    unchanged: int
    superseded: int
    withdrawn: int
    incomplete: int
    rejected_rows: pd.DataFrame
    withdrawn_rows: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def rejected(self) -> int:
        """The number of rejected rows."""
        return len(self.rejected_rows)

    def summary(self, lang: str | None = None) -> str:
        """One line: the counts, in ``lang`` (default: the run's language)."""
        text = translate(
            "{source}: import {id} ({partner}, {mode}): {rows} rows: {added} added, {updated} "
            "updated, {unchanged} unchanged, {rejected} rejected, {withdrawn} withdrawn",
            lang,
        ).format(
            source=self.source,
            id=self.import_id,
            partner=self.partner,
            mode=translate(self.mode, lang, context="cell"),
            rows=self.rows,
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected,
            withdrawn=self.withdrawn,
        )
        if self.incomplete:
            text += translate(
                "; {count} rejected row(s) kept as incomplete (counted in GRAND_TOTAL only)", lang
            ).format(count=self.incomplete)
        if self.superseded:
            text += translate(
                "; {count} row(s) repeated a key a later row of the file has", lang
            ).format(count=self.superseded)
        return text


@attrs.frozen(kw_only=True, eq=False)
class ReportDiff:
    """What changed in a submitted report: ``figures`` (indicator, breakdowns, ``submitted``,
    ``now``) that differ today, and the recorded ``changes`` (the history, by import and field)
    made since the report was submitted; with the two data fingerprints."""

    period: str
    figures: pd.DataFrame
    changes: pd.DataFrame
    fingerprint_submitted: str
    fingerprint_now: str

    @property
    def unchanged(self) -> bool:
        """Whether every figure is as submitted."""
        return len(self.figures) == 0

    def summary(self, lang: str | None = None) -> str:
        """One line: how many figures and recorded changes differ, in ``lang`` (default: the
        run's language)."""
        same = self.fingerprint_submitted == self.fingerprint_now
        data = translate("same data", lang) if same else translate("data changed", lang)
        return translate(
            "{period}: {figures} figure(s) changed since submitted; {changes} recorded "
            "change(s) since ({data})",
            lang,
        ).format(
            period=self.period, figures=len(self.figures), changes=len(self.changes), data=data
        )


class Register:
    """An open register; see :func:`open_register`. Use it as a context manager, or ``close``."""

    def __init__(self, location: _Location) -> None:
        self._location = location
        self._engine: Any = None
        self.migrations_run: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The register's path or URL (without its password)."""
        return self._location.name

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._location.dialect

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- connections ---------------------------------------------------------------------------

    def _sqlalchemy(self) -> Any:
        if self._engine is None:
            import sqlalchemy as sa

            self._engine = sa.create_engine(self._location.sqlalchemy_url, poolclass=sa.NullPool)
        return self._engine

    @contextmanager
    def _adbc(self) -> Iterator[Any]:
        """An ADBC connection in autocommit mode (transactions are begun explicitly)."""
        try:
            driver = importlib.import_module(f"adbc_driver_{self.dialect}.dbapi")
            connection = driver.connect(self._location.adbc_uri, autocommit=True)
        except Exception as exc:  # the drivers raise their own DatabaseError/OperationalError
            raise InclusionKitError(
                translate("{name}: cannot connect: {reason}").format(name=self.name, reason=exc)
            ) from None
        try:
            if self.dialect == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 600000")
                    # A page cache that holds the key index of a large import (pages are only
                    # allocated as used): inserting a million keys then never reads from disk.
                    cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A cursor inside one write transaction, serialised with every other import."""
        with self._adbc() as connection, connection.cursor() as cursor:
            if self.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
                cursor.fetchall()
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def _fetch(self, cursor: Any, sql: str, *params: Any) -> pa.Table:
        """Run a query and return its result as one Arrow table."""
        if self.dialect == "sqlite":
            # Type inference looks at the first batch: make it the whole result.
            cursor.adbc_statement.set_options(**_BATCH_ROWS)
        else:
            for number in range(len(params), 0, -1):
                sql = sql.replace(f"?{number}", f"${number}")
        cursor.execute(sql, params or None)
        table: pa.Table = cursor.fetch_arrow_table()
        return table

    def query(self, sql: str, *params: Any) -> pd.DataFrame:
        """Run a read-only SQL query (parameters as ``?1``, ``?2`` …) and return a DataFrame."""
        with self._adbc() as connection, connection.cursor() as cursor:
            return self._fetch(cursor, sql, *params).to_pandas()

    # -- reading -------------------------------------------------------------------------------

    def participations(
        self,
        *,
        include_withdrawn: bool = False,
        include_incomplete: bool = True,
        keep_identifiers: bool = False,
    ) -> pd.DataFrame:
        """The register's participation table (canonical columns and dtypes), every partner.

        Withdrawn rows are left out unless ``include_withdrawn``; the incomplete rows an import
        rejected but kept (the contract counts them in ``GRAND_TOTAL``) come unless not
        ``include_incomplete``. With ``keep_identifiers`` the identifier columns stored by
        ``import_table(..., keep_identifiers=True)`` come too.
        """
        if not include_withdrawn and include_incomplete and not keep_identifiers:
            # What a report reads: the table as the last import left it (its snapshot).
            return from_arrow(self.counted_arrow().drop_columns("row_id"), source=self.name)
        columns = ["row_id", *COLUMN_NAMES, "withdrawn"]
        if keep_identifiers:
            columns.append("identifiers")
        conditions = [
            *(() if include_withdrawn else ("NOT withdrawn",)),
            *(() if include_incomplete else ("problems IS NULL",)),
        ]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._adbc() as connection, connection.cursor() as cursor:
            table = _by_row_id(
                self._fetch(cursor, f"SELECT {', '.join(columns)} FROM participations{where}")
            )
        frame = from_arrow(table.select(list(COLUMN_NAMES)), source=self.name)
        if include_withdrawn:
            frame["withdrawn"] = table.column("withdrawn").to_pandas().astype(bool).to_numpy()
        if keep_identifiers:
            frame = _with_identifiers(frame, table.column("identifiers").to_pandas())
        return frame

    def counted_arrow(
        self, *, snapshot: bool = True, columns: Sequence[str] = COLUMN_NAMES
    ) -> pa.Table:
        """The rows a report counts (not withdrawn; the incomplete ones kept included) as one
        Arrow table: ``row_id`` and the canonical ``columns`` (by default all of them; a
        projection reads only those), in the order they were first imported.

        Each import stores this table, as Parquet, in the same transaction (the ``snapshot``
        table), so a report reads one value instead of every row; when the last write to the
        register was not an import (a retention run, a register of an older version), the rows
        are read from ``participations`` (also with ``snapshot=False``).
        """
        with self._adbc() as connection, connection.cursor() as cursor:
            stored = self._snapshot(cursor, columns) if snapshot else None
            if stored is not None:
                return stored
            return self._counted_rows(cursor, columns=columns)

    def _snapshot(self, cursor: Any, columns: Sequence[str] = COLUMN_NAMES) -> pa.Table | None:
        """The stored snapshot (``row_id`` and ``columns``), if the last write to the register
        was the import that made it."""
        import pyarrow.parquet as pq

        found = self._fetch(
            cursor,
            "SELECT data FROM snapshot WHERE import_id = "
            "(SELECT COALESCE(MAX(id), 0) FROM imports)",
        )
        if not found.num_rows:
            return None
        data = pa.BufferReader(found.column("data")[0].as_buffer())
        table: pa.Table = pq.read_table(data, columns=["row_id", *_canonical(columns)])
        return table

    def _counted_rows(
        self,
        cursor: Any,
        *,
        but_partner: str | None = None,
        columns: Sequence[str] = COLUMN_NAMES,
    ) -> pa.Table:
        """The rows a report counts, read from ``participations`` (``but_partner``'s left out),
        in the snapshot's types: ``row_id`` and ``columns``, the only ones the query selects."""
        where = "NOT withdrawn"
        params: tuple[str, ...] = ()
        if but_partner is not None:
            where += " AND partner <> ?1"
            params = (but_partner,)
        names = _canonical(columns)
        selected = ", ".join(["row_id", *names])
        table = self._fetch(cursor, f"SELECT {selected} FROM participations WHERE {where}", *params)
        # Typed as a projection: the columns not selected are named unread, never missing.
        raw = RawTable(
            table=table.select(names),
            source=self.name,
            unread=tuple(name for name in COLUMN_NAMES if name not in names),
        )
        frame = run(raw, mapping=None, columns=names)
        frame.insert(0, "row_id", table.column("row_id").to_numpy().astype(np.int64))
        return _by_row_id(_snapshot_arrow(frame, names))

    def _store_snapshot(
        self, cursor: Any, import_id: int, partner: str, partner_rows: pd.DataFrame
    ) -> None:
        """Store the table a report counts after import ``import_id``: the other partners' rows
        (from the previous snapshot, else from ``participations``) and ``partner_rows``."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        previous = self._snapshot(cursor)
        if previous is None:
            others = self._counted_rows(cursor, but_partner=partner)
        else:
            keep = pc.invert(pc.fill_null(pc.equal(previous.column("partner"), partner), False))
            others = previous.filter(keep)
        table = _by_row_id(pa.concat_tables([others, _snapshot_arrow(partner_rows)]))
        sink = pa.BufferOutputStream()
        # Read whole, never filtered: no column statistics (a tenth of the writing).
        pq.write_table(table, sink, compression="lz4", write_statistics=False)
        cursor.execute("DELETE FROM snapshot")
        data = pa.table(
            {
                "import_id": pa.array([import_id], pa.int64()),
                "rows": pa.array([table.num_rows], pa.int64()),
                "data": pa.array([sink.getvalue().to_pybytes()], pa.binary()),
            }
        )
        _ingest(cursor, "snapshot", data)

    def imports(self) -> pd.DataFrame:
        """The import log: one row per import (id, time, user, source, sha256, partner, mode and
        the counts), oldest first."""
        frame = self.query("SELECT * FROM imports ORDER BY id")
        return frame.rename(columns={"username": "user"})

    def history(self, participant_id: str | None = None) -> pd.DataFrame:
        """Every recorded change (of one participant if given), in order: the import (id, time,
        user, source, sha256), the row of its file, the key, the change (added, updated,
        withdrawn, restored), the field and its old and new value (as text)."""
        where = ""
        params: tuple[str, ...] = ()
        if participant_id is not None:
            where, params = " AND participant_id = ?1", (participant_id,)
        key = ", ".join(KEY)
        # An addition's entry is kept on the row it added (``added_import``, ``added_row``).
        sql = (
            "SELECT c.import_id, i.time, i.username AS user, i.source, i.sha256, c.row, "
            "c.project_code, c.participant_id, c.entry_date, c.partner, c.change, c.field, "
            f'c.old, c.new FROM (SELECT import_id, "row", {key}, change, field, old, new '
            f"FROM changes WHERE TRUE{where} UNION ALL "
            f"SELECT added_import, added_row, {key}, 'added', NULL, NULL, NULL "
            f"FROM participations WHERE added_import IS NOT NULL{where}) c "
            "JOIN imports i ON i.id = c.import_id"
        )
        frame = self.query(sql + _HISTORY_ORDER, *params)
        frame["entry_date"] = pd.to_datetime(frame["entry_date"]).dt.strftime("%Y-%m-%d")
        return frame

    def setting(self, key: str) -> str | None:
        """A stored setting (``project``: the project's JSON document), or ``None``."""
        import sqlalchemy as sa

        from inclusionkit._register._schema import settings

        with self._sqlalchemy().connect() as connection:
            value = connection.execute(
                sa.select(settings.c.value).where(settings.c.key == key)
            ).scalar()
        return None if value is None else str(value)

    def project(self) -> Any:
        """The project stored by ``init`` (a :class:`~inclusionkit.Project`), or ``None``."""
        from inclusionkit._project_io import load_project

        text = self.setting("project")
        return None if text is None else load_project(json.loads(text))

    def export(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the register's (not withdrawn) participations with :func:`inclusionkit.write`."""
        from inclusionkit._io import write

        write(self.participations(), path, format=format, kind="participations")

    # -- retention -----------------------------------------------------------------------------

    def retention(
        self, *, until: dt.date, years: int | None = None, user: str | None = None
    ) -> Any:
        """Apply the retention period: the rows (withdrawn ones too) of every project whose
        retention ended by ``until`` are deleted, with their history (old values are personal
        data too), in one transaction logged as a ``retention`` entry of the import log.

        The project's end is the stored project's (else the latest date in the data, see
        :func:`inclusionkit.retention`). Returns the :class:`~inclusionkit.RetentionResult`:
        ``anonymised`` holds the deleted rows in anonymised form, to keep instead (export them).
        """
        from inclusionkit._privacy import retention
        from inclusionkit._privacy._retention import DEFAULT_RETENTION_YEARS

        project = self.project()
        end = None if project is None or project.period is None else project.period.end
        frame = self.participations(include_withdrawn=True).drop(columns="withdrawn")
        result = retention(
            frame,
            until=until,
            years=DEFAULT_RETENTION_YEARS if years is None else years,
            project_end=end,
        )
        if result.expired.empty:
            return result
        codes = sorted(set(result.expired["project_code"].dropna().astype(str)))
        marks = ", ".join(f"?{number}" for number in range(1, len(codes) + 1))
        if self.dialect == "postgresql":
            marks = ", ".join(f"${number}" for number in range(1, len(codes) + 1))
        with self._transaction() as cursor:
            import_id = self._fetch(cursor, "SELECT COALESCE(MAX(id), 0) AS m FROM imports")
            for table in ("changes", "participations"):
                cursor.execute(f"DELETE FROM {table} WHERE project_code IN ({marks})", codes)
            log = {
                "id": int(import_id.column("m")[0].as_py()) + 1,
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "username": user or _os_user(),
                "source": f"retention until {until.isoformat()}",
                "sha256": "",
                "partner": "",
                "mode": "retention",
                "rows": int(result.expired["rows"].sum()),
                **dict.fromkeys(("added", "updated", "unchanged", "rejected", "withdrawn"), 0),
            }
            _ingest(cursor, "imports", pa.Table.from_pylist([log]))
        return result

    # -- submitted reports ---------------------------------------------------------------------

    def fingerprint(self) -> str:
        """SHA-256 of the register's counted participations (every cell, in order)."""
        frame = self.participations()
        hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
        digest = hashlib.sha256(",".join(frame.columns).encode())
        digest.update(hashes.tobytes())
        return digest.hexdigest()

    def submit(
        self,
        period: str,
        *,
        rules: str = "esf-2014",
        by: str | Sequence[str] = ("gender",),
        user: str | None = None,
    ) -> Any:
        """Compute the report of ``period`` (``2015-Q1``, ``2015-03`` or ``2015``: counted up to
        its last day) with the stored project, and store it, frozen, with the fingerprint of
        the data it came from and the last import it includes. Returns the
        :class:`~inclusionkit.Report`.

        :raises InclusionKitError: that period was submitted already (a submitted report is
            never replaced), the period is not understood, or a breakdown has more distinct
            values than the ``breakdown`` limit (``INCLUSIONKIT_MAX_BREAKDOWN_VALUES``).
        """
        from inclusionkit._rules import compute

        as_of = period_end(period)
        breakdowns = [by] if isinstance(by, str) else list(by)
        if self._submitted_row(period) is not None:
            raise InclusionKitError(
                translate(
                    "{name}: the report for {period} was submitted already; it is frozen (see "
                    "`inclusionkit register diff` for what changed since)"
                ).format(name=self.name, period=period)
            )
        frame = self.participations()
        from inclusionkit._privacy._breakdowns import check_breakdown_values

        check_breakdown_values(frame, breakdowns)  # the breakdown limit, as `report` checks it
        report = compute(frame, rules=rules, by=breakdowns, as_of=as_of, project=self.project())
        row = pd.DataFrame(
            {
                "period": [period],
                "time": [dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
                "username": [user or _os_user()],
                "rules": [json.dumps({"rules": rules, "by": breakdowns})],
                "as_of": [as_of.isoformat()],
                "import_id": [self._last_import()],
                "fingerprint": [self.fingerprint()],
                "report": [_report_json(report)],
            }
        )
        with self._transaction() as cursor:
            _ingest(cursor, "reports", pa.Table.from_pandas(row, preserve_index=False))
        return report

    def submitted(self) -> pd.DataFrame:
        """The submitted reports: period, time, user, rules, as_of, last import, fingerprint."""
        return self.query(
            "SELECT period, time, username AS user, rules, as_of, import_id, fingerprint "
            "FROM reports ORDER BY time, period"
        )

    def submitted_report(self, period: str) -> Any:
        """The report of ``period`` as it was submitted (a :class:`~inclusionkit.Report`)."""
        row = self._submitted_row(period)
        if row is None:
            raise InclusionKitError(
                translate("{name}: no report was submitted for {period}").format(
                    name=self.name, period=period
                )
            )
        return _report_from_json(str(row["report"]))

    def diff(self, period: str) -> ReportDiff:
        """Recompute the report of a submitted ``period`` from today's rows, with the same rules
        and breakdowns, and list every figure that changed and the changes made since."""
        from inclusionkit._rules import compute

        row = self._submitted_row(period)
        if row is None:
            raise InclusionKitError(
                translate("{name}: no report was submitted for {period}").format(
                    name=self.name, period=period
                )
            )
        settings = json.loads(str(row["rules"]))
        submitted = _report_from_json(str(row["report"]))
        now = compute(
            self.participations(),
            rules=settings["rules"],
            by=settings["by"],
            as_of=dt.date.fromisoformat(str(row["as_of"])),
            project=self.project(),
        )
        keys = [c for c in submitted.table.columns if c != "value"]
        merged = submitted.table.merge(
            now.table, on=keys, how="outer", suffixes=("_submitted", "_now")
        )
        figures = merged[~_same(merged["value_submitted"], merged["value_now"])]
        history = self.history()
        since = history[history["import_id"] > int(row["import_id"])].reset_index(drop=True)
        return ReportDiff(
            period=period,
            figures=figures.rename(
                columns={"value_submitted": "submitted", "value_now": "now"}
            ).reset_index(drop=True),
            changes=since,
            fingerprint_submitted=str(row["fingerprint"]),
            fingerprint_now=self.fingerprint(),
        )

    def _submitted_row(self, period: str) -> pd.Series | None:
        found = self.query("SELECT * FROM reports WHERE period = ?1", period)
        return None if found.empty else found.iloc[0]

    def _last_import(self) -> int:
        last = self.query("SELECT COALESCE(MAX(id), 0) AS m FROM imports")["m"][0]
        return int(last)

    # -- importing -----------------------------------------------------------------------------

    def import_table(
        self,
        source: str | os.PathLike[str],
        *,
        partner: str,
        mode: Mode = "update",
        user: str | None = None,
        keep_identifiers: bool = False,
        format: str | None = None,
        today: dt.date | None = None,
        **options: Any,
    ) -> ImportResult:
        """Import a partner's participation table: upsert its rows by key, record every change.

        :param partner: the partner sending the file; its rows' ``partner`` cell is set to it
            (a row naming another partner makes the whole file an error).
        :param mode: ``"update"`` adds and updates; ``"full"`` also marks withdrawn the
            partner's rows the file no longer has (they are kept, not deleted).
        :param user: recorded in the log; by default the operating system's user.
        :param keep_identifiers: store the file's extra columns (names, CNP, contacts); by
            default they are not stored.
        :param format, today, options: for the importer, as for
            :func:`inclusionkit._rejected.read_with_rejections`.
        """
        from inclusionkit._rejected import read_with_rejections

        if mode not in ("update", "full"):
            raise InclusionKitError(f"unknown import mode {mode!r}; known: update, full")
        partner = partner.strip()
        if not partner:
            raise InclusionKitError(translate("an import needs the partner's name (--partner)"))
        name = os.fspath(source)
        # The file's SHA-256 is taken while it is read (the one fingerprint of a report's inputs).
        with FingerprintsAhead(source) as hashing:
            outcome = read_with_rejections(source, format, today=today, **options)
        digest = _sha256(hashing, Path(source))
        accepted = outcome.accepted
        kept = outcome.rejected[_incomplete_only(outcome.rejected)]
        keyed = pd.concat(
            [
                accepted.assign(problems=pd.Series(pd.NA, index=accepted.index, dtype="string")),
                kept.drop(columns=["row", "codes", "message"])
                .set_axis(kept["row"].to_numpy(dtype=np.int64))
                .assign(problems=kept["codes"].to_numpy()),
            ]
        ).sort_index(kind="stable")
        named = keyed["partner"].notna() & (keyed["partner"] != partner).fillna(True)
        if named.any():
            others = sorted(set(keyed.loc[named, "partner"].astype(str)))
            raise InclusionKitError(
                translate(
                    "{name}: {count} row(s) name another partner in the partner column "
                    "({partners}); import each partner's rows with its own --partner"
                ).format(name=name, count=int(named.sum()), partners=", ".join(others[:5]))
            )
        new = keyed[list(COLUMN_NAMES)].copy()
        new["partner"] = pd.Series(partner, index=new.index, dtype=new["partner"].dtype)
        new["row"] = keyed.index.to_numpy(dtype=np.int64)
        new["problems"] = keyed["problems"].astype("string")
        extras = [c for c in keyed.columns if c not in (*COLUMN_NAMES, "problems")]
        new["identifiers"] = (
            _identifiers_json(keyed[extras])
            if keep_identifiers and extras
            else pd.Series(None, index=new.index, dtype="string")
        )
        repeated = new.duplicated(list(KEY), keep="last").to_numpy()
        superseded = int((repeated & new["problems"].isna().to_numpy()).sum())
        new = new.loc[~repeated].reset_index(drop=True)
        with self._transaction() as cursor:
            result = self._apply(cursor, new, partner, mode, keep_identifiers)
            import_id = result["import_id"]
            log = pd.DataFrame(
                {
                    "id": [import_id],
                    "time": [dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
                    "username": [user or _os_user()],
                    "source": [Path(name).name],
                    "sha256": [digest],
                    "partner": [partner],
                    "mode": [mode],
                    "rows": [outcome.rows],
                    "added": [result["added"]],
                    "updated": [result["updated"]],
                    "unchanged": [result["unchanged"]],
                    "rejected": [len(outcome.rejected)],
                    "withdrawn": [result["withdrawn"]],
                    "incomplete": [len(kept)],
                }
            )
            _ingest(cursor, "imports", pa.Table.from_pandas(log, preserve_index=False))
        return ImportResult(
            import_id=import_id,
            source=name,
            partner=partner,
            mode=mode,
            rows=outcome.rows,
            accepted=len(accepted),
            added=result["added"],
            updated=result["updated"],
            unchanged=result["unchanged"],
            superseded=superseded,
            withdrawn=result["withdrawn"],
            incomplete=len(kept),
            rejected_rows=outcome.rejected,
            withdrawn_rows=result["withdrawn_rows"],
            problems=outcome.problems,
        )

    def _apply(
        self, cursor: Any, new: pd.DataFrame, partner: str, mode: Mode, keep_identifiers: bool
    ) -> dict[str, Any]:
        """Compare ``new`` with the partner's rows and write the difference (in the caller's
        transaction)."""
        sqlite = self.dialect == "sqlite"
        columns = [
            "row_id",
            *COLUMN_NAMES,
            "withdrawn",
            "identifiers",
            "problems",
            *_ADDED,
        ]
        table = self._fetch(
            cursor,
            f"SELECT {', '.join(columns)} FROM participations WHERE partner = ?1",
            partner,
        )
        table = _by_row_id(table)
        old = from_arrow(table.select(list(COLUMN_NAMES)), source=self.name)
        old["row_id"] = table.column("row_id").to_numpy().astype(np.int64)
        old["withdrawn"] = table.column("withdrawn").to_pandas().astype(bool).to_numpy()
        old["identifiers"] = table.column("identifiers").to_pandas().astype("string").to_numpy()
        old["problems"] = table.column("problems").to_pandas().astype("string").to_numpy()
        for name in _ADDED:
            old[name] = table.column(name).to_pandas().astype("Int64").to_numpy()
        next_row = self._fetch(cursor, "SELECT COALESCE(MAX(row_id), 0) AS m FROM participations")
        import_row = self._fetch(cursor, "SELECT COALESCE(MAX(id), 0) AS m FROM imports")
        first_row_id = int(next_row.column("m")[0].as_py()) + 1
        import_id = int(import_row.column("m")[0].as_py()) + 1

        merged = _merge_by_key(new, old)
        side = merged.pop("_merge")
        right = (side == "right_only").to_numpy(dtype=bool)
        in_file = ~right
        both = (side == "both").to_numpy(dtype=bool)
        compared = [*_DATA_COLUMNS, "problems", *(("identifiers",) if keep_identifiers else ())]
        changed = {
            name: both & ~_same(merged[name], merged[f"{name}_old"])
            if both.any()
            else np.zeros(len(merged), dtype=bool)
            for name in compared
        }
        restored = both & merged["withdrawn"].fillna(False).to_numpy(dtype=bool)
        any_change = np.logical_or.reduce([*changed.values(), restored])
        added = in_file & ~both
        withdraw = (
            right & ~merged["withdrawn"].fillna(True).to_numpy(dtype=bool)
            if mode == "full"
            else np.zeros(len(merged), dtype=bool)
        )

        # The rows to write: the added ones (new ids) and the changed ones (their own ids).
        merged["row_id"] = merged["row_id"].astype("Int64")
        # New rows are numbered in the file's order (the register's order is the import order).
        positions = np.flatnonzero(added)
        positions = positions[np.argsort(merged["row"].to_numpy()[positions], kind="stable")]
        row_ids = merged["row_id"].to_numpy(dtype="float64", na_value=np.nan).copy()
        row_ids[positions] = np.arange(first_row_id, first_row_id + positions.size)
        merged["row_id"] = pd.array(row_ids, dtype="Int64")
        # The history's ``added`` entry is kept on the row: the import and the row of its file.
        for name, value in (("added_import", import_id), ("added_row", merged["row"])):
            kept = merged[name].astype("Int64")
            merged[name] = kept.mask(added, value) if len(merged) else kept
        if not keep_identifiers and both.any():
            # An update without identifiers keeps those stored earlier.
            merged["identifiers"] = merged["identifiers"].fillna(merged["identifiers_old"])
        write = added | any_change
        self._replace(cursor, merged.loc[any_change, "row_id"])
        rows = _where(merged, write, ["row_id", *COLUMN_NAMES, "identifiers", "problems", *_ADDED])
        rows["import_id"] = import_id
        rows["withdrawn"] = False
        # A bulk insert (at least as many rows as the table holds: a partner's first import
        # into a new register) goes in without the secondary indexes, made again after it.
        bulk = sqlite and len(rows) > 0 and len(rows) >= first_row_id - 1
        with _indexes_rebuilt(cursor, "participations", bulk):
            _ingest(cursor, "participations", _participation_arrow(rows), sqlite=sqlite, bulk=bulk)
        if withdraw.any():
            self._stage(cursor, merged.loc[withdraw, "row_id"])
            cursor.execute(
                f"UPDATE participations SET withdrawn = TRUE, import_id = {import_id} "
                "WHERE row_id IN (SELECT row_id FROM import_stage)"
            )
        history = _changes(merged, import_id, changed, restored, withdraw)
        bulk = sqlite and history.num_rows > 0
        bulk = bulk and history.num_rows >= self._rows_at_most(cursor, "changes")
        with _indexes_rebuilt(cursor, "changes", bulk):
            _ingest(cursor, "changes", history, sqlite=sqlite, bulk=bulk)
        # The partner's rows now: those of the file, and those it did not send that stay.
        was_withdrawn = merged["withdrawn"].fillna(True).to_numpy(dtype=bool)
        stay = right & ~withdraw & ~was_withdrawn
        staying = old[old["row_id"].isin(merged.loc[stay, "row_id"].to_numpy())]
        current = pd.concat(
            [_where(merged, in_file, ["row_id", *COLUMN_NAMES]), staying[["row_id", *COLUMN_NAMES]]]
        )
        self._store_snapshot(cursor, import_id, partner, current)
        cursor.execute("DELETE FROM import_stage")
        withdrawn_rows = merged.loc[withdraw, list(KEY)].reset_index(drop=True)
        # The counts are of the accepted rows (the incomplete ones kept are counted apart).
        accepted = merged["problems"].isna().to_numpy()
        return {
            "import_id": import_id,
            "added": int((added & accepted).sum()),
            "updated": int((any_change & accepted).sum()),
            "unchanged": int((both & ~any_change & accepted).sum()),
            "withdrawn": int(withdraw.sum()),
            "withdrawn_rows": withdrawn_rows,
        }

    def _rows_at_most(self, cursor: Any, table: str) -> int:
        """An upper bound of the rows of an SQLite ``table`` (its largest rowid: rows are
        appended, and only retention deletes them), read from the end of its B-tree."""
        found = self._fetch(cursor, f"SELECT COALESCE(MAX(rowid), 0) AS m FROM {table}")
        return int(found.column("m")[0].as_py())

    def _stage(self, cursor: Any, row_ids: pd.Series) -> None:
        cursor.execute("DELETE FROM import_stage")
        ids = pa.table({"row_id": pa.array(row_ids.to_numpy(dtype=np.int64), pa.int64())})
        _ingest(cursor, "import_stage", ids)

    def _replace(self, cursor: Any, row_ids: pd.Series) -> None:
        """Delete the rows about to be written again (with their new values)."""
        if len(row_ids):
            self._stage(cursor, row_ids)
            cursor.execute(
                "DELETE FROM participations WHERE row_id IN (SELECT row_id FROM import_stage)"
            )


# -- helpers ---------------------------------------------------------------------------------


_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


def period_end(period: str) -> dt.date:
    """The last day of a reporting period: ``2015-Q1``, ``2015-03`` or ``2015``."""
    match = _PERIOD.match(period.strip())
    if match is None:
        raise InclusionKitError(
            translate(
                "cannot read the period {period!r}; write it as 2015-Q1, 2015-03 or 2015"
            ).format(period=period)
        )
    year, quarter, month = match.groups()
    last_month = 12 if quarter is None and month is None else int(month or int(quarter) * 3)
    if not 1 <= last_month <= 12:
        raise InclusionKitError(
            translate("cannot read the period {period!r}: no month {month}").format(
                period=period, month=last_month
            )
        )
    following = dt.date(int(year) + last_month // 12, last_month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _report_json(report: Any) -> str:
    """The report as the JSON format writes it (table, excluded, checks, provenance)."""
    import tempfile

    from inclusionkit._io import write

    with tempfile.TemporaryDirectory(prefix="inclusionkit-") as folder:
        path = Path(folder) / "report.json"
        write(report, path, kind="report")
        return path.read_text(encoding="utf-8")


def _report_from_json(text: str) -> Any:
    import tempfile

    from inclusionkit._io import read

    with tempfile.TemporaryDirectory(prefix="inclusionkit-") as folder:
        path = Path(folder) / "report.json"
        path.write_text(text, encoding="utf-8")
        return read(path, kind="report")


def _incomplete_only(rejected: pd.DataFrame) -> np.ndarray:
    """Which rejected rows the register keeps: their key is there (project code, participant id,
    entry date) and every problem of theirs only makes them incomplete (the contract counts such
    a participation in ``GRAND_TOTAL``). Vectorised over the rows' problem codes."""
    from inclusionkit._problems import INCOMPLETE

    if not len(rejected):
        return np.zeros(0, dtype=bool)
    codes = rejected["codes"].astype("string").str.split("; ").explode()
    incomplete = codes.isin([str(code) for code in INCOMPLETE])
    only = incomplete.groupby(level=0).all().reindex(rejected.index, fill_value=False)
    keyed = rejected[[name for name in KEY if name != "partner"]].notna().all(axis=1)
    kept: np.ndarray = (only & keyed).to_numpy(dtype=bool)
    return kept


_INDEX_ORDER: dict[str, tuple[str, ...]] = {
    "participations": KEY_INDEX,
    "changes": ("participant_id",),
}
"""The columns of each large table's most costly index (random text keys), in its order."""


@contextmanager
def _indexes_rebuilt(cursor: Any, table: str, bulk: bool) -> Iterator[None]:
    """With ``bulk``, drop the secondary indexes of an SQLite ``table`` for the statements
    inside, and make them again after (in the caller's transaction: a crash leaves them as
    they were). Building an index from a million rows in one sort costs a fraction of a million
    inserts into it; the ``CREATE INDEX`` statements are those of the schema
    (:mod:`inclusionkit._register._schema`), so a unique index checks the key again."""
    if not bulk:
        yield
        return
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite

    from inclusionkit._register._schema import METADATA

    indexes = sorted(METADATA.tables[table].indexes, key=lambda index: str(index.name))
    for index in indexes:
        cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
    yield
    for index in indexes:
        cursor.execute(str(sa.schema.CreateIndex(index).compile(dialect=sqlite.dialect())))


def _ingest(
    cursor: Any, table: str, data: pa.Table, *, sqlite: bool = False, bulk: bool = False
) -> None:
    """Append ``data`` to ``table`` in bulk (ADBC: a prepared insert on SQLite, ``COPY`` on
    PostgreSQL).

    For SQLite (``sqlite``) the rows go in the order of the table's costliest index (see
    ``_INDEX_ORDER``; nothing reads them in storage order: readers sort by ``row_id`` or
    ``ORDER BY``), so its B-tree grows at one edge instead of at random pages; and dates go as
    the ISO text (``YYYY-MM-DD``) SQLAlchemy's ``Date`` stores there, made by one Arrow cast
    rather than by the driver row by row (the stored values are the same). Measured on 1M
    rows (docs/register.md, Speed): the insert of the participations took about 40% less CPU.
    With ``bulk`` (the secondary indexes are dropped, see :func:`_indexes_rebuilt`) the rows go
    in ``row_id`` order instead, the primary key's, without sorting when they are in it already.
    """
    if not data.num_rows:
        return
    if sqlite:
        import pyarrow.compute as pc

        order = [name for name in _INDEX_ORDER.get(table, ()) if name in data.column_names]
        if bulk:
            data = _by_row_id(data) if "row_id" in data.column_names else data
        elif order and data.num_rows > 1:
            data = data.take(pc.sort_indices(data, sort_keys=[(n, "ascending") for n in order]))
        for index, field in enumerate(data.schema):
            if pa.types.is_date32(field.type):
                data = data.set_column(index, field.name, data.column(index).cast(pa.string()))
    cursor.adbc_ingest(table, data, mode="append")


def _by_row_id(table: pa.Table) -> pa.Table:
    """The rows in the order they were first imported (sorted in Arrow: cheaper than ORDER BY)."""
    if table.num_rows < 2:
        return table
    import pyarrow.compute as pc

    ids = table.column("row_id").to_numpy()
    if bool((ids[1:] > ids[:-1]).all()):
        return table  # in order already (an import's own rows are): no copy of every column
    return table.take(pc.sort_indices(table.column("row_id")))


def _where(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """``frame.loc[mask, columns]`` as a new frame; without taking every row when the mask
    keeps them all (a partner's first import writes every row of its file)."""
    if mask.all():
        return frame[columns].copy(deep=False)
    return frame.loc[mask, columns].copy()


def _merge_by_key(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """``new`` and ``old`` joined on the key (outer, ``_old`` suffixes, ``_merge`` saying where
    each row is), as ``DataFrame.merge(on=KEY)`` makes it; when ``old`` is empty, without the
    ``_old`` columns of the compared values (no row has any: nothing is compared).

    Joined on one 64-bit hash of the key (cheaper than four columns); should two keys of one
    side share a hash, or a matched pair's keys differ, the join is made on the key columns.
    """
    key = list(KEY)
    if not len(old):
        # Nothing to join (a partner's first import): every row is ``left_only``, the old
        # row's own columns missing, as the outer join would make them (and the old
        # identifiers, which an import keeps), without hashing and taking.
        own = [c for c in old.columns if c not in new.columns or c == "identifiers"]
        missing = old[own].reindex(pd.RangeIndex(len(new)))
        missing.columns = [f"{c}_old" if c in new.columns else c for c in missing.columns]
        merged = pd.concat([new.reset_index(drop=True), missing], axis=1)
        merged["_merge"] = pd.Categorical.from_codes(
            np.zeros(len(merged), dtype=np.int8), categories=["left_only", "right_only", "both"]
        )
        return merged
    new_hash = pd.util.hash_pandas_object(new[key], index=False).to_numpy()
    old_hash = pd.util.hash_pandas_object(old[key], index=False).to_numpy()
    if _distinct(new_hash) and _distinct(old_hash):
        # Each new row's old row, found by binary search in the sorted old hashes; the rows of
        # ``new`` keep their order (the file's) and the old rows not in it follow (in theirs).
        order = np.argsort(old_hash, kind="stable")
        at = np.minimum(np.searchsorted(old_hash[order], new_hash), len(old) - 1)
        found = old_hash[order[at]] == new_hash
        source = np.where(found, order[at], -1)
        kept = np.ones(len(old), dtype=bool)
        kept[source[found]] = False
        missing = np.flatnonzero(kept)
        olds = old.reset_index(drop=True)
        olds.columns = [f"{c}_old" if c in new.columns else c for c in olds.columns]
        lefts = new.reset_index(drop=True)
        if missing.size:
            lefts = lefts.reindex(np.concatenate([np.arange(len(new)), np.full(missing.size, -1)]))
            source = np.concatenate([source, missing])
        if not np.array_equal(source, np.arange(len(olds))):
            olds = olds.reindex(source)  # else the old rows are in the file's order already
        merged = pd.concat([lefts.reset_index(drop=True), olds.reset_index(drop=True)], axis=1)
        codes = np.zeros(len(merged), dtype=np.int8)
        codes[len(new) :] = 1
        codes[: len(new)][found] = 2
        both, right = codes == 2, codes == 1
        # Should two keys share a hash, a matched pair's keys differ: then join on the keys.
        exact = all(
            bool(
                (merged[name] == merged[f"{name}_old"])
                .to_numpy(dtype=bool, na_value=False)[both]
                .all()
            )
            for name in key
        )
        if exact:
            for name in key:
                merged[name] = merged[name].where(~right, merged[f"{name}_old"])
            merged["_merge"] = pd.Categorical.from_codes(
                codes, categories=["left_only", "right_only", "both"]
            )
            return merged.drop(columns=[f"{name}_old" for name in key])
    return _chunked(new).merge(
        _chunked(old), on=key, how="outer", suffixes=("", "_old"), indicator=True
    )


def _distinct(values: np.ndarray) -> bool:
    """Whether no two ``values`` are equal: by sorting (``np.unique`` of a million 64-bit
    hashes took about 0.9 s with numpy 2.4, sorting them 0.05 s)."""
    ordered = np.sort(values)
    return bool((ordered[1:] != ordered[:-1]).all())


def _chunked(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``, its empty Arrow-backed key columns given one empty chunk (pandas cannot merge
    on an Arrow column without chunks)."""
    if len(frame):
        return frame
    out = frame.copy()
    for name in (name for name in KEY if _KIND[name] == "string"):
        out[name] = pd.Series(pa.array([], pa.string()), dtype=out[name].dtype)
    return out


def _same(new: pd.Series, old: pd.Series) -> np.ndarray:
    """Per row: the two cells are equal, or both missing (vectorised)."""
    both_missing = new.isna().to_numpy() & old.isna().to_numpy()
    equal = (new == old).fillna(False).to_numpy(dtype=bool)
    same: np.ndarray = equal | both_missing
    return same


def _text(values: pd.Series, name: str) -> pd.Series:
    """Cells as the history stores them: ISO dates, true/false, whole numbers, text."""
    kind = _KIND.get(name, "string")
    if kind == "date":
        out = values.dt.strftime("%Y-%m-%d")
    elif kind == "bool":
        out = values.map({True: "true", False: "false"}, na_action="ignore")
    else:
        out = values.astype("string")
    return out.astype(object).where(values.notna().to_numpy(), None)


def _changes(
    merged: pd.DataFrame,
    import_id: int,
    changed: Mapping[str, np.ndarray],
    restored: np.ndarray,
    withdrawn: np.ndarray,
) -> pa.Table:
    """The history rows of one import in ``changes``, built column by column (never row by
    row): every change but the additions, whose entry is the added row's ``added_import`` and
    ``added_row`` (see :meth:`Register.history`)."""
    parts: list[pd.DataFrame] = []

    def part(mask: np.ndarray, change: str, field: str | None, old: Any, new: Any) -> None:
        if not mask.any():
            return
        frame = merged.loc[mask, ["row", *KEY]].copy()
        frame["change"] = change
        frame["field"] = field
        frame["old"] = old(frame.index) if callable(old) else old
        frame["new"] = new(frame.index) if callable(new) else new
        parts.append(frame)

    for name, mask in changed.items():
        part(
            mask,
            "updated",
            name,
            lambda index, n=name: _text(merged.loc[index, f"{n}_old"], n).to_numpy(),
            lambda index, n=name: _text(merged.loc[index, n], n).to_numpy(),
        )
    part(restored, "restored", "withdrawn", "true", "false")
    part(withdrawn, "withdrawn", "withdrawn", "false", "true")
    if not parts:
        return pa.table({})
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "import_id", import_id)
    schema = pa.schema(
        [
            ("import_id", pa.int64()),
            ("row", pa.int64()),
            ("project_code", pa.string()),
            ("participant_id", pa.string()),
            ("entry_date", pa.date32()),
            ("partner", pa.string()),
            ("change", pa.string()),
            ("field", pa.string()),
            ("old", pa.string()),
            ("new", pa.string()),
        ]
    )
    return pa.table(
        {
            field.name: _arrow_column(frame[field.name], field.type)
            for field in schema
            if field.name in frame.columns
        },
        schema=schema,
    )


def _arrow_column(values: pd.Series, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """A column as Arrow in the SQL type ``kind`` (Arrow-backed columns are not copied to
    Python objects)."""
    if pa.types.is_date32(kind):
        return pa.array(values.astype("datetime64[s]"), pa.timestamp("s")).cast(pa.date32())
    if pa.types.is_integer(kind):
        return pa.array(values.astype("Int64"), pa.int64()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values.astype("boolean"), pa.bool_())
    if isinstance(values.dtype, pd.StringDtype | pd.ArrowDtype):
        return pa.array(values, from_pandas=True).cast(kind)
    return pa.array(values.astype(object).where(values.notna(), None), pa.string())


def _snapshot_arrow(rows: pd.DataFrame, columns: Sequence[str] = COLUMN_NAMES) -> pa.Table:
    """``row_id`` and the canonical ``columns`` as Arrow, in the register's types (the
    snapshot)."""
    fields = [
        ("row_id", pa.int64()),
        *((c.name, _ARROW_KINDS[c.kind]) for c in COLUMNS if c.name in columns),
    ]
    return pa.table(
        {name: _arrow_column(rows[name], kind) for name, kind in fields},
        schema=pa.schema(fields),
    )


def _participation_arrow(rows: pd.DataFrame) -> pa.Table:
    """Rows of the ``participations`` table as Arrow, in its SQL types."""
    fields = [
        ("row_id", pa.int64()),
        *((c.name, _ARROW_KINDS[c.kind]) for c in COLUMNS),
        ("import_id", pa.int64()),
        ("withdrawn", pa.bool_()),
        ("identifiers", pa.string()),
        ("problems", pa.string()),
        *((name, pa.int64()) for name in _ADDED),
    ]
    return pa.table(
        {name: _arrow_column(rows[name], kind) for name, kind in fields},
        schema=pa.schema(fields),
    )


def _identifiers_json(extras: pd.DataFrame) -> pd.Series:
    """Each row's extra columns as one JSON object (text), or missing when they are all empty."""
    text = extras.astype("string")
    if not len(text):
        return pd.Series([], index=extras.index, dtype="string")
    lines = text.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    out = pd.Series(lines, index=extras.index, dtype="string")
    return out.where(text.notna().any(axis=1), pd.NA)


def _with_identifiers(frame: pd.DataFrame, stored: pd.Series) -> pd.DataFrame:
    present = stored.notna().to_numpy()
    if not present.any():
        return frame
    records = pd.read_json(
        pd.io.common.StringIO("\n".join(stored[present].astype(str))), lines=True, dtype=False
    )
    records.index = frame.index[present]
    extras = records.reindex(frame.index).astype("string")
    return pd.concat([frame, extras], axis=1)


def _canonical(columns: Sequence[str]) -> list[str]:
    """The canonical columns among ``columns``, in the contract's order."""
    return [name for name in COLUMN_NAMES if name in columns]


def _sha256(hashing: FingerprintsAhead, path: Path) -> str:
    """The SHA-256 ``hashing`` took of the file at ``path``; an unreadable file is a clean error."""
    try:
        ((_, digest),) = hashing.result()
    except OSError as exc:
        raise InclusionKitError(
            translate("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    return digest


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# -- opening and creating --------------------------------------------------------------------


def open_register(target: str | os.PathLike[str], *, migrate: bool = True) -> Register:
    """Open an existing register: an SQLite file or a ``postgresql://`` URL.

    Pending migrations run first (a register made by an older inclusionkit is upgraded); one
    made by a newer version is refused.
    :raises InclusionKitError: no register there, or it cannot be reached.
    """
    location = _locate(target)
    if location.path is not None and not location.path.is_file():
        raise InclusionKitError(
            translate(
                "{name}: no such register; create it with `inclusionkit register init`"
            ).format(name=location.name)
        )
    register = Register(location)
    try:
        if not _has_table(register, "alembic_version"):
            raise InclusionKitError(
                translate(
                    "{name}: not an inclusionkit register (no schema version); create one with "
                    "`inclusionkit register init`"
                ).format(name=location.name)
            )
        if migrate:
            register.migrations_run = _migrate(register)
    except BaseException:
        register.close()
        raise
    return register


def init_register(
    target: str | os.PathLike[str], project: Any = None, *, exist_ok: bool = False
) -> Register:
    """Create a register (an SQLite file, owner-only, or the tables in a PostgreSQL database).

    :param project: a :class:`~inclusionkit.Project`, a project file's path, or ``None``; stored
        in the register (``Register.project()``).
    :raises InclusionKitError: the file or the tables exist already (unless ``exist_ok``).
    """
    import sqlalchemy as sa

    from inclusionkit._project_io import load_project, project_to_dict
    from inclusionkit._register._schema import settings
    from inclusionkit._version import __version__
    from inclusionkit.models import Project

    if project is not None and not isinstance(project, Project):
        project = load_project(project)
    location = _locate(target)
    if location.path is not None:
        _create_private_file(location.path, exist_ok=exist_ok)
    register = Register(location)
    try:
        if _has_table(register, "alembic_version"):
            if not exist_ok:
                raise InclusionKitError(
                    translate("{name}: a register exists there already").format(name=location.name)
                )
            register.migrations_run = _migrate(register)
            return register
        register.migrations_run = _migrate(register)
        values = {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "created_by": f"inclusionkit {__version__}",
        }
        if project is not None:
            values["project"] = json.dumps(project_to_dict(project), ensure_ascii=False)
        with register._sqlalchemy().begin() as connection:
            connection.execute(
                sa.insert(settings), [{"key": k, "value": v} for k, v in values.items()]
            )
    except BaseException:
        register.close()
        raise
    return register


def _create_private_file(path: Path, *, exist_ok: bool) -> None:
    """Create the SQLite file readable and writable by its owner only (mode 0600)."""
    if not path.parent.is_dir():
        raise InclusionKitError(translate("{path}: no such folder").format(path=path.parent))
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if exist_ok:
            return
        raise InclusionKitError(
            translate("{path}: a file exists there already; never overwritten").format(path=path)
        ) from None
    os.close(descriptor)
    os.chmod(path, 0o600)  # whatever the umask


def _has_table(register: Register, name: str) -> bool:
    import sqlalchemy as sa

    try:
        with register._sqlalchemy().connect() as connection:
            return bool(sa.inspect(connection).has_table(name))
    except sa.exc.OperationalError as exc:
        if register.dialect == "postgresql":
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise InclusionKitError(
                translate("{name}: cannot connect: {reason}").format(
                    name=register.name, reason=reason
                )
            ) from None
        raise InclusionKitError(
            translate("{name}: not a database inclusionkit can open ({reason})").format(
                name=register.name, reason=exc.orig
            )
        ) from None
    except sa.exc.DatabaseError as exc:
        raise InclusionKitError(
            translate("{name}: not a database inclusionkit can open ({reason})").format(
                name=register.name, reason=exc.orig
            )
        ) from None
    except sa.exc.SQLAlchemyError as exc:
        raise InclusionKitError(
            translate("{name}: cannot open: {reason}").format(name=register.name, reason=exc)
        ) from None


def _migrate(register: Register) -> tuple[str, ...]:
    """Run every pending migration; return the revisions applied."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    script = ScriptDirectory.from_config(config)
    with register._sqlalchemy().begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        known = {revision.revision for revision in script.walk_revisions()}
        if current is not None and current not in known:
            raise InclusionKitError(
                translate(
                    "{name}: made by a newer inclusionkit (schema {schema}); upgrade "
                    "inclusionkit to open it"
                ).format(name=register.name, schema=current)
            )
        if current == script.get_current_head():
            return ()
        pending = [
            revision.revision
            for revision in script.iterate_revisions(script.get_current_head(), current)
        ]
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as exc:
            raise InclusionKitError(
                translate("{name}: cannot migrate: {reason}").format(name=register.name, reason=exc)
            ) from None
    return tuple(reversed(pending))
