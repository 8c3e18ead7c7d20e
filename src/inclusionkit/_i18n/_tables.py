"""Tables for people in their language: column headers and the words in the cells.

Which outputs translate: those read by people — CSV of a report, a progress table, the rejected
and excluded rows; the xlsx and html reports; the terminal. Those read by programs keep the
canonical names and codes in every language: JSON, Parquet, a participation table (it must read
back), the register. :func:`translate_table` gives a table its headers and cell words in a
language; an exporter writing for people calls it with its ``lang`` option.

The participation columns are headed as in the blank register (``Gen``, ``Data nașterii``), so
a translated table of rows (``validate --rejected``) still reads back through the built-in
mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from inclusionkit._i18n import N_, Localised, resolve_language, translate

if TYPE_CHECKING:
    import pandas as pd

COLUMN_HEADERS: Mapping[str, Mapping[str, str]] = Localised(
    {
        # the participation table's canonical columns (the blank register's headers)
        "participant_id": N_("participant_id"),
        "project_code": N_("project_code"),
        "gender": N_("gender"),
        "birth_date": N_("birth_date"),
        "entry_date": N_("entry_date"),
        "exit_date": N_("exit_date"),
        "labour_status": N_("labour_status"),
        "isced": N_("isced"),
        "jobless_household": N_("jobless_household"),
        "dependent_children": N_("dependent_children"),
        "single_adult_household": N_("single_adult_household"),
        "minority": N_("minority"),
        "migrant": N_("migrant"),
        "foreign_background": N_("foreign_background"),
        "third_country_national": N_("third_country_national"),
        "disability": N_("disability"),
        "other_disadvantaged": N_("other_disadvantaged"),
        "homeless": N_("homeless"),
        "rural": N_("rural"),
        "job_searching_at_exit": N_("job_searching_at_exit"),
        "education_at_exit": N_("education_at_exit"),
        "qualification_at_exit": N_("qualification_at_exit"),
        "employed_at_exit": N_("employed_at_exit"),
        "employed_6m": N_("employed_6m"),
        "improved_situation_6m": N_("improved_situation_6m"),
        "region": N_("region"),
        "partner": N_("partner"),
        # a report's table and its breakdowns
        "indicator": N_("indicator"),
        "value": N_("value"),
        "scope": N_("scope"),
        "year": N_("year"),
        "flow": N_("flow"),
        "age_band": N_("age_band"),
        "entry_year": N_("entry_year"),
        "exit_year": N_("exit_year"),
        "target_group": N_("target_group"),
        "priority": N_("priority"),
        "specific_objective": N_("specific_objective"),
        "category_of_region": N_("category_of_region"),
        # a progress table
        "objective": N_("objective"),
        "name": N_("name"),
        "unit": N_("unit"),
        "kind": N_("kind"),
        "baseline": N_("baseline"),
        "target": N_("target"),
        "milestone": N_("milestone"),
        "milestone_date": N_("milestone_date"),
        "reported": N_("reported"),
        "reported_date": N_("reported_date"),
        "reported_source": N_("reported_source"),
        "computed": N_("computed"),
        "achieved": N_("achieved"),
        "percent": N_("percent"),
        "status": N_("status"),
        "source": N_("source"),
        # checks, excluded and rejected rows
        "check": N_("check"),
        "expression": N_("expression"),
        "left": N_("left"),
        "right": N_("right"),
        "passed": N_("passed"),
        "row": N_("row"),
        "reason": N_("reason"),
        "codes": N_("codes"),
        "message": N_("message"),
        "participations": N_("participations"),
        # the six-month follow-up list
        "six_month_date": N_("six_month_date"),
        "counted": N_("counted"),
        # the command line's lists: formats, plugins, rule sets
        "format": N_("format"),
        "extensions": N_("extensions"),
        "read": N_("read"),
        "write": N_("write"),
        "plugin": N_("plugin"),
        "version": N_("version"),
        "hooks": N_("hooks"),
        "indicators": N_("indicators"),
        "checks": N_("checks"),
        "title": N_("title"),
        "code": N_("code"),
        "data class": N_("data class"),
        "timing": N_("timing"),
        # the register's log, history and diff
        "id": N_("id"),
        "import_id": N_("import_id"),
        "time": N_("time"),
        "user": N_("user"),
        "mode": N_("mode"),
        "rows": N_("rows"),
        "added": N_("added"),
        "updated": N_("updated"),
        "unchanged": N_("unchanged"),
        "rejected": N_("rejected"),
        "withdrawn": N_("withdrawn"),
        "incomplete": N_("incomplete"),
        "change": N_("change"),
        "field": N_("field"),
        "old": N_("old"),
        "new": N_("new"),
        "submitted": N_("submitted"),
        "now": N_("now"),
    },
    context="column",
)
"""The header of each column a table for people may have, per language; a column not listed
keeps its name."""

GENDER_VALUES: Mapping[str, Mapping[str, str]] = Localised(
    {"female": N_("female"), "male": N_("male"), "non_binary": N_("non_binary")},
    context="register value",
)
"""A register's gender values per language (``feminin``)."""

