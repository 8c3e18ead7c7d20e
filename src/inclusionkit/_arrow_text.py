"""The offsets and bytes of an Arrow text array, as numpy views (no copy).

Several vectorised steps read a text column's cells straight from its buffers: the first and
last byte of each cell (cleaning), fixed-width dates (typing), the bytes of keys (hashing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

_NO_BYTES = np.zeros(0, dtype=np.uint8)


def text_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """``(offsets, data)`` of a ``string`` or ``large_string`` array; ``None`` for another type.

    ``offsets`` are the ``len(values) + 1`` offsets of this array (a slice's own window,
    ``int32`` or ``int64`` as the type is): cell ``i`` is ``data[offsets[i]:offsets[i + 1]]``.
    ``data`` is the whole data buffer as bytes (``uint8``), empty when the array has none.
    """
    if pa.types.is_string(values.type):
        width: type[np.integer[Any]] = np.int32
    elif pa.types.is_large_string(values.type):
        width = np.int64
    else:
        return None
    _, offsets_buffer, data_buffer = values.buffers()[:3]
    if offsets_buffer is None:  # an empty array may have no buffers
        offsets = np.zeros(len(values) + 1, dtype=width)
    else:
        offsets = np.frombuffer(offsets_buffer, dtype=width)[
            values.offset : values.offset + len(values) + 1
        ]
    data = _NO_BYTES if data_buffer is None else np.frombuffer(data_buffer, dtype=np.uint8)
    return offsets, data
