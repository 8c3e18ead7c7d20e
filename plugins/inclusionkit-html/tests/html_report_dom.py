"""Helpers shared by the HTML report tests: parse a page (or a browser's DOM dump) into elements.

Not a test module (its name does not start with ``test_``) and not a ``conftest.py`` (the other
plugins' test folders have their own, and all are collected in one pytest run).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser

import attrs
import pandas as pd

from inclusionkit import Project, Text, examples


@dataclass
class Element:
    """One start tag: its name, attributes, the id of the ``<svg>`` it is in, and its text."""

    tag: str
    attrs: dict[str, str]
    chart: str | None
    text: str = ""

    @property
    def classes(self) -> set[str]:
        """The element's CSS classes."""
        return set(self.attrs.get("class", "").split())


@dataclass
class Page:
    """A parsed page: every element in document order, and the visible text outside tags."""

    elements: list[Element] = field(default_factory=list)
    text: str = ""

    def bars(self, chart: str) -> list[Element]:
        """The bar groups (class ``bar``) inside the chart whose ``<svg>`` has id ``chart``."""
        return [e for e in self.elements if e.chart == chart and "bar" in e.classes]

    def by_tag(self, tag: str) -> list[Element]:
        """Every element with this tag name."""
        return [e for e in self.elements if e.tag == tag]


class _Parser(HTMLParser):
    _VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[tuple[str, Element]] = []
        self._svg: list[str | None] = []
        self._texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "svg":
            self._svg.append(values.get("id"))
        element = Element(tag=tag, attrs=values, chart=self._svg[-1] if self._svg else None)
        self.page.elements.append(element)
        if tag not in self._VOID:
            self._open.append((tag, element))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        chart = self._svg[-1] if self._svg else None
        self.page.elements.append(Element(tag=tag, attrs=values, chart=chart))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, _ = self._open.pop()
            if name == "svg" and self._svg:
                self._svg.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        self._texts.append(data)
        for _, element in self._open:
            element.text += data


def parse(html: str) -> Page:
    """Parse ``html`` into a :class:`Page`."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.page.text = "".join(parser._texts)
    return parser.page


def example(name: str) -> tuple[Project, pd.DataFrame | None]:
    """A bundled example's project and participation table."""
    loaded = examples.load(name)
    return loaded.project, loaded.participations


HOSTILE_TITLE = "<script>window.__pwned = 1</script> Proiect & <b>test</b>"
HOSTILE_TITLE_EN = '<img src="x" onerror="window.__pwned = 2"> "Project"'
HOSTILE_INDICATOR = "</svg><script>window.__pwned = 3</script> $x$ & ţ"
HOSTILE_PARTNER = '<iframe src="http://example.invalid/"></iframe> Asociația ‹X›'


def hostile_project() -> Project:
    """The dreptul-la-munca project with markup in its title, an indicator name and a partner."""
    project, _ = example("dreptul-la-munca")
    objective = project.objectives[0]
    indicator = attrs.evolve(objective.indicators[0], name=Text(ro=HOSTILE_INDICATOR))
    objective = attrs.evolve(objective, indicators=(indicator, *objective.indicators[1:]))
    lead = project.partners[0]
    organisation = attrs.evolve(lead.organisation, name=HOSTILE_PARTNER)
    return attrs.evolve(
        project,
        title=Text(ro=HOSTILE_TITLE, en=HOSTILE_TITLE_EN),
        objectives=(objective, *project.objectives[1:]),
        partners=(attrs.evolve(lead, organisation=organisation), *project.partners[1:]),
    )


AS_OF = dt.date(2014, 9, 30)
