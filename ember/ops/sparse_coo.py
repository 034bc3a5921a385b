"""Sparse COO tensors: construction, conversion, coalescing and the sparse x dense product,
each one Function with its gradient (PyTorch's ``torch.sparse_coo_tensor``,
``Tensor.to_sparse``/``to_dense``/``coalesce``/``_values``, ``torch.sparse.mm``).

The array-level value is ``ember._sparse_array.COOArray``. Gradients follow torch:

* ``sparse_coo_tensor(indices, values)``: the values' gradient is the output gradient
  (dense or sparse) read at each index (duplicates each get the gradient at their
  coordinate);
* ``to_dense()``: the sparse input gets a coalesced sparse gradient on its own pattern;
* ``torch.mm(S, D)`` gives S a dense gradient, ``torch.sparse.mm(S, D)`` a coalesced
  sparse one on S's pattern (both as torch); D gets ``S^T @ grad``.

Every backward is written with ember ops (and these Functions), so double backward is
real. Ops that only touch the values (``-s``, ``s * 2``, ``s.to(float64)``, ``s.abs()``
...) run the dense op on ``_values()`` and rebuild the tensor (``on_values``): their
gradient comes from the two Functions below, nothing op-specific.
"""
import numpy

from .. import backend
from .._sparse_array import COOArray
from .. import _sparse_array as _sa
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction

SPARSE_FUNCTIONS = set()


def _sparse_aware(cls):
    SPARSE_FUNCTIONS.add(cls)
    return cls


def is_sparse(t):
    return isinstance(t, Tensor) and t._data.__class__ is COOArray


def _check_sparse(t, name, what="sparse coordinate tensor layout"):
    if not is_sparse(t):
        got = "Strided"
        if isinstance(t, Tensor) and hasattr(type(t._data), "layout_name"):
            got = t._data.layout_name
        raise RuntimeError(f"{name} expected {what} but got {got}")
    return t._data


# -- construction and access ---------------------------------------------------------------
@_sparse_aware
class SparseCooTensor(ArrayFunction):
    """values -> sparse tensor with the given indices (torch's
    SparseCooTensorWithDimsAndTensorsBackward0)."""

    node_name = "SparseCooTensorWithDimsAndTensorsBackward0"

    @staticmethod
    def forward(ctx, indices, values, size=None, coalesced=False):
        ctx.indices = indices
        return COOArray(indices, values, size, coalesced)

    @staticmethod
    def backward(ctx, g):
        return None, gather_at(g, _make(ctx.indices))


@_sparse_aware
class SparseValues(ArrayFunction):
    """``_values()``: the values array (shared, as torch's alias); its gradient is a sparse
    tensor on the input's indices."""

    node_name = "ValuesBackward0"

    @staticmethod
    def forward(ctx, s):
        ctx.meta = (s.indices, s.shape, s.coalesced)
        return s.values

    @staticmethod
    def backward(ctx, g):
        indices, shape, coalesced = ctx.meta
        return SparseCooTensor.apply(_make(indices), g, size=shape, coalesced=coalesced)


@_sparse_aware
class ToDense(ArrayFunction):
    node_name = "ToDenseBackward0"

    @staticmethod
    def forward(ctx, s, np_dtype=None):
        ctx.pattern = s
        return _sa.to_dense(s, np_dtype)

    @staticmethod
    def backward(ctx, g):
        return mask_like(g, ctx.pattern)


@_sparse_aware
class ToSparse(ArrayFunction):
    node_name = "ToSparseBackward0"

    @staticmethod
    def forward(ctx, x, sparse_dim=None):
        return _sa.from_dense(x, sparse_dim)

    @staticmethod
    def backward(ctx, g):
        return to_dense(g) if is_sparse(g) else g


@_sparse_aware
class Coalesce(ArrayFunction):
    node_name = "CoalesceBackward0"

    @staticmethod
    def forward(ctx, s):
        return _sa.coalesce(s)

    @staticmethod
    def backward(ctx, g):
        return g


