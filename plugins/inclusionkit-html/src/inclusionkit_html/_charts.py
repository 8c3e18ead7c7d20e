"""The report's charts, drawn with matplotlib and returned as inline SVG.

Every chart is built on a bare :class:`matplotlib.figure.Figure` (no pyplot: no global figure
registry, no GUI backend, safe to call from a server) inside one ``rc_context`` that makes the SVG
reproducible and self-contained:

- ``svg.fonttype = "none"`` writes text as ``<text>`` (not glyph outlines): the page stays small,
  text can be searched and selected, and the viewer's own fonts render Romanian diacritics;
- ``svg.hashsalt`` fixes the hashed ids of clip paths and hatch patterns, so the same input gives
  the same bytes;
- ``text.parse_math = False``: a ``$`` in an indicator name is a dollar sign, not TeX.

Status and gender are told apart by colour (the Okabe-Ito palette, which colour-blind readers can
separate) *and* by fill pattern and printed words, so the charts survive greyscale printing.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from inclusionkit_html._labels import Labels
from inclusionkit_html._svg import inline_svg

WIDTH: Final = 7.2  # inches: the printable width of A4 with 15 mm margins, at 100 %

# Keys typed Any: matplotlib types rcParams keys as a Literal of every known name.
_RC: Final[dict[Any, Any]] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "inclusionkit-html",
    "text.parse_math": False,
    "font.family": "sans-serif",
    # DejaVu Sans ships with matplotlib and lays the text out; the browser shows the first of
    # these it has. A short list also keeps every <text> element short.
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "hatch.linewidth": 0.9,
    "legend.frameon": False,
    "svg.image_inline": True,
}


@dataclass(frozen=True)
class Style:
    """How one category is drawn: fill colour, outline (and hatch) colour, hatch pattern."""

    face: str
    edge: str
    hatch: str = ""


# Dark blue with white stripes, green solid, light orange cross-hatched, empty: four different
# greys and three different textures once printed without colour.
STATUS_STYLES: Final[Mapping[str, Style]] = {
    "exceeded": Style("#0072B2", "#FFFFFF", "///"),
    "met": Style("#009E73", "#00563F"),
    "behind": Style("#E69F00", "#5C3D00", "xx"),
    "on track": Style("#56B4E9", "#1F4E6B", ".."),
    "not achieved": Style("#D55E00", "#5C2800", "xx"),
    "not started": Style("#FFFFFF", "#555555"),
}
GENDER_STYLES: Final[Mapping[str, Style]] = {
    "female": Style("#CC79A7", "#5E2A48"),
    "male": Style("#0072B2", "#FFFFFF", "///"),
    "non_binary": Style("#F0E442", "#5C5400", "xx"),
}
_KIND_COLOURS: Final = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
)
# Line hatches only: matplotlib draws dot and circle hatches as hundreds of small curves each,
# which would make a page of a few charts weigh megabytes.
_KIND_HATCHES: Final = ("", "///", "xx", "\\\\\\", "---", "|||", "++", "//")


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart: its element id, its title, the SVG and how many bars it draws."""

    id: str
    title: str
    svg: str
    bars: int


@dataclass(frozen=True)
class ProgressBar:
    """One indicator in the progress chart."""

    code: str
    label: str
    percent: float | None
    status: str


@dataclass(frozen=True)
class GenderRow:
    """One indicator (and cell of other breakdowns) in a chart by gender.

    ``values`` maps a gender to its count, or to ``None`` when the cell is suppressed.
    """

    code: str
    label: str
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class MonthlyActivities:
    """Activities started per month and kind: ``counts[kind][i]`` in ``months[i]``."""

    months: Sequence[tuple[int, int]]
    counts: Mapping[str, Sequence[int]] = field(default_factory=dict)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # Date=None: no timestamp in the file, so two runs give the same bytes.
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


LABEL_WIDTH: Final = 40
"""Characters per line of an indicator's label beside its bars: about a third of the width."""

LABEL_LINE: Final = 0.13
"""Inches one line of a 7.5 pt label takes (with its leading)."""


