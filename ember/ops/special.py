"""Special functions (``torch.special`` and their top-level aliases).

One table row per function: the kernel (SciPy's ``scipy.special`` through
``backend.special``, so CuPy's ``cupyx.scipy.special`` serves on the GPU, or a NumPy
expression) and the derivative written with ember ops (so gradients are differentiable
again), or None where PyTorch has no derivative either (the Bessel functions of the
second kind, Airy, the orthogonal polynomials: their backward raises as PyTorch's).
Integer and bool inputs compute in the default float dtype, as PyTorch's special
functions do; float16/bfloat16 compute in float32 and round back.
"""
import math

from .. import backend, _dtype
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction

_gam = backend.get_array_module

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _e():
    import ember
    return ember


def _out(res, out):
    """PyTorch's ``out=``: copy into ``out`` and return it."""
    if out is None:
        return res
    out.copy_(res)
    return out


def _float_input(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"special_{fname}(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(x).__name__}")
    if x.is_complex():
        raise NotImplementedError(f"\"{fname}\" is not implemented for complex tensors")
    if not x.is_floating_point():
        return x.to(_dtype.get_default_dtype())
    return x


def _compute(xp, fn, *arrays):
    """Run a kernel in float32 at least, and return in the first input's dtype."""
    dt = arrays[0].dtype
    work = [a.astype(xp.float32) if a.dtype.itemsize < 4 else a for a in arrays]
    out = fn(xp, *work)
    return xp.asarray(out).astype(dt, copy=False)


def _unary(name, kernel, grad, node=None):
    """A Function class for ``y = kernel(x)``; ``grad(g, x, y)`` in ember ops."""

    def forward(ctx, x):
        y = _compute(_gam(x), kernel, x)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if grad is None:
            raise NotImplementedError(f"the derivative for 'special_{name}' is not "
                                      "implemented.")
        return grad(g, x, y)

    cls = type(node or _camel(name), (ArrayFunction,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "node_name": (node or "Special" + _camel(name)) + "Backward0",
        "__module__": __name__})

    def fn(input, *, out=None):
        return _out(cls.apply(_float_input(input, name)), out)
    fn.__name__ = name
    fn.__doc__ = f"``torch.special.{name}``"
    return cls, fn


def _camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


def _sp(name):
    return lambda xp, x: backend.special(xp, name)(x)


# -- derivatives in ember ops -------------------------------------------------------------

def _g_erfc(g, x, y):
    return g * (-2.0 / _SQRT_PI) * _e().exp(-x * x)


def _g_erfinv(g, x, y):
    return g * (_SQRT_PI / 2) * _e().exp(y * y)


def _g_erfcx(g, x, y):
    return g * (2 * x * y - 2.0 / _SQRT_PI)


def _g_gammaln(g, x, y):
    return g * digamma(x)


def _g_digamma(g, x, y):
    return g * polygamma(1, x)


def _g_i0(g, x, y):
    return g * i1(x)


def _g_i0e(g, x, y):
    return g * (i1e(x) - _e().sign(x) * y)


def _g_i1(g, x, y):
    e = _e()
    safe = e.where(x == 0, e.ones_like(x), x)
    return g * e.where(x == 0, e.full_like(x, 0.5), i0(x) - y / safe)


def _g_i1e(g, x, y):
    e = _e()
    safe = e.where(x == 0, e.ones_like(x), x)
    return g * e.where(x == 0, e.full_like(x, 0.5), i0e(x) - y * (e.sign(x) + 1 / safe))


def _g_ndtr(g, x, y):
    return g * _e().exp(-0.5 * x * x) / _SQRT_2PI


def _g_ndtri(g, x, y):
    return g * _SQRT_2PI * _e().exp(0.5 * y * y)


def _g_log_ndtr(g, x, y):
    return g * _e().exp(-0.5 * x * x - y) / _SQRT_2PI


def _g_sinc(g, x, y):
    e = _e()
    safe = e.where(x == 0, e.ones_like(x), x)
    px = math.pi * safe
    d = (e.cos(px) * px - e.sin(px)) / (math.pi * safe * safe)
    return g * e.where(x == 0, e.zeros_like(x), d)


def _g_entr(g, x, y):
    e = _e()
    return g * e.where(x > 0, -(e.log(e.where(x > 0, x, e.ones_like(x))) + 1),
                       e.where(x == 0, e.full_like(x, -math.inf), e.full_like(x, math.nan)))


def _entr(xp, x):
    with_pos = xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1)), 0.0)
    return xp.where(x < 0, -xp.inf, xp.where(xp.isnan(x), xp.nan, with_pos))


def _sinc(xp, x):
    return xp.sinc(x)


def _ndtr(xp, x):
    return backend.special(xp, "ndtr")(x)


