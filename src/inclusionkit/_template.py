"""A blank participant register to fill in: the contract's columns under headers the reader
knows, each with what it may hold (``inclusionkit template registru.xlsx --lang ro``).

:func:`register_template` describes it (a :class:`RegisterTemplate`); an exporter that writes
the ``template`` kind lays it out (the xlsx plugin: drop-down lists, date cells, an instructions
sheet); :func:`template_csv` gives the same as a CSV header line. Every header reads back
through the built-in mapping, so a filled template needs no mapping file.
"""

from __future__ import annotations

import attrs

from inclusionkit._contract import COLUMNS
from inclusionkit._errors import InclusionKitError
from inclusionkit.models import Gender, LabourStatus

LANGUAGES = ("en", "ro")

RO_HEADERS: dict[str, str] = {
    "participant_id": "Cod participant",
    "project_code": "Cod proiect",
    "gender": "Gen",
    "birth_date": "Data nașterii",
    "entry_date": "Data intrării",
    "exit_date": "Data ieșirii",
    "labour_status": "Statut pe piața muncii",
    "isced": "Nivel educație (ISCED)",
    "jobless_household": "Gospodărie fără persoane ocupate",
    "dependent_children": "Gospodărie cu copii în întreținere",
    "single_adult_household": "Gospodărie cu un singur adult",
    "minority": "Minoritate",
    "migrant": "Migrant",
    "foreign_background": "Origine străină",
    "third_country_national": "Cetățean al unei țări terțe",
    "disability": "Dizabilitate",
    "other_disadvantaged": "Alte categorii defavorizate",
    "homeless": "Persoană fără adăpost",
    "rural": "Mediu rural",
    "job_searching_at_exit": "Caută un loc de muncă la ieșire",
    "education_at_exit": "În educație sau formare la ieșire",
    "qualification_at_exit": "Calificare obținută la ieșire",
    "employed_at_exit": "Angajat la ieșire",
    "employed_6m": "Angajat la 6 luni",
    "improved_situation_6m": "Situație îmbunătățită la 6 luni",
    "region": "Regiune",
    "partner": "Partener",
}
"""The Romanian header of each canonical column, one the built-in mapping reads back."""

RO_GENDERS = {"female": "feminin", "male": "masculin", "non_binary": "non-binar"}
RO_STATUSES = {
    "employed": "angajat",
    "self_employed": "lucrător pe cont propriu",
    "unemployed": "șomer",
    "long_term_unemployed": "șomer de lungă durată",
    "inactive": "inactiv",
    "inactive_in_education": "inactiv în educație sau formare",
}

_INSTRUCTIONS = {
    "ro": (
        "Registrul participanților: un rând pentru fiecare participare a unei persoane.",
        "Completați foaia „Registru”; nu schimbați titlurile coloanelor.",
        "Gen, statut pe piața muncii, nivel ISCED și coloanele Da/Nu: alegeți din lista derulantă.",
        "Datele: zi.lună.an (de exemplu 31.01.2015); data ieșirii nu e înaintea celei de intrare.",
        "Cod participant: un cod fără date personale (nu CNP, nu nume). Dacă aveți doar CNP "
        "și nume, folosiți `inclusionkit pseudonymise` sau `inclusionkit report --key-file`.",
        "Regiune: codul NUTS 2 (de exemplu RO31) sau numele regiunii (Sud-Muntenia).",
        "Verificați registrul cu: inclusionkit validate registru.xlsx",
    ),
    "en": (
        "Participant register: one row per participation of a person.",
        "Fill in the 'Register' sheet; do not change the column headers.",
        "Gender, labour status, ISCED level and the Yes/No columns: choose from the drop-down.",
        "Dates: day.month.year (e.g. 31.01.2015); the exit is not before the entry.",
        "Participant id: a code with no personal data (no CNP, no name). With only CNP and "
        "names, use `inclusionkit pseudonymise` or `inclusionkit report --key-file`.",
        "Region: the NUTS 2 code (e.g. RO31) or the region's name (Sud-Muntenia).",
        "Check the register with: inclusionkit validate registru.xlsx",
    ),
}


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
    if lang not in LANGUAGES:
        raise InclusionKitError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    ro = lang == "ro"
    yes_no = ("Da", "Nu") if ro else ("Yes", "No")
    columns: list[TemplateColumn] = []
    for column in COLUMNS:
        header = RO_HEADERS.get(column.name, column.name) if ro else column.name
        kind: str = column.kind
        choices: tuple[str, ...] = ()
        if column.name == "gender":
            kind = "choice"
            choices = tuple(RO_GENDERS[str(g)] if ro else str(g) for g in Gender)
        elif column.name == "labour_status":
            kind = "choice"
            names = [str(status) for status in LabourStatus]
            choices = tuple(RO_STATUSES.get(name, name) if ro else name for name in names)
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
        instructions=_INSTRUCTIONS[lang],
        sheet="Registru" if ro else "Register",
        instructions_sheet="Instrucțiuni" if ro else "Instructions",
        title="Registrul participanților" if ro else "Participant register",
    )


def template_csv(template: RegisterTemplate, delimiter: str = ",") -> str:
    """The template as a CSV: its header line (a CSV has no drop-down lists)."""
    import pandas as pd

    from inclusionkit._sanitise import frame_to_csv

    return frame_to_csv(
        pd.DataFrame(columns=[column.header for column in template.columns]), sep=delimiter
    )