def _wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` on lines of at most ``width`` characters (a longer word keeps its own line):
    an indicator's full name, never cut."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _lines(labels: Sequence[str]) -> int:
    """The most lines any of ``labels`` takes."""
    return max((label.count("\n") + 1 for label in labels), default=1)


def _mark_bar(patch: Any, gid: str, marks: dict[str, dict[str, str]], **attrs: str) -> None:
    patch.set_gid(gid)
    marks[gid] = attrs


def progress_chart(bars: Sequence[ProgressBar], labels: Labels, *, chart_id: str) -> Chart:
    """Achieved as a percentage of target, one bar per indicator, with a line at 100 %."""
    title = labels["progress_chart"]
    marks: dict[str, dict[str, str]] = {}
    shown = [0.0 if bar.percent is None or math.isnan(bar.percent) else bar.percent for bar in bars]
    # Very large shares would squash every other bar: past 300 % the bar stops at the edge and
    # its label still gives the true value.
    cap = 300.0
    top = max([110.0, *(min(value, cap) for value in shown)])
    names = [_wrap(f"{bar.code}  {bar.label}") for bar in bars]
    per_bar = max(0.32, LABEL_LINE * _lines(names) + 0.06)
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH, 1.1 + per_bar * max(len(bars), 1)), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(bars)))[::-1]
        for position, bar, value in zip(positions, bars, shown, strict=True):
            style = STATUS_STYLES.get(bar.status, STATUS_STYLES["not started"])
            width = max(0.0, min(value, cap))
            (patch,) = axes.barh(
                position,
                width,
                height=0.68,
                color=style.face,
                edgecolor=style.edge,
                hatch=style.hatch or None,
                linewidth=0.8,
            )
            status = labels.status_name(bar.status)
            if bar.percent is None or math.isnan(bar.percent):
                text = labels["no_value"]
            else:
                text = f"{labels.format_percent(bar.percent)} {status}"
            _mark_bar(
                patch,
                f"ikbar-{position}",
                marks,
                **{
                    "class": f"bar progress-bar status-{bar.status.replace(' ', '-')}",
                    "data-indicator": bar.code,
                    "data-status": bar.status,
                    "title": f"{bar.code}: {text}",
                },
            )
            clipped = value > cap
            axes.text(
                width + top * 0.012,
                position,
                ("» " if clipped else "") + text,
                va="center",
                ha="left",
                fontsize=7.5,
                color="#111111",
            )
            if not style.hatch and style.face == "#FFFFFF":
                # An empty bar has no length to see: the outline at zero says "nothing yet".
                patch.set_linestyle((0, (2, 1)))
        axes.axvline(100, color="#222222", linewidth=1.2, linestyle=(0, (4, 2)), zorder=3)
        axes.text(
            100 + top * 0.01,
            len(bars) - 0.5,
            labels["target"],
            ha="left",
            va="bottom",
            fontsize=7.5,
            color="#222222",
        )
        axes.set_yticks(positions, names, fontsize=7.5)
        axes.set_ylim(-0.6, len(bars) - 0.1 if bars else 0.5)
        axes.set_xlim(0, top * 1.32)
        # Ticks only under the bars' range: the space to the right is for the bar labels.
        step = 20 if top <= 150 else 50
        axes.set_xticks([float(x) for x in range(0, int(top) + 1, step)])
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: labels.format_percent(x)))
        axes.set_xlabel(labels["percent"])
        axes.tick_params(axis="y", length=0)
        handles = [
            Patch(
                facecolor=style.face,
                edgecolor=style.edge if style.face != "#FFFFFF" else "#555555",
                hatch=style.hatch or None,
                label=labels.status_name(status),
            )
            for status, style in STATUS_STYLES.items()
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=7.5)
        document = _svg(figure)
    svg = inline_svg(document, chart_id=chart_id, title=title, marks=marks)
    return Chart(id=chart_id, title=title, svg=svg, bars=len(bars))


def gender_chart(
    rows: Sequence[GenderRow],
    genders: Sequence[str],
    labels: Labels,
    *,
    chart_id: str,
    title: str,
) -> Chart:
    """Grouped horizontal bars: one bar per published gender cell of each indicator.

    A suppressed cell gets no bar (a bar's length would be the number being protected) but the
    word "suppressed" where the bar would be.
    """
    marks: dict[str, dict[str, str]] = {}
    counted = 0
    values = [value for row in rows for value in row.values.values() if value is not None]
    top = max([1.0, *values])
    slot = 0.8 / max(len(genders), 1)
    names = [_wrap(f"{row.code}  {row.label}") for row in rows]
    per_row = max(0.12 + 0.17 * len(genders), LABEL_LINE * _lines(names) + 0.06)
    with matplotlib.rc_context(_RC):
        height = 1.0 + max(len(rows), 1) * per_row
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        for position, row in zip(positions, rows, strict=True):
            for index, gender in enumerate(genders):
                style = GENDER_STYLES.get(gender, Style("#999999", "#333333", "---"))
                y = position + 0.4 - slot * (index + 0.5)
                value = row.values.get(gender)
                cell = f"{row.code} {labels.gender_name(gender)}"
                if value is None:
                    axes.text(
                        0,
                        y,
                        " " + labels["suppressed"],
                        va="center",
                        ha="left",
                        fontsize=6.5,
                        color="#444444",
                        style="italic",
                    )
                    continue
                (patch,) = axes.barh(
                    y,
                    value,
                    height=slot * 0.9,
                    color=style.face,
                    edgecolor=style.edge,
                    hatch=style.hatch or None,
                    linewidth=0.6,
                )
                _mark_bar(
                    patch,
                    f"ikbar-{position}-{index}",
                    marks,
                    **{
                        "class": f"bar gender-bar gender-{gender}",
                        "data-indicator": row.code,
                        "data-gender": gender,
                        "title": f"{cell}: {labels.format_number(value)}",
                    },
                )
                counted += 1
                axes.text(
                    value + top * 0.01,
                    y,
                    labels.format_number(value),
                    va="center",
                    ha="left",
                    fontsize=6.5,
                    color="#111111",
                )
        axes.set_yticks(positions, names, fontsize=7.5)
        axes.set_ylim(-0.55, len(rows) - 0.45 if rows else 0.5)
        axes.set_xlim(0, top * 1.12)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: labels.format_number(x)))
        axes.set_xlabel(labels["persons"])
        axes.tick_params(axis="y", length=0)
        handles = [
            Patch(
                facecolor=GENDER_STYLES[gender].face,
                edgecolor=GENDER_STYLES[gender].edge,
                hatch=GENDER_STYLES[gender].hatch or None,
                label=labels.gender_name(gender),
            )
            for gender in genders
            if gender in GENDER_STYLES
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles) or 1)
        document = _svg(figure)
    svg = inline_svg(document, chart_id=chart_id, title=title, marks=marks)
    return Chart(id=chart_id, title=title, svg=svg, bars=counted)


def activity_chart(data: MonthlyActivities, labels: Labels, *, chart_id: str) -> Chart:
    """Activities started per month, stacked by kind; one bar segment per (month, kind) > 0."""
    title = labels["activities_chart"]
    marks: dict[str, dict[str, str]] = {}
    months = list(data.months)
    count = len(months)
    segments = 0
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(WIDTH, 3.3), layout="constrained")
        axes = figure.add_subplot()
        bottoms = [0] * count
        handles = []
        for kind_index, (kind, counts) in enumerate(data.counts.items()):
            # Colour and hatch both cycle, the hatch shifted by one each round of colours, so
            # no two of up to 64 kinds look alike.
            colour, round_ = kind_index % len(_KIND_COLOURS), kind_index // len(_KIND_COLOURS)
            style = Style(
                _KIND_COLOURS[colour],
                "#222222",
                _KIND_HATCHES[(colour + round_) % len(_KIND_HATCHES)],
            )
            handles.append(
                Patch(
                    facecolor=style.face,
                    edgecolor=style.edge,
                    hatch=style.hatch or None,
                    linewidth=0.5,
                    label=labels.activity_name(kind),
                )
            )
            for month_index, number in enumerate(counts):
                if number <= 0:
                    continue
                (patch,) = axes.bar(
                    month_index,
                    number,
                    bottom=bottoms[month_index],
                    width=0.8,
                    color=style.face,
                    edgecolor=style.edge,
                    hatch=style.hatch or None,
                    linewidth=0.5,
                )
                year, month = months[month_index]
                _mark_bar(
                    patch,
                    f"ikbar-{kind_index}-{month_index}",
                    marks,
                    **{
                        "class": "bar activity-bar",
                        "data-kind": kind,
                        "data-month": f"{year:04d}-{month:02d}",
                        "data-count": str(number),
                        "title": (
                            f"{labels.format_month(year, month)}: {labels.activity_name(kind)} "
                            f"({labels.format_number(number)})"
                        ),
                    },
                )
                bottoms[month_index] += number
                segments += 1
        # At most about twelve month labels, on quarter or year boundaries when spread out.
        step = next((s for s in (1, 2, 3, 4, 6, 12, 24) if count / s <= 12), 36)
        ticks = [i for i, (_, month) in enumerate(months) if (month - 1) % step == 0]
        if not ticks:
            ticks = [0]
        axes.set_xticks(ticks, [labels.format_month(*months[i]) for i in ticks], fontsize=7)
        axes.set_xlim(-0.7, count - 0.3)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(labels["activities_axis"])
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.set_axisbelow(True)
        figure.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles) or 1))
        document = _svg(figure)
    svg = inline_svg(document, chart_id=chart_id, title=title, marks=marks)
    return Chart(id=chart_id, title=title, svg=svg, bars=segments)
