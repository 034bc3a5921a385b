"""The ``torch.*`` functions of sparse tensors beyond ``sparse_coo_tensor``: the compressed
constructors (``sparse_csr_tensor`` ...), the ``*_copy`` accessors, and the legacy COO
products (``smm``, ``hsmm``, ``hspmm``, ``dsmm``, ``saddmm``, ``sspaddmm``) and resizes
(``resize_as_sparse_``, ``Tensor.sparse_resize_`` / ``sparse_resize_and_clear_``).

Each imports its kernels on first call (``ember/ops/sparse_compressed.py``,
``ember/ops/sparse_coo.py``), so ``import ember`` stays light. Where torch has no CPU kernel
(``indices_copy`` and ``values_copy`` of a COO tensor) ember raises torch's error.
"""


def _cc():
    from .ops import sparse_compressed
    return sparse_compressed


def _coo():
    from .ops import sparse_coo
    return sparse_coo


def sparse_compressed_tensor(compressed_indices, plain_indices, values, size=None, **kwargs):
    """``torch.sparse_compressed_tensor`` (``layout=`` one of the compressed layouts)."""
    return _cc().sparse_compressed_tensor(compressed_indices, plain_indices, values, size,
                                          **kwargs)


def _make_constructor(layout_name, fname):
    def f(compressed_indices, plain_indices, values, size=None, **kwargs):
        from . import _layout
        return _cc().constructor(getattr(_layout, layout_name))(
            compressed_indices, plain_indices, values, size, **kwargs)
    f.__name__ = f.__qualname__ = fname
    f.__doc__ = f"``torch.{fname}``: a {layout_name[7:].upper()} tensor (size inferred " \
                "when omitted)."
    return f


sparse_csr_tensor = _make_constructor("sparse_csr", "sparse_csr_tensor")
sparse_csc_tensor = _make_constructor("sparse_csc", "sparse_csc_tensor")
sparse_bsr_tensor = _make_constructor("sparse_bsr", "sparse_bsr_tensor")
sparse_bsc_tensor = _make_constructor("sparse_bsc", "sparse_bsc_tensor")


def _copy(t):
    from .ops.conversion import clone_tensor
    return clone_tensor(t)


def crow_indices_copy(input, *, out=None):
    """``torch.crow_indices_copy``: a copy of ``input.crow_indices()``."""
    return _out(_copy(input.crow_indices()), out)


def col_indices_copy(input, *, out=None):
    """``torch.col_indices_copy``."""
    return _out(_copy(input.col_indices()), out)


def ccol_indices_copy(input, *, out=None):
    """``torch.ccol_indices_copy``."""
    return _out(_copy(input.ccol_indices()), out)


def row_indices_copy(input, *, out=None):
    """``torch.row_indices_copy``."""
    return _out(_copy(input.row_indices()), out)


def _no_kernel(name, t):
    from .sparse._mode import unsupported
    from ._sparse_compressed_array import CompressedArray
    if t._data.__class__ is CompressedArray:
        from .sparse._compressed_mode import unsupported as cu
        return cu(name, t)
    if t.is_sparse:
        return unsupported(name, t)
    return NotImplementedError(f"Could not run 'aten::{name}' with arguments from the "
                               f"'{'CUDA' if t.is_cuda else 'CPU'}' backend.")


def values_copy(input, *, out=None):
    """``torch.values_copy``: a copy of a compressed tensor's values (torch has no kernel
    for COO tensors and raises; so does ember)."""
    from ._sparse_compressed_array import CompressedArray
    if input._data.__class__ is not CompressedArray:
        raise _no_kernel("values_copy", input)
    return _out(_copy(input.values()), out)


def indices_copy(input, *, out=None):
    """``torch.indices_copy``: torch 2.14 registers no CPU kernel for it; ember raises the
    same error (use ``input.indices().clone()``)."""
    raise _no_kernel("indices_copy", input)


def _out(res, out):
    if out is None:
        return res
    out.resize_(res.shape)
    out.copy_(res)
    return out


# -- legacy COO products -------------------------------------------------------------------
def _check_sparse_arg(t, fname, arg):
    if not t.is_sparse:
        raise RuntimeError(f"{fname}: expected '{arg}' to have sparse layout, got '{arg}' with "
                           f"layout {_layout_word(t)}")


