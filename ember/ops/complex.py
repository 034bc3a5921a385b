"""Complex tensors end to end: real/imag (views), view_as_real/view_as_complex (views),
complex(real, imag), polar(abs, angle), angle.

Gradients follow PyTorch's convention for complex inputs (the conjugate Wirtinger
derivative times two: for z = a + ib the gradient is dL/da + i dL/db), so
``real``'s backward is ``g`` as a complex number, ``imag``'s is ``1j * g``,
``angle``'s is ``1j * g * z / |z|^2`` (zero for real inputs).
"""
from .. import backend
from .._dtype import COMPLEX_NP, float32 as _f32, float64 as _f64
from .._tensor import Tensor
from ..autograd.function import ArrayFunction

_F32_F64 = frozenset((_f32.np, _f64.np))
_gam = backend.get_array_module


def _is_complex(t):
    return t._data.dtype in COMPLEX_NP


class Real(ArrayFunction):
    view_of = 0
    node_name = "RealBackward0"

    @staticmethod
    def forward(ctx, z):
        return z.real

    @staticmethod
    def backward(ctx, g):
        return complex(g, g * 0)


class Imag(ArrayFunction):
    view_of = 0
    node_name = "ImagBackward0"

    @staticmethod
    def forward(ctx, z):
        return z.imag

    @staticmethod
    def backward(ctx, g):
        return complex(g * 0, g)


class ViewAsReal(ArrayFunction):
    view_of = 0
    node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx, z):
        xp = _gam(z)
        real_dt = xp.float64 if z.dtype == xp.complex128 else xp.float32
        # a strided view of the same memory: the last axis steps over (re, im)
        pair = z[..., None].view(real_dt)
        return pair

    @staticmethod
    def backward(ctx, g):
        return view_as_complex(g.contiguous())


class ViewAsComplex(ArrayFunction):
    view_of = 0
    node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = _gam(x)
        cdt = xp.complex128 if x.dtype == xp.float64 else xp.complex64
        return x.view(cdt).reshape(x.shape[:-1])

    @staticmethod
    def backward(ctx, g):
        return view_as_real(g)


class Complex(ArrayFunction):
    node_name = "ComplexBackward0"

    @staticmethod
    def forward(ctx, re, im):
        return re + 1j * im if re.dtype.itemsize > 4 else (re + 1j * im).astype("complex64")

    @staticmethod
    def backward(ctx, g):
        return real(g), imag(g)


class Angle(ArrayFunction):
    node_name = "AngleBackward0"

    @staticmethod
    def forward(ctx, z):
        xp = _gam(z)
        ctx.save_for_backward(z)
        out = xp.angle(z)
        return out.astype(z.real.dtype if z.dtype in COMPLEX_NP else z.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        if not _is_complex(z):
            return g * 0
        from .pointwise import conj
        denom = real(z * conj(z))
        return complex(g * 0, g) * z / complex(denom, denom * 0)


def real(input):
    """``torch.real``: a view of the real part (the input itself for real tensors)."""
    if not _is_complex(input):
        return input
    return Real.apply(input)


def imag(input):
    if not _is_complex(input):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def view_as_real(input):
    if not _is_complex(input):
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input):
    if input._data.dtype not in _F32_F64:
        raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                           f"but got a tensor of scalar type: {input.dtype}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input._data.strides[-1] != input._data.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return ViewAsComplex.apply(input)


def complex(real, imag, *, out=None):
    """``torch.complex``: real and imaginary parts of the same float dtype."""
    if not isinstance(real, Tensor) or not isinstance(imag, Tensor):
        raise TypeError("complex(): argument 'real' and 'imag' must be Tensor")
    if real.dtype != imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype} but got scalar type "
                           f"{imag.dtype} for second argument")
    if real._data.dtype not in _F32_F64:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype} and {imag.dtype}")
    res = Complex.apply(real, imag)
    if out is not None:
        out.copy_(res)
        return out
    return res


def polar(abs, angle, *, out=None):
    from .pointwise import cos, sin
    return complex(abs * cos(angle), abs * sin(angle), out=out)


def angle(input, *, out=None):
    res = Angle.apply(input)
    if out is not None:
        out.copy_(res)
        return out
    return res


__all__ = ["real", "imag", "view_as_real", "view_as_complex", "complex", "polar", "angle"]
