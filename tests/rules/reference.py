"""A slow, obvious, row-by-row reading of the contract, to check the vectorised engine against.

Written independently of ``inclusionkit._rules``: plain Python over dicts, straight from
``participation-table.md``. An empty cell (``None``) reads as false in every position, including
under ``not`` (rule 4, clarified 2026-12).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

RESULTS = (
    "job_searching_at_exit",
    "education_at_exit",
    "qualification_at_exit",
    "employed_at_exit",
    "employed_6m",
    "improved_situation_6m",
)
GENDERS = ("female", "male", "non_binary")
STATUSES = (
    "employed",
    "self_employed",
    "unemployed",
    "long_term_unemployed",
    "inactive_in_education",
    "inactive",
)

Tri = bool | None


def AND(*values: Tri) -> bool:
    """Conjunction; an empty value is false."""
    return all(v is True for v in values)


def OR(*values: Tri) -> bool:
    """Disjunction; an empty value is false."""
    return any(v is True for v in values)


def NOT(value: Tri) -> bool:
    """Negation; an empty value is false, so its negation is true."""
    return value is not True


def _value(cell: Any) -> Any:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return None
    if isinstance(cell, float) and cell != cell:
        return None
    if isinstance(cell, pd.Timestamp):
        return cell.date()
    if hasattr(cell, "item"):
        return cell.item()
    return cell


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as dicts of plain Python values (``None`` for empty)."""
    return [{k: _value(v) for k, v in row.items()} for row in table.to_dict("records")]


def _plus_six_months(day: dt.date) -> dt.date:
    shifted: dt.date = (pd.Timestamp(day) + pd.DateOffset(months=6)).date()
    return shifted


def _age(birth: dt.date, entry: dt.date) -> int:
    return entry.year - birth.year - ((entry.month, entry.day) < (birth.month, birth.day))


def merge(rows: Iterable[dict[str, Any]], as_of: dt.date | None) -> list[dict[str, Any]]:
    """As-of cut and re-entry merge: one dict per participation."""
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    singles: list[dict[str, Any]] = []
    for row in rows:
        entry = row["entry_date"]
        if as_of is not None and entry is not None and entry > as_of:
            continue
        if row["project_code"] is None or row["participant_id"] is None:
            singles.append(dict(row))
        else:
            groups[(row["project_code"], row["participant_id"])].append(row)
    out = list(singles)
    for members in groups.values():
        if len(members) == 1:
            out.append(dict(members[0]))
            continue
        # Earliest entry (a missing one counts as earliest: the participation is incomplete).
        first = min(members, key=lambda r: r["entry_date"] or dt.date.min)
        ties = [
            r
            for r in members
            if (r["entry_date"] or dt.date.min) == (first["entry_date"] or dt.date.min)
        ]
        merged = dict(first)
        if len(ties) > 1:
            merged["_ambiguous"] = True
        exits = [r["exit_date"] for r in members]
        merged["exit_date"] = None if any(e is None for e in exits) else max(exits)
        closed = [r for r in members if r["exit_date"] is not None]
        if closed:
            latest = max(r["exit_date"] for r in closed)
            last = [r for r in closed if r["exit_date"] == latest]
            if len(last) > 1 and len({tuple(r[k] for k in RESULTS) for r in last}) > 1:
                merged["_ambiguous"] = True
            for name in RESULTS:
                merged[name] = last[0][name]
        out.append(merged)
    return out


REPORTED = {"esf-2014": ("female", "male"), "esf-2021": GENDERS}
"""The genders each rule set reports (2014-2020 reports women and men only)."""


def complete(p: dict[str, Any], ruleset: str) -> bool:
    """The contract's completeness test (plus a birth date after the entry is invalid)."""
    return (
        p["gender"] in REPORTED[ruleset]
        and p["birth_date"] is not None
        and p["entry_date"] is not None
        and p["labour_status"] in STATUSES
        and p["isced"] is not None
        and 0 <= p["isced"] <= 8
        and p["birth_date"] <= p["entry_date"]
    )


def derive(p: dict[str, Any], as_of: dt.date | None) -> dict[str, Any]:
    """The derived values of a complete participation."""
    exit_date = p["exit_date"]
    leaver = exit_date is not None and (as_of is None or exit_date <= as_of)
    observed = leaver and (as_of is None or _plus_six_months(exit_date) <= as_of)
    status = p["labour_status"]
    return {
        "age": _age(p["birth_date"], p["entry_date"]),
        "leaver": leaver,
        "observed": observed,
        "unemployed": status in ("unemployed", "long_term_unemployed"),
        "inactive": status in ("inactive", "inactive_in_education"),
        "employed": status in ("employed", "self_employed"),
    }


