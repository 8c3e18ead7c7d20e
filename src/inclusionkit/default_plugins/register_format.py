"""The built-in register importer: a register's participations, read like any table.

``inclusionkit.read("registru.db", kind="participations")`` (or a ``postgresql://`` URL) gives the
register's participation table (withdrawn rows left out) in canonical columns and dtypes, so
``report``, ``progress`` and every other reader of participations work on a register with the
one engine. Registers are made and filled with ``inclusionkit register`` (``docs/register.md``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from inclusionkit._contract import COLUMN_NAMES
from inclusionkit._errors import InclusionKitError
from inclusionkit._formats import REGISTER_SUFFIXES, Importer, Source
from inclusionkit._ingest import PIPELINE_OPTIONS, RawTable
from inclusionkit._rejected import attach_row_problems
from inclusionkit.default_plugins import check_options, source_name
from inclusionkit.hookspecs import RegisterImporter, hookimpl

_OPTIONS = ("keep_extra", "on_error", "include_withdrawn")


@hookimpl
def register_importers(register: RegisterImporter) -> None:
    """Contribute the register reader."""
    register(
        Importer(
            name="register",
            extensions=REGISTER_SUFFIXES,
            kinds={"participations"},
            read=read_register,
            read_raw=read_register_raw,
            projects=True,
            description="an inclusionkit register (SQLite file, or a postgresql:// URL)",
        )
    )


def read_register_raw(source: Source, *, options: Mapping[str, Any]) -> RawTable:
    """The register's participations as Arrow, for the ingestion pipeline (run once, as for a
    Parquet file): the rows a report counts, from the snapshot the last import stored. With a
    ``columns`` option (a projection) only those of its columns are read, the others named as
    unread; the identifiers it stores only when ``keep_extra`` and the projection, if any, asks
    for a column outside the contract."""
    own = {k: v for k, v in options.items() if k not in PIPELINE_OPTIONS}
    check_options("register", own, _OPTIONS)
    only = options.get("columns")
    extra = options.get("keep_extra") and (
        only is None or any(name not in COLUMN_NAMES for name in only)
    )
    if own.get("include_withdrawn") or extra:
        given = {**own, "keep_extra": bool(options.get("keep_extra"))}
        frame = read_register(source, kind="participations", options=given)
        return RawTable.from_frame(frame, source=source_name(source))
    from inclusionkit._register import open_register  # SQLAlchemy: only when a register is read

    if not isinstance(source, str | os.PathLike):
        raise InclusionKitError(f"{source_name(source)}: a register is read from its path or URL")
    columns = COLUMN_NAMES if only is None else [name for name in COLUMN_NAMES if name in only]
    with open_register(source) as register:
        table = register.counted_arrow(columns=columns).drop_columns("row_id")
        unread = tuple(name for name in COLUMN_NAMES if name not in columns)
        return RawTable(table=table, source=register.name, unread=unread)


def read_register(source: Source, *, kind: str, options: Mapping[str, Any]) -> Any:
    """The register's participations; ``keep_extra`` adds the identifiers it stores (if any)."""
    if not isinstance(source, str | os.PathLike):
        raise InclusionKitError(f"{source_name(source)}: a register is read from its path or URL")
    if kind not in ("participations", "auto"):
        raise InclusionKitError(f"{os.fspath(source)}: a register holds participations, not {kind}")
    check_options("register", options, _OPTIONS)
    from inclusionkit._register import open_register  # SQLAlchemy: only when a register is read

    with open_register(source) as register:
        frame = register.participations(
            include_withdrawn=bool(options.get("include_withdrawn", False)),
            keep_identifiers=bool(options.get("keep_extra", False)),
        )
    # Every cell of a register was checked on import: nothing to coerce.
    return attach_row_problems(frame, []) if options.get("on_error") == "coerce" else frame
