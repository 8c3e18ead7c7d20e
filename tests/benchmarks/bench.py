"""The benchmark's own modules (``benchmarks/``), imported as ``benchmarks/run.py`` imports them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def bench_module(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module (the directory goes on ``sys.path`` once)."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    return importlib.import_module(name)
