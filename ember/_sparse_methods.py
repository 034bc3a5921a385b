"""The sparse methods of Tensor: COO (``to_sparse``, ``to_dense``, ``coalesce``,
``indices``/``values`` ...), the compressed layouts (``to_sparse_csr/csc/bsr/bsc``,
``crow_indices``, ``col_indices``, ``ccol_indices``, ``row_indices``) and the layout-aware
``is_sparse``/``is_sparse_csr``/``layout``; each calls ``ember/ops/sparse_coo.py`` or
``ember/ops/sparse_compressed.py`` on first use (nothing sparse is imported with ember:
not even the sparse array classes, issue 18)."""
import sys


def _array_class(module, name):
    """The sparse array class ``module.name``, or None while ``module`` is not loaded: no
    tensor can hold one before then, so a dense tensor's check needs no import."""
    return getattr(sys.modules.get(module), name, None)


COO_MODULE = "ember._sparse_array"   # no tensor is sparse before this module is loaded


def _coo_class():
    return _array_class(COO_MODULE, "COOArray")


def _compressed_class():
    return _array_class("ember._sparse_compressed_array", "CompressedArray")


def _api():
    from . import _sparse_api
    return _sparse_api


def _sc():
    from .ops import sparse_coo
    return sparse_coo


def _cc():
    from .ops import sparse_compressed
    return sparse_compressed


def attach(T):
    from . import _layout

    def is_sparse(self):
        return self._data.__class__ is _coo_class()

    def layout(self):
        cls = self._data.__class__
        if cls is _coo_class():
            return _layout.sparse_coo
        if cls is _compressed_class():
            return self._data.layout
        return _layout.strided

    def is_sparse_csr(self):
        return self._data.__class__ is _compressed_class() and \
            self._data.layout is _layout.sparse_csr

    T.is_sparse = property(is_sparse)
    T.layout = property(layout)
    T.is_sparse_csr = property(is_sparse_csr)

    def _compressed(self):
        return self._data.__class__ is _compressed_class()

    def to_sparse(self, *args, layout=None, blocksize=None, dense_dim=None, **kwargs):
        from ._sparse_compressed_array import is_compressed_layout
        if is_compressed_layout(layout):
            if args or kwargs:
                raise TypeError("to_sparse(): sparse_dim is not accepted together with "
                                "layout=")
            return _cc().to_layout(self, layout, blocksize, dense_dim, fname="to_sparse")
        if _compressed(self) and (layout is None or layout is _layout.sparse_coo):
            return _cc().to_coo(self, *args, **kwargs)
        return _sc().to_sparse(self, *args, layout=layout, blocksize=blocksize,
                               dense_dim=dense_dim, **kwargs)

    def to_sparse_coo(self):
        return to_sparse(self)

    def to_sparse_csr(self, dense_dim=None):
        return _cc().to_layout(self, _layout.sparse_csr, None, dense_dim)

    def to_sparse_csc(self, dense_dim=None):
        return _cc().to_layout(self, _layout.sparse_csc, None, dense_dim)

    def to_sparse_bsr(self, blocksize, dense_dim=None):
        return _cc().to_layout(self, _layout.sparse_bsr, blocksize, dense_dim)

    def to_sparse_bsc(self, blocksize, dense_dim=None):
        return _cc().to_layout(self, _layout.sparse_bsc, blocksize, dense_dim)

    def to_dense(self, dtype=None, *, masked_grad=None):
        if _compressed(self):
            return _cc().to_dense(self, dtype)
        return _sc().to_dense(self, dtype, masked_grad=masked_grad)

    def coalesce(self):
        return _sc().coalesce(self)

    def is_coalesced(self):
        return _sc().is_coalesced(self)

    def indices(self):
        return _sc().indices(self)

    def values(self):
        if _compressed(self):
            return _cc().values(self)
        return _sc().values(self)

    def _indices(self):
        return _sc()._indices(self)

    def _values(self):
        if _compressed(self):
            return _cc().values(self)
        return _sc()._values(self)

    def _nnz(self):
        if _compressed(self):
            return self._data.nnz
        return _sc()._nnz(self)

    def sparse_dim(self):
        return _sc().sparse_dim(self) if not _compressed(self) else 2

    def dense_dim(self):
        return _sc().dense_dim(self) if not _compressed(self) else self._data.dense_dim

    def sparse_mask(self, mask):
        return _sc().sparse_mask(self, mask)

    def crow_indices(self):
        return _cc().crow_indices(self)

    def col_indices(self):
        return _cc().col_indices(self)

    def ccol_indices(self):
        return _cc().ccol_indices(self)

    def row_indices(self):
        return _cc().row_indices(self)

    def smm(self, mat2):
        return _api().smm(self, mat2)

    def sspaddmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _api().sspaddmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def sparse_resize_(self, size, sparse_dim, dense_dim):
        return _api().sparse_resize_(self, size, sparse_dim, dense_dim)

    def sparse_resize_and_clear_(self, size, sparse_dim, dense_dim):
        return _api().sparse_resize_and_clear_(self, size, sparse_dim, dense_dim)

    def resize_as_sparse_(self, the_template):
        return _api().resize_as_sparse_(self, the_template)

    for f in (smm, sspaddmm, sparse_resize_, sparse_resize_and_clear_, resize_as_sparse_,
              to_sparse, to_sparse_coo, to_dense, coalesce, is_coalesced, indices, values,
              _indices, _values, _nnz, sparse_dim, dense_dim, sparse_mask, to_sparse_csr,
              to_sparse_csc, to_sparse_bsr, to_sparse_bsc, crow_indices, col_indices,
              ccol_indices, row_indices):
        setattr(T, f.__name__, f)
