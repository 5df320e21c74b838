"""Arrow arrays built from buffers give what pyarrow's own constructors give."""

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.arrays import utf8_array, with_prefix

CELLS = st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=6)), st.booleans()), max_size=30)


@settings(max_examples=300, deadline=None)
@given(cells=CELLS, skip=st.integers(0, 3), mask_skip=st.integers(0, 3))
def test_prefix_goes_before_exactly_the_chosen_cells(cells, skip, mask_skip):
    values = [v for v, _ in cells]
    text = utf8_array(["pad"] * skip + values).slice(skip)
    chosen = [flag and v is not None for v, flag in cells]
    where = pa.array([False] * mask_skip + chosen, pa.bool_()).slice(mask_skip)
    result = with_prefix(text, where, "'")
    result.validate(full=True)
    expected = [None if v is None else ("'" + v if c else v) for v, c in zip(values, chosen, strict=True)]
    assert result.equals(pa.array(expected, pa.string()))
