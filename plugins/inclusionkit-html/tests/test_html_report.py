"""The HTML report as text: content, self-containment, bar counts, languages, privacy, escaping."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import inclusionkit_html
import pandas as pd
import pytest
from html_report_dom import (
    AS_OF,
    HOSTILE_INDICATOR,
    HOSTILE_PARTNER,
    HOSTILE_TITLE,
    HOSTILE_TITLE_EN,
    example,
    hostile_project,
    parse,
)
from inclusionkit_html import render_report, write_report
from inclusionkit_html._labels import _TEXTS, Labels

from inclusionkit import (
    InclusionKitError,
    Project,
    compute,
    examples,
    get_plugin_manager,
    suppress,
    write,
    write_participations,
)

EXAMPLES = examples.list()


@pytest.fixture(scope="module")
def pages() -> dict[tuple[str, str], str]:
    """Every bundled example rendered in both languages (rendering takes about a second)."""
    out = {}
    for name in EXAMPLES:
        project, participations = example(name)
        for lang in ("en", "ro"):
            out[name, lang] = render_report(project, participations, lang=lang)
    return out


def test_plugin_registers_the_html_exporter() -> None:
    """The installed entry point contributes an exporter named html for projects and indicator
    reports, .html."""
    exporter = get_plugin_manager().exporters()["html"]
    assert exporter.kinds == frozenset({"project", "report"})
    assert exporter.extensions == (".html",)
    assert exporter.plugin


def test_write_through_the_host_picks_html_by_extension(tmp_path: Path) -> None:
    """inclusionkit's write() finds the exporter from .html and passes the options through."""
    project, participations = example("dreptul-la-munca")
    target = tmp_path / "report.html"
    write(project, target, participations=participations, lang="ro", suppress=5)
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="ro">' in html
    assert 'id="esf-output-chart"' in html


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", ["en", "ro"])
def test_both_examples_render_every_section(
    pages: dict[tuple[str, str], str], name: str, lang: str
) -> None:
    """Title in both languages, code, programme, period, partners, progress and activities."""
    project, participations = example(name)
    page = parse(pages[name, lang])
    assert project.title.ro in page.text
    assert project.title.en is not None
    assert project.title.en in page.text
    assert project.code in page.text
    assert project.programme in page.text
    for partner in project.partners:
        assert partner.organisation.name in page.text
    ids = {element.attrs.get("id") for element in page.elements}
    assert {"partners", "progress", "indicators", "activities", "provenance"} <= ids
    assert {"progress-chart", "activities-chart"} <= ids
    has_table = participations is not None
    assert ("excluded" in ids) is has_table
    assert ("esf-output-chart" in ids) is has_table


@pytest.mark.parametrize("name", EXAMPLES)
def test_page_is_self_contained(pages: dict[tuple[str, str], str], name: str) -> None:
    """No script, stylesheet link, web address, @import or url() pointing outside the page."""
    for lang in ("en", "ro"):
        html = pages[name, lang]
        lowered = html.lower()
        for forbidden in ("<script", "<link", "http://", "https://", "@import", "<img", "<iframe"):
            assert forbidden not in lowered, forbidden
        for target in re.findall(r"url\(([^)]*)\)", html):
            assert target.startswith("#"), target
        page = parse(html)
        for element in page.elements:
            for attribute in ("src", "srcset", "action", "data", "poster"):
                assert attribute not in element.attrs, (element.tag, attribute)
            href = element.attrs.get("href")
            assert href is None or href.startswith("#"), href


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_reference_in_the_page_resolves_to_one_element(
    pages: dict[tuple[str, str], str], name: str
) -> None:
    """Ids are unique across all charts, and every url(#…) and href="#…" finds its target."""
    html = pages[name, "en"]
    ids = [element.attrs["id"] for element in parse(html).elements if "id" in element.attrs]
    assert len(ids) == len(set(ids))
    targets = re.findall(r"url\(#([^)]+)\)", html) + re.findall(r'href="#([^"]+)"', html)
    assert targets
    assert set(targets) <= set(ids)


