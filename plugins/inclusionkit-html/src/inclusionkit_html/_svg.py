"""Turn a matplotlib SVG document into an SVG element that can sit inline in an HTML page.

A standalone SVG file and an inline one differ in ways that matter for a self-contained,
print-ready page holding several charts:

- matplotlib numbers its groups per figure (``figure_1``, ``patch_1``) and names clip paths and
  hatch patterns from a hash, so two charts in one page would repeat ids, and a ``url(#id)``
  could point into the wrong chart. Every id is prefixed with the chart's own id.
- The ``<metadata>`` block and the XML namespaces name web addresses (Dublin Core, the SVG DTD).
  They fetch nothing, but an inline SVG needs none of them, and a page with no address in it at
  all is easy to check. They are dropped; the HTML parser puts ``<svg>`` in the SVG namespace.
- matplotlib's ``<style>`` element holds ``*{...}``, which inline would restyle the whole page;
  the page's stylesheet carries the same rule scoped to charts.
- The bars a test or a reader cares about get a ``class``, ``data-*`` attributes and a
  ``<title>`` (a tooltip, and the bar's accessible name): matplotlib only lets an artist set an
  ``id`` (its *gid*), so the chart code tags bars with a gid and this module turns the tag into
  the attributes.

The input is matplotlib's own output from our figures (no outside SVG is ever parsed), and the
output is serialised by ElementTree, which escapes every text and attribute value.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

_URL_REFERENCE = re.compile(r"url\(#([^)\s]+)\)")
_DROPPED = frozenset({"metadata", "style"})
_WHITESPACE = re.compile(r"\s+")


def _local(name: str) -> str:
    """``{namespace}name`` → ``name``; ``xlink:href`` becomes plain ``href`` (SVG 2)."""
    return name.rsplit("}", 1)[-1]


def inline_svg(
    document: str,
    *,
    chart_id: str,
    title: str,
    marks: Mapping[str, Mapping[str, str]],
) -> str:
    """Return ``document`` (matplotlib SVG) as an inline ``<svg>`` element.

    ``chart_id`` prefixes every id; ``title`` becomes the chart's accessible name; ``marks``
    maps a gid given to an artist to the attributes its group gets (``class``, ``data-*``; the
    key ``title`` becomes a ``<title>`` child).
    """
    root = ET.fromstring(document.encode("utf-8"))
    for element in root.iter():
        element.tag = _local(element.tag)
        element.attrib = {_local(key): value for key, value in element.attrib.items()}
    _drop(root)

    renamed: dict[str, str] = {}
    for element in root.iter():
        old = element.get("id")
        if old is not None:
            renamed[old] = f"{chart_id}-{old}"

    def reference(match: re.Match[str]) -> str:
        return f"url(#{renamed.get(match.group(1), match.group(1))})"

    for element in root.iter():
        gid = element.get("id")
        for key, value in list(element.attrib.items()):
            if key == "id":
                element.set(key, renamed[value])
            elif key == "href" and value.startswith("#"):
                element.set(key, f"#{renamed.get(value[1:], value[1:])}")
            elif "url(#" in value:
                element.set(key, _URL_REFERENCE.sub(reference, value))
            elif key in {"d", "points"}:
                # matplotlib breaks path data over lines; one line keeps the page compact.
                element.set(key, _WHITESPACE.sub(" ", value).strip())
        if gid is not None and gid in marks:
            _mark(element, marks[gid])

    for key in ("width", "height", "version"):
        # The viewBox keeps the aspect ratio; the page's CSS sets the width.
        root.attrib.pop(key, None)
    root.set("id", chart_id)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    heading = ET.Element("title", {"id": f"{chart_id}-title"})
    heading.text = title
    root.insert(0, heading)
    return ET.tostring(root, encoding="unicode")


def _drop(parent: ET.Element) -> None:
    for child in list(parent):
        if child.tag in _DROPPED:
            parent.remove(child)
        else:
            _drop(child)


def _mark(element: ET.Element, attributes: Mapping[str, str]) -> None:
    for key, value in attributes.items():
        if key == "title":
            tooltip = ET.Element("title")
            tooltip.text = value
            element.insert(0, tooltip)
        else:
            element.set(key, value)
