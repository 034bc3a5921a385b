"""Tensor creation and random sampling (ember.ops.creation, ember._random) against PyTorch:
dtype inference, memory sharing, filled tensors, ranges (linspace bit-for-bit), the
default dtype, random ops (shapes, ranges, reproducibility, statistics, errors) and the
in-place fills."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, to_numpy


def _both(expr):
    """Evaluate ``expr`` (a function of the library) with ember and with torch."""
    return expr(ember), expr(torch)


def _same(ours, theirs):
    """Same shape, dtype and exactly the same values (nan, inf and complex parts included)."""
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))


def _raises_like(expr, exc=None, same_message=True):
    """ember raises what torch raises (the same type and, by default, the same message)."""
    with pytest.raises(Exception) as theirs:
        expr(torch)
    expected = exc or type(theirs.value)
    with pytest.raises(expected) as ours:
        expr(ember)
    assert isinstance(theirs.value, expected)
    if same_message:
        assert str(ours.value) == str(theirs.value)
    return str(ours.value)


@pytest.fixture
def float64_default():
    ember.set_default_dtype(ember.float64)
    if torch is not None:
        torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)
        if torch is not None:
            torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------------------------------
# tensor(): dtype inference

_DATA = [
    [1, 2, 3], [1.0, 2], [True, False], [[1, 2], [3, 4]], ((1, 2), (3, 4)), 3, 3.5, True, [],
    [[]], [[], []], [[[]]], [1, 2.5], [1, True], [True, 2.5], 1 + 2j, [1, 2 + 0j], float("nan"),
    [float("inf"), -1.0], [[1.5], [2]], -7, 2 ** 62,
]


@needs_torch
@pytest.mark.parametrize("data", _DATA, ids=[repr(d) for d in _DATA])
def test_tensor_infers_dtype_like_torch(data):
    ours, theirs = _both(lambda t: t.tensor(data))
    _same(ours, theirs)
    assert ours.is_leaf and not ours.requires_grad


_NP_DATA = [np.array([1, 2], np.int32), np.array([1.0, 2.0]), np.array([1, 2], np.float16),
            np.array([True]), np.array(3, np.int8), np.array([], np.int16), np.float64(2.5),
            np.int32(7), np.bool_(True), np.array([[1, 2]], np.uint8), np.array([1j], np.complex64)]


@needs_torch
@pytest.mark.parametrize("data", _NP_DATA, ids=[f"{np.asarray(d).dtype}{np.shape(d)}" for d in _NP_DATA])
def test_tensor_of_numpy_data_keeps_its_dtype(data):
    ours, theirs = _both(lambda t: t.tensor(data))
    _same(ours, theirs)


@needs_torch
@pytest.mark.parametrize("make", [lambda: [np.float64(1.0), np.float64(2.0)],
                                  lambda: [np.int32(1), np.int32(2)],
                                  lambda: [np.float32(1.0), 2.0],
                                  lambda: [np.int32(1), 2]])
def test_tensor_of_lists_of_numpy_scalars(make):
    ours, theirs = _both(lambda t: t.tensor(make()))
    _same(ours, theirs)


@needs_torch
def test_tensor_dtype_and_requires_grad_arguments():
    ours, theirs = _both(lambda t: t.tensor([1, 2], dtype=t.float64, requires_grad=True))
    _same(ours.detach(), theirs.detach())
    assert ours.requires_grad and ours.is_leaf
    _same(*_both(lambda t: t.tensor([1.7, -1.7], dtype=t.int32)))
    _same(*_both(lambda t: t.tensor([0.0, 2.0], dtype=t.bool)))
    msg = _raises_like(lambda t: t.tensor([1, 2], requires_grad=True), RuntimeError,
                       same_message=False)
    assert "floating point" in msg


@needs_torch
def test_tensor_of_tensors():
    _same(*_both(lambda t: t.tensor([t.tensor(1.0), t.tensor(2.0)])))
    src = ember.tensor([1.0, 2.0])
    copy = ember.tensor(src)
    copy[0] = 5.0
    assert src[0].item() == 1.0


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], np.float32)
    t = ember.tensor(a)
    a[0] = 9.0
    assert t[0].item() == 1.0


@needs_torch
@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1], [2, 3]], [[[1, 2]], [[3]]]])
def test_ragged_lists_raise_value_error_like_torch(data):
    _raises_like(lambda t: t.tensor(data), ValueError)


@needs_torch
@pytest.mark.parametrize("data", [[[1, 2], 3], [1, [2, 3]]])
def test_mixed_sequences_and_numbers_raise_type_error(data):
    _raises_like(lambda t: t.tensor(data), TypeError, same_message=isinstance(data[0], list))


@needs_torch
@pytest.mark.parametrize("data,exc", [("abc", TypeError), (["a"], ValueError), (None, RuntimeError),
                                      ([None], RuntimeError), (object(), RuntimeError),
                                      (2 ** 63, None), ([2 ** 64], None), ([1, -2 ** 70], None)])
def test_tensor_invalid_data_errors_like_torch(data, exc):
    _raises_like(lambda t: t.tensor(data), exc)


# ---------------------------------------------------------------------------------------
# as_tensor / from_numpy: memory sharing

def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(a)
    a[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    t[1, 2] = -1.0
    assert a[1, 2] == -1.0
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


def test_from_numpy_keeps_strides_of_non_contiguous_arrays():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    v = a[:, ::2]
    t = ember.from_numpy(v)
    assert t.shape == (3, 2) and t.stride() == (4, 2)
    a[2, 2] = 100
    assert t[2, 1].item() == 100


@needs_torch
@pytest.mark.parametrize("bad", [[1, 2], (1, 2), 3.0])
def test_from_numpy_rejects_non_arrays(bad):
    _raises_like(lambda t: t.from_numpy(bad), TypeError, same_message=False)


def test_from_numpy_rejects_unsupported_dtypes():
    with pytest.raises(TypeError):
        ember.from_numpy(np.array(["a", "b"]))
    with pytest.raises(TypeError):
        ember.from_numpy(np.array([object()]))


def test_as_tensor_shares_memory_when_dtype_matches():
    a = np.array([1.0, 2.0, 3.0])
    t = ember.as_tensor(a)
    assert t.dtype == ember.float64
    a[1] = 7.0
    assert t[1].item() == 7.0
    same = ember.asarray(a, dtype=ember.float64)
    a[2] = 8.0
    assert same[2].item() == 8.0


def test_as_tensor_copies_when_dtype_differs():
    a = np.array([1.0, 2.0, 3.0])
    t = ember.as_tensor(a, dtype=ember.float32)
    a[0] = 9.0
    assert t.dtype == ember.float32 and t[0].item() == 1.0


def test_as_tensor_of_a_tensor_is_that_tensor():
    x = ember.ones(3)
    assert ember.as_tensor(x) is x
    y = ember.as_tensor(x, dtype=ember.float64)
    assert y.dtype == ember.float64 and y is not x


@needs_torch
def test_as_tensor_of_python_data_infers_like_tensor():
    for data in ([1, 2], [1.0, 2.0], [[True]]):
        _same(*_both(lambda t: t.as_tensor(data)))


def test_numpy_shares_memory_with_tensor():
    t = ember.zeros(3)
    t.numpy()[1] = 5.0
    assert t[1].item() == 5.0


# ---------------------------------------------------------------------------------------
# zeros / ones / full / empty / eye

@needs_torch
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (4,), ((1, 0, 2),)])
def test_filled_tensors_accept_every_size_form(fn, size):
    ours, theirs = _both(lambda t: getattr(t, fn)(*size))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype == ember.float32
    if fn != "empty":
        _same(ours, theirs)


def test_size_object_and_dtype_arguments():
    t = ember.zeros(ember.Size([2, 3]), dtype=ember.int32)
    assert t.shape == (2, 3) and t.dtype == ember.int32
    assert ember.ones(2, dtype=ember.bool).tolist() == [True, True]
    assert ember.empty(2, 3, dtype=ember.float16).dtype == ember.float16
    r = ember.zeros(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf


@needs_torch
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_negative_sizes_raise_runtime_error(fn):
    _raises_like(lambda t: getattr(t, fn)(2, -1), RuntimeError, same_message=False)


@needs_torch
@pytest.mark.parametrize("fn", ["zeros", "ones", "randn"])
def test_non_integer_sizes_raise_type_error(fn):
    _raises_like(lambda t: getattr(t, fn)(2.5), TypeError, same_message=False)


@needs_torch
@pytest.mark.parametrize("value,dtype", [(3, None), (3.0, None), (True, None), (-2, "float32"),
                                         (1.5, "float64"), (1.9, "int64"), (float("inf"), None),
                                         (2, "bool"), (1 + 1j, None)])
def test_full_infers_dtype_from_the_fill_value(value, dtype):
    ours, theirs = _both(lambda t: t.full((2, 3), value,
                                          **({} if dtype is None else {"dtype": getattr(t, dtype)})))
    _same(ours, theirs)


def test_out_argument_of_filled_tensors():
    out = ember.empty(6)
    res = ember.ones(2, 3, out=out)
    assert res is out and out.shape == (2, 3) and out.sum().item() == 6


@needs_torch
def test_eye_negative_size_raises():
    _raises_like(lambda t: t.eye(-1), RuntimeError)


# ---------------------------------------------------------------------------------------
# arange

@needs_torch
def test_arange_integer_dtype_truncates_float_bounds():
    for args in [(0, 5, 1.5), (0.5, 3.7), (-2.5, 3)]:
        _same(*_both(lambda t: t.arange(*args, dtype=t.int64)))


@needs_torch
def test_arange_accepts_0d_tensors():
    _same(*_both(lambda t: t.arange(t.tensor(3))))
    _same(*_both(lambda t: t.arange(t.tensor(0.5), 3)))


@needs_torch
@pytest.mark.parametrize("args", [(0, 5, 0), (0, 5, -1), (5, 0, 1), (0, -1, 0.5)])
def test_arange_errors_like_torch(args):
    _raises_like(lambda t: t.arange(*args), RuntimeError)


# ---------------------------------------------------------------------------------------
# linspace / logspace

_LIN = [(0, 1, 5), (0, 1, 10), (0, 1, 50), (-1, 1, 7), (3, -2, 6), (0.1, 2.5, 101), (-7.3, 1e4, 1001),
        (1e3, 0.3, 33), (0, 1, 2), (5, 5, 4), (0, 1, 1), (0, 1, 0), (-1e-3, 1e-3, 9), (0, 1, 40001)]


@needs_torch
@pytest.mark.parametrize("args", _LIN, ids=[str(a) for a in _LIN])
@pytest.mark.parametrize("dtype", [None, "float64", "float16", "bfloat16"])
def test_linspace_is_bit_for_bit_torch(args, dtype):
    def kw(t):
        return {} if dtype is None else {"dtype": getattr(t, dtype)}
    ours, theirs = _both(lambda t: t.linspace(*args, **kw(t)))
    _same(ours, theirs)


def test_linspace_bit_for_bit_on_random_ranges():
    if torch is None:
        pytest.skip("PyTorch not installed")
    rng = np.random.default_rng(0)
    for _ in range(200):
        start, end = rng.standard_normal(2) * 10.0 ** rng.integers(-3, 4, 2)
        steps = int(rng.integers(2, 3000))
        for dt in ("float32", "float64"):
            ours = ember.linspace(start, end, steps, dtype=getattr(ember, dt)).numpy()
            theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dt)).numpy()
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{start} {end} {steps} {dt}")


@needs_torch
@pytest.mark.parametrize("args,dtype", [((0, 10, 7), "int64"), ((-5, 250, 9), "int32"),
                                        ((0, 255, 12), "uint8"), ((10, -10, 6), "int64")])
def test_linspace_integer_dtypes(args, dtype):
    _same(*_both(lambda t: t.linspace(*args, dtype=getattr(t, dtype))))


@needs_torch
def test_linspace_endpoints_are_exact_and_arguments():
    t = ember.linspace(-3.3, 7.1, 1000)
    assert t[0].item() == np.float32(-3.3) and t[-1].item() == np.float32(7.1)
    _same(*_both(lambda t: t.linspace(t.tensor(0.0), t.tensor(1.0), 3)))
    assert ember.linspace(0, 1, 3, requires_grad=True).requires_grad
    _raises_like(lambda t: t.linspace(0, 1, -1), RuntimeError)
    _raises_like(lambda t: t.linspace(0, 1, 2.5), TypeError, same_message=False)


# ---------------------------------------------------------------------------------------
# *_like

@needs_torch
@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_like_functions_inherit_shape_and_dtype(fn, dtype):
    ours, theirs = _both(lambda t: getattr(t, fn)(t.ones(2, 3, dtype=getattr(t, dtype))))
    assert tuple(ours.shape) == tuple(theirs.shape) == (2, 3)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1] == dtype
    if fn in ("zeros_like", "ones_like"):
        _same(ours, theirs)


@needs_torch
def test_like_functions_with_arguments():
    _same(*_both(lambda t: t.zeros_like(t.ones(2, dtype=t.int32))))
    _same(*_both(lambda t: t.ones_like(t.ones(2), dtype=t.int64)))
    _same(*_both(lambda t: t.full_like(t.ones(2, dtype=t.int64), 2.7)))
    _same(*_both(lambda t: t.full_like(t.ones(2), 7, dtype=t.float64)))
    r = ember.zeros_like(ember.ones(2), requires_grad=True)
    assert r.requires_grad and r.is_leaf
    src = ember.ones(2, 3)
    assert not np.shares_memory(ember.zeros_like(src).numpy(), src.numpy())
    for args in [(5,), (3, 5)]:
        ours, theirs = _both(lambda t: t.randint_like(t.ones(4, 3), *args))
        assert ours.dtype == ember.float32 and tuple(ours.shape) == tuple(theirs.shape)
        lo = 0 if len(args) == 1 else args[0]
        assert ours.min().item() >= lo and ours.max().item() < args[-1]
    _raises_like(lambda t: t.rand_like(t.ones(2, dtype=t.int64)), NotImplementedError)
    _raises_like(lambda t: t.randn_like(t.ones(2, dtype=t.int64)), NotImplementedError)


# ---------------------------------------------------------------------------------------
# the default dtype

@needs_torch
def test_set_default_dtype_float64(float64_default):
    exprs = [lambda t: t.tensor([1.5]), lambda t: t.tensor([1]), lambda t: t.tensor(1 + 2j),
             lambda t: t.arange(0.5), lambda t: t.arange(3), lambda t: t.linspace(0, 1, 3),
             lambda t: t.logspace(0, 1, 3), lambda t: t.zeros(2), lambda t: t.ones(2),
             lambda t: t.eye(2), lambda t: t.full((2,), 1.5), lambda t: t.full((2,), 1),
             lambda t: t.tensor([]), lambda t: t.tensor([1, 2]) / 2]
    for expr in exprs:
        _same(*_both(expr))
    for fn in ("rand", "randn", "empty"):
        assert getattr(ember, fn)(2).dtype == ember.float64
    assert ember.normal(0.0, 1.0, (2,)).dtype == ember.float64
    assert ember.get_default_dtype() == ember.float64


def test_default_dtype_is_restored_by_the_fixture():
    assert ember.get_default_dtype() == ember.float32
    assert ember.tensor([1.0]).dtype == ember.float32


# ---------------------------------------------------------------------------------------
# random sampling: shapes, dtypes, ranges

def test_random_shapes_and_dtypes():
    assert ember.rand(2, 3).shape == (2, 3) and ember.rand(2, 3).dtype == ember.float32
    assert ember.rand((2, 3)).shape == (2, 3) and ember.randn([4]).shape == (4,)
    assert ember.rand(0).shape == (0,) and ember.randn(()).shape == ()
    assert ember.rand(2, dtype=ember.float64).dtype == ember.float64
    assert ember.rand(2, dtype=ember.float16).dtype == ember.float16
    assert ember.randn(2, dtype=ember.bfloat16).dtype == ember.bfloat16
    assert ember.randint(5, (3,)).dtype == ember.int64
    assert ember.randint(2, 5, (3, 2)).shape == (3, 2)
    assert ember.randint(10, (2,), dtype=ember.int32).dtype == ember.int32
    assert ember.randint(10, (2,), dtype=ember.float32).dtype == ember.float32
    assert ember.randint(3, size=(2,)).shape == (2,)
    assert ember.randint(low=1, high=3, size=(2,)).shape == (2,)
    assert ember.randperm(5).dtype == ember.int64
    assert ember.randperm(5, dtype=ember.int32).dtype == ember.int32
    assert ember.randperm(0).shape == (0,)
    assert ember.normal(2.0, 3.0, size=(2,), dtype=ember.float64).dtype == ember.float64
    assert ember.normal(ember.zeros(2, 3), ember.ones(3)).shape == (2, 3)
    assert ember.normal(ember.zeros(3, dtype=ember.float64), 1.0).dtype == ember.float64
    assert ember.normal(0.0, ember.ones(4)).shape == (4,)
    assert ember.bernoulli(ember.full((3,), 0.5)).dtype == ember.float32
    assert ember.bernoulli(ember.full((3,), 0.5, dtype=ember.float64)).dtype == ember.float64
    assert ember.multinomial(ember.tensor([[0.2, 0.8], [0.5, 0.5]]), 2).shape == (2, 2)
    r = ember.rand(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf


def test_random_values_lie_in_their_ranges():
    ember.manual_seed(0)
    u = ember.rand(100000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    i = ember.randint(-5, 7, (100000,)).numpy()
    assert i.min() == -5 and i.max() == 6
    p = ember.randperm(1000).numpy()
    assert sorted(p.tolist()) == list(range(1000))
    b = ember.bernoulli(ember.full((1000,), 0.5)).numpy()
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}
    assert ember.bernoulli(ember.zeros(50)).sum().item() == 0
    assert ember.bernoulli(ember.ones(50)).sum().item() == 50
    m = ember.multinomial(ember.tensor([0.1, 0.0, 0.9, 0.5]), 3).numpy()
    assert len(set(m.tolist())) == 3 and 1 not in m
    w = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 20, replacement=True).numpy()
    assert (w == 1).all()
    bits = ember.randint(0, 2, (100,), dtype=ember.bool)
    assert bits.dtype == ember.bool


# ---------------------------------------------------------------------------------------
# reproducibility

_DRAWS = [lambda **k: ember.rand(5, **k), lambda **k: ember.randn(5, **k),
          lambda **k: ember.randint(0, 100, (5,), **k), lambda **k: ember.randperm(10, **k),
          lambda **k: ember.normal(1.0, 2.0, (5,), **k),
          lambda **k: ember.bernoulli(ember.full((10,), 0.5), **k),
          lambda **k: ember.multinomial(ember.ones(6), 3, **k)]


@pytest.mark.parametrize("draw", _DRAWS)
def test_manual_seed_reproduces_draws(draw):
    ember.manual_seed(1234)
    first = [draw().numpy().copy() for _ in range(2)]
    ember.manual_seed(1234)
    second = [draw().numpy().copy() for _ in range(2)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    ember.manual_seed(4321)
    assert not np.array_equal(draw().numpy(), first[0]) or first[0].size < 2


@pytest.mark.parametrize("draw", _DRAWS)
def test_generator_objects_are_independent_streams(draw):
    g1 = ember.Generator().manual_seed(7)
    g2 = ember.Generator().manual_seed(7)
    ember.manual_seed(0)
    reference = ember.rand(3).numpy().copy()
    ember.manual_seed(0)
    a = draw(generator=g1).numpy().copy()
    b = draw(generator=g2).numpy().copy()
    np.testing.assert_array_equal(a, b)
    # drawing from a generator leaves the default stream untouched
    np.testing.assert_array_equal(ember.rand(3).numpy(), reference)


def test_generator_api():
    g = ember.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert ember.manual_seed(5).initial_seed() == 5 and ember.initial_seed() == 5
    state = g.get_state()
    assert state.dtype == ember.uint8
    a = ember.rand(4, generator=g).numpy().copy()
    g.set_state(state)
    np.testing.assert_array_equal(ember.rand(4, generator=g).numpy(), a)
    s = ember.get_rng_state()
    x = ember.randn(3).numpy().copy()
    ember.set_rng_state(s)
    np.testing.assert_array_equal(ember.randn(3).numpy(), x)
    new_seed = g.seed()
    assert isinstance(new_seed, int) and g.initial_seed() == new_seed
    assert str(g.device) == "cpu"


def test_set_state_rejects_foreign_bytes():
    with pytest.raises(RuntimeError):
        ember.Generator().set_state(ember.tensor([1, 2, 3], dtype=ember.uint8))


def test_in_place_fills_are_reproducible_with_a_generator():
    g = ember.Generator().manual_seed(11)
    a = ember.empty(5).uniform_(-1, 1, generator=g).numpy().copy()
    g.manual_seed(11)
    b = ember.empty(5).uniform_(-1, 1, generator=g).numpy().copy()
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------------
# statistics (10^5 samples, generous bounds)

N = 100000


def test_uniform_and_normal_statistics():
    ember.manual_seed(2)
    u = ember.rand(N).numpy().astype(np.float64)
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12 ** -0.5) < 0.01
    z = ember.randn(N).numpy().astype(np.float64)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02
    n = ember.normal(2.0, 3.0, (N,)).numpy().astype(np.float64)
    assert abs(n.mean() - 2.0) < 0.05 and abs(n.std() - 3.0) < 0.05
    t = ember.normal(ember.full((N,), -1.0), ember.full((N,), 0.5)).numpy().astype(np.float64)
    assert abs(t.mean() + 1.0) < 0.02 and abs(t.std() - 0.5) < 0.02
    f = ember.empty(N).uniform_(2, 4).numpy().astype(np.float64)
    assert f.min() >= 2 and f.max() < 4 and abs(f.mean() - 3) < 0.02
    g = ember.empty(N, dtype=ember.float64).normal_(5, 0.1).numpy()
    assert abs(g.mean() - 5) < 0.01 and abs(g.std() - 0.1) < 0.005


def test_discrete_statistics():
    ember.manual_seed(3)
    i = ember.randint(0, 10, (N,)).numpy()
    counts = np.bincount(i, minlength=10) / N
    assert np.all(np.abs(counts - 0.1) < 0.01)
    b = ember.bernoulli(ember.full((N,), 0.3)).numpy()
    assert abs(b.mean() - 0.3) < 0.01
    b = ember.bernoulli(ember.ones(N), 0.8).numpy()
    assert abs(b.mean() - 0.8) < 0.01
    m = ember.multinomial(ember.tensor([1.0, 2.0, 7.0]), N, replacement=True).numpy()
    assert np.all(np.abs(np.bincount(m, minlength=3) / N - [0.1, 0.2, 0.7]) < 0.01)
    first = np.array([ember.randperm(4)[0].item() for _ in range(4000)])
    assert np.all(np.abs(np.bincount(first, minlength=4) / 4000 - 0.25) < 0.05)


# ---------------------------------------------------------------------------------------
# errors of random ops

@needs_torch
@pytest.mark.parametrize("expr", [
    lambda t: t.randint(5, 5, (3,)), lambda t: t.randint(5, 2, (3,)),
    lambda t: t.randint(300, (2,), dtype=t.uint8), lambda t: t.randint(-1, 3, (2,), dtype=t.uint8),
    lambda t: t.randint(5, (3,), dtype=t.bool), lambda t: t.randint(-200, 3, (2,), dtype=t.int8),
    lambda t: t.randint(0, 2 ** 40, (2,), dtype=t.int32),
    lambda t: t.multinomial(t.tensor([0.2, 0.8]), 3),
    lambda t: t.multinomial(t.tensor([1.0, 1.0]), 0),
    lambda t: t.multinomial(t.tensor([1, 1]), 1),
    lambda t: t.multinomial(t.ones(2, 2, 2), 1),
    lambda t: t.normal(0.0, -1.5, (3,)), lambda t: t.normal(t.zeros(3), -1.5),
    lambda t: t.zeros(3).normal_(0, -2.5), lambda t: t.zeros(3).uniform_(3.5, 2),
    lambda t: t.rand(2, dtype=t.int64), lambda t: t.randn(2, dtype=t.int64),
    lambda t: t.zeros(3, dtype=t.int64).uniform_(), lambda t: t.zeros(3, dtype=t.int64).normal_(),
    lambda t: t.normal(t.zeros(3, dtype=t.int64), 1.0), lambda t: t.randperm(-1),
    lambda t: t.bernoulli(t.ones(3, dtype=t.int64)),
])
def test_random_errors_like_torch(expr):
    _raises_like(expr)


@needs_torch
def test_more_random_errors():
    _raises_like(lambda t: t.multinomial(t.tensor([-1.0, 2.0]), 1), RuntimeError)
    _raises_like(lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1), RuntimeError, same_message=False)
    msg = _raises_like(lambda t: t.bernoulli(t.full((3,), 1.5)), RuntimeError, same_message=False)
    assert "p_in >= 0 && p_in <= 1" in msg
    _raises_like(lambda t: t.normal(0.0, 1.0), TypeError, same_message=False)
    _raises_like(lambda t: t.randint(5, (-1,)), RuntimeError, same_message=False)
    _raises_like(lambda t: t.normal(t.zeros(3), -t.ones(3)), RuntimeError)


def test_multinomial_without_replacement_needs_enough_nonzero_categories():
    # PyTorch documents num_samples <= number of non-zero weights without replacement
    with pytest.raises(RuntimeError, match="replacement=False"):
        ember.multinomial(ember.tensor([1.0, 0.0, 0.0]), 2)


# ---------------------------------------------------------------------------------------
# in-place fills

def test_uniform_and_normal_in_place_return_self():
    t = ember.empty(1000)
    assert t.uniform_(-2, -1) is t
    assert t.min().item() >= -2 and t.max().item() < -1 and t.dtype == ember.float32
    assert t.normal_(10, 0.01) is t and abs(t.mean().item() - 10) < 0.01
    h = ember.empty(100, dtype=ember.float16).uniform_()
    assert h.dtype == ember.float16 and h.min().item() >= 0 and h.max().item() <= 1
    t.uniform_(**{"from": 3, "to": 4})
    assert t.min().item() >= 3


def test_fill_and_zero():
    t = ember.ones(2, 3)
    assert t.fill_(2.5) is t and (t == 2.5).all()
    t.fill_(ember.tensor(-1.0))
    assert (t == -1).all()
    assert t.zero_() is t and t.sum().item() == 0
    with pytest.raises(RuntimeError, match="0-dimension"):
        t.fill_(ember.tensor([1.0]))


@needs_torch
def test_fill_casts_to_the_tensor_dtype_like_torch():
    _same(*_both(lambda t: t.zeros(2, dtype=t.int64).fill_(2.7)))
    _same(*_both(lambda t: t.zeros(2, dtype=t.bool).fill_(3)))
    _same(*_both(lambda t: t.zeros(2, dtype=t.float16).fill_(1 / 3)))


@needs_torch
@pytest.mark.parametrize("dst,src", [((2, 3), (3,)), ((2, 3), (2, 1)), ((3,), ()), ((2, 3), (2, 3))])
@pytest.mark.parametrize("dst_dtype,src_dtype", [("float32", "float32"), ("float32", "int64"),
                                                 ("int64", "float32"), ("bool", "float32"),
                                                 ("float64", "float16"), ("int32", "bool")])
def test_copy_broadcasts_and_casts_like_torch(dst, src, dst_dtype, src_dtype):
    values = np.linspace(-2.7, 3.3, int(np.prod(src))).reshape(src)

    def run(t):
        s = t.from_numpy(values.copy()).to(getattr(t, src_dtype))
        d = t.zeros(dst, dtype=getattr(t, dst_dtype))
        r = d.copy_(s)
        assert r is d
        return d
    _same(*_both(run))


@needs_torch
def test_copy_shape_mismatch_raises():
    _raises_like(lambda t: t.zeros(2, 3).copy_(t.ones(2)), RuntimeError, same_message=False)


def test_copy_shares_nothing_and_bumps_the_version():
    src = ember.ones(3)
    dst = ember.zeros(3)
    v = dst._version
    dst.copy_(src)
    assert dst._version == v + 1
    src.fill_(5.0)
    assert dst.sum().item() == 3


@needs_torch
def test_copy_is_differentiable_in_its_source():
    def run(t):
        src = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        dst = t.zeros(2, 3)
        dst.copy_(src)
        (dst * t.tensor([[1.0], [2.0]])).sum().backward()
        return src.grad
    _same(*_both(run))


@needs_torch
@pytest.mark.parametrize("op", [lambda x, t: x.fill_(2), lambda x, t: x.zero_(),
                                lambda x, t: x.uniform_(), lambda x, t: x.normal_(),
                                lambda x, t: x.copy_(t.ones(3))])
def test_inplace_on_leaf_requiring_grad_raises(op):
    msg = _raises_like(lambda t: op(t.ones(3, requires_grad=True), t), RuntimeError)
    assert "leaf Variable that requires grad" in msg


@pytest.mark.parametrize("op", [lambda x: x.fill_(2), lambda x: x.zero_(), lambda x: x.uniform_(),
                                lambda x: x.normal_(), lambda x: x.copy_(ember.full((3,), 2.0))])
def test_inplace_on_leaf_is_allowed_under_no_grad(op):
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        op(x)
    assert x.requires_grad and x.is_leaf
    assert not np.array_equal(x.detach().numpy(), np.ones(3, np.float32))


@needs_torch
def test_pow_small_integer_exponents_round_as_torch():
    # torch's CPU kernel computes x**3 as x*x*x, x**-2 as 1/(x*x), x**-0.5 as 1/sqrt(x)
    x = np.abs(np.random.default_rng(0).standard_normal(2000)).astype(np.float32) + 1e-3
    for dt in (np.float32, np.float64):
        for e in (2, 3, -1, -2, -0.5):
            ours = (ember.tensor(x.astype(dt)) ** e).numpy()
            theirs = (torch.tensor(x.astype(dt)) ** e).numpy()
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{dt.__name__} ** {e}")
