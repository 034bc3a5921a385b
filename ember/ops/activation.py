"""Activation functions: the functional forms behind ``ember.nn.functional`` (relu ... softmax).

Follows ``torch.nn.functional``: names, signatures, defaults, ``inplace=`` where PyTorch has
it, grad_fn names (``EluBackward0``, ``SoftmaxBackward0`` ...) and the errors for bad
arguments or integer inputs.

How the element-wise ones are built: each is one fused ``Function`` (a subclass of
``_Pointwise``) whose value ``f`` and derivative ``d`` are written once, with operators
and the math namespace ``ns``. The same formula then runs
  - on backend arrays (forward, and backward without create_graph: the training hot path;
    many-step formulas in cache-sized blocks; float16/bfloat16 computed in float32), and
  - on ember Tensors (backward with ``create_graph=True``), so double backward is exact.
Formulas select branches with masks multiplied in rather than ``where``, which NumPy runs
~10x slower on unpredictable masks; each select is written so infinities stay exact.

Softmax and log_softmax are fused (max-shifted, so any finite input is stable); their
backward is written with ember ops on the saved output and is itself differentiable.

Where ember differs: exact GELU on float32/float16/bfloat16 computes Phi from its own fit
of erfc (``_GELU_COEFS``: relative error < 2.2e-7 everywhere, including the far negative
tail where PyTorch's ``0.5*x*(1+erf)`` cancels to 0) instead of an erf, in ~22 passes over
cache-sized blocks with one exp, the derivative made in the same pass when a gradient is
wanted; float64 uses erf exactly as PyTorch. RReLU and gumbel_softmax draw
from ember's generator, so the random stream differs from PyTorch's. In-place
leaky_relu/elu with a negative slope is allowed (ember saves a copy of the input; PyTorch
raises at backward).
"""
import math
import warnings

from .. import backend
from .._dtype import get_default_dtype, to_dtype
from .._dtype import FLOATING_NP
from .._tensor import _make, _wrap_dim
from ..autograd.function import ArrayFunction
from . import pointwise as _pw
from .pointwise import apply_inplace, relu_, sigmoid, tanh, _to_dtype
from ._host_threads import in_two_threads, two_threads_ok
from ._common import (LEGACY_NAMES as _LEGACY, TENSOR_MATH as _TNS, array_math as _ns_for,
                      as_number as _num, check_tensor as _check_tensor, up as _up,
                      up_t as _up_t)

_gam = backend.get_array_module

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_BLOCK = 1 << 14   # elements per block: a formula's temporaries stay in L2 cache


# ---------------------------------------------------------------------------------------
# the math namespaces and blockwise evaluation

def _blockwise(fn, out_dtype, *arrays, blocked=True):
    """``fn(*arrays)`` cast to ``out_dtype``; on CPU with ``blocked``, large inputs go
    through in blocks of ``_BLOCK`` elements so the temporaries of a many-step formula stay
    in cache (~1.5-2x faster for those; slower for a formula of one or two steps)."""
    x = arrays[0]
    xp = _gam(x)
    n = x.size
    if not blocked or n <= 2 * _BLOCK or backend.device_type_of(x) != "cpu":
        return xp.asarray(fn(*[_up(a) for a in arrays])).astype(out_dtype, copy=False)
    flats = [xp.ascontiguousarray(a).reshape(-1) for a in arrays]
    out = xp.empty(n, out_dtype)
    for i in range(0, n, _BLOCK):
        out[i:i + _BLOCK] = fn(*[_up(f[i:i + _BLOCK]) for f in flats])
    return out.reshape(x.shape)


# Numerical Recipes' erfc (Chebyshev fit, fractional error < 1.2e-7 for z >= 0).
def _softplus(ns, x):
    """log(1 + e^x) without overflow."""
    return ns.maximum(x, 0) + ns.log1p(ns.exp(-ns.abs(x)))


# ---------------------------------------------------------------------------------------
# element-wise activations: one fused Function each

