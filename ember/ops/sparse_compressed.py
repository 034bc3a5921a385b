"""Sparse compressed tensors (CSR/CSC/BSR/BSC): construction, conversion between all
layouts and COO/dense, the products with dense matrices, and their gradients, as torch's
``sparse_compressed_tensor`` / ``to_sparse_csr`` / ``crow_indices`` / ``torch.mm`` ...

The array-level value is ``ember._sparse_compressed_array.CompressedArray``. Gradients
follow torch:

* ``sparse_csr_tensor(crow, col, values)``: the values get the output gradient read at
  each entry (``SparseCompressedTensorBackward0``); ``values()`` is the adjoint;
* ``to_dense()``: the input gets a gradient of its own layout on its own pattern;
* ``to_sparse_csr()`` ... and layout changes: the gradient converted back to the input's
  layout (a dense gradient passes through unchanged, as torch's leaf gradients can be);
* ``torch.mm(S, D)`` / ``addmm`` / ``matmul`` give S a dense gradient,
  ``torch.sparse.mm(S, D)`` one of S's layout on S's pattern; D gets ``S^T @ grad``
  (``S^T`` is the CSC view of a CSR matrix, no copy).

Every backward is written with ember ops and these Functions, so double backward is real.
Ops on the values alone (``-s``, ``s * 2``, ``s.abs()``, casts) rebuild the tensor from
``values()``: their gradient comes from the two value Functions, nothing op-specific.
"""

from .. import backend
from .. import _sparse_compressed_array as _ca
from .._sparse_compressed_array import CompressedArray
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from .sparse_coo import _sparse_aware, is_sparse as is_coo

COMPRESSED_FUNCTIONS = set()


def _compressed_aware(cls):
    COMPRESSED_FUNCTIONS.add(cls)
    return _sparse_aware(cls)


def is_compressed(t):
    return isinstance(t, Tensor) and t._data.__class__ is CompressedArray


def _layouts():
    from .. import _layout
    return _layout


def _layout_name_of(t):
    if is_compressed(t):
        return t._data.layout_name
    return "Sparse" if is_coo(t) else "Strided"


# -- Functions -----------------------------------------------------------------------------
@_compressed_aware
class SparseCompressedTensor(ArrayFunction):
    """values -> compressed tensor on a fixed pattern (torch's
    SparseCompressedTensorBackward0)."""

    node_name = "SparseCompressedTensorBackward0"

    @staticmethod
    def forward(ctx, values, pattern=None):
        out = pattern.with_values(values)
        ctx.pattern = out
        return out

    @staticmethod
    def backward(ctx, g):
        return None if g is None else values_at(g, ctx.pattern)


@_compressed_aware
class CompressedValues(ArrayFunction):
    """``values()``: the values array (an alias, as torch's); its gradient is a compressed
    tensor on the input's pattern."""

    node_name = "ValuesBackward0"

    @staticmethod
    def forward(ctx, s):
        ctx.pattern = s
        return s.values

    @staticmethod
    def backward(ctx, g):
        return SparseCompressedTensor.apply(g, pattern=ctx.pattern)


@_compressed_aware
class GatherEntries(ArrayFunction):
    """dense tensor -> the values of a pattern read from it; its adjoint is the scatter
    (``to_dense`` of the values on the pattern)."""

    node_name = "SparseMaskBackward0"

    @staticmethod
    def forward(ctx, d, pattern=None):
        ctx.pattern = pattern
        return _ca.gather(d, pattern)

    @staticmethod
    def backward(ctx, g):
        return CompressedToDense.apply(SparseCompressedTensor.apply(g, pattern=ctx.pattern))


@_compressed_aware
class CompressedToDense(ArrayFunction):
    node_name = "ToDenseBackward0"

    @staticmethod
    def forward(ctx, s, np_dtype=None):
        ctx.pattern = s
        return _ca.to_dense(s, np_dtype)

    @staticmethod
    def backward(ctx, g):
        return SparseCompressedTensor.apply(values_at(g, ctx.pattern), pattern=ctx.pattern)


