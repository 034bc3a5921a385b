"""default_collate / default_convert against torch's on the same inputs."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from helpers import needs_torch, torch

Point = collections.namedtuple("Point", ["x", "y"])


def _tensors(lib, arrays):
    return [lib.from_numpy(a.copy()) for a in arrays]


def _same(ours, theirs):
    """Same structure, container types, tensor dtypes, shapes and values."""
    if torch is not None and isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor), type(ours)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            _same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
    elif isinstance(theirs, np.ndarray):
        assert ours is not None and np.array_equal(ours, theirs)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def _cases():
    rng = np.random.default_rng(0)
    f = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    return {
        "ints": lambda lib: [1, 2, 3],
        "bools": lambda lib: [True, False, True],
        "floats": lambda lib: [1.5, 2.0, -3.25],
        "float_then_int": lambda lib: [1.5, 2],
        "strings": lambda lib: ["a", "bc", "d"],
        "bytes": lambda lib: [b"a", b"b"],
        "np_float32_arrays": lambda lib: [a.copy() for a in f],
        "np_int32_arrays": lambda lib: [np.arange(4, dtype=np.int32) + i for i in range(3)],
        "np_bool_arrays": lambda lib: [np.array([True, False]), np.array([False, False])],
        "np_0d_arrays": lambda lib: [np.array(1.5), np.array(2.5)],
        "np_scalars_f32": lambda lib: [np.float32(1), np.float32(2.5)],
        "np_scalars_f64": lambda lib: [np.float64(1), np.float64(2.5)],
        "np_scalars_i16": lambda lib: [np.int16(1), np.int16(-2)],
        "np_scalars_u8": lambda lib: [np.uint8(1), np.uint8(200)],
        "np_scalars_bool": lambda lib: [np.bool_(True), np.bool_(False)],
        "tensors_f32": lambda lib: _tensors(lib, f),
        "tensors_i64": lambda lib: _tensors(lib, [np.arange(3), np.arange(3) * 2]),
        "tensors_0d": lambda lib: _tensors(lib, [np.array(1.0), np.array(2.0)]),
        "tensors_f64_bool": lambda lib: [(t, t > 0) for t in _tensors(lib, [x.astype(np.float64) for x in f])],
        "tuples": lambda lib: [(1, 2.0, "a"), (3, 4.0, "b")],
        "lists": lambda lib: [[1, 2], [3, 4], [5, 6]],
        "dicts": lambda lib: [{"img": a, "label": i, "name": str(i)} for i, a in enumerate(f)],
        "namedtuples": lambda lib: [Point(1, 2.5), Point(3, 4.5)],
        "nested": lambda lib: [{"a": (np.float32(1), [1, 2]), "b": {"c": 1.0}},
                               {"a": (np.float32(2), [3, 4]), "b": {"c": 2.0}}],
        "ordered_dict": lambda lib: [collections.OrderedDict(x=1, y=2.0), collections.OrderedDict(x=3, y=4.0)],
    }


CASES = _cases()


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_default_collate_matches_torch(name):
    ours = default_collate(CASES[name](ember))
    theirs = torch.utils.data.default_collate(CASES[name](torch))
    _same(ours, theirs)


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_default_convert_matches_torch(name):
    ours = default_convert(CASES[name](ember))
    theirs = torch.utils.data.default_convert(CASES[name](torch))
    _same(ours, theirs)


def test_collate_python_numbers_dtypes():
    assert default_collate([1, 2]).dtype == ember.int64
    assert default_collate([1.0, 2.0]).dtype == ember.float64
    assert default_collate([True, False]).dtype == ember.bool


@needs_torch
@pytest.mark.parametrize("batch,exc", [
    ([[1, 2], [3]], RuntimeError),
    ([object(), object()], TypeError),
    ([np.array(["a", "b"]), np.array(["c", "d"])], TypeError),
    ([np.array([{}], dtype=object)], TypeError),
])
def test_default_collate_errors_match_torch(batch, exc):
    with pytest.raises(exc) as ours:
        default_collate(batch)
    with pytest.raises(exc) as theirs:
        torch.utils.data.default_collate(batch)
    assert str(ours.value) == str(theirs.value)
    assert "each element in list of batch should be of equal size" in str(ours.value) or \
        "default_collate: batch must contain tensors, numpy arrays, numbers" in str(ours.value)


def test_collate_stack_shape_mismatch_raises():
    with pytest.raises(RuntimeError):
        default_collate([ember.zeros(2), ember.zeros(3)])


def test_default_convert_shares_numpy_memory_and_keeps_str_arrays():
    a = np.arange(4.0)
    t = default_convert(a)
    a[0] = 10.0
    assert isinstance(t, ember.Tensor) and t[0].item() == 10.0
    s = np.array(["x", "y"])
    assert default_convert(s) is s
    assert default_convert(5) == 5 and default_convert("q") == "q"
