"""The element-wise math tail of ``torch``: copysign, hypot, nextafter, logaddexp(2),
heaviside, gcd/lcm, frexp/ldexp, deg2rad/rad2deg, positive, float_power_.

Each op follows PyTorch's dtype rules: copysign, ldexp, deg2rad/rad2deg turn integer
inputs into the default float dtype; hypot, logaddexp(2) and nextafter accept floating
inputs only (integers raise NotImplementedError naming the kernel, as torch's
``"hypot_cpu" not implemented for 'Long'``); gcd/lcm accept integers only; heaviside
wants both tensors in one dtype. Gradients are PyTorch's formulas, written with ember ops
so they differentiate again; heaviside, gcd, lcm have none (torch raises for heaviside).
"""
import math

from .. import backend
from .._dtype import (get_default_dtype, result_type, BOOL_NP, DIFFERENTIABLE_NP, EXACT_NP,
                      FLOATING_NP, INTEGRAL_NP, float64 as _float64)
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from .._convert import to_dtype as _to_dtype
from ._common import legacy_name, no_grad_op, write_out as _out
from . import pointwise as _pw
from .. import return_types

_gam = backend.get_array_module
_LN2 = math.log(2.0)


def _tensor_arg(x, like):
    return x if isinstance(x, Tensor) else _pw.scalar_like(x, like)


def _floats_only(name, *ts):
    """PyTorch's error for an integer input to a floating-only kernel."""
    for t in ts:
        if isinstance(t, Tensor) and t._data.dtype not in DIFFERENTIABLE_NP:
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{legacy_name(t.dtype.name)}'")


def _to_common_float(a, b):
    """Both operands in their promoted dtype, integer results as the default float."""
    d = result_type(a, b)
    if not d.is_floating_point and not d.is_complex:
        d = get_default_dtype()
    a = _to_dtype(a, d) if isinstance(a, Tensor) else a
    b = _to_dtype(b, d) if isinstance(b, Tensor) else b
    return a, b


def _zeros(g):
    return _make(_gam(g._data).zeros_like(g._data))


# ---------------------------------------------------------------------------------------

