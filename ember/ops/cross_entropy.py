"""``cross_entropy`` and ``nll_loss`` (``torch.nn.functional``): one fused Function each.

``ClassNLL`` serves class-index targets, ``SoftTargetCE`` class-probability targets:
log_softmax and the negative log likelihood in one pass; the backward is
``softmax - onehot`` scaled by weights, reduction, ignore_index and label smoothing,
written on arrays (``backward_arrays``, the engine's path without create_graph) and with
ember ops (``backward``, the differentiable definition, so double backward works).
float16/bfloat16 inputs are computed in float32 and the result rounded back.
"""

from .. import backend
from .._dtype import result_type, uint8, float32
from .._dtype import compute_dtype
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from .indexing import _short
from ._common import (fmt_shape as _fmt, up_t as _up_t)
from ._host_threads import by_rows
from ._loss_args import (_I64, _MEAN, _as, _cast, _is_float, _named, _no_grad_arg,
                         _reduction, _require_float)

_gam = backend.get_array_module
_F32 = float32.np


# ---------------------------------------------------------------------------------------
# cross entropy and nll: fused

def _target_index(xp, shape, t):
    """Flat indices of ``arr[n, t[n, *s], *s]`` in a C-contiguous array of ``shape``
    (N, C, *S), shaped like ``t`` (flat indexing is ~2x faster than a tuple of arrays)."""
    n, c = shape[0], shape[1]
    if len(shape) == 2:
        return (xp.arange(0, n * c, c) if c else xp.zeros(n, t.dtype)) + t
    inner = 1
    for d in shape[2:]:
        inner *= d
    base = (xp.arange(n) * (c * inner))[:, None] + xp.arange(inner)
    return base.reshape(t.shape) + t * inner


def _class_axis(a):
    """A per-sample array/Tensor (N, *S) broadcastable along the class axis: (N, 1, *S)."""
    if isinstance(a, Tensor):
        return _sh.unsqueeze(a, 1) if a._data.ndim else a
    return a[:, None] if a.ndim else a


def _weight_view(w, ndim):
    """A class weight (C,) viewed as (1, C, 1, ...) for an input of ``ndim`` dims."""
    shape = (1, -1) + (1,) * (ndim - 2)
    return _sh.reshape(w, shape) if isinstance(w, Tensor) else w.reshape(shape)


def _ones(xp, n, dtype, like):
    """A cached vector of ones (the class-sum matvec's right-hand side; never written)."""
    key = (xp, n, dtype, str(getattr(like, "device", "")))
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[key] = xp.ones(n, dtype)
    return v


_ONES = {}


def _class_sum(xp, a, w=None):
    """Sum over the class axis of ``a`` (N, C, *S), weighted by ``w`` (C,) if given, kept as
    size 1. For 2-D inputs a matrix-vector product: ~3x faster than a short-row reduce
    (through ember's BLAS thread policy, as every product: a (700, 10000) matvec is large
    enough for all threads on a quiet machine, one while another process holds a core)."""
    if a.ndim == 2:
        v = _ones(xp, a.shape[1], a.dtype, a) if w is None else w
        return backend.matmul(xp, a, v)[:, None]
    if w is not None:
        a = a * _weight_view(w, a.ndim)
    return a.sum(axis=1, keepdims=True)


def _exp(xp, z):
    """``xp.exp(z)`` as a fresh array; a large host array is split by rows across two
    threads on a quiet machine (``_host_threads``: the exp over lstm_lm's 700 x 10000
    scores is ~14-19 ms on one core, the largest non-GEMM cost of that step)."""
    return by_rows(xp.exp, xp.empty(z.shape, z.dtype), z)


