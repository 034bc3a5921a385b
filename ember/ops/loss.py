"""Loss functions: the functional forms behind ``ember.nn.functional`` (mse_loss ... ctc_loss).

Follows ``torch.nn.functional`` 2.13: names, signatures, defaults, the deprecated
``size_average``/``reduce`` arguments (mapped to ``reduction`` with PyTorch's warning by
``legacy_get_string``), shape/dtype checks with PyTorch's exception types and messages,
and PyTorch's exact formulas (ignore_index, class weights, label smoothing, log clamped
at -100 in binary_cross_entropy, KL's 'batchmean').

How they are built (the family spans four modules; this one re-exports the others'
functions, so ``ember.ops.loss.cross_entropy`` still works):
  * cross_entropy and nll_loss (``ops/cross_entropy.py``) are one fused Function each
    (``ClassNLL`` for class-index targets, ``SoftTargetCE`` for class-probability
    targets): log_softmax and the negative log likelihood in one pass, backward
    ``softmax - onehot`` scaled by weights, reduction, ignore_index and label smoothing,
    on arrays (``backward_arrays``) and with ember ops (``backward``: double backward).
  * argument handling shared by the loss modules is in ``ops/_loss_args.py``.
  * element-wise losses (mse, l1, smooth_l1, huber, binary_cross_entropy(+_with_logits),
    soft_margin, kl_div) are ``_Elementwise`` Functions: the loss and its gradients are
    written once over a math namespace ``ns`` and run on arrays (forward,
    ``backward_arrays``) or on ember Tensors (``backward``: differentiable).
  * ctc_loss (``ops/ctc.py``) is a fused Function too (alpha/beta recursions, one loop
    step per time step).
  * the rest are composites of ember ops, as they are in PyTorch.
float16/bfloat16 inputs are computed in float32 and the result rounded back.

Where ember differs: soft_margin_loss is computed as softplus(-y*x) without overflow
(PyTorch's log1p(exp(-y*x)) gives inf once -y*x exceeds ~88 in float32); gaussian_nll_loss
also accepts an int ``var``; ctc_loss raises a clear error for targets outside [0, C) (PyTorch reads out of bounds).
"""
import math
import numbers
import warnings

from .. import backend
from ..autograd.dispatch import casting_active as _casting_active
from .._dtype import result_type, float32, NATIVE_FLOATING_NP, NP_TO_DTYPE
from .._dtype import compute_dtype
from .._tensor import _make
from ..autograd.function import ArrayFunction
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from .indexing import _short
from ._common import (TENSOR_MATH as _TNS, array_math as _ns_for, broadcast_shape as _broadcast_shape,
                      fmt_shape as _fmt, up_t as _up_t)
from ._loss_args import (_ENUM, _MEAN, _I64, _as, _broadcast_shapes_as_torch, _cast,  # noqa: F401
                         _check_broadcast, _is_float, _named, _no_grad_arg, _reduce, _reduction,
                         _require_float, _warn_size, get_enum, legacy_get_string)
from .cross_entropy import ClassNLL, SoftTargetCE, cross_entropy, nll_loss  # noqa: F401
from .ctc import CtcLoss, ctc_loss  # noqa: F401  (re-exported: the family's split modules)

_gam = backend.get_array_module
_F32 = float32.np


# ---------------------------------------------------------------------------------------
# element-wise losses: value and gradients written once, run on arrays or on Tensors
# (the math namespaces of ops/_common)

def _reduce_array(xp, loss, r):
    if r == 0:
        return loss
    s = loss.sum()
    if r == _MEAN:
        s = s / loss.size if loss.size else s * xp.nan   # empty mean: nan, as PyTorch
    return xp.asarray(s)


