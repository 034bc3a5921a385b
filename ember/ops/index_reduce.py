"""``index_reduce`` / ``index_reduce_`` (issue 17): PyTorch's index-wise prod/mean/amax/amin.

``input.index_reduce(dim, index, source, reduce)`` reduces slice ``i`` of ``source``
along ``dim`` into slice ``index[i]`` of (a copy of) ``input``. It is exactly
``scatter_reduce`` with ``index`` broadcast over ``source``'s other dims, so values,
``include_self`` and gradients are scatter_reduce's.
"""
from .. import backend
from .._tensor import _make, _wrap_dim

_REDUCES = ("prod", "mean", "amax", "amin")


def _expanded_index(input, dim, index, source, fname):
    if index.dim() > 1:
        raise IndexError(f"{fname}(): Index is supposed to be a vector")
    if index.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype}")
    nd = max(input.dim(), 1)
    d = _wrap_dim(dim, nd)
    if source.dim() != input.dim() and not (source.dim() <= 1 and input.dim() <= 1):
        raise IndexError(f"{fname}(): Source/destination tensor must have same number of "
                         "dimensions")
    n = index.numel()
    if (source.shape[d] if source.dim() else 1) != n:
        raise RuntimeError(f"{fname}(): Expected the number of indices ({n}) to equal the "
                           f"source's size at dim {d}")
    xp = backend.get_array_module(source._data)
    idx = index._data.astype(xp.int64).reshape(-1)
    size = input.shape[d] if input.dim() else 1
    if idx.size and (int(idx.min()) < -size or int(idx.max()) >= size):
        raise IndexError(f"{fname}(): index out of range for self of size {size} at dim {d}")
    idx = xp.where(idx < 0, idx + size, idx)
    shape = [1] * source.dim()
    if shape:
        shape[d] = n
    full = xp.broadcast_to(idx.reshape(shape), source._data.shape).copy()
    return d, _make(full)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``torch.index_reduce``: reduce ('prod', 'mean', 'amax', 'amin') ``source`` slices
    into ``input``'s slices named by ``index`` along ``dim``."""
    from .scatter import scatter_reduce
    if reduce not in _REDUCES:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d, full = _expanded_index(input, dim, index, source, "index_reduce")
    return scatter_reduce(input, d, full, source.to(input.dtype), reduce,
                          include_self=include_self)


def index_reduce_(input, dim, index, source, reduce, *, include_self=True):
    """``Tensor.index_reduce_``: in place."""
    from .pointwise import apply_inplace
    return apply_inplace(input, lambda s, src: index_reduce(s, dim, index, src, reduce,
                                                            include_self=include_self), source)


METHODS = ("index_reduce", "index_reduce_")
__all__ = ["index_reduce"]
