"""Grids, products and index patterns: meshgrid, cartesian_prod, combinations,
block_diag, diagflat, vander, rot90, tril_indices/triu_indices, unravel_index.

The tensor-valued ones are built from differentiable views and copies (expand, stack,
index_select, cat, flip, transpose, cumprod), so gradients and double backward come from
those ops. ``meshgrid`` without ``indexing`` warns and uses 'ij', as PyTorch. ``vander``
builds its columns with cumprod (PyTorch's way, so rounding matches). The index
generators return int64 (or ``dtype``) tensors and have no gradient.
"""
import itertools
import operator
import warnings

from .. import backend
from .._dtype import int64 as _int64, promote_types, to_dtype
from .._tensor import Tensor, _wrap_dim
from ._common import check_tensor, fmt_shape, no_grad_op
from . import pointwise as _pw
from . import shape as _sh

_gam = backend.get_array_module


def _tensors_arg(tensors, fname):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def meshgrid(*tensors, indexing=None):
    """``torch.meshgrid``: coordinate grids (views) of 0-d/1-D tensors, 'ij' or 'xy'."""
    tensors = _tensors_arg(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("torch.meshgrid: Expected all tensors in the tensor list to have "
                               "the same dtype.")
    flat = [_sh.reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = -1
        grids.append(_sh.expand(_sh.reshape(t, tuple(view)), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """``torch.cartesian_prod``: all combinations of 1-D tensors' elements, one per row
    (a single tensor is returned as is)."""
    tensors = _tensors_arg(tensors, "cartesian_prod")
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {fmt_shape(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _sh.stack([_sh.reshape(g, (-1,)) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """``torch.combinations``: length-``r`` combinations of a 1-D tensor's elements, as
    ``itertools.combinations`` (``_with_replacement``) orders them."""
    check_tensor(input, "combinations")
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {fmt_shape(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    from .creation import tensor
    from .scatter import index_select
    if r == 0:
        return tensor([], dtype=input.dtype, device=input.device)
    n = input.shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = list(gen(range(n), r))
    if not idx:
        return _sh.reshape(index_select(input, 0, tensor([], dtype=_int64)), (0, r))
    cols = tensor(idx, dtype=_int64, device=input.device)
    return _sh.stack([index_select(input, 0, cols[:, k]) for k in range(r)], 1)


def block_diag(*tensors):
    """``torch.block_diag``: the tensors (0-d, 1-D as a row, 2-D) along a block diagonal;
    dtypes promote."""
    tensors = _tensors_arg(tensors, "block_diag")
    from .creation import zeros
    if not tensors:
        return zeros((1, 0))
    d = tensors[0].dtype
    for t in tensors[1:]:
        d = promote_types(d, t.dtype)
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
        t = _pw._to_dtype(t, d)
        mats.append(_sh.reshape(t, (1, -1) if t.dim() < 2 else tuple(t.shape)))
    total = sum(m.shape[1] for m in mats)
    rows, before = [], 0
    dev = tensors[0].device
    for m in mats:
        r, c = m.shape
        parts = [zeros((r, before), dtype=d, device=dev), m,
                 zeros((r, total - before - c), dtype=d, device=dev)]
        rows.append(_sh.cat(parts, 1))
        before += c
    return _sh.cat(rows, 0)


def diagflat(input, offset=0):
    """``torch.diagflat``: the flattened input on diagonal ``offset`` of a square matrix."""
    check_tensor(input, "diagflat")
    return _sh.diag(_sh.reshape(input, (-1,)), offset)


def vander(x, N=None, increasing=False):
    """``torch.vander``: columns ``x**0 .. x**(N-1)`` (decreasing unless ``increasing``);
    integer inputs stay integer (int64), floats keep their dtype."""
    check_tensor(x, "vander", "x")
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    from .creation import ones
    from .reduction import cumprod
    if x._data.dtype.kind in "biu":
        x = _pw._to_dtype(x, _int64)
    if n == 0:
        cols = _sh.reshape(x, (-1, 1))[:, :0] * 1
    else:
        first = ones((x.shape[0], 1), dtype=x.dtype, device=x.device)
        if n > 1:
            rest = cumprod(_sh.expand(_sh.reshape(x, (-1, 1)), (x.shape[0], n - 1)), 1)
            cols = _sh.cat([first, rest], 1)
        else:
            cols = first
    return cols if increasing else _sh.flip(cols, (1,))


def rot90(input, k=1, dims=(0, 1)):
    """``torch.rot90``: rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the
    first towards the second)."""
    check_tensor(input, "rot90")
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input.dim()
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k = k % 4
    if k == 1:
        return _sh.transpose(_sh.flip(input, (d1,)), d0, d1)
    if k == 2:
        return _sh.flip(input, (d0, d1))
    if k == 3:
        return _sh.flip(_sh.transpose(input, d0, d1), (d1,))
    return _pw.clone_tensor(input)


def _tri_indices(row, col, offset, lower, dtype, device):
    from .creation import tensor
    import numpy
    np_dtype = to_dtype(dtype if dtype is not None else _int64).np
    rows, cols = (numpy.tril_indices if lower else numpy.triu_indices)(row, offset, col) \
        if row > 0 and col > 0 else (numpy.zeros(0, np_dtype), numpy.zeros(0, np_dtype))
    return tensor(numpy.stack([rows, cols]).astype(np_dtype), device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """``torch.tril_indices``: ``2 x N`` row/column indices of the lower triangle."""
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else
                           f"col must be non-negative, got{col}")
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """``torch.triu_indices``: ``2 x N`` row/column indices of the upper triangle."""
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else
                           f"col must be non-negative, got{col}")
    return _tri_indices(row, col, offset, False, dtype, device)


def _unravel_arrays(idx, shape=()):
    xp = _gam(idx)
    out = []
    rest = idx
    for size in reversed(shape):
        out.append(xp.remainder(rest, size))
        rest = xp.floor_divide(rest, size)
    return tuple(reversed(out))


Unravel = no_grad_op(__name__, "UnravelIndex", _unravel_arrays)


def unravel_index(indices, shape):
    """``torch.unravel_index``: flat ``indices`` as a tuple of coordinate tensors in ``shape``."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices).__name__}")
    if indices.is_floating_point() or indices.is_complex() or indices.dtype.name == "bool":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    if not shape:
        return ()
    res = Unravel.apply(_pw._to_dtype(indices, _int64), shape=shape)
    return res if isinstance(res, tuple) else (res,)


__all__ = ["meshgrid", "cartesian_prod", "combinations", "block_diag", "diagflat", "vander",
           "rot90", "tril_indices", "triu_indices", "unravel_index"]
METHODS = ("diagflat", "rot90")
