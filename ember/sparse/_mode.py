"""The sparse dispatch mode: dense ops called with a sparse COO argument.

A ``DispatchMode`` at the bottom of the mode stack, installed when the first sparse array
is made (``ember._sparse_array``), as the quantized-tensor mode is. A call with no sparse
argument goes straight on (one mode dispatch, about a microsecond, in a process that has
made a sparse tensor; nothing in one that has not). The sparse Functions
(``ember/ops/sparse_coo.py``) pass through. The dense ops torch runs on sparse tensors are
rerouted to their sparse form (``HANDLERS``): add/sub (sparse + sparse stays sparse,
sparse + dense is dense), products with a scalar, zero-preserving element-wise ops on the
values (neg, abs, sqrt, sin, tanh ... and dtype casts), mm/mv, transpose, sum, device
moves. Any other op raises torch's NotImplementedError ("Could not run 'aten::<op>' with
arguments from the 'SparseCPU' backend"), never a dense computation on the wrong data.
"""
import re

from .._sparse_array import COOArray
from .._sparse_compressed_array import CompressedArray
from .._tensor import Tensor
from ..autograd import dispatch as _dispatch

# element-wise Functions with f(0) == 0: they run on the values alone
_ON_VALUES = frozenset((
    "Neg", "Abs", "Sqrt", "Sin", "Tan", "Tanh", "Asin", "Atan", "Sinh", "Asinh", "Atanh",
    "Expm1", "Log1p", "Sign", "Sgn", "Trunc", "Floor", "Ceil", "Round", "Frac", "Erf",
    "Erfinv", "Square", "Relu", "Deg2rad", "Rad2deg", "NanToNum", "Clone", "ToCopy", "Conj",
    "Signbit", "Isnan", "Isinf", "Isposinf", "Isneginf"))


_SPARSE = (COOArray, CompressedArray)


def _sp(a):
    return isinstance(a, Tensor) and a._data.__class__ is COOArray


def _any_sparse(a):
    return isinstance(a, Tensor) and a._data.__class__ in _SPARSE


def _scalar(a):
    return not isinstance(a, Tensor) or (not _sp(a) and a._data.ndim == 0)


def _aten_name(func):
    base = func.__name__.lstrip("_")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


def unsupported(name, t=None):
    dev = "SparseCUDA" if t is not None and t.is_cuda else "SparseCPU"
    return NotImplementedError(
        f"Could not run 'aten::{name}' with arguments from the '{dev}' backend. ember: this "
        f"op is not supported on sparse tensors (layout=ember.sparse_coo); convert with "
        f".to_dense() first")


def _add(func, args, kwargs):
    from ..ops import sparse_coo as sc
    from .._dtype import result_type
    a, b = args
    if _sp(a) and _sp(b):
        return sc.SparseAdd.apply(a, b)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        # sparse + dense is accepted too (torch refuses it; autograd's gradient sums need it)
        d, s = (a, b) if _sp(b) else (b, a)
        target = result_type(a, b)
        return sc.DenseAddSparse.apply(d, s, np_dtype=target.np)
    raise unsupported("add")


def _sub(func, args, kwargs):
    from ..ops import pointwise as pw
    a, b = args
    if isinstance(b, Tensor):
        return _add(func, (a, pw.neg(b)), {})
    raise unsupported("sub")


def _scale(func, args, kwargs):
    """s * scalar, s / scalar, s ** scalar: on the values; s * dense: sparse."""
    from ..ops import sparse_coo as sc
    a, b = args
    name = _aten_name(func)
    fname = func.__name__
    if _sp(a) and _scalar(b):
        if fname == "Pow":
            if isinstance(b, Tensor) or not b > 0:
                raise unsupported("pow", a)
            return sc.on_values(sc.coalesce(a), lambda v: func.apply(v, b))
        if isinstance(b, Tensor) and b._rg:
            return sc.on_values(sc.coalesce(a), lambda v: func.apply(v, b))
        return sc.SparseLinearMap.apply(a, fn=lambda v: func.apply(v, b),
                                        adjoint=lambda g: func.apply(g, b))
    if fname == "Mul":
        s, d = (a, b) if _sp(a) else (b, a)
        if _scalar(d):
            return sc.SparseLinearMap.apply(s, fn=lambda v: func.apply(v, d),
                                            adjoint=lambda g: func.apply(g, d))
        if isinstance(d, Tensor) and not _sp(d) and tuple(d.shape) == tuple(s.shape):
            return sc.SparseMulDense.apply(s, d)
        if _sp(a) and _sp(b):
            return sc.to_sparse(func.apply(sc.to_dense(a), sc.to_dense(b)))
    raise unsupported(name, a if _sp(a) else b)


