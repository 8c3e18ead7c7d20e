"""The benchmark workload: the ``esf-2014`` indicators by region x gender as of a date.

Written twice, as one DuckDB SQL query and as one polars lazy query, with the semantics of the
participation-table contract (``shared/reference/participation-table.md``):

1. rows entering after the as-of date are dropped; an exit after it counts as "not yet left";
2. rows with the same (project_code, participant_id) are one participation: characteristics from
   the row with the earliest entry date, exit = the latest exit (empty if any row is open), results
   from the row with the latest exit;
3. an incomplete participation (empty or invalid gender, birth_date, entry_date, labour_status,
   isced) is counted in no indicator;
4. unknown is never true: the formulas use Kleene three-valued logic (SQL's, and polars'), so a
   formula counts a participation only when it is *true*, never when it is unknown.

Both engines return the same tidy table as ``inclusionkit._rules.compute(...).table`` without its
``gender == "total"`` rows: columns ``indicator, region, gender, value`` (int64), one row per
indicator and (region, gender) cell with at least one counted participation, sorted.

The merge is the expensive part (a hash of every participation key). Both queries split the rows:
keys seen once need no merge, and only the ~4% of rows whose key repeats go through the
per-group "earliest/latest row" aggregation; this is several times faster than aggregating every
key with arg_min/arg_max and gives the same result. DuckDB finds the repeats by a 64-bit hash of
the key (an integer group-by is much cheaper than one over 10M string pairs): a row whose hash is
unique has a unique key, and rows whose hashes collide are grouped by the real strings, so a
collision costs a little time, never a wrong count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import duckdb
    import polars as pl

INDICATORS: tuple[str, ...] = (
    "TOTAL",
    *(f"CO{i:02d}" for i in range(1, 20)),
    *(f"CR{i:02d}" for i in range(1, 10)),
)
KEY = ("project_code", "participant_id")
BREAKDOWN = ("region", "gender")
# Characteristics at entry: taken from the earliest row of a participation.
AT_ENTRY = (
    "gender",
    "birth_date",
    "labour_status",
    "isced",
    "jobless_household",
    "dependent_children",
    "single_adult_household",
    "minority",
    "migrant",
    "foreign_background",
    "disability",
    "other_disadvantaged",
    "homeless",
    "rural",
    "region",
)
# Results: taken from the row with the latest exit.
RESULTS = (
    "job_searching_at_exit",
    "education_at_exit",
    "qualification_at_exit",
    "employed_at_exit",
    "employed_6m",
    "improved_situation_6m",
)
USED = (*KEY, "entry_date", "exit_date", *AT_ENTRY, *RESULTS)
GENDERS = ("female", "male")  # esf-2014 reports women and men: non_binary is incomplete
STATUSES = (
    "employed",
    "self_employed",
    "unemployed",
    "long_term_unemployed",
    "inactive_in_education",
    "inactive",
)

# ---------------------------------------------------------------------------------------------
# DuckDB


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# One SQL expression per indicator over the merged participation (``m``). Kleene logic: NULL
# (unknown) in any operand that matters makes the expression NULL, and count_if counts only TRUE.
_SQL_INDICATORS: dict[str, str] = {
    "TOTAL": "TRUE",
    "CO01": "labour_status IN ('unemployed', 'long_term_unemployed')",
    "CO02": "labour_status = 'long_term_unemployed'",
    "CO03": "labour_status IN ('inactive', 'inactive_in_education')",
    "CO04": "labour_status = 'inactive'",
    "CO05": "labour_status IN ('employed', 'self_employed')",
    "CO06": "age < 25",
    "CO07": "age > 54",
    "CO08": "age > 54 AND labour_status IN ('unemployed', 'long_term_unemployed', 'inactive')",
    "CO09": "isced IN (1, 2)",
    "CO10": "isced IN (3, 4)",
    "CO11": "isced BETWEEN 5 AND 8",
    "CO12": "jobless_household",
    "CO13": "jobless_household AND dependent_children",
    "CO14": "single_adult_household AND dependent_children",
    "CO15": "minority OR migrant OR foreign_background",
    "CO16": "disability",
    "CO17": "other_disadvantaged",
    "CO18": "homeless",
    "CO19": "rural",
    "CR01": "leaver AND labour_status IN ('inactive', 'inactive_in_education')"
    " AND job_searching_at_exit AND NOT coalesce(employed_at_exit, false)",
    "CR02": "leaver AND education_at_exit",
    "CR03": "leaver AND qualification_at_exit",
    "CR04": "leaver AND not_employed AND employed_at_exit",
    "CR05": "leaver AND disadvantaged AND (job_searching_at_exit OR education_at_exit"
    " OR qualification_at_exit OR employed_at_exit)",
    "CR06": "observed AND not_employed AND employed_6m",
    "CR07": "observed AND labour_status IN ('employed', 'self_employed') AND improved_situation_6m",
    "CR08": "observed AND age > 54 AND not_employed AND employed_6m",
    "CR09": "observed AND disadvantaged AND not_employed AND employed_6m",
}


def duckdb_sql(source: str, as_of: dt.date) -> str:
    """The whole workload as one SQL statement over ``source`` (a table name or ``read_parquet``).

    Returns one wide row per (region, gender): the breakdown columns, then one int64 column per
    indicator.
    """
    day = f"DATE '{as_of.isoformat()}'"
    cols = ", ".join((*KEY, "entry_date", *AT_ENTRY, *RESULTS))
    entry_first = ", ".join(f"arg_min(struct_pack({c}), entry_date).{c} AS {c}" for c in AT_ENTRY)
    # Pack into single-field structs: arg_min/arg_max skip a NULL *argument*, and an empty cell in
    # the earliest row must stay empty rather than be filled from a later row.
    result_last = ", ".join(f"arg_max(struct_pack({c}), exit_date).{c} AS {c}" for c in RESULTS)
    counts = ",\n        ".join(
        f"count_if({expr})::BIGINT AS {name}" for name, expr in _SQL_INDICATORS.items()
    )
    return f"""
