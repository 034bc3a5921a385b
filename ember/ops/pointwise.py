"""Pointwise ops: arithmetic, unary math, comparisons, logical and bitwise ops, in-place forms.

Binary ops broadcast and follow PyTorch's type promotion (``Function.promotes``), so
``int_tensor + 2.5`` is float32 and a 0-d float64 tensor does not widen a float32 one.
Unary float functions (exp, sin, ...) turn integer inputs into the default float dtype.
"""
import math

import numpy

from .. import backend
from .._dtype import get_default_dtype, NP_TO_DTYPE, result_type, to_dtype
from .._dtype import BOOL_NP, COMPLEX_NP, DIFFERENTIABLE_NP, EXACT_NP, FLOATING_NP, INTEGRAL_NP
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction, _bump
from ..autograd.dispatch import _top as _mode_top
from ..autograd.grad_mode import _state
from ..autograd._dual_level import level as _fw_level
from .._convert import ToCopy, to_dtype as _to_dtype  # noqa: F401  (re-exported here)
from ._common import no_grad_op, write_out as _out

_gam = backend.get_array_module
_F32_F64 = frozenset((numpy.dtype("float32"), numpy.dtype("float64")))
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ---------------------------------------------------------------------------------------
# helpers

def _float_input(x):
    """Integer/bool tensors become the default float dtype, as PyTorch's float ops do."""
    if x._data.dtype in DIFFERENTIABLE_NP:
        return x
    return _to_dtype(x, get_default_dtype())


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    return tensor(x, device=like.device if like is not None else None)


def scalar_like(value, like):
    """A Python number as a 0-d tensor: used for reflected operators (``2 / t``)."""
    if isinstance(value, Tensor):
        return value
    from .creation import tensor
    d = result_type(value)
    return tensor(value, dtype=d, device=like.device)


def _zeros_like(g):
    return _make(_gam(g._data).zeros_like(g._data))


# ---------------------------------------------------------------------------------------
# binary arithmetic

