"""A blank register as a workbook that checks itself in Excel and LibreOffice.

The register sheet has the template's headers (bold, frozen, wide enough to read), a drop-down
list on every column with choices (gender, labour status, ISCED, Da/Nu), date cells formatted
``DD.MM.YYYY`` that refuse anything but a date, and an instructions sheet in the template's
language. The lists live on a hidden sheet, so no list is limited to 255 characters.
"""

from __future__ import annotations

import os

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from inclusionkit import RegisterTemplate
from inclusionkit_xlsx._translator import TRANSLATOR

ROWS = 5000
"""How many rows the drop-down lists and date checks cover."""

LISTS_SHEET = "Liste"


def write_template(template: RegisterTemplate, path: os.PathLike[str]) -> None:
    """Write ``template`` (an :class:`inclusionkit.RegisterTemplate`) to ``path``."""
    lang = template.lang
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = template.sheet
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    notes = workbook.create_sheet(template.instructions_sheet)
    bold = Font(bold=True)
    list_column = 0
    for number, column in enumerate(template.columns, start=1):
        letter = get_column_letter(number)
        cell = sheet.cell(row=1, column=number, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) + 4))
        cells = f"{letter}2:{letter}{ROWS + 1}"
        if column.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for row, choice in enumerate(column.choices, start=2):
                lists.cell(row=row, column=list_column, value=choice)
            end = len(column.choices) + 1
            check = DataValidation(
                type="list",
                formula1=f"'{LISTS_SHEET}'!${list_letter}$2:${list_letter}${end}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=TRANSLATOR.translate("Choose a value from the list", lang),
            )
            check.add(cells)
            sheet.add_data_validation(check)
        elif column.kind == "date":
            check = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,1,1)",
                formula2="DATE(2199,12,31)",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=TRANSLATOR.translate("A date: day.month.year", lang),
            )
            check.add(cells)
            sheet.add_data_validation(check)
            for row in range(2, ROWS + 2):
                sheet.cell(row=row, column=number).number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"
    notes.column_dimensions["A"].width = 110
    notes.cell(row=1, column=1, value=template.title).font = Font(bold=True, size=14)
    for row, line in enumerate(template.instructions, start=3):
        notes.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=True)
    workbook.properties.creator = "inclusionkit-xlsx"
    workbook.save(os.fspath(path))
