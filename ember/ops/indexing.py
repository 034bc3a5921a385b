"""Indexing: __getitem__/__setitem__, gather/scatter, index_select/index_add, masks, nonzero."""
from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import Function

_gam = backend.get_array_module


def _key(key):
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, tuple):
        return tuple(k._data if isinstance(k, Tensor) else k for k in key)
    return key


class GetItem(Function):
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key=None):
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    @staticmethod
    def backward(ctx, g):
        xp = _gam(g._data)
        out = xp.zeros(ctx.shape, ctx.dtype)
        backend.scatter_add(xp, out, ctx.key, g._data)
        return _make(out)


def getitem(input, key):
    return GetItem.apply(input, key=_key(key))


def setitem(input, key, value):
    raise NotImplementedError


METHODS = ()

__all__ = list(METHODS)
