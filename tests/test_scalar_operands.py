"""backend.scalar_operands: 0-d operands that give NumPy's ufuncs the bits of Python numbers."""
import numpy as np
import pytest

from ember import backend


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_bits_as_python_numbers(dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(257).astype(dtype)
    k = backend.scalar_operands(a)
    values = [0.9, 1 - 0.999, (1 - 0.999 ** 7) ** 0.5, 1e-8, -(1e-3 / (1 - 0.9 ** 3)), 3, 1e-45,
              float(rng.standard_normal())]
    for v in values:
        op = k[v]
        assert isinstance(op, np.ndarray) and op.ndim == 0 and op.dtype == dtype
        for ufunc in (np.multiply, np.add, np.divide, np.subtract):
            np.testing.assert_array_equal(ufunc(a, op), ufunc(a, v))
            np.testing.assert_array_equal(ufunc(op, a), ufunc(v, a))
        t = a.copy()
        t *= op
        np.testing.assert_array_equal(t, a * v)


def test_cached_by_value_and_bounded():
    a = np.ones(3, np.float32)
    k = backend.scalar_operands(a)
    assert k[0.25] is k[0.25]
    assert k is backend.scalar_operands(np.zeros((2, 2), np.float32))
    for i in range(200):        # per-step values churn: the cache stays small
        k[1.0 + i / 1000]
    assert len(k) <= 64


def test_zeros_keep_their_sign():
    a = np.array([1.0, -2.0], np.float32)
    k = backend.scalar_operands(a)
    k[0.0]
    got = a * k[-0.0]
    np.testing.assert_array_equal(np.signbit(got), np.signbit(a * -0.0))


@pytest.mark.parametrize("x", [np.ones(3, np.float16), np.ones(3, np.int64), np.ones(3, np.complex64),
                               np.float32(1.0)])
def test_other_arrays_get_the_numbers(x):
    k = backend.scalar_operands(x)
    assert k[0.9] == 0.9 and type(k[0.9]) is float
