"""A blank participant register to fill in: the contract's columns under headers the reader
knows, each with what it may hold (``inclusionkit template registru.xlsx --lang ro``).

:func:`register_template` describes it (a :class:`RegisterTemplate`); an exporter that writes
the ``template`` kind lays it out (the xlsx plugin: drop-down lists, date cells, an instructions
sheet); :func:`template_csv` gives the same as a CSV header line. Every header reads back
through the built-in mapping, so a filled template needs no mapping file.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from inclusionkit._contract import COLUMNS
from inclusionkit._i18n import N_, Localised, check_language, translate
from inclusionkit.models import Gender, LabourStatus

COLUMN_HEADERS: Mapping[str, Mapping[str, str]] = Localised(
    {
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
    },
    context="column",
)
"""The header of each canonical column per language (English: the canonical name; Romanian: one
the built-in mapping reads back)."""

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

_INSTRUCTIONS = (
    N_("Participant register: one row per participation of a person."),
    N_("Fill in the 'Register' sheet; do not change the column headers."),
    N_("Gender, labour status, ISCED level and the Yes/No columns: choose from the drop-down."),
    N_("Dates: day.month.year (e.g. 31.01.2015); the exit is not before the entry."),
    N_(
        "Participant id: a code with no personal data (no CNP, no name). With only CNP and "
        "names, use `inclusionkit pseudonymise` or `inclusionkit report --key-file`."
    ),
    N_("Region: the NUTS 2 code (e.g. RO31) or the region's name (Sud-Muntenia)."),
    N_("Check the register with: inclusionkit validate registru.xlsx"),
)


@attrs.frozen(kw_only=True)
class TemplateColumn:
    """One column of a blank register: its canonical ``name``, the ``header`` written, its
    ``kind`` (``string``, ``date``, ``bool``, ``int``, ``choice``), the ``choices`` a drop-down
    offers (as written in the cells), and whether the contract ``required`` it."""

    name: str
    header: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False


@attrs.frozen(kw_only=True)
class RegisterTemplate:
    """A blank participant register: its columns, the language of its headers and values, the
    instructions to print beside it, and the sheet names (``sheet``, ``instructions_sheet``)."""

    columns: tuple[TemplateColumn, ...]
    lang: str
    instructions: tuple[str, ...]
    sheet: str
    instructions_sheet: str
    title: str


def register_template(lang: str = "en") -> RegisterTemplate:
    """The blank register of the participation contract, headers and values in ``lang``
    (``"en"`` or ``"ro"``); each header and value reads back through the built-in mapping."""
    lang = check_language(lang)
    headers, genders, statuses = COLUMN_HEADERS[lang], GENDER_VALUES[lang], STATUS_VALUES[lang]
    yes_no = (translate("Yes", lang), translate("No", lang))
    columns: list[TemplateColumn] = []
    for column in COLUMNS:
        header = headers.get(column.name, column.name)
        kind: str = column.kind
        choices: tuple[str, ...] = ()
        if column.name == "gender":
            kind = "choice"
            choices = tuple(genders[str(g)] for g in Gender)
        elif column.name == "labour_status":
            kind = "choice"
            names = [str(status) for status in LabourStatus]
            choices = tuple(statuses.get(name, name) for name in names)
        elif column.name == "isced":
            kind = "choice"
            choices = tuple(str(level) for level in range(9))
        elif column.kind == "bool":
            choices = yes_no
        columns.append(
            TemplateColumn(
                name=column.name,
                header=header,
                kind=kind,
                choices=choices,
                required=column.required,
            )
        )
    return RegisterTemplate(
        columns=tuple(columns),
        lang=lang,
        instructions=tuple(translate(line, lang) for line in _INSTRUCTIONS),
        sheet=translate("Register", lang),
        instructions_sheet=translate("Instructions", lang),
        title=translate("Participant register", lang),
    )


def template_csv(template: RegisterTemplate, delimiter: str = ",") -> str:
    """The template as a CSV: its header line (a CSV has no drop-down lists)."""
    import pandas as pd

    from inclusionkit._sanitise import frame_to_csv

    return frame_to_csv(
        pd.DataFrame(columns=[column.header for column in template.columns]), sep=delimiter
    )