class _Elementwise(ArrayFunction):
    """A loss computed element-wise over broadcast inputs, then reduced.

    Subclasses give ``value(ns, a, b, *extra, **opts)`` (the unreduced loss) and
    ``grads(ns, need, g, a, b, *extra, **opts)`` (gradients for the inputs flagged in
    ``need``; ``g`` is the upstream gradient already divided by n for 'mean'). Inputs arrive
    in one dtype (the functional casts them); half dtypes are computed in float32.
    """

    broadcasting = True

    @staticmethod
    def value(ns, *args, **opts):
        raise NotImplementedError

    @staticmethod
    def grads(ns, need, g, *args, **opts):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a, b, *extra, reduction=_MEAN, **opts):
        xp = _gam(a)
        ct = compute_dtype(a.dtype)
        if extra:
            loss = cls.value(_ns_for(xp), *[_as(v, ct) for v in (a, b) + extra], **opts)
        elif ct is a.dtype:     # (the functional gave both one dtype)
            loss = cls.value(_ns_for(xp), a, b, **opts)
        else:
            loss = cls.value(_ns_for(xp), _as(a, ct), _as(b, ct), **opts)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, b, *extra)
            ctx.opts, ctx.reduction, ctx.shape = opts, reduction, loss.shape
        return _reduce_array(xp, loss, reduction).astype(a.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, g):
        shape = ctx.shape
        vals = [None if s is None else _up_t(s) for s in ctx.saved_tensors]
        g = _up_t(g)
        if ctx.reduction == _MEAN:
            g = g / math.prod(shape)
        grads = cls.grads(_TNS, ctx.needs_input_grad, g, *vals, **ctx.opts)
        return tuple(None if gr is None else
                     (gr if tuple(gr.shape) == shape else _sh.expand(gr, shape))
                     for gr in grads)

    @classmethod
    def backward_arrays(cls, ctx, ga):
        saved = ctx.saved_arrays
        shape = ctx.shape
        xp = _gam(ga)
        dt = saved[0].dtype
        ct = compute_dtype(dt)
        # the inputs share one dtype (the functional cast them): as saved unless half
        vals = saved if ct is dt else [None if s is None else _as(s, ct) for s in saved]
        ga = _as(ga, ct)
        if ctx.reduction == _MEAN:
            ga = ga / math.prod(shape)
        out = []
        for gr in cls.grads(_ns_for(xp), ctx.needs_input_grad, ga, *vals, **ctx.opts):
            if gr is not None and gr.shape != shape:
                gr = xp.ascontiguousarray(xp.broadcast_to(gr, shape))
            out.append(gr)
        return tuple(out)


class MseLoss(_Elementwise):
    @staticmethod
    def value(ns, a, b):
        d = a - b
        return d * d

    @staticmethod
    def grads(ns, need, g, a, b):
        ga = (a - b) * (g * 2.0)
        return ga, (-ga if need[1] else None)


class L1Loss(_Elementwise):
    @staticmethod
    def value(ns, a, b):
        return ns.abs(a - b)

    @staticmethod
    def grads(ns, need, g, a, b):
        ga = ns.sign(a - b) * g
        return ga, (-ga if need[1] else None)


class SmoothL1Loss(_Elementwise):
    @staticmethod
    def value(ns, a, b, beta):
        d = a - b
        z = ns.abs(d)
        return ns.where(z < beta, d * d * (0.5 / beta), z - 0.5 * beta)

    @staticmethod
    def grads(ns, need, g, a, b, beta):
        d = a - b
        ga = ns.where(ns.abs(d) < beta, d * (1.0 / beta), ns.sign(d)) * g
        return ga, (-ga if need[1] else None)


class HuberLoss(_Elementwise):
    @staticmethod
    def value(ns, a, b, delta):
        d = a - b
        z = ns.abs(d)
        return ns.where(z < delta, d * d * 0.5, (z - 0.5 * delta) * delta)

    @staticmethod
    def grads(ns, need, g, a, b, delta):
        ga = ns.clip(a - b, -delta, delta) * g
        return ga, (-ga if need[1] else None)


