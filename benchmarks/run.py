"""Benchmark inclusionkit against DuckDB, polars and pyarrow, side by side, phase by phase.

Usage (``make bench`` runs the first)::

    .venv/bin/python benchmarks/run.py [--sizes 1000000,10000000] [--repeat 3]
                                       [--phases compute,parquet_compute] [--label note]

For each size it generates the data into ``benchmarks/data/`` (cached), warms the page cache,
then runs every (phase, engine) case ``--repeat`` times, each time in a **fresh process**, the
engines of a phase interleaved so that machine drift hits them alike, and takes the median.
Inside the process the inputs are prepared first (imports, loading the table for the compute
phases); then the peak-RSS counter is reset (``/proc/self/clear_refs``) and only the phase itself
is timed, so each phase has its own wall time and its own peak memory (VmHWM).
The ``process_*`` phases instead spawn a whole command (``inclusionkit report FILE -o out.csv``
against ``python -c`` running the DuckDB query) and take its wall time and peak RSS from spawn
to exit (``os.wait4``); ``process_imports`` runs each command's imports alone, which the report
subtracts from the whole process to show the work after them. ``process_streaming``
(``inclusionkit report FILE.parquet --engine streaming``) runs only when ``--phases`` names it,
at the size asked (the issue's target is 100M rows: ``--sizes 100000000 --phases
process_streaming``, which generates only the Parquet).

Absolute seconds drift up to 2x between runs on these machines; the ratios inclusionkit /
reference, measured in the same run, are what the report is about. It prints a Markdown table
and writes it with a JSON file of every measurement to ``benchmarks/results/``
(``latest.md``/``latest.json``, and a time-stamped copy in ``results/tmp/``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is not a package)

RESULTS_DIR = HERE / "results"
DEFAULT_SIZES = (1_000_000, 10_000_000)
WORKER_TIMEOUT = 900  # seconds; a case slower than this is reported as failed, not waited for


# ---------------------------------------------------------------------------------------------
# What is measured


@dataclass(frozen=True)
class Case:
    phase: str
    engine: str
    what: str


CASES: tuple[Case, ...] = (
    Case("read_csv", "inclusionkit", "read_participations(csv) -> canonical pandas frame"),
    Case("read_csv", "pyarrow", "pyarrow.csv.read_csv with the canonical column types"),
    Case("read_csv_ro", "inclusionkit", "read_participations(csv) of the DD.MM.YYYY ';' file"),
    Case("read_csv_ro", "pyarrow", "pyarrow.csv.read_csv, ';', %d.%m.%Y, canonical types"),
    Case(
        "read_xlsx",
        "inclusionkit",
        "read_participations(xlsx), the 100k-row register whatever the size",
    ),
    Case("read_xlsx", "calamine", "python-calamine: the same sheet to Python rows (to_python)"),
    Case("read_parquet", "inclusionkit", "read_participations(parquet)"),
    Case("read_parquet", "pyarrow", "pyarrow.parquet.read_table"),
    Case("validate", "inclusionkit", "validate_participations(frame) on the loaded table"),
    Case("compute", "inclusionkit", "compute(frame, esf-2014, by region x gender, as_of)"),
    Case("compute", "duckdb", "the SQL query over a native DuckDB table"),
    Case("compute", "polars", "the lazy query over a polars DataFrame"),
    Case("parquet_compute", "inclusionkit", "compute(path of the Parquet file, ...)"),
    Case("parquet_compute", "duckdb", "the SQL query directly over read_parquet(file)"),
    Case("parquet_compute", "polars", "the lazy query over scan_parquet(file)"),
    Case("csv_compute", "inclusionkit", "compute(path of the CSV file, ...)"),
    Case("csv_compute", "duckdb", "the SQL query directly over read_csv(file) with its types"),
    Case("csv_compute", "polars", "the lazy query over scan_csv(file) with its schema"),
    Case("process_parquet", "inclusionkit", "`inclusionkit report FILE.parquet -o out.csv`"),
    Case("process_parquet", "duckdb", "`python -c`: the SQL over read_parquet(file), COPY to CSV"),
    Case("process_csv", "inclusionkit", "`inclusionkit report FILE.csv -o out.csv`"),
    Case("process_csv", "duckdb", "`python -c`: the SQL over read_csv(file), COPY to CSV"),
    Case(
        "process_streaming",
        "inclusionkit",
        "`inclusionkit report FILE.parquet --engine streaming -o out.csv`",
    ),
    Case("process_streaming", "duckdb", "`python -c`: the SQL over read_parquet(file), COPY"),
    Case(
        "process_imports",
        "inclusionkit",
        "`python -c`: what `inclusionkit report` imports before its work (not pandas), its exit",
    ),
    Case("process_imports", "inclusionkit+pandas", "`python -c`: the same, and pandas"),
    Case("process_imports", "duckdb", "`python -c 'import duckdb'`"),
)
PHASES = tuple(dict.fromkeys(c.phase for c in CASES))
ON_REQUEST_PHASES = ("process_streaming",)
"""Phases run only when ``--phases`` names them (at 100M rows: minutes per case)."""
DEFAULT_PHASES = tuple(p for p in PHASES if p not in ON_REQUEST_PHASES)


@dataclass(frozen=True)
class Comparison:
    label: str
    phase: str
    engine: str
    reference: str
    target: float | None  # the target for engine / reference; None = for information


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("compute, in-memory table", "compute", "inclusionkit", "duckdb", 1.0),
    Comparison("compute, in-memory table", "compute", "inclusionkit", "polars", None),
    Comparison("read Parquet + compute", "parquet_compute", "inclusionkit", "duckdb", 1.0),
    Comparison("read Parquet + compute", "parquet_compute", "inclusionkit", "polars", None),
    Comparison("read CSV + compute", "csv_compute", "inclusionkit", "duckdb", 1.0),
    Comparison("read CSV + compute", "csv_compute", "inclusionkit", "polars", None),
    Comparison("read CSV (ISO dates, ',')", "read_csv", "inclusionkit", "pyarrow", 1.2),
    Comparison("read CSV (DD.MM.YYYY, ';')", "read_csv_ro", "inclusionkit", "pyarrow", 1.2),
    Comparison("read xlsx register (100k rows)", "read_xlsx", "inclusionkit", "calamine", 1.5),
    Comparison("read Parquet", "read_parquet", "inclusionkit", "pyarrow", None),
    Comparison("whole process, Parquet → report", "process_parquet", "inclusionkit", "duckdb", 1.0),
    Comparison("whole process, CSV → report", "process_csv", "inclusionkit", "duckdb", 1.0),
)
# The whole-process phases time a child process from spawn to exit (what a user waits for) and
# take its peak RSS from the kernel (``wait4``'s ru_maxrss), imports and all.
PROCESS_PHASES = ("process_parquet", "process_csv", "process_streaming", "process_imports")
# Each command's imports alone, in a fresh process that then exits as the command does: the
# whole-process table subtracts them, to show the work after them side by side (information;
# the targets are on the whole process). inclusionkit's are the modules `report` has
# loaded when it starts reading: the library, its plugins, numpy and pyarrow. pandas comes on
# top: pyarrow imports it at its first conversion or Parquet read whatever the caller does, and
# the command imports it on a thread while Arrow reads the file, so its cost is partly hidden
# behind the read; with and without it bracket the work after the imports. The command ends
# with os._exit (inclusionkit.cli.run), the DuckDB one with Python's own shutdown.
IMPORTS_PHASE = "process_imports"
_INCLUSIONKIT_IMPORTS = (
    "import os, inclusionkit, inclusionkit.cli._report; "
    "inclusionkit.read_participations; inclusionkit.compute; inclusionkit.get_plugin_manager(); "
    "os._exit(0)"
)
IMPORTS_CODE = {
    "inclusionkit": _INCLUSIONKIT_IMPORTS,
    "inclusionkit+pandas": f"import pandas; {_INCLUSIONKIT_IMPORTS}",
    "duckdb": "import duckdb",
}
"""The ``python -c`` code of each engine's case of the imports phase."""
PROCESS_MEMORY_TARGET = 1.0  # inclusionkit's peak RSS / DuckDB's, whole process
VALIDATE_TARGET_ROWS_S = 3_000_000  # issue 15: at least 3M rows/s at 10M rows
MEMORY_TARGET = 2.0  # compute peak RSS / Arrow table size, at 10M rows
# The xlsx phase reads one workbook (generate.XLSX_ROWS rows, the first rows of the 1M table)
# whatever the size: it runs once per run, at the first size that has that many rows.
XLSX_PHASE = "read_xlsx"
# Streaming (issue 15): 100M rows in under 60 s, peak RSS under 1.1 GiB, whole process.
STREAMING_TARGET_S = 60.0
STREAMING_TARGET_MIB = 1.1 * 1024