def _exp_shifted(xp, x, w=False):
    """(e, s, logs, shift, zs): e = exp(x - shift) (a fresh C-contiguous array), s its class
    sums (N, 1, *S), logs = log(s) and shift (0.0 or an array), both (N, *S), so that
    logsumexp = logs + shift, and unless ``w`` is False zs = sum_c w_c (x_c - shift)
    (N, 1, *S) (w None: unweighted).

    First tried without a shift (saves a pass and a reduce over the input); if some class
    sum is outside 1e-30..1e30 (float32; logits beyond about +-69, where it could overflow
    or lose precision), it is redone with the per-row max as the shift, as a textbook
    log_softmax does."""
    shift = None
    while True:
        z = x if shift is None else x - shift
        e = _exp(xp, z)
        if not e.flags.c_contiguous:   # backward writes through e.reshape(-1)
            e = xp.ascontiguousarray(e)
        s = _class_sum(xp, e)
        logs = xp.log(s[:, 0])
        if shift is not None or not logs.size or (
                xp.abs(logs).max() < _LOG_RANGE[x.dtype.itemsize]):
            zs = _class_sum(xp, z, w) if w is not False else None
            return e, s, logs, (0.0 if shift is None else shift[:, 0]), zs
        shift = x.max(axis=1, keepdims=True)


# |log(class sum)| trusted without a shift, by itemsize (float32: sums in 1e-30 .. 1e30)
_LOG_RANGE = {4: 69.0, 8: 660.0}


def _checked_targets(xp, target, n_cls, ignore_index):
    """(targets with ignored entries set to 0, mask of the non-ignored or None if all are),
    with PyTorch's IndexError for a target out of [0, n_cls)."""
    if not target.size:
        return target, None
    # one reduction in the common case: negative targets are huge when viewed unsigned
    unsigned = _U64 if target.dtype.itemsize == 8 else target.dtype
    if not 0 <= ignore_index < n_cls and int(target.view(unsigned).max()) < n_cls:
        return target, None
    valid = target != ignore_index
    if bool(valid.all()):
        t, valid = target, None
    else:
        t = xp.where(valid, target, 0).astype(target.dtype, copy=False)
    if int(t.view(unsigned).max()) >= n_cls:
        bad = t[(t < 0) | (t >= n_cls)].reshape(-1)[0]
        raise IndexError(f"Target {int(bad)} is out of bounds.")
    return t, valid


