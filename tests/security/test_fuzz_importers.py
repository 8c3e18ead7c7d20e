"""Fuzzing every registered importer: random bytes and mutated valid files.

Each case must either return a valid result or raise an ``InclusionKitError`` (a subclass
included), never any other exception and never hang (each case is bounded by
``_samples.CASE_SECONDS``). The importers are taken from the plugin registry at collection time,
so an importer a new plugin registers is fuzzed without touching this file.

Budgets are small so that ``make test`` stays quick on two shared cores (about
``EXAMPLES`` (50) cases per importer, kind and strategy, derandomised so CI is reproducible); set
``INCLUSIONKIT_FUZZ_EXAMPLES=500`` and ``INCLUSIONKIT_FUZZ_RANDOM=1`` for a longer hunt.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusionkit import COLUMN_NAMES, InclusionKitError, Project
from inclusionkit._formats import Importer
from inclusionkit._io import read_with
from inclusionkit._plugins import importers
from tests.security._samples import as_file, run_bounded, seeds

EXAMPLES = int(os.environ.get("INCLUSIONKIT_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("INCLUSIONKIT_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

IMPORTERS: dict[str, Importer] = dict(sorted(importers().items()))
# Every importer with each kind it reads, and with no kind (it decides from the content).
CASES = [
    pytest.param(name, kind, id=f"{name}-{kind or 'auto'}")
    for name, importer in IMPORTERS.items()
    for kind in (None, *sorted(importer.kinds))
    if kind is not None or len(importer.kinds) > 1
]

# Fragments that break parsers: quotes, separators, line ends, BOMs, NULs, markup, numbers.
TOKENS = [
    b'"',
    b"'",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xc5",
    b"\xe2\x80",
    b"=cmd|' /C calc'!A0",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"NaN",
    b"-1e999",
    b"9" * 5000,
    b"31.02.2020",
    b"2,0",
    b"PK\x03\x04",
    b"PAR1",
]


def _importer(name: str) -> Importer:
    return IMPORTERS[name]


def _suffix(importer: Importer) -> str:
    return importer.extensions[0] if importer.extensions else ".bin"


def _check_result(result: Any, kind: str | None) -> None:
    """What a successful read must look like."""
    if kind == "participations":
        assert isinstance(result, pd.DataFrame)
        assert list(result.columns[: len(COLUMN_NAMES)]) == list(COLUMN_NAMES)
    elif kind == "progress":
        assert isinstance(result, pd.DataFrame)
    elif kind == "report":
        assert hasattr(result, "table")
        assert isinstance(result.table, pd.DataFrame)
    elif kind == "project":
        assert isinstance(result, Project)
    else:
        assert result is not None


def _import(name: str, kind: str | None, data: bytes) -> None:
    """Read ``data`` with the importer: a valid result or an InclusionKitError, in bounded time."""
    importer = _importer(name)
    with as_file(data, _suffix(importer)) as path:
        try:
            result = run_bounded(lambda: read_with(importer, path, kind=kind))
        except InclusionKitError:
            return
    _check_result(result, kind)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """A valid file of the format (any kind), damaged by one to four mutations."""
    samples = [data for _, data in seeds().get(name, [])] or [b""]
    data = bytearray(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        where = draw(st.integers(0, size))
        how = draw(
            st.sampled_from(
                ["flip", "truncate", "delete", "insert", "duplicate", "encode", "overwrite"]
            )
        )
        if how == "flip" and size:
            at = min(where, size - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "truncate":
            del data[where:]
        elif how == "delete":
            del data[where : where + draw(st.integers(1, 64))]
        elif how == "insert":
            data[where:where] = draw(st.sampled_from(TOKENS))
        elif how == "duplicate":
            data[where:where] = data[where : where + draw(st.integers(1, 256))]
        elif how == "encode":
            # The right text, the wrong encoding (what a partner's old Excel does).
            text = bytes(data).decode("utf-8", errors="replace")
            encoding = draw(st.sampled_from(["cp1250", "iso-8859-2", "utf-16", "utf-8-sig"]))
            data = bytearray(text.encode(encoding, errors="replace"))
        elif how == "overwrite" and size:
            at = min(where, size - 1)
            data[at : at + 8] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@pytest.mark.parametrize(("name", "kind"), CASES)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(name: str, kind: str | None, data: bytes) -> None:
    """Random bytes give a valid result or an InclusionKitError, never a crash or a hang."""
    _import(name, kind, data)


@pytest.mark.parametrize(("name", "kind"), CASES)
@FUZZ
@given(case=st.data())
def test_mutated_valid_files(name: str, kind: str | None, case: st.DataObject) -> None:
    """Damaged valid files give a valid result or an InclusionKitError, never a crash or hang."""
    _import(name, kind, case.draw(mutated(name)))


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_every_seed_reads_back(name: str, kind: str | None) -> None:
    """The undamaged seeds are read without error (or refused clearly when of another kind)."""
    for _, data in seeds().get(name, []):
        _import(name, kind, data)


def test_every_importer_is_fuzzed() -> None:
    """The registry's importers are all here (a plugin's new importer is fuzzed automatically)."""
    assert {name for name, _ in ((c.values[0], c.values[1]) for c in CASES)} == set(IMPORTERS)
    assert {"csv", "json", "parquet"} <= set(IMPORTERS)
