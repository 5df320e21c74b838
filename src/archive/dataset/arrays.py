"""Arrow arrays built from buffers, never through pandas.

The first pa.array / pa.scalar made from Python objects makes pyarrow import pandas
(when it is installed) to check for pandas objects: 0.3 s, a third of an export, and
over a second of a crawl's reactor, stalled while it imports. The arrays the export
code makes and the tables the dataset writer writes come from these helpers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
INT64 = pa.int64()


class TextTooLarge(OverflowError):
    """More text than one string array's 32-bit offsets can address (2 GB)."""


def _validity(values: Sequence) -> pa.Buffer | None:
    """The validity bitmap of `values` (None marks a null); None when nothing is null."""
    present = np.fromiter((v is not None for v in values), bool, len(values))
    return None if present.all() else pa.py_buffer(np.packbits(present, bitorder="little"))


def utf8_array(values: Sequence[str | None]) -> pa.StringArray:
    """A string array of `values` (None for null)."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)))
    if len(ends) and ends[-1] > np.iinfo(np.int32).max:
        raise TextTooLarge("more than 2 GB of text for one string array")
    offsets = np.zeros(len(encoded) + 1, np.int32)
    offsets[1:] = ends
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)),
                                       _validity(values))


def integer_array(values: Sequence[int | None], type: pa.DataType = INT64) -> pa.Array:
    """An array of `type` (int64, int32) of `values` (None for null)."""
    data = np.fromiter((0 if v is None else v for v in values), np.dtype(f"int{type.bit_width}"), len(values))
    return pa.Array.from_buffers(type, len(values), [_validity(values), pa.py_buffer(data)])


def timestamp_array(values: Sequence[datetime | None], type: pa.TimestampType) -> pa.Array:
    """A microsecond timestamp array of aware datetimes (None for null)."""
    if type.unit != "us":
        raise ValueError(f"timestamps in {type.unit}, not microseconds")
    data = np.fromiter((0 if v is None else micros(v) for v in values), np.int64, len(values))
    return pa.Array.from_buffers(type, len(values), [_validity(values), pa.py_buffer(data)])


def date_array(values: Sequence[date | None]) -> pa.Array:
    """A date32 array (days since 1970-01-01) of `values` (None for null)."""
    data = np.fromiter((0 if v is None else v.toordinal() - _EPOCH_ORDINAL for v in values), np.int32, len(values))
    return pa.Array.from_buffers(pa.date32(), len(values), [_validity(values), pa.py_buffer(data)])


def list_array(lengths: Sequence[int], items: pa.Array) -> pa.ListArray:
    """Lists without nulls: the first `lengths[0]` of `items`, the next `lengths[1]`, ..."""
    offsets = np.zeros(len(lengths) + 1, np.int32)
    np.cumsum(np.fromiter(lengths, np.int32, len(lengths)), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), len(offsets), [None, pa.py_buffer(offsets)]),
                                    items)


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