_TABLE = {
    # name: (kernel, derivative)
    "erfc": (_sp("erfc"), _g_erfc),
    "erfinv": (lambda xp, x: backend.erfinv(xp, x), _g_erfinv),
    "erfcx": (_sp("erfcx"), _g_erfcx),
    "gammaln": (lambda xp, x: backend.lgamma(xp, x), _g_gammaln),
    "digamma": (lambda xp, x: backend.digamma(xp, x), _g_digamma),
    "i0": (lambda xp, x: xp.i0(x) if hasattr(xp, "i0") else backend.special(xp, "i0")(x), _g_i0),
    "i0e": (_sp("i0e"), _g_i0e),
    "i1": (_sp("i1"), _g_i1),
    "i1e": (_sp("i1e"), _g_i1e),
    "ndtr": (_ndtr, _g_ndtr),
    "ndtri": (_sp("ndtri"), _g_ndtri),
    "log_ndtr": (_sp("log_ndtr"), _g_log_ndtr),
    "sinc": (_sinc, _g_sinc),
    "entr": (_entr, _g_entr),
    "bessel_j0": (_sp("j0"), None),
    "bessel_j1": (_sp("j1"), None),
    "bessel_y0": (_sp("y0"), None),
    "bessel_y1": (_sp("y1"), None),
    "modified_bessel_i0": (_sp("i0"), None),
    "modified_bessel_i1": (_sp("i1"), None),
    "modified_bessel_k0": (_sp("k0"), None),
    "modified_bessel_k1": (_sp("k1"), None),
    "scaled_modified_bessel_k0": (_sp("k0e"), None),
    "scaled_modified_bessel_k1": (_sp("k1e"), None),
    "spherical_bessel_j0": (lambda xp, x: xp.where(x == 0, 1.0, xp.sin(x) / xp.where(x == 0, 1, x)),
                            None),
    "airy_ai": (lambda xp, x: backend.special(xp, "airy")(x)[0], None),
}

_FUNCTIONS = {}
for _name, (_kernel, _grad) in _TABLE.items():
    _cls, _fn = _unary(_name, _kernel, _grad)
    _FUNCTIONS[_name] = _fn
    globals()[_name] = _fn

erfc, erfinv, erfcx, gammaln, digamma = (_FUNCTIONS[n] for n in
                                         ("erfc", "erfinv", "erfcx", "gammaln", "digamma"))
i0, i0e, i1, i1e = (_FUNCTIONS[n] for n in ("i0", "i0e", "i1", "i1e"))


# -- functions of two arguments -----------------------------------------------------------

class Polygamma(ArrayFunction):
    node_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n=0):
        ctx.n = n
        ctx.save_for_backward(x)
        xp = _gam(x)
        if n == 0:
            return backend.digamma(xp, x)
        if n == 1:
            return backend.polygamma1(xp, x)
        return _compute(xp, lambda xp_, a: backend.special(xp_, "polygamma")(n, a), x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x)


def polygamma(n, input, *, out=None):
    if not isinstance(n, int) or n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply(_float_input(input, "polygamma"), n=n), out)


def multigammaln(input, p, *, out=None):
    """log of the multivariate gamma function of dimension ``p``."""
    e = _e()
    x = _float_input(input, "multigammaln")
    if bool((x <= (p - 1) / 2).any()):
        raise RuntimeError("All elements must be greater than (p-1)/2")
    terms = [gammaln(x - i / 2) for i in range(p)]
    return _out(e.stack(terms).sum(0) + p * (p - 1) / 4 * math.log(math.pi), out)


def _binary_inputs(a, b, fname):
    e = _e()
    if not isinstance(a, Tensor):
        a = e.tensor(a, dtype=b.dtype if isinstance(b, Tensor) and b.is_floating_point()
                     else _dtype.get_default_dtype())
    if not isinstance(b, Tensor):
        b = e.tensor(b, dtype=a.dtype if a.is_floating_point() else _dtype.get_default_dtype())
    target = e.result_type(a, b)
    if not target.is_floating_point:
        target = _dtype.get_default_dtype()
    return a.to(target), b.to(target)


class Xlogy(ArrayFunction):
    broadcasting = True
    node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, x, y, log1p=False):
        xp = _gam(x)
        ctx.log1p = log1p
        ctx.save_for_backward(x, y)
        logy = xp.log1p(y) if log1p else xp.log(y)
        with_x = xp.where(x == 0, 0.0, x * logy)
        return xp.where(xp.isnan(y), xp.nan, with_x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        e = _e()
        x, y = ctx.saved_tensors
        logy = e.log1p(y) if ctx.log1p else e.log(y)
        gx = g * e.where(x == 0, e.zeros_like(logy), logy)
        gy = g * x / (1 + y if ctx.log1p else y)
        return gx, gy


def xlogy(input, other, *, out=None):
    x, y = _binary_inputs(input, other, "xlogy")
    return _out(Xlogy.apply(x, y), out)


def xlog1py(input, other, *, out=None):
    x, y = _binary_inputs(input, other, "xlog1py")
    return _out(Xlogy.apply(x, y, log1p=True), out)


class Zeta(ArrayFunction):
    broadcasting = True
    node_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return _compute(_gam(x), lambda xp, a, b: backend.special(xp, "zeta")(a, b), x, q)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'self' of special_zeta is not "
                                      "implemented.")
        return None, g * (-x) * Zeta.apply(x + 1, q)


