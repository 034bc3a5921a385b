"""``CompressedArray``: the backend-level value of a sparse compressed tensor
(``layout`` ``ember.sparse_csr``, ``sparse_csc``, ``sparse_bsr`` or ``sparse_bsc``).

As ``COOArray`` (``ember/_sparse_array.py``) for COO, a compressed tensor is an ordinary
``ember.Tensor`` whose ``_data`` is a ``CompressedArray``. It holds what torch's
``SparseCsrTensorImpl`` holds:

* ``compressed``: the compressed indices (``crow_indices`` for CSR/BSR, ``ccol_indices``
  for CSC/BSC), shape ``(*batch, n_compressed + 1)``, int32 or int64 as given;
* ``plain``: the plain indices (``col_indices`` / ``row_indices``), ``(*batch, nnz)``;
* ``values``: ``(*batch, nnz, *dense)`` for CSR/CSC, ``(*batch, nnz, bh, bw, *dense)`` for
  BSR/BSC (``bh x bw`` is the blocksize; blocks are stored row-major in both, as torch);
* ``shape``: ``(*batch, rows, cols, *dense)``.

Entries are ordered by (compressed index, plain index), so a CSR tensor's entries are in
row-major order (those of a coalesced COO tensor) and a CSC tensor's in column-major order.
The kernels here work on arrays: conversion to and from dense arrays and to entry lists,
layout changes, invariant checks, and the scipy matrix used for products (scipy.sparse
backs CSR/CSC/BSR; a BSC matrix is the transpose of a BSR one).
"""
import numpy

from . import backend
from ._sparse_array import SparseArrayBase, install_sparse_mode


def _layouts():
    from . import _layout as L
    return L


class CompressedArray(SparseArrayBase):
    """See the module docstring."""

    __slots__ = ("layout", "compressed", "plain", "values", "shape", "_mat")
    _kind = "sparse compressed tensor"

    def __init__(self, layout, compressed, plain, values, shape):
        self.layout = layout
        self.compressed = compressed
        self.plain = plain
        self.values = values
        self.shape = tuple(int(s) for s in shape)
        self._mat = None
        install_sparse_mode()

    def _layout_label(self):
        return self.layout.name

    # -- metadata -------------------------------------------------------------------------
    @property
    def nbytes(self):
        return self.compressed.nbytes + self.plain.nbytes + self.values.nbytes

    @property
    def nnz(self):
        return self.plain.shape[-1]

    @property
    def batch_dim(self):
        return self.compressed.ndim - 1

    @property
    def is_block(self):
        L = _layouts()
        return self.layout is L.sparse_bsr or self.layout is L.sparse_bsc

    @property
    def row_major(self):
        L = _layouts()
        return self.layout is L.sparse_csr or self.layout is L.sparse_bsr

    @property
    def blocksize(self):
        if not self.is_block:
            return (1, 1)
        b = self.batch_dim + 1
        return tuple(self.values.shape[b:b + 2])

    @property
    def sparse_dim(self):
        return 2

    @property
    def dense_dim(self):
        return self.values.ndim - self.batch_dim - 1 - (2 if self.is_block else 0)

    @property
    def layout_name(self):
        """torch's C++ name of the layout (``SparseCsr`` ...), used in its messages."""
        return layout_name(self.layout)

    def copy(self):
        return CompressedArray(self.layout, self.compressed.copy(), self.plain.copy(),
                               self.values.copy(), self.shape)

    def with_values(self, values):
        return CompressedArray(self.layout, self.compressed, self.plain, values, self.shape)

    def same_pattern(self, other):
        return (isinstance(other, CompressedArray) and other.layout is self.layout and
                other.shape == self.shape and other.compressed.shape == self.compressed.shape
                and other.plain.shape == self.plain.shape and
                (other.compressed is self.compressed or
                 bool((other.compressed == self.compressed).all())) and
                (other.plain is self.plain or bool((other.plain == self.plain).all())))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # dense += compressed (gradient accumulation into a dense .grad)
        if ufunc is numpy.add and method == "__call__" and len(inputs) == 2:
            other = inputs[1] if inputs[0] is self else inputs[0]
            if isinstance(other, CompressedArray):
                return NotImplemented
            dense = to_dense(self)
            out = kwargs.get("out")
            if out is not None:
                numpy.add(other, dense.astype(out[0].dtype, copy=False), out=out[0])
                return out[0]
            return other + dense
        raise NotImplementedError(f"ember: numpy.{ufunc.__name__} on a sparse tensor "
                                  f"(layout=ember.{self.layout.name})")

    def __iadd__(self, other):
        if isinstance(other, CompressedArray):
            return add(self, other)
        return to_dense(self).astype(numpy.result_type(self.dtype, other.dtype)) + other

    __add__ = __iadd__

    def __repr__(self):
        return (f"CompressedArray(layout={self.layout.name}, shape={self.shape}, "
                f"nnz={self.nnz}, dtype={self.dtype})")