@_compressed_aware
class DenseToCompressed(ArrayFunction):
    """``to_sparse_csr()`` ... of a dense tensor; the gradient is made dense."""

    @staticmethod
    def forward(ctx, x, layout=None, blocksize=None, dense_dim=0):
        return _ca.from_dense(x, layout, blocksize, dense_dim)

    @staticmethod
    def backward(ctx, g):
        return to_dense(g)


def _named(base, name):
    return _compressed_aware(type(base.__name__ + name, (base,), {"node_name": name}))


# torch names the node after the target layout (ToSparseCsrBackward0 ...)
_DENSE_TO = {k: _named(DenseToCompressed, "ToSparse" + k[7:].capitalize() + "Backward0")
             for k in ("sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc")}


@_compressed_aware
class ChangeLayout(ArrayFunction):
    """A sparse tensor converted to another sparse layout (compressed <-> compressed, COO
    <-> compressed); the gradient is converted back to the input's layout."""

    node_name = "ToSparseBackward1"

    @staticmethod
    def forward(ctx, s, layout=None, blocksize=None):
        L = _layouts()
        ctx.back = (s.layout if isinstance(s, CompressedArray) else L.sparse_coo,
                    s.blocksize if isinstance(s, CompressedArray) and s.is_block else None)
        if layout is L.sparse_coo:
            return _ca.to_coo(s)
        if not isinstance(s, CompressedArray):
            return _ca.from_coo(s, layout, blocksize)
        if s.is_block == _ca._is_block(layout) and (blocksize is None or
                                                   tuple(blocksize) == s.blocksize):
            return _ca.convert(s, layout)
        return _ca.from_dense(_ca.to_dense(s), layout, blocksize, s.dense_dim)

    @staticmethod
    def backward(ctx, g):
        if not (is_compressed(g) or is_coo(g)):
            return g
        layout, blocksize = ctx.back
        if _layout_of(g) is layout:
            return g
        return change_layout(g, layout, blocksize)


@_compressed_aware
class CompressedTranspose(ArrayFunction):
    """``t()`` / ``transpose`` of the two sparse dims: CSR <-> CSC on the same arrays."""

    node_name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, s):
        return _ca.transpose(s)

    @staticmethod
    def backward(ctx, g):
        return transpose(g)


@_compressed_aware
class CompressedDenseMM(ArrayFunction):
    """2-D compressed @ 2-D dense -> dense (scipy.sparse underneath). ``masked``: the sparse
    operand's gradient is of its layout on its pattern (torch.sparse.mm), else dense."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, s, d, masked=False):
        ctx.masked = masked
        ctx.save_for_backward(s, d)
        return _ca.dense_mm(s, d)

    @staticmethod
    def backward(ctx, g):
        s, d = ctx.saved_tensors
        gs = gd = None
        if ctx.needs_input_grad[0]:
            full = g.mm(d.t())
            gs = SparseCompressedTensor.apply(GatherEntries.apply(full, pattern=s._data),
                                              pattern=s._data) if ctx.masked else full
        if ctx.needs_input_grad[1]:
            gd = _mm_function(ctx.masked).apply(transpose(s), g, masked=ctx.masked)
        return gs, gd


MaskedCompressedDenseMM = _named(CompressedDenseMM, "SparseAddmmBackward0")


def _mm_function(masked):
    return MaskedCompressedDenseMM if masked else CompressedDenseMM


@_compressed_aware
class CompressedAdd(ArrayFunction):
    """compressed + compressed of one layout -> compressed (entries merged)."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return _ca.add(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g


@_compressed_aware
class DenseAddCompressed(ArrayFunction):
    """dense + compressed (either order) -> dense."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, d, s, np_dtype=None):
        return d.astype(np_dtype) + _ca.to_dense(s, np_dtype)

    @staticmethod
    def backward(ctx, g):
        return g, g


# -- helpers written with the Functions (differentiable) ------------------------------------
def values_at(g, pattern):
    """The values of ``pattern`` read from gradient ``g`` (dense, COO or compressed)."""
    if is_compressed(g):
        if g._data.same_pattern(pattern):
            return CompressedValues.apply(g)
        g = to_dense(g)
    elif is_coo(g):
        from .sparse_coo import to_dense as coo_dense
        g = coo_dense(g)
    return GatherEntries.apply(g, pattern=pattern)


def on_values(s, fn):
    """A compressed tensor with s's pattern and ``fn(values)``, differentiable."""
    return SparseCompressedTensor.apply(fn(CompressedValues.apply(s)), pattern=s._data)