class BinaryCrossEntropy(_Elementwise):
    """-w (y log p + (1 - y) log(1 - p)), each log clamped at -100 (PyTorch's kernel)."""

    @staticmethod
    def value(ns, p, y, w):
        loss = (y - 1) * ns.clamp_min(ns.log1p(-p), -100.0) - y * ns.clamp_min(ns.log(p), -100.0)
        return loss if w is None else loss * w

    @staticmethod
    def grads(ns, need, g, p, y, w):
        if w is not None:
            g = g * w
        gp = gy = None
        if need[0]:
            gp = (p - y) / ns.clamp_min((1 - p) * p, 1e-12) * g
        if need[1]:
            gy = (ns.log1p(-p) - ns.log(p)) * g
        return gp, gy, None


class BinaryCrossEntropyWithLogits(_Elementwise):
    """w ((1 - y) x + (1 + (pw - 1) y) softplus(-x)), stable for any x."""

    @staticmethod
    def value(ns, x, y, w, pw):
        sp = ns.softplus(-x)
        if pw is not None:
            sp = sp * ((pw - 1) * y + 1)
        loss = (1 - y) * x + sp
        return loss if w is None else loss * w

    @staticmethod
    def grads(ns, need, g, x, y, w, pw):
        if w is not None:
            g = g * w
        gx = gy = None
        if need[0]:
            if pw is None:
                gx = (ns.sigmoid(x) - y) * g
            else:
                py = pw * y
                gx = ((py + 1 - y) * ns.sigmoid(x) - py) * g
        if need[1]:
            gy = -x if pw is None else (pw - 1) * ns.softplus(-x) - x
            gy = gy * g
        return gx, gy, None, None


class SoftMarginLoss(_Elementwise):
    @staticmethod
    def value(ns, x, y):
        return ns.softplus(-(y * x))

    @staticmethod
    def grads(ns, need, g, x, y):
        return -y * ns.sigmoid(-(y * x)) * g, None


class KlDiv(_Elementwise):
    """target * (log target - input), or exp(target) * (target - input) with log_target."""

    @staticmethod
    def value(ns, x, t, log_target):
        if log_target:
            return ns.exp(t) * (t - x)
        return ns.xlogy_self(t) - t * x

    @staticmethod
    def grads(ns, need, g, x, t, log_target):
        gx = gt = None
        if log_target:
            et = ns.exp(t) * g
            if need[0]:
                gx = -et
            if need[1]:
                gt = (t - x + 1) * et
        else:
            if need[0]:
                gx = -t * g
            if need[1]:
                # d/dt xlogy(t, t) as PyTorch: log(t) + t/t (nan at t == 0, as PyTorch)
                gt = (ns.log(t) + t / t - x) * g
        return gx, gt


_MSE_NAME = "MseLossBackward0"
_BY_REDUCTION = ("", "MeanBackward0", "SumBackward0")


def _elementwise(cls, name, input, target, r, extra=(), dtype=None, **opts):
    """Cast, then apply the fused element-wise loss ``cls`` (grad_fn named ``name``)."""
    if dtype is None:
        dtype = result_type(input, target)
    input, target = _cast(input, dtype), _cast(target, dtype)
    if extra:
        extra = tuple(_cast(e, dtype) for e in extra)
    if name is not None:
        cls = _named(cls, name)
    return cls.apply(input, target, *extra, reduction=r, **opts)


def _regression_args(input, target, size_average, reduce, reduction, kernel):
    if size_average is None and reduce is None and type(reduction) is str:
        # the common call: same shape, same float dtype, no deprecated arguments
        a, b = input._data, target._data
        r = _ENUM.get(reduction)
        if r is not None and a.dtype is b.dtype and a.shape == b.shape and \
                a.dtype in NATIVE_FLOATING_NP:
            return r, NP_TO_DTYPE[a.dtype]
    _warn_size(input, target)
    r = _reduction(size_average, reduce, reduction)
    _check_broadcast(input, target)
    dtype = result_type(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_short(input._data)}\'')
    return r, dtype


