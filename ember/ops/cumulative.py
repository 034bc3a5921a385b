"""Running reductions along a dim: cummax, cummin, logcumsumexp, and diff.

- ``cummax``/``cummin`` return ``(values, indices)`` (``ember.return_types``); on ties the
  index is the latest position holding the running extreme, and once a NaN appears it
  propagates with the index of the latest NaN, as PyTorch's CPU kernel. The gradient goes
  to the indexed positions (summed, as PyTorch's scatter_add).
- ``logcumsumexp`` accumulates with ``logaddexp`` (no overflow, and no underflow of the
  early terms that a max shift would cause); its gradient
  ``sum_{i>=j} g_i exp(x_j - out_i)`` is computed in log space, positive and negative
  parts of ``g`` separately, so it stays finite for large inputs.
- ``diff`` is ``n`` rounds of ``x[1:] - x[:-1]`` (``logical_xor`` for bool) after
  concatenating ``prepend``/``append``; differentiable through slicing and sub.
"""
from .. import backend, return_types
from .._dtype import BOOL_NP, int64 as _int64
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.function import ArrayFunction
from ._common import write_out as _out, check_tensor
from . import pointwise as _pw
from . import shape as _sh

_gam = backend.get_array_module
_I64 = _int64.np


class _CumExtreme(ArrayFunction):
    """Base of cummax/cummin: ``accumulate`` is the backend ufunc's running extreme."""

    differentiable_outputs = (0,)
    ufunc = None

    @classmethod
    def forward(cls, ctx, x, dim=0):
        xp = _gam(x)
        a = x.reshape(1) if x.ndim == 0 else x
        vals = getattr(xp, cls.ufunc).accumulate(a, axis=dim)
        hit = a == vals
        if a.dtype.kind in "fc":
            hit |= xp.isnan(a) & xp.isnan(vals)
        shape = [1] * a.ndim
        shape[dim] = a.shape[dim]
        pos = xp.arange(a.shape[dim], dtype=_I64).reshape(shape)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim)
        ctx.idx, ctx.dim, ctx.shape0 = idx, dim, x.shape
        if x.ndim == 0:
            return vals.reshape(()), idx.reshape(())
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        from .scatter import scatter_add
        idx = _make(ctx.idx)
        if g.ndim == 0:
            return g
        zeros = _make(_gam(g._data).zeros_like(g._data))
        return scatter_add(zeros, ctx.dim, idx, g)


class Cummax(_CumExtreme):
    ufunc = "maximum"


class Cummin(_CumExtreme):
    ufunc = "minimum"


def _cum_extreme(cls, name, input, dim, out):
    check_tensor(input, name)
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{name} is not implemented for complex tensors.")
    d = _wrap_dim(dim, input._data.ndim)
    res = getattr(return_types, name)(cls.apply(input, dim=d))
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        return getattr(return_types, name)(out)
    return res


def cummax(input, dim, *, out=None):
    """``torch.cummax``: running maximum ``(values, indices)`` along ``dim``."""
    return _cum_extreme(Cummax, "cummax", input, dim, out)


def cummin(input, dim, *, out=None):
    """``torch.cummin``: running minimum ``(values, indices)`` along ``dim``."""
    return _cum_extreme(Cummin, "cummin", input, dim, out)


class Logcumsumexp(ArrayFunction):
    @staticmethod
    def forward(ctx, x, dim=0):
        xp = _gam(x)
        ctx.dim = dim
        out = x.copy() if x.ndim == 0 or x.size == 0 else xp.logaddexp.accumulate(x, axis=dim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        if x.ndim == 0:
            return g

        def rev(t):   # reverse logcumsumexp: log sum_{i>=j} exp(t_i)
            return _sh.flip(logcumsumexp(_sh.flip(t, (dim,)), dim), (dim,))
        pos = _pw.exp(_pw.add(rev(_pw.sub(_pw.log(_pw.relu(g)), out)), x))
        neg = _pw.exp(_pw.add(rev(_pw.sub(_pw.log(_pw.relu(_pw.neg(g))), out)), x))
        return _pw.sub(pos, neg)


def logcumsumexp(input, dim, *, out=None):
    """``torch.logcumsumexp``: ``log(cumsum(exp(input)))`` along ``dim``, computed stably.
    Integer inputs give the default float dtype."""
    check_tensor(input, "logcumsumexp")
    x = _pw._float_input(input)
    d = _wrap_dim(dim, x._data.ndim)
    return _out(Logcumsumexp.apply(x, dim=d), out)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``torch.diff``: the ``n``-th forward difference along ``dim``; ``prepend``/``append``
    are concatenated first (they must match ``input`` except along ``dim``)."""
    check_tensor(input, "diff")
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    parts = [t if isinstance(t, Tensor) else _sh.expand(_pw.scalar_like(t, input),
                                                         _scalar_shape(input, d)) for t in parts]
    x = _sh.cat(parts, d) if len(parts) > 1 else input
    is_bool = x._data.dtype in BOOL_NP
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = _sh.narrow(x, d, 1, length - 1), _sh.narrow(x, d, 0, length - 1)
        x = _pw.logical_xor(hi, lo) if is_bool else _pw.sub(hi, lo)
    return x


def _scalar_shape(input, d):
    shape = list(input.shape)
    shape[d] = 1
    return tuple(shape)


METHODS = ("cummax", "cummin", "logcumsumexp", "diff")
__all__ = list(METHODS)
