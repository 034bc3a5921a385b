"""Shape ops: view/reshape, squeeze/unsqueeze, permute/transpose, expand, cat/stack, split ..."""
from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import Function

_gam = backend.get_array_module


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Reshape(Function):
    node_name = "ViewBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape)


def reshape(input, *shape):
    return Reshape.apply(input, shape=_shape_arg(shape))


class Expand(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return _gam(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum as _sum
        shape = ctx.in_shape
        lead = g.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and g.shape[i + lead] != 1)
        if dims:
            g = _sum(g, dims, keepdim=True)
        if lead:
            g = reshape(g, shape)
        return g


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    nd = len(sizes)
    cur = (1,) * (nd - input.ndim) + tuple(input.shape)
    shape = tuple(c if s == -1 else s for s, c in zip(sizes, cur))
    return Expand.apply(input, shape=shape)


class Transpose(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, x, d0=0, d1=1):
        ctx.d = (d0, d1)
        return _gam(x).swapaxes(x, d0, d1)

    @staticmethod
    def backward(ctx, g):
        return transpose(g, *ctx.d)


def transpose(input, dim0, dim1):
    return Transpose.apply(input, d0=dim0, d1=dim1)


def numpy_T(input):
    return _gam(input._data) and Permute.apply(input, dims=tuple(reversed(range(input.ndim))))


class Permute(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        import numpy
        return Permute.apply(g, dims=tuple(numpy.argsort(ctx.dims)))


class Unbind(Function):
    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0):
        ctx.dim, ctx.n = dim, x.shape[dim]
        return tuple(_gam(x).moveaxis(x, dim, 0))

    @staticmethod
    def backward(ctx, *grads):
        xp = _gam(grads[0]._data)
        return _make(xp.stack([g._data for g in grads], axis=ctx.dim))


def unbind(input, dim=0):
    return Unbind.apply(input, dim=dim)


def view(input, *shape):
    return reshape(input, *shape)


METHODS = ("reshape", "view", "expand", "transpose", "unbind")

__all__ = list(METHODS)