class Copysign(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        out = _gam(a).copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        # d/da copysign(a, b) = sign(a) * sign(out) (0 at a == 0, as PyTorch)
        ratio = _pw.where(_pw.eq(a, 0), _zeros(out), _pw.div(out, _pw.where(_pw.eq(a, 0),
                                                                          _pw.add(a, 1), a)))
        return _pw.mul(g, ratio), (_zeros(g) if ctx.needs_input_grad[1] else None)


def copysign(input, other, *, out=None):
    """``torch.copysign``: ``|input|`` with the sign of ``other`` (float result)."""
    a, b = _to_common_float(input, other)
    return _out(Copysign.apply(a, b), out)


class Hypot(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        out = _gam(a).hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (_pw.mul(g, _pw.div(a, out)) if need[0] else None,
                _pw.mul(g, _pw.div(b, out)) if need[1] else None)


def hypot(input, other, *, out=None):
    """``torch.hypot``: ``sqrt(input**2 + other**2)``, floating tensors only."""
    _floats_only("hypot", input, other)
    return _out(Hypot.apply(input, _tensor_arg(other, input)), out)


class Nextafter(ArrayFunction):
    """``torch.nextafter``; its gradient passes to ``input`` unchanged, as PyTorch's."""

    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b):
        return _gam(a).nextafter(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (_zeros(g) if ctx.needs_input_grad[1] else None)


def nextafter(input, other, *, out=None):
    """``torch.nextafter``: the next floating value after ``input`` towards ``other``."""
    _floats_only("nextafter", input, other)
    return _out(Nextafter.apply(input, _tensor_arg(other, input)), out)


def _logaddexp_kernel(xp, a, b, base2):
    m = xp.maximum(a, b)
    if base2:
        r = m + xp.log2(1 + xp.exp2(-xp.abs(a - b)))
    else:
        r = m + xp.log1p(xp.exp(-xp.abs(a - b)))
    # equal infinities (inf, inf) / (-inf, -inf): the max itself, not nan
    return xp.where(a == b, m + (1.0 if base2 else _LN2) * (xp.isfinite(a)), r).astype(a.dtype)


class Logaddexp(ArrayFunction):
    broadcasting = True
    promotes = True

    @staticmethod
    def forward(ctx, a, b, base2=False):
        ctx.base2 = base2
        ctx.save_for_backward(a, b)
        return _logaddexp_kernel(_gam(a), a, b, base2)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # d/da = 1 / (1 + base**(b - a))
        power = _pw.exp2 if ctx.base2 else _pw.exp
        need = ctx.needs_input_grad
        return (_pw.div(g, _pw.add(power(_pw.sub(b, a)), 1)) if need[0] else None,
                _pw.div(g, _pw.add(power(_pw.sub(a, b)), 1)) if need[1] else None)


def _logaddexp_args(name, input, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    _floats_only(name, input, other)


def logaddexp(input, other, *, out=None):
    """``torch.logaddexp``: ``log(exp(input) + exp(other))`` without overflow."""
    _logaddexp_args("logaddexp", input, other)
    return _out(Logaddexp.apply(input, other, base2=False), out)


def logaddexp2(input, other, *, out=None):
    """``torch.logaddexp2``: ``log2(2**input + 2**other)`` without overflow."""
    _logaddexp_args("logaddexp2", input, other)
    return _out(Logaddexp.apply(input, other, base2=True), out)


class Heaviside(ArrayFunction):
    """``torch.heaviside``: PyTorch has no derivative for it, and neither does ember."""

    broadcasting = True

    @staticmethod
    def forward(ctx, x, values):
        xp = _gam(x)
        return xp.where(x == 0, values, (x > 0)).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input, values, *, out=None):
    """``torch.heaviside(input, values)``: 0 below zero, 1 above, ``values`` at zero."""
    if not isinstance(values, Tensor):
        raise TypeError("heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input._data.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    return _out(Heaviside.apply(input, values), out)


def _integer_kernel(name, ufunc):
    op = no_grad_op(__name__, name.capitalize(),
                    lambda a, b: getattr(_gam(a), ufunc)(a, b), broadcasting=True)

    def fn(input, other, *, out=None):
        for t in (input, other):
            if isinstance(t, Tensor) and t._data.dtype not in INTEGRAL_NP:
                raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                          f"'{legacy_name(t.dtype.name)}'")
        other = _tensor_arg(other, input)
        d = result_type(input, other)
        res = op.apply(_to_dtype(input, d), _to_dtype(other, d))
        return _out(res, out)
    fn.__name__ = name
    fn.__doc__ = f"``torch.{name}``: element-wise, integer tensors only."
    return op, fn


Gcd, gcd = _integer_kernel("gcd", "gcd")
Lcm, lcm = _integer_kernel("lcm", "lcm")


class Frexp(ArrayFunction):
    """``torch.frexp``: mantissa in [0.5, 1) and int32 exponent; the mantissa's gradient
    is ``grad / 2**exponent``, as PyTorch's."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x):
        xp = _gam(x)
        m, e = xp.frexp(x)
        e = e.astype(xp.int32, copy=False)
        ctx.exponent = e
        return m.astype(x.dtype, copy=False), e

    @staticmethod
    def backward(ctx, g, g_e=None):
        scale = _make(_gam(ctx.exponent).exp2(-ctx.exponent.astype(g._data.dtype)))
        return _pw.mul(g, scale)


def frexp(input, *, out=None):
    """``torch.frexp``: ``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``."""
    if input._data.dtype not in FLOATING_NP:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    res = return_types.frexp(Frexp.apply(input))
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        return return_types.frexp(out)
    return res


def ldexp(input, other, *, out=None):
    """``torch.ldexp``: ``input * 2**other`` (float result), differentiable in both."""
    a, b = _to_common_float(input, other)
    if not isinstance(b, Tensor):
        b = _pw.scalar_like(float(b), a).to(a.dtype)
    return _out(_pw.mul(a, _pw.exp2(b)), out)


def _scaled(name, factor):
    def fn(input, *, out=None):
        if input._data.dtype in EXACT_NP:
            input = _to_dtype(input, get_default_dtype())
        return _out(_pw.mul(input, factor), out)
    fn.__name__ = name
    fn.__doc__ = f"``torch.{name}``: integer inputs give the default float dtype."
    return fn


deg2rad = _scaled("deg2rad", math.pi / 180.0)
rad2deg = _scaled("rad2deg", 180.0 / math.pi)


def positive(input):
    """``torch.positive``: ``input`` itself (bool tensors raise, as PyTorch)."""
    if input._data.dtype in BOOL_NP:
        raise NotImplementedError("The `+` operator, on a bool tensor is not supported.")
    return input


def float_power_(self, exponent):
    """``Tensor.float_power_``: in place, so ``self`` must already be float64 (complex128)."""
    if self.dtype not in (_float64,) and self.dtype.name != "complex128":
        raise RuntimeError(f"the base given to float_power_ has dtype {legacy_name(self.dtype.name)} "
                           "but the operation's result requires dtype Double")
    return _pw.apply_inplace(self, _pw.float_power, exponent)


METHODS = ("copysign", "hypot", "nextafter", "logaddexp", "logaddexp2", "heaviside", "gcd",
           "lcm", "frexp", "ldexp", "deg2rad", "rad2deg", "positive", "float_power_")

__all__ = ["copysign", "hypot", "nextafter", "logaddexp", "logaddexp2", "heaviside", "gcd",
           "lcm", "frexp", "ldexp", "deg2rad", "rad2deg", "positive"]
