"""Helpers shared by the op families: one copy each, imported by the family files.

- ``no_grad_op``: the ArrayFunction of an op with no differentiable output (predicates,
  logical/bitwise ops, arg-reductions, nonzero, one_hot ...), so it goes through
  ``Function.apply`` and an active dispatch mode (jit/onnx capture, profiler) sees it
  instead of a constant;
- argument checks and messages in PyTorch's words: ``check_tensor``, ``fmt_shape``,
  ``broadcast_shape``, ``legacy_name`` (``'Long'``, ``'Float'`` ...);
- ``write_out``: the ``out=`` argument of the function forms;
- along-dim indexing (``along``), element counts (``count``), ``as_number``;
- the compute-type casts ``up`` (arrays) / ``up_t`` (Tensors): float16/bfloat16 compute
  in float32 (``ember._dtype.compute_dtype``);
- the math namespaces: one formula runs on arrays (``array_math(xp)``, the fast forward
  and ``backward_arrays``) or on Tensors (``TENSOR_MATH``, differentiable, the
  ``backward`` definition) -- the union of what activation and loss formulas use.
"""
from .. import backend
from .._dtype import HALF_NP, float32 as _float32
from .._tensor import Tensor, _LEGACY_NAMES
from ..autograd.function import ArrayFunction, _bump
from ..autograd.grad_mode import _state
from ..autograd._dual_level import level as _fw_level

_F32 = _float32.np
_SQRT1_2 = 0.7071067811865476


# ---------------------------------------------------------------------------------------
# ops without a gradient

def _no_backward(ctx, *grads):
    return (None,) * len(ctx.needs_input_grad)


def no_grad_op(module, name, compute, broadcasting=False):
    """An ArrayFunction class ``name`` of op-family module ``module`` (its ``__name__``:
    graph capture and converters name an op ``module:qualname``) whose
    ``forward(ctx, *arrays, **kwargs)`` returns ``compute(*arrays, **kwargs)`` and whose
    outputs never require grad."""
    return type(name, (ArrayFunction,), {
        "__module__": module, "__qualname__": name, "differentiable_outputs": (),
        "broadcasting": broadcasting,
        "forward": staticmethod(lambda ctx, *arrays, **kwargs: compute(*arrays, **kwargs)),
        "backward": staticmethod(_no_backward),
    })


# ---------------------------------------------------------------------------------------
# argument checks and messages

# PyTorch's legacy scalar-type names, as its dispatch errors print them ('Long', 'Float').
LEGACY_NAMES = {k: v[:-len("Tensor")] for k, v in _LEGACY_NAMES.items()}


def legacy_name(dtype_name, default=None):
    """PyTorch's legacy name of a dtype name (``"int64"`` -> ``"Long"``)."""
    return LEGACY_NAMES.get(dtype_name, dtype_name if default is None else default)


def check_tensor(x, fname, arg="input", pos=1):
    """PyTorch's TypeError for a non-Tensor argument."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def fmt_shape(shape):
    """A shape as PyTorch prints it in messages: ``[2, 3]``."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_shape(*shapes):
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


def as_number(v):
    """A scalar option as a plain Python number (a NumPy float64 scalar would turn float32
    math into float64)."""
    if type(v) is int or type(v) is float:
        return v
    if hasattr(v, "item"):
        v = v.item()
    return v if type(v) is int or type(v) is float else float(v)


# ---------------------------------------------------------------------------------------
# out=

def _check_no_tangent(mode, res, out):
    """PyTorch's out= functions have no forward-mode AD: raise where a tangent is involved."""
    from ..autograd.forward_ad import _tangent_of
    if _tangent_of(res, mode) is not None or _tangent_of(out, mode) is not None:
        raise NotImplementedError("Trying to use forward AD with an out= function that does "
                                  "not support it because it is an out= function")


def write_out(res, out):
    """``out=``: copy ``res`` into ``out`` (resized when its shape differs), as PyTorch."""
    if out is None:
        return res
    if _fw_level[0] is not None:
        _check_no_tangent(_fw_level[0], res, out)
    if _state[0] and (res._rg or out._rg):
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != res._data.shape:
        out._data = res._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = res._data
    _bump(out)
    return out


# ---------------------------------------------------------------------------------------
# indexing and counting along dims

def along(xp, idx, dim):
    """Fancy-index arrays addressing ``[i][j]...[idx[i, j, ...]]...`` along ``dim`` (the
    index tuple of NumPy's take/put_along_axis)."""
    nd = idx.ndim
    out = []
    for i in range(nd):
        if i == dim:
            out.append(idx)
        else:
            shape = [1] * nd
            shape[i] = idx.shape[i]
            out.append(xp.arange(idx.shape[i]).reshape(shape))
    return tuple(out)


def count(shape, axes):
    """The number of elements of ``shape`` along ``axes`` (None: all of them)."""
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


# ---------------------------------------------------------------------------------------
# compute-type casts: float16/bfloat16 compute in float32

def up(a):
    """A float16/bfloat16 array as float32; others (and None) unchanged."""
    if a is not None and a.dtype in HALF_NP:
        return a.astype(_F32)
    return a


