"""Seeded generator of realistic canonical participation tables of any size.

Usage::

    .venv/bin/python benchmarks/generate.py --rows 1000000 [--out benchmarks/data] [--seed 20142020]

writes ``participations-1000000.parquet``, ``participations-1000000.csv`` (ISO dates, ``,``) and
``participations-1000000-ro.csv`` (``DD.MM.YYYY`` dates, ``;``) with the canonical columns of
``shared/reference/participation-table.md``. ``--xlsx`` also writes ``register-100000.xlsx``, the
Excel register of the xlsx phase (:func:`generate_xlsx`). ``--formats parquet`` writes only
the Parquet file (the 100M streaming benchmark needs 2.4 GB of Parquet, not 39 GB of CSV).

Rows are produced in chunks of one million, each from ``numpy.random.default_rng([seed, chunk])``,
so any size is generated in bounded memory, a rerun is byte-identical, and the first million rows
of every larger file are the 1M file. Values are correlated the way real ESF microdata are (see
performance-notes §2): labour status and ISCED depend on the age band, jobless households on the
labour status, results on the status at entry, and so on. On top of that the table carries the
awkward cases the contract defines, so every engine in the benchmark has to implement them:

- re-entries: ~2% of participations are two rows with the same (project_code, participant_id),
  the second entering after the first left, with its own characteristics and results;
- the same person (same id, gender, birth date) in two different projects (~1% of rows);
- incomplete records (~1%: gender, labour_status or isced empty) and a few invalid labour statuses;
- refused sensitive data (~3%: minority, migrant, foreign_background, disability and
  other_disadvantaged all empty);
- entries after the benchmark's as-of date and exits after it.

There are never two rows of one participation with the same entry date or the same exit date:
the contract's re-entry merge is then unambiguous, and any two engines that implement it must
agree exactly.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SEED = 20142020
CHUNK_ROWS = 1_000_000
XLSX_ROWS = 100_000  # the register of the read_xlsx phase (issue 15: an xlsx register of 100k rows)
ROW_GROUP_ROWS = 122_880  # DuckDB's own row-group size; larger groups starve its threads
DATA_DIR = Path(__file__).resolve().parent / "data"

# The date the data were "extracted": exits after it are unknown (still in the operation) and six-
# month results need exit + 183 days before it. The benchmark computes as of an earlier date
# (AS_OF) so that the as-of rules (later entries dropped, later exits open) change the counts.
EXTRACTED = dt.date(2024, 6, 30)
AS_OF = dt.date(2023, 12, 31)
FIRST_ENTRY = dt.date(2015, 1, 1)
LAST_ENTRY = dt.date(2024, 5, 31)

REGIONS = ("RO11", "RO12", "RO21", "RO22", "RO31", "RO32", "RO41", "RO42")
REGION_WEIGHTS = (0.12, 0.11, 0.17, 0.13, 0.14, 0.09, 0.11, 0.13)
RURAL_SHARE = (0.45, 0.50, 0.55, 0.48, 0.52, 0.08, 0.50, 0.40)  # Bucharest-Ilfov is urban
PROJECTS_PER_REGION = 375

GENDERS = ("female", "male", "non_binary")
GENDER_WEIGHTS = (0.52, 0.479, 0.001)

STATUSES = (
    "employed",
    "self_employed",
    "unemployed",
    "long_term_unemployed",
    "inactive_in_education",
    "inactive",
)
# Status at entry by age band (16-24, 25-54, 55-64): many young people are in education, many
# older ones long-term unemployed or inactive.
STATUS_BY_BAND = np.array(
    [
        [0.15, 0.02, 0.20, 0.08, 0.40, 0.15],
        [0.35, 0.06, 0.22, 0.17, 0.05, 0.15],
        [0.25, 0.05, 0.20, 0.26, 0.01, 0.23],
    ]
)
ISCED_BY_BAND = np.array(
    [
        [0.02, 0.10, 0.30, 0.45, 0.03, 0.02, 0.06, 0.02, 0.00],
        [0.02, 0.08, 0.22, 0.35, 0.08, 0.03, 0.15, 0.06, 0.01],
        [0.04, 0.15, 0.30, 0.32, 0.06, 0.02, 0.07, 0.03, 0.01],
    ]
)
BAND_WEIGHTS = (0.30, 0.58, 0.12)
BAND_YEARS = ((16, 25), (25, 55), (55, 65))
# employed_at_exit by status at entry (same order as STATUSES)
EMPLOYED_AT_EXIT = np.array([0.86, 0.80, 0.25, 0.15, 0.07, 0.10])
JOBLESS_HOUSEHOLD = np.array([0.02, 0.02, 0.48, 0.48, 0.30, 0.30])

SENSITIVE = ("minority", "migrant", "foreign_background", "disability", "other_disadvantaged")

SCHEMA = pa.schema(
    [
        ("participant_id", pa.string()),
        ("project_code", pa.string()),
        ("gender", pa.string()),
        ("birth_date", pa.date32()),
        ("entry_date", pa.date32()),
        ("exit_date", pa.date32()),
        ("labour_status", pa.string()),
        ("isced", pa.int8()),
        ("jobless_household", pa.bool_()),
        ("dependent_children", pa.bool_()),
        ("single_adult_household", pa.bool_()),
        ("minority", pa.bool_()),
        ("migrant", pa.bool_()),
        ("foreign_background", pa.bool_()),
        ("third_country_national", pa.bool_()),
        ("disability", pa.bool_()),
        ("other_disadvantaged", pa.bool_()),
        ("homeless", pa.bool_()),
        ("rural", pa.bool_()),
        ("job_searching_at_exit", pa.bool_()),
        ("education_at_exit", pa.bool_()),
        ("qualification_at_exit", pa.bool_()),
        ("employed_at_exit", pa.bool_()),
        ("employed_6m", pa.bool_()),
        ("improved_situation_6m", pa.bool_()),
        ("region", pa.string()),
        ("partner", pa.string()),
    ]
)
"""The canonical columns in canonical order, with their Parquet types."""


def _days(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


FORMATS = ("parquet", "csv", "csv_ro")
"""The files ``generate`` can write, by the name of their field in :class:`Paths`."""


@dataclass(frozen=True)
class Paths:
    parquet: Path
    csv: Path
    csv_ro: Path

    def all(self) -> tuple[Path, Path, Path]:
        return (self.parquet, self.csv, self.csv_ro)

    def of(self, formats: tuple[str, ...]) -> tuple[Path, ...]:
        """The paths of ``formats`` (names of :data:`FORMATS`), in that order."""
        return tuple(getattr(self, name) for name in formats)


def paths_for(rows: int, out: Path = DATA_DIR) -> Paths:
    stem = out / f"participations-{rows}"
    return Paths(
        parquet=stem.with_suffix(".parquet"),
        csv=stem.with_suffix(".csv"),
        csv_ro=out / f"participations-{rows}-ro.csv",
    )


def _projects() -> tuple[np.ndarray, np.ndarray]:
    """The 3,000 project codes and their partners, fixed for every size (rng of the seed only)."""
    rng = np.random.default_rng([SEED, 999_999])
    n = len(REGIONS) * PROJECTS_PER_REGION
    calls = rng.integers(100, 400, n)
    axes = rng.integers(1, 7, n)
    smis = rng.permutation(900_000)[:n] + 100_000
    codes = np.array(
        [f"POCU/{calls[i]}/{axes[i]}/{axes[i]}.{(i % 3) + 1}/{smis[i]}" for i in range(n)],
        dtype=object,
    )
    partners = np.array([f"ORG{i // 2:04d}" for i in range(n)], dtype=object)
    return codes, partners


_PROJECT_CODES, _PARTNERS = _projects()


def _ids(global_index: np.ndarray) -> pa.Array:
    """``P`` + 10 digits: a bijection of the global row number, so ids are unique and unordered."""
    scrambled = (global_index.astype(np.uint64) * np.uint64(6364136223) + np.uint64(1442695)) % (
        np.uint64(10) ** np.uint64(10)
    )
    # Build the fixed-width text in numpy: one Python string per row would dominate the run time.
    digits = np.empty((len(scrambled), 11), dtype=np.uint8)
    digits[:, 0] = ord("P")
    rest = scrambled.copy()
    for position in range(10, 0, -1):
        digits[:, position] = (rest % np.uint64(10)).astype(np.uint8) + ord("0")
        rest //= np.uint64(10)
    fixed = digits.view("S11").ravel()
    return pa.array(fixed, type=pa.binary()).cast(pa.string())


def _bools(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.bool_(), mask=null)


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype("int32"), type=pa.int32(), mask=null).cast(pa.date32())


def _pick(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One categorical draw per row, from the probability vector of that row's class."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    u = rng.random(len(rows))
    picked: np.ndarray = (u[:, None] > cumulative[rows]).sum(axis=1)
    return picked


def generate_chunk(chunk: int, rows: int, seed: int = SEED) -> pa.Table:
    """Rows ``chunk * CHUNK_ROWS`` to ``+ rows`` of the table, independent of the total size."""
    rng = np.random.default_rng([seed, chunk])
    n = rows
    index = np.arange(n)
    global_index = chunk * CHUNK_ROWS + index

    region = rng.choice(len(REGIONS), n, p=REGION_WEIGHTS)
    project = region * PROJECTS_PER_REGION + rng.integers(0, PROJECTS_PER_REGION, n)
    gender = rng.choice(len(GENDERS), n, p=GENDER_WEIGHTS)
    band = rng.choice(3, n, p=BAND_WEIGHTS)
    low = np.array([y[0] for y in BAND_YEARS])[band]
    high = np.array([y[1] for y in BAND_YEARS])[band]
    # Age in days, uniform within the band, so exact birthdays (and 29 February) occur.
    age_days = (low * 365.25 + rng.random(n) * (high - low) * 365.25).astype(np.int64)
    entry = rng.integers(_days(FIRST_ENTRY), _days(LAST_ENTRY) + 1, n)
    birth = entry - age_days
    duration = 30 + np.minimum(rng.exponential(230, n), 1400).astype(np.int64)
    exit_ = entry + duration

    # Pairs of adjacent rows (2i, 2i+1) become either a re-entry (same participation twice) or the
    # same person in another project. Pairing keeps the two kinds disjoint and the merge exact.
    pair_kind = rng.random(n // 2)
    first = 2 * np.arange(n // 2)
    second = first + 1
    reentry = (pair_kind < 0.04) & (exit_[first] <= _days(EXTRACTED) - 30)
    two_projects = (pair_kind >= 0.04) & (pair_kind < 0.06)
    gap = rng.integers(1, 200, n // 2)
    other_project = rng.integers(1, PROJECTS_PER_REGION, n // 2)

    person = global_index.copy()
    for selected in (reentry, two_projects):
        a, b = first[selected], second[selected]
        person[b] = person[a]
        gender[b] = gender[a]
        region[b] = region[a]
        birth[b] = birth[a]
    a, b = first[reentry], second[reentry]
    project[b] = project[a]
    # Re-entry after leaving: strictly later entry and (if left) strictly later exit than row a.
    entry[b] = exit_[a] + gap[reentry]
    entry[b] = np.minimum(entry[b], _days(EXTRACTED) - 1)
    exit_[b] = entry[b] + duration[b]
    a, b = first[two_projects], second[two_projects]
    # The same person joins another project within a few months of the first one.
    entry[b] = np.clip(entry[a] + gap[two_projects] - 100, _days(FIRST_ENTRY), _days(LAST_ENTRY))
    exit_[b] = entry[b] + duration[b]
    project[b] = region[a] * PROJECTS_PER_REGION + (
        (project[a] % PROJECTS_PER_REGION + other_project[two_projects]) % PROJECTS_PER_REGION
    )
    # The age band follows the (possibly copied) birth date, so statuses stay plausible.
    age_years = (entry - birth) / 365.25
    band = np.where(age_years < 25, 0, np.where(age_years < 55, 1, 2))

    left = exit_ <= _days(EXTRACTED)
    status = _pick(rng, STATUS_BY_BAND, band)
    isced = _pick(rng, ISCED_BY_BAND, band)
    isced = np.where(age_years < 19, np.minimum(isced, 3), isced)

    employed = status <= 1
    unemployed = (status == 2) | (status == 3)
    rural = rng.random(n) < np.array(RURAL_SHARE)[region]
    minority = rng.random(n) < np.where(rural & ~employed, 0.12, 0.03)
    migrant = rng.random(n) < 0.01
    foreign_background = rng.random(n) < np.where(migrant, 0.9, 0.015)
    third_country = rng.random(n) < np.where(migrant, 0.5, 0.002)
    disability = rng.random(n) < np.where(band == 2, 0.10, 0.04)
    homeless = rng.random(n) < np.where(status == 3, 0.06, 0.01)
    jobless = rng.random(n) < JOBLESS_HOUSEHOLD[status]
    children = rng.random(n) < np.array([0.10, 0.48, 0.15])[band]
    single_adult = rng.random(n) < np.where(children, 0.20, 0.08)
    other_disadvantaged = rng.random(n) < np.where(minority | disability, 0.20, 0.05)

    employed_exit = rng.random(n) < EMPLOYED_AT_EXIT[status]
    # "The last event upon leaving wins": someone employed at exit is no longer searching.
    searching_exit = ~employed_exit & (rng.random(n) < 0.35)
    education_exit = rng.random(n) < np.where(status == 4, 0.58, 0.08)
    qualification_exit = rng.random(n) < np.where(unemployed, 0.30, 0.22)
    observed = left & (exit_ + 183 <= _days(EXTRACTED))
    employed_6m = rng.random(n) < np.where(employed_exit, 0.82, 0.19)
    improved_6m = employed & (rng.random(n) < 0.17)

    # Incomplete records: one of gender, labour_status, isced left empty on ~1% of rows, and a few
    # labour statuses no importer should have let through (kept: they make the row incomplete).
    damage = rng.random(n)
    which = rng.integers(0, 3, n)
    no_gender = (damage < 0.01) & (which == 0)
    no_status = (damage < 0.01) & (which == 1)
    no_isced = (damage < 0.01) & (which == 2)
    bad_status = (damage >= 0.01) & (damage < 0.0103)
    refused = rng.random(n) < 0.03

    status_text = np.array(STATUSES, dtype=object)[status]
    status_text[bad_status] = "pensioner"
    not_left = ~left
    not_observed = ~observed

    columns: dict[str, pa.Array] = {
        "participant_id": _ids(person),
        "project_code": pa.array(_PROJECT_CODES[project], type=pa.string()),
        "gender": pa.array(np.array(GENDERS, dtype=object)[gender], mask=no_gender),
        "birth_date": _dates(birth),
        "entry_date": _dates(entry),
        "exit_date": _dates(exit_, null=not_left),
        "labour_status": pa.array(status_text, type=pa.string(), mask=no_status),
        "isced": pa.array(isced.astype(np.int8), type=pa.int8(), mask=no_isced),
        "jobless_household": _bools(jobless),
        "dependent_children": _bools(children),
        "single_adult_household": _bools(single_adult),
        "minority": _bools(minority, refused),
        "migrant": _bools(migrant, refused),
        "foreign_background": _bools(foreign_background, refused),
        "third_country_national": _bools(third_country),
        "disability": _bools(disability, refused),
        "other_disadvantaged": _bools(other_disadvantaged, refused),
        "homeless": _bools(homeless),
        "rural": _bools(rural),
        "job_searching_at_exit": _bools(searching_exit, not_left),
        "education_at_exit": _bools(education_exit, not_left),
        "qualification_at_exit": _bools(qualification_exit, not_left),
        "employed_at_exit": _bools(employed_exit, not_left),
        "employed_6m": _bools(employed_6m, not_observed),
        "improved_situation_6m": _bools(improved_6m, not_observed),
        "region": pa.array(np.array(REGIONS, dtype=object)[region], type=pa.string()),
        "partner": pa.array(_PARTNERS[project], type=pa.string()),
    }
    table = pa.table(columns, schema=SCHEMA)
    # Real files are not sorted by participation: shuffle so re-entries are not adjacent.
    return table.take(pa.array(rng.permutation(n)))


def _ro_variant(table: pa.Table) -> pa.Table:
    """The Romanian spreadsheet export: ``DD.MM.YYYY`` dates (the writer sets the ``;``)."""
    for name in ("birth_date", "entry_date", "exit_date"):
        position = table.schema.get_field_index(name)
        text = pc.strftime(table.column(name).cast(pa.timestamp("s")), format="%d.%m.%Y")
        table = table.set_column(position, name, text)
    return table


def generate(
    rows: int,
    out: Path = DATA_DIR,
    seed: int = SEED,
    *,
    force: bool = False,
    formats: tuple[str, ...] = FORMATS,
) -> Paths:
    """Write the files of ``formats`` for ``rows`` rows (those that exist are kept, unless
    ``force``)."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats must be some of {FORMATS}, not {formats}")
    paths = paths_for(rows, out)
    wanted = [name for name in FORMATS if name in formats]
    if not force:
        wanted = [name for name in wanted if not getattr(paths, name).exists()]
    if not wanted:
        return paths
    out.mkdir(parents=True, exist_ok=True)
    final = dict(zip(wanted, paths.of(tuple(wanted)), strict=True))
    tmp = {name: path.with_name(path.name + ".tmp") for name, path in final.items()}
    with contextlib.ExitStack() as stack:
        writers: list[Callable[[pa.Table], None]] = []
        if "parquet" in tmp:
            parquet = stack.enter_context(
                pq.ParquetWriter(tmp["parquet"], SCHEMA, compression="snappy")
            )
            writers.append(lambda t: parquet.write_table(t, row_group_size=ROW_GROUP_ROWS))
        if "csv" in tmp:
            writers.append(_csv_writer(stack, tmp["csv"], ",", SCHEMA, lambda t: t))
        if "csv_ro" in tmp:
            ro_schema = _ro_variant(SCHEMA.empty_table()).schema
            writers.append(_csv_writer(stack, tmp["csv_ro"], ";", ro_schema, _ro_variant))
        for chunk in range((rows + CHUNK_ROWS - 1) // CHUNK_ROWS):
            size = min(CHUNK_ROWS, rows - chunk * CHUNK_ROWS)
            table = generate_chunk(chunk, size, seed)
            for write in writers:
                write(table)
    for name, done in tmp.items():
        done.replace(final[name])
    return paths


def _csv_writer(
    stack: contextlib.ExitStack,
    path: Path,
    delimiter: str,
    schema: pa.Schema,
    convert: Callable[[pa.Table], pa.Table],
) -> Callable[[pa.Table], None]:
    """A writer of chunks to the CSV file at ``path``, closed by ``stack``."""
    handle: BinaryIO = stack.enter_context(path.open("wb"))
    # pyarrow quotes the header even with quoting_style="none"; write a plain one ourselves.
    handle.write((delimiter.join(SCHEMA.names) + "\n").encode())
    options = pacsv.WriteOptions(quoting_style="none", include_header=False, delimiter=delimiter)
    writer = stack.enter_context(pacsv.CSVWriter(handle, schema, write_options=options))
    return lambda table: writer.write_table(convert(table))


def xlsx_path(out: Path = DATA_DIR, rows: int | None = None) -> Path:
    """The Excel register of ``rows`` rows (default :data:`XLSX_ROWS`) in ``out``."""
    return out / f"register-{rows or XLSX_ROWS}.xlsx"


def generate_xlsx(
    out: Path = DATA_DIR, rows: int | None = None, seed: int = SEED, *, force: bool = False
) -> Path:
    """The first ``rows`` rows of the 1M table as a user's Excel register (cached in ``out``).

    One sheet, ``Registru``, written by openpyxl (write-only mode) the way a user's workbook
    has it: the Romanian headers and values of the blank register template (``Cod participant``,
    ``feminin``, ``șomer``, ``Da``/``Nu``), birth, entry and exit dates as real date cells
    formatted ``DD.MM.YYYY``, ISCED as a number, an empty cell where the table has no value.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    # benchmarks/ may use private names: the register's wording is the template's own.
    from inclusionkit._i18n._tables import COLUMN_HEADERS, GENDER_VALUES, STATUS_VALUES

    rows = rows or XLSX_ROWS
    path = xlsx_path(out, rows)
    if path.exists() and not force:
        return path
    if rows > CHUNK_ROWS:
        raise ValueError(f"an xlsx register of more than {CHUNK_ROWS:,} rows is not generated")
    table = generate_chunk(0, CHUNK_ROWS, seed).slice(0, rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registru")
    headers = COLUMN_HEADERS["ro"]
    sheet.append([headers.get(name, name) for name in table.column_names])
    columns: list[list[object]] = []
    for field in table.schema:
        values = table.column(field.name).to_pylist()
        if pa.types.is_boolean(field.type):
            values = [None if v is None else ("Da" if v else "Nu") for v in values]
        elif field.name == "gender":
            values = [None if v is None else GENDER_VALUES["ro"][v] for v in values]
        elif field.name == "labour_status":
            values = [None if v is None else STATUS_VALUES["ro"].get(v, v) for v in values]
        elif pa.types.is_date(field.type):
            values = [None if v is None else _date_cell(sheet, v, WriteOnlyCell) for v in values]
        columns.append(values)
    for row in zip(*columns, strict=True):
        sheet.append(row)
    out.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    workbook.save(tmp)
    tmp.replace(path)
    return path


def _date_cell(sheet: object, day: dt.date, cell_type: type) -> object:
    cell = cell_type(sheet, value=day)
    cell.number_format = "DD.MM.YYYY"
    return cell


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even if the files exist")
    parser.add_argument(
        "--xlsx", action="store_true", help=f"also the {XLSX_ROWS:,}-row Excel register"
    )
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated subset of {','.join(FORMATS)} (default: all)",
    )
    args = parser.parse_args(argv)
    formats = tuple(name for name in args.formats.split(",") if name)
    if not formats or set(formats) - set(FORMATS):
        parser.error(f"--formats: choose from {','.join(FORMATS)}")
    paths = generate(args.rows, args.out, args.seed, force=args.force, formats=formats)
    written = list(paths.of(formats))
    if args.xlsx:
        written.append(generate_xlsx(args.out, seed=args.seed, force=args.force))
    for path in written:
        print(f"{path}  {path.stat().st_size / 2**20:,.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