class _Pointwise(ArrayFunction):
    """An element-wise activation given by ``f(ns, x, **opts)`` and its derivative
    ``d(ns, x, **opts)`` (see the module docstring). Saves the input only. ``heavy``
    formulas (many steps) are evaluated blockwise."""

    heavy = False

    @staticmethod
    def f(ns, x, **opts):
        raise NotImplementedError

    @staticmethod
    def d(ns, x, **opts):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, **opts):
        ctx.opts = opts
        ctx.save_for_backward(x)
        ns, f = _ns_for(_gam(x)), cls.f
        return _blockwise(lambda a: f(ns, a, **opts), x.dtype, x, blocked=cls.heavy)

    @classmethod
    def backward(cls, ctx, g):
        x, = ctx.saved_tensors
        return _up_t(g) * cls.d(_TNS, _up_t(x), **ctx.opts)

    @classmethod
    def backward_arrays(cls, ctx, g):
        x, = ctx.saved_arrays
        opts = ctx.opts
        ns, d = _ns_for(_gam(x)), cls.d
        return _blockwise(lambda gb, xb: gb * d(ns, xb, **opts), x.dtype, g, x,
                          blocked=cls.heavy)


class Hardtanh(_Pointwise):
    @staticmethod
    def f(ns, x, lo, hi):
        return ns.clip(x, lo, hi)

    @staticmethod
    def d(ns, x, lo, hi):
        return ns.fmask(~((x <= lo) | (x >= hi)), x)


class LeakyRelu(_Pointwise):
    @staticmethod
    def f(ns, x, slope):
        if 0 < slope <= 1:   # the common case in two steps (exact, infinities included)
            return ns.maximum(x, x * slope)
        return ns.maximum(x, 0) + ns.minimum(x, 0) * slope

    @staticmethod
    def d(ns, x, slope):
        m = x > 0
        return ns.fmask(m, x) + ns.fmask(~m, x) * slope


class RreluWithNoise(LeakyRelu):
    """rrelu in evaluation mode: leaky_relu with the mean slope (PyTorch's node name)."""


class Elu(_Pointwise):
    """scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)); selu and celu too."""

    @staticmethod
    def f(ns, x, alpha, scale, input_scale):
        # clip, not maximum/minimum: it keeps x = -0.0, so elu(-0.0) is -0.0 as PyTorch's
        pos = ns.clip(x, 0, math.inf)
        if scale != 1:
            pos = pos * scale
        return pos + ns.expm1(ns.clip(x, -math.inf, 0) * input_scale) * (alpha * scale)

    @staticmethod
    def d(ns, x, alpha, scale, input_scale):
        m = x > 0
        neg = ns.exp(ns.minimum(x, 0) * input_scale) * (alpha * scale * input_scale)
        return ns.fmask(m, x) * scale + ns.fmask(~m, x) * neg


class Celu(Elu):
    pass


class Threshold(_Pointwise):
    """x if x > threshold else value (NaN passes through, as in PyTorch)."""

    @staticmethod
    def f(ns, x, threshold, value):
        le = x <= threshold
        return ns.maximum(x, threshold) * ns.fmask(~le, x) + ns.fmask(le, x) * value

    @staticmethod
    def d(ns, x, threshold, value):
        return ns.fmask(~(x <= threshold), x)


class Hardshrink(_Pointwise):
    @staticmethod
    def f(ns, x, lambd):
        return x * ns.fmask(~(ns.abs(x) <= lambd), x)

    @staticmethod
    def d(ns, x, lambd):
        return ns.fmask(~(ns.abs(x) <= lambd), x)


class Softshrink(_Pointwise):
    @staticmethod
    def f(ns, x, lambd):
        return x - ns.clip(x, -lambd, lambd)

    @staticmethod
    def d(ns, x, lambd):
        return ns.fmask(~(ns.abs(x) <= lambd), x)


class Hardsigmoid(_Pointwise):
    @staticmethod
    def f(ns, x):
        return ns.clip(x + 3.0, 0.0, 6.0) / 6.0

    @staticmethod
    def d(ns, x):
        return ns.fmask((x > -3.0) & (x < 3.0), x) * (1.0 / 6.0)


class Hardswish(_Pointwise):
    @staticmethod
    def f(ns, x):
        return x * ns.clip(x + 3.0, 0.0, 6.0) / 6.0

    @staticmethod
    def d(ns, x):   # PyTorch: 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
        mid = ns.fmask((x > -3.0) & (x < 3.0), x)
        return mid * (x / 3.0 + 0.5) + ns.fmask(x >= 3.0, x)


