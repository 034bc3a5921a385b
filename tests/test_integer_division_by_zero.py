"""Integer ``//``, ``%``, fmod and rounding ``div`` by zero raise as torch's (NumPy gives 0)."""
import pytest

import ember
from helpers import torch, needs_torch

CASES = {
    "floordiv_scalar": lambda t: t.tensor([1, 2, 3]) // 0,
    "mod_scalar": lambda t: t.tensor([1, 2, 3]) % 0,
    "floordiv_tensor": lambda t: t.tensor([1, 2, 3]) // t.tensor([1, 0, 2]),
    "remainder_tensor": lambda t: t.remainder(t.tensor([1, 2, 3]), t.tensor([1, 0, 2])),
    "fmod": lambda t: t.fmod(t.tensor([1, 2, 3]), 0),
    "fmod_": lambda t: t.tensor([1, 2, 3]).fmod_(t.tensor([1, 0, 2])),
    "div_trunc": lambda t: t.div(t.tensor([1, 2, 3]), 0, rounding_mode="trunc"),
    "div_floor": lambda t: t.div(t.tensor([1, 2, 3]), 0, rounding_mode="floor"),
    "reflected": lambda t: 5 // t.tensor([0]),
    "uint8": lambda t: t.tensor([0], dtype=t.uint8) // 0,
    "zero_dim": lambda t: t.tensor(5) % t.tensor(0),
}


@pytest.mark.parametrize("name", CASES)
def test_integer_division_by_zero_raises(name):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        CASES[name](ember)


@needs_torch
@pytest.mark.parametrize("name", CASES)
def test_torch_raises_the_same(name):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        CASES[name](torch)


def test_float_division_by_zero_keeps_inf_and_nan():
    x = ember.tensor([1.0, -1.0, 0.0])
    assert (x / 0).tolist()[:2] == [float("inf"), float("-inf")]
    assert (x // 0).tolist()[:2] == [float("inf"), float("-inf")]
    r = (x % 0).tolist()
    assert all(v != v for v in r)        # nan
    assert (ember.tensor([1, 2]) / 0).tolist() == [float("inf")] * 2   # true division: float


def test_nonzero_divisors_and_empty_tensors_still_work():
    assert (ember.tensor([7, -7]) // 2).tolist() == [3, -4]
    assert (ember.tensor([7, -7]) % ember.tensor([2, 2])).tolist() == [1, 1]
    assert ember.div(ember.tensor([7, -7]), 2, rounding_mode="trunc").tolist() == [3, -3]
    assert (ember.tensor([], dtype=ember.int64) // 0).tolist() == []
