"""Order statistics: ``torch.quantile``, ``torch.nanquantile``, ``torch.nanmedian``.

Both quantiles sort along the reduced dim (NaN sorts last), pick the two ranks around
``q * (n - 1)`` with ``gather`` and combine them per ``interpolation`` ('linear', 'lower',
'higher', 'midpoint', 'nearest': round half to even, as PyTorch), so the gradient flows
through sort and gather to the picked elements. ``quantile`` gives NaN for a row holding
NaN; ``nanquantile`` ignores NaNs (all-NaN rows give NaN). A 1-D ``q`` puts its dim first
in the result. ``nanmedian`` is the lower median of the non-NaN values; the full
reduction shares its gradient among ties as ``median`` does.
"""
from .. import backend, return_types
from .._dtype import FLOATING_NP, int64 as _int64
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.function import ArrayFunction
from ._common import check_tensor, write_out as _out
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh

_gam = backend.get_array_module
_I64 = _int64.np
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_quantile(name, input, q, interpolation):
    check_tensor(input, name)
    if input._data.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _MODES:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = q._data.reshape(-1)
        qs = [float(v) for v in qs.tolist()]
    else:
        qs = [float(q)]
    if any(not 0 <= v <= 1 for v in qs):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    return qs


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    qs = _check_quantile(name, input, q, interpolation)
    nd = input.dim()
    if dim is None:
        x = _sh.reshape(input, (-1,))
        d = 0
    else:
        d = _wrap_dim(dim, nd)
        x = _sh.movedim(input, d, -1) if nd else _sh.reshape(input, (1,))
    srt = _red.sort(x, -1).values
    xp = _gam(srt._data)
    n = srt.shape[-1]
    nan = xp.isnan(x._data)
    n_valid = (n - nan.sum(axis=-1, keepdims=True)) if ignore_nan else \
        xp.full(srt.shape[:-1] + (1,), n, _I64)
    qa = xp.asarray(qs, dtype=srt._data.dtype)
    rank = qa * (xp.maximum(n_valid, 1) - 1).astype(srt._data.dtype)   # (..., Q)
    lo = xp.floor(rank).astype(_I64)
    hi = xp.ceil(rank).astype(_I64)
    frac = (rank - lo).astype(srt._data.dtype)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(rank).astype(_I64)
    from .scatter import gather
    v_lo = gather(srt, -1, _make(lo))
    if interpolation in ("lower", "higher", "nearest"):
        res = v_lo
    else:
        v_hi = gather(srt, -1, _make(hi))
        w = 0.5 if interpolation == "midpoint" else _make(frac)
        res = _pw.add(v_lo, _pw.mul(_pw.sub(v_hi, v_lo), w))
    if not ignore_nan:
        has_nan = nan.any(axis=-1, keepdims=True)
        if bool(has_nan.any()):
            res = _pw.where(_make(xp.broadcast_to(has_nan, res.shape)),
                            _make(xp.full(res.shape, xp.nan, res._data.dtype)), res)
    res = _sh.movedim(res, -1, 0)                  # (Q, ...)
    if keepdim:
        if dim is None:
            res = _sh.reshape(res, (len(qs),) + (1,) * nd)
        elif nd:
            res = _sh.unsqueeze(res, d + 1)
    if not isinstance(q, Tensor) or q.dim() == 0:
        res = _sh.reshape(res, tuple(res.shape[1:]))
    return res


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.quantile``: the ``q``-th quantiles (NaN where a row holds NaN)."""
    return _out(_quantile("quantile", input, q, dim, keepdim, interpolation, False), out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``torch.nanquantile``: quantiles of the non-NaN values."""
    return _out(_quantile("nanquantile", input, q, dim, keepdim, interpolation, True), out)


def _lower_median_index(xp, x, axis):
    """Per row of ``x`` along ``axis``: index (into the stable sort) of the lower median of
    the non-NaN values (0 for an all-NaN row, whose sorted values are all NaN)."""
    order = xp.argsort(x, axis=axis, kind="stable")
    n_valid = x.shape[axis] - (xp.isnan(x).sum(axis=axis, keepdims=True)
                               if x.dtype in FLOATING_NP else 0)
    k = xp.maximum((n_valid - 1) // 2, 0)
    k = xp.broadcast_to(k, order.shape[:axis] + (1,) + order.shape[axis + 1:])
    return xp.take_along_axis(order, k.astype(_I64), axis=axis)


class NanmedianAll(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        xp = _gam(x)
        flat = x.reshape(-1)
        if flat.size == 0:
            out = xp.full((), xp.nan, x.dtype)
        else:
            out = flat[_lower_median_index(xp, flat, 0)].reshape(())
        ctx.save_for_backward(x, out)
        return xp.asarray(out)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _red._even_grad(g, x, out, None, False)


class NanmedianDim(_red._Select):
    @staticmethod
    def pick(xp, x, dim):
        return _lower_median_index(xp, x, dim)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``torch.nanmedian``: lower median ignoring NaN (0-d), or ``(values, indices)`` along
    ``dim``."""
    check_tensor(input, "nanmedian")
    if dim is None:
        return _out(NanmedianAll.apply(input), out)
    d = input._data
    dim = _red._one_dim(dim, d.ndim, "nanmedian")
    if d.ndim and d.shape[dim] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {dim} to have non-zero size.")
    res = return_types.nanmedian(NanmedianDim.apply(input, dim=dim, keepdim=keepdim))
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        return return_types.nanmedian(out)
    return res


METHODS = ("quantile", "nanquantile", "nanmedian")
__all__ = list(METHODS)
