"""Normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm and normalize (``torch.nn.functional``).

Batch, instance, layer, group and RMS norm are one fused Function, ``Normalize``: the input
is viewed as ``view`` (e.g. ``(N, C, H*W)`` for batch norm, ``(N, G, C/G, H*W)`` for group
norm), statistics are taken over ``axes`` of that view and the affine weight/bias broadcast
as ``affine``. Its ``backward`` is written with ember ops, recomputing the statistics from
the saved input, so double backward works; ``backward_arrays`` is the same gradient on
arrays, the fast path the engine takes when no graph of the backward is built.
float16/bfloat16 inputs are computed in float32 and the result rounded back, as PyTorch
does.

On the host, work is arranged for NumPy's loops: per-channel passes of batch norm run as
long rows (``_by_channel``), and where every row of the view has its own statistics (all
but batch norm) a large view runs as two halves on two threads (``_split_rows``), forward
and backward, with the same bits for the output and the input gradient.

Running statistics follow PyTorch: ``running = (1 - momentum) * running + momentum * stat``
with the biased variance used to normalize and the unbiased one (``n / (n - 1)``) stored;
an empty batch leaves them unchanged. Argument checks and error messages are PyTorch's.
"""
import numbers

from .. import backend
from .._dtype import NP_TO_DTYPE, float32 as _float32
from .._dtype import FLOATING_NP, compute_dtype  # half types are normalized in float32
from .._tensor import _make, _wrap_dim
from ..autograd.function import ArrayFunction
from ..autograd.dispatch import composite
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from ._common import count as _count
from ._host_threads import HOST_THREADS_MIN, in_two_threads, summed, two_threads_ok

_gam = backend.get_array_module
_F32 = _float32.np


def _as_compute(a, dt):
    return a if a.dtype == dt else a.astype(dt)


_LETTERS = "abcdefghij"


def _spec(ndim, axes):
    ins = _LETTERS[:ndim]
    return ins, "".join(c for i, c in enumerate(ins) if i not in axes)