WITH rows_ AS (
    SELECT {cols},
        CASE WHEN exit_date <= {day} THEN exit_date END AS exit_date,
        hash(project_code, participant_id) AS h
    FROM {source}
    WHERE entry_date <= {day}
),
repeated AS (
    SELECT h FROM rows_ GROUP BY h HAVING count(*) > 1
),
merged AS (
    SELECT r.project_code, r.participant_id,
        min(entry_date) AS entry_date,
        CASE WHEN count(exit_date) = count(*) THEN max(exit_date) END AS exit_date,
        {entry_first},
        {result_last}
    FROM rows_ r SEMI JOIN repeated USING (h)
    GROUP BY r.project_code, r.participant_id
),
participations AS (
    SELECT {cols}, exit_date FROM rows_ ANTI JOIN repeated USING (h)
    UNION ALL BY NAME
    SELECT * FROM merged
),
m AS (
    SELECT *,
        (year(entry_date) * 10000 + month(entry_date) * 100 + day(entry_date)
         - year(birth_date) * 10000 - month(birth_date) * 100 - day(birth_date)) // 10000 AS age,
        exit_date IS NOT NULL AS leaver,
        exit_date IS NOT NULL AND exit_date + INTERVAL 6 MONTH <= {day} AS observed,
        labour_status NOT IN ('employed', 'self_employed') AS not_employed,
        minority OR migrant OR foreign_background OR disability OR other_disadvantaged
            OR homeless AS disadvantaged
    FROM participations
    WHERE gender IN {_in(GENDERS)} AND birth_date IS NOT NULL AND entry_date IS NOT NULL
        AND labour_status IN {_in(STATUSES)} AND isced BETWEEN 0 AND 8
)
SELECT region, gender,
        {counts}