def _layout_word(t):
    from ._sparse_compressed_array import CompressedArray
    if t._data.__class__ is CompressedArray:
        return t._data.layout_name
    return "Sparse" if t.is_sparse else "Strided"


def _check_product(s, d, fname):
    if s.dim() != 2 or d.dim() != 2:
        raise RuntimeError(f"{fname}: matrices expected, got {s.dim()}D, {d.dim()}D tensors")
    if s.shape[1] != d.shape[0]:
        raise RuntimeError(f"{fname}: Argument #3 (dense): Expected dim 0 size {s.shape[1]}, "
                           f"got {d.shape[0]}")


def _row_product(s, d, fname):
    """(rows, values): the rows of coalesced ``s`` holding entries and those rows of s @ d
    (computed without gradient: torch's smm/hspmm have no derivative)."""
    from .autograd.grad_mode import no_grad
    from ._tensor import _make
    import numpy
    from . import backend
    _check_sparse_arg(s, fname, "mat1")
    _check_product(s, d, fname)
    with no_grad():
        c = s.detach().coalesce()
        rows = backend.get_array_module(c._data.indices).unique(c._data.indices[0])
        full = _coo().mm(c, d.detach())
        vals = full._data[rows]
    return rows.astype(numpy.int64), _make(vals)


def hspmm(mat1, mat2, *, out=None):
    """``torch.hspmm``: sparse @ dense as a hybrid COO tensor (one sparse dim: the rows of
    mat1 that hold entries; each value a dense row of the product)."""
    from ._tensor import _make
    rows, vals = _row_product(mat1, mat2, "hspmm")
    res = _coo().sparse_coo_tensor(_make(rows[None]), vals, (mat1.shape[0], mat2.shape[1]),
                                   is_coalesced=True, check_invariants=False)
    return _out(res, out)


hsmm = hspmm


def smm(input, mat2):
    """``torch.smm``: sparse @ dense as a 2-D sparse COO tensor holding every column of each
    row of ``input`` that has entries (zeros of the product included, as torch)."""
    from ._tensor import _make
    import numpy
    from . import backend
    rows, vals = _row_product(input, mat2, "sspaddmm")   # torch's smm names sspaddmm
    xp = backend.get_array_module(vals._data)
    n = mat2.shape[1]
    idx = xp.stack([xp.repeat(rows, n), xp.tile(xp.arange(n, dtype=numpy.int64), rows.size)])
    return _coo().sparse_coo_tensor(_make(idx), vals.reshape(-1), (input.shape[0], n),
                                    is_coalesced=True, check_invariants=False)


def dsmm(input, mat2):
    """``torch.dsmm``: sparse @ dense -> dense (``torch.mm``'s gradients)."""
    _check_sparse_arg(input, "addmm", "mat1")
    if input.dim() == 2 and mat2.dim() == 2 and input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {input.shape[1]}, "
                           f"got {mat2.shape[0]}")
    return _coo().mm(input, mat2)


def sspaddmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``torch.sspaddmm``: ``beta * input + alpha * (mat1 @ mat2)`` with sparse ``input``
    and ``mat1``: a sparse COO result holding input's entries then smm's, uncoalesced."""
    from ._tensor import _make
    from . import backend
    _check_sparse_arg(input, "sspaddmm", "self")
    _check_sparse_arg(mat1, "sspaddmm", "mat1")
    _check_product(mat1, mat2, "sspaddmm")
    shape = (mat1.shape[0], mat2.shape[1])
    if tuple(input.shape) != shape:
        raise RuntimeError(f"sspaddmm: Argument #1: Expected dim 1 size {shape[1]}, got "
                           f"{input.shape[1]}" if input.shape[0] == shape[0] else
                           f"sspaddmm: Argument #1: Expected dim 0 size {shape[0]}, got "
                           f"{input.shape[0]}")
    p = smm(mat1, mat2)
    a, b = input.detach()._data, p._data
    xp = backend.get_array_module(a.values)
    idx = xp.concatenate((a.indices, b.indices), axis=1)
    vals = xp.concatenate((a.values * beta, b.values * alpha)).astype(
        xp.result_type(a.values, b.values), copy=False)
    res = _coo().sparse_coo_tensor(_make(idx), _make(vals), shape, check_invariants=False)
    return _out(res, out)


def saddmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``torch.saddmm``: the legacy name of ``sspaddmm``."""
    return sspaddmm(input, mat1, mat2, beta=beta, alpha=alpha, out=out)