STATUS_VALUES: Mapping[str, Mapping[str, str]] = Localised(
    {
        "employed": N_("employed"),
        "self_employed": N_("self_employed"),
        "unemployed": N_("unemployed"),
        "long_term_unemployed": N_("long_term_unemployed"),
        "inactive": N_("inactive"),
        "inactive_in_education": N_("inactive_in_education"),
    },
    context="register value",
)
"""A register's labour statuses per language (``șomer``)."""

GENDER_WORDS: Mapping[str, Mapping[str, str]] = Localised(
    {
        "female": N_("women"),
        "male": N_("men"),
        "non_binary": N_("non-binary"),
        "total": N_("total"),
    }
)
"""A report's gender categories for people (``femei``, ``bărbați``)."""

CELL_WORDS: Mapping[str, Mapping[str, str]] = Localised(
    {
        # flows and scopes of a report's table
        "entries": N_("entries"),
        "leavers": N_("leavers"),
        "carried_over": N_("carried over"),
        "period": N_("period"),
        "cumulative": N_("cumulative"),
        # SFC2021 categories of region
        "less developed": N_("less developed"),
        "more developed": N_("more developed"),
        "transition": N_("transition"),
        # indicator kinds
        "output": N_("output"),
        "result": N_("result"),
        # progress statuses and sources
        "exceeded": N_("exceeded"),
        "met": N_("met"),
        "behind": N_("behind"),
        "on track": N_("on track"),
        "not achieved": N_("not achieved"),
        "not started": N_("not started"),
        "computed": N_("computed"),
        "reported": N_("reported"),
        # units
        "persons": N_("persons"),
        "participants": N_("participants"),
        "organisations": N_("organisations"),
        "hours": N_("hours"),
        "events": N_("events"),
        "documents": N_("documents"),
        "plans": N_("plans"),
        "projects": N_("projects"),
        "number": N_("number"),
        "percent": N_("percent"),
        # a register's changes and import modes
        "added": N_("added"),
        "updated": N_("updated"),
        "withdrawn": N_("withdrawn"),
        "update": N_("update"),
        "full": N_("full"),
    },
    context="cell",
)
"""The words of the cells of a report's or a progress table's coded columns, per language."""

WORD_COLUMNS = (
    "flow",
    "scope",
    "kind",
    "status",
    "source",
    "unit",
    "category_of_region",
    "change",
    "mode",
)
"""The columns whose cells are words of :data:`CELL_WORDS`."""

YES_NO_COLUMNS = ("passed", "counted")
"""The true/false columns of tables for people (a check passed, a leaver counted): Da/Nu."""


def column_header(name: str, lang: str | None = None) -> str:
    """The header of column ``name`` in ``lang`` (itself when it has none)."""
    return COLUMN_HEADERS[resolve_language(lang)].get(name, name)


def translate_table(
    frame: pd.DataFrame,
    lang: str | None = None,
    *,
    headers: bool = True,
    categories: bool = True,
) -> pd.DataFrame:
    """``frame`` for people reading ``lang`` (default: the run's language): each coded word
    in its column translated (statuses, units, flows, scopes, kinds; with ``categories`` the
    breakdowns' genders and labour statuses too), each ``reason`` (a problem code) kept with
    what it means beside it (``message``), and with ``headers`` the columns headed in
    ``lang``. English is ``frame`` itself: the codes and names are already its words."""
    from inclusionkit._problems import message_in

    lang = resolve_language(lang)
    if lang == "en":
        return frame
    out = frame.copy()
    words = CELL_WORDS[lang]
    maps: dict[str, Mapping[str, str]] = dict.fromkeys(WORD_COLUMNS, words)
    if categories:
        maps["gender"] = GENDER_WORDS[lang]
        maps["labour_status"] = STATUS_VALUES[lang]
    for name, mapping in maps.items():
        if name in out.columns:
            out[name] = _mapped(out[name], mapping)
    if "reason" in out.columns:
        reasons = out["reason"].dropna().astype(str).unique()
        meanings = {code: message_in(code, lang) for code in reasons}
        # The code stays (docs/problems.md explains it, and it is the same in every
        # language); its meaning goes beside it.
        if "message" in out.columns:
            out["message"] = _mapped(out["reason"], meanings)
        else:
            out.insert(
                out.columns.get_loc("reason") + 1, "message", _mapped(out["reason"], meanings)
            )
    yes_no = {True: translate("Yes", lang), False: translate("No", lang)}
    for name in YES_NO_COLUMNS:
        if name in out.columns:
            out[name] = out[name].astype(object).map(yes_no).where(out[name].notna())
    if headers:
        out = out.rename(columns=lambda name: column_header(str(name), lang))
    return out


def _mapped(series: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """The series with each value the mapping knows replaced (the others kept), per distinct
    value rather than per row."""
    text = series.astype("string")
    known = {value: mapping[value] for value in text.dropna().unique() if value in mapping}
    if not known:
        return series
    return text.replace(known).astype(object).where(series.notna(), None)