def esf2014(p: dict[str, Any], d: dict[str, Any]) -> dict[str, Tri]:
    """Every esf-2014 participant indicator of one complete participation."""
    g = p.get
    co = {
        "TOTAL": True,
        "CO01": d["unemployed"],
        "CO02": p["labour_status"] == "long_term_unemployed",
        "CO03": d["inactive"],
        "CO04": p["labour_status"] == "inactive",
        "CO05": d["employed"],
        "CO06": d["age"] < 25,
        "CO07": d["age"] > 54,
        "CO09": p["isced"] in (1, 2),
        "CO10": p["isced"] in (3, 4),
        "CO11": 5 <= p["isced"] <= 8,
        "CO12": g("jobless_household"),
        "CO13": AND(g("jobless_household"), g("dependent_children")),
        "CO14": AND(g("single_adult_household"), g("dependent_children")),
        "CO15": OR(g("minority"), g("roma"), g("migrant"), g("foreign_background")),
        "CO16": g("disability"),
        "CO17": g("other_disadvantaged"),
        "CO18": g("homeless"),
        "CO19": g("rural"),
    }
    co["CO08"] = AND(co["CO07"], OR(co["CO01"], co["CO04"]))
    disadvantaged = OR(co["CO15"], co["CO16"], co["CO17"], co["CO18"])
    not_employed = not d["employed"]
    leaver, observed = d["leaver"], d["observed"]
    cr = {
        "CR01": AND(leaver, co["CO03"], g("job_searching_at_exit"), NOT(g("employed_at_exit"))),
        "CR02": AND(leaver, g("education_at_exit")),
        "CR03": AND(leaver, g("qualification_at_exit")),
        "CR04": AND(leaver, not_employed, g("employed_at_exit")),
        "CR05": AND(
            leaver,
            disadvantaged,
            OR(
                g("job_searching_at_exit"),
                g("education_at_exit"),
                g("qualification_at_exit"),
                g("employed_at_exit"),
            ),
        ),
        "CR06": AND(observed, not_employed, g("employed_6m")),
        "CR07": AND(observed, co["CO05"], g("improved_situation_6m")),
        "CR08": AND(observed, co["CO07"], not_employed, g("employed_6m")),
        "CR09": AND(observed, disadvantaged, not_employed, g("employed_6m")),
    }
    return {**co, **cr}


def esf2021(p: dict[str, Any], d: dict[str, Any]) -> dict[str, Tri]:
    """Every esf-2021 participant indicator of one complete participation."""
    g = p.get
    not_employed = not d["employed"]
    leaver, observed = d["leaver"], d["observed"]
    return {
        "EECO01": True,
        "EECO02": d["unemployed"],
        "EECO03": p["labour_status"] == "long_term_unemployed",
        "EECO04": d["inactive"],
        "EECO05": d["employed"],
        "EECO06": d["age"] < 18,
        "EECO07": 18 <= d["age"] <= 29,
        "EECO08": d["age"] >= 55,
        "EECO09": 0 <= p["isced"] <= 2,
        "EECO10": p["isced"] in (3, 4),
        "EECO11": 5 <= p["isced"] <= 8,
        "EECO12": g("disability"),
        "EECO13": g("third_country_national"),
        "EECO14": g("foreign_background"),
        "EECO15": OR(g("minority"), g("roma")),
        "EECO16": g("homeless"),
        "EECO17": g("rural"),
        "EECR01": AND(leaver, g("job_searching_at_exit"), NOT(g("employed_at_exit"))),
        "EECR02": AND(leaver, g("education_at_exit")),
        "EECR03": AND(leaver, g("qualification_at_exit")),
        "EECR04": AND(leaver, not_employed, g("employed_at_exit")),
        "EECR05": AND(observed, not_employed, g("employed_6m")),
        "EECR06": AND(observed, d["employed"], g("improved_situation_6m")),
    }


RULES: dict[str, Callable[[dict[str, Any], dict[str, Any]], dict[str, Tri]]] = {
    "esf-2014": esf2014,
    "esf-2021": esf2021,
}


def counts(
    table: pd.DataFrame, ruleset: str, as_of: dt.date | None
) -> tuple[dict[tuple[str, str], int], bool]:
    """``{(indicator, gender): count}`` (gender ``total`` included, ``unknown`` for no gender) and
    whether the merge had an
    ambiguous tie (rows tied on entry or exit date with different values)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    ambiguous = False
    for p in merge(records(table), as_of):
        # A tie between rows that differ decides even whether the participation is complete.
        ambiguous |= bool(p.get("_ambiguous"))
        if p["entry_date"] is None:
            continue
        # GRAND_TOTAL: every participation placed in time, complete or not, in the row of its
        # gender (the row "unknown" for an empty or unknown one).
        out[("GRAND_TOTAL", p["gender"] if p["gender"] in GENDERS else "unknown")] += 1
        out[("GRAND_TOTAL", "total")] += 1
        if not complete(p, ruleset):
            continue
        values = RULES[ruleset](p, derive(p, as_of))
        for code, value in values.items():
            if value is True:
                out[(code, p["gender"])] += 1
                out[(code, "total")] += 1
    return dict(out), ambiguous