FROM m
GROUP BY region, gender
"""


def duckdb_connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    return con


def duckdb_load(con: duckdb.DuckDBPyConnection, parquet: str | Path, name: str = "p") -> None:
    """Materialise the Parquet file as a native DuckDB table (the "in-memory table" case)."""
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet('{parquet}')")


def duckdb_compute(
    con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date
) -> list[tuple[Any, ...]]:
    """Run the workload; ``source`` is a table name or ``read_parquet('file')``."""
    return con.execute(duckdb_sql(source, as_of)).fetchall()


def duckdb_table(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> pd.DataFrame:
    return tidy(duckdb_compute(con, source, as_of))


# ---------------------------------------------------------------------------------------------
# polars


def polars_query(frame: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """The workload as one polars lazy query; collects to one wide row per (region, gender)."""
    import polars as pl

    c = pl.col
    rows = frame.select(*KEY, "entry_date", *AT_ENTRY, *RESULTS, "exit_date").filter(
        c("entry_date") <= as_of
    )
    rows = rows.with_columns(
        pl.when(c("exit_date") <= as_of).then(c("exit_date")).alias("exit_date")
    )
    repeated = pl.struct(*KEY).is_duplicated()
    rows = rows.with_columns(repeated.alias("_repeated"))
    singles = rows.filter(~c("_repeated")).drop("_repeated")
    merged = (
        rows.filter(c("_repeated"))
        .group_by(*KEY)
        .agg(
            c("entry_date").min(),
            pl.when(c("exit_date").null_count() == 0).then(c("exit_date").max()).alias("exit_date"),
            # gather by position keeps empty cells of the earliest/latest row empty
            *(c(name).get(c("entry_date").arg_min()) for name in AT_ENTRY),
            *(c(name).get(c("exit_date").arg_max()) for name in RESULTS),
        )
    )
    participations = pl.concat([singles, merged], how="diagonal_relaxed")

    def ymd(name: str) -> pl.Expr:
        d = c(name)
        # month() and day() are Int8: widen before multiplying or they wrap around
        return (
            d.dt.year().cast(pl.Int32) * 10000
            + d.dt.month().cast(pl.Int32) * 100
            + d.dt.day().cast(pl.Int32)
        )

    status = c("labour_status")
    complete = (
        c("gender").is_in(GENDERS)
        & c("birth_date").is_not_null()
        & c("entry_date").is_not_null()
        & status.is_in(STATUSES)
        & c("isced").is_between(0, 8)
    )
    m = participations.filter(complete).with_columns(
        ((ymd("entry_date") - ymd("birth_date")) // 10000).alias("age"),
        c("exit_date").is_not_null().alias("leaver"),
        (c("exit_date").is_not_null() & (c("exit_date").dt.offset_by("6mo") <= as_of)).alias(
            "observed"
        ),
        (~status.is_in(["employed", "self_employed"])).alias("not_employed"),
        (
            c("minority")
            | c("migrant")
            | c("foreign_background")
            | c("disability")
            | c("other_disadvantaged")
            | c("homeless")
        ).alias("disadvantaged"),
    )
    age, leaver, observed = c("age"), c("leaver"), c("observed")
    not_employed, disadvantaged = c("not_employed"), c("disadvantaged")
    unemp = status.is_in(["unemployed", "long_term_unemployed"])
    inact = status.is_in(["inactive", "inactive_in_education"])
    empl = status.is_in(["employed", "self_employed"])
    isced = c("isced")
    exprs: dict[str, pl.Expr] = {
        "CO01": unemp,
        "CO02": status == "long_term_unemployed",
        "CO03": inact,
        "CO04": status == "inactive",
        "CO05": empl,
        "CO06": age < 25,
        "CO07": age > 54,
        "CO08": (age > 54) & status.is_in(["unemployed", "long_term_unemployed", "inactive"]),
        "CO09": isced.is_in([1, 2]),
        "CO10": isced.is_in([3, 4]),
        "CO11": isced.is_between(5, 8),
        "CO12": c("jobless_household"),
        "CO13": c("jobless_household") & c("dependent_children"),
        "CO14": c("single_adult_household") & c("dependent_children"),
        "CO15": c("minority") | c("migrant") | c("foreign_background"),
        "CO16": c("disability"),
        "CO17": c("other_disadvantaged"),
        "CO18": c("homeless"),
        "CO19": c("rural"),
        "CR01": leaver
        & inact
        & c("job_searching_at_exit")
        & ~c("employed_at_exit").fill_null(False),
        "CR02": leaver & c("education_at_exit"),
        "CR03": leaver & c("qualification_at_exit"),
        "CR04": leaver & not_employed & c("employed_at_exit"),
        "CR05": leaver
        & disadvantaged
        & (
            c("job_searching_at_exit")
            | c("education_at_exit")
            | c("qualification_at_exit")
            | c("employed_at_exit")
        ),
        "CR06": observed & not_employed & c("employed_6m"),
        "CR07": observed & empl & c("improved_situation_6m"),
        "CR08": observed & (age > 54) & not_employed & c("employed_6m"),
        "CR09": observed & disadvantaged & not_employed & c("employed_6m"),
    }
    # A boolean's sum counts the TRUE values only: unknown (null) is never counted.
    return m.group_by(*BREAKDOWN).agg(
        pl.len().cast(pl.Int64).alias("TOTAL"),
        *(e.sum().cast(pl.Int64).alias(name) for name, e in exprs.items()),
    )


def polars_table(frame: pl.DataFrame | pl.LazyFrame, as_of: dt.date) -> pd.DataFrame:
    out = polars_query(frame.lazy(), as_of).collect()
    return tidy(out.select(*BREAKDOWN, *INDICATORS).rows())


def polars_scan(parquet: str | Path) -> pl.LazyFrame:
    import polars as pl

    return pl.scan_parquet(parquet)


def polars_scan_csv(csv: str | Path) -> pl.LazyFrame:
    """The ISO CSV file with its column types (dates parsed as ``YYYY-MM-DD``, empty is null)."""
    import polars as pl
    from generate import SCHEMA

    kinds = {"string": pl.String, "date32[day]": pl.Date, "int8": pl.Int8, "bool": pl.Boolean}
    schema = {f.name: kinds[str(f.type)] for f in SCHEMA}
    return pl.scan_csv(csv, schema=schema, null_values=[""])


# ---------------------------------------------------------------------------------------------
# inclusionkit and comparison


def inclusionkit_table(participations: Any, as_of: dt.date) -> pd.DataFrame:
    """inclusionkit's own report table in the same tidy form (its gender totals dropped)."""
    from inclusionkit._rules import compute

    report = compute(participations, rules="esf-2014", by=BREAKDOWN, as_of=as_of)
    return normalise(report.table)


