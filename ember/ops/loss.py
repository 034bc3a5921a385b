"""Loss functions: the functional forms behind ``ember.nn.functional`` (mse_loss ... ctc_loss).

Follows ``torch.nn.functional`` 2.13: names, signatures, defaults, the deprecated
``size_average``/``reduce`` arguments (mapped to ``reduction`` with PyTorch's warning by
``legacy_get_string``), shape/dtype checks with PyTorch's exception types and messages,
and PyTorch's exact formulas (ignore_index, class weights, label smoothing, log clamped
at -100 in binary_cross_entropy, KL's 'batchmean').

How they are built:
  * cross_entropy and nll_loss are one fused Function each (``ClassNLL`` for class-index
    targets, ``SoftTargetCE`` for class-probability targets): log_softmax and the negative
    log likelihood in one pass, backward ``softmax - onehot`` scaled by weights, reduction,
    ignore_index and label smoothing, written on arrays. Under ``create_graph=True`` the
    same gradient is built from ember ops, so double backward works.
  * element-wise losses (mse, l1, smooth_l1, huber, binary_cross_entropy(+_with_logits),
    soft_margin, kl_div) are ``_Elementwise`` Functions: the loss and its gradients are
    written once over a math namespace ``ns`` and run on arrays (forward; backward without
    create_graph) or on ember Tensors (backward with create_graph: differentiable).
  * ctc_loss is a fused Function too (alpha/beta recursions, one loop step per time step).
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
from .._dtype import result_type, int64, uint8, float32
from .._dtype import FLOATING_NP, HALF_NP, INTEGRAL_NP, compute_dtype
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from ..autograd.grad_mode import _state
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from .indexing import _short

_gam = backend.get_array_module
_F32 = float32.np


# ---------------------------------------------------------------------------------------
# reduction arguments

_ENUM = {"none": 0, "mean": 1, "sum": 2}
_MEAN = 1


def get_enum(reduction):
    """``reduction`` as PyTorch's enum (0 none, 1 mean, 2 sum); ValueError for others."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return _MEAN
    r = _ENUM.get(reduction) if isinstance(reduction, str) else None
    if r is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction the deprecated ``size_average``/``reduce`` pair stands for (as PyTorch)."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    """The reduction enum: the deprecated arguments, when given, override ``reduction``."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    return get_enum(reduction)


def _reduce(loss, r):
    """Apply reduction enum ``r`` to a loss Tensor (composite losses)."""
    if r == _MEAN:
        return _red.mean(loss)
    if r == 2:
        return _red.sum(loss)
    return loss


# ---------------------------------------------------------------------------------------
# argument checks shared by several losses

def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _broadcast_shape(*shapes):
    """The broadcast shape, with PyTorch's message (from the last dimension back) naming the
    size so far ("tensor a") and the first shape that disagrees with it ("tensor b")."""
    n = max(len(s) for s in shapes)
    out = [1] * n
    for i in range(n - 1, -1, -1):
        for s in shapes:
            k = len(s) - n + i
            d = s[k] if k >= 0 else 1
            if d != 1:
                if out[i] != 1 and d != out[i]:
                    raise RuntimeError(f"The size of tensor a ({out[i]}) must match the size of "
                                       f"tensor b ({d}) at non-singleton dimension {i}")
                out[i] = d
    return tuple(out)


def _check_broadcast(a, b):
    """The broadcast shape of Tensors ``a`` and ``b``, or PyTorch's error naming a first."""
    sa, sb = a._data.shape, b._data.shape
    return sa if sa == sb else _broadcast_shape(sa, sb)


def _broadcast_shapes_as_torch(*shapes):
    """``torch.broadcast_shapes`` with its message (used where PyTorch calls it)."""
    result = [1] * max(len(s) for s in shapes)
    for index, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == 1 or shape[i] == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[i]} at "
                                   f"{i}! Mismatching argument at index {index} had {shape}; but "
                                   f"expected shape should be broadcastable to {result}")
            result[i] = shape[i]
    return tuple(result)


def _warn_size(input, target):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _no_grad_arg(fn_name, arg, name):
    """PyTorch refuses a requires-grad argument its kernel has no derivative for."""
    if arg is not None and arg._rg and _state[0]:
        raise RuntimeError(f"The function '{fn_name}' is not differentiable with respect to "
                           f"argument '{name}'. This input cannot have requires_grad True.")