def _layout_of(t):
    L = _layouts()
    if is_compressed(t):
        return t._data.layout
    return L.sparse_coo if is_coo(t) else L.strided


# torch names a conversion's node after its target (ToSparseCscBackward0 ...; to COO:
# ToSparseBackward1)
_CHANGE_TO = {k: _named(ChangeLayout, "ToSparse" + k[7:].capitalize() + "Backward0")
              for k in ("sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc")}
_CHANGE_TO["sparse_coo"] = ChangeLayout


def change_layout(x, layout, blocksize=None):
    return _CHANGE_TO[layout.name].apply(x, layout=layout, blocksize=blocksize)


CompressedT = _named(CompressedTranspose, "TBackward0")


def transpose(s, t=False):
    """The transpose of a matrix of any layout (a gradient may be dense); ``t``: named as
    ``Tensor.t()``'s node."""
    if is_compressed(s):
        return (CompressedT if t else CompressedTranspose).apply(s)
    if is_coo(s):
        from .sparse_coo import transpose as coo_t
        return coo_t(s, 0, 1)
    from .shape import transpose as _t
    return _t(s, -2, -1)


# -- public functions ----------------------------------------------------------------------
_CONSTRUCTOR = {"sparse_csr": "sparse_csr_tensor", "sparse_csc": "sparse_csc_tensor",
                "sparse_bsr": "sparse_bsr_tensor", "sparse_bsc": "sparse_bsc_tensor"}


def _index_array(x, name, device):
    from .creation import tensor as _tensor
    arr = x._data if isinstance(x, Tensor) else _tensor(x, device=device)._data
    if arr.dtype.kind not in "iu" or arr.dtype.itemsize not in (4, 8):
        from .._dtype import NP_TO_DTYPE
        raise RuntimeError(f"{name} must be an int32 or int64 tensor, but got "
                           f"{NP_TO_DTYPE[arr.dtype]!r}".replace("ember.", "torch."))
    return arr


def sparse_compressed_tensor(compressed_indices, plain_indices, values, size=None, *,
                             dtype=None, layout=None, device=None, pin_memory=False,
                             requires_grad=False, check_invariants=None):
    """``torch.sparse_compressed_tensor``. Without ``size`` the size is inferred as torch
    does (rows/cols from the compressed index length and the largest plain index, times
    the blocksize). ember checks the invariants unless ``check_invariants=False`` (torch
    skips them by default; an invalid pattern would otherwise be a silent wrong answer)."""
    if not _ca.is_compressed_layout(layout):
        raise RuntimeError("sparse_compressed_tensor expected sparse compressed tensor layout "
                           f"but got {'none' if layout is None else _ca.layout_name(layout)}")
    return _construct(compressed_indices, plain_indices, values, size, layout, dtype, device,
                      requires_grad, check_invariants)


