"""Reductions: sum/mean/prod, max/min, var/std, norm, logsumexp, cumulative ops, all/any,
median/mode/kthvalue, sort/argsort/topk.

PyTorch's semantics are followed: ``dim`` is an int or a tuple/list of ints (negative
allowed, out of range -> IndexError, repeated -> RuntimeError), ``keepdim`` keeps reduced
dims as size 1; integer and bool sums/products are int64; float16/bfloat16 inputs are
reduced in float32 and rounded back. Ops that pick elements (max/min/sort/topk/median with
``dim``) return ``(values, indices)`` named tuples (``ember.return_types``) and send the
gradient to the picked elements; full max/min/median/amax/amin split it evenly among ties.

Where ember differs from PyTorch: ``sort``/``argsort``/``topk`` are always stable (so
``stable=False`` and ``sorted=False`` give the stable, sorted order); ``median``/``mode``/
``kthvalue`` with ties return the index of a tie found through a stable sort, which may be a
different (equally valid) index than PyTorch's.
"""
import builtins as _b
import operator
import warnings

from .. import backend
from .._dtype import int64 as _int64, float32 as _float32, to_dtype
from .._dtype import BOOL_NP, DIFFERENTIABLE_NP, EXACT_NP, FLOATING_NP, HALF_NP, compute_dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import ArrayFunction
from ._common import along as _along, count as _count, no_grad_op, write_out as _out
from . import pointwise as _pw
from . import shape as _sh

_gam = backend.get_array_module
_I64 = _int64.np
_F32 = _float32.np
_INF = float("inf")


# ---------------------------------------------------------------------------------------
# return types (torch.return_types)

from .. import return_types  # noqa: E402  (named tuples of max/min/sort/topk ...)


# ---------------------------------------------------------------------------------------
# helpers

def _acc(x):
    """float16/bfloat16 arrays as float32: PyTorch accumulates reductions in float32."""
    return x.astype(_F32) if x.dtype in HALF_NP else x


def _index(d, what="dim"):
    try:
        return operator.index(d)
    except TypeError:
        raise TypeError(f"{what} must be int or a tuple of ints, not {type(d).__name__}") from None


def _dims(dim, ndim, empty_is_all=True):
    """Normalise dim (None, int, tuple/list) to a sorted tuple of axes; None means all.

    ``dim=()`` means all dims for most reductions (``empty_is_all``); all/any reduce nothing.
    A 0-d tensor accepts dim 0 and -1 and reduces nothing (axes ``()``).
    """
    if dim is None:
        return None
    if type(dim) is int and -ndim <= dim < ndim:     # the common case, fast
        return (dim % ndim,)
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None if empty_is_all else ()
        seq = dim
    else:
        seq = (dim,)
    axes = []
    for d in seq:
        a = _wrap_dim(_index(d), ndim)
        if a in axes:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        axes.append(a)
    if ndim == 0:
        return ()
    return tuple(sorted(axes))


def _one_dim(dim, ndim, name):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return _wrap_dim(_index(dim, f"{name}(): argument 'dim'"), ndim)


def _kept_shape(shape, axes):
    return tuple(1 if axes is None or i in axes else s for i, s in enumerate(shape))


def _reduced_shape(shape, axes, keepdim):
    if keepdim:
        return _kept_shape(shape, axes)
    return tuple(s for i, s in enumerate(shape) if axes is not None and i not in axes)


def _unsqueeze(g, shape, axes, keepdim):
    """A reduction's gradient (or result) made broadcastable against the input: reduced
    dims restored as size 1 (not needed for a full or a leading-dims reduction)."""
    if keepdim or axes is None or axes == tuple(range(len(axes))):
        return g
    ks = _kept_shape(shape, axes)
    return g if g._data.shape == ks else _sh.reshape(g, ks)


def _check_nonempty(shape, axes, name):
    """PyTorch's errors for max-like reductions (no identity) over empty dims."""
    if axes is None:
        if _count(shape, None) == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return
    for a in axes:
        if shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _type_name(t):
    return _pw._INT_NAMES.get(t.dtype.name, t.dtype.name.capitalize())


def _require_float(input, msg):
    if input._data.dtype not in DIFFERENTIABLE_NP:
        raise RuntimeError(msg)


def _as_arr(xp, r, dtype=None):
    r = xp.asarray(r)
    return r if dtype is None else r.astype(dtype, copy=False)


# ---------------------------------------------------------------------------------------
# sum, mean, nansum, nanmean, prod