def _is_float(t):
    return t._data.dtype in FLOATING_NP


def _require_float(t, kernel):
    if not _is_float(t):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_short(t._data)}\'')


def _cast(t, dtype):
    """Differentiable cast of Tensor ``t`` (or None) to ember dtype ``dtype``."""
    if t is None or t._data.dtype == dtype.np:
        return t
    return _pw._to_dtype(t, dtype)


def _as(a, dt):
    return a if a is None or a.dtype == dt else a.astype(dt)


def _up_t(t):
    """A float16/bfloat16 Tensor as float32 (differentiable); others unchanged."""
    d = t._data.dtype
    return _pw._to_dtype(t, float32) if d in HALF_NP else t


def _named(cls, node_name):
    """A subclass of Function ``cls`` showing PyTorch's grad_fn name ``node_name``."""
    key = (cls, node_name)
    sub = _NAMED.get(key)
    if sub is None:
        sub = _NAMED[key] = type(cls.__name__, (cls,), {"node_name": node_name,
                                                        "__module__": cls.__module__})
    return sub


_NAMED = {}


# ---------------------------------------------------------------------------------------
# the math namespaces: one formula, run on arrays or on Tensors

class _ArrayMath:
    """The math the element-wise loss formulas use, on backend arrays."""

    def __init__(self, xp):
        self.xp = xp
        self.where, self.abs, self.sign, self.exp = xp.where, xp.abs, xp.sign, xp.exp
        self.log, self.log1p, self.clip = xp.log, xp.log1p, xp.clip

    def clamp_min(self, x, v):
        return self.xp.maximum(x, v)

    def sigmoid(self, x):
        return 1.0 / (1.0 + self.xp.exp(-x))   # exp overflow: 1/inf = 0, exact

    def softplus(self, x):
        """log(1 + e^x) without overflow."""
        xp = self.xp
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def xlogy_self(self, t):
        """t * log(t), 0 where t == 0 (``torch.xlogy(t, t)``)."""
        return self.xp.where(t == 0, 0, t * self.xp.log(t)).astype(t.dtype, copy=False)


class _TensorMath:
    """The same math on ember Tensors (differentiable: the gradient formulas under
    create_graph; loss values are only ever computed on arrays)."""

    where, abs, sign, exp = (staticmethod(_pw.where), staticmethod(_pw.abs),
                             staticmethod(_pw.sign), staticmethod(_pw.exp))
    log, log1p, sigmoid = staticmethod(_pw.log), staticmethod(_pw.log1p), staticmethod(_pw.sigmoid)

    @staticmethod
    def clip(x, lo, hi):
        return _pw.clamp(x, lo, hi)

    @staticmethod
    def clamp_min(x, v):
        return _pw.clamp_min(x, v)

    @staticmethod
    def softplus(x):
        from .activation import softplus   # fused, derivative sigmoid(x) (exact at 0)
        return softplus(x)


_TNS = _TensorMath()
_ARRAY_NS = {}


def _ns_for(xp):
    ns = _ARRAY_NS.get(xp)
    if ns is None:
        ns = _ARRAY_NS[xp] = _ArrayMath(xp)
    return ns


# ---------------------------------------------------------------------------------------
# element-wise losses: value and gradients written once

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
        loss = cls.value(_ns_for(xp), *[_as(v, ct) for v in (a, b) + extra], **opts)
        if ctx.needs_input_grad:
            ctx.save_for_backward(a, b, *extra)
            ctx.opts, ctx.reduction, ctx.shape = opts, reduction, loss.shape
        return _reduce_array(xp, loss, reduction).astype(a.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, g):
        saved = ctx.saved_tensors
        shape = ctx.shape
        n = 1
        for s in shape:
            n *= s
        if _state[0]:     # create_graph: the same formulas on Tensors
            vals = [None if s is None else _up_t(s) for s in saved]
            g = _up_t(g)
            if ctx.reduction == _MEAN:
                g = g / n
            grads = cls.grads(_TNS, ctx.needs_input_grad, g, *vals, **ctx.opts)
            return tuple(None if gr is None else
                         (gr if tuple(gr.shape) == shape else _sh.expand(gr, shape))
                         for gr in grads)
        ga = g._data
        xp = _gam(ga)
        ct = compute_dtype(saved[0]._data.dtype)
        vals = [None if s is None else _as(s._data, ct) for s in saved]
        ga = _as(ga, ct)
        if ctx.reduction == _MEAN:
            ga = ga / n
        grads = cls.grads(_ns_for(xp), ctx.needs_input_grad, ga, *vals, **ctx.opts)
        out = []
        for gr in grads:
            if gr is None:
                out.append(None)
                continue
            if gr.shape != shape:
                gr = xp.ascontiguousarray(xp.broadcast_to(gr, shape))
            out.append(_make(gr))
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
    extra = tuple(_cast(e, dtype) for e in extra)
    if name is not None:
        cls = _named(cls, name)
    return cls.apply(input, target, *extra, reduction=r, **opts)


