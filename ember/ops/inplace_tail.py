"""The in-place tail and the alias names of ``torch`` and ``Tensor`` (``acos_``,
``arccos``, ``logical_and_``, ``t_``, ``tril_`` ...), made by one mechanism.

- Value-writing in-place forms are ``ember.ops.pointwise._make_inplace(fn)`` of the
  out-of-place function, the same helper ``add_``/``mul_`` use: the leaf/view-of-leaf
  checks, the result-dtype-can't-be-cast check, the graph rebasing and the version bump
  all happen in ``pointwise.apply_inplace``. Each name below is listed once.
- In-place views (``t_``, ``transpose_``, ``swapaxes_``/``swapdims_``, ``squeeze_``,
  ``unsqueeze_``) re-point the tensor at the view's array and take the view's graph
  node, as PyTorch's do (a leaf that requires grad raises, the version bumps).
- Aliases (``arccos`` = ``acos`` ...) are plain references.
- ``apply_``/``map_``/``map2_`` run a Python callable per element (CPU only, as torch).
"""
from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import _bump
from ..autograd.grad_mode import _state
from . import pointwise as _pw
from . import shape as _sh
from . import special as _sp
from . import elementwise_math as _em
from . import matmul_tail as _mm
from . import renorm as _rn

_gam = backend.get_array_module


def _polygamma_method(self, n):
    """``Tensor.polygamma(n)``: torch's method takes ``n`` after ``self``."""
    return _sp.polygamma(n, self)


def _mvlgamma(input, p):
    return _sp.multigammaln(input, p)


def _conj_physical(input):
    return _pw.conj(input) if input.is_complex() else _pw.clone_tensor(input)


# -- out-of-place functions whose in-place form this module makes ------------------------
_FUNCTIONS = {
    "acos": _pw.acos, "acosh": _pw.acosh, "asin": _pw.asin, "asinh": _pw.asinh,
    "atan": _pw.atan, "atanh": _pw.atanh, "cosh": _pw.cosh, "sinh": _pw.sinh,
    "tan": _pw.tan, "exp2": _pw.exp2, "log2": _pw.log2, "log10": _pw.log10, "fix": _pw.trunc,
    "sgn": _pw.sgn, "arctan2": _pw.atan2, "bitwise_left_shift": _pw.bitwise_left_shift,
    "bitwise_right_shift": _pw.bitwise_right_shift, "logical_and": _pw.logical_and,
    "logical_or": _pw.logical_or, "logical_xor": _pw.logical_xor, "greater": _pw.gt,
    "greater_equal": _pw.ge, "less": _pw.lt, "less_equal": _pw.le, "not_equal": _pw.ne,
    "multiply": _pw.mul, "divide": _pw.div, "subtract": _pw.sub, "true_divide": _pw.true_divide,
    "erfc": _sp.erfc, "erfinv": _sp.erfinv, "digamma": _sp.digamma, "lgamma": _sp.gammaln,
    "i0": _sp.i0, "sinc": _sp.sinc, "logit": _sp.logit, "xlogy": _sp.xlogy,
    "igamma": _sp.gammainc, "igammac": _sp.gammaincc, "mvlgamma": _mvlgamma,
    "polygamma": _polygamma_method, "copysign": _em.copysign, "hypot": _em.hypot,
    "nextafter": _em.nextafter, "heaviside": _em.heaviside, "gcd": _em.gcd, "lcm": _em.lcm,
    "ldexp": _em.ldexp, "deg2rad": _em.deg2rad, "rad2deg": _em.rad2deg,
    "conj_physical": _conj_physical, "tril": _sh.tril, "triu": _sh.triu,
    "addr": _mm.addr, "addbmm": _mm.addbmm, "renorm": _rn.renorm,
}


def _on_copy(fn):
    """``fn`` applied to a differentiable copy of ``self`` while autograd records: a
    composite op (logit = log(clamp(x) / (1 - clamp(x))) ...) saves ``self`` in inner
    nodes that the in-place write would otherwise invalidate."""
    def run(self, *args, **kwargs):
        if _state[0] and self._rg:
            self = _pw.clone_tensor(self)
        return fn(self, *args, **kwargs)
    run.__name__ = fn.__name__
    return run


_INPLACE = {name + "_": _pw._make_inplace(_on_copy(fn)) for name, fn in _FUNCTIONS.items()}

# -- aliases ------------------------------------------------------------------------------
_ALIASES = {
    "arccos": _pw.acos, "arccosh": _pw.acosh, "arcsin": _pw.asin, "arcsinh": _pw.asinh,
    "arctan": _pw.atan, "arctanh": _pw.atanh,
    "arccos_": _INPLACE["acos_"], "arccosh_": _INPLACE["acosh_"],
    "arcsin_": _INPLACE["asin_"], "arcsinh_": _INPLACE["asinh_"],
    "arctan_": _INPLACE["atan_"], "arctanh_": _INPLACE["atanh_"],
    "negative_": _pw.neg_, "absolute_": _pw.abs_,
}