class Add(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    @staticmethod
    def backward_arrays(ctx, g):
        return g, g


class Sub(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, neg(g)

    @staticmethod
    def backward_arrays(ctx, g):
        return g, _arr(-g)


class Mul(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if g._data.dtype in COMPLEX_NP:
            # PyTorch's convention for complex: grad_a = g * conj(b)
            a, b = _conj_any(a), _conj_any(b)
        return (mul(g, b) if need[0] else None), (mul(g, a) if need[1] else None)

    @staticmethod
    def backward_arrays(ctx, g):
        # the same products on arrays: no Tensor ops (and their apply calls) in between
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        if g.dtype in COMPLEX_NP:
            a, b = a.conjugate(), b.conjugate()
        return (_arr(g * b) if need[0] else None), (_arr(g * a) if need[1] else None)


def _arr(x):
    """An array from an array operation (a NumPy scalar when both operands were 0-d)."""
    return backend.as_array(x) if isinstance(x, backend.generic) else x


class Div(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if g._data.dtype in COMPLEX_NP:
            a, b = _conj_any(a), _conj_any(b)     # grad_a = g / conj(b), as PyTorch's
        ga = div(g, b) if need[0] else None
        gb = neg(div(mul(g, a), mul(b, b))) if need[1] else None
        return ga, gb


def _pow_scalar_exponent(a, b):
    """``a ** b`` for a Python-number exponent, rounding as PyTorch's CPU kernel does.

    torch computes a real float32/float64 tensor to the power 3 as ``x*x*x``, -2 as
    ``1/(x*x)`` and -0.5 as ``1/sqrt(x)`` (NumPy's ``power`` rounds differently, by up
    to 1 ulp, which double backward of ``x**4`` and L-BFGS runs amplify).
    """
    if a.dtype in _F32_F64:
        if b == 3:
            return a * a * a
        if b == -2:
            return 1 / (a * a)
        if b == -0.5:
            return 1 / _gam(a).sqrt(a)
    return a ** b


class Pow(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        out = _pow_scalar_exponent(a, b) if b.__class__ in (int, float) else a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            # d/da a**b = b * a**(b-1); where b == 0 the gradient is 0 (PyTorch masks it).
            if isinstance(b, Tensor):
                ga = mul(g, _conj_if_complex(mul(b, pow(a, sub(b, 1)))))
                ga = where(eq(b, 0), _zeros_like(ga), ga)
            elif b == 0:
                ga = _zeros_like(g)
            else:
                ga = mul(g, _conj_if_complex(mul(pow(a, b - 1), b)))
        if need[1]:
            # d/db a**b = a**b * log(a); at a == 0 (and b >= 0) PyTorch gives 0, not nan.
            gb = mul(g, _conj_if_complex(mul(out, log(a))))
            gb = where(logical_and(eq(a, 0), ge(b, 0)), _zeros_like(gb), gb)
        return ga, gb


def _conj_if_complex(d):
    """A derivative as PyTorch's backward uses it: conjugated for complex values."""
    return conj(d) if d._data.dtype in COMPLEX_NP else d


class Atan2(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _gam(a).arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        denom = add(mul(a, a), mul(b, b))
        return div(mul(g, b), denom), neg(div(mul(g, a), denom))


class Maximum(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _gam(a).maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_ties(g, gt(a, b), eq(a, b))


class Minimum(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _gam(a).minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _split_ties(g, lt(a, b), eq(a, b))


def _split_ties(g, a_wins, tie):
    """Gradient of max/min of two tensors: to the winner, halved on ties (as PyTorch)."""
    halved = mul(g, 0.5)
    zero = _zeros_like(g)
    ga = where(a_wins, g, where(tie, halved, zero))
    gb = where(a_wins, zero, where(tie, halved, g))
    return ga, gb


def _check_integer_divisor(a, b):
    """Integer ``//``, ``%`` and fmod by zero raise as PyTorch's do (NumPy silently gives 0);
    floating division keeps its inf/nan."""
    arr = a if hasattr(a, "dtype") else b
    if arr.dtype not in INTEGRAL_NP or getattr(a, "size", 1) == 0:
        return                       # (an empty result divides nothing, as in torch)
    if not b.all() if hasattr(b, "all") else b == 0:
        raise RuntimeError("ZeroDivisionError")


class FloorDivide(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b)
        return _gam(a).floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g), _zeros_like(g)


class Remainder(ArrayFunction):
    """Python-style modulo (sign of the divisor), ``torch.remainder``."""

    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b)
        ctx.save_for_backward(a, b)
        return _gam(a).mod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = mul(neg(g), floor_divide(a, b)) if ctx.needs_input_grad[1] else None
        return g, gb


class Fmod(ArrayFunction):
    """C-style modulo (sign of the dividend), ``torch.fmod``."""

    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b)
        ctx.save_for_backward(a, b)
        return _gam(a).fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = mul(neg(g), trunc(div(a, b))) if ctx.needs_input_grad[1] else None
        return g, gb


def _alpha(other, alpha):
    if alpha == 1:
        return other
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add(input, other, *, alpha=1, out=None):
    """``torch.add(input, other, alpha=1)``: input + alpha * other."""
    res = Add.apply(input, other if alpha == 1 else _alpha(other, alpha))
    return res if out is None else _out(res, out)


def sub(input, other, *, alpha=1, out=None):
    if input._data.dtype in BOOL_NP and isinstance(other, Tensor) and other._data.dtype in BOOL_NP:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    res = Sub.apply(input, other if alpha == 1 else _alpha(other, alpha))
    return res if out is None else _out(res, out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    return Sub.apply(scalar_like(other, input) if not isinstance(other, Tensor) else other,
                     _alpha(input, alpha))


def mul(input, other, *, out=None):
    res = Mul.apply(input, other)
    return res if out is None else _out(res, out)


multiply = mul


def _int_to_float_args(a, b):
    exact_a = a._data.dtype in EXACT_NP if isinstance(a, Tensor) else not isinstance(a, float)
    exact_b = b._data.dtype in EXACT_NP if isinstance(b, Tensor) else not isinstance(b, float)
    if exact_a and exact_b:
        d = get_default_dtype()
        a = _to_dtype(a, d) if isinstance(a, Tensor) else float(a)
        b = _to_dtype(b, d) if isinstance(b, Tensor) else float(b)
    return a, b


def div(input, other, *, rounding_mode=None, out=None):
    """``torch.div``: true division (ints give floats), or 'trunc' / 'floor' rounding."""
    if rounding_mode is None:
        input, other = _int_to_float_args(input, other)
        return _out(Div.apply(input, other), out)
    if rounding_mode == "floor":
        return _out(floor_divide(input, other), out)
    if rounding_mode == "trunc":
        if _is_integral(input) and _is_integral(other):
            q = FloorDivide.apply(input, other)
            r = Fmod.apply(input, other)
            # floor and trunc differ when the remainder is non-zero and the signs differ.
            fix = logical_and(ne(Remainder.apply(input, other), 0), ne(r, Remainder.apply(input, other)))
            return _out(where(fix, add(q, 1), q), out)
        return _out(trunc(Div.apply(input, other)), out)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


divide = div


def true_divide(input, other):
    return div(input, other)


def _is_integral(x):
    if isinstance(x, Tensor):
        return x._data.dtype in EXACT_NP
    return isinstance(x, int)


def floor_divide(input, other):
    return FloorDivide.apply(input, other)


def remainder(input, other):
    return Remainder.apply(input, other)


def fmod(input, other):
    return Fmod.apply(input, other)


def pow(input, exponent):
    """``torch.pow``: a tensor or Python number raised to a tensor or Python number."""
    if not isinstance(input, Tensor):
        input = scalar_like(input, exponent)
    if (input._data.dtype in INTEGRAL_NP and not isinstance(exponent, Tensor)
            and isinstance(exponent, int) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if (isinstance(exponent, Tensor) and input._data.dtype in INTEGRAL_NP
            and exponent._data.dtype in INTEGRAL_NP and bool((exponent._data < 0).any())):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return Pow.apply(input, exponent)


def float_power(input, exponent):
    from .._dtype import float64
    inp = _to_dtype(_as_tensor(input), float64)
    exp = _to_dtype(exponent, float64) if isinstance(exponent, Tensor) else float(exponent)
    return Pow.apply(inp, exp)


def atan2(input, other):
    input, other = _int_to_float_args(input, other)
    return Atan2.apply(input, other)


arctan2 = atan2


def maximum(input, other):
    return Maximum.apply(input, other)


def minimum(input, other):
    return Minimum.apply(input, other)


def fmax(input, other):
    return Maximum.apply(input, other)


def fmin(input, other):
    return Minimum.apply(input, other)


# ---------------------------------------------------------------------------------------
# unary math

def _unary(name, fwd, bwd, saves="input", float_only=True, doc=None):
    """Build a unary Function class and its function; ``bwd(g, x, out)`` gives the gradient."""

    def forward(ctx, x):
        out = fwd(_gam(x), x)
        if saves == "input":
            ctx.save_for_backward(x)
        elif saves == "output":
            ctx.save_for_backward(out)
        return out

    def backward(ctx, g):
        saved = ctx.saved_tensors
        x = saved[0] if saves == "input" else None
        out = saved[0] if saves == "output" else None
        if g._data.dtype in COMPLEX_NP:
            # PyTorch's convention for complex inputs: g * conj(f'(z)), and ``bwd`` is
            # g * f'(z), linear in g: conj(bwd(conj(g)))
            return conj(bwd(conj(g), x, out))
        return bwd(g, x, out)

    cls = type(name, (ArrayFunction,), {"forward": staticmethod(forward),
                                    "backward": staticmethod(backward),
                                    "__module__": __name__,
                                    "__doc__": doc or f"``torch.{name.lower()}``"})
    if float_only:
        def fn(input, *, out=None):
            return _out(cls.apply(_float_input(input)), out)
    else:
        def fn(input, *, out=None):
            return _out(cls.apply(input), out)
    fn.__name__ = name.lower()
    fn.__doc__ = cls.__doc__
    return cls, fn


def _g_times(expr):
    return lambda g, x, out: mul(g, expr(x, out))


Exp, exp = _unary("Exp", lambda xp, x: xp.exp(x), lambda g, x, o: mul(g, o), "output")
Exp2, exp2 = _unary("Exp2", lambda xp, x: xp.exp2(x), lambda g, x, o: mul(g, mul(o, _LN2)), "output")
Expm1, expm1 = _unary("Expm1", lambda xp, x: xp.expm1(x), lambda g, x, o: mul(g, add(o, 1)), "output")
Log, log = _unary("Log", lambda xp, x: xp.log(x), lambda g, x, o: div(g, x))
Log2, log2 = _unary("Log2", lambda xp, x: xp.log2(x), lambda g, x, o: div(g, mul(x, _LN2)))
Log10, log10 = _unary("Log10", lambda xp, x: xp.log10(x), lambda g, x, o: div(g, mul(x, _LN10)))
Log1p, log1p = _unary("Log1p", lambda xp, x: xp.log1p(x), lambda g, x, o: div(g, add(x, 1)))
Sqrt, sqrt = _unary("Sqrt", lambda xp, x: xp.sqrt(x), lambda g, x, o: div(g, mul(o, 2)), "output")
Rsqrt, rsqrt = _unary("Rsqrt", lambda xp, x: 1 / xp.sqrt(x),
                      lambda g, x, o: mul(g, mul(pow(o, 3), -0.5)), "output")
Sin, sin = _unary("Sin", lambda xp, x: xp.sin(x), _g_times(lambda x, o: cos(x)))
Cos, cos = _unary("Cos", lambda xp, x: xp.cos(x), _g_times(lambda x, o: neg(sin(x))))
Tan, tan = _unary("Tan", lambda xp, x: xp.tan(x), _g_times(lambda x, o: add(mul(o, o), 1)), "output")
Asin, asin = _unary("Asin", lambda xp, x: xp.arcsin(x),
                    lambda g, x, o: div(g, sqrt(rsub(mul(x, x), 1))))
Acos, acos = _unary("Acos", lambda xp, x: xp.arccos(x),
                    lambda g, x, o: neg(div(g, sqrt(rsub(mul(x, x), 1)))))
Atan, atan = _unary("Atan", lambda xp, x: xp.arctan(x), lambda g, x, o: div(g, add(mul(x, x), 1)))
Sinh, sinh = _unary("Sinh", lambda xp, x: xp.sinh(x), _g_times(lambda x, o: cosh(x)))
Cosh, cosh = _unary("Cosh", lambda xp, x: xp.cosh(x), _g_times(lambda x, o: sinh(x)))
Asinh, asinh = _unary("Asinh", lambda xp, x: xp.arcsinh(x),
                      lambda g, x, o: div(g, sqrt(add(mul(x, x), 1))))
Acosh, acosh = _unary("Acosh", lambda xp, x: xp.arccosh(x),
                      lambda g, x, o: div(g, mul(sqrt(sub(x, 1)), sqrt(add(x, 1)))))
Atanh, atanh = _unary("Atanh", lambda xp, x: xp.arctanh(x),
                      lambda g, x, o: div(g, rsub(mul(x, x), 1)))
Tanh, tanh = _unary("Tanh", lambda xp, x: xp.tanh(x), _g_times(lambda x, o: rsub(mul(o, o), 1)),
                    "output")
Reciprocal, reciprocal = _unary("Reciprocal", lambda xp, x: 1 / x,
                                _g_times(lambda x, o: neg(mul(o, o))), "output")
Erf, erf = _unary("Erf", lambda xp, x: backend.erf(xp, x),
                  _g_times(lambda x, o: mul(exp(neg(mul(x, x))), 2.0 / math.sqrt(math.pi))))


def _sigmoid_fwd(xp, x):
    # 1 / (1 + e^-x): for very negative x, e^-x overflows to inf and the result is the
    # correct 0 (overflow warnings are off, see backend), so no branch is needed.
    out = xp.negative(x, out=xp.empty_like(x))   # out= keeps 0-d results arrays
    xp.exp(out, out=out)
    out += 1
    return xp.reciprocal(out, out=out)


Sigmoid, sigmoid = _unary("Sigmoid", _sigmoid_fwd,
                          _g_times(lambda x, o: mul(o, rsub(o, 1))), "output")


class Neg(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return neg(g)


def neg(input, *, out=None):
    if input._data.dtype in BOOL_NP:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply(input), out)


negative = neg


class Abs(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _gam(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if x._data.dtype in COMPLEX_NP:
            # sgn(x) = x / |x| (0 at 0), written with differentiable ops so that double
            # backward sees sgn's own derivative (sign's is zero: right for real x only)
            r = Abs.apply(x)
            return mul(g, div(x, where(eq(r, 0), 1.0, r)))
        return mul(g, sign(x))


def abs(input, *, out=None):
    return _out(Abs.apply(input), out)


absolute = abs


# relu of these dtypes is x.clip(0, inf): NumPy's float maximum against a scalar runs a
# slower loop than clip (measured, (16, 64, 512) float32, one core: 384 us against 134 us;
# 1M elements 1.0 ms against 0.34 ms), and clip keeps relu(-0.0) = -0.0 as PyTorch does
# (maximum gives +0.0), at every size. The array method skips np.clip's two Python frames
# of dispatch; on a 16-element array it still costs ~1 us more than maximum. ml_dtypes'
# floats (bfloat16, float8) clip in float32, cast back exactly.
_RELU_BY_CLIP = FLOATING_NP


class Relu(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        xp = _gam(x)
        if x.dtype in _RELU_BY_CLIP:
            out = x.clip(0, math.inf).astype(x.dtype, copy=False)
        else:
            out = xp.maximum(x, 0).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return where(le(out, 0), _zeros_like(g), g)     # a select, as backward_arrays

    @staticmethod
    def backward_arrays(ctx, g):
        # PyTorch's threshold_backward: 0 where out <= 0, else g as it is (a select: +0.0
        # and no nan where masked, and kept where out is nan). A bitwise and with an
        # all-ones/zero mask of g's width selects at the speed of g * (out > 0) (1M float32
        # elements: 342 against 328 us); np.where branches per element (~4 ms there).
        out, = ctx.saved_arrays
        bits = _SAME_WIDTH_INT.get(g.itemsize)
        xp = _gam(out)
        if bits is None or g.dtype != out.dtype:
            return xp.where(out <= 0, xp.zeros((), g.dtype), g)
        keep = xp.less_equal(out, 0, out=xp.empty(out.shape, bits))
        keep -= 1
        return xp.bitwise_and(keep, g.view(bits), out=keep).view(g.dtype)


_SAME_WIDTH_INT = {2: "int16", 4: "int32", 8: "int64"}


def relu(input):
    return Relu.apply(input)


class Square(ArrayFunction):
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return mul(g, _conj_if_complex(mul(x, 2)))


def square(input):
    if input._data.dtype in BOOL_NP:
        input = _to_dtype(input, to_dtype("int64"))
    return Square.apply(input)


def _zero_grad_unary(name, fwd):
    """Piecewise-constant ops (floor, sign, ...): gradient zero everywhere."""
    keep_exact = name != "Sign"

    def forward(ctx, x):
        if keep_exact and x.dtype in EXACT_NP:
            return x.copy()      # integer floor/ceil/trunc are the identity (NumPy's give floats)
        return fwd(_gam(x), x)

    def backward(ctx, g):
        return _zeros_like(g)

    cls = type(name, (ArrayFunction,), {"forward": staticmethod(forward),
                                    "backward": staticmethod(backward), "__module__": __name__})

    def fn(input, *, out=None):
        return _out(cls.apply(input), out)
    fn.__name__ = name.lower()
    return cls, fn


Floor, floor = _zero_grad_unary("Floor", lambda xp, x: xp.floor(x))
Ceil, ceil = _zero_grad_unary("Ceil", lambda xp, x: xp.ceil(x))
Trunc, trunc = _zero_grad_unary("Trunc", lambda xp, x: xp.trunc(x))
Sign, sign = _zero_grad_unary("Sign", lambda xp, x: xp.sign(x) if x.dtype not in BOOL_NP else x.copy())
fix = trunc


def sgn(input):
    return sign(input)


class Round(ArrayFunction):
    @staticmethod
    def forward(ctx, x, decimals=0):
        if x.dtype in EXACT_NP and decimals >= 0:
            return x.copy()
        return _gam(x).round(x, decimals)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g)


def round(input, *, decimals=0):
    """``torch.round``: half to even, like PyTorch and NumPy."""
    return Round.apply(input, decimals=decimals)


class Frac(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return x - _gam(x).trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


def frac(input):
    return Frac.apply(input)


class Clamp(ArrayFunction):
    """clamp with scalar bounds (ClampBackward1 in PyTorch's naming)."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        xp = _gam(x)
        if lo is not None and hi is not None and lo > hi:
            return xp.full_like(x, hi)
        if x.dtype in FLOATING_NP and (lo is None or hi is None):
            # NumPy's one-bound clip is maximum/minimum, which turns clamp(-0.0, min=0) into
            # +0.0; its two-bound clip keeps x unless it is beyond a bound, as PyTorch does
            # (ml_dtypes' floats clip in float32 then, cast back exactly)
            lo, hi = (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
        out = x.clip(lo, hi)    # (the method: xp.clip adds two Python frames of dispatch)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        mask = None
        if lo is not None:
            mask = ge(x, lo)
        if hi is not None:
            m = le(x, hi)
            mask = m if mask is None else logical_and(mask, m)
        return mul(g, mask)

    @staticmethod
    def backward_arrays(ctx, g):
        # backward on arrays: the bool mask multiplies without a cast to g's dtype first
        x, = ctx.saved_arrays
        lo, hi = ctx.lo, ctx.hi
        mask = None
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            m = x <= hi
            mask = m if mask is None else mask & m
        return _arr(g * mask)


class ClampTensor(ArrayFunction):
    """clamp with tensor bounds: the gradient goes to whichever bound is active."""

    broadcasting = True
    promotes = True
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = _gam(x)
        ctx.save_for_backward(x, lo, hi)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        zero = _zeros_like(g)
        below = lt(x, lo) if lo is not None else None
        above = gt(x, hi) if hi is not None else None
        if above is not None:
            g_hi = where(above, g, zero)
            g = where(above, zero, g)
        else:
            g_hi = None
        if below is not None:
            g_lo = where(below, g, zero)
            g = where(below, zero, g)
            if above is not None:
                # with lo > hi PyTorch's result is hi everywhere; hi takes the gradient.
                g_lo = where(above, zero, g_lo)
        else:
            g_lo = None
        return g, g_lo, g_hi


def clamp(input, min=None, max=None, *, out=None):
    """``torch.clamp`` with scalar or tensor bounds."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = ClampTensor.apply(input, min if min is None or isinstance(min, Tensor)
                                else scalar_like(min, input),
                                max if max is None or isinstance(max, Tensor)
                                else scalar_like(max, input))
        return _out(res, out)
    if input._data.dtype in EXACT_NP and (isinstance(min, float) or isinstance(max, float)):
        input = _to_dtype(input, get_default_dtype())
    return _out(Clamp.apply(input, lo=min, hi=max), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class Where(ArrayFunction):
    broadcasting = True

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return _gam(a).where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        zero = _zeros_like(g)
        need = ctx.needs_input_grad
        return (None, where(cond, g, zero) if need[1] else None,
                where(cond, zero, g) if need[2] else None)


def where(condition, input=None, other=None, *, out=None):
    """``torch.where(cond, input, other)``; ``where(cond)`` is ``nonzero(cond, as_tuple=True)``."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype not in BOOL_NP:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype}")
    d = result_type(input, other)
    input = _to_dtype(input, d) if isinstance(input, Tensor) else scalar_like(input, condition).to(d)
    other = _to_dtype(other, d) if isinstance(other, Tensor) else scalar_like(other, condition).to(d)
    return _out(Where.apply(condition, input, other), out)


def full_mask_value(like):
    """A 0-d ``-inf`` of ``like``'s dtype: the score of a masked-out attention position."""
    return _make(_gam(like._data).asarray(float("-inf"), dtype=like._data.dtype))


class Lerp(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, end, w):
        ctx.save_for_backward(a, end, w)
        return a + w * (end - a)

    @staticmethod
    def backward(ctx, g):
        a, end, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (mul(g, rsub(w, 1)) if need[0] else None, mul(g, w) if need[1] else None,
                mul(g, sub(end, a)) if need[2] else None)


def lerp(input, end, weight):
    if not isinstance(weight, Tensor):
        weight = scalar_like(weight, input).to(input.dtype)
    return Lerp.apply(input, end, weight)


class NanToNum(ArrayFunction):
    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        ctx.save_for_backward(x)
        return _gam(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return mul(g, isfinite(x))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


class Conj(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return _gam(x).conj(x)

    @staticmethod
    def backward(ctx, g):
        return conj(g)


def _conj_any(x):
    """conj of a Tensor or of a Python number saved for backward."""
    return conj(x) if isinstance(x, Tensor) else x.conjugate()


def conj(input):
    if input._data.dtype not in COMPLEX_NP:
        return input
    return Conj.apply(input)


# ---------------------------------------------------------------------------------------
# comparisons, logical and bitwise ops: no gradient, results are bool (or integer)

def _compare(name, ufunc):
    class Cmp(ArrayFunction):
        broadcasting = True

        @staticmethod
        def forward(ctx, a, b):
            return getattr(_gam(a), ufunc)(a, b)

        @staticmethod
        def backward(ctx, g):
            return None, None
    Cmp.__name__ = Cmp.__qualname__ = name
    Cmp.node_name = name + "Backward0"

    def fn(input, other, *, out=None):
        if not isinstance(other, Tensor):
            if other is None or not isinstance(other, (int, float, bool, complex)) and not \
                    hasattr(other, "dtype"):
                if ufunc in ("equal", "not_equal"):
                    return ufunc == "not_equal"   # t == None is False, as in PyTorch
                raise TypeError(f"{name.lower()}(): argument 'other' must be Tensor or Number, "
                                f"not {type(other).__name__}")
        elif input._data.dtype != other._data.dtype:
            d = result_type(input, other)
            input, other = _to_dtype(input, d), _to_dtype(other, d)
        return _out(Cmp.apply(input, other), out)
    fn.__name__ = name.lower()
    return Cmp, fn


Eq, eq = _compare("Eq", "equal")
Ne, ne = _compare("Ne", "not_equal")
Lt, lt = _compare("Lt", "less")
Le, le = _compare("Le", "less_equal")
Gt, gt = _compare("Gt", "greater")
Ge, ge = _compare("Ge", "greater_equal")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def _ufunc_op(name, ufunc):
    """The no-gradient ArrayFunction applying backend ufunc ``ufunc`` to its arrays."""
    return no_grad_op(__name__, name, lambda *arrays: getattr(_gam(arrays[0]), ufunc)(*arrays),
                      broadcasting=True)


def _logical(name, ufunc, unary=False):
    op = _ufunc_op("".join(p.capitalize() for p in name.split("_")), ufunc)

    def fn(input, other=None, *, out=None):
        if not isinstance(input, Tensor):
            from ._args import check_tensor
            check_tensor(input, name)
        if unary:
            return _out(op.apply(input), out)
        if other is None:
            from ._args import missing
            raise missing(name, "other")
        return _out(op.apply(input, other), out)
    fn.__name__ = name
    return op, fn


LogicalAnd, logical_and = _logical("logical_and", "logical_and")
LogicalOr, logical_or = _logical("logical_or", "logical_or")
LogicalXor, logical_xor = _logical("logical_xor", "logical_xor")
LogicalNot, logical_not = _logical("logical_not", "logical_not", unary=True)


def _bitwise(name, ufunc):
    op = _ufunc_op("".join(p.capitalize() for p in name.split("_")), ufunc)

    def fn(input, other=None, *, out=None):
        if not isinstance(input, Tensor):
            from ._args import check_tensor
            check_tensor(input, name)
        if other is not None and not isinstance(other, (Tensor, int, float, complex)) and \
                not hasattr(other, "dtype"):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor or Number, "
                            f"not {type(other).__name__}")
        if input._data.dtype not in EXACT_NP or (
                isinstance(other, Tensor) and other._data.dtype not in EXACT_NP) or \
                isinstance(other, float):
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                               f"'{_legacy_name(input if input._data.dtype not in EXACT_NP else other)}'")
        if other is None:
            return _out(op.apply(input), out)
        if isinstance(other, Tensor) and other._data.dtype != input._data.dtype:
            d = result_type(input, other)
            input, other = _to_dtype(input, d), _to_dtype(other, d)
        return _out(op.apply(input, other), out)
    fn.__name__ = name
    return op, fn


def _legacy_name(t):
    if not isinstance(t, Tensor):
        return "Float"
    return {"float32": "Float", "float64": "Double", "float16": "Half",
            "bfloat16": "BFloat16"}.get(t.dtype.name, t.dtype.name)


BitwiseAnd, bitwise_and = _bitwise("bitwise_and", "bitwise_and")
BitwiseOr, bitwise_or = _bitwise("bitwise_or", "bitwise_or")
BitwiseXor, bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor")
BitwiseNot, bitwise_not = _bitwise("bitwise_not", "invert")
BitwiseLeftShift, bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift")
BitwiseRightShift, bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift")


def _predicate(name, fn_of_xp):
    op = no_grad_op(__name__, "".join(p.capitalize() for p in name.split("_")),
                    lambda x: fn_of_xp(_gam(x), x))

    def fn(input):
        return op.apply(input)
    fn.__name__ = name
    return op, fn


Isnan, isnan = _predicate("isnan", lambda xp, x: xp.isnan(x) if x.dtype in DIFFERENTIABLE_NP else xp.zeros(x.shape, bool))
Isinf, isinf = _predicate("isinf", lambda xp, x: xp.isinf(x) if x.dtype in DIFFERENTIABLE_NP else xp.zeros(x.shape, bool))
Isfinite, isfinite = _predicate("isfinite", lambda xp, x: xp.isfinite(x) if x.dtype in DIFFERENTIABLE_NP else xp.ones(x.shape, bool))
Isposinf, isposinf = _predicate("isposinf", lambda xp, x: xp.isposinf(x) if x.dtype in FLOATING_NP else xp.zeros(x.shape, bool))
Isneginf, isneginf = _predicate("isneginf", lambda xp, x: xp.isneginf(x) if x.dtype in FLOATING_NP else xp.zeros(x.shape, bool))
Signbit, signbit = _predicate("signbit", lambda xp, x: xp.signbit(x))


IsClose = no_grad_op(__name__, "IsClose", lambda a, b, rtol, atol, equal_nan: _gam(a).isclose(
    a, b, rtol, atol, equal_nan), broadcasting=True)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return IsClose.apply(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(_gam(input._data).allclose(input._data, _data_of(other), rtol, atol, equal_nan))


def _data_of(x):
    return x._data if isinstance(x, Tensor) else x


# ---------------------------------------------------------------------------------------
# out= and in-place forms

def _check_inplace(self):
    if _state[0]:
        if self._rg and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")


def apply_inplace(self, fn, *args, **kwargs):
    """Run ``fn(self, *args)`` and write the result into ``self``'s memory.

    Under autograd the result's node becomes ``self.grad_fn``; values the node saved from
    ``self`` are copied first, so the write cannot corrupt them.
    """
    _check_inplace(self)
    recording = _state[0] and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    base = self._base
    if recording and base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    res = fn(self, *args, **kwargs)
    rd, sd = res._data.dtype, self._data.dtype
    if rd != sd and NP_TO_DTYPE[rd].category > NP_TO_DTYPE[sd].category:
        raise RuntimeError(f"result type {_legacy_name(res)} can't be cast to the desired output "
                           f"type {_legacy_name(self) if self._data.dtype in FLOATING_NP else _INT_NAMES.get(self.dtype.name, self.dtype.name)}")
    if res._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(res._data.shape)}")
    fw = _fw_level[0]
    if fw is not None and fw.bypass:
        fw = None                   # a write nested in one being handled
    elif fw is not None:            # forward AD: self takes res's tangent
        from ..autograd.forward_ad import _whole_write_tangent
        entry = _whole_write_tangent(fw, self, res)
        if entry is not None:
            self._fw_tangent = entry
        fw.bypass = True            # the write's own nodes (Overwrite, CopySlices) need none
    try:
        mode = _mode_top[0]
        if mode is not None and mode.symbolic_shapes:
            mode.__ember_inplace__(self, res)     # graph capture: self now holds res's value
        if recording and res.grad_fn is None and self._rg:
            # The new value does not depend on the old one (fill_, zero_, copy_ of a constant):
            # self keeps requiring grad, and the old graph receives a zero gradient.
            res = Overwrite.apply(self, res)
        if recording and res.grad_fn is not None:
            node = res.grad_fn
            if node._saved:
                saved = list(node._saved)
                for k, slot in enumerate(saved):
                    if slot is not None and slot[0] is self:
                        snap = _make(self._data.copy())
                        snap._rg, snap.grad_fn, snap._output_nr = self._rg, self.grad_fn, self._output_nr
                        saved[k] = (snap, None, None, None, 0)
                node._saved = saved
            if base is not None:
                # a write through a view: the base's graph records it (CopySlices)
                from .views import rebase_view
                return rebase_view(self, res)
            self._data[...] = res._data
            self.grad_fn = node
            self._output_nr = res._output_nr
            self._rg = True
        else:
            self._data[...] = res._data
        _bump(self)
        return self
    finally:
        if fw is not None:
            fw.bypass = False


_INT_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
              "bool": "Bool"}


class Overwrite(ArrayFunction):
    """An in-place write of a value that does not depend on the old one: zero gradient back."""

    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx, old, new):
        return new

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g), None


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place form of ``{fn.__name__}``."
    return method


add_ = _make_inplace(add)
sub_ = _make_inplace(sub)
mul_ = _make_inplace(mul)
div_ = _make_inplace(div)
pow_ = _make_inplace(pow)
floor_divide_ = _make_inplace(floor_divide)
remainder_ = _make_inplace(remainder)
fmod_ = _make_inplace(fmod)
neg_ = _make_inplace(neg)
abs_ = _make_inplace(abs)
exp_ = _make_inplace(exp)
log_ = _make_inplace(log)
sqrt_ = _make_inplace(sqrt)
rsqrt_ = _make_inplace(rsqrt)
sin_ = _make_inplace(sin)
cos_ = _make_inplace(cos)
tanh_ = _make_inplace(tanh)
sigmoid_ = _make_inplace(sigmoid)
relu_ = _make_inplace(relu)
clamp_ = _make_inplace(clamp)
clip_ = clamp_
clamp_min_ = _make_inplace(clamp_min)
clamp_max_ = _make_inplace(clamp_max)
floor_ = _make_inplace(floor)
ceil_ = _make_inplace(ceil)
round_ = _make_inplace(round)
trunc_ = _make_inplace(trunc)
frac_ = _make_inplace(frac)
reciprocal_ = _make_inplace(reciprocal)
square_ = _make_inplace(square)
sign_ = _make_inplace(sign)
lerp_ = _make_inplace(lerp)
nan_to_num_ = _make_inplace(nan_to_num)
log1p_ = _make_inplace(log1p)
expm1_ = _make_inplace(expm1)
erf_ = _make_inplace(erf)
atan2_ = _make_inplace(atan2)
maximum_ = _make_inplace(maximum)
minimum_ = _make_inplace(minimum)
bitwise_and_ = _make_inplace(bitwise_and)
bitwise_or_ = _make_inplace(bitwise_or)
bitwise_xor_ = _make_inplace(bitwise_xor)
bitwise_not_ = _make_inplace(bitwise_not)
logical_not_ = _make_inplace(logical_not)
eq_ = _make_inplace(eq)
ne_ = _make_inplace(ne)
lt_ = _make_inplace(lt)
le_ = _make_inplace(le)
gt_ = _make_inplace(gt)
ge_ = _make_inplace(ge)


def addcmul(input, tensor1, tensor2, *, value=1):
    return add(input, mul(mul(tensor1, tensor2), value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    return add(input, mul(div(tensor1, tensor2), value))


addcmul_ = _make_inplace(addcmul)
addcdiv_ = _make_inplace(addcdiv)


# ---------------------------------------------------------------------------------------
# dtype/device conversion methods: ops/conversion.py, re-exported here

from .conversion import (Clone, ToDevice, bfloat16, bool_, byte, cdouble, cfloat,  # noqa: E402,F401
                         char, clone_tensor, cpu, cuda, double, float_, get_device, half,
                         int_, is_pinned,
                         long, pin_memory, short, to, type_as)


METHODS = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "float_power", "atan2", "arctan2", "maximum", "minimum",
    "fmax", "fmin", "neg", "negative", "abs", "absolute", "sign", "sgn", "exp", "exp2",
    "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
    "relu", "erf", "reciprocal", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "floor",
    "ceil", "round", "trunc", "fix", "frac", "nan_to_num", "conj", "eq", "ne", "lt", "le",
    "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "isnan",
    "isinf", "isfinite", "isposinf", "isneginf", "signbit", "isclose", "allclose", "addcmul",
    "addcdiv", "where",
    "add_", "sub_", "mul_", "div_", "pow_", "floor_divide_", "remainder_", "fmod_", "neg_",
    "abs_", "exp_", "log_", "sqrt_", "rsqrt_", "sin_", "cos_", "tanh_", "sigmoid_", "relu_",
    "clamp_", "clip_", "clamp_min_", "clamp_max_", "floor_", "ceil_", "round_", "trunc_",
    "frac_", "reciprocal_", "square_", "sign_", "lerp_", "nan_to_num_", "log1p_", "expm1_",
    "erf_", "atan2_", "maximum_", "minimum_", "bitwise_and_", "bitwise_or_", "bitwise_xor_",
    "bitwise_not_", "logical_not_", "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "addcmul_",
    "addcdiv_",
    "to", "double", "half", "bfloat16", "long", "short", "char", "byte", "cfloat", "cdouble",
    "cpu", "cuda", "type_as", "pin_memory", "is_pinned", "get_device",
)
# Method names that clash with Python builtins or keywords in this module.
METHOD_ALIASES = {"float": float_, "int": int_, "bool": bool_, "clone": clone_tensor}

# Top-level functions (``ember.add`` ...): the methods minus Tensor-only conversions.
__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "atan2", "arctan2",
    "maximum", "minimum", "fmax", "fmin", "neg", "negative", "abs", "absolute", "sign",
    "sgn", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "sigmoid", "relu", "erf", "reciprocal", "clamp", "clip", "clamp_min",
    "clamp_max", "lerp", "floor", "ceil", "round", "trunc", "fix", "frac", "nan_to_num",
    "conj", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
    "less_equal", "not_equal", "equal", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "signbit", "isclose", "allclose", "addcmul", "addcdiv", "where", "rsub",
    "clamp_min", "clamp_max", "relu_", "sigmoid_",
]