def _kept(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _rsum(xp, a, axes):
    """Sum over ``axes`` keeping them as size 1 (einsum: one pass, no temporary)."""
    ins, out = _spec(a.ndim, axes)
    return xp.einsum(f"{ins}->{out}", a).reshape(_kept(a.shape, axes))


def _rdot(xp, a, b, axes):
    """Sum of ``a * b`` over ``axes`` (ascending), keeping them as size 1, without forming
    ``a * b``: a BLAS dot per row over the trailing reduced axes (``backend.vecdot``, ~2.5x
    the two-operand einsum), rows cut into power-of-two chunks of at most ``_DOT_MAX_ROW``;
    the einsum when no reduced axis is trailing or the rows are short."""
    nd = a.ndim
    k = 0
    while k < len(axes) and axes[len(axes) - 1 - k] == nd - 1 - k:
        k += 1
    row = _prod(a.shape[nd - k:]) if k else 0
    if row < _DOT_MIN_ROW:
        ins, out = _spec(nd, axes)
        return xp.einsum(f"{ins},{ins}->{out}", a, b).reshape(_kept(a.shape, axes))
    chunk = min(row & -row, _DOT_MAX_ROW) if row > _DOT_MAX_ROW else row
    if chunk < _DOT_MIN_CHUNK:
        chunk = row
    rows = a.shape[:nd - k] + (row // chunk, chunk)
    s = backend.vecdot(xp, a.reshape(rows), b.reshape(rows))
    s = s.sum(axis=tuple(ax for ax in axes if ax < nd - k) + (nd - k,))
    return s.reshape(_kept(a.shape, axes))


# _rdot's rows: shorter ones go through einsum (a BLAS call per row of 64 costs more than
# the einsum: 0.071 against 0.057 ms for 64x64x64); longer ones are cut so that one dot
# stays on one thread and in cache (4x16 rows of 50176: 0.47 ms in 1024-chunks, 0.71 whole).
_DOT_MIN_ROW = 256
_DOT_MAX_ROW = 8192
_DOT_MIN_CHUNK = 1024
# Batch statistics come from one read for the sum and one for the sum of squares,
# var = E[x^2] - mean^2; that formula loses digits when mean^2 >> var, so where any group
# has mean^2 > _STABLE_RATIO * var the variance is recomputed from x - mean (two-pass).
# At the ratio 8 the cancellation costs at most ~3 bits of the float32 sums.
_STABLE_RATIO = 8.0


# A per-channel vector (1, C, 1) against a batch-norm view (N, C, L) runs as N*C inner
# loops of L elements, ~2x the time of the same pass as one long loop (16x64x1024 float32:
# 216 against 99 us; 16x512x16: 51 against 13). From this batch size on, ``_by_channel``
# repeats the vector along L once (1/N of a pass) and runs (N, C*L) against (1, C*L).
_EXPAND_MIN_N = 4


def _by_channel(xp, op, a, v, out=None):
    """``op(a, v, out=out)`` for a view ``a`` and a vector ``v`` broadcast over it; for a
    C-contiguous (N, C, L) ``a`` with at least _EXPAND_MIN_N samples and a (1, C, 1) ``v``,
    computed as (N, C*L) against ``v`` repeated along L (the same values, in long loops)."""
    if a.ndim == 3 and getattr(v, "ndim", 0) == 3 and v.shape[0] == 1 and v.shape[2] == 1:
        N, C, L = a.shape
        if N >= _EXPAND_MIN_N and L > 1 and v.shape[1] == C and a.flags.c_contiguous and (
                out is None or out.flags.c_contiguous):
            rows = xp.empty((C, L), v.dtype)
            rows[...] = v.reshape(C, 1)
            y = op(a.reshape(N, C * L), rows.reshape(1, C * L),
                   out=None if out is None else out.reshape(N, C * L))
            return y.reshape(N, C, L)
    return op(a, v, out=out)


def _batch_stats(xp, xv, axes, n, center):
    """(mean or None, biased var, x - mean or None) over ``axes`` of ``xv``; the centered
    array only where the two-pass formula was needed (see ``_STABLE_RATIO``)."""
    sq = _rdot(xp, xv, xv, axes)
    if not center:
        return None, sq / n, None
    mean = _rsum(xp, xv, axes) / n
    var = sq / n
    m2 = mean * mean
    var -= m2
    if bool((m2 <= var * _STABLE_RATIO).all()):
        return mean, xp.maximum(var, 0.0, out=var), None
    xc = xv - mean
    return mean, _rdot(xp, xc, xc, axes) / n, xc


def _split_rows(xv, axes, affine):
    """Whether the normalization of view ``xv`` runs as two halves of its first axis on
    two threads: statistics and weight are per row there (layer, group, instance and RMS
    norm; not batch norm, whose statistics span the batch), the view is a large host
    array, and a second core is free (``ops/_host_threads``)."""
    return (0 not in axes and affine[0] == 1 and xv.shape[0] >= 2
            and two_threads_ok(xv, xv.size, HOST_THREADS_MIN))


def _normalized(xp, xv, own, w, b, axes, affine, eps, center, n, stats, out=None):
    """(y, mean, var, invstd, stable) of the normalization of view ``xv`` (``own``: a copy
    ours to overwrite) over ``axes`` with statistics of ``n`` elements, or the given
    ``stats``; y is written into ``out`` when given. ``stable``: no centered array was
    needed (see ``_batch_stats``)."""
    mean = var = xc = None
    if stats is None:
        mean, var, xc = _batch_stats(xp, xv, axes, n, center)
        invstd = 1.0 / xp.sqrt(var + eps)
        smean = mean
    else:
        smean, invstd = stats
    target = out if out is not None else (xv if own else None)
    if _inner_axes(axes, affine):
        # batch/instance/group norm: one scale and shift per (sample/group, channel),
        # y = x * scale + shift in two passes
        scale = invstd if w is None else invstd * w
        if xc is not None:
            y = _by_channel(xp, xp.multiply, xc, scale, out=xc if out is None else out)
            shift = b
        else:
            y = _by_channel(xp, xp.multiply, xv, scale, out=target)
            shift = b if smean is None else (
                -smean * scale if b is None else b - smean * scale)
        if shift is not None:
            _by_channel(xp, xp.add, y, shift, out=y)
    else:
        # layer/RMS norm: the weight varies along the statistics axes
        if xc is None and smean is not None:
            xc = xp.subtract(xv, smean, out=target)
        if xc is not None:
            y = xp.multiply(xc, invstd, out=xc if out is None else out)
        else:
            y = xp.multiply(xv, invstd, out=target)
        if w is not None:
            y *= w
        if b is not None:
            y += b
    return y, mean, var, invstd, xc is None


class Normalize(ArrayFunction):
    """``y = (x - mean) * invstd * weight + bias`` over a view of ``x``.

    Keyword options: ``view`` (the shape x is viewed as), ``axes`` (axes of the view the
    statistics reduce over), ``affine`` (the shape weight and bias are viewed as), ``eps``,
    ``center`` (False: RMS norm, no mean subtracted) and ``stats`` ((mean, invstd) arrays
    broadcastable to ``view``: normalize with given statistics, e.g. running ones).
    Outputs: ``(y, mean, var)``; mean and biased var are in the compute dtype with the
    reduced axes kept (None for given statistics), and are not differentiable.
    """

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, weight, bias, view=None, axes=None, affine=None, eps=1e-5,
                center=True, stats=None):
        xp = _gam(x)
        ct = compute_dtype(x.dtype)
        xr = x.reshape(view)
        xv = _as_compute(xr, ct)
        own = xv is not xr                  # a converted copy: ours to overwrite
        w = None if weight is None else _as_compute(weight, ct).reshape(affine)
        b = None if bias is None else _as_compute(bias, ct).reshape(affine)
        opts = (axes, affine, eps, center, _count(view, axes))
        if stats is None and _split_rows(xv, axes, affine):
            y = xp.empty(view, ct)
            parts = in_two_threads(lambda lo, hi: _normalized(
                xp, xv[lo:hi], own, w, b, *opts, None, y[lo:hi]), view[0], True)
            mean, var, invstd = (None if parts[0][i] is None else
                                 xp.concatenate([q[i] for q in parts]) for i in (1, 2, 3))
            stable = all(q[4] for q in parts)
        else:
            y, mean, var, invstd, stable = _normalized(xp, xv, own, w, b, *opts, stats)
        ctx.save_for_backward(x, weight)
        ctx.opts = (view, axes, affine, eps, center, stats)
        ctx.mean, ctx.invstd = mean, invstd
        ctx.stable = stable                 # backward may use sum(g*x) - mean*sum(g)
        return y.reshape(x.shape).astype(x.dtype, copy=False), mean, var

    @staticmethod
    def backward(ctx, g, _gmean=None, _gvar=None):
        x, weight = ctx.saved_tensors
        return _backward_graph(ctx, x, weight, g)

    @staticmethod
    def backward_arrays(ctx, g, _gmean=None, _gvar=None):
        x, weight = ctx.saved_tensors
        return _backward_arrays(ctx, x, weight, _make(g))


def _axes_off_affine(affine):
    """Axes of the view that weight/bias are broadcast along (reduced for their gradients)."""
    return tuple(i for i, s in enumerate(affine) if s == 1)


def _inner_axes(axes, affine):
    """Statistics axes along which the weight is constant too (all of them for batch and
    instance norm, the spatial one for group norm, none for layer norm)."""
    return tuple(a for a in axes if affine[a] == 1)


def _backward_arrays(ctx, x, weight, g):
    """The gradients on raw arrays (``backward_arrays``: no graph of the backward wanted,
    the common, fast path); returns arrays.

    With xhat = (x - mean) * invstd and gxhat = g * weight, PyTorch's formulas:
    gx = invstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat)) (statistics' means over
    ``axes``; only ``gxhat * invstd`` for given statistics), gw = sum(g * xhat),
    gb = sum(g) over the axes weight is broadcast along. Where the forward's rows are
    independent (``_split_rows``) the two halves run on two threads, their sums for gw and
    gb added.
    """
    view, axes, affine, eps, center, stats = ctx.opts
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    ct = compute_dtype(x._data.dtype)
    xr = x._data.reshape(view)
    xv = _as_compute(xr, ct)
    own = xv is not xr                      # a converted copy: ours to overwrite
    gv = _as_compute(g._data.reshape(view), ct)
    xp = _gam(gv)
    mean, invstd = (ctx.mean, ctx.invstd) if stats is None else stats
    w = None if weight is None else _as_compute(weight._data, ct).reshape(affine)
    # gx is written into a fresh array of the input's shape (the engine keeps it as .grad)
    gx_full = xp.empty(x._data.shape, ct) if need_x else None
    gx = None if gx_full is None else gx_full.reshape(view)
    opts = (w, stats, ctx.stable, axes, affine, center, _count(view, axes), need_w, need_b)
    if stats is None and _split_rows(xv, axes, affine):
        parts = in_two_threads(lambda lo, hi: _grads(
            xp, xv[lo:hi], own, gv[lo:hi], None if gx is None else gx[lo:hi],
            None if mean is None else mean[lo:hi], invstd[lo:hi], *opts), view[0], True)
        gw, gb = (None if parts[0][i] is None else summed(xp, [q[i] for q in parts])
                  for i in (0, 1))
    else:
        gw, gb = _grads(xp, xv, own, gv, gx, mean, invstd, *opts)
    return (gx_full, None if gw is None else gw.reshape(weight.shape),
            None if gb is None else gb.reshape(ctx._in_meta[2][0]))


def _grads(xp, xv, own, gv, gx, mean, invstd, w, stats, stable, axes, affine, center, n,
           need_w, need_b):
    """Write the input gradient into ``gx`` (when not None) for view ``xv``, gradient
    ``gv`` and the forward's statistics; returns the weight and bias gradients (or None)
    as sums with the weight's axes kept (``_backward_arrays``' formulas)."""
    red = _axes_off_affine(affine)
    gw = gb = None
    inner = _inner_axes(axes, affine)
    if inner:
        # batch/instance/group norm: sums of g and g * x over the axes where weight and
        # invstd are both constant give every gradient; weight enters per (group, channel).
        # sum(g * (x - mean)) = sum(g * x) - mean * sum(g) where the forward found mean^2
        # small against var (no centered array kept), from x - mean otherwise.
        outer = tuple(a for a in axes if a not in inner)
        rest = tuple(a for a in red if a not in inner)
        sg = _rsum(xp, gv, inner)
        if mean is None:
            sgx = _rdot(xp, gv, xv, inner)
        elif stats is None and stable:
            sgx = _rdot(xp, gv, xv, inner)
            sgx -= mean * sg
        else:
            sgx = _rdot(xp, gv, xv - mean, inner)
        sgx *= invstd
        if need_w:
            gw = sgx.sum(axis=rest, keepdims=True) if rest else sgx
        if need_b:
            gb = sg.sum(axis=rest, keepdims=True) if rest else sg
        if gx is not None:
            # gx = g * scale - x * k + shift, k and shift per (group, channel)
            scale = invstd if w is None else invstd * w
            _by_channel(xp, xp.multiply, gv, scale, out=gx)
            if stats is None:
                def group_mean(a):
                    a = a if w is None else a * w
                    return (a.sum(axis=outer, keepdims=True) if outer else a) / n
                k = invstd * invstd * group_mean(sgx)
                gx -= _by_channel(xp, xp.multiply, xv, k, out=xv if own else None)
                shift = None if mean is None else k * mean
                if center:
                    c = invstd * group_mean(sg)
                    shift = -c if shift is None else shift - c
                if shift is not None:
                    _by_channel(xp, xp.add, gx, shift, out=gx)
    else:
        # layer/RMS norm: the weight varies along the statistics axes
        if mean is not None:
            xhat = xv - mean
            xhat *= invstd
        else:
            xhat = xv * invstd
        if need_w:
            gw = _rdot(xp, gv, xhat, red)
        if need_b:
            gb = _rsum(xp, gv, red)
        if gx is not None:
            if w is not None:
                xp.multiply(gv, w, out=gx)
            else:
                gx[...] = gv
            if stats is None:
                m2 = _rdot(xp, gx, xhat, axes) / n
                m1 = _rsum(xp, gx, axes) / n if center else None
                xhat *= m2
                gx -= xhat
                if m1 is not None:
                    gx -= m1
            gx *= invstd
    return gw, gb


def _backward_graph(ctx, x, weight, g):
    """The same gradients written with ember ops (create_graph=True: double backward)."""
    view, axes, affine, eps, center, stats = ctx.opts
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    ct = compute_dtype(x._data.dtype)
    xv = _pw._to_dtype(_sh.reshape(x, view), NP_TO_DTYPE[ct])
    gv = _pw._to_dtype(_sh.reshape(g, view), NP_TO_DTYPE[ct])
    if stats is None:
        xc = _pw.sub(xv, _red.mean(xv, axes, keepdim=True)) if center else xv
        var = _red.mean(_pw.mul(xc, xc), axes, keepdim=True)
        invstd = _pw.rsqrt(_pw.add(var, eps))
    else:
        xc = _pw.sub(xv, _make(stats[0])) if stats[0] is not None else xv
        invstd = _make(stats[1])
    xhat = _pw.mul(xc, invstd)
    red = _axes_off_affine(affine)
    gx = gw = gb = None
    if need_w:
        gw = _sh.reshape(_red.sum(_pw.mul(gv, xhat), red, keepdim=True), weight.shape)
    if need_b:
        gb = _sh.reshape(_red.sum(gv, red, keepdim=True), ctx._in_meta[2][0])
    if need_x:
        gxhat = gv if weight is None else _pw.mul(
            gv, _sh.reshape(_pw._to_dtype(weight, NP_TO_DTYPE[ct]), affine))
        if stats is None:
            inner = _pw.sub(gxhat, _pw.mul(xhat, _red.mean(_pw.mul(gxhat, xhat), axes,
                                                            keepdim=True)))
            if center:
                inner = _pw.sub(inner, _red.mean(gxhat, axes, keepdim=True))
            gx = _pw.mul(inner, invstd)
        else:
            gx = _pw.mul(gxhat, invstd)
        gx = _sh.reshape(gx, x._data.shape)
    return gx, gw, gb


class BatchNormFn(Normalize):
    node_name = "NativeBatchNormBackward0"


class LayerNormFn(Normalize):
    node_name = "NativeLayerNormBackward0"


class GroupNormFn(Normalize):
    node_name = "NativeGroupNormBackward0"


class RMSNormFn(Normalize):
    node_name = "RmsNormBackward0"


# ---------------------------------------------------------------------------------------
# argument checks shared by the functional forms

def _check_float(input, name):
    dt = input._data.dtype
    if dt not in FLOATING_NP:
        from .pointwise import _INT_NAMES
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{_INT_NAMES.get(dt.name, dt.name.capitalize())}'")


def _check_numel(name, t, n):
    if t is not None and t._data.size != n:
        raise RuntimeError(f"{name} should contain {n} elements not {t._data.size}")


def _prod(seq):
    n = 1
    for s in seq:
        n *= s
    return n


def _verify_batch_size(size):
    if size[0] * _prod(size[2:]) == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {size}")


def _verify_spatial_size(size):
    if _prod(size[2:]) == 1:
        raise ValueError("Expected more than 1 spatial element when training, got input "
                         f"size {size}")


def _update_running(running, stat, momentum):
    """running = (1 - momentum) * running + momentum * stat, in place (no autograd)."""
    if running is None:
        return
    d = running._data
    d *= 1.0 - momentum
    d += (momentum * stat.reshape(d.shape)).astype(d.dtype, copy=False)
    vc = running._vc
    if vc is not None:
        vc[0] += 1


def _unbiased(var, n):
    return var * (n / (n - 1)) if n > 1 else var * float("nan")


def _running_stats(running_mean, running_var, eps, shape, ct):
    """(mean, invstd) arrays for normalizing with running statistics."""
    mean = None if running_mean is None else _as_compute(running_mean._data, ct).reshape(shape)
    var = _as_compute(running_var._data, ct).reshape(shape)
    return mean, 1.0 / _gam(var).sqrt(var + eps)


# ---------------------------------------------------------------------------------------
# functional forms

@composite("batch_norm")
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """``F.batch_norm``: statistics per channel (dim 1) over the batch and spatial dims.

    With ``training`` the batch statistics normalize the input and update the running
    buffers in place (when given); otherwise the running buffers are used.
    """
    if not isinstance(momentum, numbers.Real):
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not "
                        f"{type(momentum).__name__}")
    shape = tuple(input.shape)
    if training:
        _verify_batch_size(shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _wrap_dim(1, len(shape))
    _check_float(input, "batch_norm")
    c = shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_numel(name, t, c)
    view = (shape[0], c, _prod(shape[2:]))
    opts = dict(view=view, axes=(0, 2), affine=(1, c, 1), eps=eps)
    if training:
        y, mean, var = BatchNormFn.apply(input, weight, bias, **opts)
        if input._data.size:
            n = view[0] * view[2]
            _update_running(running_mean, mean._data, momentum)
            _update_running(running_var, _unbiased(var._data, n), momentum)
        return y
    if running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    stats = _running_stats(running_mean, running_var, eps, (1, c, 1),
                           compute_dtype(input._data.dtype))
    return BatchNormFn.apply(input, weight, bias, stats=stats, **opts)[0]


@composite("instance_norm")
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """``F.instance_norm``: statistics per sample and channel over the spatial dims.

    Running buffers (per channel) are updated with the batch average of the per-instance
    statistics, as PyTorch does.
    """
    shape = tuple(input.shape)
    if use_input_stats:
        _verify_spatial_size(shape)
    _wrap_dim(1, len(shape))
    _check_float(input, "batch_norm")
    n, c = shape[0], shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {n * c} elements not "
                               f"{t._data.size * n}")
    view = (n, c, _prod(shape[2:]))
    opts = dict(view=view, axes=(2,), affine=(1, c, 1), eps=eps)
    if use_input_stats:
        y, mean, var = BatchNormFn.apply(input, weight, bias, **opts)
        if input._data.size:
            _update_running(running_mean, mean._data.mean(axis=0), momentum)
            _update_running(running_var, _unbiased(var._data, view[2]).mean(axis=0), momentum)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    stats = _running_stats(running_mean, running_var, eps, (1, c, 1),
                           compute_dtype(input._data.dtype))
    return BatchNormFn.apply(input, weight, bias, stats=stats, **opts)[0]