def _construct(compressed_indices, plain_indices, values, size, layout, dtype, device,
               requires_grad, check_invariants):
    from .creation import tensor as _tensor
    from .._dtype import to_dtype
    from .. import _convert
    if not isinstance(values, Tensor):
        values = _tensor(values, dtype=dtype, device=device)
    if dtype is not None and values.dtype != to_dtype(dtype):
        values = _convert.to_dtype(values, to_dtype(dtype))
    if device is not None and str(values.device) != str(device):
        values = values.to(device)
    row = _ca._row_major(layout)
    cname, pname = ("crow_indices", "col_indices") if row else ("ccol_indices", "row_indices")
    comp = _index_array(compressed_indices, cname, values.device)
    plain = _index_array(plain_indices, pname, values.device)
    if comp.dtype != plain.dtype:
        raise RuntimeError(f"{cname} and {pname} must have the same dtype, bot got "
                           f"{_iname(comp)} and {_iname(plain)}, respectively")
    xp = backend.get_array_module(values._data)
    comp, plain = backend.on(xp, comp), backend.on(xp, plain)
    vals = values._data
    block = _ca._is_block(layout)
    bd = comp.ndim - 1
    if comp.ndim < 1:
        raise RuntimeError(f"{cname} must have dimensionality >= 1 but got 0")
    if size is None:
        if block and vals.ndim < bd + 3:
            raise RuntimeError(f"values must have dimensionality > sum of batch and block "
                               f"dimensionalities (={bd} + 2), but got {vals.ndim}")
        bh, bw = tuple(vals.shape[bd + 1:bd + 3]) if block else (1, 1)
        ncomp = comp.shape[-1] - 1
        nplain = int(plain.max()) + 1 if plain.size else 0
        m, n = (ncomp, nplain) if row else (nplain, ncomp)
        size = tuple(comp.shape[:bd]) + (m * bh, n * bw) + tuple(vals.shape[bd + 1 + 2 * block:])
    size = tuple(int(s) for s in size)
    if check_invariants is not False:
        _ca.check_invariants(layout, comp, plain, vals, size)
    pattern = CompressedArray(layout, comp, plain, vals, size)
    if requires_grad:
        values = values.detach()
    out = SparseCompressedTensor.apply(values, pattern=pattern)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _iname(a):
    return "Int" if a.dtype.itemsize == 4 else "Long"


def constructor(layout):
    """``sparse_csr_tensor`` / ``sparse_csc_tensor`` / ``sparse_bsr_tensor`` /
    ``sparse_bsc_tensor`` for ``layout``."""
    fname = _CONSTRUCTOR[layout.name]

    def make(compressed_indices, plain_indices, values, size=None, *, dtype=None,
             device=None, pin_memory=False, requires_grad=False, check_invariants=None,
             layout=None):
        if layout is not None and layout is not make.layout:
            raise RuntimeError(f"{fname}: layout must be {_ca.layout_name(make.layout)} but "
                               f"got {_ca.layout_name(layout)}")
        return _construct(compressed_indices, plain_indices, values, size, make.layout,
                          dtype, device, requires_grad, check_invariants)
    make.layout = layout
    make.__name__ = make.__qualname__ = fname
    make.__doc__ = f"``torch.{fname}`` (see ember/ops/sparse_compressed.py)."
    return make


def to_dense(s, dtype=None, *, masked_grad=None):
    from .._dtype import to_dtype
    if is_compressed(s):
        return CompressedToDense.apply(s, np_dtype=None if dtype is None else to_dtype(dtype).np)
    from .sparse_coo import to_dense as coo_dense
    return coo_dense(s, dtype, masked_grad=masked_grad)


def _blocksize(blocksize, fname):
    if blocksize is None:
        return None
    if isinstance(blocksize, int):
        return (blocksize, blocksize)
    b = tuple(int(x) for x in blocksize)
    if len(b) != 2:
        raise RuntimeError(f"{fname}: blocksize needs to be a tuple of size 2, but got "
                           f"{len(b)}")
    return b


