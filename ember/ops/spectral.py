"""Discrete Fourier transforms: the three Functions behind ``ember.fft``.

- ``FftC2C``: complex -> complex over ``dims`` (forward or inverse);
- ``FftR2C``: real -> complex, one-sided (the last of ``dims`` keeps n//2 + 1 bins);
- ``FftC2R``: one-sided complex -> real of length ``last_size`` along the last dim.

Each runs an exact-size kernel of ``ops/fft_kernels.py`` (the public
functions pad or trim to ``n`` / ``s`` with ember ops first, so those steps have their
own gradients). Backward passes are the adjoint transforms, written with these same
Functions so double backward works, as PyTorch's: the adjoint of a transform with
normalisation ``norm`` is the opposite-direction transform with the dual normalisation
(``backward`` <-> ``forward``, ``ortho`` <-> ``ortho``); the adjoint of R2C is the real
part of C2C of the zero-extended gradient; the adjoint of C2R is R2C of the gradient
with the bins that stand for two conjugate bins doubled (PyTorch's fft_c2r_backward).

Dtypes follow PyTorch: float32 -> complex64, float64 -> complex128, computed in the
input's precision (``fft_kernels``: scipy.fft's pocketfft with cached plans when SciPy is
installed, else numpy.fft; cupy.fft on the GPU).
"""
from .. import backend
from . import fft_kernels
from .._tensor import _make
from ..autograd.function import ArrayFunction

_gam = backend.get_array_module

DUAL_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_of(xp, dt):
    return xp.complex128 if dt in (xp.float64, xp.complex128) else xp.complex64


def _real_of(xp, dt):
    return xp.float64 if dt in (xp.float64, xp.complex128) else xp.float32


class FftC2C(ArrayFunction):
    node_name = "FftC2CBackward0"

    @staticmethod
    def forward(ctx, x, dims=(-1,), norm="backward", forward=True):
        xp = _gam(x)
        ctx.dims, ctx.norm, ctx.forward_dir = dims, norm, forward
        out = fft_kernels.c2c(xp, x, dims, norm, forward)
        return out.astype(_complex_of(xp, x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        return FftC2C.apply(g, dims=ctx.dims, norm=DUAL_NORM[ctx.norm],
                            forward=not ctx.forward_dir)


class FftR2C(ArrayFunction):
    node_name = "FftR2CBackward0"

    @staticmethod
    def forward(ctx, x, dims=(-1,), norm="backward", forward=True):
        xp = _gam(x)
        ctx.dims, ctx.norm, ctx.forward_dir = dims, norm, forward
        ctx.last = x.shape[dims[-1]]
        if forward:
            out = fft_kernels.r2c(xp, x, dims, norm)
        else:                     # ihfft: conj of the one-sided transform, dual norm
            out = xp.conj(fft_kernels.r2c(xp, x, dims, DUAL_NORM[norm]))
        return out.astype(_complex_of(xp, x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        from .pointwise import conj
        from .complex import real
        from .shape import cat
        full = ctx.last
        half = g.shape[ctx.dims[-1]]
        if not ctx.forward_dir:
            g = conj(g)
        missing = full - half
        if missing > 0:
            shape = list(g.shape)
            shape[ctx.dims[-1]] = missing
            xp = _gam(g._data)
            g = cat([g, _make(xp.zeros(shape, dtype=g._data.dtype))], dim=ctx.dims[-1])
        # the adjoint of the one-sided transform: inverse C2C of the zero-extended gradient
        norm = DUAL_NORM[ctx.norm] if ctx.forward_dir else ctx.norm
        return real(FftC2C.apply(g, dims=ctx.dims, norm=norm, forward=False))


class FftC2R(ArrayFunction):
    node_name = "FftC2RBackward0"

    @staticmethod
    def forward(ctx, x, dims=(-1,), norm="backward", last_size=None):
        xp = _gam(x)
        ctx.dims, ctx.norm = dims, norm
        s = [x.shape[d] for d in dims[:-1]] + [last_size]
        out = fft_kernels.c2r(xp, x, dims, norm, s)
        return out.astype(_real_of(xp, x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        from .shape import cat
        gi = FftR2C.apply(g, dims=ctx.dims, norm=DUAL_NORM[ctx.norm])
        last = ctx.dims[-1]
        double = g.shape[last] - gi.shape[last]
        if double > 0:
            head = gi.narrow(last, 0, 1)
            mid = gi.narrow(last, 1, double) * 2
            tail = gi.narrow(last, 1 + double, gi.shape[last] - 1 - double)
            gi = cat([head, mid, tail], dim=last)
        return gi