@_sparse_aware
class SparseAdd(ArrayFunction):
    """sparse + sparse -> sparse, in torch's merge order (``_sparse_array.merge_add``)."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.shape != b.shape:
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self "
                               f"has size {list(a.shape)} while other has size {list(b.shape)} "
                               "(FYI: dense-sparse addition does not currently support "
                               "broadcasting)")
        return _sa.merge_add(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g


@_sparse_aware
class DenseAddSparse(ArrayFunction):
    """dense + sparse (either order) -> dense."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, d, s, np_dtype=None):
        if tuple(d.shape) != s.shape:
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self "
                               f"has size {list(d.shape)} while other has size {list(s.shape)} "
                               "(FYI: dense-sparse addition does not currently support "
                               "broadcasting)")
        out = d.astype(np_dtype, copy=True)
        _sa.scatter_into(out, s)
        return out

    @staticmethod
    def backward(ctx, g):
        return g, g


@_sparse_aware
class SparseTranspose(ArrayFunction):
    node_name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, s, dim0=0, dim1=1):
        ctx.dims = (dim0, dim1)
        sd = s.sparse_dim
        shape = list(s.shape)
        shape[dim0], shape[dim1] = shape[dim1], shape[dim0]
        if dim0 < sd and dim1 < sd:
            idx = s.indices.copy()
            idx[[dim0, dim1]] = idx[[dim1, dim0]]
            return COOArray(idx, s.values, shape, False)
        if dim0 >= sd and dim1 >= sd:
            vals = s.values.swapaxes(dim0 - sd + 1, dim1 - sd + 1)
            return COOArray(s.indices, vals, shape, s.coalesced)
        raise RuntimeError("transpose(): can't transpose a sparse dimension with a dense one "
                           f"(sparse_dim={sd}, dims {dim0} and {dim1})")

    @staticmethod
    def backward(ctx, g):
        return transpose(g, *ctx.dims)


@_sparse_aware
class SparseDenseMM(ArrayFunction):
    """2-D sparse @ 2-D dense -> dense. ``masked``: S's gradient is sparse on S's pattern
    (torch.sparse.mm), else dense (torch.mm)."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, s, d, masked=False):
        ctx.masked = masked
        ctx.save_for_backward(s, d)
        return _sa.sparse_dense_mm(s, d)

    @staticmethod
    def backward(ctx, g):
        s, d = ctx.saved_tensors
        gs = gd = None
        if ctx.needs_input_grad[0]:
            gs = sampled_mm(g, d, s) if ctx.masked else g.mm(d.t())
        if ctx.needs_input_grad[1]:
            gd = SparseDenseMM.apply(transpose(s, 0, 1), g, masked=ctx.masked)
        return gs, gd


@_sparse_aware
class SparseSum(ArrayFunction):
    """``torch.sparse.sum`` / ``sum(dim)`` over some dims: sparse while sparse dims remain,
    else dense; the input's gradient is sparse on its coalesced pattern."""

    node_name = "SparseSumBackward0"

    @staticmethod
    def forward(ctx, s, dims=()):
        sd = s.sparse_dim
        sp = [d for d in range(sd) if d not in dims]
        dn = tuple(d - sd + 1 for d in dims if d >= sd)
        vals = s.values.sum(axis=dn) if dn else s.values
        shape = [n for i, n in enumerate(s.shape) if i not in dims]
        c = _sa.coalesce(s)
        ctx.meta = (c.indices, s.shape, True, tuple(dims))
        if not sp:
            return vals.sum(axis=0)
        return _sa.coalesce(COOArray(s.indices[sp], vals, shape, False))

    @staticmethod
    def backward(ctx, g):
        indices, shape, coalesced, dims = ctx.meta
        sd = indices.shape[0]
        gd = to_dense(g) if is_sparse(g) else g
        keep = [d for d in range(sd) if d not in dims]
        if keep:
            from .indexing import getitem
            vals = getitem(gd, tuple(_make(indices[d]) for d in keep))
        else:
            vals = gd.unsqueeze(0).expand((indices.shape[1],) + tuple(gd.shape))
        for d in sorted(d for d in dims if d >= sd):
            vals = vals.unsqueeze(d - sd + 1)
        vals = vals.expand((indices.shape[1],) + tuple(shape[sd:]))
        return SparseCooTensor.apply(_make(indices), vals, size=shape, coalesced=coalesced)


