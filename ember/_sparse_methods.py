"""The sparse COO methods of Tensor (``to_sparse``, ``to_dense``, ``coalesce``,
``indices``/``values`` ...) and the layout-aware ``is_sparse``/``layout``; each calls
``ember/ops/sparse_coo.py`` on first use (nothing sparse is imported with ember)."""
from ._sparse_array import COOArray


def _sc():
    from .ops import sparse_coo
    return sparse_coo


def attach(T):
    from . import _layout

    def is_sparse(self):
        return self._data.__class__ is COOArray

    def layout(self):
        return _layout.sparse_coo if self._data.__class__ is COOArray else _layout.strided

    T.is_sparse = property(is_sparse)
    T.layout = property(layout)
    T.is_sparse_csr = False

    def to_sparse(self, *args, **kwargs):
        return _sc().to_sparse(self, *args, **kwargs)

    def to_sparse_coo(self):
        return _sc().to_sparse(self)

    def to_dense(self, dtype=None, *, masked_grad=None):
        return _sc().to_dense(self, dtype, masked_grad=masked_grad)

    def coalesce(self):
        return _sc().coalesce(self)

    def is_coalesced(self):
        return _sc().is_coalesced(self)

    def indices(self):
        return _sc().indices(self)

    def values(self):
        return _sc().values(self)

    def _indices(self):
        return _sc()._indices(self)

    def _values(self):
        return _sc()._values(self)

    def _nnz(self):
        return _sc()._nnz(self)

    def sparse_dim(self):
        return _sc().sparse_dim(self)

    def dense_dim(self):
        return _sc().dense_dim(self)

    def sparse_mask(self, mask):
        return _sc().sparse_mask(self, mask)

    for f in (to_sparse, to_sparse_coo, to_dense, coalesce, is_coalesced, indices, values,
              _indices, _values, _nnz, sparse_dim, dense_dim, sparse_mask):
        setattr(T, f.__name__, f)
