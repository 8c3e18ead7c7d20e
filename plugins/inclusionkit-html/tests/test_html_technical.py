"""The technical report page: both tables, escaped text, numbers in the report's language."""

from __future__ import annotations

import attrs
import pandas as pd
from inclusionkit_html._technical import render_technical

from inclusionkit import examples, technical_report


def _report(lang: str) -> object:
    example = examples.load("dreptul-la-munca")
    return technical_report(example.project, example.participations, period="2015-Q2", lang=lang)


def test_text_is_escaped_and_nothing_runs() -> None:
    """A name holding markup is shown as text: the page has no script and no raw tag."""
    report = _report("en")
    indicators = report.indicators.copy()
    indicators.loc[0, "name"] = "<script>alert(1)</script> & co"
    page = render_technical(attrs.evolve(report, indicators=indicators))
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_numbers_follow_the_language() -> None:
    """Romanian pages group thousands with a dot and use a decimal comma; English the reverse."""
    report = _report("ro")
    indicators = report.indicators.copy()
    indicators["cumulative"] = pd.array([1234.5] * len(indicators), dtype="Float64")
    ro = render_technical(attrs.evolve(report, indicators=indicators))
    en = render_technical(attrs.evolve(report, indicators=indicators), "en")
    assert '<td class="num">1.234,5</td>' in ro
    assert '<td class="num">1,234.5</td>' in en
    assert "Indicatori atinşi" in ro
    assert "Indicators achieved" in en