@pytest.mark.parametrize("name", EXAMPLES)
def test_progress_chart_has_one_bar_per_indicator(
    pages: dict[tuple[str, str], str], name: str
) -> None:
    """The progress chart draws exactly one bar per indicator, tagged with its code and status."""
    project, _ = example(name)
    bars = parse(pages[name, "en"]).bars("progress-chart")
    assert len(bars) == len(project.indicators)
    assert sorted(bar.attrs["data-indicator"] for bar in bars) == sorted(
        indicator.code for indicator in project.indicators
    )
    for bar in bars:
        assert f"status-{bar.attrs['data-status'].replace(' ', '-')}" in bar.classes


def test_progress_statuses_are_shown_in_words_and_classes(
    pages: dict[tuple[str, str], str],
) -> None:
    """Exceeded, met and not achieved (the project has ended below target) each appear as a bar
    class and as a word in the chart."""
    page = parse(pages["dreptul-la-munca", "en"])
    statuses = {bar.attrs["data-status"] for bar in page.bars("progress-chart")}
    assert statuses == {"exceeded", "met", "not achieved"}
    chart_text = " ".join(e.text for e in page.elements if e.tag == "svg")
    for word in ("exceeded", "met", "not achieved", "Target"):
        assert word in chart_text


def _published(
    participations: pd.DataFrame | None, project: Project, threshold: int
) -> tuple[int, int]:
    """(published gender cells, all gender cells) of the personal indicators, computed here."""
    assert participations is not None
    report = compute(participations, rules="esf-2014", project=project)
    entity = {spec.code for spec in report.ruleset.indicators if spec.is_entity}
    table = report.table[~report.table["indicator"].isin(entity)].reset_index(drop=True)
    published = suppress(table, threshold=threshold).published
    genders = published[published["gender"] != "total"]
    return int((~genders["suppressed"].astype(bool)).sum()), len(genders)


def test_gender_charts_draw_one_bar_per_published_cell(
    pages: dict[tuple[str, str], str],
) -> None:
    """Bars by gender = published cells; each suppressed cell is a word in place of a bar."""
    project, participations = example("dreptul-la-munca")
    page = parse(pages["dreptul-la-munca", "en"])
    bars = page.bars("esf-output-chart") + page.bars("esf-result-chart")
    published, cells = _published(participations, project, 5)
    assert len(bars) == published
    words = [
        e
        for e in page.elements
        if e.tag == "text" and e.chart and e.chart.startswith("esf-") and "suppressed" in e.text
    ]
    assert len(bars) + len(words) == cells
    # CR07 and CR08 have 1-4 persons in a gender cell: no bar may give their size away.
    assert not {"CR07", "CR08"} & {bar.attrs["data-indicator"] for bar in bars}
    cells_shown = [e for e in page.elements if e.tag == "td" and "suppressed" in e.classes]
    assert len(cells_shown) == cells - published


def test_suppress_zero_shows_every_cell() -> None:
    """suppress=0 turns disclosure control off: a bar for every gender cell, no hidden cell."""
    project, participations = example("dreptul-la-munca")
    page = parse(render_report(project, participations, suppress=0))
    bars = page.bars("esf-output-chart") + page.bars("esf-result-chart")
    _, cells = _published(participations, project, 5)
    assert len(bars) == cells
    assert not [e for e in page.elements if e.tag == "td" and "suppressed" in e.classes]


@pytest.mark.parametrize("name", EXAMPLES)
def test_activity_bars_add_up_to_the_activities(
    pages: dict[tuple[str, str], str], name: str
) -> None:
    """The monthly segments' counts sum to the number of activities, each kind accounted for."""
    project, _ = example(name)
    bars = parse(pages[name, "en"]).bars("activities-chart")
    assert sum(int(bar.attrs["data-count"]) for bar in bars) == len(project.activities)
    assert {bar.attrs["data-kind"] for bar in bars} == {a.kind for a in project.activities}


def test_romanian_report_uses_romanian_labels_and_dates(
    pages: dict[tuple[str, str], str],
) -> None:
    """lang="ro": Romanian headings, roles, statuses, dates and number separators."""
    ro = parse(pages["dreptul-la-munca", "ro"]).text
    en = parse(pages["dreptul-la-munca", "en"]).text
    for word in (
        "Parteneri",
        "Progresul față de ținte",
        "Beneficiar (lider de parteneriat)",
        "Partener",
        "1 aprilie 2014 – 31 octombrie 2015",
        "depășit",
        "sub țintă",
        "Înregistrări neluate în calcul",
        "femei",
        "bărbați",
        "99,4 %",
    ):
        assert word in ro, word
    for word in ("Partners", "Lead partner", "1 April 2014 – 31 October 2015", "99.4%"):
        assert word in en, word
        assert word not in ro, word
    assert pages["dreptul-la-munca", "ro"].count('<html lang="ro">') == 1
    # The title comes first in the report's language, the other language beside it.
    h1 = next(e for e in parse(pages["dreptul-la-munca", "ro"]).elements if e.tag == "h1")
    assert h1.text == "Și noi avem dreptul la muncă!"
    assert h1.attrs["lang"] == "ro"