_NAMES = {"sparse_csr": "SparseCsr", "sparse_csc": "SparseCsc", "sparse_bsr": "SparseBsr",
          "sparse_bsc": "SparseBsc", "sparse_coo": "Sparse", "strided": "Strided"}


def layout_name(layout):
    return _NAMES.get(layout.name, layout.name)


def is_compressed_layout(layout):
    return layout is not None and layout.name in ("sparse_csr", "sparse_csc", "sparse_bsr",
                                                  "sparse_bsc")


def _xp(a):
    return backend.get_array_module(a.values if isinstance(a, CompressedArray) else a)


# -- the (batch, compressed, plain) entry lists ---------------------------------------------
def _flat(a):
    """compressed (B, C+1), plain (B, nnz), values (B, nnz, ...) with the batch flattened."""
    bd = a.batch_dim
    B = 1
    for s in a.shape[:bd]:
        B *= s
    comp = a.compressed.reshape(B, a.compressed.shape[-1])
    plain = a.plain.reshape(B, a.plain.shape[-1])
    vals = a.values.reshape((B,) + a.values.shape[bd:])
    return B, comp, plain, vals


def entries(a):
    """(b, compressed index, plain index) int64 arrays, one element per entry, in storage
    order (batch-major), and the values with the batch flattened into the entry axis."""
    xp = _xp(a)
    B, comp, plain, vals = _flat(a)
    nnz = plain.shape[1]
    counts = xp.diff(comp.astype(numpy.int64), axis=1)             # (B, C)
    C = counts.shape[1]
    ci = xp.repeat(xp.tile(xp.arange(C, dtype=numpy.int64), B), counts.reshape(-1))
    b = xp.repeat(xp.arange(B, dtype=numpy.int64), nnz)
    return b, ci, plain.reshape(-1).astype(numpy.int64), vals.reshape((B * nnz,) +
                                                                       vals.shape[2:])


def _block_grid(a):
    """(rows, cols) of the block grid (the matrix size over the blocksize)."""
    bd = a.batch_dim
    bh, bw = a.blocksize
    return a.shape[bd] // bh, a.shape[bd + 1] // bw


def _dense_view(out, a):
    """out (*batch, M, N, *dense) seen as (B, gr, bh, gc, bw, *dense)."""
    bd = a.batch_dim
    bh, bw = a.blocksize
    gr, gc = _block_grid(a)
    B = 1
    for s in a.shape[:bd]:
        B *= s
    return out.reshape((B, gr, bh, gc, bw) + tuple(a.shape[bd + 2:]))


def entry_coords(a):
    """(b, block row, block col) per entry (element row/col for CSR/CSC)."""
    b, ci, pi, _ = entries(a)
    return (b, ci, pi) if a.row_major else (b, pi, ci)


def to_dense(a, dtype=None):
    xp = _xp(a)
    out = xp.zeros(a.shape, dtype=a.dtype if dtype is None else dtype)
    if a.nnz and out.size:
        b, r, c = entry_coords(a)
        _, _, _, vals = entries(a)
        view = _dense_view(out, a)
        view[b, r, :, c, :] = vals.reshape((vals.shape[0],) + tuple(a.blocksize) +
                                           vals.shape[1 + 2 * a.is_block:])
    return out


def gather(dense, a):
    """The values of pattern ``a`` read from dense array ``dense`` (of a's shape)."""
    if a.nnz == 0 or dense.size == 0:
        return _xp(dense).zeros(a.values.shape, dtype=dense.dtype)
    b, r, c = entry_coords(a)
    view = _dense_view(dense, a)
    vals = view[b, r, :, c, :]                       # (entries, bh, bw, *dense)
    if not a.is_block:
        vals = vals.reshape((vals.shape[0],) + vals.shape[3:])
    return vals.reshape(a.values.shape)


