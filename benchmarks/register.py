"""Benchmark the register: import N rows into SQLite and PostgreSQL, then report from each,
side by side with the report from the same rows in Parquet.

Usage (``make bench-register``; PostgreSQL when ``INCLUSIONKIT_TEST_POSTGRES_URL`` names a
server and a role that may create databases, else only SQLite)::

    .venv/bin/python benchmarks/register.py [--rows 1000000] [--repeat 1] [--dialects sqlite]

Targets (issue 13): importing 1M rows into SQLite under 10 s; a report from the register within
1.5x of the report from Parquet. Prints a Markdown table: the wall-clock seconds and the CPU
seconds of this process (on a busy machine the wall clock waits for the CPU; for SQLite the
process does all the work, for PostgreSQL the server's own CPU time is not in it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is not a package)

import inclusionkit  # noqa: E402

POSTGRES_ENV = "INCLUSIONKIT_TEST_POSTGRES_URL"
BY = "region,gender"


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The median wall-clock and CPU seconds of ``repeat`` runs of ``action``."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _postgres_database() -> tuple[str, Callable[[], None]] | None:
    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        return None
    import sqlalchemy as sa

    url = sa.engine.make_url(admin).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"ik_bench_{uuid.uuid4().hex[:8]}"
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    target = url.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
    return target, drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    dialects = {name.strip() for name in args.dialects.split(",")}
    paths = generate.generate(args.rows)
    results: list[tuple[str, str, tuple[float, float]]] = []
    with tempfile.TemporaryDirectory(prefix="ik-bench-") as folder:
        # One partner's register of N rows (an import is one partner's file).
        table = pq.read_table(paths.parquet)
        column = table.schema.get_field_index("partner")
        table = table.set_column(column, "partner", pa.array(["P1"] * table.num_rows))
        source = Path(folder) / "partner.parquet"
        pq.write_table(table, source)
        targets: list[tuple[str, str, Callable[[], None] | None]] = []
        if "sqlite" in dialects:
            targets.append(("sqlite", str(Path(folder) / "registru.db"), None))
        postgres = _postgres_database() if "postgresql" in dialects else None
        if postgres is not None:
            targets.append(("postgresql", *postgres))
        for dialect, target, drop in targets:
            try:
                with inclusionkit.init_register(target) as register:
                    started, cpu = time.perf_counter(), time.process_time()
                    result = register.import_table(source, partner="P1")
                    seconds = (time.perf_counter() - started, time.process_time() - cpu)
                    results.append(("import", dialect, seconds))
                    print(f"{dialect}: {result.summary()}", file=sys.stderr)
                    seconds = _timed(
                        lambda register=register: register.import_table(source, partner="P1"),
                        args.repeat,
                    )
                    results.append(("re-import (unchanged)", dialect, seconds))
                    # The reference: the same rows (the accepted ones) exported to Parquet.
                    exported = Path(folder) / f"{dialect}.parquet"
                    register.export(exported)
                    reports: dict[str, pd.DataFrame] = {}

                    def from_parquet(path: Path = exported, out: dict = reports) -> None:
                        out["parquet"] = inclusionkit.compute(str(path), by=BY).table

                    def from_register(target: str = target, out: dict = reports) -> None:
                        table = inclusionkit.read(target, kind="participations")
                        out["register"] = inclusionkit.compute(table, by=BY).table

                    results.append(
                        ("report", f"parquet ({dialect} rows)", _timed(from_parquet, args.repeat))
                    )
                    results.append(("report", dialect, _timed(from_register, args.repeat)))
                    assert reports["register"].equals(reports["parquet"]), "reports differ"
            finally:
                if drop is not None:
                    try:
                        drop()
                    except Exception as exc:  # never hide the benchmark's own error
                        print(f"could not drop the benchmark's database: {exc}", file=sys.stderr)
    print(
        f"| phase ({args.rows:,} rows) | where | seconds | CPU seconds | vs Parquet report "
        "(wall / CPU) |"
    )
    print("| --- | --- | ---: | ---: | ---: |")
    reference = {w.split("(")[1].split()[0]: s for p, w, s in results if w.startswith("parquet")}
    for phase, where, (wall, cpu) in results:
        ratio = ""
        if phase == "report" and where in reference:
            ratio = f"{wall / reference[where][0]:.2f}x / {cpu / reference[where][1]:.2f}x"
        print(f"| {phase} | {where} | {wall:.2f} | {cpu:.2f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