class Silu(_Pointwise):
    heavy = True

    @staticmethod
    def f(ns, x):
        return x / (1.0 + ns.exp(-x))

    @staticmethod
    def d(ns, x):
        s = ns.sigmoid(x)
        return s * (1.0 + x * (1.0 - s))


class Mish(_Pointwise):
    heavy = True

    @staticmethod
    def f(ns, x):
        return x * ns.tanh(_softplus(ns, x))

    @staticmethod
    def d(ns, x):
        t = ns.tanh(_softplus(ns, x))
        return t + x * ns.sigmoid(x) * (1.0 - t * t)


class Softplus(_Pointwise):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""

    heavy = True

    @staticmethod
    def f(ns, x, beta, threshold):
        z = x * beta
        return ns.where(z > threshold, x, _softplus(ns, z) / beta)

    @staticmethod
    def d(ns, x, beta, threshold):
        z = x * beta
        m = z > threshold
        return ns.fmask(m, x) + ns.fmask(~m, x) * ns.sigmoid(z)


class LogSigmoid(_Pointwise):
    heavy = True

    @staticmethod
    def f(ns, x):
        return ns.minimum(x, 0) - ns.log1p(ns.exp(-ns.abs(x)))

    @staticmethod
    def d(ns, x):
        return ns.sigmoid(-x)


# Exact GELU in float32 (float16/bfloat16 computed in float32): q = Phi(-|x|) from one
# exp, q = t * P(t) * exp(-x^2/2) / sqrt(2 pi) with t = 1 / (1 + _GELU_P |x| / sqrt 2) and P
# of degree 7, fitted here to erfc(z) e^(z^2) / t (relative error < 2.2e-7 on 0 <= z <= 10,
# so q stays accurate relative to its size in the far negative tail). Coefficients are
# scaled by sqrt(pi/2) so that the same exp(-x^2/2)/sqrt(2 pi) also gives phi(x) for the
# derivative. GELU(x) = max(x, 0) - |x| q (exact in both tails); its derivative
# Phi(x) + x phi(x) = 0.5 + sign(x) (0.5 - q + |x| phi(x)).
_GELU_P = 0.59 * _SQRT1_2
_GELU_INV_P = 1.0 / _GELU_P
_GELU_COEFS = tuple(c * math.sqrt(0.5 * math.pi) for c in (
    -0.08697367505737222, 0.4034149195704003, -0.6633698519703587, 0.33158126402519283,
    0.05750436668381581, 0.29392922624592477, 0.33096260290235163, 0.33295111524424986))
_GELU_LOG_INV_SQRT_2PI = math.log(_INV_SQRT_2PI)
# |x| beyond this has q = 0 in float32; larger |x| are clipped to it (so inf * 0 never
# appears) and infinities are given PyTorch's values afterwards.
_GELU_CLIP = 20.0
# GELU's blocks: its ~5 block-sized float32 temporaries (640 KB) stay in a 1 MB L2; fwd+bwd
# of 4M elements took ~35 ms CPU at 32K against ~37 ms at 16K (per-call overhead) and ~47 at 8K.
_GELU_BLOCK = 1 << 15
# From GELU_SPLIT_MIN elements on a quiet machine the two halves run on two threads, in
# blocks of _GELU_SPLIT_BLOCK: with 32K blocks the threads queue for the GIL between ufunc
# calls of a few microseconds (4M fwd+bwd: 47 ms against 46 on one thread), with 128K
# blocks they do not (30 ms).
GELU_SPLIT_MIN = 1 << 19
_GELU_SPLIT_BLOCK = 1 << 17