# -- resizes (in place on a COO tensor, as torch's) -----------------------------------------
def _set_coo(t, arr):
    t._data = arr
    return t


_RESIZE_HELP = (
    "\nYou could try the following options:\n1. If you need an empty sparse tensor of this "
    "size, call `x = torch.sparse_coo_tensor(size)`.\n2. If you need to resize this tensor, "
    "you have the following options:\n    1. For both sparse and dense dimensions, keep the "
    "number of them constant and the size of them non-shrinking, and then try the same call "
    "again.\n    2. Or, create a new sparse tensor with the correct indices and values from "
    "this sparse tensor.")


def _check_resize_args(size, sparse_dim, dense_dim):
    if len(size) != sparse_dim + dense_dim:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) "
                           f"= {len(size)}, sparse_dim = {sparse_dim}, dense_dim = {dense_dim}")


def sparse_resize_(self, size, sparse_dim, dense_dim):
    """``Tensor.sparse_resize_``: a new size for a sparse COO tensor, keeping its entries;
    torch's rules: dims may only grow while entries exist."""
    from ._sparse_array import COOArray
    if not self.is_sparse:
        raise RuntimeError(f"sparse_resize_ expected sparse coordinate tensor layout but got "
                           f"{_layout_word(self)}")
    size = tuple(int(s) for s in size)
    _check_resize_args(size, sparse_dim, dense_dim)
    c = self._data
    if c.nnz:
        if sparse_dim != c.sparse_dim:
            raise RuntimeError(f"changing the number of sparse dimensions (from {c.sparse_dim} "
                               f"to {sparse_dim}) on a non-empty sparse tensor is not "
                               "supported." + _RESIZE_HELP)
        if dense_dim != c.dense_dim:
            raise RuntimeError(f"changing the number of dense dimensions (from {c.dense_dim} "
                               f"to {dense_dim}) on a non-empty sparse tensor is not "
                               "supported." + _RESIZE_HELP)
        old_sp, new_sp = list(c.shape[:sparse_dim]), list(size[:sparse_dim])
        if any(n < o for n, o in zip(new_sp, old_sp)):
            raise RuntimeError(f"shrinking the size of sparse dimensions (from {old_sp} to "
                               f"{new_sp}) on a non-empty sparse tensor is not supported." + _RESIZE_HELP)
        if tuple(size[sparse_dim:]) != c.shape[sparse_dim:]:
            raise RuntimeError(f"shrinking the size of dense dimensions (from "
                               f"{list(c.shape[sparse_dim:])} to {list(size[sparse_dim:])}) "
                               "on a non-empty sparse tensor is not supported." + _RESIZE_HELP)
        return _set_coo(self, COOArray(c.indices, c.values, size, c.coalesced))
    return sparse_resize_and_clear_(self, size, sparse_dim, dense_dim)


def sparse_resize_and_clear_(self, size, sparse_dim, dense_dim):
    """``Tensor.sparse_resize_and_clear_``: a new size and no entries."""
    from ._sparse_array import COOArray
    from . import backend
    import numpy
    if not self.is_sparse:
        raise RuntimeError(f"sparse_resize_and_clear_ expected sparse coordinate tensor layout "
                           f"but got {_layout_word(self)}")
    size = tuple(int(s) for s in size)
    _check_resize_args(size, sparse_dim, dense_dim)
    xp = backend.get_array_module(self._data.values)
    vals = xp.zeros((0,) + size[sparse_dim:], dtype=self._data.dtype)
    return _set_coo(self, COOArray(xp.zeros((sparse_dim, 0), dtype=numpy.int64), vals, size,
                                   True))


def resize_as_sparse_(input, the_template):
    """``torch.resize_as_sparse_`` / ``Tensor.resize_as_sparse_``: ``input`` takes the
    template's size and sparse/dense dims (``sparse_resize_``'s rules)."""
    if not the_template.is_sparse:
        raise RuntimeError(f"resize_as_sparse_ expected sparse coordinate tensor layout but "
                           f"got {_layout_word(the_template)}")
    c = the_template._data
    return sparse_resize_(input, c.shape, c.sparse_dim, c.dense_dim)
