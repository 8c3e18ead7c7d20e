"""Commands about plugins and formats: ``plugins``, ``formats`` and ``convert``."""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path
from typing import Any

import click

from inclusionkit._formats import KINDS
from inclusionkit._i18n import translate
from inclusionkit.cli._common import output_format, reading_options, write_file

__all__ = ["convert_command", "formats_command", "plugins_command"]


@click.command(name="plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins_command(as_json: bool) -> None:
    """List the plugins: built-in and installed, their versions, hooks and status.

    A broken plugin (it failed to import, or implements a hook that does not exist) is listed
    with the reason and skipped; a plugin named in INCLUSIONKIT_BLOCK_PLUGINS is listed as
    blocked and never imported.
    """
    from inclusionkit import PluginError, PluginWarning, get_plugin_manager

    with warnings.catch_warnings():
        # The listing shows every broken plugin and why; a warning on top would say it twice.
        warnings.simplefilter("ignore", PluginWarning)
        pm = get_plugin_manager()
        # A plugin whose register_* hook fails is found broken only when the formats are
        # collected; a clash between two plugins is for `formats` to report, not this listing.
        with contextlib.suppress(PluginError):
            pm.exporters()
        infos = pm.plugin_info()
    if as_json:
        click.echo(json.dumps([info.to_dict() for info in infos], indent=2, ensure_ascii=False))
        return
    rows = [
        [
            info.name,
            info.version or "",
            info.status,
            ", ".join(info.hooks) or "-",
        ]
        for info in infos
    ]
    click.echo(_table(["name", "version", "status", "hooks"], rows))
    for info in infos:
        if info.error:
            click.echo(f"\n{info.name}: {info.error}")


@click.command(name="formats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def formats_command(as_json: bool) -> None:
    """List the formats that can be read and written, with their extensions and plugins."""
    from inclusionkit import get_plugin_manager

    pm = get_plugin_manager()
    importers, exporters = pm.importers(), pm.exporters()
    entries: list[dict[str, Any]] = []
    for name in sorted(set(importers) | set(exporters)):
        importer, exporter = importers.get(name), exporters.get(name)
        extensions: dict[str, None] = {}
        for item in (importer, exporter):
            if item is not None:
                extensions.update(dict.fromkeys(item.extensions))
        plugins = {item.plugin for item in (importer, exporter) if item is not None}
        described = exporter or importer
        entries.append(
            {
                "format": name,
                "extensions": list(extensions),
                "read": sorted(importer.kinds) if importer else [],
                "write": sorted(exporter.kinds) if exporter else [],
                "plugin": sorted(plugins),
                "description": described.description if described else "",
            }
        )
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    rows = [
        [
            entry["format"],
            " ".join(entry["extensions"]),
            ", ".join(entry["read"]) or "-",
            ", ".join(entry["write"]) or "-",
            ", ".join(_short(plugin) for plugin in entry["plugin"]),
        ]
        for entry in entries
    ]
    click.echo(_table(["format", "extensions", "read", "write", "plugin"], rows))


@click.command(name="convert")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from", "from_format", metavar="FORMAT", help="Format of SOURCE (default: by extension)."
)
@click.option(
    "--to", "to_format", metavar="FORMAT", help="Format of TARGET (default: by extension)."
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help="What SOURCE holds (default: what the file says).",
)
@reading_options()
def convert_command(
    source: Path, target: Path, from_format: str | None, to_format: str | None, kind: str | None
) -> None:
    """Convert SOURCE to TARGET, e.g. a participation table from CSV to Parquet.

    The formats come from the extensions unless --from/--to name them (see `inclusionkit
    formats`); a format is never written under another's extension. TARGET is written
    atomically: on any error the previous file is left as it was.
    """
    import inclusionkit
    from inclusionkit._io import infer_kind

    obj = inclusionkit.read(source, format=from_format, kind=kind)
    kind = kind or infer_kind(obj)
    write_file(obj, target, output_format(target, to_format, kind), kind)
    click.echo(translate("wrote {path} ({kind})").format(path=target, kind=kind))


def _short(plugin: str) -> str:
    return plugin.removeprefix("inclusionkit.default_plugins.") + (
        " (built-in)" if plugin.startswith("inclusionkit.default_plugins.") else ""
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    from inclusionkit._i18n._tables import column_header

    header = [column_header(name) for name in header]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)
