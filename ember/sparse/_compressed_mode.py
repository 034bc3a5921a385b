"""Dense ops called with a sparse compressed (CSR/CSC/BSR/BSC) argument.

Reached from the sparse dispatch mode (``ember/sparse/_mode.py``) when an argument's array
is a ``CompressedArray``. The ops torch runs on compressed tensors are rerouted to their
compressed form: add (same layout stays sparse, with a dense operand the result is dense;
ember adds CSC/BSC tensors too, which torch 2.14 refuses, since autograd accumulates their
gradients with it), products with a scalar or a dense tensor of the same shape, zero-preserving
element-wise ops on the values, mm/mv/addmm with a dense operand, transpose of the two
sparse dims (CSR <-> CSC), the full sum and ``sum(dim, keepdim=True)``. Any other op raises
torch's NotImplementedError ("Could not run 'aten::<op>' with arguments from the
'SparseCsrCPU' backend"), never a dense computation on the wrong data.
"""
from .._sparse_compressed_array import CompressedArray
from .._tensor import Tensor
from . import _mode


def _cp(a):
    return isinstance(a, Tensor) and a._data.__class__ is CompressedArray


def _sc():
    from ..ops import sparse_compressed
    return sparse_compressed


def _backend(t):
    name = t._data.layout_name if _cp(t) else "Sparse"
    return name + ("CUDA" if t.is_cuda else "CPU")


def unsupported(name, t):
    return NotImplementedError(
        f"Could not run 'aten::{name}' with arguments from the '{_backend(t)}' backend. "
        f"ember: this op is not supported on sparse tensors (layout=ember."
        f"{t._data.layout.name}); convert with .to_dense() first")


def unsupported_any(name, seq):
    for x in seq:
        if _cp(x):
            return unsupported(name, x)
    return _mode.unsupported(name)


def _add(func, args, kwargs):
    sc = _sc()
    from .._dtype import result_type
    a, b = args
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        raise unsupported("add", a if _cp(a) else b)
    if _cp(a) and _cp(b):
        if a._data.layout is not b._data.layout:
            raise RuntimeError(f"add: expected 'self' and 'other' to have the same layout, but "
                               f"got {a._data.layout_name} and {b._data.layout_name}")
        if a._data.shape != b._data.shape:
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self "
                               f"has size {list(a.shape)} while other has size "
                               f"{list(b.shape)}")
        return sc.CompressedAdd.apply(a, b)
    if _mode._sp(a) or _mode._sp(b):
        raise unsupported("add", a if _cp(a) else b)
    d, s = (a, b) if _cp(b) else (b, a)
    if tuple(d.shape) != tuple(s.shape):
        raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has "
                           f"size {list(a.shape)} while other has size {list(b.shape)}")
    return sc.DenseAddCompressed.apply(d, s, np_dtype=result_type(a, b).np)


def _sub(func, args, kwargs):
    # torch 2.14 has no subtraction kernel for the compressed layouts
    a, b = args
    raise RuntimeError(f"unsupported tensor layout: {(a if _cp(a) else b)._data.layout_name}")


def _scalar(a):
    return not isinstance(a, Tensor) or (not _mode._any_sparse(a) and a._data.ndim == 0)


def _scale(func, args, kwargs):
    """s * scalar, s / scalar, s ** positive scalar, s * dense, s * s: sparse results."""
    sc = _sc()
    a, b = args
    fname = func.__name__
    s = a if _cp(a) else b
    if fname == "Div":
        # torch 2.14 has no division kernel for the compressed layouts
        raise RuntimeError(f"unsupported tensor layout: {s._data.layout_name}")
    if _cp(a) and _scalar(b):
        if fname == "Pow" and (isinstance(b, Tensor) or not b > 0):
            raise unsupported("pow", a)
        return sc.on_values(a, lambda v: func.apply(v, b))
    if fname == "Mul":
        o = b if s is a else a
        if _scalar(o):
            return sc.on_values(s, lambda v: func.apply(v, o))
        if _cp(o) and o._data.same_pattern(s._data):
            return sc.on_values(s, lambda v: func.apply(v, sc.values(o)))
        if isinstance(o, Tensor) and tuple(o.shape) == tuple(s.shape):
            od = sc.to_dense(o) if _mode._any_sparse(o) else o
            return sc.on_values(s, lambda v: func.apply(
                v, sc.GatherEntries.apply(od, pattern=s._data)))
    raise unsupported(_mode._aten_name(func), s)