def up_t(t):
    """The Tensor counterpart of ``up`` (a differentiable cast)."""
    if t._data.dtype in HALF_NP:
        from .._convert import to_dtype
        return to_dtype(t, _float32)
    return t


# ---------------------------------------------------------------------------------------
# the math namespaces: one formula, run on arrays or on Tensors

_ERFC_COEFS = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
               0.09678418, 0.37409196, 1.00002368)


class ArrayMath:
    """The math the fused element-wise formulas (activations, losses) use, on arrays of
    backend ``xp``; get one with ``array_math(xp)``."""

    def __init__(self, xp):
        self.xp = xp
        self.exp, self.expm1, self.log1p, self.tanh = xp.exp, xp.expm1, xp.log1p, xp.tanh
        self.abs, self.maximum, self.minimum = xp.abs, xp.maximum, xp.minimum
        self.clip, self.where, self.sign, self.log = xp.clip, xp.where, xp.sign, xp.log

    @staticmethod
    def fmask(mask, like):
        """A bool mask as 0/1 in ``like``'s dtype (multiplied in to select a branch)."""
        return mask.astype(like.dtype)

    def clamp_min(self, x, v):
        return self.xp.maximum(x, v)

    def sigmoid(self, x):
        return 1.0 / (1.0 + self.xp.exp(-x))   # exp overflow gives 1/inf = 0: exact

    def softplus(self, x):
        """log(1 + e^x) without overflow."""
        xp = self.xp
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def xlogy_self(self, t):
        """t * log(t), 0 where t == 0 (``torch.xlogy(t, t)``)."""
        return self.xp.where(t == 0, 0, t * self.xp.log(t)).astype(t.dtype, copy=False)

    def ndtr(self, x):
        """Phi(x), the standard normal CDF (in place on its own temporaries: ~2x faster)."""
        xp = self.xp
        if x.dtype.itemsize == 8:   # float64: PyTorch's formula, SciPy's erf
            return 0.5 * (1.0 + backend.erf(xp, x * _SQRT1_2))
        shape, x = x.shape, x.reshape(-1)   # 1-D, so ufuncs give arrays, never scalars
        z = xp.abs(x)
        z *= _SQRT1_2
        t = z * 0.5
        t += 1.0
        xp.reciprocal(t, out=t)
        acc = t * _ERFC_COEFS[0]
        for c in _ERFC_COEFS[1:]:
            acc += c
            acc *= t
        z *= z
        acc -= z
        acc -= 1.26551223
        xp.exp(acc, out=acc)
        acc *= t
        acc *= 0.5                       # q = Phi(-|x|), accurate relative to its size
        phi = acc * -2.0                 # Phi(x) = q + (x >= 0) * (1 - 2q)
        phi += 1.0
        phi *= x >= 0
        phi += acc
        return phi.reshape(shape)


_ARRAY_MATH = {}


def array_math(xp):
    """The ArrayMath of backend ``xp`` (one per backend)."""
    ns = _ARRAY_MATH.get(xp)
    if ns is None:
        ns = _ARRAY_MATH[xp] = ArrayMath(xp)
    return ns


class TensorMath:
    """The same math on ember Tensors: differentiable (double backward). The ops are looked
    up at call time (ember.ops.pointwise imports this module)."""

    @staticmethod
    def exp(x):
        return _pw().exp(x)

    @staticmethod
    def expm1(x):
        return _pw().expm1(x)

    @staticmethod
    def log(x):
        return _pw().log(x)

    @staticmethod
    def log1p(x):
        return _pw().log1p(x)

    @staticmethod
    def tanh(x):
        return _pw().tanh(x)

    @staticmethod
    def abs(x):
        return _pw().abs(x)

    @staticmethod
    def sign(x):
        return _pw().sign(x)

    @staticmethod
    def sigmoid(x):
        return _pw().sigmoid(x)

    @staticmethod
    def where(cond, a, b):
        return _pw().where(cond, a, b)

    @staticmethod
    def maximum(x, v):
        pw = _pw()
        return pw.maximum(x, v) if isinstance(v, Tensor) else pw.clamp(x, min=v)

    @staticmethod
    def minimum(x, v):
        pw = _pw()
        return pw.minimum(x, v) if isinstance(v, Tensor) else pw.clamp(x, max=v)

    @staticmethod
    def clip(x, lo, hi):
        return _pw().clamp(x, lo, hi)

    @staticmethod
    def clamp_min(x, v):
        return _pw().clamp_min(x, v)

    @staticmethod
    def fmask(mask, like):
        from .._convert import to_dtype
        return to_dtype(mask, like.dtype)

    @staticmethod
    def softplus(x):
        from .activation import softplus   # fused, derivative sigmoid(x) (exact at 0)
        return softplus(x)

    @staticmethod
    def ndtr(x):
        return 0.5 * (1.0 + _pw().erf(x * _SQRT1_2))


TENSOR_MATH = TensorMath()


def _pw():
    from . import pointwise
    return pointwise
