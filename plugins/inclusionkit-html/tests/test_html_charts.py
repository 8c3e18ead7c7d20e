"""The charts' SVG: an indicator's full name beside its bars, wrapped onto lines, never cut."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from inclusionkit_html._charts import (
    LABEL_WIDTH,
    GenderRow,
    ProgressBar,
    gender_chart,
    progress_chart,
)
from inclusionkit_html._labels import Labels

LONG = (
    "Participanți care beneficiază de sprijin pentru integrarea pe piața muncii, inclusiv "
    "consiliere, mediere și formare profesională, la ieșirea din operațiune"
)
SHORT = "Participanți"


def _texts(svg: str) -> list[tuple[float, str]]:
    """The indicator labels' lines (matplotlib places each line of a tick label with a
    ``translate``, other texts with ``x``/``y``), top to bottom."""
    root = ET.fromstring(svg)
    found = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "text" or element.get("x") is not None:
            continue
        place = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", element.get("transform", ""))
        assert place, element.attrib
        found.append((float(place.group(2)), "".join(element.itertext())))
    return sorted(found)


def _label_lines(svg: str, code: str) -> list[str]:
    """The lines of the label that starts with ``code``, as drawn (one ``<text>`` each)."""
    texts = [text for _, text in _texts(svg)]
    start = next(i for i, text in enumerate(texts) if text.startswith(f"{code}  "))
    lines = [texts[start]]
    wanted = " ".join(f"{code}  {LONG}".split())
    while " ".join(" ".join(lines).split()) != wanted and start + len(lines) < len(texts):
        lines.append(texts[start + len(lines)])
    return lines


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_a_long_indicator_name_wraps_onto_lines_in_the_progress_chart(lang: str) -> None:
    """The progress chart shows the whole name on several short lines, no ellipsis."""
    bars = [
        ProgressBar(code="CO01", label=LONG, percent=80.0, status="behind"),
        ProgressBar(code="CO02", label=SHORT, percent=120.0, status="exceeded"),
    ]
    chart = progress_chart(bars, Labels(lang), chart_id="progress-chart")
    lines = _label_lines(chart.svg, "CO01")
    assert " ".join(" ".join(lines).split()) == " ".join(f"CO01  {LONG}".split())
    assert len(lines) >= 3
    assert all(len(line) <= LABEL_WIDTH for line in lines)
    assert "…" not in chart.svg
    assert f">CO02  {SHORT}</text>" in chart.svg  # a short name stays on one line


def test_a_long_indicator_name_wraps_onto_lines_in_the_gender_chart() -> None:
    """The gender chart shows the whole name on several short lines, no ellipsis."""
    rows = [
        GenderRow(code="CO01", label=LONG, values={"female": 3.0, "male": 2.0}),
        GenderRow(code="CO02", label=SHORT, values={"female": 1.0, "male": None}),
    ]
    chart = gender_chart(
        rows, ["female", "male"], Labels("ro"), chart_id="esf-output-chart", title="t"
    )
    lines = _label_lines(chart.svg, "CO01")
    assert " ".join(" ".join(lines).split()) == " ".join(f"CO01  {LONG}".split())
    assert len(lines) >= 3
    assert "…" not in chart.svg