class ClassNLL(ArrayFunction):
    """Negative log likelihood of class-index targets, fused with log_softmax over dim 1
    (``cross_entropy``) or not (``nll_loss``); input (N, C, *S), target (N, *S).

    With weights w, valid = (target != ignore_index), wt = w[target] * valid and
    eps = label_smoothing, per sample: nll = lse - x[target] (or -x[target]) and
    smooth = sum_c w_c (lse - x_c); loss = (1-eps) wt nll + eps/C valid smooth.
    'mean' divides the sum by sum(wt) (nan when every target is ignored, as PyTorch).
    The gradient is (a p - (1-eps) wt onehot - eps/C valid w) scaled by the reduction, with
    p = softmax(x) and a = (1-eps) wt + eps/C valid sum(w).
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, reduction=_MEAN, ignore_index=-100, smoothing=0.0,
                log_softmax=True):
        xp = _gam(x)
        ct = compute_dtype(x.dtype)
        xc = _as(x, ct)
        n_cls = x.shape[1]
        t, valid = _checked_targets(xp, target, n_cls, ignore_index)
        all_valid = valid is None
        idx = _target_index(xp, x.shape, t)
        w = _as(weight, ct)
        if w is None:
            wt = None if all_valid else valid.astype(ct)
        else:
            wt = w[t] if all_valid else w[t] * valid
        total = (t.size if wt is None else wt.sum())
        xt = xc.reshape(-1)[idx]
        e = s = wsum = None
        if log_softmax:
            e, s, logs, shift, zs = _exp_shifted(xp, xc, w if smoothing > 0 else False)
            loss = logs + shift
            loss -= xt
        else:
            loss = -xt
        if wt is not None:
            loss *= wt
        if log_softmax and smoothing > 0:
            wsum = n_cls if w is None else w.sum()
            smooth = logs * wsum - zs[:, 0]
            if not all_valid:
                smooth *= valid
            loss *= 1.0 - smoothing
            loss += smooth * (smoothing / n_cls)
        elif not all_valid:
            loss = xp.where(valid, loss, 0).astype(ct, copy=False)
        if reduction == 0:
            out = loss
        else:
            out = loss.sum()
            if reduction == _MEAN:
                out = out / total
            out = xp.asarray(out)
        if ctx.needs_input_grad:      # recording (not the shared no-grad ctx)
            ctx.save_for_backward(x, weight)
            ctx.e, ctx.s, ctx.idx, ctx.wt, ctx.total = e, s, idx, wt, total
            ctx.valid = valid
            ctx.wsum = wsum
            ctx.opts = (reduction, smoothing, log_softmax)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        return _class_nll_graph(ctx, x, weight, g), None, None

    @staticmethod
    def backward_arrays(ctx, g):
        xd, wd = ctx.saved_arrays
        reduction, eps, log_softmax = ctx.opts
        xp = _gam(xd)
        ct = compute_dtype(xd.dtype)
        c = _as(g, ct)
        if reduction == _MEAN:
            c = c / ctx.total
        if ctx.valid is not None:   # ignored targets get exactly 0 (even when c is inf/nan)
            c = xp.where(ctx.valid, c, 0).astype(ct, copy=False)
        wt, idx = ctx.wt, ctx.idx
        r = c if wt is None else c * wt
        if not log_softmax:
            grad = xp.zeros(xd.shape, ct)
            grad.reshape(-1)[idx] = -r
            return grad, None, None
        e, s = ctx.e, ctx.s
        if e is None:      # a second backward (retain_graph): recompute the softmax parts
            e, s, _, _, _ = _exp_shifted(xp, _as(xd, ct))
        ctx.e = None       # the gradient is computed in place in e, which backward now owns
        if eps > 0:
            cv = c if ctx.valid is None else c * ctx.valid
            n_cls = xd.shape[1]
            a = r * (1.0 - eps) + cv * (ctx.wsum * (eps / n_cls))
            grad = e
            grad *= _class_axis(a) / s
            w = _as(wd, ct) if wd is not None else None
            k = _class_axis(cv * (eps / n_cls))
            grad -= k if w is None else k * _weight_view(w, xd.ndim)
            grad.reshape(-1)[idx] -= r * (1.0 - eps)
        else:
            grad = by_rows(xp.multiply, e, e, _class_axis(r) / s)
            grad.reshape(-1)[idx] -= r
        return grad, None, None


def _class_nll_graph(ctx, x, weight, g):
    """ClassNLL's input gradient built from ember ops (create_graph=True)."""
    reduction, eps, log_softmax = ctx.opts
    xd = x._data
    xp = _gam(xd)
    ct = compute_dtype(xd.dtype)
    onehot = xp.zeros(xd.shape, ct)
    onehot.reshape(-1)[ctx.idx] = 1
    onehot = _make(onehot)
    c = _up_t(g)
    if reduction == _MEAN:
        c = c / _make(xp.asarray(ctx.total, dtype=ct))
    if ctx.valid is not None:
        c = _pw.where(_make(ctx.valid), c, _make(xp.zeros((), ct)))
    wt = None if ctx.wt is None else _make(ctx.wt)
    r = c if wt is None else c * wt
    if not log_softmax:
        return -(onehot * _class_axis(r))
    xf = _up_t(x)
    p = _pw.exp(xf - _red.logsumexp(xf, 1, keepdim=True))
    if eps <= 0:
        return p * _class_axis(r) - onehot * _class_axis(r)
    n_cls = xd.shape[1]
    cv = c if ctx.valid is None else c * _make(ctx.valid.astype(ct))
    a = r * (1.0 - eps) + cv * (float(ctx.wsum) * eps / n_cls)
    grad = p * _class_axis(a) - onehot * _class_axis(r * (1.0 - eps))
    k = _class_axis(cv * (eps / n_cls))
    if weight is not None:     # (weight never requires grad: refused by the functional)
        k = k * _weight_view(_up_t(weight), xd.ndim)
    return grad - k