class Sum(ArrayFunction):
    """``torch.sum``; the gradient is the output gradient broadcast back."""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, np_dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        target = x.dtype if np_dtype is None else np_dtype
        if target in HALF_NP:
            return x.astype(_F32).sum(axis=axes, keepdims=keepdim).astype(target)
        return x.sum(axis=axes, dtype=np_dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        # Expand.apply directly: the shape is already valid, skip expand()'s argument parsing
        return _sh.Expand.apply(_unsqueeze(g, ctx.shape, ctx.axes, ctx.keepdim), shape=ctx.shape)

    @staticmethod
    def backward_arrays(ctx, g):
        # backward's broadcast view, built on the array (Expand's forward, without apply)
        shape, axes = ctx.shape, ctx.axes
        if not (ctx.keepdim or axes is None or axes == tuple(range(len(axes)))):
            g = g.reshape(_kept_shape(shape, axes))
        if g.shape == shape:
            return g.view()
        return backend.broadcast_to(backend.get_array_module(g), g, shape)


class SumDim(Sum):
    node_name = "SumBackward1"


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.sum``; bool and integer inputs sum to int64; ``dim=()`` sums everything."""
    d = input._data
    if dtype is not None:
        np_dtype = to_dtype(dtype).np
    elif d.dtype in EXACT_NP:
        np_dtype = _I64
    else:
        np_dtype = None
    if dim is None:
        res = Sum.apply(input, axes=None, keepdim=keepdim, np_dtype=np_dtype)
    else:
        res = SumDim.apply(input, axes=_dims(dim, d.ndim), keepdim=keepdim, np_dtype=np_dtype)
    return res if out is None else _pw._out(res, out)


class Mean(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        n = _count(x.shape, axes)
        ctx.shape, ctx.axes, ctx.keepdim, ctx.n = x.shape, axes, keepdim, n
        if x.dtype in HALF_NP:
            return (x.astype(_F32).sum(axis=axes, keepdims=keepdim) / n).astype(x.dtype)
        return x.sum(axis=axes, keepdims=keepdim) / n      # n == 0 gives nan, as PyTorch

    @staticmethod
    def backward(ctx, g):
        g = _pw.div(_unsqueeze(g, ctx.shape, ctx.axes, ctx.keepdim), ctx.n)
        return _sh.expand(g, ctx.shape)


class MeanDim(Mean):
    node_name = "MeanBackward1"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.mean``: floating (or complex) inputs only, unless ``dtype`` is given."""
    if dtype is not None:
        dt = to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: "
                               f"{_pw._INT_NAMES.get(dt.name, dt.name)}")
        input = _pw._to_dtype(input, dt)
    elif input._data.dtype not in DIFFERENTIABLE_NP:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {_type_name(input)}")
    if dim is None:
        res = Mean.apply(input, axes=None, keepdim=keepdim)
    else:
        res = MeanDim.apply(input, axes=_dims(dim, input._data.ndim), keepdim=keepdim)
    return res if out is None else _pw._out(res, out)


