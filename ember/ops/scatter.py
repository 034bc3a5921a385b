"""gather / scatter / scatter_add / scatter_reduce and index_select / index_add /
index_copy / index_fill (PyTorch's semantics, checks and messages).

Split from ``ops/indexing.py`` (which re-exports these, so ``ember.ops.indexing.gather``
still works) and built on its helpers. Where ember differs: repeated indices in scatter /
index_copy: the last write wins (PyTorch leaves the order unspecified); the gradient of
scatter's ``src`` is padded with zeros where src is larger than index (PyTorch's backward
raises there).
"""
import warnings

from .. import backend
from .._dtype import BOOL_NP, INTEGRAL_NP
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.dispatch import casting_active as _casting_active
from ..autograd.function import ArrayFunction
from ._common import along as _along, fmt_shape as _fmt
from .indexing import (_INDEX_NP, _SL, _atleast1, _bounds_error, _pad_to, _prefix,
                       _scalar_array, _short)

_gam = backend.get_array_module


def _check_int_index(index, fname):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    d = index._data.dtype
    if d not in _INDEX_NP:
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index")


def _check_gather_scatter(fname, input, dim, index, src=None):
    """PyTorch's gather/scatter argument checks; returns the wrapped dim."""
    _check_int_index(index, fname)
    xs, ix = input._data.shape, index._data.shape
    d = _wrap_dim(dim, len(xs))
    if index._data.size == 0:
        return d
    nd = max(len(xs), 1)
    if max(len(ix), 1) != nd:
        what = "input" if fname == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} "
                           "tensor")
    if src is not None and max(src._data.ndim, 1) != max(len(ix), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    x1, i1 = (xs or (1,)), (ix or (1,))
    for i in range(nd):
        if i != d and i1[i] > x1[i]:
            if fname == "gather":
                raise RuntimeError(f"Size does not match at dimension {i} expected index "
                                   f"{_fmt(ix)} to be no larger than self {_fmt(xs)} apart "
                                   f"from dimension {d}")
            break
    else:
        i = None
    s1 = (src._data.shape or (1,)) if src is not None else None
    if i is not None or (s1 is not None and any(a > b for a, b in zip(i1, s1))):
        msg = (f"Expected index {_fmt(ix)} to be no larger than self {_fmt(xs)} apart from "
               f"dimension {d}")
        if src is not None:
            msg += f" and to be no larger size than src {_fmt(src._data.shape)}"
        raise RuntimeError(msg)
    n = x1[d]
    _bounds_error(index._data, n, lambda v: RuntimeError(
        f"index {v} is out of bounds for dimension {d} with size {n}"))
    return d


class Gather(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, dim=0):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(idx)
        xp = _gam(x)
        return _atleast1(x)[_along(xp, _atleast1(idx), dim)].reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        zeros = _make(_gam(g._data).zeros(ctx.shape, g._data.dtype))
        return ScatterAdd.apply(zeros, idx, g, dim=ctx.dim), None


def _scatter_into(out, idx, dim, values, op=None):
    xp = _gam(out)
    i1 = _atleast1(idx)
    pos = _along(xp, i1, dim)
    o1 = _atleast1(out)
    if values.ndim:  # a src tensor: only the part that index covers is read
        values = _prefix(values, i1.shape)
    if op is None:
        o1[pos] = values
    else:
        backend.scatter_reduce(xp, op, o1, pos, values)
    return pos


class Scatter(ArrayFunction):
    """``scatter`` with a src tensor; ``reduce`` ('add'/'multiply') has no gradient, as in
    PyTorch."""

    @staticmethod
    def forward(ctx, x, idx, src, dim=0, reduce=None):
        ctx.dim, ctx.reduce = dim, reduce
        ctx.src_shape = src.shape if backend.is_array(src) else None
        ctx.save_for_backward(idx)
        out = x.copy()
        if not backend.is_array(src):
            src = _scalar_array(_gam(x), src, x.dtype)
        _scatter_into(out, idx, dim, src, reduce)
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ScatterValue.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gs = None
        if len(need) > 2 and need[2]:
            gs = _pad_to(Gather.apply(g, idx, dim=ctx.dim), ctx.src_shape)
        return gx, None, gs


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


class ScatterAdd(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(idx)
        out = x.copy()
        _scatter_into(out, idx, dim, src, "add")
        return out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gs = _pad_to(Gather.apply(g, idx, dim=ctx.dim), ctx.src_shape) if need[2] else None
        return (g if need[0] else None), None, gs


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``torch.gather``: ``out[i][j] = input[index[i][j]][j]`` for dim 0 (and so on).

    ``index`` (int64 or int32) may be smaller than ``input`` in the other dims."""
    from .pointwise import _out
    if sparse_grad:
        raise NotImplementedError("ember: gather(sparse_grad=True) is not supported")
    d = _check_gather_scatter("gather", input, dim, index)
    return _out(Gather.apply(input, index, dim=d), out)


def _check_src_dtype(fname, input, src):
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{fname}(): Expected self.dtype to be equal to src.dtype")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``torch.scatter``: a copy of input with ``src`` (a tensor, or a number ``value``)
    written at ``index`` along ``dim``; ``reduce`` 'add' or 'multiply' combines instead."""
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if isinstance(src, Tensor):
        if reduce is not None:
            warnings.warn("The reduce argument of ember.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "ember.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
        d = _check_gather_scatter("scatter", input, dim, index, src)
        _check_src_dtype("scatter", input, src)
        return Scatter.apply(input, index, src, dim=d, reduce=reduce)
    d = _check_gather_scatter("scatter", input, dim, index)
    return ScatterValue.apply(input, index, src, dim=d, reduce=reduce)


def scatter_add(input, dim, index, src):
    """``torch.scatter_add``: like scatter, with repeated indices accumulated."""
    d = _check_gather_scatter("scatter_add", input, dim, index, src)
    _check_src_dtype("scatter_add", input, src)
    return ScatterAdd.apply(input, index, src, dim=d)


_REDUCE_OPS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
               "amin": "minimum"}


def _identity(xp, reduce, np_dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if np_dtype in INTEGRAL_NP:
        info = xp.iinfo(np_dtype)
        return info.min if reduce == "amax" else info.max
    if np_dtype in BOOL_NP:
        return reduce == "amin"
    return float("-inf") if reduce == "amax" else float("inf")


class ScatterReduce(ArrayFunction):
    """``scatter_reduce`` with PyTorch's gradients (ties of amax/amin share it evenly; prod
    handles zeros). The prod gradient is differentiable again as in PyTorch, except for
    src when more than one zero of src lands on the same position: there double backward
    raises PyTorch's error (its formula has no second derivative there)."""

    @staticmethod
    def forward(ctx, x, idx, src, dim=0, reduce="sum", include_self=True):
        xp = _gam(x)
        out = x.copy()
        o1, i1 = _atleast1(out), _atleast1(idx)
        pos = _along(xp, i1, dim)
        sp = _prefix(_atleast1(src), i1.shape)
        if not include_self:
            o1[pos] = _scalar_array(xp, _identity(xp, reduce, x.dtype), x.dtype)
        backend.scatter_reduce(xp, _REDUCE_OPS[reduce], o1, pos, sp)
        cnt = None
        if reduce == "mean":
            cnt = xp.ones(o1.shape, x.dtype)
            if not include_self:
                cnt[pos] = 0
            backend.scatter_add(xp, cnt, pos, xp.ones(sp.shape, x.dtype))
            if x.dtype in INTEGRAL_NP:
                o1 //= cnt
            else:
                o1 /= cnt
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        ctx.src_shape, ctx.cnt = src.shape, cnt
        ctx.save_for_backward(x, idx, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul, div
        x, idx, src, out = ctx.saved_tensors
        dim, reduce, incl = ctx.dim, ctx.reduce, ctx.include_self
        need = ctx.needs_input_grad
        if reduce == "prod":
            return ScatterReduce._prod_backward(ctx, g, x, idx, src, out)

        def gather(t):
            return _pad_to(Gather.apply(t, idx, dim=dim), ctx.src_shape)

        def unscattered(t):  # t with the scattered positions zeroed (self not included)
            return t if incl else ScatterValue.apply(t, idx, 0, dim=dim)

        if reduce in ("sum", "mean"):
            if reduce == "mean":
                g = div(g, _make(ctx.cnt.reshape(g._data.shape)))
            return (unscattered(g) if need[0] else None), None, (gather(g) if need[2] else None)
        # amax / amin: the gradient is shared evenly between all elements equal to the result
        xp = _gam(g._data)
        xd, od = x._data, out._data
        sel_self = (xd == od).astype(g._data.dtype)
        if not incl:
            sel_self = _zero_region_along(sel_self, idx._data, dim)
        sd = _prefix(_atleast1(src._data), _atleast1(idx._data).shape)
        hit = (sd == _atleast1(od)[_along(xp, _atleast1(idx._data), dim)]).astype(g._data.dtype)
        count = _atleast1(sel_self.copy())
        backend.scatter_add(xp, count, _along(xp, _atleast1(idx._data), dim), hit)
        share = div(g, _make(count.reshape(g._data.shape)))
        gx = mul(share, _make(sel_self)) if need[0] else None
        gs = None
        if need[2]:
            gsel = Gather.apply(share, idx, dim=dim)
            gs = _pad_to(mul(gsel, _make(hit.reshape(gsel._data.shape))), ctx.src_shape)
        return gx, None, gs

    @staticmethod
    def _prod_backward(ctx, g, x, idx, src, out):
        """The prod gradient with ember ops (PyTorch's formula, so double backward gives
        PyTorch's values): self's is grad * (the result with self's zeros read as one) /
        (self with zeros read as one); a src member's is grad * result / member, or for a
        member that is the only zero of its group, grad * (the result with it read as one)."""
        from .pointwise import div, mul, where
        dim, incl = ctx.dim, ctx.include_self
        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            masked_x = x.masked_fill(x == 0, 1)
            masked_res = ScatterReduce.apply(masked_x, idx, src, dim=dim, reduce="prod",
                                             include_self=incl)
            gx = div(mul(g, masked_res), masked_x)
            if not incl:
                gx = ScatterValue.apply(gx, idx, 0, dim=dim)
        if need[2]:
            covered = tuple(slice(0, s) for s in idx.shape) if src.dim() else ()
            sp = src[covered] if covered else src
            zero = sp == 0
            zeros_here = ScatterAdd.apply(_make(_gam(x._data).zeros(x._data.shape, x._data.dtype)),
                                          idx, zero.to(x.dtype), dim=dim)
            n_zero = Gather.apply(zeros_here, idx, dim=dim)
            single = zero & (n_zero == 1)
            masked_res = ScatterReduce.apply(x, idx, sp.masked_fill(single, 1), dim=dim,
                                             reduce="prod", include_self=incl)
            gs = where(single, Gather.apply(mul(g, masked_res), idx, dim=dim),
                       div(Gather.apply(mul(g, out), idx, dim=dim), sp.masked_fill(zero, 1)))
            if bool((n_zero._data > 1).any()):
                gs = _DoubleBackwardError.apply(
                    gs, message="scatter_reduce(): Double backward is unsupported for src "
                                "when >1 zeros in src are scattered to the same position in self")
            gs = _pad_to(gs, ctx.src_shape)
        return gx, None, gs

    @staticmethod
    def backward_arrays(ctx, g):
        if ctx.reduce != "prod":
            res = ScatterReduce.backward(ctx, _make(g))
            return tuple(None if r is None else r._data for r in res)
        x, idx, src, out = (t._data for t in ctx.saved_tensors)
        # d result / d member = the product of the other members of its group: result / v
        # without zeros, the product of the non-zero members for a lone zero, else 0.
        xp = _gam(g)
        dt = g.dtype
        dim, incl = ctx.dim, ctx.include_self
        x1, o1, g1 = _atleast1(x), _atleast1(out), _atleast1(g)
        i1 = _atleast1(idx)
        pos = _along(xp, i1, dim)
        sp = _prefix(_atleast1(src), i1.shape)
        if incl:
            zc = (x1 == 0).astype(dt)
            pnz = xp.where(x1 == 0, 1, x1).astype(dt)
        else:
            zc = xp.zeros(x1.shape, dt)
            pnz = xp.ones(x1.shape, dt)
        backend.scatter_add(xp, zc, pos, (sp == 0).astype(dt))
        backend.scatter_reduce(xp, "multiply", pnz, pos, xp.where(sp == 0, 1, sp).astype(dt))

        def factor(v, zc_v, res_v, pnz_v):
            safe = xp.where(v == 0, 1, v)
            return xp.where(zc_v == 0, res_v / safe, xp.where((zc_v == 1) & (v == 0), pnz_v, 0))

        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            if incl:
                fx = factor(x1, zc, o1, pnz)
            else:  # self is only kept where nothing was scattered
                fx = xp.ones(x1.shape, dt)
                fx[pos] = 0
            gx = (g1 * fx).astype(dt).reshape(g.shape)
        if need[2]:
            val = (g1[pos] * factor(sp, zc[pos], o1[pos], pnz[pos])).astype(dt)
            full = xp.zeros(_atleast1(src).shape, dt)
            full[tuple(slice(0, s) for s in val.shape)] = val
            gs = full.reshape(src.shape)
        return gx, None, gs


class _DoubleBackwardError(ArrayFunction):
    """Identity whose backward raises ``message``: PyTorch's DelayedError, for a gradient
    that is right once but has no derivative of its own."""

    node_name = "Error"

    @staticmethod
    def forward(ctx, x, message=""):
        ctx.message = message
        return x.view()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.message)


def _zero_region_along(arr, idx, dim):
    xp = _gam(arr)
    out = _atleast1(arr.copy())
    out[_along(xp, _atleast1(idx), dim)] = 0
    return out.reshape(arr.shape)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``torch.scatter_reduce``: reduce ('sum', 'prod', 'mean', 'amax', 'amin') the src
    values at ``index`` along ``dim`` into a copy of input (with input's own value unless
    ``include_self=False``). Integer 'mean' rounds down, as in PyTorch."""
    if reduce not in _REDUCE_OPS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d = _check_gather_scatter("scatter_reduce", input, dim, index, src)
    _check_src_dtype("scatter_reduce", input, src)
    return ScatterReduce.apply(input, index, src, dim=d, reduce=reduce,
                               include_self=bool(include_self))


# ---------------------------------------------------------------------------------------
# index_select / index_add / index_copy / index_fill

def _dim_key(dim, idx):
    return (_SL,) * dim + (idx,)


def _check_dim_index(fname, input, dim, index, ok_dtypes, dtype_err, ndim_err):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype.name not in ok_dtypes:
        raise dtype_err()
    if index._data.ndim > 1:
        raise ndim_err()
    return _wrap_dim(dim, input._data.ndim)


class IndexSelect(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, dim=0):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(idx)
        out = _gam(x).take(_atleast1(x), idx.reshape(-1), axis=dim)
        return out.reshape(()) if x.ndim == 0 else out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        zeros = _make(_gam(g._data).zeros(ctx.shape, g._data.dtype))
        return IndexAdd.apply(zeros, idx, g, dim=ctx.dim), None


def index_select(input, dim, index, *, out=None):
    """``torch.index_select``: the slices ``index`` (1-D int64/int32) along ``dim``."""
    from .pointwise import _out
    d = _check_dim_index(
        "index_select", input, dim, index, ("int64", "int32"),
        lambda: RuntimeError("index_select(): Expected dtype int32 or int64 for index"),
        lambda: IndexError("index_select(): Index is supposed to be a vector"))
    if input._data.ndim == 0 and index._data.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{index._data.size} value(s)")
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError("index out of range in self"))
    return _out(IndexSelect.apply(input, index, dim=d), out)


class IndexAdd(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0, alpha=1):
        ctx.dim, ctx.alpha = dim, alpha
        ctx.save_for_backward(idx)
        out = x.copy()
        s = _atleast1(src)
        if alpha != 1:
            s = (s * alpha).astype(x.dtype)
        backend.scatter_add(_gam(x), _atleast1(out), _dim_key(dim, idx.reshape(-1)), s)
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gs = None
        if need[2]:
            gs = IndexSelect.apply(g, idx, dim=ctx.dim)
            if ctx.alpha != 1:
                gs = mul(gs, ctx.alpha)
        return (g if need[0] else None), None, gs


def _check_source(fname, input, dim, index, source, numel_err, shape_err):
    xs, ss = input._data.shape, source._data.shape
    ns = ss[dim] if ss else 1
    if index._data.size != ns:
        raise numel_err(index._data.size, ns)
    if max(len(xs), 1) != max(len(ss), 1) or any(
            a != b for i, (a, b) in enumerate(zip(xs, ss)) if i != dim):
        raise shape_err()


def index_add(input, dim, index, source, *, alpha=1):
    """``torch.index_add``: input with ``alpha * source`` added at ``index`` along ``dim``
    (repeated indices accumulate)."""
    d = _check_dim_index(
        "index_add_", input, dim, index, ("int64", "int32"),
        lambda: RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                             f"{_short(index)}"),
        lambda: IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                           f"{index._data.ndim} with type: {_short(index)} and size: "
                           f"{_fmt(index._data.shape)}"))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_short(input)}) and source ({_short(source)}) "
                           "must have the same scalar type")
    _check_source("index_add_", input, d, index, source,
                  lambda n, m: RuntimeError(f"index_add_(): Number of indices ({n}) should be "
                                            f"equal to source.size(dim): ({m}), for dim: {d}"),
                  lambda: RuntimeError("source tensor shape must match self tensor shape, "
                                       "excluding the specified dimension. Got self.shape = "
                                       f"{_fmt(input._data.shape)} source.shape = "
                                       f"{_fmt(source._data.shape)}"))
    n = input._data.shape[d] if input._data.ndim else 1
    # torch's kernel raises IndexError on 0-d/1-d inputs, RuntimeError on the others
    err = IndexError if input._data.ndim <= 1 else RuntimeError
    _bounds_error(index._data, n, lambda v: err(
        f"index {v} is out of bounds for dimension {d} with size {n}"))
    return IndexAdd.apply(input, index, source, dim=d, alpha=alpha)


class IndexFill(ArrayFunction):
    """index_fill with a number or a 0-d tensor value (which gets the summed gradient)."""

    @staticmethod
    def forward(ctx, x, idx, v, dim=0):
        ctx.dim = dim
        ctx.save_for_backward(idx)
        out = x.copy()
        if not backend.is_array(v):
            v = _scalar_array(_gam(x), v, x.dtype)
        _atleast1(out)[_dim_key(dim, idx.reshape(-1))] = v
        return out

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum as _sum
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = IndexFill.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gv = None
        if len(need) > 2 and need[2]:
            gv = _sum(IndexSelect.apply(g, idx, dim=ctx.dim))
        return gx, None, gv


def index_fill(input, dim, index, value):
    """``torch.index_fill``: the slices ``index`` (int64, may be negative) along ``dim`` set
    to ``value`` (a number or a 0-d tensor)."""
    from .pointwise import _to_dtype
    d = _check_dim_index(
        "index_fill_", input, dim, index, ("int64",),
        lambda: IndexError("index_fill_(): Expected dtype int64 for index."),
        lambda: RuntimeError("Index has to be a vector/scalar"))
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        value = _to_dtype(value, input.dtype)
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError(
        f"index {v} is out of bounds for dimension {d} with size {n}"), negative_ok=True)
    return IndexFill.apply(input, index, value, dim=d)


class IndexCopy(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0):
        ctx.dim = dim
        ctx.save_for_backward(idx)
        out = x.copy()
        _atleast1(out)[_dim_key(dim, idx.reshape(-1))] = _atleast1(src)
        return out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = IndexFill.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gs = IndexSelect.apply(g, idx, dim=ctx.dim) if need[2] else None
        return gx, None, gs


def index_copy(input, dim, index, source):
    """``torch.index_copy``: the slices ``index`` (int64) along ``dim`` replaced by
    ``source`` (the last of repeated indices wins)."""
    d = _check_dim_index(
        "index_copy_", input, dim, index, ("int64",),
        lambda: RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                             f"{_short(index)}"),
        lambda: IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                           f"{index._data.ndim})"))
    if source._data.dtype != input._data.dtype and not _casting_active():
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_short(input)} and (source) {_short(source)}")
    _check_source("index_copy_", input, d, index, source,
                  lambda n, m: IndexError(f"index_copy_(): Number of indices ({n}) should be "
                                          f"equal to source.size(dim) ({m})"),
                  lambda: RuntimeError("index_copy_(): Source/destination tensor must have "
                                       "same slice shapes. Got self.shape = "
                                       f"{_fmt(input._data.shape)} source.shape = "
                                       f"{_fmt(source._data.shape)} for dim {d}."))
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError(
        f"index_copy_(): index {v} is out of bounds for dimension {d} with size {n}"))
    return IndexCopy.apply(input, index, source, dim=d)
