"""The differentiable special functions and matrix factorizations the distributions
need: lgamma, digamma, the standard-gamma sampler with its implicit reparameterization
gradient, Cholesky and triangular solves.

These are private to ``ember.distributions`` until the numerical namespaces
(``ember.special``, ``ember.linalg``) land; then the distributions should call those.

``StandardGamma``: samples come from the generator's gamma sampler; the gradient with
respect to the concentration is the implicit one PyTorch uses, ``dx/da = -(dP(a, x)/da)
/ p(x; a)`` (P the regularized incomplete gamma), computed with SciPy's ``gammainc`` by a
central difference in ``a``. It depends only on the sample and ``a``, so it equals
PyTorch's for the same sample.
"""
import math

import numpy

from .. import backend
from .._random import _gen
from .._tensor import _make
from ..autograd.function import ArrayFunction


class Lgamma(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return backend.lgamma(backend.get_array_module(x), x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Digamma(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return backend.digamma(backend.get_array_module(x), x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Trigamma.apply(x)


class Trigamma(ArrayFunction):
    once_differentiable = True

    @staticmethod
    def forward(ctx, x):
        return backend.polygamma1(backend.get_array_module(x), x)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the third derivative of lgamma is not implemented")


class Erfinv(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        out = backend.erfinv(backend.get_array_module(x), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y).exp() * (math.sqrt(math.pi) / 2)


def erfinv(x):
    return Erfinv.apply(x)


def lgamma(x):
    return Lgamma.apply(x)


def digamma(x):
    return Digamma.apply(x)


def xlogy(x, y):
    """x * log(y) with 0 where x == 0 (``torch.xlogy``)."""
    from ..ops.pointwise import where
    from ..ops.creation import zeros_like
    prod = x * y.log()
    return where(x == 0, zeros_like(prod), prod)


class StandardGamma(ArrayFunction):
    once_differentiable = True

    @staticmethod
    def forward(ctx, alpha):
        xp = backend.get_array_module(alpha)
        host = backend.to_host(alpha).astype(numpy.float64)
        sample = _gen(None).standard_gamma(host)
        tiny = numpy.finfo(alpha.dtype).tiny
        sample = numpy.maximum(sample, tiny).astype(alpha.dtype)
        out = xp.asarray(sample) if xp is not numpy else sample
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        xp = backend.get_array_module(alpha._data)
        a = alpha._data.astype(numpy.float64)
        v = x._data.astype(numpy.float64)
        h = 1e-5 * numpy.maximum(a, 1.0)
        dP = (backend.gammainc(xp, a + h, v) - backend.gammainc(xp, a - h, v)) / (2 * h)
        log_pdf = (a - 1) * xp.log(v) - v - backend.lgamma(xp, a)
        grad = -dP / xp.exp(log_pdf)
        return g * _make(grad.astype(alpha._data.dtype))


def standard_gamma(alpha):
    return StandardGamma.apply(alpha)


# -- matrices -------------------------------------------------------------------------

def _tril_part(xp, a):
    """Phi(A): the lower triangle with the diagonal halved."""
    out = xp.tril(a)
    d = xp.einsum("...ii->...i", out)
    d *= 0.5
    return out


class Cholesky(ArrayFunction):
    once_differentiable = True

    @staticmethod
    def forward(ctx, a):
        xp = backend.get_array_module(a)
        try:
            out = xp.linalg.cholesky(a)
        except numpy.linalg.LinAlgError:
            raise ValueError("cholesky: the input is not positive-definite") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        # Murray (2016): S = L^-T Phi(L^T G) L^-1, symmetrized
        (L,) = ctx.saved_tensors
        xp = backend.get_array_module(L._data)
        Ld, gd = L._data, g._data
        P = _tril_part(xp, numpy.swapaxes(Ld, -1, -2) @ gd)
        eye = xp.broadcast_to(xp.eye(Ld.shape[-1], dtype=Ld.dtype), Ld.shape)
        Linv = _solve_lower(xp, Ld, eye)
        S = numpy.swapaxes(Linv, -1, -2) @ P @ Linv
        S = 0.5 * (S + numpy.swapaxes(S, -1, -2))
        return _make(S)


def _solve_lower(xp, L, b):
    """Solve L x = b for lower-triangular L (batched)."""
    try:
        if xp is numpy:
            from scipy.linalg import solve_triangular
            if L.ndim == 2:
                return solve_triangular(L, b, lower=True)
    except ImportError:
        pass
    return xp.linalg.solve(L, b)


class SolveLower(ArrayFunction):
    """x = L^-1 B for lower-triangular L."""
    once_differentiable = True

    @staticmethod
    def forward(ctx, L, B):
        xp = backend.get_array_module(L)
        shape = numpy.broadcast_shapes(L.shape[:-2], B.shape[:-2])
        Lb = xp.broadcast_to(L, shape + L.shape[-2:])
        Bb = xp.broadcast_to(B, shape + B.shape[-2:])
        out = _solve_lower(xp, Lb, Bb)
        ctx.save_for_backward(L, out)
        ctx.shapes = (L.shape, B.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        L, X = ctx.saved_tensors
        l_shape, b_shape = ctx.shapes
        xp = backend.get_array_module(L._data)
        Lt = numpy.swapaxes(xp.broadcast_to(L._data, X._data.shape[:-2] + L._data.shape[-2:]),
                            -1, -2)
        # dB = L^-T g (an upper-triangular solve), dL = -tril(dB X^T)
        gB = xp.linalg.solve(Lt, g._data)
        gL = -xp.tril(gB @ numpy.swapaxes(X._data, -1, -2))
        return _make(_sum_to(xp, gL, l_shape)), _make(_sum_to(xp, gB, b_shape))


def _sum_to(xp, a, shape):
    while a.ndim > len(shape):
        a = a.sum(0)
    for i, n in enumerate(shape):
        if n == 1 and a.shape[i] != 1:
            a = a.sum(i, keepdims=True)
    return a


def cholesky(a):
    return Cholesky.apply(a)


def solve_lower(L, B):
    return SolveLower.apply(L, B)