# -- helpers written with the Functions (differentiable) ------------------------------------
def gather_at(g, indices):
    """g (dense or sparse, the full shape) read at each column of ``indices``: the values
    gradient of a constructor."""
    if is_sparse(g):
        g = to_dense(g)
    from .indexing import getitem
    return getitem(g, tuple(indices[d] for d in range(indices.shape[0])))


def mask_like(g, pattern):
    """torch's ``g.sparse_mask(pattern)``: g read at the (coalesced) pattern's indices."""
    c = _sa.coalesce(pattern)
    idx = _make(c.indices)
    return SparseCooTensor.apply(idx, gather_at(g, idx), size=c.shape, coalesced=False)


def sampled_mm(g, d, s):
    """(g @ d^T) read only at the coalesced pattern of sparse s: a sparse gradient."""
    c = _sa.coalesce(s._data)
    rows, cols = _make(c.indices[0]), _make(c.indices[1])
    from .indexing import index_select
    vals = (index_select(g, 0, rows) * index_select(d, 0, cols)).sum(1)
    return SparseCooTensor.apply(_make(c.indices), vals, size=c.shape, coalesced=False)


@_sparse_aware
class SparseLinearMap(ArrayFunction):
    """An op linear in the values that keeps the entry structure (``s * 2``, ``-s``,
    ``s / 3``, a float cast, ``s * dense``): ``fn`` maps the values (an ember op run on
    them), ``adjoint`` maps the output gradient (a tensor of s's shape) back. Exact for
    uncoalesced inputs too, where going through ``_values()`` would not be."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, s, fn=None, adjoint=None):
        ctx.adjoint = adjoint
        from ..autograd.grad_mode import no_grad
        with no_grad():
            vals = fn(_make(s.values))._data
        return COOArray(s.indices, vals, s.shape, s.coalesced)

    @staticmethod
    def backward(ctx, g):
        return ctx.adjoint(g)


@_sparse_aware
class SparseMulDense(ArrayFunction):
    """sparse * dense of the same shape -> sparse on the sparse operand's entries."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, s, d):
        ctx.save_for_backward(s, d)
        vals = s.values * d[tuple(s.indices)]
        return COOArray(s.indices, vals, s.shape, s.coalesced)

    @staticmethod
    def backward(ctx, g):
        s, d = ctx.saved_tensors
        gs = gd = None
        if ctx.needs_input_grad[0]:
            gs = g * d if not is_sparse(g) else SparseMulDense.apply(g, d)
        if ctx.needs_input_grad[1]:
            gd = to_dense(SparseMulDense.apply(s, to_dense(g)))
        return gs, gd


def values_of(s):
    return SparseValues.apply(s)


def on_values(s, fn):
    """A sparse tensor with s's indices and ``fn(values)``, differentiable through both
    (exact for coalesced s: uncoalesced inputs are coalesced by the callers first)."""
    c = s._data
    return SparseCooTensor.apply(_make(c.indices), fn(SparseValues.apply(s)), size=c.shape,
                                 coalesced=c.coalesced)


# -- public functions ----------------------------------------------------------------------
def _as_index_array(indices, device):
    from .creation import tensor as _tensor
    if isinstance(indices, Tensor):
        arr = indices._data
    else:
        arr = _tensor(numpy.asarray(indices) if not isinstance(indices, (list, tuple))
                      else indices, device=device)._data
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"indices must be an int64 tensor (got {_dtype_name(arr.dtype)})")
    return arr.astype(numpy.int64, copy=False)


