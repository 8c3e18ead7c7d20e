"""The SHA-256 of input files, taken on a thread beside the reading (``_fingerprints``)."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from pathlib import Path

import pytest

import inclusionkit._fingerprints as fingerprints
from inclusionkit._fingerprints import FingerprintsAhead, input_fingerprints


def test_fingerprints_are_taken_beside_the_counting(tmp_path: Path) -> None:
    """The hashing thread gives the file's SHA-256 and every directory file's, past one buffer."""
    big = tmp_path / "data" / "big.bin"
    big.parent.mkdir()
    big.write_bytes(bytes(range(256)) * 9000)  # 2.2 MiB: more than one 1 MiB read
    small = tmp_path / "data" / "small.bin"
    small.write_bytes(b"x")
    expected = tuple(
        (str(path), hashlib.sha256(path.read_bytes()).hexdigest()) for path in (big, small)
    )
    assert FingerprintsAhead(big.parent).result() == expected
    assert input_fingerprints(big.parent) == expected
    assert FingerprintsAhead(big).result() == expected[:1]


def test_a_cancelled_fingerprint_stops_and_a_failed_one_is_raised(tmp_path: Path) -> None:
    """Cancelling ends the hashing thread; a file that cannot be read raises from result()."""
    path = tmp_path / "p.bin"
    path.write_bytes(b"y" * (3 << 20))
    cancelled = threading.Event()
    cancelled.set()
    ((_, digest),) = input_fingerprints(path, cancelled)
    assert digest != input_fingerprints(path)[0][1]  # stopped before the first megabyte
    ahead = FingerprintsAhead(path)
    ahead.cancel()
    ahead._thread.join(timeout=10)
    assert not ahead._thread.is_alive()
    with pytest.raises(FileNotFoundError):
        FingerprintsAhead(tmp_path / "gone.bin").result()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value")
def test_the_hashing_thread_yields_the_processor_to_the_counting(tmp_path: Path) -> None:
    """On Linux the hashing thread lowers its own priority (its nice value), not the caller's."""
    path = tmp_path / "p.bin"
    path.write_bytes(b"z")
    seen: list[int] = []

    def hashing(*args: object) -> object:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return input_fingerprints(*args)  # type: ignore[arg-type]

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fingerprints, "input_fingerprints", hashing)
        FingerprintsAhead(path).result()
    assert seen == [min(before + 10, 19)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_an_error_leaving_the_block_cancels_the_hashing(tmp_path: Path) -> None:
    """As a context manager, an error in the block stops the hashing; a clean exit does not."""
    path = tmp_path / "p.bin"
    path.write_bytes(b"w" * (3 << 20))
    with FingerprintsAhead(path) as kept:
        pass
    assert kept.result() == input_fingerprints(path)
    with pytest.raises(KeyError), FingerprintsAhead(path) as dropped:
        raise KeyError("the reading failed")
    assert dropped._cancelled.is_set()
    dropped._thread.join(timeout=10)
    assert not dropped._thread.is_alive()