def _on_values(func, args, kwargs):
    s = args[0]
    if not _cp(s) or any(_mode._any_sparse(a) for a in args[1:]):
        raise unsupported(_mode._aten_name(func), s if _cp(s) else args[1])
    rest = args[1:]
    return _sc().on_values(s, lambda v: func.apply(v, *rest, **kwargs))


def _mm(func, args, kwargs):
    return _sc().mm(*args)


def _mv(func, args, kwargs):
    m, v = args
    return _sc().mm(m, v.unsqueeze(1)).squeeze(1)


def _addmm(func, args, kwargs):
    inp, m1, m2 = args[:3]
    beta = kwargs.get("beta", args[3] if len(args) > 3 else 1)
    alpha = kwargs.get("alpha", args[4] if len(args) > 4 else 1)
    if _cp(inp):
        raise unsupported("addmm", inp)
    p = _sc().mm(m1, m2)
    if alpha != 1:
        p = p * alpha
    return p if beta == 0 else p + (inp if beta == 1 else inp * beta)


def _transpose(func, args, kwargs):
    x = args[0]
    a = x._data
    if func.__name__ == "TransposeT":
        if a.ndim != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but self is 2 sparse and {a.dense_dim} dense")
        return _sc().transpose(x, t=True)
    n = a.ndim
    d0 = kwargs.get("d0", args[1] if len(args) > 1 else 0) % n
    d1 = kwargs.get("d1", args[2] if len(args) > 2 else 1) % n
    if d0 == d1:
        return x
    bd = a.batch_dim
    if {d0, d1} == {bd, bd + 1}:
        return _sc().transpose(x)
    raise RuntimeError(f"transpose(): hybrid sparse compressed tensors with dense dimensions "
                       f"and batch dimensions are not supported (ember: only the two sparse "
                       f"dims {bd} and {bd + 1} of a {a.layout_name} tensor transpose; got "
                       f"{d0} and {d1})")


def _sum(func, args, kwargs):
    from .._dtype import NP_TO_DTYPE
    x = args[0]
    sc = _sc()
    axes = kwargs.get("axes")
    np_dtype = kwargs.get("np_dtype")
    if axes is None or len(axes) == 0 and func.__name__ == "Sum":
        v = sc.values(x)
        return v.sum(dtype=None if np_dtype is None else NP_TO_DTYPE[np_dtype])
    if not kwargs.get("keepdim"):
        raise RuntimeError("reduction operations on CSR tensors with keepdim=False is "
                           "unsupported")
    a = x._data
    if a.layout.name != "sparse_csr":
        raise unsupported("sum.dim_IntList", x)
    d = sc.to_dense(x).sum(tuple(axes), keepdim=True,
                           dtype=None if np_dtype is None else NP_TO_DTYPE[np_dtype])
    return sc.to_layout(d, a.layout, dense_dim=a.dense_dim)


HANDLERS = {"Add": _add, "Sub": _sub, "Mul": _scale, "Div": _scale, "Pow": _scale,
            "Mm": _mm, "Mv": _mv, "Addmm": _addmm, "Transpose": _transpose,
            "TransposeT": _transpose, "Sum": _sum, "SumDim": _sum}


def dispatch(func, args, kwargs):
    """See the module docstring (the sparse mode's step for compressed arguments)."""
    name = func.__name__
    h = HANDLERS.get(name)
    if h is not None:
        return h(func, args, kwargs)
    if name in _mode._ON_VALUES:
        return _on_values(func, args, kwargs)
    for a in args:
        if _cp(a):
            if func.__module__.endswith(".pointwise"):
                # torch's element-wise kernels refuse the layout by name
                raise RuntimeError(f"unsupported tensor layout: {a._data.layout_name}")
            raise unsupported(_mode._aten_name(func), a)
    raise _mode.unsupported(_mode._aten_name(func))
