"""``make demo``: the main job run on the bundled examples, written to a folder.

For each example project: progress against every target (the reported value beside the one
computed from its records where a rule allows); for the example with a participation table, the
indicators of the rule set of its programme's period (the POSDRU seed: ESF 2007-2013, Annex XXIII
of Regulation (EC) No 1828/2006, by year, flow and gender; then, labelled as an illustration,
the ESF 2014-2020 common indicators of the same table) and the SFC2021-style programme tables.
Each table is printed and written as CSV; the installed format plugins add an Excel workbook, an
HTML report, IATI XML and a Frictionless data package per project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from inclusionkit import (
    InclusionKitError,
    compute,
    examples,
    get_plugin_manager,
    progress,
    sfc2021_table,
    write,
)
from inclusionkit._i18n import translate
from inclusionkit._i18n._tables import translate_table
from inclusionkit.cli._common import format_table

Echo = Callable[[str], object]


def run_demo(output: Path, *, echo: Echo = print) -> list[Path]:
    """Run the demo, writing into ``output``; return the files written."""
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in examples.list():
        example = examples.load(name)
        project, participations = example.project, example.participations
        echo(f"\n== {project.title.ro} / {project.title.en} ({project.code})")
        if example.synthetic:
            echo(
                translate(
                    "   (records are synthetic and illustrative, consistent with the seed's "
                    "figures)"
                )
            )
        table = progress(project, participations)
        echo(
            "\n"
            + translate(
                "Progress against targets (reported beside computed; source: what the status uses):"
            )
        )
        shown = table.drop(columns=["name", "kind", "milestone", "milestone_date", "percent"])
        echo(format_table(translate_table(shown)))
        written.append(_csv(table, output / f"{name}.progress.csv", "progress"))
        report = None
        if participations is not None:
            # No rule set named: the one of the programme's period (POSDRU: esf-2007).
            report = compute(participations, by=("gender",), project=project)
            ruleset = report.ruleset
            echo(
                "\n"
                + translate("{title} ({name}, the rule set of {period}) by gender:").format(
                    title=ruleset.title, name=ruleset.name, period=ruleset.period
                )
            )
            echo(format_table(translate_table(report.wide().reset_index())))
            echo(report.summary())
            written.append(_csv(report, output / f"{name}.{ruleset.name}.csv", "report"))
            if ruleset.name != "esf-2014":
                written.append(_illustration(name, participations, project, output, echo))
        written += _plugin_outputs(name, project, participations, table, report, output, echo)
    written += _sfc2021(output, echo)
    echo(
        "\n" + translate("Wrote {count} files to {path}/:").format(count=len(written), path=output)
    )
    for path in written:
        echo(f"  {path.relative_to(output)}")
    return written


def _illustration(name: str, participations: Any, project: Any, output: Path, echo: Echo) -> Path:
    """The 2014-2020 common indicators of another period's table, labelled as an illustration."""
    report = compute(participations, rules="esf-2014", by=("gender",), project=project)
    echo(
        "\n"
        + translate(
            "Illustration only, not this project's report: the ESF 2014-2020 common indicators "
            "(esf-2014) of the same table, by gender:"
        )
    )
    echo(format_table(translate_table(report.wide().reset_index())))
    for warning in report.provenance.warnings:
        echo(translate("warning: {warning}").format(warning=warning))
    return _csv(report, output / f"{name}.esf-2014.csv", "report")


def _csv(obj: Any, path: Path, kind: str) -> Path:
    write(obj, path, format="csv", kind=kind)
    return path


def _plugin_outputs(
    name: str,
    project: Any,
    participations: Any,
    progress_table: Any,
    report: Any,
    output: Path,
    echo: Echo,
) -> list[Path]:
    """The outputs of the format plugins, each only when its plugin is installed."""
    available = get_plugin_manager().exporters()
    end = project.period.end
    jobs: list[tuple[str, Any, Path, dict[str, Any]]] = [
        ("xlsx", progress_table, output / f"{name}.progress.xlsx", {}),
        ("html", project, output / f"{name}.html", {"participations": participations}),
        (
            "iati",
            project,
            output / f"{name}.iati.xml",
            {"participations": participations, "as_of": end},
        ),
        (
            "datapackage",
            project,
            output / f"{name}.datapackage.zip",
            {"participations": participations},
        ),
    ]
    if report is not None:
        jobs.insert(1, ("xlsx", report, output / f"{name}.{report.ruleset.name}.xlsx", {}))
    written = []
    for fmt, obj, path, options in jobs:
        if fmt not in available:
            echo(
                translate("  (skipped {file}: install the inclusionkit-{format} plugin)").format(
                    file=path.name, format=fmt
                )
            )
            continue
        write(obj, path, format=fmt, **options)
        written.append(path)
    return written


def _sfc2021(output: Path, echo: Echo) -> list[Path]:
    """The programme-level SFC2021 tables over every example with participant data."""
    tables = [
        example.participations
        for example in map(examples.load, examples.list())
        if example.participations is not None
    ]
    if not tables:
        return []
    from inclusionkit._pandas import pd

    report = sfc2021_table(pd.concat(tables, ignore_index=True))
    echo(
        "\n"
        + translate(
            "SFC2021-style tables (ESF+ indicators per priority, objective and region category); "
            "an illustration of the layout: the bundled tables are of earlier periods:"
        )
    )
    echo(report.summary())
    written = [_csv(report, output / "sfc2021.csv", "report")]
    try:
        write(report, output / "sfc2021.xlsx", kind="report")
    except InclusionKitError as exc:  # the Excel plugin writes workbooks
        echo(translate("  (skipped sfc2021.xlsx: {reason})").format(reason=exc))
    else:
        written.append(output / "sfc2021.xlsx")
    return written
