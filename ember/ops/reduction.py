"""Reductions: sum, mean, prod, max/min, var/std, norm, logsumexp, cumulative ops, sort, topk."""
from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import Function

_gam = backend.get_array_module


def _dims(dim, ndim):
    """Normalise dim (None, int, tuple/list) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    from .._tensor import _wrap_dim
    return tuple(sorted(_wrap_dim(d, ndim) for d in dim))


class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, np_dtype=None):
        ctx.shape = x.shape
        ctx.axes, ctx.keepdim = axes, keepdim
        return _gam(x).sum(x, axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        from .shape import expand, reshape
        if not ctx.keepdim and ctx.axes:
            kept = list(g.shape)
            for a in ctx.axes:
                kept.insert(a, 1)
            g = reshape(g, tuple(kept))
        return expand(g, ctx.shape)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """``torch.sum``; bool and integer inputs sum to int64 as in PyTorch."""
    from .._dtype import to_dtype
    axes = _dims(dim, input._data.ndim) if dim is not None else None
    if dtype is not None:
        np_dtype = to_dtype(dtype).np
    elif input._data.dtype.kind in "biu":
        np_dtype = to_dtype("int64").np
    else:
        np_dtype = None
    return Sum.apply(input, axes=axes, keepdim=keepdim, np_dtype=np_dtype)


METHODS = ("sum",)

__all__ = list(METHODS)