def _regression_args(input, target, size_average, reduce, reduction, kernel):
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
    if target._data.dtype != input._data.dtype:
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
    size 1. For 2-D inputs a matrix-vector product: ~3x faster than a short-row reduce."""
    if a.ndim == 2:
        return (a @ (_ones(xp, a.shape[1], a.dtype, a) if w is None else w))[:, None]
    if w is not None:
        a = a * _weight_view(w, a.ndim)
    return a.sum(axis=1, keepdims=True)


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
        e = xp.exp(z)
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
        if _state[0]:
            return _class_nll_graph(ctx, x, weight, g), None, None
        reduction, eps, log_softmax = ctx.opts
        xd = x._data
        xp = _gam(xd)
        ct = compute_dtype(xd.dtype)
        c = _as(g._data, ct)
        if reduction == _MEAN:
            c = c / ctx.total
        if ctx.valid is not None:   # ignored targets get exactly 0 (even when c is inf/nan)
            c = xp.where(ctx.valid, c, 0).astype(ct, copy=False)
        wt, idx = ctx.wt, ctx.idx
        r = c if wt is None else c * wt
        if not log_softmax:
            grad = xp.zeros(xd.shape, ct)
            grad.reshape(-1)[idx] = -r
            return _make(grad), None, None
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
            w = _as(weight._data, ct) if weight is not None else None
            k = _class_axis(cv * (eps / n_cls))
            grad -= k if w is None else k * _weight_view(w, xd.ndim)
            grad.reshape(-1)[idx] -= r * (1.0 - eps)
        else:
            grad = e
            grad *= _class_axis(r) / s
            grad.reshape(-1)[idx] -= r
        return _make(grad), None, None


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
        if _state[0]:
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
        xp = _gam(xd)
        ct = compute_dtype(xd.dtype)
        logp, wq = ctx.logp, ctx.wq
        c = _as(g._data, ct)
        if reduction == _MEAN:
            c = c / count
        c = _class_axis(c)
        gx = gq = gw = None
        if need[0]:
            gx = xp.exp(logp)
            gx *= wq.sum(axis=1, keepdims=True)
            gx -= wq
            gx *= c
            gx = _make(gx)
        if need[1]:
            gq = logp * (c * -(1.0 - eps))
            if weight is not None:
                gq *= _weight_view(_as(weight._data, ct), xd.ndim)
            gq = _make(gq)
        if need[2]:
            axes = tuple(i for i in range(xd.ndim) if i != 1)
            gw = _make(-(ctx.qs * logp * c).sum(axis=axes))
        return gx, gq, gw


_I64, _U8 = int64.np, uint8.np
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


# ---------------------------------------------------------------------------------------
# CTC

_NEG_INF = float("-inf")


def _lse(xp, *terms):
    """Element-wise log(sum(exp(terms))), -inf where every term is -inf."""
    m = terms[0]
    for t in terms[1:]:
        m = xp.maximum(m, t)
    safe = xp.where(xp.isfinite(m), m, 0)
    acc = xp.zeros_like(m)
    for t in terms:
        acc += xp.exp(t - safe)
    return xp.log(acc) + safe


def _shift(xp, a, k):
    """``a`` moved k places along the last axis (right for k > 0, left for k < 0), -inf
    filling the places left empty."""
    out = xp.full(a.shape, _NEG_INF, a.dtype)
    n = a.shape[-1]
    if k > 0:
        out[..., k:] = a[..., :n - k]
    else:
        out[..., :n + k] = a[..., -k:]
    return out


class CtcLoss(ArrayFunction):
    """Per-sample CTC negative log likelihood (reduction 'none'), by the alpha recursion in
    log space, vectorized over the batch and the extended label (blanks interleaved); one
    loop step per time step. Backward runs the beta recursion and gives PyTorch's gradient
    exp(log_probs) - gamma (gamma: the posterior of each class at each time step), which
    is the gradient through log_softmax when log_probs came from it, as in PyTorch."""

    node_name = "CtcLossBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, lp, ext, il, n_ext, zero_infinity=False):
        xp = _gam(lp)
        t_max, n = lp.shape[0], lp.shape[1]
        s_max = ext.shape[1]
        rows = xp.arange(n)
        em = lp[:, rows[:, None], ext]                      # (T, N, S) emissions
        # a label may be reached from two places back unless it repeats the label there
        skip = xp.zeros(ext.shape, bool)
        skip[:, 2:] = (ext[:, 2:] != ext[:, :-2]) & (xp.arange(2, s_max) % 2 == 1)
        alpha = xp.full((max(t_max, 1), n, s_max), _NEG_INF, lp.dtype)
        if t_max:
            alpha[0, :, :2] = em[0, :, :2]
        for t in range(1, t_max):
            a = alpha[t - 1]
            a2 = xp.where(skip, _shift(xp, a, 2), _NEG_INF)
            alpha[t] = _lse(xp, a, _shift(xp, a, 1), a2) + em[t]
        last = xp.maximum(il - 1, 0)
        fin = alpha[last, rows]                              # (N, S) at each sample's end
        end1 = fin[rows, n_ext - 1]
        end2 = xp.where(n_ext >= 2, fin[rows, xp.maximum(n_ext - 2, 0)], _NEG_INF)
        nll = -_lse(xp, end1, end2)
        # no time steps: probability 1 for an empty target, 0 otherwise
        nll = xp.where(il == 0, xp.where(n_ext == 1, 0.0, xp.inf), nll).astype(lp.dtype)
        zeroed = xp.isinf(nll) if zero_infinity else None
        out = xp.where(zeroed, 0, nll).astype(lp.dtype) if zero_infinity else nll
        if ctx.needs_input_grad:
            ctx.save_for_backward(lp)
            ctx.alpha, ctx.em, ctx.skip, ctx.nll, ctx.zeroed = alpha, em, skip, nll, zeroed
            ctx.args = (ext, il, n_ext)
        return out

    @staticmethod
    def backward(ctx, g):
        lp = ctx.saved_tensors[0]._data
        ext, il, n_ext = ctx.args
        alpha, em, skip, nll = ctx.alpha, ctx.em, ctx.skip, ctx.nll
        xp = _gam(lp)
        t_max, n, n_cls = lp.shape
        s_max = ext.shape[1]
        s_idx = xp.arange(s_max)
        inside = s_idx[None, :] < n_ext[:, None]             # states of each sample's label
        is_end = inside & (s_idx[None, :] >= n_ext[:, None] - 2)
        skip_from = xp.zeros(ext.shape, bool)                # s may go on to s + 2
        skip_from[:, :-2] = skip[:, 2:]
        beta = xp.full((t_max, n, s_max), _NEG_INF, lp.dtype)
        nxt = beta[0]                                        # all -inf
        for t in range(t_max - 1, -1, -1):
            b1 = _shift(xp, nxt, -1)
            b2 = xp.where(skip_from, _shift(xp, nxt, -2), _NEG_INF)
            cur = _lse(xp, nxt, b1, b2)
            cur = xp.where((t == il - 1)[:, None], xp.where(is_end, 0.0, _NEG_INF), cur)
            cur = xp.where(inside & (t < il)[:, None], cur + em[t], _NEG_INF)
            beta[t] = cur
            nxt = cur
        # gamma: log of the sum over each class's states of alpha * beta, per time step
        ab = alpha[:t_max] + beta
        m = ab.max(axis=2, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        onehot = (ext[:, :, None] == xp.arange(n_cls)).astype(lp.dtype)   # (N, S, C)
        lcab = xp.log(xp.einsum("tns,nsc->tnc", xp.exp(ab - m), onehot)) + m
        grad = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        keep = xp.arange(t_max)[:, None] < il[None, :]       # (T, N): inside each input
        if ctx.zeroed is not None:
            keep = keep & ~ctx.zeroed[None, :]
        grad = xp.where(keep[:, :, None], grad * g._data[None, :, None], 0)
        return _make(grad.astype(lp.dtype, copy=False)), None, None, None


def _ctc_lengths(xp, v, name, n):
    """input_lengths / target_lengths (Tensor, sequence or int) as an int64 array (n,)."""
    if isinstance(v, Tensor):
        if v._data.dtype not in INTEGRAL_NP:
            raise RuntimeError(f"{name} must be integral")
        v = v._data
    a = xp.asarray(v).astype(_I64).reshape(-1)
    if a.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return a


_CTC_CHECK = " (while checking arguments for ctc_loss_allocate_outputs)"


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """``F.ctc_loss``: log_probs (T, N, C) (or (T, C)), targets padded (N, S) or
    concatenated (sum(target_lengths),); 'mean' divides each loss by its target length
    (at least 1) and averages over the batch. The gradient is PyTorch's (see CtcLoss)."""
    r = get_enum(reduction)
    lpd = log_probs._data
    nd = lpd.ndim
    unbatched = nd == 2
    if nd not in (2, 3):   # (PyTorch adds the batch dim to any non-3-D input first)
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {nd + 1}-dimensional "
                           f"tensor for argument #1 'log_probs'{_CTC_CHECK}")
    _require_float(log_probs, "ctc_loss_cpu")
    if lpd.dtype.itemsize == 2:
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for \'{_short(lpd)}\'')
    if unbatched:
        log_probs = _sh.unsqueeze(log_probs, 1)
        lpd = log_probs._data
        if targets.dim() == 1:
            targets = _sh.unsqueeze(targets, 0)
    xp = _gam(lpd)
    t_max, n, n_cls = lpd.shape
    td = targets._data
    if td.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {td.ndim}-dimensional tensor "
                           f"for argument #2 'targets'{_CTC_CHECK}")
    il = _ctc_lengths(xp, input_lengths, "input_lengths", n)
    tl = _ctc_lengths(xp, target_lengths, "target_lengths", n)
    if not 0 <= blank < n_cls:
        raise RuntimeError("blank must be in label range")
    for name, a in (("input_lengths", il), ("target_lengths", tl)):
        if a.size and int(a.min()) < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(a.min())}{_CTC_CHECK}")
    l_max = int(tl.max()) if tl.size else 0
    td = xp.asarray(td).astype(_I64)
    if td.ndim == 2:
        if td.shape[1] < l_max:
            raise RuntimeError(f"Expected tensor to have size at least {l_max} at dimension 1, "
                               f"but got size {td.shape[1]} for argument #2 'targets'"
                               f"{_CTC_CHECK}")
        padded = td[:, :l_max]
    else:
        total = int(tl.sum())
        if td.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {td.shape[0]} for argument #2 'targets'{_CTC_CHECK}")
        starts = xp.cumsum(tl) - tl
        pos = xp.minimum(starts[:, None] + xp.arange(l_max), max(total - 1, 0))
        padded = td[pos] if total else xp.zeros((n, l_max), _I64)
    if il.size and int(il.max()) > t_max:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got "
                           f"value {int(il.max())}{_CTC_CHECK}")
    in_label = xp.arange(l_max)[None, :] < tl[:, None]
    padded = xp.where(in_label, padded, blank)
    if padded.size and (int(padded.min()) < 0 or int(padded.max()) >= n_cls):
        raise RuntimeError(f"ctc_loss: targets must be class indices in [0, {n_cls})")
    ext = xp.full((n, 2 * l_max + 1), blank, _I64)
    ext[:, 1::2] = padded
    losses = CtcLoss.apply(log_probs, _make(ext), _make(il), _make(2 * tl + 1),
                           zero_infinity=bool(zero_infinity))
    if r == _MEAN:
        tlc = _make(xp.maximum(tl, 1).astype(lpd.dtype))
        return _red.mean(_pw.div(losses, tlc))
    if r == 2:
        return _red.sum(losses)
    return _sh.reshape(losses, ()) if unbatched else losses


__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div", "nll_loss",
           "cross_entropy", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
           "multi_margin_loss", "multilabel_margin_loss", "ctc_loss"]