# ---------------------------------------------------------------------------------------------
# The worker: one case, once, in this (fresh) process


def _rss_kib(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS, so the peak that follows belongs to the phase alone."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _pyarrow_csv_options(ro: bool) -> tuple[Any, Any, Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # The canonical column types of inclusionkit's CSV fast path (dates as timestamp[s], isced
    # int8, booleans, strings), so both readers do the same conversion work; pyarrow parses
    # each file's date format with its best option (its ISO fast path, or one strptime format).
    types = {
        f.name: pa.timestamp("s") if pa.types.is_date(f.type) else f.type for f in generate.SCHEMA
    }
    extra: dict[str, Any] = {"timestamp_parsers": ["%d.%m.%Y"]} if ro else {}
    convert = pacsv.ConvertOptions(
        column_types=types, null_values=[""], strings_can_be_null=True, **extra
    )
    parse = pacsv.ParseOptions(delimiter=";" if ro else ",")
    read = pacsv.ReadOptions(use_threads=True)
    return read, parse, convert


def _inclusionkit_imported() -> Any:
    """inclusionkit with what its phases import before timing starts (imports are never timed):
    the reader's modules, the plugins (the plugin manager imports them) and pandas, which
    inclusionkit imports on first use (``inclusionkit._pandas``), as the references' libraries
    are imported before theirs."""
    import pandas  # noqa: F401

    import inclusionkit

    _ = inclusionkit.read_participations  # the lazy attribute imports the reader's modules
    inclusionkit.get_plugin_manager()
    return inclusionkit


def _prepare(case: Case, paths: generate.Paths, as_of: dt.date) -> Callable[[], Any]:
    """Everything before the timed phase; returns the phase as a callable returning its result."""
    phase, engine = case.phase, case.engine
    if phase in {"read_csv", "read_csv_ro"}:
        csv = paths.csv if phase == "read_csv" else paths.csv_ro
        if engine == "inclusionkit":
            read_participations = _inclusionkit_imported().read_participations
            return lambda: read_participations(csv)
        import pyarrow.csv as pacsv

        read, parse, convert = _pyarrow_csv_options(ro=phase == "read_csv_ro")
        return lambda: pacsv.read_csv(
            csv, read_options=read, parse_options=parse, convert_options=convert
        )
    if phase == XLSX_PHASE:
        workbook = generate.xlsx_path(paths.parquet.parent)
        if engine == "inclusionkit":
            read_participations = _inclusionkit_imported().read_participations
            return lambda: read_participations(workbook)
        import python_calamine

        sheet = python_calamine.CalamineWorkbook.from_path(workbook).sheet_names[0]
        return lambda: (
            python_calamine.CalamineWorkbook.from_path(workbook)
            .get_sheet_by_name(sheet)
            .to_python()
        )
    if phase == "read_parquet":
        if engine == "inclusionkit":
            read_participations = _inclusionkit_imported().read_participations
            return lambda: read_participations(paths.parquet)
        import pyarrow.dataset  # noqa: F401  (read_table imports it, and pandas, on first use)
        import pyarrow.parquet as pq

        return lambda: pq.read_table(paths.parquet)

    import queries

    if phase == "validate":
        import inclusionkit
        from inclusionkit._rules import validate_participations

        frame = inclusionkit.read_participations(paths.parquet)
        return lambda: validate_participations(frame)
    if phase == "compute":
        if engine == "inclusionkit":
            import inclusionkit

            frame = inclusionkit.read_participations(paths.parquet)
            queries.inclusionkit_table(frame.head(1000), as_of)  # import the engine's modules
            return lambda: queries.inclusionkit_table(frame, as_of)
        if engine == "duckdb":
            con = queries.duckdb_connect()
            queries.duckdb_load(con, paths.parquet)
            return lambda: queries.duckdb_table(con, "p", as_of)
        import polars as pl

        polars_frame = pl.read_parquet(paths.parquet)
        return lambda: queries.polars_table(polars_frame, as_of)
    if phase in ("parquet_compute", "csv_compute"):
        source = paths.parquet if phase == "parquet_compute" else paths.csv
        if engine == "inclusionkit":
            from inclusionkit._rules import compute  # noqa: F401  (imports are never timed)

            _inclusionkit_imported()

            # compute() takes the path itself: whatever reading strategy the library chooses
            # (the in-memory engine's projected read, a streaming reader) is what gets measured.
            return lambda: queries.inclusionkit_table(str(source), as_of)
        if engine == "duckdb":
            con = queries.duckdb_connect()
            return lambda: queries.duckdb_table(con, _duckdb_source(phase, paths), as_of)
        import polars  # noqa: F401  (imports are never timed)

        scan = queries.polars_scan if phase == "parquet_compute" else queries.polars_scan_csv
        return lambda: queries.polars_table(scan(source), as_of)
    raise ValueError(f"unknown case {case}")


def _fingerprint(result: Any) -> str | None:
    import pandas as pd

    if isinstance(result, pd.DataFrame) and "indicator" in result.columns:
        import queries

        return queries.result_hash(result)
    return None


def _cpu_seconds() -> tuple[float, float]:
    """The process's CPU time so far (all threads): user and system."""
    times = os.times()
    return times.user, times.system


def _duckdb_source(phase: str, paths: generate.Paths) -> str:
    """The FROM clause of DuckDB's query in a phase: the Parquet file, or the CSV with its
    types (``process_csv``, ``csv_compute``)."""
    if phase in ("parquet_compute", "process_parquet", "process_streaming"):
        return f"read_parquet('{paths.parquet}')"
    names = {"string": "VARCHAR", "date32[day]": "DATE", "int8": "TINYINT", "bool": "BOOLEAN"}
    columns = ", ".join(f"'{f.name}': '{names[str(f.type)]}'" for f in generate.SCHEMA)
    return (
        f"read_csv('{paths.csv}', header = true, delim = ',', dateformat = '%Y-%m-%d', "
        f"columns = {{{columns}}})"
    )


def _process_argv(case: Case, paths: generate.Paths, as_of: dt.date, out: Path) -> list[str]:
    """The command line of a whole-process case, writing its report to ``out`` (a CSV file);
    for the imports phase, the command's imports alone."""
    if case.phase == IMPORTS_PHASE:
        return [sys.executable, "-c", IMPORTS_CODE[case.engine]]
    if case.engine == "inclusionkit":
        source = paths.csv if case.phase == "process_csv" else paths.parquet
        engine = ["--engine", "streaming"] if case.phase == "process_streaming" else []
        # The console script a user runs, next to this interpreter (python -m as a fallback).
        script = Path(sys.executable).with_name("inclusionkit")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "inclusionkit"]
        return [
            *command,
            "report",
            str(source),
            "--rules",
            "esf-2014",
            "--by",
            ",".join(("region", "gender")),
            "--as-of",
            as_of.isoformat(),
            "--no-progress",
            *engine,
            "-o",
            str(out),
        ]
    import queries

    sql = queries.duckdb_sql(_duckdb_source(case.phase, paths), as_of)
    code = (
        "import sys, duckdb; con = duckdb.connect(); "
        "con.execute(f\"COPY ({sys.argv[1]}) TO '{sys.argv[2]}' (HEADER)\")"
    )
    return [sys.executable, "-c", code, sql, str(out)]


