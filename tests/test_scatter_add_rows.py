"""backend.scatter_add_rows (the embedding backward's scatter) equals numpy.add.at bit for
bit: unique indices, a few repetitions (rounds), many repetitions (the add.at fallback)."""
import numpy as np
import pytest

from ember import backend


@pytest.mark.parametrize("index", [
    [4, 0, 7, 2],                       # unique: one round
    [3, 1, 3, 3, 1, 2, 0, 3],           # repeated: rounds
    [5] * 20 + [1, 2],                  # more repetitions than SCATTER_ROWS_MAX_ROUNDS
    [],
])
def test_scatter_add_rows_matches_add_at(index):
    rng = np.random.default_rng(0)
    idx = np.array(index, dtype=np.int64)
    values = rng.standard_normal((len(index), 5)).astype(np.float32)
    start = rng.standard_normal((9, 5)).astype(np.float32)
    want, got = start.copy(), start.copy()
    np.add.at(want, idx, values)
    backend.scatter_add_rows(np, got, idx, values)
    np.testing.assert_array_equal(got, want)