def _gelu_f32_block(xp, x, y, d):
    """GELU of the 1-D float32 block ``x`` into ``y`` (any float dtype) and, when ``d`` is
    given, its derivative into ``d`` (float32): ~22 passes over the block and one exp
    (PyTorch's values at +-inf and nan).

    NumPy's float32 ``copysign``, ``reciprocal`` and ``maximum`` against a scalar run slow
    loops here (measured on a 32K block, one core: 28, 10.5 and 21 us against ~5-7 us for
    an integer and/or, a divide or an add), so the derivative's sign comes from the sign bit
    (the magnitude 0.5 - q + |x| phi is >= 0, so OR-ing x's sign bit into it is copysign),
    relu(x) is the array method ``clip(0, inf)`` (5.0 us on 32K, against 6.6 for
    (x + |x|) / 2 and 13.5 for ``maximum``) and t = (1/p) / (|x| + 1/p) a divide."""
    a = xp.abs(x)
    big = not a.max() <= _GELU_CLIP      # also true for a nan
    if big:
        xp.minimum(a, _GELU_CLIP, out=a)
    t = a + _GELU_INV_P
    xp.divide(_GELU_INV_P, t, out=t)  # 1 / (1 + p |x|) in two passes
    c = _GELU_COEFS
    q = t * c[0]
    for k in c[1:]:
        q += k
        q *= t
    e = a * -0.5
    e *= a
    e += _GELU_LOG_INV_SQRT_2PI
    xp.exp(e, out=e)                # phi(|x|)
    q *= e                          # Phi(-|x|)
    if d is not None:
        xp.subtract(0.5, q, out=d)
        e *= a
        d += e
        bits, sign = d.view(xp.int32), t.view(xp.int32)   # t is free after the polynomial
        xp.bitwise_and(x.view(xp.int32), _SIGN_BIT, out=sign)
        bits |= sign
        d += 0.5
    q *= a
    relu = x.clip(0.0, math.inf, out=a)   # keeps -0.0: gelu(-0.0) = -0.0, as x * Phi(x)
    if y.dtype == x.dtype:
        xp.subtract(relu, q, out=y)
    else:
        y[...] = relu - q
    if big:                         # PyTorch: gelu(-inf) = nan, gelu'(+-inf) = nan
        inf = xp.isinf(x)
        y[inf & (x < 0)] = xp.nan
        if d is not None:
            d[inf] = xp.nan


# the float32 sign bit as an int32 (for ``bitwise_and`` with a float32 array's int32 view)
_SIGN_BIT = -(1 << 31)


def _gelu_exact(x, want_d):
    """(GELU(x), its derivative or None) for a float32/float16/bfloat16 array, blockwise
    on CPU so the temporaries stay in cache; the derivative in float32."""
    xp = _gam(x)
    flat = xp.ascontiguousarray(x).reshape(-1)
    n = flat.size
    y = xp.empty(n, x.dtype)
    d = xp.empty(n, _up(flat[:0]).dtype) if want_d else None
    split = two_threads_ok(flat, n, GELU_SPLIT_MIN)
    step = ((_GELU_SPLIT_BLOCK if split else _GELU_BLOCK)
            if backend.device_type_of(x) == "cpu" else max(n, 1))

    def work(lo, hi):
        for i in range(lo, hi, step):
            j = min(i + step, hi)
            _gelu_f32_block(xp, _up(flat[i:j]), y[i:j], None if d is None else d[i:j])
    in_two_threads(work, n, split)
    return y.reshape(x.shape), (None if d is None else d.reshape(x.shape))


class Gelu(_Pointwise):
    """Exact GELU in float32/float16/bfloat16 runs ``_gelu_exact``: one exp gives Phi and
    phi together, and the derivative is computed in forward when a gradient is wanted
    (one float32 input-sized array held until backward; backward is then one multiply).
    float64 and the tanh form use the formulas below (PyTorch's, erf from SciPy)."""

    heavy = True

    @classmethod
    def forward(cls, ctx, x, approximate):
        if approximate == "tanh" or x.dtype.itemsize == 8:
            return super().forward(ctx, x, approximate=approximate)
        ctx.opts = {"approximate": approximate}
        want = bool(ctx.needs_input_grad)
        y, d = _gelu_exact(x, want)
        if want:
            ctx.save_for_backward(x)
            ctx.deriv = d
        return y

    @classmethod
    def backward_arrays(cls, ctx, g):
        d = ctx.__dict__.pop("deriv", None)
        if d is None:
            return super().backward_arrays(ctx, g)
        x, = ctx.saved_arrays
        xp = _gam(x)
        if x.dtype == d.dtype and g.dtype == d.dtype:
            return xp.multiply(g, d, out=d)
        return (_up(g) * d).astype(x.dtype, copy=False)

    @staticmethod
    def f(ns, x, approximate):
        if approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
            return 0.5 * x * (1.0 + ns.tanh(inner))
        return x * ns.ndtr(x)

    @staticmethod
    def d(ns, x, approximate):
        if approximate == "tanh":
            x2 = x * x
            t = ns.tanh((x + x2 * x * 0.044715) * _SQRT_2_OVER_PI)
            left = 0.5 * (1.0 + t)
            right = 0.5 * x * (1.0 - t * t) * ((1.0 + x2 * (3.0 * 0.044715)) * _SQRT_2_OVER_PI)
            return left + right
        return ns.ndtr(x) + x * ns.exp(x * x * -0.5) * _INV_SQRT_2PI


