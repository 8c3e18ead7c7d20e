"""The look at a text array's edges that tells which cleaning steps it needs."""

from __future__ import annotations

import numpy as np

from inclusionkit._ingest._clean import _maybe_space


def test_only_printable_ascii_bytes_are_surely_no_space() -> None:
    """Every byte but ``!`` to ``~`` may be (part of) a space: controls, the space, DEL and the
    bytes of letters beyond ASCII (U+00A0 among them)."""
    maybe = [byte for byte in range(256) if _maybe_space(np.array([byte], dtype=np.uint8))]
    assert maybe == [*range(0x21), *range(0x7F, 256)]
    assert not _maybe_space(np.zeros(0, dtype=np.uint8))