def tidy(wide_rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Wide rows (region, gender, TOTAL, CO01, ...) to the tidy form, zero counts dropped."""
    records = [
        (indicator, row[0], row[1], int(value))
        for row in wide_rows
        for indicator, value in zip(INDICATORS, row[2:], strict=True)
    ]
    frame = pd.DataFrame(records, columns=["indicator", *BREAKDOWN, "value"])
    return normalise(frame)


def normalise(table: pd.DataFrame) -> pd.DataFrame:
    """Canonical tidy form for comparison: no total rows, no zero cells, plain dtypes, sorted.

    Zero cells are dropped because one engine may list a (region, gender) cell with no counted
    participation (all zeros) that a group-by never produces.
    """
    out = table[["indicator", *BREAKDOWN, "value"]].copy()
    out = out[out["gender"].astype(str) != "total"]
    out = out[out["indicator"].astype(str).isin(INDICATORS)]
    out = out.astype({"indicator": object, "region": object, "gender": object, "value": "int64"})
    out = out[out["value"] != 0]
    return out.sort_values(["indicator", *BREAKDOWN]).reset_index(drop=True)


def differences(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Rows where two tidy tables differ (a missing row counts as 0)."""
    keys = ["indicator", *BREAKDOWN]
    both = left.merge(right, on=keys, how="outer", suffixes=("_left", "_right"))
    both = both.fillna({"value_left": 0, "value_right": 0})
    return both[both["value_left"] != both["value_right"]].reset_index(drop=True)


def result_hash(table: pd.DataFrame) -> str:
    """A short fingerprint of a tidy table, to show that every run computed the same thing."""
    import hashlib

    text = table.to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
