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
from inclusionkit._i18n import N_, check_language, translate
from inclusionkit._i18n._tables import COLUMN_HEADERS, GENDER_VALUES, STATUS_VALUES
from inclusionkit.models import Gender, LabourStatus

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
    from inclusionkit._pandas import pd
    from inclusionkit._sanitise import frame_to_csv

    return frame_to_csv(
        pd.DataFrame(columns=[column.header for column in template.columns]), sep=delimiter
    )