def _mk(arr):
    from .._tensor import _make
    return _make(arr)


# ops linear in the values run on an uncoalesced tensor as it is; the others (abs, sqrt,
# casts to integers ...) coalesce first, since f(a) + f(b) != f(a + b), as torch does
_LINEAR = frozenset(("Neg", "Clone", "Conj"))


def _on_values(func, args, kwargs):
    from ..ops import sparse_coo as sc
    s = args[0]
    if any(_sp(a) for a in args[1:]):
        raise unsupported(_aten_name(func), s)
    name = func.__name__
    np_dtype = kwargs.get("np_dtype")
    rest = args[1:]
    if name in _LINEAR:
        return sc.SparseLinearMap.apply(s, fn=lambda v: func.apply(v, *rest, **kwargs),
                                        adjoint=lambda g: func.apply(g, *rest, **kwargs))
    if name == "ToCopy" and np_dtype is not None and np_dtype.kind in "fcV":
        back = s.dtype
        return sc.SparseLinearMap.apply(s, fn=lambda v: func.apply(v, *rest, **kwargs),
                                        adjoint=lambda g: g.to(back))
    return sc.on_values(sc.coalesce(s), lambda v: func.apply(v, *rest, **kwargs))


def _mm(func, args, kwargs):
    from ..ops import sparse_coo as sc
    return sc.mm(*args)


def _mv(func, args, kwargs):
    from ..ops import sparse_coo as sc
    m, v = args
    return sc.mm(m, v.unsqueeze(1)).squeeze(1)


def _transpose(func, args, kwargs):
    from ..ops import sparse_coo as sc
    x = args[0]
    if func.__name__ == "TransposeT":
        if x._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but self is {x._data.sparse_dim} sparse and "
                               f"{x._data.dense_dim} dense")
        return x if x._data.ndim < 2 else sc.transpose(x, 0, 1)
    d0 = kwargs.get("d0", args[1] if len(args) > 1 else 0)
    d1 = kwargs.get("d1", args[2] if len(args) > 2 else 1)
    return sc.transpose(x, d0, d1)


def _sum(func, args, kwargs):
    from ..ops import sparse_coo as sc
    from .._dtype import NP_TO_DTYPE
    x = args[0]
    axes = kwargs.get("axes")
    np_dtype = kwargs.get("np_dtype")
    dtype = None if np_dtype is None else NP_TO_DTYPE[np_dtype]
    if kwargs.get("keepdim"):
        raise unsupported("sum (keepdim=True)", x)
    if axes is None or len(axes) == 0 and func.__name__ == "Sum":
        return sc.sum_sparse(x, None, dtype=dtype)
    return sc.sum_sparse(x, tuple(axes), dtype=dtype)


def _to_device(func, args, kwargs):
    from ..ops import sparse_coo as sc
    from .. import backend
    s = args[0]
    dev = kwargs.get("device_type", args[1] if len(args) > 1 else "cpu")
    c = s._data
    vals = func.apply(sc.SparseValues.apply(s), dev)
    idx = backend.to_device(c.indices, dev)
    return sc.SparseCooTensor.apply(_mk(idx), vals, size=c.shape, coalesced=c.coalesced)


HANDLERS = {"Add": _add, "Sub": _sub, "Mul": _scale, "Div": _scale, "Pow": _scale,
            "Mm": _mm, "Mv": _mv, "Transpose": _transpose, "TransposeT": _transpose,
            "Sum": _sum, "SumDim": _sum, "ToDevice": _to_device}


class SparseTensorMode(_dispatch.DispatchMode):
    """See the module docstring."""

    def __ember_dispatch__(self, func, args, kwargs):
        for a in args:
            if isinstance(a, Tensor) and a._data.__class__ in _SPARSE:
                break
            if type(a) in (list, tuple) and any(_any_sparse(x) for x in a):
                from ._compressed_mode import unsupported_any
                raise unsupported_any(_aten_name(func), a)
        else:
            return func.apply(*args, **kwargs)
        from ..ops.sparse_coo import SPARSE_FUNCTIONS
        if func in SPARSE_FUNCTIONS:
            return func.apply(*args, **kwargs)
        if any(isinstance(x, Tensor) and x._data.__class__ is CompressedArray for x in args):
            from ._compressed_mode import dispatch
            return dispatch(func, args, kwargs)
        name = func.__name__
        h = HANDLERS.get(name)
        if h is not None:
            return h(func, args, kwargs)
        if name in _ON_VALUES and _sp(args[0]):
            return _on_values(func, args, kwargs)
        raise unsupported(_aten_name(func), a)


_installed = [False]


def install():
    if not _installed[0]:
        _installed[0] = True
        _dispatch.push_base_mode(SparseTensorMode())