def _weighted(loss, weight, input, r, normalize):
    """A per-element ``weight`` applied to an unreduced loss (mse/l1/huber with weight)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = _pw.mul(loss, weight)
    if r == 0:
        return loss
    if r == 2:
        return _red.sum(loss)
    return _pw.div(_red.sum(loss), _red.sum(weight)) if normalize else _red.mean(loss)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``F.mse_loss``: mean of (input - target)^2 (fused); ``weight`` as PyTorch 2.13:
    weighted mean = sum(w * loss) / sum(w)."""
    r, dtype = _regression_args(input, target, size_average, reduce, reduction,
                                "mse_cpu")
    if weight is not None:
        loss = _elementwise(MseLoss, _MSE_NAME, input, target, 0, dtype=dtype)
        return _weighted(loss, weight, input, r, True)
    return _elementwise(MseLoss, _MSE_NAME, input, target, r, dtype=dtype)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``F.l1_loss``: mean of |input - target| (fused); ``weight`` as in mse_loss."""
    r, dtype = _regression_args(input, target, size_average, reduce, reduction,
                                "l1_loss")
    if weight is not None:
        loss = _elementwise(L1Loss, "AbsBackward0", input, target, 0, dtype=dtype)
        return _weighted(loss, weight, input, r, True)
    return _elementwise(L1Loss, _BY_REDUCTION[r] or "AbsBackward0", input, target, r,
                        dtype=dtype)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``F.smooth_l1_loss``: 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere."""
    r, dtype = _regression_args(input, target, size_average, reduce,
                                reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _elementwise(L1Loss, "L1LossBackward0", input, target, r, dtype=dtype)
    return _elementwise(SmoothL1Loss, "SmoothL1LossBackward0", input, target, r, dtype=dtype,
                        beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``F.huber_loss``: 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere;
    with ``weight`` the 'mean' is mean(w * loss), as PyTorch 2.13."""
    r, dtype = _regression_args(input, target, None, None, reduction,
                                "huber_loss")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        loss = _elementwise(HuberLoss, "HuberLossBackward0", input, target, 0, dtype=dtype,
                            delta=float(delta))
        return _weighted(loss, weight, input, r, False)
    return _elementwise(HuberLoss, "HuberLossBackward0", input, target, r, dtype=dtype,
                        delta=float(delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``F.binary_cross_entropy`` on probabilities; each log is clamped at -100 as PyTorch,
    so p = 0 or 1 gives a finite loss. Target must have input's size and dtype."""
    r = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        full = _broadcast_shapes_as_torch(target.shape, weight.shape)
        if full != input._data.shape:
            raise RuntimeError(f"output with shape {_fmt(input.shape)} doesn't match the "
                               f"broadcast shape {_fmt(full)}")
        _no_grad_arg("binary_cross_entropy", weight, "weight")
    if target._data.dtype != input._data.dtype and not _casting_active():
        raise RuntimeError(f"Found dtype {_short(target._data)} but expected "
                           f"{_short(input._data)}")
    _require_float(input, "binary_cross_entropy")
    p = input._data
    xp = _gam(p)
    if p.size and not bool(xp.all((p >= 0) & (p <= 1))):
        raise RuntimeError("all elements of input should be between 0 and 1")
    return _elementwise(BinaryCrossEntropy, "BinaryCrossEntropyBackward0", input, target, r,
                        extra=(weight,), dtype=input.dtype)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """``F.binary_cross_entropy_with_logits``: sigmoid and BCE fused, stable for any logit;
    ``weight`` and ``pos_weight`` broadcast against the input (pos_weight typically along
    the class dimension, the last one)."""
    r = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    dtype = result_type(input, target)
    if not dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_short(target._data)}")
    shape = _check_broadcast(input, target)
    if pos_weight is not None:
        _check_broadcast(pos_weight, target)
        _no_grad_arg("binary_cross_entropy_with_logits", pos_weight, "pos_weight")
    if weight is not None:
        _broadcast_shape(shape, tuple(weight.shape))
        _no_grad_arg("binary_cross_entropy_with_logits", weight, "weight")
    return _elementwise(BinaryCrossEntropyWithLogits, "BinaryCrossEntropyWithLogitsBackward0",
                        input, target, r, extra=(weight, pos_weight), dtype=dtype)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``F.soft_margin_loss``: log(1 + exp(-y x)), computed without overflow."""
    r = _reduction(size_average, reduce, reduction)
    _check_broadcast(input, target)
    _no_grad_arg("soft_margin_loss", target, "target")
    dtype = result_type(input, target)
    return _elementwise(SoftMarginLoss, "SoftMarginLossBackward0", input, target, r,
                        dtype=dtype)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``F.kl_div``: pointwise target * (log target - input) (input in log space);
    'batchmean' divides the sum by the batch size; 'mean' warns as PyTorch does."""
    if size_average is not None or reduce is not None:
        r = get_enum(legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        r = 2 if reduction == "batchmean" else get_enum(reduction)
    _check_broadcast(input, target)
    names = ("MulBackward0" if log_target else "SubBackward0",) + _BY_REDUCTION[1:]
    out = _elementwise(KlDiv, names[r], input, target, r, log_target=bool(log_target))
    if reduction == "batchmean" and input.dim() != 0:
        out = _pw.div(out, input.shape[0])
    return out


# ---------------------------------------------------------------------------------------
# composite losses

def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """``F.poisson_nll_loss``: exp(x) - y x (log_input) or x - y log(x + eps); ``full`` adds
    the Stirling term y log y - y + 0.5 log(2 pi y) where y > 1."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    _check_broadcast(input, target)
    if log_input:
        loss = _pw.sub(_pw.exp(input), _pw.mul(target, input))
    else:
        loss = _pw.sub(input, _pw.mul(target, _pw.log(_pw.add(input, eps))))
    if full:
        stirling = _pw.add(_pw.sub(_pw.mul(target, _pw.log(target)), target),
                           _pw.mul(_pw.log(_pw.mul(target, 2 * math.pi)), 0.5))
        from .indexing import masked_fill
        loss = _pw.add(loss, masked_fill(stirling, _pw.le(target, 1), 0))
    return _reduce(loss, _ENUM[reduction])


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """``F.gaussian_nll_loss``: 0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))
    (+ 0.5 log(2 pi) if ``full``); ``var`` a Tensor (full size, one dim short, or with one
    broadcast dim) or a positive number (ember also accepts an int)."""
    if isinstance(var, numbers.Real) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _pw.mul(_ones_like(input), float(var))
    elif bool(_gam(var._data).any(var._data < 0)):
        raise ValueError("var has negative entry/entries")
    vs, xs = tuple(var.shape), tuple(input.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = _sh.unsqueeze(var, -1)
        elif len(xs) == len(vs) and sum(b for a, b in zip(xs, vs) if a != b) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = _ClampMinNoGrad.apply(var, eps=float(eps))
    diff = _pw.sub(input, target)
    loss = _pw.mul(_pw.add(_pw.log(var), _pw.div(_pw.mul(diff, diff), var)), 0.5)
    if full:
        loss = _pw.add(loss, 0.5 * math.log(2 * math.pi))
    return _reduce(loss, _ENUM[reduction])


def _ones_like(t):
    x = t._data
    return _make(_gam(x).ones(x.shape, x.dtype))


class _ClampMinNoGrad(ArrayFunction):
    """``var.clone()`` then ``clamp_(min=eps)`` under no_grad, as gaussian_nll_loss does:
    the value is clamped but the gradient passes through unchanged."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, v, eps=1e-6):
        return _gam(v).maximum(v, eps).astype(v.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``F.margin_ranking_loss``: max(0, -y (x1 - x2) + margin)."""
    r = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    _check_broadcast(input1, input2)
    diff = _pw.sub(input1, input2)
    _check_broadcast(target, diff)
    loss = _pw.clamp_min(_pw.add(_pw.mul(_pw.neg(target), diff), margin), 0)
    return _reduce(loss, r)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``F.hinge_embedding_loss``: x where y == 1, max(0, margin - x) where y == -1 (other
    target values count both terms, as PyTorch)."""
    r = _reduction(size_average, reduce, reduction)
    _check_broadcast(target, input)
    zeros = _pw._zeros_like(input)
    margin_clamp = _pw.clamp_min(_pw.rsub(input, margin), 0)
    out_margin = _pw.where(_pw.ne(target, 1), margin_clamp, zeros)
    out_self = _pw.where(_pw.ne(target, -1), input, zeros)
    return _reduce(_pw.add(out_margin, out_self), r)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``F.cosine_embedding_loss``: 1 - cos(x1, x2) where y == 1, max(0, cos - margin) where
    y == -1; inputs (N, D) with target (N), or (D) with a 0-d target."""
    r = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1:
        if input1.dim() != 2 or input2.dim() != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                               f"with sizes {_fmt(input1.shape)} and {_fmt(input2.shape)}.")
    elif input1.dim() != 1 or input2.dim() != 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {_fmt(input1.shape)} and {_fmt(input2.shape)}.")
    _check_broadcast(input1, input2)
    eps = 1e-12
    prod_sum = _red.sum(_pw.mul(input1, input2), td)
    mag1 = _pw.add(_red.sum(_pw.mul(input1, input1), td), eps)
    mag2 = _pw.add(_red.sum(_pw.mul(input2, input2), td), eps)
    cos = _pw.div(prod_sum, _pw.sqrt(_pw.mul(mag1, mag2)))
    _check_broadcast(target, cos)
    zeros = _pw._zeros_like(cos)
    pos = _pw.rsub(cos, 1)
    neg = _pw.clamp_min(_pw.sub(cos, margin), 0)
    out = _pw.add(_pw.where(_pw.eq(target, 1), pos, zeros),
                  _pw.where(_pw.eq(target, -1), neg, zeros))
    return _reduce(out, r)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``F.pairwise_distance``: the p-norm of x1 - x2 + eps over the last dimension."""
    d = _pw.add(_pw.sub(x1, x2), eps)
    return _red.vector_norm(d, p, dim=max(x1.dim(), x2.dim()) - 1, keepdim=keepdim)


def _triplet(dist_pos, dist_neg, dist_swap, margin, r):
    if dist_swap is not None:
        dist_neg = _pw.minimum(dist_neg, dist_swap)
    return _reduce(_pw.clamp_min(_pw.sub(_pw.add(dist_pos, margin), dist_neg), 0), r)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p and p == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, "
                           f"and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``F.triplet_margin_loss``: max(d(a, p) - d(a, n) + margin, 0) with the pairwise
    p-norm distance (``swap``: d(a, n) replaced by min(d(a, n), d(p, n)))."""
    r = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    _check_broadcast(anchor, positive)
    _check_broadcast(anchor, negative)
    dp = _pairwise_distance(anchor, positive, p, eps)
    dn = _pairwise_distance(anchor, negative, p, eps)
    ds = _pairwise_distance(positive, negative, p, eps) if swap else None
    return _triplet(dp, dn, ds, margin, r)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """``F.triplet_margin_with_distance_loss``: the triplet loss with any distance function
    (default: the pairwise 2-norm distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    dp = dist(anchor, positive)
    dn = dist(anchor, negative)
    ds = dist(positive, negative) if swap else None
    return _triplet(dp, dn, ds, margin, _ENUM[reduction])


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """``F.multilabel_soft_margin_loss``: -(y logsigmoid(x) + (1 - y) logsigmoid(-x)) (fused,
    stable) times ``weight``, averaged over the class (last) dimension, then reduced."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    _check_broadcast(target, input)
    dtype = result_type(input, target)
    loss = _elementwise(BinaryCrossEntropyWithLogits, "NegBackward0", input, target, 0,
                        extra=(None, None), dtype=dtype)
    if weight is not None:
        loss = _pw.mul(loss, weight)
    n_cls = input.shape[-1] if input.dim() else 1
    loss = _pw.div(_red.sum(loss, input.dim() - 1 if input.dim() else None), n_cls)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return _red.mean(loss)
    if reduction == "sum":
        return _red.sum(loss)
    raise ValueError(reduction + " is not valid")


def _check_long(target):
    if target._data.dtype != _I64:
        raise RuntimeError(f"expected scalar type Long but found {_short(target._data)}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """``F.multi_margin_loss``: sum over j != y of max(0, w[y] (margin - x[y] + x[j]))^p / C,
    as PyTorch (the weight multiplies after the power)."""
    r = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    xs = tuple(input.shape)
    nd = len(xs)
    if not ((nd == 2 and xs[1] != 0) or (nd == 1 and xs[0] != 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {_fmt(xs)}")
    n = xs[0] if nd == 2 else 1
    n_cls = xs[-1] if nd else 1
    if not (target.dim() <= 1 and target.numel() == n):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {_fmt(target.shape)}. Input has shape {_fmt(xs)}.")
    _check_long(target)
    if weight is not None and weight.numel() != n_cls:
        raise RuntimeError(f"inconsistent weight size, expected {n_cls} but got "
                           f"{_fmt(weight.shape)}")
    _no_grad_arg("multi_margin_loss", weight, "weight")
    t = target._data.reshape(n)
    if t.size and (int(t.min()) < 0 or int(t.max()) >= n_cls):
        raise RuntimeError("target out of range")
    x2 = _sh.reshape(input, (n, n_cls))
    tt = _make(t.reshape(n, 1))
    z = _pw.add(_pw.sub(x2, _gather1(x2, tt)), margin)
    xp = _gam(t)
    is_target = _make(xp.arange(n_cls)[None, :] == t[:, None])
    h = _pw.where(is_target, _pw._zeros_like(z), _pw.clamp_min(z, 0))
    if p == 2:
        h = _pw.mul(h, h)
    if weight is not None:     # (a constant: a weight requiring grad is refused above)
        h = _pw.mul(h, _make(weight._data[t].reshape(n, 1)))
    loss = _pw.div(_red.sum(h, 1), n_cls)
    if r == 0:
        return _sh.reshape(loss, (n,) if nd == 2 else ())
    return _reduce(loss, r)


def _gather1(x, idx):
    """x[i, idx[i, 0]] as (N, 1) (differentiable)."""
    from .indexing import gather
    return gather(x, 1, idx)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``F.multilabel_margin_loss``: for each sample, the target classes are the leading
    entries of ``target`` up to the first -1; loss = sum over target j and non-target k of
    max(0, 1 - (x[j] - x[k])) / C."""
    r = _reduction(size_average, reduce, reduction)
    xs = tuple(input.shape)
    nd = len(xs)
    if not ((nd == 2 and xs[1] != 0) or (nd == 1 and xs[0] != 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {_fmt(xs)}")
    n_cls = xs[-1] if nd else 1
    n = xs[0] if nd == 2 else 1
    if tuple(target.shape) != xs:
        raise RuntimeError(f"inconsistent target size: {_fmt(target.shape)} for input of size: "
                           f"{_fmt(xs)}")
    _check_long(target)
    t = target._data.reshape(n, n_cls)
    xp = _gam(t)
    if t.size and (int(t.min()) < -1 or int(t.max()) >= n_cls):
        raise RuntimeError("argument #2 'target' is out of range")
    # the targets of each row are its entries before the first -1
    before_end = xp.cumprod(t != -1, axis=1).astype(bool)
    is_target = xp.zeros((n, n_cls), bool)
    rows = xp.broadcast_to(xp.arange(n)[:, None], t.shape)
    is_target[rows[before_end], t[before_end]] = True
    x2 = _sh.reshape(input, (n, n_cls))
    # h[i, j, k] = max(0, 1 - x[i, j] + x[i, k]) for target j and non-target k
    h = _pw.clamp_min(_pw.add(_pw.sub(_sh.unsqueeze(x2, 1), _sh.unsqueeze(x2, 2)), 1), 0)
    mask = _make((is_target[:, :, None] & ~is_target[:, None, :]).astype(input._data.dtype))
    loss = _pw.div(_red.sum(_pw.mul(h, mask), (1, 2)), n_cls)
    if r == 0:
        return _sh.reshape(loss, (n,) if nd == 2 else ())
    return _reduce(loss, r)


__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div", "nll_loss",
           "cross_entropy", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
           "multi_margin_loss", "multilabel_margin_loss", "ctc_loss"]