# ---------------------------------------------------------------------------------------
# helpers of the functional layer

def _require_float(input, kernel):
    """PyTorch's dtype-dispatch error for integer/bool inputs to float-only kernels."""
    if input._data.dtype not in FLOATING_NP:
        name = input.dtype.name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_LEGACY.get(name, name)}\'')


def _run(cls, input, inplace, **opts):
    """Apply ``cls`` to ``input``, or write the result into ``input`` when ``inplace``."""
    if inplace:
        cls = cls.__dict__.get("_inplace", cls)
        return apply_inplace(input, lambda t: cls.apply(t, **opts))
    return cls.apply(input, **opts)


def _inplace_node_names(*classes):
    """PyTorch names the node of some in-place forms ``...Backward1`` (elu_, leaky_relu_ ...):
    give each class an in-place twin that differs only in that name."""
    for cls in classes:
        cls._inplace = type(cls.__name__ + "_", (cls,), {
            "node_name": cls.node_name[:-1] + "1", "__module__": cls.__module__,
            "__doc__": f"In-place form of {cls.__name__}."})


# ---------------------------------------------------------------------------------------
# functional forms

def _threshold(input, threshold, value, inplace=False):
    """``F.threshold``: y = x if x > threshold else value (integer inputs stay integer)."""
    _check_tensor(input, "threshold")
    return _run(Threshold, input, inplace, threshold=_num(threshold), value=_num(value))


threshold = _threshold   # (the argument named threshold hides the function inside it)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


