"""The technical report of a reporting period (``raport-tehnic``) as one self-contained page.

The two tables of the Anexa 9 (indicators achieved; target group in the reporting period), headed
in the report's language, with the project and the reference period above them. Only aggregates
are shown; the page needs no network (the stylesheet is inline).
"""

from __future__ import annotations

import html
import math
from importlib import resources
from typing import Any

import pandas as pd

from inclusionkit import TechnicalReport

__all__ = ["render_technical"]


def _cell(value: Any, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float | int):
        number = float(value)
        text = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
        if lang == "ro":  # 1.234,5
            text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
        return text
    return html.escape(str(value))


def _table(frame: pd.DataFrame, lang: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(name))}</th>' for name in frame.columns)
    numeric = [pd.api.types.is_numeric_dtype(frame[name].dtype) for name in frame.columns]
    rows = []
    for record in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{_cell(value, lang)}</td>'
            if number
            else f"<td>{_cell(value, lang)}</td>"
            for value, number in zip(record, numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_technical(report: TechnicalReport, lang: str | None = None) -> str:
    """The page of a :class:`inclusionkit.TechnicalReport`, in ``lang`` (default: the report's)."""
    lang = lang or report.lang
    titles = report.titles(lang)
    tables = report.tables(lang)
    css = resources.files("inclusionkit_html").joinpath("templates/report.css").read_text("utf-8")
    title = f"{titles['report']} – {report.project_code}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>\n<body>\n"
        f"<h1>{html.escape(titles['report'])}</h1>\n"
        f"<p>{html.escape(report.project_code)} – {html.escape(report.project_title)}</p>\n"
        f"<p>{html.escape(titles['period'])}: {html.escape(str(report.period))}</p>\n"
        f"<h2>{html.escape(titles['indicators'])}</h2>\n{_table(tables['indicators'], lang)}\n"
        f"<h2>{html.escape(titles['target_groups'])}</h2>\n"
        f"{_table(tables['target_groups'], lang)}\n</body>\n</html>\n"
    )