def to_layout(x, layout, blocksize=None, dense_dim=None, fname=None):
    """``Tensor.to_sparse_csr/csc/bsr/bsc`` and ``to_sparse(layout=...)`` for a compressed
    target layout, from any layout."""
    L = _layouts()
    lname = _ca.layout_name(layout)
    fname = fname or "to_sparse_" + layout.name[7:]
    block = _ca._is_block(layout)
    blocksize = _blocksize(blocksize, fname)
    src = _layout_of(x)
    if block and blocksize is None and src is L.strided:
        raise RuntimeError(f"dense_to_sparse: conversion from Strided to {lname} without "
                           "blocksize argument given is not supported")
    if src is L.strided:
        d = x._data
        nd = d.ndim
        dd = 0 if dense_dim is None else int(dense_dim)
        if nd < 2 + dd:
            raise RuntimeError(f"{fname}: expected {'' if dd == 0 else str(2 + dd) + ' or '}"
                               f"at least 2 dims, but got {nd}"
                               if dd == 0 else
                               f"{fname}: expected at least {2 + dd} dims, but got {nd}")
        if block:
            bd = nd - 2 - dd
            m, n = d.shape[bd], d.shape[bd + 1]
            if m % blocksize[0] or n % blocksize[1]:
                raise RuntimeError(f"dense_to_sparse_{layout.name[7:]}: tensor sparse size "
                                   f"({m},{n}) must be divisible by given blocksize "
                                   f"({blocksize[0]},{blocksize[1]})")
        return _DENSE_TO[layout.name].apply(x, layout=layout, blocksize=blocksize, dense_dim=dd)
    if dense_dim is not None:
        raise RuntimeError(f"{fname}: conversion from {_layout_name_of(x)} to {lname} with "
                           "dense_dim argument given is not supported")
    if src is L.sparse_coo:
        if x._data.sparse_dim < 2:
            raise RuntimeError(f"{fname}: conversion from Sparse to {lname} requires at least "
                               f"2 sparse dims, but got {x._data.sparse_dim}")
        if block and blocksize is None:
            raise RuntimeError(f"{fname}: conversion from Sparse to {lname} without "
                               "blocksize argument given is not supported")
        return change_layout(x, layout, blocksize)
    a = x._data
    if src is layout and (blocksize is None or blocksize == a.blocksize):
        return x
    if a.is_block and not block:
        raise RuntimeError(f"sparse_compressed_to_sparse_{layout.name[7:]}: expected SparseCsr "
                           f"or SparseCsc layout but got {a.layout_name}")
    if block and blocksize is None:
        if a.is_block:
            blocksize = a.blocksize
        else:
            raise RuntimeError(f"{fname}: conversion from {a.layout_name} to {lname} without "
                               "blocksize argument given is not supported")
    if a.batch_dim and src is not layout and not block:
        # CSR <-> CSC of a batched tensor goes through dense (one pattern per batch)
        return _DENSE_TO[layout.name].apply(to_dense(x), layout=layout, blocksize=blocksize,
                                       dense_dim=a.dense_dim)
    return change_layout(x, layout, blocksize)


def to_coo(s, sparse_dim=None):
    L = _layouts()
    if sparse_dim is not None and sparse_dim != 2:
        raise RuntimeError(f"sparse_compressed_to_sparse: expected sparse_dim argument to be "
                           f"equal to 2 but got {sparse_dim}")
    return change_layout(s, L.sparse_coo)


def _check_layout(s, name, layouts, what):
    if not is_compressed(s) or s._data.layout.name not in layouts:
        raise RuntimeError(f"{name} expected {what} but got {_layout_name_of(s)}")
    return s._data


_ROW = ("sparse_csr", "sparse_bsr")
_COL = ("sparse_csc", "sparse_bsc")
_ALL = _ROW + _COL


def crow_indices(s):
    return _make(_check_layout(s, "crow_indices", _ROW,
                               "sparse row compressed tensor layout").compressed)


def col_indices(s):
    return _make(_check_layout(s, "col_indices", _ROW,
                               "sparse row compressed tensor layout").plain)


def ccol_indices(s):
    return _make(_check_layout(s, "ccol_indices", _COL,
                               "sparse column compressed tensor layout").compressed)


def row_indices(s):
    return _make(_check_layout(s, "row_indices", _COL,
                               "sparse column compressed tensor layout").plain)


def values(s):
    _check_layout(s, "values", _ALL, "sparse compressed tensor layout")
    return CompressedValues.apply(s)


def mm(a, b, *, masked=False):
    """compressed @ dense, dense @ compressed -> dense (torch.mm / torch.sparse.mm)."""
    from .sparse_coo import _check_mm
    _check_mm(a, b, "mm")
    if is_compressed(a) and (is_compressed(b) or is_coo(b)):
        return to_layout(mm(a, to_dense(b), masked=masked).to_sparse(), a._data.layout,
                         a._data.blocksize if a._data.is_block else None)
    if is_compressed(a):
        if a._data.dense_dim:
            raise NotImplementedError("ember: mm of a hybrid compressed tensor (dense_dim > 0)")
        return _mm_function(masked).apply(a, b, masked=masked)
    if is_coo(a):
        return mm(a, to_dense(b), masked=masked)
    # dense @ compressed = (compressed^T @ dense^T)^T
    from .shape import transpose as _t
    return _t(mm(transpose(b), _t(a, 0, 1), masked=masked), 0, 1)


def sum_all(s):
    return CompressedValues.apply(s).sum()