class Nansum(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, np_dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.save_for_backward(x)
        xp = _gam(x)
        target = x.dtype if np_dtype is None else np_dtype
        r = xp.nansum(_acc(x) if np_dtype is None else x.astype(target), axis=axes,
                      keepdims=keepdim)
        return _as_arr(xp, r, target)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        g = _unsqueeze(g, ctx.shape, ctx.axes, ctx.keepdim)
        return _pw.where(_pw.isnan(x), 0.0, _sh.expand(g, ctx.shape))


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """``torch.nansum``: NaNs count as zero (and get zero gradient)."""
    d = input._data
    np_dtype = to_dtype(dtype).np if dtype is not None else (_I64 if d.dtype in EXACT_NP
                                                            else None)
    return Nansum.apply(input, axes=_dims(dim, d.ndim), keepdim=keepdim, np_dtype=np_dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """``torch.nanmean``: the mean of the non-NaN elements."""
    if dtype is not None:
        input = _pw._to_dtype(input, to_dtype(dtype))
    if input._data.dtype not in DIFFERENTIABLE_NP:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_type_name(input)}")
    valid = sum(_pw.logical_not(_pw.isnan(input)), dim, keepdim)
    return _pw.div(nansum(input, dim, keepdim), valid)


class Prod(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, np_dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        xp = _gam(x)
        target = x.dtype if np_dtype is None else np_dtype
        a = x.astype(compute_dtype(target), copy=False)
        out = _as_arr(xp, a.prod(axis=axes, keepdims=keepdim), target)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axes, shape, keepdim = ctx.axes, ctx.shape, ctx.keepdim
        g = _unsqueeze(g, shape, axes, keepdim)
        out = _unsqueeze(out, shape, axes, keepdim)
        if not bool((x._data == 0).any()):
            return _pw.mul(g, _pw.div(out, x))
        # With zeros: a lone zero gets the product of the others; everything else gets 0.
        is_zero = _pw.eq(x, 0)
        n_zero = sum(is_zero, axes, keepdim=True)
        x_nz = _pw.where(is_zero, 1.0, x)
        others = Prod.apply(x_nz, axes=axes, keepdim=True)
        g_zero = _pw.where(_pw.eq(n_zero, 1), _pw.mul(g, others), 0.0)
        return _pw.where(is_zero, g_zero, _pw.mul(g, _pw.div(out, x_nz)))


class ProdDim(Prod):
    node_name = "ProdBackward1"


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """``torch.prod``: over all elements, or over one int ``dim``; integers give int64."""
    d = input._data
    np_dtype = to_dtype(dtype).np if dtype is not None else (_I64 if d.dtype in EXACT_NP
                                                            else None)
    if dim is None:
        return Prod.apply(input, axes=None, keepdim=False, np_dtype=np_dtype)
    ax = _one_dim(dim, d.ndim, "prod")
    axes = () if d.ndim == 0 else (ax,)
    return ProdDim.apply(input, axes=axes, keepdim=keepdim, np_dtype=np_dtype)


# ---------------------------------------------------------------------------------------
# amax/amin and the full max/min/median: gradient split evenly among ties

def _even_grad(g, x, out, axes, keepdim):
    """Gradient of a value-selecting full reduction: shared equally by all the maxima."""
    g = _unsqueeze(g, x.shape, axes, keepdim)
    out = _unsqueeze(out, x.shape, axes, keepdim)
    mask = _pw.eq(x, out)
    if out._data.dtype in FLOATING_NP and bool(_gam(out._data).isnan(out._data).any()):
        mask = _pw.logical_or(mask, _pw.logical_and(_pw.isnan(x), _pw.isnan(out)))
    count = sum(mask, axes, keepdim=True)
    return _pw.where(mask, _pw.div(g, count), 0.0)


class Amax(ArrayFunction):
    reduce = "max"

    @classmethod
    def forward(cls, ctx, x, axes=None, keepdim=False):
        ctx.axes, ctx.keepdim = axes, keepdim
        r = x.max(axis=axes, keepdims=keepdim) if cls.reduce == "max" else \
            x.min(axis=axes, keepdims=keepdim)
        out = _gam(x).asarray(r)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _even_grad(g, x, out, ctx.axes, ctx.keepdim)


class Amin(Amax):
    reduce = "min"


class MaxAll(Amax):
    node_name = "MaxBackward1"


class MinAll(Amin):
    node_name = "MinBackward1"


def amax(input, dim=(), keepdim=False, *, out=None):
    """``torch.amax``: the maximum over ``dim`` (all dims by default); ties share the gradient."""
    axes = _dims(dim, input._data.ndim)
    _check_nonempty(input._data.shape, axes, "amax")
    return _out(Amax.apply(input, axes=axes, keepdim=keepdim), out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """``torch.amin``: the minimum over ``dim`` (all dims by default); ties share the gradient."""
    axes = _dims(dim, input._data.ndim)
    _check_nonempty(input._data.shape, axes, "amin")
    return _out(Amin.apply(input, axes=axes, keepdim=keepdim), out)


def aminmax(input, *, dim=None, keepdim=False):
    """``torch.aminmax``: ``(min, max)`` over all elements or one ``dim``."""
    axes = None if dim is None else _dims(_one_dim(dim, input._data.ndim, "aminmax"),
                                          input._data.ndim)
    if _count(input._data.shape, axes) == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    return return_types.aminmax((Amin.apply(input, axes=axes, keepdim=keepdim),
                                 Amax.apply(input, axes=axes, keepdim=keepdim)))


# ---------------------------------------------------------------------------------------
# ops that pick elements along one dim: max/min/median/mode/kthvalue/sort/topk

class TakeAlong(ArrayFunction):
    """``take_along_axis`` with constant indices; its gradient is PutAlong (and back)."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, idx=None, dim=0):
        ctx.idx, ctx.dim, ctx.shape = idx, dim, x.shape
        return _gam(x).take_along_axis(x, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return PutAlong.apply(g, idx=ctx.idx, dim=ctx.dim, shape=ctx.shape)


class PutAlong(ArrayFunction):
    """Zeros of ``shape`` with ``g`` written at ``idx`` along ``dim`` (indices unique per row)."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, g, idx=None, dim=0, shape=None):
        ctx.idx, ctx.dim = idx, dim
        xp = _gam(g)
        out = xp.zeros(shape, g.dtype)
        out[_along(xp, idx, dim)] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return TakeAlong.apply(gg, idx=ctx.idx, dim=ctx.dim)


class _Select(ArrayFunction):
    """Base of ops returning ``(values, indices)`` picked along ``dim``.

    A subclass defines ``pick(xp, x, dim, **kw)``: int indices with ``dim`` kept. The
    values' gradient is scattered back to the picked positions.
    """

    differentiable_outputs = (0,)

    @classmethod
    def forward(cls, ctx, x, dim=0, keepdim=False, **kw):
        xp = _gam(x)
        scalar = x.ndim == 0
        if scalar:
            x = x.reshape(1)
        idx = cls.pick(xp, x, dim, **kw).astype(_I64, copy=False)
        vals = xp.take_along_axis(x, idx, axis=dim)
        ctx.idx, ctx.dim, ctx.shape, ctx.keepdim, ctx.scalar = idx, dim, x.shape, keepdim, scalar
        if scalar:
            return vals.reshape(()), idx.reshape(())
        if not keepdim:
            return vals.squeeze(dim), idx.squeeze(dim)
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        if ctx.scalar:
            return g
        if not ctx.keepdim:
            g = _sh.reshape(g, ctx.idx.shape)
        return PutAlong.apply(g, idx=ctx.idx, dim=ctx.dim, shape=ctx.shape)


def _argsort(xp, x, dim, descending):
    """Stable argsort; descending keeps equal elements in their original order (NaN first)."""
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    r = xp.argsort(xp.flip(x, dim), axis=dim, kind="stable")
    return xp.flip(n - 1 - r, dim)


def _first(idx, dim, k):
    return idx[(slice(None),) * dim + (slice(0, k),)]


class Max(_Select):
    @staticmethod
    def pick(xp, x, dim):
        return xp.argmax(x, axis=dim, keepdims=True)


class Min(_Select):
    @staticmethod
    def pick(xp, x, dim):
        return xp.argmin(x, axis=dim, keepdims=True)


class Sort(_Select):
    @staticmethod
    def pick(xp, x, dim, descending=False):
        return _argsort(xp, x, dim, descending)


class Topk(_Select):
    @staticmethod
    def pick(xp, x, dim, k=1, largest=True):
        return _first(_argsort(xp, x, dim, largest), dim, k)


class Kthvalue(_Select):
    @staticmethod
    def pick(xp, x, dim, k=1):
        return _argsort(xp, x, dim, False)[(slice(None),) * dim + (slice(k - 1, k),)]


class Median(_Select):
    """Lower median along ``dim``; a row holding NaN gives NaN (its first NaN's index)."""

    node_name = "MedianBackward1"

    @staticmethod
    def pick(xp, x, dim):
        order = xp.argsort(x, axis=dim, kind="stable")
        n = x.shape[dim]
        pos = xp.full(order.shape[:dim] + (1,) + order.shape[dim + 1:], (n - 1) // 2, _I64)
        if x.dtype in FLOATING_NP:
            n_nan = xp.isnan(x).sum(axis=dim, keepdims=True)
            pos = xp.where(n_nan > 0, n - n_nan, pos)
        return xp.take_along_axis(order, pos, axis=dim)


class Mode(_Select):
    """Most frequent value (the smallest among equally frequent), index of its last occurrence."""

    @staticmethod
    def pick(xp, x, dim):
        order = xp.moveaxis(xp.argsort(x, axis=dim, kind="stable"), dim, -1)
        s = xp.take_along_axis(xp.moveaxis(x, dim, -1), order, axis=-1)
        n = s.shape[-1]
        pos = xp.arange(n)
        start = xp.ones(s.shape, bool)
        start[..., 1:] = s[..., 1:] != s[..., :-1]
        # start position of the run each element belongs to
        starts = xp.sort(xp.where(start, pos, n), axis=-1)
        run_start = xp.take_along_axis(starts, xp.cumsum(start, axis=-1) - 1, axis=-1)
        best = xp.argmax(pos - run_start, axis=-1)[..., None]   # end of first longest run
        return xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, dim)


def _select(cls, name, input, dim, keepdim, **kw):
    d = input._data
    dim = _one_dim(dim, d.ndim, name)
    if d.ndim and d.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return getattr(return_types, name)(cls.apply(input, dim=dim, keepdim=keepdim, **kw))


def max(input, dim=None, keepdim=False, *, other=None):
    """``torch.max``: the maximum (0-d), ``(values, indices)`` along ``dim``, or
    ``max(a, b)`` = ``maximum(a, b)``. NaN propagates; ties in the full max share the
    gradient; with ``dim`` the first maximal index is returned."""
    if other is not None or isinstance(dim, Tensor):
        return _pw.maximum(input, other if other is not None else dim)
    if dim is None:
        _check_nonempty(input._data.shape, None, "max")
        return MaxAll.apply(input, axes=None, keepdim=False)
    return _select(Max, "max", input, dim, keepdim)


def min(input, dim=None, keepdim=False, *, other=None):
    """``torch.min``: like ``max``."""
    if other is not None or isinstance(dim, Tensor):
        return _pw.minimum(input, other if other is not None else dim)
    if dim is None:
        _check_nonempty(input._data.shape, None, "min")
        return MinAll.apply(input, axes=None, keepdim=False)
    return _select(Min, "min", input, dim, keepdim)


def _arg_reduce_arrays(d, name, dim, keepdim):
    xp = _gam(d)
    fn = xp.argmax if name == "argmax" else xp.argmin
    if dim is None:
        r = xp.asarray(fn(d.reshape(-1)))
        if keepdim:
            r = r.reshape((1,) * d.ndim)
    elif d.ndim == 0:
        r = xp.zeros((), _I64)
    else:
        r = fn(d, axis=dim, keepdims=keepdim)
    return r.astype(_I64, copy=False)


ArgReduce = no_grad_op(__name__, "ArgReduce", _arg_reduce_arrays)


def _arg_reduce(name, input, dim, keepdim):
    d = input._data
    if d.dtype in BOOL_NP:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if d.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
    else:
        dim = _one_dim(dim, d.ndim, name)
        if d.ndim and d.shape[dim] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return ArgReduce.apply(input, name=name, dim=dim, keepdim=keepdim)


def argmax(input, dim=None, keepdim=False):
    """``torch.argmax``: int64 index of the (first) maximum; ``dim=None`` flattens."""
    return _arg_reduce("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """``torch.argmin``: int64 index of the (first) minimum; ``dim=None`` flattens."""
    return _arg_reduce("argmin", input, dim, keepdim)


class MedianAll(ArrayFunction):
    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = _gam(x)
        flat = x.reshape(-1)
        n = flat.size
        if n == 0:
            out = xp.full((), xp.nan if x.dtype in FLOATING_NP else xp.iinfo(x.dtype).min,
                          x.dtype)
        elif x.dtype in FLOATING_NP and bool(xp.isnan(flat).any()):
            out = xp.full((), xp.nan, x.dtype)
        else:
            k = (n - 1) // 2
            out = xp.asarray(xp.partition(flat, k)[k])
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _even_grad(g, x, out, None, False)


def median(input, dim=None, keepdim=False):
    """``torch.median``: the lower median (0-d; ties share the gradient), or
    ``(values, indices)`` along ``dim``. NaN propagates."""
    if input._data.dtype in BOOL_NP:
        raise NotImplementedError("\"median\" not implemented for 'Bool'")
    if dim is None:
        return MedianAll.apply(input)
    return _select(Median, "median", input, dim, keepdim)


def mode(input, dim=-1, keepdim=False):
    """``torch.mode``: ``(values, indices)`` of the most frequent value along ``dim``."""
    return _select(Mode, "mode", input, dim, keepdim)


def kthvalue(input, k, dim=-1, keepdim=False):
    """``torch.kthvalue``: the k-th smallest element (1-based) along ``dim``."""
    d = input._data
    ax = _one_dim(dim, d.ndim, "kthvalue")
    n = d.shape[ax] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    return _select(Kthvalue, "kthvalue", input, ax, keepdim, k=k)


def sort(input, dim=-1, descending=False, *, stable=False):
    """``torch.sort``: ``(values, indices)``; always a stable sort (NaN sorts as largest)."""
    ax = _one_dim(dim, input._data.ndim, "sort")
    return return_types.sort(Sort.apply(input, dim=ax, keepdim=True, descending=descending))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """``torch.argsort``: int64 indices of a stable sort along ``dim``."""
    ax = _one_dim(dim, input._data.ndim, "argsort")
    return ArgSort.apply(input, dim=ax, descending=descending)


def _argsort_arrays(d, dim, descending):
    if d.ndim == 0:
        return _gam(d).zeros((), _I64)
    return _argsort(_gam(d), d, dim, descending).astype(_I64, copy=False)


ArgSort = no_grad_op(__name__, "ArgSort", _argsort_arrays)


def msort(input):
    """``torch.msort``: sorted along dim 0."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``torch.topk``: ``(values, indices)`` of the k largest (or smallest) along ``dim``,
    always in sorted order."""
    d = input._data
    ax = _one_dim(dim, d.ndim, "topk")
    n = d.shape[ax] if d.ndim else 1
    k = _index(k, "k")
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if d.ndim == 0:
        k = 1
    return return_types.topk(Topk.apply(input, dim=ax, keepdim=True, k=k, largest=largest))


# ---------------------------------------------------------------------------------------
# var, std, var_mean, std_mean

class Var(ArrayFunction):
    take_sqrt = False

    @classmethod
    def forward(cls, ctx, x, axes=None, keepdim=False, correction=1):
        xp = _gam(x)
        xa = _acc(x)
        n = _count(x.shape, axes)
        dof = _b.max(n - correction, 0)
        dev = xa - xa.sum(axis=axes, keepdims=True) / n
        r = (dev * dev).sum(axis=axes, keepdims=keepdim) / dof
        if cls.take_sqrt:
            r = xp.sqrt(r)
        out = _as_arr(xp, r, x.dtype)
        ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, dof
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        if type(ctx).take_sqrt:     # d std = d var / (2 std); zero where std is zero
            g = _pw.where(_pw.eq(out, 0), 0.0, _pw.div(g, _pw.mul(out, 2)))
        g = _unsqueeze(g, x.shape, ctx.axes, ctx.keepdim)
        dev = _pw.sub(x, mean(x, ctx.axes, keepdim=True))
        scale = 2.0 / ctx.dof if ctx.dof > 0 else _INF
        return _pw.mul(_pw.mul(g, dev), scale)


class Std(Var):
    take_sqrt = True


def _var_args(name, input, dim, unbiased, correction):
    if input._data.dtype not in DIFFERENTIABLE_NP:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):            # var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}(): unbiased given twice")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): cannot give both unbiased and correction")
    if correction is None:
        correction = 1 if unbiased is None else int(bool(unbiased))
    axes = _dims(dim, input._data.ndim)
    if _count(input._data.shape, axes) - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      stacklevel=3)
    return axes, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.var`` with ``correction`` (default 1) or the legacy ``unbiased`` flag."""
    axes, c = _var_args("var", input, dim, unbiased, correction)
    return _out(Var.apply(input, axes=axes, keepdim=keepdim, correction=c), out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``torch.std``; the gradient is zero where the std is zero, as in PyTorch."""
    axes, c = _var_args("std", input, dim, unbiased, correction)
    return _out(Std.apply(input, axes=axes, keepdim=keepdim, correction=c), out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``torch.var_mean``: the tuple ``(var, mean)``."""
    axes, c = _var_args("var_mean", input, dim, unbiased, correction)
    return (Var.apply(input, axes=axes, keepdim=keepdim, correction=c),
            mean(input, axes, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``torch.std_mean``: the tuple ``(std, mean)``."""
    axes, c = _var_args("std_mean", input, dim, unbiased, correction)
    return (Std.apply(input, axes=axes, keepdim=keepdim, correction=c),
            mean(input, axes, keepdim))


# ---------------------------------------------------------------------------------------
# norms and logsumexp

class VectorNorm(ArrayFunction):
    """``torch.linalg.vector_norm``; gradients are 0 where the norm is 0, as PyTorch's."""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord=2.0, axes=None, keepdim=False):
        xp = _gam(x)
        xa = _acc(x)
        a = xp.abs(xa)
        if ord == 2:
            r = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
        elif ord == 1:
            r = a.sum(axis=axes, keepdims=keepdim)
        elif ord == _INF:
            r = a.max(axis=axes, keepdims=keepdim)
        elif ord == -_INF:
            r = a.min(axis=axes, keepdims=keepdim)
        elif ord == 0:
            r = (a != 0).sum(axis=axes, keepdims=keepdim, dtype=a.dtype)
        else:
            r = (a ** ord).sum(axis=axes, keepdims=keepdim) ** (1.0 / ord)
        out = _as_arr(xp, r, x.dtype)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p, axes = ctx.ord, ctx.axes
        g = _unsqueeze(g, x.shape, axes, ctx.keepdim)
        norm = _unsqueeze(out, x.shape, axes, ctx.keepdim)
        if p == 0:
            return None             # PyTorch leaves the gradient of the 0-"norm" undefined
        if p == 1:
            return _pw.mul(_pw.sign(x), g)
        if p == 2:
            return _pw.mul(x, _pw.where(_pw.eq(norm, 0), 0.0, _pw.div(g, norm)))
        if p in (_INF, -_INF):
            ax = _pw.abs(x)
            mask = _pw.logical_or(_pw.eq(ax, norm), _pw.isnan(ax))
            share = _pw.div(g, sum(mask, axes, keepdim=True))
            return _pw.mul(_pw.sign(x), _pw.where(mask, share, 0.0))
        scaled = _pw.pow(_pw.abs(x), p - 1)
        if p < 1:
            scaled = _pw.where(_pw.eq(x, 0), 0.0, scaled)
        scale = _pw.where(_pw.eq(norm, 0), 0.0, _pw.div(g, _pw.pow(norm, p - 1)))
        return _pw.mul(_pw.mul(_pw.sign(x), scaled), scale)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.vector_norm``: ord in {2, 1, inf, -inf, 0, any p}, over ``dim``."""
    if x._data.dtype not in DIFFERENTIABLE_NP:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_name(x)}")
    if dtype is not None:
        x = _pw._to_dtype(x, to_dtype(dtype))
    ord = float(ord)
    axes = _dims(dim, x._data.ndim)
    if ord < 0 or ord == _INF:
        shape = x._data.shape
        if axes is None and _count(shape, None) == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty "
                               "tensor because the operation does not have an identity")
        for a in axes or ():
            if shape[a] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on the "
                                   f"dimension {a}because this dimension is empty and the "
                                   "operation does not have an identity")
    return VectorNorm.apply(x, ord=ord, axes=axes, keepdim=keepdim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: 'fro' and numeric p are vector norms over ``dim`` (all dims by
    default), as PyTorch computes them; p='nuc' is not implemented."""
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "fro":
            if dim is not None and not isinstance(dim, int) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2
        elif p == "nuc":
            raise NotImplementedError("ember.norm: p='nuc' (nuclear norm) is not implemented")
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return _out(vector_norm(input, p, dim, keepdim, dtype=dtype), out)


class Logsumexp(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        xp = _gam(x)
        xa = _acc(x)
        shape = _reduced_shape(x.shape, axes, keepdim)
        if _count(x.shape, axes) == 0:
            out = xp.full(shape, -xp.inf, x.dtype)
        else:
            m = xa.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            r = xp.log(xp.exp(xa - m).sum(axis=axes, keepdims=True)) + m
            out = xp.asarray(r).reshape(shape).astype(x.dtype, copy=False)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = _unsqueeze(g, x.shape, ctx.axes, ctx.keepdim)
        out = _unsqueeze(out, x.shape, ctx.axes, ctx.keepdim)
        return _pw.mul(g, _pw.exp(_pw.sub(x, out)))


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``torch.logsumexp``, computed stably (max-shifted); integer inputs give float."""
    input = _pw._float_input(input)
    res = Logsumexp.apply(input, axes=_dims(dim, input._data.ndim), keepdim=keepdim)
    return _out(res, out)


# ---------------------------------------------------------------------------------------
# cumulative sum / product

def _cum_target(input, dtype):
    if dtype is not None:
        return to_dtype(dtype).np
    return _I64 if input._data.dtype in EXACT_NP else None


class Cumsum(ArrayFunction):
    """``torch.cumsum``; ``reverse`` sums from the end (the gradient of cumsum)."""

    @staticmethod
    def forward(ctx, x, dim=0, np_dtype=None, reverse=False):
        ctx.dim, ctx.reverse = dim, reverse
        xp = _gam(x)
        target = x.dtype if np_dtype is None else np_dtype
        a = x.astype(compute_dtype(target), copy=False)
        if a.ndim == 0:
            return a.astype(target)
        if reverse:
            a = xp.flip(a, dim)
        r = xp.cumsum(a, axis=dim, dtype=a.dtype)
        if reverse:
            r = xp.flip(r, dim)
        return r.astype(target, copy=False)

    @staticmethod
    def backward(ctx, g):
        return Cumsum.apply(g, dim=ctx.dim, reverse=not ctx.reverse)


def _rcumsum(t, dim):
    return Cumsum.apply(t, dim=dim, reverse=True)


def cumsum(input, dim, *, dtype=None, out=None):
    """``torch.cumsum``: integers and bool accumulate in int64."""
    d = _one_dim(dim, input._data.ndim, "cumsum")
    return _out(Cumsum.apply(input, dim=d, np_dtype=_cum_target(input, dtype)), out)


class Cumprod(ArrayFunction):
    """``torch.cumprod``; its gradient is exact with zeros in the input (and differentiable)."""

    @staticmethod
    def forward(ctx, x, dim=0, np_dtype=None):
        xp = _gam(x)
        target = x.dtype if np_dtype is None else np_dtype
        a = x.astype(compute_dtype(target), copy=False)
        out = a.copy() if a.ndim == 0 else xp.cumprod(a, axis=dim, dtype=a.dtype)
        out = out.astype(target, copy=False)
        ctx.dim = dim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        if x.ndim == 0:
            return g
        if not bool((x._data == 0).any()):
            return _pw.div(_rcumsum(_pw.mul(g, out), dim), x)
        # Per row with first zero at k0: d/dx_k for k < k0 is the usual formula (x_k != 0);
        # d/dx_k0 = sum_{j>=k0} g_j * prod_{i<=j, i!=k0} x_i; later positions get 0.
        is_zero = _pw.eq(x, 0)
        zeros_so_far = cumsum(is_zero, dim)
        before = _pw.eq(zeros_so_far, 0)
        first = _pw.logical_and(is_zero, _pw.eq(zeros_so_far, 1))
        usual = _pw.div(_rcumsum(_pw.mul(g, out), dim), _pw.where(before, x, 1.0))
        skip_zero = Cumprod.apply(_pw.where(first, 1.0, x), dim=dim)
        at_zero = _rcumsum(_pw.where(before, 0.0, _pw.mul(g, skip_zero)), dim)
        return _pw.where(first, at_zero, _pw.where(before, usual, 0.0))


def cumprod(input, dim, *, dtype=None, out=None):
    """``torch.cumprod``: integers and bool accumulate in int64."""
    d = _one_dim(dim, input._data.ndim, "cumprod")
    return _out(Cumprod.apply(input, dim=d, np_dtype=_cum_target(input, dtype)), out)


cumsum_ = _pw._make_inplace(cumsum)
cumprod_ = _pw._make_inplace(cumprod)


# ---------------------------------------------------------------------------------------
# all, any, count_nonzero (no gradient)

def _logical_reduce_arrays(d, name, axes, keepdim):
    xp = _gam(d)
    r = xp.asarray(getattr(xp, name)(d, axis=axes, keepdims=keepdim))
    return r.astype(d.dtype) if d.dtype == xp.uint8 else r


LogicalReduce = no_grad_op(__name__, "LogicalReduce", _logical_reduce_arrays)


def _logical_reduce(name, input, dim, keepdim):
    axes = _dims(dim, input._data.ndim, empty_is_all=False)   # PyTorch: dim=() reduces nothing
    return LogicalReduce.apply(input, name=name, axes=axes, keepdim=keepdim)


def all(input, dim=None, keepdim=False, *, out=None):
    """``torch.all``: bool result (uint8 for uint8 input, as PyTorch)."""
    return _out(_logical_reduce("all", input, dim, keepdim), out)


def any(input, dim=None, keepdim=False, *, out=None):
    """``torch.any``: bool result (uint8 for uint8 input, as PyTorch)."""
    return _out(_logical_reduce("any", input, dim, keepdim), out)


def count_nonzero(input, dim=None):
    """``torch.count_nonzero``: int64 counts over ``dim`` (all dims by default)."""
    return CountNonzero.apply(input, axes=_dims(dim, input._data.ndim))


CountNonzero = no_grad_op(__name__, "CountNonzero", lambda d, axes: _gam(d).asarray(
    (d != 0).sum(axis=axes, dtype=_I64)))


METHODS = (
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "var", "std", "norm", "logsumexp", "cumsum", "cumprod", "cumsum_",
    "cumprod_", "all", "any", "count_nonzero", "median", "mode", "kthvalue", "topk", "sort",
    "argsort", "msort",
)

__all__ = [
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "var", "std", "norm", "logsumexp", "cumsum", "cumprod", "all",
    "any", "count_nonzero", "median", "mode", "kthvalue", "topk", "sort", "argsort",
    "msort", "var_mean", "std_mean", "return_types",
]
