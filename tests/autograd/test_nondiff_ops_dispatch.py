"""Ops without a gradient (predicates, logical/bitwise, arg-reductions, nonzero, one_hot)
go through Function.apply, so a dispatch mode sees them instead of a baked-in constant."""
import pytest

import ember
import ember.nn.functional as F
from ember.autograd.dispatch import DispatchMode


class _Record(DispatchMode):
    def __init__(self):
        self.names = []

    def __ember_dispatch__(self, func, args, kwargs):
        self.names.append(func.__name__)
        return func.apply(*args, **kwargs)


x = ember.tensor([[1.0, float("nan")], [0.0, -2.0]])
i = ember.tensor([3, 5, 0])
CASES = [
    ("isnan", lambda: ember.isnan(x)), ("isinf", lambda: ember.isinf(x)),
    ("isfinite", lambda: ember.isfinite(x)), ("isposinf", lambda: ember.isposinf(x)),
    ("isneginf", lambda: ember.isneginf(x)), ("signbit", lambda: ember.signbit(x)),
    ("isclose", lambda: ember.isclose(x, x)), ("logical_and", lambda: ember.logical_and(x, x)),
    ("logical_or", lambda: ember.logical_or(x, 0)), ("logical_xor", lambda: ember.logical_xor(x, x)),
    ("logical_not", lambda: ember.logical_not(x)), ("bitwise_and", lambda: i & 1),
    ("bitwise_or", lambda: i | i), ("bitwise_xor", lambda: i ^ i), ("bitwise_not", lambda: ~i),
    ("left_shift", lambda: ember.bitwise_left_shift(i, 1)),
    ("right_shift", lambda: ember.bitwise_right_shift(i, 1)),
    ("argmax", lambda: x.argmax()), ("argmin", lambda: x.argmin(dim=1)),
    ("argsort", lambda: ember.argsort(i)), ("all", lambda: ember.all(x)),
    ("any", lambda: x.any(dim=0)), ("count_nonzero", lambda: ember.count_nonzero(i)),
    ("nonzero", lambda: ember.nonzero(i)), ("nonzero_tuple", lambda: ember.nonzero(i, as_tuple=True)),
    ("one_hot", lambda: F.one_hot(i)), ("floor_int", lambda: ember.floor(i)),
    ("round_int", lambda: ember.round(i)),
]


@pytest.mark.parametrize("name,call", CASES, ids=[c[0] for c in CASES])
def test_mode_sees_op_and_result_matches(name, call):
    expected = call()
    with _Record() as mode:
        got = call()
    assert mode.names, f"{name} bypassed Function.apply"
    pairs = zip(expected, got) if isinstance(expected, tuple) else [(expected, got)]
    for e, g in pairs:
        assert e.dtype == g.dtype and e.shape == g.shape
        assert ember.equal(e, g)


def test_outputs_never_require_grad():
    w = ember.randn(4, requires_grad=True)
    for out in (ember.isnan(w), w.argmax(), ember.isclose(w, w), ember.nonzero(w),
                ember.logical_not(w), ember.all(w)):
        assert not out.requires_grad and out.grad_fn is None