def _compress(xp, b, ci, B, C):
    """Compressed index array (B, C+1) from sorted (b, ci) entry coordinates."""
    counts = xp.bincount(b * C + ci, minlength=B * C).reshape(B, C) if b.size else \
        xp.zeros((B, C), dtype=numpy.int64)
    out = xp.zeros((B, C + 1), dtype=numpy.int64)
    xp.cumsum(counts, axis=1, out=out[:, 1:])
    return out


def _build(layout, xp, b, ci, pi, vals, batch_shape, B, C, shape, index_dtype=numpy.int64):
    """A CompressedArray from entries sorted by (b, ci, pi) with equal counts per batch."""
    n = b.shape[0]
    if B and n % B:
        raise RuntimeError("Expect the same number of specified elements per batch.")
    nnz = n // B if B else 0
    if B > 1 and n:
        per = xp.bincount(b, minlength=B)
        if bool((per != nnz).any()):
            raise RuntimeError("Expect the same number of specified elements per batch.")
    comp = _compress(xp, b, ci, B, C).astype(index_dtype, copy=False)
    plain = pi.astype(index_dtype, copy=False)
    return CompressedArray(layout, comp.reshape(tuple(batch_shape) + (C + 1,)),
                           plain.reshape(tuple(batch_shape) + (nnz,)),
                           vals.reshape(tuple(batch_shape) + (nnz,) + vals.shape[1:]), shape)


def _row_major(layout):
    return layout.name in ("sparse_csr", "sparse_bsr")


def _is_block(layout):
    return layout.name in ("sparse_bsr", "sparse_bsc")


def from_dense(x, layout, blocksize=None, dense_dim=0):
    """The compressed form of dense array ``x`` (``Tensor.to_sparse_csr`` ...): an entry
    (a block for BSR/BSC) is kept where any of its elements is nonzero."""
    xp = backend.get_array_module(x)
    nd = x.ndim
    bd = nd - 2 - dense_dim
    bh, bw = blocksize if _is_block(layout) else (1, 1)
    M, N = x.shape[bd], x.shape[bd + 1]
    gr, gc = M // bh, N // bw
    B = 1
    for s in x.shape[:bd]:
        B *= s
    x6 = x.reshape((B, gr, bh, gc, bw) + x.shape[bd + 2:])
    nz = x6 != 0
    if nz.ndim > 5:
        nz = nz.any(axis=tuple(range(5, nz.ndim)))
    nz = nz.any(axis=(2, 4))                                      # (B, gr, gc)
    if not _row_major(layout):
        nz = nz.transpose(0, 2, 1)
    b, ci, pi = (a.astype(numpy.int64) for a in xp.nonzero(nz))
    r, c = (ci, pi) if _row_major(layout) else (pi, ci)
    vals = x6[b, r, :, c, :]
    if not _is_block(layout):
        vals = vals.reshape((vals.shape[0],) + vals.shape[3:])
    C = gr if _row_major(layout) else gc
    return _build(layout, xp, b, ci, pi, vals, x.shape[:bd], B, C, x.shape)


def convert(a, layout):
    """A change between CSR and CSC (or BSR and BSC): the same entries re-sorted by the
    other dim (explicit zeros kept, as torch)."""
    if layout is a.layout:
        return a
    xp = _xp(a)
    b, ci, pi, vals = entries(a)
    order = xp.lexsort((ci, pi, b))
    B = 1
    for s in a.shape[:a.batch_dim]:
        B *= s
    gr, gc = _block_grid(a)
    C = gr if _row_major(layout) else gc
    return _build(layout, xp, b[order], pi[order], ci[order], vals[order],
                  a.shape[:a.batch_dim], B, C, a.shape, a.compressed.dtype)


def transpose(a):
    """The transpose of the last two (sparse) dims: CSR <-> CSC with the same index arrays
    (BSR <-> BSC with each block transposed), as torch's ``t()``."""
    L = _layouts()
    swap = {L.sparse_csr: L.sparse_csc, L.sparse_csc: L.sparse_csr,
            L.sparse_bsr: L.sparse_bsc, L.sparse_bsc: L.sparse_bsr}
    bd = a.batch_dim
    shape = list(a.shape)
    shape[bd], shape[bd + 1] = shape[bd + 1], shape[bd]
    vals = a.values.swapaxes(bd + 1, bd + 2) if a.is_block else a.values
    return CompressedArray(swap[a.layout], a.compressed, a.plain, vals, shape)