class SoftTargetCE(ArrayFunction):
    """Cross entropy with class-probability targets q (same shape as the input), fused:
    loss = -sum_c w_c q'_c log_softmax(x)_c with q' = (1-eps) q + eps/C; 'mean' divides by
    the number of samples N * prod(S), as PyTorch. Gradients for input, target and weight."""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, x, q, weight, reduction=_MEAN, smoothing=0.0):
        xp = _gam(x)
        ct = compute_dtype(x.dtype)
        xc, qc, w = _as(x, ct), _as(q, ct), _as(weight, ct)
        n_cls = x.shape[1]
        _, _, logs, shift, _ = _exp_shifted(xp, xc)
        logp = xc - _class_axis(logs + shift)
        if smoothing > 0:
            qc = qc * (1.0 - smoothing) + smoothing / n_cls
        wq = qc if w is None else qc * _weight_view(w, x.ndim)
        loss = -(wq * logp).sum(axis=1)
        if reduction == 0:
            out = loss
        else:
            out = loss.sum()
            if reduction == _MEAN:
                out = out / (x.size // n_cls) if x.size else out * xp.nan
            out = xp.asarray(out)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, q, weight)
            ctx.logp, ctx.qs, ctx.wq = logp, qc, wq
            ctx.opts = (reduction, smoothing)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, q, weight = ctx.saved_tensors
        reduction, eps = ctx.opts
        xd = x._data
        n_cls = xd.shape[1]
        count = xd.size // n_cls if xd.size else 1
        need = ctx.needs_input_grad
        xf = _up_t(x)
        logp = xf - _red.logsumexp(xf, 1, keepdim=True)
        qs = _up_t(q)
        if eps > 0:
            qs = qs * (1.0 - eps) + eps / n_cls
        wv = None if weight is None else _weight_view(_up_t(weight), xd.ndim)
        wq = qs if wv is None else qs * wv
        c = _up_t(g)
        if reduction == _MEAN:
            c = c / count
        c = _class_axis(c)
        gx = gq = gw = None
        if need[0]:
            gx = c * (_red.sum(wq, 1, keepdim=True) * _pw.exp(logp) - wq)
        if need[1]:
            gq = -(c * logp) * (1.0 - eps)
            if wv is not None:
                gq = gq * wv
        if need[2]:
            axes = tuple(i for i in range(xd.ndim) if i != 1)
            gw = -_red.sum(c * qs * logp, axes)
        return gx, gq, gw

    @staticmethod
    def backward_arrays(ctx, g):
        xd, _, wd = ctx.saved_arrays
        reduction, eps = ctx.opts
        n_cls = xd.shape[1]
        count = xd.size // n_cls if xd.size else 1
        need = ctx.needs_input_grad
        xp = _gam(xd)
        ct = compute_dtype(xd.dtype)
        logp, wq = ctx.logp, ctx.wq
        c = _as(g, ct)
        if reduction == _MEAN:
            c = c / count
        c = _class_axis(c)
        gx = gq = gw = None
        if need[0]:
            gx = xp.exp(logp)
            gx *= wq.sum(axis=1, keepdims=True)
            gx -= wq
            gx *= c
        if need[1]:
            gq = logp * (c * -(1.0 - eps))
            if wd is not None:
                gq *= _weight_view(_as(wd, ct), xd.ndim)
        if need[2]:
            axes = tuple(i for i in range(xd.ndim) if i != 1)
            gw = -(ctx.qs * logp * c).sum(axis=axes)
        return gx, gq, gw


_U8 = uint8.np
_U64 = "uint64"     # targets viewed unsigned for the bounds check
_LONG_OR_BYTE = (_I64, _U8)


def _check_long_or_byte(target):
    if target._data.dtype not in _LONG_OR_BYTE:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_short(target._data)}")


def _check_nll(input, target, weight, label="nll_loss_forward"):
    """PyTorch's nll_loss_nd checks (shared by nll_loss and cross_entropy)."""
    xs, ts = input._data.shape, target._data.shape
    nd = len(xs)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and xs[0] != (ts[0] if ts else 0):
        raise ValueError(f"Expected input batch_size ({xs[0]}) to match target batch_size "
                         f"({ts[0] if ts else 0}).")
    tdt = target._data.dtype
    n_cls = xs[1] if nd >= 2 else xs[0]
    if nd <= 2:
        if len(ts) > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and len(ts) == 1 and ts[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{ts[0]}")
        _check_long_or_byte(target)
        if weight is not None and (weight.dim() != 1 or weight.numel() != n_cls):
            raise RuntimeError(f"weight tensor should be defined either for all {n_cls} classes "
                               f"or no classes but got weight tensor of shape: "
                               f"{_fmt(weight.shape)}")
    else:
        _check_long_or_byte(target)
        if nd == 4:
            if len(ts) != 3:
                raise RuntimeError("only batches of spatial targets supported (3D tensors) but "
                                   f"got targets of dimension: {len(ts)}")
            if (xs[0],) + xs[2:] != ts:
                raise RuntimeError(f"size mismatch (got input: {_fmt(xs)} , target: {_fmt(ts)}")
        elif ts[1:] != xs[2:]:
            raise RuntimeError(f"Expected target size {_fmt((xs[0],) + xs[2:])}, got {_fmt(ts)}")
        if weight is not None and weight.numel() != n_cls:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if tdt != _I64:
            raise RuntimeError(f"expected scalar type Long but found {_short(target._data)}")
    if weight is not None:
        if weight._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {_short(input._data)} but found "
                               f"{_short(weight._data)}")
        _no_grad_arg(label, weight, "weight")