def _run_process(argv: list[str]) -> dict[str, Any]:
    """Run one child process; its wall time, CPU time and peak RSS (from ``wait4``)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    with child.stderr:
        stderr = child.stderr.read()  # a report prints one summary line; never blocks the child
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"{argv[0]} exited {child.returncode}: {tail[0]}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "user_seconds": usage.ru_utime,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
    }


def _process_result(case: Case, out: Path) -> str:
    """The fingerprint of a whole-process case's report, in the same tidy form as the others."""
    import pandas as pd
    import queries

    table = pd.read_csv(out, dtype={"region": str, "gender": str}, keep_default_na=False)
    if case.engine == "duckdb":
        # The query's wide rows: region, gender, then one column per indicator, in order.
        return queries.result_hash(queries.tidy(list(table.itertuples(index=False, name=None))))
    return queries.result_hash(queries.normalise(table))


def process_worker(case: Case, paths: generate.Paths, as_of: dt.date) -> dict[str, Any]:
    """One whole-process case: the command as a fresh child process, its report checked."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="inclusionkit-bench-") as tmp:
        out = Path(tmp) / "report.csv"
        measured = _run_process(_process_argv(case, paths, as_of, out))
        fingerprint = None if case.phase == IMPORTS_PHASE else _process_result(case, out)
    return {
        **measured,
        "start_rss_mib": None,
        "peak_is_phase_only": False,
        "result_hash": fingerprint,
        "warm_seconds": None,  # every run of a command is a first call
    }


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    case = Case(**spec["case"])
    paths = generate.paths_for(spec["rows"], Path(spec["data"]))
    as_of = dt.date.fromisoformat(spec["as_of"])
    if case.phase in PROCESS_PHASES:
        return process_worker(case, paths, as_of)
    run = _prepare(case, paths, as_of)
    gc.collect()
    start_rss = _rss_kib("VmRSS")
    reset = _reset_peak()
    user_started, system_started = _cpu_seconds()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    user, system = _cpu_seconds()
    peak = _rss_kib("VmHWM")
    out: dict[str, Any] = {
        "seconds": seconds,
        # CPU time (all threads) is far less disturbed than wall time when other jobs share the
        # two cores; its ratio is a cross-check on the wall-time ratio, not a replacement.
        "cpu_seconds": (user - user_started) + (system - system_started),
        # User time alone: in these VMs the kernel's time to fault in fresh memory varies
        # tenfold between runs of the same read (docs/performance.md, eighth session).
        "user_seconds": user - user_started,
        "start_rss_mib": start_rss / 1024,
        "peak_rss_mib": peak / 1024,
        "peak_is_phase_only": reset,
        "result_hash": _fingerprint(result),
    }
    # A second call in the same process: allocation-heavy code (pandas conversion) is markedly
    # slower the first time in these VMs (performance notes §7), so both numbers are worth seeing.
    del result
    gc.collect()
    started = time.perf_counter()
    run()
    out["warm_seconds"] = time.perf_counter() - started
    return out


# ---------------------------------------------------------------------------------------------
# The driver


@dataclass
class Measurement:
    phase: str
    engine: str
    rows: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.runs if r.get(key) is not None]
        return statistics.median(values) if values else None


def worker_spec(case: Case, rows: int, data: Path, as_of: dt.date) -> dict[str, Any]:
    """What :func:`worker` is given for one run of ``case`` (JSON-ready: it crosses a process)."""
    return {"case": asdict(case), "rows": rows, "data": str(data), "as_of": as_of.isoformat()}


def _run_worker(case: Case, rows: int, data: Path, as_of: dt.date) -> dict[str, Any]:
    spec = worker_spec(case, rows, data, as_of)
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return {"error": f"exit {done.returncode}: {tail[0]}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _warm_page_cache(paths: list[Path]) -> None:
    """Read every input once so each case starts with the files in the page cache."""
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass


def _compile_bytecode() -> list[str]:
    """Compile inclusionkit's and its plugins' modules to bytecode before any case runs.

    An installed package has its ``.pyc`` files (pip compiles them), and an editable checkout
    writes them on its first run, unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is on the
    development machine: then every fresh process compiled about 100 modules again (0.2-0.3 s
    of each whole-process case, which DuckDB's installed package never pays). Compiling once
    here measures what a user's process does. Returns the folders compiled."""
    import compileall
    import importlib.metadata
    import importlib.util

    # The plugins are the packages of the `inclusionkit` entry points.
    plugins = {
        ep.value.split(":")[0].split(".")[0]
        for ep in importlib.metadata.entry_points(group="inclusionkit")
    }
    folders: list[str] = []
    for name in ("inclusionkit", *sorted(plugins - {"inclusionkit"})):
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)
            folders.append(folder)
    return folders


