"""Dtype conversion as a differentiable op: the cast that type promotion at the choke point
(``Function._promote``), autocast and the op families all use.

It sits below the op families: ``ember.autograd.function`` imports this module (so the
choke point never imports upward from ``ember.ops``), and ``ember.ops`` re-export it
(``ember.ops.pointwise.ToCopy``). PyTorch records the cast as ``ToCopyBackward0``, and
the gradient is cast back to the input's dtype.
"""
from ._dtype import COMPLEX_NP, NP_TO_DTYPE
from .autograd.function import ArrayFunction


class ToCopy(ArrayFunction):
    """Dtype conversion; the gradient is converted back to the input's dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype=None):
        ctx.in_dtype = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        # a real -> complex cast: the real input's gradient is the real part of the complex
        # one (PyTorch's _to_copy_backward), taken by the engine's grad-to-input rule
        return g if g._data.dtype in COMPLEX_NP and ctx.in_dtype not in COMPLEX_NP \
            else to_dtype(g, NP_TO_DTYPE[ctx.in_dtype])


def to_dtype(x, dtype):
    """Differentiable cast of tensor ``x`` to ember dtype ``dtype`` (returns x if equal)."""
    if x._data.dtype == dtype.np:
        return x
    return ToCopy.apply(x, np_dtype=dtype.np)
