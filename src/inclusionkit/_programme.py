"""Programme placement for SFC2021 tables: where each project code sits in its programme.

A POCU code names its priority axis and specific objective; a POSDRU code its axis and key area
of intervention (the 2007-2013 analogue of a specific objective). Bare SMIS codes (PEO, PIDS)
say neither, so they need a ``programme_structure`` mapping, given in code or read from a file
(:func:`load_programme_structure`). Codes that cannot be placed are one error listing them all.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from inclusionkit import _contract
from inclusionkit._errors import InclusionKitError
from inclusionkit._pandas import pd
from inclusionkit.ro import ProjectCodeError, parse_project_code

__all__ = ["ProgrammeStructure", "load_programme_structure", "place_codes"]

ProgrammeStructure = Mapping[str, Mapping[str, Any]]


def load_programme_structure(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read a ``programme_structure`` mapping from a file (for the command line).

    ``.json``: ``{"<project code>": {"priority": "...", "specific_objective": "..."}}``;
    ``.csv`` (UTF-8, a header row): columns ``project_code``, ``priority``,
    ``specific_objective``, one row per project. Values are kept as text ("4.10" stays "4.10").
    """
    source = Path(path)
    try:
        if source.suffix.lower() == ".json":
            data = json.loads(source.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise InclusionKitError(
                    f"{source}: a programme structure is a JSON object of project codes"
                )
            return {str(code): dict(entry) for code, entry in data.items()}
        if source.suffix.lower() == ".csv":
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
            needed = ["project_code", "priority", "specific_objective"]
            missing = [name for name in needed if name not in frame.columns]
            if missing:
                raise InclusionKitError(
                    f"{source}: the column(s) {', '.join(missing)} are missing; a programme "
                    "structure CSV has project_code, priority, specific_objective"
                )
            return {
                str(row["project_code"]).strip(): {
                    "priority": str(row["priority"]),
                    "specific_objective": str(row["specific_objective"]),
                }
                for row in frame[needed].to_dict("records")
            }
    except (OSError, ValueError, TypeError) as exc:
        raise InclusionKitError(f"{source}: cannot read the programme structure: {exc}") from None
    raise InclusionKitError(f"{source}: a programme structure is a .json or .csv file")


def place_codes(codes: Sequence[str], mapping: ProgrammeStructure | None) -> pd.DataFrame:
    """Where each project code belongs (``project_code``, ``programme``, ``priority``,
    ``specific_objective``, ``source``): from the mapping, else from the parsed code."""
    given = _mapping(mapping)
    rows: list[dict[str, str]] = []
    unplaced: list[str] = []
    for code in codes:
        try:
            parsed = parse_project_code(code)
        except ProjectCodeError:
            parsed = None
        entry = given.get(code)
        if entry is None and parsed is not None:
            entry = given.get(parsed.canonical)
        programme = parsed.programme if parsed is not None else "unknown"
        if entry is not None:
            priority, objective = entry
            source = "programme_structure"
        elif parsed is not None and parsed.programme == "POCU":
            priority, objective = str(parsed.axis), str(parsed.specific_objective)
            source = "code"
        elif parsed is not None and parsed.programme == "POSDRU":
            # 2007-2013 had no specific objectives; the key area of intervention (DMI) is the
            # level below the axis that played their part.
            priority, objective = str(parsed.axis), str(parsed.key_area)
            source = "code"
        else:
            unplaced.append(code)
            continue
        rows.append(
            {
                "project_code": code,
                "programme": programme,
                "priority": priority,
                "specific_objective": objective,
                "source": source,
            }
        )
    if unplaced:
        shown = ", ".join(repr(code) for code in unplaced[:20])
        more = f" and {len(unplaced) - 20} more" if len(unplaced) > 20 else ""
        raise InclusionKitError(
            f"{len(unplaced)} project code(s) cannot be placed in the programme structure: "
            f"{shown}{more}. A bare SMIS code (PEO, PIDS) does not say its priority and "
            "specific objective; pass programme_structure={code: {'priority': ..., "
            "'specific_objective': ...}} for each of them"
        )
    by_code = [row for row in rows if row["source"] == "code"]
    programmes = sorted({row["programme"] for row in by_code})
    if len(programmes) > 1:
        examples = {
            name: next(r["project_code"] for r in by_code if r["programme"] == name)
            for name in programmes
        }
        listed = "; ".join(f"{name} (e.g. {code!r})" for name, code in examples.items())
        raise InclusionKitError(
            "an SFC2021 table covers one programme, but the project codes belong to several: "
            f"{listed}. Their priority numbers would be mixed up; report each programme "
            "separately, or place every code with programme_structure"
        )
    columns = ("project_code", "programme", "priority", "specific_objective", "source")
    return pd.DataFrame(rows, columns=list(columns)).astype(
        dict.fromkeys(columns, _contract.STRING_DTYPE)
    )


def _mapping(mapping: ProgrammeStructure | None) -> dict[str, tuple[str, str]]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise InclusionKitError(
            "programme_structure must map project codes to "
            "{'priority': ..., 'specific_objective': ...}, "
            f"not a {type(mapping).__name__}"
        )
    out: dict[str, tuple[str, str]] = {}
    bad: list[str] = []
    for code, entry in mapping.items():
        values = (
            (entry.get("priority"), entry.get("specific_objective"))
            if isinstance(entry, Mapping)
            else (None, None)
        )
        if any(value is None or str(value).strip() == "" for value in values):
            bad.append(repr(code))
            continue
        placed = (str(values[0]).strip(), str(values[1]).strip())
        out[str(code)] = placed
        # Also under the canonical form, so "pocu/449/4/16/127700" finds its entry.
        with contextlib.suppress(ProjectCodeError):
            out.setdefault(parse_project_code(str(code)).canonical, placed)
    if bad:
        raise InclusionKitError(
            "programme_structure entries need a non-empty 'priority' and 'specific_objective'; "
            f"these do not: {', '.join(bad)}"
        )
    return out