def _arrow_sizes(paths: generate.Paths) -> dict[str, float]:
    """Size of the table in Arrow format (the memory target's yardstick) and as a pandas frame."""
    code = (
        "import json, sys, pyarrow.parquet as pq, inclusionkit;"
        "t = pq.read_table(sys.argv[1]);"
        "f = inclusionkit.read_participations(sys.argv[1]);"
        "print(json.dumps({'arrow_mib': t.nbytes / 2**20,"
        " 'pandas_mib': int(f.memory_usage(deep=True).sum()) / 2**20}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(paths.parquet)],
        capture_output=True,
        text=True,
        check=True,
    )
    sizes: dict[str, float] = json.loads(done.stdout)
    return sizes


def _load() -> dict[str, Any]:
    """How busy the machine was (other jobs share these two cores): load and CPU pressure."""
    out: dict[str, Any] = {"loadavg_1_5_15": list(os.getloadavg())}
    with contextlib.suppress(OSError):
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        out["cpu_pressure_some"] = dict(item.split("=") for item in first.split()[1:])
    return out


def machine_info() -> dict[str, Any]:
    import importlib.metadata as md

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    ram_gib = None
    with contextlib.suppress(ValueError, OSError):
        ram_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    versions: dict[str, str | None] = {}
    for package in ("inclusionkit", "pandas", "pyarrow", "numpy", "duckdb", "polars"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            versions[package] = None
    return {
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def run_size(
    rows: int, repeat: int, phases: tuple[str, ...], data: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    started = time.perf_counter()
    # The streaming phase alone reads only the Parquet file (100M rows of CSV would be 39 GB),
    # and the table's in-memory sizes are not measured (they would not fit).
    streaming_only = set(phases) <= set(ON_REQUEST_PHASES)
    formats = ("parquet",) if streaming_only else generate.FORMATS
    paths = generate.generate(rows, data, formats=formats)
    inputs = list(paths.of(formats))
    if XLSX_PHASE in phases:
        inputs.append(generate.generate_xlsx(data))
    log(f"[{rows:,}] data ready in {time.perf_counter() - started:.1f} s ({paths.parquet.name})")
    _warm_page_cache(inputs)
    sizes = {"arrow_mib": None, "pandas_mib": None} if streaming_only else _arrow_sizes(paths)
    measurements = {
        (c.phase, c.engine): Measurement(c.phase, c.engine, rows)
        for c in CASES
        if c.phase in phases
    }
    for phase in phases:
        cases = [c for c in CASES if c.phase == phase]
        for attempt in range(repeat):
            for case in cases:  # interleaved: each round runs every engine once
                result = _run_worker(case, rows, data, generate.AS_OF)
                m = measurements[(case.phase, case.engine)]
                if "error" in result:
                    m.errors.append(result["error"])
                    log(f"[{rows:,}] {phase:<16} {case.engine:<13} #{attempt + 1} FAILED "
                        f"{result['error']}")  # fmt: skip
                    continue
                m.runs.append(result)
                log(
                    f"[{rows:,}] {phase:<16} {case.engine:<13} #{attempt + 1} "
                    f"{result['seconds']:8.3f} s  peak {result['peak_rss_mib']:8.0f} MiB"
                )
            # A case that failed on its first attempt will fail again: do not repeat it.
            cases = [c for c in cases if not measurements[(c.phase, c.engine)].errors]
    return {
        "rows": rows,
        "load": _load(),
        "files": {p.name: round(p.stat().st_size / 2**20, 1) for p in paths.of(formats)},
        **sizes,
        "measurements": [
            {
                "phase": m.phase,
                "engine": m.engine,
                "median_s": m.median("seconds"),
                "median_warm_s": m.median("warm_seconds"),
                "median_cpu_s": m.median("cpu_seconds"),
                "median_user_s": m.median("user_seconds"),
                "median_peak_rss_mib": m.median("peak_rss_mib"),
                "median_start_rss_mib": m.median("start_rss_mib"),
                "result_hashes": sorted({r["result_hash"] for r in m.runs if r["result_hash"]}),
                "runs": m.runs,
                "errors": m.errors,
            }
            for m in measurements.values()
        ],
        "seconds": time.perf_counter() - started,
    }


# ---------------------------------------------------------------------------------------------
# The report


def _find(size: dict[str, Any], phase: str, engine: str) -> dict[str, Any] | None:
    for m in size["measurements"]:
        if m["phase"] == phase and m["engine"] == engine:
            found: dict[str, Any] = m
            return found
    return None


def _fmt_s(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _fmt_mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _verdict(ratio: float | None, target: float | None) -> str:
    if ratio is None:
        return "not measured"
    if target is None:
        return "(info)"
    return "holds" if ratio <= target else "**misses**"


def markdown(report: dict[str, Any]) -> str:
    info = report["machine"]
    loads = ", ".join(
        f"{size['rows']:,} rows: load {size['load']['loadavg_1_5_15'][1]:.1f} (5 min), "
        f"CPU pressure {size['load'].get('cpu_pressure_some', {}).get('avg300', '?')}% (5 min)"
        for size in report["sizes"]
    )
    lines = [
        f"Run {report['started']} — `{report['command'].strip()}` ({report['effective']})",
        "",
        f"Machine load at the end of each size (other jobs share the cores): {loads}.",
        "",
        f"Machine: {info['cores']} cores, {info['ram_gib']} GiB RAM, {info['cpu']}; "
        f"Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v),
        f"Median of {report['repeat']} fresh processes per case; as of {report['as_of']}.",
        "",
        "| phase | rows | inclusionkit s | reference | reference s | ratio | target | verdict "
        "| CPU-time ratio | user-CPU ratio |",
        "|---|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    for size in report["sizes"]:
        for c in COMPARISONS:
            ours, ref = _find(size, c.phase, c.engine), _find(size, c.phase, c.reference)
            if ours is None or ref is None:
                continue
            a, b = ours["median_s"], ref["median_s"]
            ratio = a / b if a is not None and b else None
            target = "–" if c.target is None else f"≤ {c.target}×"
            cpu_a, cpu_b = ours.get("median_cpu_s"), ref.get("median_cpu_s")
            cpu = f"{cpu_a / cpu_b:.2f}×" if cpu_a is not None and cpu_b else "–"
            user_a, user_b = ours.get("median_user_s"), ref.get("median_user_s")
            user = f"{user_a / user_b:.2f}×" if user_a is not None and user_b else "–"
            shown = generate.XLSX_ROWS if c.phase == XLSX_PHASE else size["rows"]
            lines.append(
                f"| {c.label} | {shown:,} | {_fmt_s(a)} | {c.reference} | {_fmt_s(b)} "
                f"| {'–' if ratio is None else f'{ratio:.2f}×'} | {target} "
                f"| {_verdict(ratio, c.target)} | {cpu} | {user} |"
            )
    lines += _process_lines(report)
    lines += _streaming_lines(report)
    lines += [
        "",
        "| validate | rows | seconds | rows/s | target | verdict |",
        "|---|---:|---:|---:|---|---|",
    ]
    for size in report["sizes"]:
        v = _find(size, "validate", "inclusionkit")
        if v is None:
            continue
        seconds = v["median_s"]
        rate = "–" if seconds is None else f"{size['rows'] / seconds:,.0f}"
        verdict = "(info)"
        if size["rows"] >= 10_000_000:
            # "holds" when the time is at most the time the target rate allows.
            verdict = _verdict(seconds, size["rows"] / VALIDATE_TARGET_ROWS_S)
        lines.append(
            f"| validate_participations | {size['rows']:,} | {_fmt_s(seconds)} | {rate} "
            f"| ≥ {VALIDATE_TARGET_ROWS_S / 1e6:g}M rows/s at 10M | {verdict} |"
        )
    lines += [
        "",
        "Peak RSS of each phase (VmHWM, MiB; the process's input — the loaded table for the "
        "compute phase — is included) and the table's size in Arrow format:",
        "",
        "| rows | Arrow MiB | pandas MiB | phase | engine | peak MiB | start MiB "
        "| peak / Arrow | (peak − start) / Arrow |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    for size in report["sizes"]:
        arrow = size["arrow_mib"]
        for m in size["measurements"]:
            peak, start = m["median_peak_rss_mib"], m["median_start_rss_mib"]
            ratio = "–" if peak is None or not arrow else f"{peak / arrow:.2f}×"
            growth = (
                "–"
                if peak is None or start is None or not arrow
                else f"{(peak - start) / arrow:.2f}×"
            )
            lines.append(
                f"| {size['rows']:,} | {_fmt_mib(arrow)} | {_fmt_mib(size['pandas_mib'])} "
                f"| {m['phase']} | {m['engine']} | {_fmt_mib(peak)} "
                f"| {_fmt_mib(start)} | {ratio} | {growth} |"
            )
    lines += [
        "",
        "First call (the figure above: what a fresh CLI process sees) and a second, warm call "
        "in the same process, with the warm ratio to the same reference:",
        "",
        "| phase | rows | engine | first s | warm s | warm ratio |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for size in report["sizes"]:
        for m in size["measurements"]:
            warm = m["median_warm_s"]
            reference = next(
                (c.reference for c in COMPARISONS if c.phase == m["phase"] and c.target), None
            )
            ref = _find(size, m["phase"], reference) if reference else None
            ratio = "–"
            if m["engine"] == "inclusionkit" and ref and ref["median_warm_s"] and warm:
                ratio = f"{warm / ref['median_warm_s']:.2f}×"
            lines.append(
                f"| {m['phase']} | {size['rows']:,} | {m['engine']} | {_fmt_s(m['median_s'])} "
                f"| {_fmt_s(warm)} | {ratio} |"
            )
    lines += ["", _agreement(report)]
    failures = [
        f"- {size['rows']:,} {m['phase']} {m['engine']}: {m['errors'][0]}"
        for size in report["sizes"]
        for m in size["measurements"]
        if m["errors"]
    ]
    if failures:
        lines += ["", "Failed cases:", *failures]
    return "\n".join(lines) + "\n"


def _process_lines(report: dict[str, Any]) -> list[str]:
    """The file → report tables, whole process and in process: wall time and peak RSS of each
    case against DuckDB's, and both ratios (issue 15 holds each to ≤ 1× in both)."""
    whole = _wall_and_memory_rows(report, ("process_parquet", "process_csv"))
    inside = _wall_and_memory_rows(report, ("parquet_compute", "csv_compute"))
    header = [
        "| input | rows | inclusionkit s | inclusionkit MiB | DuckDB s | DuckDB MiB "
        "| wall ratio | memory ratio | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines: list[str] = []
    if whole:
        lines += [
            "",
            "Whole process (`inclusionkit report FILE -o out.csv` against `python -c` running the "
            "DuckDB query with COPY to CSV; spawn to exit, peak RSS from `wait4`), target "
            f"≤ {PROCESS_MEMORY_TARGET:g}× in wall time and in peak memory:",
            "",
            *header,
            *whole,
        ]
    after = _after_imports_rows(report, ("process_parquet", "process_csv"))
    if after:
        lines += [
            "",
            "The same commands' imports alone (a fresh `python -c` importing what each command "
            "has imported when its work starts, then exiting as it does), and the whole process "
            "less them (information). inclusionkit's work is given twice: pandas counted as work "
            "(the command imports it beside Arrow's read, which hides part of it) and as an "
            "import; the truth lies between:",
            "",
            "| input | rows | inclusionkit imports s (+ pandas) | DuckDB imports s "
            "| inclusionkit after imports s (pandas as import) | DuckDB after imports s "
            "| ratio after imports (pandas as import) |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *after,
        ]
    if inside:
        lines += [
            "",
            "In process (`compute(FILE)` against the DuckDB query over the file, each a first "
            "call in a fresh worker; peak RSS is the worker's VmHWM, its imports included), "
            f"target ≤ {PROCESS_MEMORY_TARGET:g}× in wall time and in peak memory:",
            "",
            *header,
            *inside,
        ]
    return lines


def _wall_and_memory_rows(report: dict[str, Any], phases: tuple[str, ...]) -> list[str]:
    """One table row per size and phase of ``phases``: inclusionkit's wall time and peak RSS
    against DuckDB's, both ratios, and the verdict on the larger of the two."""
    rows = []
    for size in report["sizes"]:
        for phase in phases:
            ours, ref = _find(size, phase, "inclusionkit"), _find(size, phase, "duckdb")
            if ours is None or ref is None:
                continue
            a, b = ours["median_s"], ref["median_s"]
            ma, mb = ours["median_peak_rss_mib"], ref["median_peak_rss_mib"]
            wall = a / b if a is not None and b else None
            memory = ma / mb if ma is not None and mb else None
            both = None if wall is None or memory is None else max(wall, memory)
            source = "parquet" if "parquet" in phase else "csv"
            rows.append(
                f"| {source} | {size['rows']:,} | {_fmt_s(a)} "
                f"| {_fmt_mib(ma)} | {_fmt_s(b)} | {_fmt_mib(mb)} "
                f"| {'–' if wall is None else f'{wall:.2f}×'} "
                f"| {'–' if memory is None else f'{memory:.2f}×'} "
                f"| {_verdict(both, PROCESS_MEMORY_TARGET)} |"
            )
    return rows


def _after_imports_rows(report: dict[str, Any], phases: tuple[str, ...]) -> list[str]:
    """One table row per size and phase of ``phases`` measured with the imports phase: each
    command's imports, its whole process less them, and the ratio of what is left (inclusionkit's
    without and with pandas among the imports)."""
    rows = []
    for size in report["sizes"]:
        found = [_find(size, IMPORTS_PHASE, engine) for engine in IMPORTS_CODE]
        medians = [None if m is None else m["median_s"] for m in found]
        if None in medians:
            continue
        *ours_imports, duckdb_imports = medians  # IMPORTS_CODE's order: ours, then DuckDB's
        for phase in phases:
            ours, ref = _find(size, phase, "inclusionkit"), _find(size, phase, "duckdb")
            if ours is None or ref is None or ours["median_s"] is None or not ref["median_s"]:
                continue
            left = [ours["median_s"] - seconds for seconds in ours_imports]
            ref_left = ref["median_s"] - duckdb_imports
            ratios = [f"{a / ref_left:.2f}×" if ref_left > 0 else "–" for a in left]
            source = "parquet" if "parquet" in phase else "csv"
            rows.append(
                f"| {source} | {size['rows']:,} | {_fmt_s(ours_imports[0])} "
                f"({_fmt_s(ours_imports[1])}) | {_fmt_s(duckdb_imports)} "
                f"| {_fmt_s(left[0])} ({_fmt_s(left[1])}) | {_fmt_s(ref_left)} "
                f"| {ratios[0]} ({ratios[1]}) |"
            )
    return rows


def _streaming_lines(report: dict[str, Any]) -> list[str]:
    """The streaming table: the whole command's wall time, CPU time and peak RSS against the
    issue's absolute targets, with DuckDB's same query over the file for comparison."""
    rows = []
    for size in report["sizes"]:
        ours, ref = (
            _find(size, "process_streaming", "inclusionkit"),
            _find(size, "process_streaming", "duckdb"),
        )
        if ours is None:
            continue
        wall, memory = ours["median_s"], ours["median_peak_rss_mib"]
        holds = None
        if wall is not None and memory is not None:
            holds = max(wall / STREAMING_TARGET_S, memory / STREAMING_TARGET_MIB)
        rows.append(
            f"| {size['rows']:,} | {_fmt_s(wall)} | {_fmt_s(ours['median_cpu_s'])} "
            f"| {_fmt_mib(memory)} | {_fmt_s(None if ref is None else ref['median_s'])} "
            f"| {_fmt_mib(None if ref is None else ref['median_peak_rss_mib'])} "
            f"| {_verdict(holds, 1.0)} |"
        )
    if not rows:
        return []
    return [
        "",
        "Streaming, whole process (`inclusionkit report FILE.parquet --engine streaming -o "
        "out.csv`; spawn to exit, peak RSS from `wait4`), target under "
        f"{STREAMING_TARGET_S:g} s and {STREAMING_TARGET_MIB:,.0f} MiB (1.1 GiB); DuckDB's same "
        "query over the file for comparison:",
        "",
        "| rows | inclusionkit s | inclusionkit CPU s | inclusionkit MiB | DuckDB s | DuckDB MiB "
        "| verdict |",
        "|---:|---:|---:|---:|---:|---:|---|",
        *rows,
    ]


def _agreement(report: dict[str, Any]) -> str:
    notes = []
    for size in report["sizes"]:
        hashes = {
            (m["phase"], m["engine"]): m["result_hashes"]
            for m in size["measurements"]
            if m["result_hashes"]
        }
        distinct = {h for hs in hashes.values() for h in hs}
        if not distinct:
            continue
        if len(distinct) == 1:
            notes.append(
                f"{size['rows']:,} rows: all {len(hashes)} computing cases gave the same "
                f"table (hash {distinct.pop()})."
            )
        else:
            listing = "; ".join(f"{p}/{e}: {','.join(h)}" for (p, e), h in hashes.items())
            notes.append(f"{size['rows']:,} rows: **results differ** — {listing}")
    return "\n".join(notes)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated row counts (default: 1000000,10000000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case")
    parser.add_argument(
        "--phases",
        default=",".join(DEFAULT_PHASES),
        help=f"subset of {','.join(PHASES)} (default: all but {','.join(ON_REQUEST_PHASES)})",
    )
    parser.add_argument("--data", type=Path, default=generate.DATA_DIR)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--label", default="", help="a note stored with the results")
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    phases = tuple(p for p in args.phases.split(",") if p)
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases {sorted(unknown)}; choose from {PHASES}")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    compiled = _compile_bytecode()
    log(f"bytecode compiled in {len(compiled)} package folder(s)")
    started = dt.datetime.now().astimezone()
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "command": ".venv/bin/python benchmarks/run.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "effective": f"--sizes {','.join(map(str, sizes))} --repeat {args.repeat} "
        f"--phases {','.join(phases)}",
        "label": args.label,
        "repeat": args.repeat,
        "as_of": generate.AS_OF.isoformat(),
        "machine": machine_info(),
        "sizes": [],
    }
    # The xlsx phase reads the same workbook at every size: once, at the first size with as
    # many rows as the workbook.
    xlsx_at = next((rows for rows in sizes if rows >= generate.XLSX_ROWS), None)
    for rows in sizes:
        size_phases = tuple(p for p in phases if p != XLSX_PHASE or rows == xlsx_at)
        report["sizes"].append(run_size(rows, args.repeat, size_phases, args.data, log))
    report["seconds"] = (dt.datetime.now().astimezone() - started).total_seconds()
    text = markdown(report)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    # latest.* are committed; the time-stamped copies go to the git-ignored tmp/.
    stamp = started.strftime("%Y%m%dT%H%M%S")
    (args.out / "tmp").mkdir(parents=True, exist_ok=True)
    for base in (args.out / "latest", args.out / "tmp" / stamp):
        base.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
        base.with_suffix(".md").write_text(text)
    log(f"total {report['seconds']:.0f} s; results in {args.out}/latest.md and latest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
