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
