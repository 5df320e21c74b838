"""Arrow arrays built from buffers, never through pandas.

The first pa.array / pa.scalar made from Python objects makes pyarrow import pandas
(when it is installed) to check for pandas objects: 0.3 s, a third of an export. The
few arrays the export code makes itself come from these helpers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utf8_array(values: Sequence[str | None]) -> pa.StringArray:
    """A string array of `values` (None for null)."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    valid = np.packbits(np.array([v is not None for v in values], bool), bitorder="little")
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded)),
                                       pa.py_buffer(valid.tobytes()))


def string_scalar(value: str) -> pa.Scalar:
    return utf8_array([value])[0]


def int64_array(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(np.ascontiguousarray(values, np.int64))])


def numpy_view(array: pa.Array, dtype) -> np.ndarray:
    """The values of a fixed-width array without nulls, viewed in place."""
    width = np.dtype(dtype).itemsize
    return np.frombuffer(array.buffers()[1], dtype, count=len(array), offset=array.offset * width)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def with_prefix(text: pa.StringArray, where: pa.BooleanArray, prefix: str) -> pa.StringArray:
    """`text` with `prefix` put before the cells where `where` is true (it holds no nulls).

    Arrow's own ways (replace_with_mask, if_else) rebuild every cell, a quarter of a
    second on an export's article texts; this copies the bytes once.
    """
    if text.offset:
        text = pa.concat_arrays([text])  # a copy starting at its first byte, bitmap included
    count = len(text)
    mark = np.frombuffer(prefix.encode("utf-8"), np.uint8)
    offsets = np.frombuffer(text.buffers()[1], np.int32, count=count + 1)
    data = np.frombuffer(text.buffers()[2], np.uint8) if text.buffers()[2] is not None else np.zeros(0, np.uint8)
    bits = np.unpackbits(np.frombuffer(where.buffers()[1], np.uint8), bitorder="little")
    chosen = bits[where.offset:where.offset + count].astype(bool)
    added = np.concatenate([[0], np.cumsum(chosen, dtype=np.int64)]) * len(mark)
    moved = offsets.astype(np.int64) - offsets[0] + added
    if moved[-1] > np.iinfo(np.int32).max:
        raise OverflowError("text too long for one string array")
    starts = np.repeat(offsets[:-1][chosen] - offsets[0], len(mark))
    inserted = np.insert(data[offsets[0]:offsets[-1]], starts, np.tile(mark, int(chosen.sum())))
    return pa.StringArray.from_buffers(count, pa.py_buffer(moved.astype(np.int32)), pa.py_buffer(inserted),
                                       text.buffers()[0], text.null_count)