def to_coo(a):
    """The COO array of a compressed array, entries in storage order (each block expanded
    to its elements, row-major within the block): coalesced for CSR, as torch flags it."""
    from ._sparse_array import COOArray
    xp = _xp(a)
    b, r, c = entry_coords(a)
    _, _, _, vals = entries(a)
    bh, bw = a.blocksize
    if a.is_block:
        n = b.shape[0]
        ii, jj = xp.meshgrid(xp.arange(bh), xp.arange(bw), indexing="ij")
        r = (r[:, None] * bh + ii.reshape(1, -1)).reshape(-1)
        c = (c[:, None] * bw + jj.reshape(1, -1)).reshape(-1)
        b = xp.repeat(b, bh * bw)
        vals = vals.reshape((n * bh * bw,) + vals.shape[3:])
    bshape = a.shape[:a.batch_dim]
    cols = [xp.stack(xp.unravel_index(b, bshape)) if bshape else xp.zeros((0, b.size),
                                                                          numpy.int64)]
    idx = xp.concatenate(cols + [r[None], c[None]]).astype(numpy.int64)
    return COOArray(idx, vals, a.shape, a.row_major and bh == 1)


def from_coo(c, layout, blocksize=None):
    """A compressed array from a COO array with 2 sparse dims (plus batch dims)."""
    from ._sparse_array import coalesce, to_dense as coo_dense
    if _is_block(layout):
        return from_dense(coo_dense(c), layout, blocksize, c.dense_dim)
    xp = _xp(c)
    c = coalesce(c)
    sd = c.sparse_dim
    bshape = c.shape[:sd - 2]
    B = 1
    for s in bshape:
        B *= s
    b = xp.ravel_multi_index(tuple(c.indices[:sd - 2]), bshape) if sd > 2 else \
        xp.zeros(c.nnz, dtype=numpy.int64)
    r, col = c.indices[sd - 2], c.indices[sd - 1]
    ci, pi = (r, col) if _row_major(layout) else (col, r)
    order = xp.lexsort((pi, ci, b))
    C = c.shape[sd - 2] if _row_major(layout) else c.shape[sd - 1]
    return _build(layout, xp, b[order].astype(numpy.int64), ci[order], pi[order],
                  c.values[order], bshape, B, C, c.shape)


def add(a, b):
    """a + b of two compressed arrays of one layout and shape (entries merged)."""
    if a.same_pattern(b):
        dt = numpy.result_type(a.dtype, b.dtype)
        return a.with_values(a.values.astype(dt, copy=False) + b.values.astype(dt, copy=False))
    if a.is_block:
        d = to_dense(a) + to_dense(b)
        return from_dense(d, a.layout, a.blocksize, a.dense_dim)
    from ._sparse_array import merge_add
    return from_coo(merge_add(to_coo(a), to_coo(b)), a.layout)