def relu(input, inplace=False):
    """``F.relu``; the op itself is ``ember.relu`` (ReluBackward0)."""
    _check_tensor(input, "relu")
    return relu_(input) if inplace else _pw.relu(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _check_tensor(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _run(Hardtanh, input, inplace, lo=_num(min_val), hi=_num(max_val))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6): hardtanh(x, 0, 6), as PyTorch (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input, alpha=1.0, inplace=False):
    _check_tensor(input, "elu")
    _require_float(input, "elu_cpu")
    return _run(Elu, input, inplace, alpha=_num(alpha), scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with SELU's fixed constants (EluBackward0, as PyTorch)."""
    _check_tensor(input, "selu")
    _require_float(input, "elu_cpu")
    return _run(Elu, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    _check_tensor(input, "celu")
    _require_float(input, "elu_cpu")
    alpha = _num(alpha)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _run(Celu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_tensor(input, "leaky_relu")
    _require_float(input, "leaky_relu_cpu")
    return _run(LeakyRelu, input, inplace, slope=_num(negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: negative inputs scaled by a slope drawn from U(lower, upper)
    per element in training (ember's generator), by (lower + upper) / 2 in evaluation."""
    _check_tensor(input, "rrelu")
    _require_float(input, "leaky_relu_cpu")
    lower, upper = _num(lower), _num(upper)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _run(RreluWithNoise, input, inplace, slope=(lower + upper) / 2)
    from .creation import rand
    x = input._data
    u = rand(x.shape, device=input.device)._data
    pos = x > 0
    noise = pos + (~pos) * (lower + (upper - lower) * u)   # float32 slopes
    return _run(_RreluTrain, input, inplace, noise=noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


class _RreluTrain(ArrayFunction):
    """x * noise with per-element slopes drawn by ``rrelu``; the gradient is g * noise."""

    node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx, x, noise=None):
        ctx.save_for_backward(noise)   # a constant: not an input or output
        return (_up(x) * noise).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        noise, = ctx.saved_tensors
        return _pw.mul(_up_t(g), noise)


_inplace_node_names(Elu, Celu, LeakyRelu, Threshold, RreluWithNoise, _RreluTrain)


def glu(input, dim=-1):
    """``F.glu``: a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    _check_tensor(input, "glu")
    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    _require_float(input, "glu_cpu")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    return Glu.apply(input, dim=d)


class Glu(ArrayFunction):
    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        ctx.save_for_backward(x)
        xp = _gam(x)
        h = x.shape[dim] // 2
        lead = (slice(None),) * dim
        a, b = _up(x[lead + (slice(0, h),)]), _up(x[lead + (slice(h, None),)])
        return (a / (1.0 + xp.exp(-b))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        from .shape import cat, narrow
        d = ctx.dim
        h = x._data.shape[d] // 2
        x = _up_t(x)
        a, b = narrow(x, d, 0, h), narrow(x, d, h, h)
        s = sigmoid(b)
        ga = _up_t(g) * s
        return cat([ga, ga * a * (1.0 - s)], d)


def prelu(input, weight):
    """``F.prelu``: max(0, x) + weight * min(0, x), ``weight`` (1 or C values) applied over
    channel dim 1 (a 0-d or 1-d input has one channel)."""
    _check_tensor(input, "prelu")
    _require_float(input, "prelu_cpu")
    if weight._data.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight._data.ndim}")
    nd = input._data.ndim
    channels = input._data.shape[1] if nd >= 2 else 1
    n = weight._data.size
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    if n == 1:
        w = weight.reshape(())
    else:
        w = weight.reshape((n,) + (1,) * (nd - 2))
    return PreluKernel.apply(input, w)


class PreluKernel(ArrayFunction):
    """x if x > 0 else w * x, ``w`` broadcast against ``x``; backward in ember ops."""

    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        xp = _gam(x)
        xu = _up(x)
        return (xp.maximum(xu, 0) + xp.minimum(xu, 0) * _up(w)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xu, g = _up_t(x), _up_t(g)
        gx = gw = None
        if need[0]:
            m = _make(xu._data > 0)
            gx = g * (_TNS.fmask(m, xu) + _TNS.fmask(~m, xu) * _up_t(w))
        if need[1]:
            gw = g * _pw.clamp(xu, max=0)   # the engine sums it down to w's shape
        return gx, gw


def logsigmoid(input):
    _check_tensor(input, "logsigmoid")
    _require_float(input, "log_sigmoid_cpu")
    return LogSigmoid.apply(input)


def gelu(input, approximate="none"):
    """``F.gelu``: x * Phi(x), or PyTorch's tanh approximation with ``approximate='tanh'``."""
    _check_tensor(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _require_float(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate=approximate)


def hardshrink(input, lambd=0.5):
    _check_tensor(input, "hardshrink")
    _require_float(input, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd=_num(lambd))


def softshrink(input, lambd=0.5):
    _check_tensor(input, "softshrink")
    _require_float(input, "softshrink_check")
    lambd = _num(lambd)
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{_pw._legacy_name(input)}, but found {lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def tanhshrink(input):
    """x - tanh(x) (a composite, SubBackward0 as in PyTorch)."""
    return _pw.sub(input, tanh(input))


def softsign(input):
    """x / (1 + |x|) (a composite, DivBackward0 as in PyTorch)."""
    return _pw.div(input, _pw.add(_pw.abs(input), 1))


def softplus(input, beta=1.0, threshold=20.0):
    _check_tensor(input, "softplus")
    _require_float(input, "softplus_cpu")
    return Softplus.apply(input, beta=_num(beta), threshold=_num(threshold))


def hardsigmoid(input, inplace=False):
    _check_tensor(input, "hardsigmoid")
    _require_float(input, "hardsigmoid_cpu")
    return _run(Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    _check_tensor(input, "hardswish")
    _require_float(input, "hardswish_cpu")
    return _run(Hardswish, input, inplace)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish)."""
    _check_tensor(input, "silu")
    _require_float(input, "silu_cpu")
    return _run(Silu, input, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    _check_tensor(input, "mish")
    _require_float(input, "mish_cpu")
    return _run(Mish, input, inplace)


# ---------------------------------------------------------------------------------------
# softmax family

class Softmax(ArrayFunction):
    """exp(x - max) / sum, along one dim; backward out * (g - sum(g * out))."""

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        a = _up(x)
        if a.ndim == 0:
            out = _gam(x).ones_like(a)
        elif a.size == 0:
            out = a.copy()
        else:
            e = a - a.max(axis=dim, keepdims=True)
            _gam(x).exp(e, out=e)
            e /= e.sum(axis=dim, keepdims=True)
            out = e
        out = out.astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        out, g = _up_t(out), _up_t(g)
        dim = ctx.dim if out._data.ndim else ()
        go = g * out
        return go - out * go.sum(dim, keepdim=True)


class LogSoftmax(ArrayFunction):
    """x - max - log(sum(exp(x - max))); backward g - exp(out) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        a = _up(x)
        xp = _gam(x)
        if a.ndim == 0:
            out = xp.zeros_like(a)
        elif a.size == 0:
            out = a.copy()
        else:
            s = a - a.max(axis=dim, keepdims=True)
            s -= xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
            out = s
        out = out.astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        out, g = _up_t(out), _up_t(g)
        dim = ctx.dim if out._data.ndim else ()
        return g - _pw.exp(out) * g.sum(dim, keepdim=True)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_impl(cls, name, input, dim, dtype):
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    if dtype is not None:
        input = _to_dtype(input, to_dtype(dtype))
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    if x.dtype not in FLOATING_NP:
        last = "_lastdim" if d == x.ndim - 1 or x.ndim == 0 else ""
        _require_float(input, f"{name}{last}_kernel_impl")
    return cls.apply(input, dim=d)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmax`` along ``dim`` (``dim=None``: PyTorch's legacy implicit choice, with its
    deprecation warning); ``dtype`` casts the input first."""
    _check_tensor(input, "softmax")
    if dim is None:
        dim = _get_softmax_dim("softmax", input._data.ndim, _stacklevel)
    return _softmax_impl(Softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.log_softmax``: log(softmax(x)) computed stably, fused."""
    _check_tensor(input, "log_softmax")
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input._data.ndim, _stacklevel)
    return _softmax_impl(LogSoftmax, "log_softmax", input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) (SoftmaxBackward0, as PyTorch)."""
    _check_tensor(input, "softmin")
    if dim is None:
        dim = _get_softmax_dim("softmin", input._data.ndim, _stacklevel)
    if dtype is not None:
        input = _to_dtype(input, to_dtype(dtype))
    return _softmax_impl(Softmax, "softmax", _pw.neg(input), dim, None)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """``F.gumbel_softmax``: softmax((logits + Gumbel noise) / tau); with ``hard=True`` the
    one-hot of its argmax, differentiated as the soft sample (straight-through).
    The noise comes from ember's generator (a different stream than PyTorch's)."""
    from .creation import rand, zeros_like
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    u = rand(logits.shape, dtype=to_dtype("float64"), device=logits.device)._data
    xp = _gam(u)
    e = -xp.log1p(-u)                           # Exp(1) samples; 0 only when u == 0
    e = xp.maximum(e, 1e-300)                   # keep the Gumbel noise -log(e) finite
    dt = logits._data.dtype if logits._data.dtype in FLOATING_NP else get_default_dtype().np
    gumbels = _make((-xp.log(e)).astype(dt))
    y_soft = softmax(_pw.div(_pw.add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return _pw.add(_pw.sub(y_hard, y_soft.detach()), y_soft)


# Tensor methods and torch-level functions (``x.softmax(dim)``, ``ember.softmax(x, dim)``):
# dim is required there, and the third positional argument is dtype.

def tensor_softmax(input, dim, dtype=None):
    """``torch.softmax`` / ``Tensor.softmax``."""
    return _softmax_impl(Softmax, "softmax", input, dim, dtype)


def tensor_log_softmax(input, dim, dtype=None):
    """``torch.log_softmax`` / ``Tensor.log_softmax``."""
    return _softmax_impl(LogSoftmax, "log_softmax", input, dim, dtype)


tensor_softmax.__name__, tensor_log_softmax.__name__ = "softmax", "log_softmax"

# Tensor methods whose name differs from the function bound (see _tensor_methods.attach).
METHOD_ALIASES = {"softmax": tensor_softmax, "log_softmax": tensor_log_softmax,
                  "hardshrink": hardshrink, "prelu": prelu}

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "glu", "hardtanh", "hardtanh_", "relu6", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu",
    "rrelu_", "logsigmoid", "gelu", "hardshrink", "tanhshrink", "softsign", "softplus",
    "softmin", "softmax", "gumbel_softmax", "log_softmax", "softshrink", "tanh", "sigmoid",
    "hardsigmoid", "silu", "mish", "hardswish",
]
