"""Exception types as torch 2.14 raises them, where ember once differed."""
import pytest

import ember
from helpers import torch, needs_torch

CASES = {
    "index_add_out_of_range": (IndexError, lambda t: t.zeros(3).index_add_(
        0, t.tensor([5]), t.ones(1))),
    "index_add_negative_out_of_range": (IndexError, lambda t: t.index_add(
        t.zeros(3), 0, t.tensor([-4]), t.ones(1))),
    "index_add_2d_out_of_range": (RuntimeError, lambda t: t.zeros(3, 2).index_add_(
        0, t.tensor([5]), t.ones(1, 2))),
    "float_of_two_elements": (ValueError, lambda t: float(t.ones(2))),
    "int_of_empty": (ValueError, lambda t: int(t.ones(0))),
    "complex_of_two_elements": (ValueError, lambda t: complex(t.ones(2))),
    "item_of_two_elements": (RuntimeError, lambda t: t.ones(2).item()),
    "bool_of_empty": (RuntimeError, lambda t: bool(t.ones(0))),
    "zeros_2_62": (RuntimeError, lambda t: t.zeros(2 ** 62)),
    "ones_2_31_squared": (RuntimeError, lambda t: t.ones(2 ** 31, 2 ** 31)),
    "empty_2_62": (RuntimeError, lambda t: t.empty(2 ** 62)),
    "full_2_62": (RuntimeError, lambda t: t.full((2 ** 62,), 1.0)),
    "rand_2_62": (RuntimeError, lambda t: t.rand(2 ** 62)),
    "arange_2_62": (RuntimeError, lambda t: t.arange(2 ** 62)),
}


@pytest.mark.parametrize("name", CASES)
def test_ember_raises(name):
    exc, fn = CASES[name]
    with pytest.raises(exc):
        fn(ember)


@needs_torch
@pytest.mark.parametrize("name", CASES)
def test_torch_raises_the_same_type(name):
    exc, fn = CASES[name]
    with pytest.raises(exc):
        fn(torch)


def test_messages():
    with pytest.raises(ValueError, match="only one element tensors"):
        float(ember.ones(2))
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        bool(ember.ones(0))
    with pytest.raises(RuntimeError, match=r"Storage size calculation overflowed with "
                                           r"sizes=\[4611686018427387904\]"):
        ember.zeros(2 ** 62)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        ember.zeros(3).index_add_(0, ember.tensor([5]), ember.ones(1))
    assert float(ember.ones(1)) == 1.0 and int(ember.tensor([[7]])) == 7
