"""``torch.sparse``: products and reductions of sparse COO tensors.

``mm``/``addmm`` give the sparse operand a sparse gradient on its own pattern (as
torch.sparse.mm does; ``torch.mm`` gives a dense one); ``sum`` reduces over some or all
dims; ``softmax``/``log_softmax`` normalise over the specified entries of one dim (the
unspecified ones count as -inf, as torch's). Tensors are ``ember.Tensor`` objects whose
layout is ``ember.sparse_coo`` (see ``ember/_sparse_array.py``).
"""
from ..ops import sparse_coo as _sc
from .._tensor import Tensor as _Tensor

__all__ = ["mm", "addmm", "sum", "softmax", "log_softmax", "spdiags", "as_sparse_gradcheck",
           "check_sparse_tensor_invariants"]


def mm(mat1, mat2, reduce="sum"):
    """``torch.sparse.mm``: sparse @ dense (or dense @ sparse) -> dense, sparse @ sparse ->
    sparse; the sparse operand's gradient is sparse on its pattern."""
    if reduce != "sum":
        raise NotImplementedError(f"ember: torch.sparse.mm(reduce={reduce!r}) (only 'sum')")
    return _mm_any(mat1, mat2)


def _mm_any(mat1, mat2):
    from .._sparse_compressed_array import CompressedArray
    if CompressedArray in (mat1._data.__class__, mat2._data.__class__):
        from ..ops.sparse_compressed import mm as _cmm
        return _cmm(mat1, mat2, masked=True)
    return _sc.mm(mat1, mat2, masked=True)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """``torch.sparse.addmm``: ``beta * mat + alpha * (mat1 @ mat2)`` with sparse mat1."""
    prod = _mm_any(mat1, mat2)
    out = prod if alpha == 1 else prod * alpha
    return out + (mat if beta == 1 else mat * beta)


def sum(input, dim=None, dtype=None):
    """``torch.sparse.sum``: a 0-d dense tensor without ``dim``; with ``dim``, sparse while
    sparse dims remain, dense otherwise."""
    if hasattr(type(input._data), "compressed"):
        _sc.coalesce(input)        # torch 2.14 coalesces first, which refuses the layout
    if not _sc.is_sparse(input):
        return input.sum() if dim is None else input.sum(dim)
    return _sc.sum_sparse(input, dim, dtype=dtype)


def softmax(input, dim, *, dtype=None):
    """``torch.sparse.softmax`` over the specified entries along ``dim``."""
    from ._softmax import sparse_softmax
    return sparse_softmax(input, dim, dtype, log=False)


def log_softmax(input, dim, *, dtype=None):
    """``torch.sparse.log_softmax`` over the specified entries along ``dim``."""
    from ._softmax import sparse_softmax
    return sparse_softmax(input, dim, dtype, log=True)


def spdiags(diagonals, offsets, shape, layout=None):
    """``torch.sparse.spdiags``: a sparse COO matrix with the rows of ``diagonals`` placed on
    the diagonals ``offsets`` (element j of row i goes to column j, as torch/scipy)."""
    import numpy
    from .. import backend
    from .._layout import sparse_coo
    if layout is not None and layout is not sparse_coo:
        raise NotImplementedError(f"ember: spdiags(layout={layout!r}): only sparse_coo")
    diag = diagonals._data
    offs = backend.to_host(offsets._data).tolist()
    if diag.ndim != 2 or len(offs) != diag.shape[0]:
        raise RuntimeError("Number of diagonals (" + str(diag.shape[0] if diag.ndim else 0) +
                           ") does not match the number of offsets (" + str(len(offs)) + ")")
    if len(set(offs)) != len(offs):
        raise RuntimeError("Offset tensor contains duplicate values")
    m, n = shape
    rows, cols, pos = [], [], []
    for i, k in enumerate(offs):
        j = numpy.arange(max(0, k), min(n, m + k, diag.shape[1]))
        rows.append(j - k)
        cols.append(j)
        pos.append(numpy.stack([numpy.full(j.size, i), j]))
    r = numpy.concatenate(rows).astype(numpy.int64)
    c = numpy.concatenate(cols).astype(numpy.int64)
    p = numpy.concatenate(pos, axis=1)
    idx = numpy.stack([r, c])
    order = numpy.lexsort((c, r))
    from .._tensor import _make
    from ..ops.indexing import getitem
    vals = getitem(diagonals, (_make(p[0][order]), _make(p[1][order])))
    return _sc.SparseCooTensor.apply(_make(backend.on(backend.get_array_module(diag),
                                                      idx[:, order])),
                                     vals, size=(m, n), coalesced=True)


class check_sparse_tensor_invariants:
    """``torch.sparse.check_sparse_tensor_invariants``: ember always checks the index
    bounds of ``sparse_coo_tensor`` unless ``check_invariants=False`` is passed, so the
    context manager and its switches only record the setting."""

    _enabled = [False]

    def __init__(self, enable=True):
        self.enable = enable

    @staticmethod
    def is_enabled():
        return check_sparse_tensor_invariants._enabled[0]

    @staticmethod
    def enable():
        check_sparse_tensor_invariants._enabled[0] = True

    @staticmethod
    def disable():
        check_sparse_tensor_invariants._enabled[0] = False

    def __enter__(self):
        self._saved = self._enabled[0]
        self._enabled[0] = self.enable
        return self

    def __exit__(self, *exc):
        self._enabled[0] = self._saved
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with check_sparse_tensor_invariants(self.enable):
                return fn(*a, **k)
        return wrapper


def as_sparse_gradcheck(gradcheck):
    """``torch.sparse.as_sparse_gradcheck``: ember's gradcheck already differentiates with
    respect to dense inputs; sparse inputs are checked through their values."""
    return gradcheck


del _Tensor