def test_no_participant_identifier_reaches_the_page(pages: dict[tuple[str, str], str]) -> None:
    """No participant id of the table, nor of an excluded record, appears anywhere in the page."""
    _, participations = example("dreptul-la-munca")
    assert participations is not None
    ids = set(participations["participant_id"].astype(str))
    for lang in ("en", "ro"):
        html = pages["dreptul-la-munca", lang]
        leaked = {pid for pid in ids if pid in html}
        assert not leaked, sorted(leaked)[:5]
        # The id scheme itself (DLM-0001 …) does not appear either, e.g. through project notes.
        assert not re.search(r"DLM-\d{4}", html)


def test_markup_in_the_project_is_shown_as_text_not_run() -> None:
    """Titles, indicator and partner names with markup are escaped everywhere, charts included."""
    html = render_report(hostile_project(), lang="ro")
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "<img" not in lowered
    assert "</svg><script" not in lowered
    page = parse(html)
    h1 = next(e for e in page.elements if e.tag == "h1")
    assert h1.text == HOSTILE_TITLE
    assert HOSTILE_TITLE_EN in page.text
    assert HOSTILE_PARTNER in page.text
    assert HOSTILE_INDICATOR in page.text
    # In the chart the indicator name is wrapped onto lines, but still text.
    chart_text = " ".join(e.text for e in page.elements if e.chart == "progress-chart")
    assert "</svg><script>" in chart_text


def test_as_of_cuts_records_and_activities() -> None:
    """as_of leaves out later activities (saying how many) and is the reporting date shown."""
    project, participations = example("dreptul-la-munca")
    html = render_report(project, participations, as_of=AS_OF)
    page = parse(html)
    later = sum(1 for a in project.activities if a.start > AS_OF)
    assert later
    assert f"{later} activities starting after 30 September 2014 are left out." in page.text
    bars = page.bars("activities-chart")
    assert sum(int(bar.attrs["data-count"]) for bar in bars) == len(project.activities) - later
    assert "Data as of" in page.text
    assert "30 September 2014" in page.text


def test_rendering_is_deterministic() -> None:
    """The same input gives the same bytes (no timestamps, fixed SVG hash salt)."""
    project, participations = example("dreptul-la-munca")
    first = render_report(project, participations, lang="en")
    assert render_report(project, participations, lang="en") == first