def _dtype_name(np_dtype):
    from .._dtype import NP_TO_DTYPE
    return repr(NP_TO_DTYPE[np_dtype])


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """``torch.sparse_coo_tensor``. Without ``size`` the size is the indices' maximum + 1
    per sparse dim (and the values' trailing sizes). Invariants are checked unless
    ``check_invariants=False`` (torch skips them by default; ember checks because they are
    cheap here and an out-of-range index would otherwise be a silent wrong answer)."""
    from .creation import tensor as _tensor
    from .._dtype import to_dtype
    from .. import _convert
    if not isinstance(values, Tensor):
        values = _tensor(values, dtype=dtype, device=device)
    if dtype is not None and values.dtype != to_dtype(dtype):
        values = _convert.to_dtype(values, to_dtype(dtype))
    if device is not None and values.device != _device_of(device):
        values = values.to(device)
    idx = _as_index_array(indices, values.device)
    xp = backend.get_array_module(values._data)
    idx = backend.on(xp, idx) if backend.get_array_module(idx) is not xp else idx
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    sd, nnz = idx.shape
    vshape = tuple(values._data.shape)
    if not vshape or vshape[0] != nnz:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{nnz}, nnz from values: {vshape[0] if vshape else 1}")
    if size is None:
        mx = (idx.max(axis=1) + 1).tolist() if nnz else [0] * sd
        size = tuple(int(m) for m in mx) + vshape[1:]
    else:
        size = tuple(int(s) for s in size)
        if len(size) != sd + len(vshape) - 1:
            raise RuntimeError(f"number of dimensions must be sparse_dim ({sd}) + dense_dim "
                               f"({len(vshape) - 1}), but got {len(size)}")
        if tuple(size[sd:]) != vshape[1:]:
            raise RuntimeError(f"values has incorrect size, expected {list((nnz,) + size[sd:])}"
                               f", got {list(vshape)}")
        if check_invariants is not False and nnz:
            lo = idx.min(axis=1).tolist()
            hi = idx.max(axis=1).tolist()
            for d in range(sd):
                if lo[d] < 0:
                    raise RuntimeError(f"found negative index {lo[d]} for dim {d}")
                if hi[d] >= size[d]:
                    raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size "
                                       f"is {size[d]} but found index {hi[d]}")
    coalesced = bool(is_coalesced) if is_coalesced is not None else nnz <= 1
    if requires_grad:
        values = values.detach()
    out = SparseCooTensor.apply(_make(idx), values, size=size, coalesced=coalesced)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _device_of(device):
    from .._device import device as _dev
    return device if isinstance(device, _dev) else _dev(device)


def to_dense(s, dtype=None, *, masked_grad=None):
    if not is_sparse(s):
        return s if dtype is None else s.to(dtype)
    from .._dtype import to_dtype
    return ToDense.apply(s, np_dtype=None if dtype is None else to_dtype(dtype).np)


def to_sparse(x, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    from .._layout import sparse_coo, strided
    if layout is not None and layout is not sparse_coo:
        if layout is strided:
            return to_dense(x)
        raise NotImplementedError(f"ember: to_sparse(layout={layout!r}): only "
                                  "ember.sparse_coo tensors are supported")
    if blocksize is not None:
        raise NotImplementedError("ember: to_sparse(blocksize=...) (block sparse layouts)")
    if is_sparse(x):
        if sparse_dim is not None and sparse_dim != x._data.sparse_dim:
            raise RuntimeError("to_sparse: conversion from Sparse to Sparse with "
                               "sparse_dim argument !=self.sparse_dim() is not supported")
        return x
    nd = x._data.ndim
    if dense_dim is not None:
        sparse_dim = nd - dense_dim
    if sparse_dim is not None and not 0 <= sparse_dim <= nd:
        raise RuntimeError(f"sparse_dim argument must be in [0,{nd}] range, but {sparse_dim} "
                           "is given")
    return ToSparse.apply(x, sparse_dim=sparse_dim)


def to_sparse_coo(x):
    return to_sparse(x)


def coalesce(s):
    _check_sparse(s, "coalesce")
    if s._data.coalesced:
        return s
    return Coalesce.apply(s)


def is_coalesced(s):
    return _check_sparse(s, "is_coalesced").coalesced


def _values(s):
    _check_sparse(s, "values", "sparse tensor layout")
    return SparseValues.apply(s)


def values(s):
    c = _check_sparse(s, "values", "sparse tensor layout")
    if not c.coalesced:
        raise RuntimeError("Cannot get values on an uncoalesced tensor, please call "
                           ".coalesce() first")
    return SparseValues.apply(s)


def _indices(s):
    return _make(_check_sparse(s, "indices").indices)


def indices(s):
    c = _check_sparse(s, "indices")
    if not c.coalesced:
        raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call "
                           ".coalesce() first")
    return _make(c.indices)