def _class_loss(input, target, weight, r, ignore_index, smoothing, log_softmax):
    """Run ClassNLL on (N, C, *S) (an unbatched (C,) input is treated as (1, C))."""
    nd = input._data.ndim
    unbatched = nd == 1
    if unbatched:
        input = _sh.reshape(input, (1, -1))
        target = _sh.reshape(target, (1,))
    if smoothing > 0:
        cls = _named(ClassNLL, "AddBackward0")
    elif nd >= 3:
        cls = _named(ClassNLL, "ViewBackward0" if r == 0 and nd != 4 else "NllLoss2DBackward0")
    else:
        cls = ClassNLL
    out = cls.apply(input, target, weight, reduction=r, ignore_index=int(ignore_index),
                    smoothing=float(smoothing), log_softmax=log_softmax)
    if unbatched and r == 0:
        out = _sh.reshape(out, ())
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """``F.nll_loss`` on log-probabilities (N, C, *S) or (C,), class-index target (fused)."""
    r = _reduction(size_average, reduce, reduction)
    _check_nll(input, target, weight)
    _require_float(input, "nll_loss_out_frame")
    return _class_loss(input, target, weight, r, ignore_index, 0.0, False)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``F.cross_entropy``: log_softmax over dim 1 (dim 0 for an unbatched (C,) input) and
    the negative log likelihood, fused. Target of class indices (int64 or uint8; shape
    (N, *S)) with ``ignore_index``, or of class probabilities (input's shape, float).
    ``label_smoothing`` mixes the target with the uniform distribution, with PyTorch's
    formulas (weighted and ignore-aware for class indices)."""
    r = _reduction(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        if not _is_float(target):
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {_short(target._data)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _soft_target_ce(input, target, weight, r, label_smoothing)
    if label_smoothing > 0.0 and label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    nd = input._data.ndim
    if not _is_float(input):
        last = "_lastdim" if nd <= 2 else ""
        raise NotImplementedError(f'"log_softmax{last}_kernel_impl" not implemented for '
                                  f"'{_short(input._data)}'")
    _check_nll(input, target, weight)
    return _class_loss(input, target, weight, r, ignore_index,
                       label_smoothing if label_smoothing > 0 else 0.0, True)


def _soft_target_ce(input, target, weight, r, smoothing):
    nd = input._data.ndim
    if nd == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if smoothing > 0 and smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing:g}")
    if not _is_float(input):
        raise NotImplementedError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                                  f"'{_short(input._data)}'")
    n_cls = input.shape[1] if nd >= 2 else input.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_cls):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_cls} classes or no classes but got weight tensor of shape: "
                           f"{_fmt(weight.shape)}")
    dtype = result_type(input, target) if weight is None else result_type(input, target, weight)
    input, target, weight = _cast(input, dtype), _cast(target, dtype), _cast(weight, dtype)
    if nd == 1:
        input, target = _sh.reshape(input, (1, -1)), _sh.reshape(target, (1, -1))
    cls = SoftTargetCE if r == _MEAN else _named(SoftTargetCE, "NegBackward0")
    out = cls.apply(input, target, weight, reduction=r,
                    smoothing=float(smoothing) if smoothing > 0 else 0.0)
    if nd == 1 and r == 0:
        out = _sh.reshape(out, ())
    return out


__all__ = ["nll_loss", "cross_entropy"]