def test_participations_may_be_a_file_path(tmp_path: Path) -> None:
    """A participation file path is read like inclusionkit.read_participations reads it."""
    project, participations = example("dreptul-la-munca")
    assert participations is not None
    path = tmp_path / "participations.csv"
    write_participations(participations, path)
    from_path = render_report(project, path)
    assert from_path == render_report(project, participations)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, "unknown HTML report option"),
        ({"lang": "fr"}, "lang"),
        ({"suppress": -1}, "suppress"),
        ({"suppress": True}, "suppress"),
        ({"suppress": "many"}, "suppress"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"participations": 42}, "participations"),
    ],
)
def test_bad_options_are_clear_errors(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    """Every bad option is an InclusionKitError naming it; no file is left behind."""
    project, _ = example("dialog-social")
    target = tmp_path / "report.html"
    with pytest.raises(InclusionKitError, match=message):
        write(project, target, format="html", **options)
    assert not target.exists()


def test_exporter_refuses_other_objects(tmp_path: Path) -> None:
    """The write function says it writes project reports when given anything else."""
    with pytest.raises(InclusionKitError, match="project reports"):
        write_report({"not": "a project"}, tmp_path / "x.html", kind="project", options={})


def test_without_participations_the_page_says_what_is_missing(
    pages: dict[tuple[str, str], str],
) -> None:
    """dialog-social has no participation table: the indicators section explains why it is empty."""
    text = parse(pages["dialog-social", "en"]).text
    assert "No participation table was given" in text
    assert "13 computed from records, 0 reported, 0 without a value" in text


def test_no_word_key_hides_a_labels_method() -> None:
    """Templates read words as L.key: no key may collide with a method of Labels."""
    clashes = [key for key in _TEXTS if hasattr(Labels, key)]
    assert not clashes


@pytest.mark.parametrize(
    ("lang", "number", "expected"),
    [
        ("en", 1666.5, "1,666.5"),
        ("ro", 1666.5, "1.666,5"),
        ("en", 900, "900"),
        ("ro", 1e6, "1.000.000"),
    ],
)
def test_numbers_use_the_language_separators(lang: str, number: float, expected: str) -> None:
    """Thousands and decimal separators follow the report's language."""
    assert Labels(lang).format_number(number) == expected


def test_version_is_exposed() -> None:
    """The package has a version and names it in the page's generator meta tag."""
    assert inclusionkit_html.__version__
    project, _ = example("dialog-social")
    assert f"inclusionkit-html {inclusionkit_html.__version__}" in render_report(project)


def test_a_project_with_nothing_measured_still_renders() -> None:
    """No objectives, activities, locations or description: every section says so, no chart."""
    project, _ = example("dialog-social")
    bare = attrs.evolve(
        project, objectives=(), activities=(), locations=(), target_groups=(), description=None
    )
    page = parse(render_report(bare))
    assert "The project has no indicators with targets." in page.text
    assert "The project records no activities." in page.text
    assert not page.by_tag("svg")


def test_esf_2021_shows_the_non_binary_column() -> None:
    """With the ESF+ 2021 rule set the table and charts have a non-binary category."""
    project, participations = example("dreptul-la-munca")
    page = parse(render_report(project, participations, rules="esf-2021", suppress=0))
    headers = [e.text for e in page.by_tag("th")]
    assert "non-binary" in headers
    genders = {bar.attrs["data-gender"] for bar in page.bars("esf-output-chart")}
    assert genders == {"female", "male", "non_binary"}


# -- indicator reports (kind "report") ------------------------------------------------------------


def test_a_report_writes_a_page_of_its_indicators(tmp_path: Path) -> None:
    """write(report, "r.html") writes a real page: the indicators, excluded and provenance, no
    project sections."""
    _, participations = example("dreptul-la-munca")
    report = compute(participations, rules="esf-2014")
    target = tmp_path / "r.html"
    write(report, target)
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    page = parse(html)
    sections = {e.attrs.get("id") for e in page.elements if e.tag == "section"}
    assert {"indicators", "excluded", "provenance"} <= sections
    assert not {"partners", "progress", "activities"} & sections
    assert "esf-2014" in html


def test_a_report_page_equals_the_project_page_given_the_same_report() -> None:
    """A project page built on a Report computed beforehand is the page computed from the
    participations: the plugin shows the report, it never counts differently."""
    project, participations = example("dreptul-la-munca")
    report = compute(participations, rules="esf-2014", by=("gender",), project=project)
    given = render_report(project, participations, report=report)
    assert given == render_report(project, participations)


def test_report_and_project_option_give_the_project_page(tmp_path: Path) -> None:
    """write(report, path, project=...) adds the project's sections to the indicators."""
    project, participations = example("dreptul-la-munca")
    report = compute(participations, rules="esf-2014", project=project)
    target = tmp_path / "r.html"
    write(report, target, project=project, participations=participations)
    page = parse(target.read_text(encoding="utf-8"))
    sections = {e.attrs.get("id") for e in page.elements if e.tag == "section"}
    assert {"partners", "progress", "indicators", "activities"} <= sections


def test_report_page_suppresses_as_report_suppress_does(tmp_path: Path) -> None:
    """The cells the page hides are exactly those Report.suppress hides (one policy)."""
    _, participations = example("dreptul-la-munca")
    report = compute(participations, rules="esf-2014")
    page = parse(render_report_of(report))
    hidden = [e for e in page.elements if e.tag == "td" and "suppressed" in e.classes]
    published = report.suppress().published
    assert len(hidden) == int(published["suppressed"].sum())


def render_report_of(report: Any) -> str:
    """The page of a report alone, through the exporter's write function."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.html"
        write_report(report, path, kind="report", options={})
        return path.read_text(encoding="utf-8")