# -- in-place views -----------------------------------------------------------------------
def _inplace_view(fn, name):
    def method(self, *args, **kwargs):
        _pw._check_inplace(self)
        res = fn(self, *args, **kwargs)
        self._data = res._data
        if res.grad_fn is not None:
            self.grad_fn, self._output_nr = res.grad_fn, res._output_nr
        _bump(self)
        return self
    method.__name__ = name
    method.__doc__ = f"In-place view form of ``{fn.__name__}``: ``self`` becomes the view."
    return method


_VIEWS = {
    "t_": _inplace_view(_sh.t, "t_"),
    "transpose_": _inplace_view(_sh.transpose, "transpose_"),
    "swapaxes_": _inplace_view(_sh.swapaxes, "swapaxes_"),
    "swapdims_": _inplace_view(_sh.swapdims, "swapdims_"),
    "squeeze_": _inplace_view(_sh.squeeze, "squeeze_"),
    "unsqueeze_": _inplace_view(_sh.unsqueeze, "unsqueeze_"),
}


# -- Python callables per element ------------------------------------------------------------
def _python_map(name, self, fn, *others):
    if self.device.type != "cpu":
        raise RuntimeError(f"{name} is only implemented on CPU tensors")
    _pw._check_inplace(self)
    arrays = [_sh.expand(o, tuple(self.shape))._data for o in others]
    flat = self._data.reshape(-1) if self._data.flags.c_contiguous else None
    out = [fn(*(a.flat[i].item() for a in [self._data] + arrays)) for i in range(self._data.size)]
    import numpy
    values = numpy.asarray(out, dtype=self._data.dtype).reshape(self._data.shape)
    if flat is not None:
        flat[...] = values.reshape(-1)
    else:
        self._data[...] = values
    _bump(self)
    return self


def apply_(self, callable):
    """``Tensor.apply_(callable)``: ``self[i] = callable(self[i])`` (CPU, slow, as torch)."""
    return _python_map("apply_", self, callable)


def map_(self, tensor, callable):
    """``Tensor.map_(tensor, callable)``: ``self[i] = callable(self[i], tensor[i])``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"map_(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")
    return _python_map("map_", self, callable, tensor)


def map2_(self, x, y, callable):
    """``Tensor.map2_(x, y, callable)``: ``self[i] = callable(self[i], x[i], y[i])``."""
    return _python_map("map2_", self, callable, x, y)


# -- fill_diagonal_ ---------------------------------------------------------------------------
def _diagonal_filled(self, fill_value, wrap=False):
    """``self`` with ``fill_value`` on its main diagonal (all dims equal, or a tall matrix
    whose diagonal restarts every ``cols + 1`` rows when ``wrap``), differentiable in
    ``self`` off the diagonal."""
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    xp = _gam(self._data)
    mask = xp.zeros(shape, bool)
    if len(shape) == 2:
        rows, cols = shape
        n = rows if wrap and rows > cols + 1 else min(rows, cols)
        r = xp.arange(n)
        keep = r % (cols + 1) < cols if wrap else r < min(rows, cols)
        r = r[keep]
        mask[r, r % (cols + 1)] = True
    else:
        r = xp.arange(shape[0])
        mask[(r,) * len(shape)] = True
    value = _pw.scalar_like(fill_value, self).to(self.dtype)
    return _pw.where(_make(mask), value, self)


fill_diagonal_ = _pw._make_inplace(_diagonal_filled)


# -- what goes where -------------------------------------------------------------------------
_METHOD_FUNCTIONS = ("erfc", "erfinv", "digamma", "lgamma", "i0", "sinc", "logit", "xlogy",
                     "igamma", "igammac", "mvlgamma", "conj_physical")

METHOD_TABLE = dict(_INPLACE)
METHOD_TABLE.update(_ALIASES)
METHOD_TABLE.update(_VIEWS)
METHOD_TABLE.update({n: _FUNCTIONS[n] for n in _METHOD_FUNCTIONS})
METHOD_TABLE["polygamma"] = _polygamma_method
METHOD_TABLE.update(apply_=apply_, map_=map_, map2_=map2_, fill_diagonal_=fill_diagonal_)

# torch's top-level in-place functions (``torch.acos_(x)``), existing ones included
_TOP_INPLACE = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_",
    "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "gcd_", "i0_", "lcm_", "ldexp_",
    "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "round_", "rsqrt_", "sin_", "sinc_", "sinh_", "sqrt_",
    "square_", "tan_", "tanh_", "trunc_", "xlogy_",
)


def _top_level(name):
    if name in METHOD_TABLE:
        return METHOD_TABLE[name]
    return getattr(_pw, name)


TOP_LEVEL = {n: _top_level(n) for n in _TOP_INPLACE}
TOP_LEVEL.update({n: _ALIASES[n] for n in ("arccos", "arccosh", "arcsin", "arcsinh",
                                            "arctan", "arctanh")})
TOP_LEVEL["conj_physical"] = _conj_physical
from . import creation as _cr, linalg as _la  # noqa: E402
TOP_LEVEL.update(fill_=_cr.fill_, zero_=_cr.zero_, addmv_=_la.addmv_)
globals().update(TOP_LEVEL)
__all__ = sorted(TOP_LEVEL)