def _nnz(s):
    if not is_sparse(s):
        raise NotImplementedError("Could not run 'aten::_nnz' with arguments from the 'CPU' "
                                  "backend (ember: _nnz() needs a sparse tensor)")
    return s._data.nnz


def sparse_dim(s):
    return s._data.sparse_dim if is_sparse(s) else 0


def dense_dim(s):
    return s._data.dense_dim if is_sparse(s) else s._data.ndim


def transpose(x, dim0, dim1):
    if is_sparse(x):
        n = x._data.ndim
        d0, d1 = dim0 % n, dim1 % n
        if d0 == d1:
            return x
        return SparseTranspose.apply(x, dim0=min(d0, d1), dim1=max(d0, d1))
    from .shape import transpose as _t
    return _t(x, dim0, dim1)


def sparse_mask(x, mask):
    """``Tensor.sparse_mask(mask)``: x's values at mask's (coalesced) indices."""
    _check_sparse(mask, "sparse_mask")
    return mask_like(x, mask._data)


def _check_mm(a, b, name):
    sa, sb = a._data, b._data
    if sa.ndim != 2 or sb.ndim != 2:
        raise RuntimeError(f"{name}: tensors must be 2-D (got {sa.ndim}-D and {sb.ndim}-D)")
    if sa.shape[1] != sb.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa.shape[0]}x"
                           f"{sa.shape[1]} and {sb.shape[0]}x{sb.shape[1]})")
    if sa.dtype != sb.dtype:
        raise RuntimeError(f"expected mat1 and mat2 to have the same dtype, but got: "
                           f"{_dtype_name(sa.dtype)} != {_dtype_name(sb.dtype)}"
                           .replace("ember.", ""))


def mm(a, b, *, masked=False):
    """sparse @ dense, dense @ sparse (dense results) as torch.mm / torch.sparse.mm."""
    _check_mm(a, b, "mm")
    if is_sparse(a) and is_sparse(b):
        # sparse @ sparse: computed through the dense product of the values' pattern
        return to_sparse(mm(a, to_dense(b), masked=masked))
    if is_sparse(a):
        if a._data.dense_dim:
            raise NotImplementedError("ember: mm of a hybrid sparse tensor (dense_dim > 0)")
        return SparseDenseMM.apply(a, b, masked=masked)
    # dense @ sparse = (sparse^T @ dense^T)^T
    return mm(transpose(b, 0, 1), b_t(a), masked=masked).t()


def b_t(x):
    from .shape import transpose as _t
    return _t(x, 0, 1)


def sum_sparse(s, dim=None, keepdim=False, dtype=None):
    """``torch.sparse.sum`` / ``Tensor.sum`` of a sparse tensor."""
    if keepdim:
        raise NotImplementedError("ember: sum(keepdim=True) of a sparse tensor")
    if dtype is not None:
        from .._dtype import to_dtype
        s = on_values(s, lambda v: v.to(to_dtype(dtype)))
    if dim is None:
        return SparseValues.apply(coalesce(s)).sum()
    n = s._data.ndim
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(sorted({d % n for d in dims}))
    return SparseSum.apply(s, dims=dims)