def _normalized_shape(normalized_shape, name):
    if isinstance(normalized_shape, numbers.Integral) and not isinstance(normalized_shape, bool):
        raise TypeError(f"{name}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, ns, weight, bias):
    shape = tuple(input.shape)
    k = len(ns)
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{''.join(', ' + str(s) for s in ns)}], but got input of size"
                           f"{list(shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(ns)}")
    inner = _prod(ns)
    return dict(view=(_prod(shape[:len(shape) - k]), inner), axes=(1,), affine=(1, inner))


@composite("layer_norm")
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """``F.layer_norm``: statistics over the trailing ``normalized_shape`` dims."""
    ns = _normalized_shape(normalized_shape, "layer_norm")
    _check_float(input, "LayerNormKernelImpl")
    opts = _check_normalized(input, ns, weight, bias)
    return LayerNormFn.apply(input, weight, bias, eps=eps, **opts)[0]


_MACHINE_EPS = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23,
                "float64": 2.0 ** -52}   # torch.finfo(dtype).eps


@composite("rms_norm")
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``F.rms_norm``: ``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims;
    ``eps=None`` is ``finfo(input.dtype).eps``."""
    ns = _normalized_shape(normalized_shape, "rms_norm")
    _check_float(input, "rms_norm")
    opts = _check_normalized(input, ns, weight, None)
    if eps is None:
        eps = _MACHINE_EPS[input._data.dtype.name]
    return RMSNormFn.apply(input, weight, None, eps=eps, center=False, **opts)[0]


@composite("group_norm")
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """``F.group_norm``: statistics per sample over groups of ``C / num_groups`` channels."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{len(shape)}")
    n, c = shape[0], shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(shape)} and num_groups="
                           f"{num_groups}")
    _verify_batch_size([n * c // num_groups, num_groups] + list(shape[2:]))
    _check_float(input, "group_norm")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} "
                               f"and input of shape {list(shape)}")
    g = num_groups
    view = (n, g, c // g, _prod(shape[2:]))
    return GroupNormFn.apply(input, weight, bias, view=view, axes=(2, 3),
                             affine=(1, g, c // g, 1), eps=eps)[0]


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """``F.local_response_norm``: ``x / (k + alpha / size * sum of x^2 over a window of
    size channels) ** beta``, the window zero-padded at the channel ends (PyTorch's)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = _pw.mul(input, input)
    # window sums along dim 1 from a cumulative sum with a zero row in front
    shape = tuple(input.shape)
    before, after = size // 2, (size - 1) // 2
    pad_shape = list(shape)
    from .creation import zeros
    parts = []
    for count in (before + 1, after):
        if count:
            pad_shape[1] = count
            parts.append(zeros(tuple(pad_shape), dtype=input.dtype, device=input.device))
    padded = _sh.cat([parts[0], sq] + parts[1:], dim=1)
    csum = _red.cumsum(padded, 1)
    c = shape[1]
    window = _pw.sub(_sh.narrow(csum, 1, size, c), _sh.narrow(csum, 1, 0, c))
    div = _pw.pow(_pw.add(_pw.mul(window, alpha / size), k), beta)
    return _pw.div(input, div)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``F.normalize``: ``input / max(norm_p(input, dim), eps)``."""
    denom = _pw.clamp_min(_red.norm(input, p, dim, keepdim=True), eps)
    res = _pw.div(input, _sh.expand_as(denom, input))
    return res if out is None else _pw._out(res, out)


__all__ = ["batch_norm", "instance_norm", "layer_norm", "rms_norm", "group_norm",
           "local_response_norm", "normalize"]
