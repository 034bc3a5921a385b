"""What the distributions need beyond plain tensor ops: the standard-gamma sampler with
its implicit reparameterization gradient, and thin names for the special functions and
matrix factorizations they call (``ember.special`` / ``ember.linalg``).

``StandardGamma``: samples come from the generator's gamma sampler; the gradient with
respect to the concentration is the implicit one PyTorch uses, ``dx/da = -(dP(a, x)/da)
/ p(x; a)`` (P the regularized incomplete gamma), computed with SciPy's ``gammainc`` by a
central difference in ``a``. It depends only on the sample and ``a``, so it equals
PyTorch's for the same sample.
"""
import numpy

from .. import backend
from .._random import _gen
from .._tensor import _make
from ..autograd.function import ArrayFunction


def lgamma(x):
    from ..ops.special import gammaln
    return gammaln(x)


def digamma(x):
    from ..ops.special import digamma as _digamma
    return _digamma(x)


def xlogy(x, y):
    from ..ops.special import xlogy as _xlogy
    return _xlogy(x, y)


def erfinv(x):
    from ..ops.special import erfinv as _erfinv
    return _erfinv(x)


def cholesky(a):
    from ..linalg import cholesky as _cholesky
    return _cholesky(a)


def solve_lower(L, B):
    """L^-1 B for lower-triangular L (batch dimensions broadcast)."""
    from ..linalg import solve_triangular
    return solve_triangular(L, B, upper=False)


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
        h = 1e-5 * xp.maximum(a, 1.0)
        dP = (backend.gammainc(xp, a + h, v) - backend.gammainc(xp, a - h, v)) / (2 * h)
        log_pdf = (a - 1) * xp.log(v) - v - backend.lgamma(xp, a)
        grad = -dP / xp.exp(log_pdf)
        return g * _make(grad.astype(alpha._data.dtype))


def standard_gamma(alpha):
    return StandardGamma.apply(alpha)