# -- invariants -----------------------------------------------------------------------------
def check_invariants(layout, comp, plain, values, shape):
    """torch's ``_validate_sparse_compressed_tensor_args`` checks (its messages)."""
    xp = backend.get_array_module(values)
    cname, pname = ("crow_indices", "col_indices") if _row_major(layout) else \
        ("ccol_indices", "row_indices")
    block = _is_block(layout)
    bd = comp.ndim - 1
    if plain.ndim != comp.ndim:
        raise RuntimeError(f"{pname} must have dimensionality equal to {cname}, but got "
                           f"{plain.ndim} != {comp.ndim}")
    if tuple(comp.shape[:bd]) != tuple(plain.shape[:bd]):
        raise RuntimeError(f"Number of dimensions of {cname} and {pname} must be the same.")
    if len(shape) < bd + 2:
        raise RuntimeError(f"tensor dimensionality must be sum of batch, base, and dense "
                           f"dimensionalities (={bd} + 2 + 0) but got {len(shape)}")
    dense_dim = values.ndim - bd - 1 - (2 if block else 0)
    if dense_dim < 0 or len(shape) != bd + 2 + dense_dim:
        raise RuntimeError(f"tensor dimensionality must be sum of batch, base, and dense "
                           f"dimensionalities (={bd} + 2 + {max(dense_dim, 0)}) but got "
                           f"{len(shape)}")
    nnz = plain.shape[-1]
    if values.ndim < bd + 1 or values.shape[bd] != nnz:
        raise RuntimeError(f"{pname} and values must have the same number of elements, but "
                           f"got {nnz} and {values.shape[bd] if values.ndim > bd else 0}")
    bh, bw = tuple(values.shape[bd + 1:bd + 3]) if block else (1, 1)
    M, N = shape[bd], shape[bd + 1]
    if block and (M % bh or N % bw):
        raise RuntimeError(f"tensor shape[{bd}] (={M}) must be divisible with blocksize[0] "
                           f"(={bh}) as defined by values shape" if M % bh else
                           f"tensor shape[{bd + 1}] (={N}) must be divisible with "
                           f"blocksize[1] (={bw}) as defined by values shape")
    ncomp = (M // bh) if _row_major(layout) else (N // bw)
    nplain = (N // bw) if _row_major(layout) else (M // bh)
    if comp.shape[-1] != ncomp + 1:
        what = "rows" if _row_major(layout) else "columns"
        if block:
            what = "block " + what
        raise RuntimeError(f"{cname}.shape[-1] must be equal to the number of {what} + 1 "
                           f"(={ncomp + 1}), but got {comp.shape[-1]}")
    if tuple(values.shape[bd + 1 + 2 * block:]) != tuple(shape[bd + 2:]):
        raise RuntimeError(f"values has incorrect size, expected dense shape "
                           f"{list(shape[bd + 2:])}, got {list(values.shape[bd + 1 + 2 * block:])}")
    c = comp.reshape(-1, comp.shape[-1]).astype(numpy.int64)
    p = plain.reshape(-1, nnz).astype(numpy.int64)
    if c.size and bool((c[:, 0] != 0).any()):
        raise RuntimeError(f"`{cname}[..., 0] == 0` is not satisfied.")
    if c.size and bool((c[:, -1] != nnz).any()):
        raise RuntimeError(f"`{cname}[..., -1] == nnz` is not satisfied.")
    d = xp.diff(c, axis=1)
    if bool((d < 0).any()) or bool((d > nplain).any()):
        raise RuntimeError(f"`0 <= {cname}[..., 1:] - {cname}[..., :-1] <= {'n' + ('cols' if _row_major(layout) else 'rows')}` is not "
                           "satisfied.")
    if p.size and (bool((p < 0).any()) or bool((p >= nplain).any())):
        n = "ncols" if _row_major(layout) else "nrows"
        raise RuntimeError(f"`0 <= {pname} < {n}` is not satisfied.")
    if p.size:
        # within each compressed slot the plain indices are strictly increasing
        same_slot = xp.ones((p.shape[0], max(nnz - 1, 0)), dtype=bool)
        for k in range(p.shape[0]):
            starts = c[k, 1:-1]
            starts = starts[(starts > 0) & (starts < nnz)]
            same_slot[k, starts - 1] = False
        if bool(((p[:, 1:] <= p[:, :-1]) & same_slot).any()):
            raise RuntimeError(f"`{pname}[..., {cname}[..., i - 1]:{cname}[..., i]] for all "
                               f"i = 1, ..., {'nrows' if _row_major(layout) else 'ncols'} "
                               "are sorted and distinct along the last dimension values` "
                               "is not satisfied.")


# -- products through scipy -----------------------------------------------------------------
_SCIPY_KINDS = "fciu"


def scipy_matrix(a):
    """The scipy.sparse matrix of a 2-D compressed array without dense dims (None when
    scipy is missing, on GPU, or for dtypes scipy lacks)."""
    if a._mat is not None:
        return a._mat
    if _xp(a) is not numpy or a.ndim != 2 or a.dtype.kind not in _SCIPY_KINDS or \
            a.dtype.itemsize < 4 and a.dtype.kind == "f":
        return None
    try:
        import scipy.sparse as sp
    except ImportError:
        return None
    L = _layouts()
    comp, plain, vals, shape = a.compressed, a.plain, a.values, a.shape
    if a.layout is L.sparse_csr:
        m = sp.csr_matrix((vals, plain, comp), shape=shape)
    elif a.layout is L.sparse_csc:
        m = sp.csc_matrix((vals, plain, comp), shape=shape)
    elif a.layout is L.sparse_bsr:
        m = sp.bsr_matrix((vals, plain, comp), shape=shape)
    else:
        m = sp.bsr_matrix((vals.transpose(0, 2, 1), plain, comp),
                          shape=(shape[1], shape[0])).T
    a._mat = m
    return m


def dense_mm(a, d):
    """The dense product of 2-D compressed ``a`` with 2-D dense ``d``."""
    xp = _xp(a)
    dt = numpy.result_type(a.dtype, d.dtype)
    m = scipy_matrix(a)
    if m is not None and a.dense_dim == 0:
        return xp.asarray(m @ d, dtype=dt)
    return xp.matmul(to_dense(a), d).astype(dt, copy=False)