def zeta(input, other, *, out=None):
    x, q = _binary_inputs(input, other, "zeta")
    return _out(Zeta.apply(x, q), out)


class Gammainc(ArrayFunction):
    broadcasting = True
    node_name = "IgammaBackward0"

    @staticmethod
    def forward(ctx, a, x, upper=False):
        ctx.upper = upper
        ctx.save_for_backward(a, x)
        name = "gammaincc" if upper else "gammainc"
        return _compute(_gam(a), lambda xp, p, q: backend.special(xp, name)(p, q), a, x)

    @staticmethod
    def backward(ctx, g):
        e = _e()
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("derivative for igamma with respect to its first "
                                      "argument is not implemented")
        d = e.exp(-x + (a - 1) * e.log(x) - gammaln(a))
        return None, g * (-d if ctx.upper else d)


def gammainc(input, other, *, out=None):
    a, x = _binary_inputs(input, other, "gammainc")
    return _out(Gammainc.apply(a, x), out)


def gammaincc(input, other, *, out=None):
    a, x = _binary_inputs(input, other, "gammaincc")
    return _out(Gammainc.apply(a, x, upper=True), out)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when ``eps`` is given."""
    e = _e()
    x = _float_input(input, "logit")
    if eps is not None:
        x = e.clamp(x, eps, 1 - eps)
    return _out(e.log(x / (1 - x)), out)


# -- orthogonal polynomials (no gradients, as in PyTorch) ----------------------------------

def _poly(name, recurrence):
    def fn(input, n, *, out=None):
        e = _e()
        if not isinstance(input, Tensor):
            input = e.tensor(input, dtype=_dtype.get_default_dtype())
        if not isinstance(n, Tensor):
            n = e.tensor(n)
        x = input.detach()
        x = x if x.is_floating_point() else x.to(_dtype.get_default_dtype())
        xp = _gam(x._data)
        xa, na = xp.broadcast_arrays(x._data, n._data.astype(xp.int64))
        top = int(na.max()) if na.size else 0
        values = recurrence(xp, xa, max(top, 1))
        stack = xp.stack(values)          # stack[k] = P_k(x)
        pick = xp.take_along_axis(stack, xp.clip(na, 0, None)[None], axis=0)[0]
        res = _make(xp.where(na < 0, 0.0, pick).astype(xa.dtype, copy=False))
        if out is not None:
            out.copy_(res)
            return out
        return res
    fn.__name__ = name
    return fn


def _three_term(p0, p1, step):
    def recurrence(xp, x, top):
        vals = [p0(xp, x), p1(xp, x)]
        for k in range(1, top):
            vals.append(step(k, x, vals[-1], vals[-2]))
        return vals
    return recurrence


chebyshev_polynomial_t = _poly("chebyshev_polynomial_t", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: x, lambda k, x, p, q: 2 * x * p - q))
chebyshev_polynomial_u = _poly("chebyshev_polynomial_u", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 2 * x, lambda k, x, p, q: 2 * x * p - q))
chebyshev_polynomial_v = _poly("chebyshev_polynomial_v", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 2 * x - 1, lambda k, x, p, q: 2 * x * p - q))
chebyshev_polynomial_w = _poly("chebyshev_polynomial_w", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 2 * x + 1, lambda k, x, p, q: 2 * x * p - q))
shifted_chebyshev_polynomial_t = _poly("shifted_chebyshev_polynomial_t", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 2 * x - 1,
    lambda k, x, p, q: 2 * (2 * x - 1) * p - q))
shifted_chebyshev_polynomial_u = _poly("shifted_chebyshev_polynomial_u", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 4 * x - 2,
    lambda k, x, p, q: 2 * (2 * x - 1) * p - q))
shifted_chebyshev_polynomial_v = _poly("shifted_chebyshev_polynomial_v", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 4 * x - 3,
    lambda k, x, p, q: 2 * (2 * x - 1) * p - q))
shifted_chebyshev_polynomial_w = _poly("shifted_chebyshev_polynomial_w", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 4 * x - 1,
    lambda k, x, p, q: 2 * (2 * x - 1) * p - q))
hermite_polynomial_h = _poly("hermite_polynomial_h", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q))
hermite_polynomial_he = _poly("hermite_polynomial_he", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: x, lambda k, x, p, q: x * p - k * q))
laguerre_polynomial_l = _poly("laguerre_polynomial_l", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: 1 - x,
    lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)))
legendre_polynomial_p = _poly("legendre_polynomial_p", _three_term(
    lambda xp, x: xp.ones_like(x), lambda xp, x: x,
    lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)))

POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
               "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
               "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]

__all__ = sorted(list(_TABLE) + ["polygamma", "multigammaln", "xlogy", "xlog1py", "zeta",
                                 "gammainc", "gammaincc", "logit"] + POLYNOMIALS)
