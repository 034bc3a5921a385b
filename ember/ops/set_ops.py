"""Set ops: ``torch.isin``, ``torch.unique``, ``torch.unique_consecutive`` (no gradients).

``unique`` always returns sorted values (PyTorch's CPU kernel sorts whatever ``sorted``
says); ``return_inverse`` gives each input element's index into the values and
``return_counts`` their counts; with ``dim`` whole slices are compared. The result tuple
is ``values`` followed by the requested extras, as PyTorch.
"""
from .. import backend
from .._dtype import int64 as _int64
from .._tensor import Tensor, _wrap_dim
from ._common import no_grad_op
from . import pointwise as _pw

_gam = backend.get_array_module
_I64 = _int64.np


def _isin_arrays(elements, test, invert=False):
    xp = _gam(elements)
    return xp.isin(elements, test, invert=invert)


Isin = no_grad_op(__name__, "Isin", _isin_arrays)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """``torch.isin``: whether each element of ``elements`` is in ``test_elements`` (either
    may be a Python number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: at least one "
                        "of elements and test_elements must be a Tensor")
    like = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(elements, Tensor):
        elements = _pw.scalar_like(elements, like)
    if not isinstance(test_elements, Tensor):
        test_elements = _pw.scalar_like(test_elements, like)
    return Isin.apply(elements, test_elements, invert=bool(invert))


def _unique_arrays(x, dim=None, consecutive=False):
    """(values, inverse, counts) of ``x``, over elements (dim None) or slices along dim."""
    xp = _gam(x)
    if dim is None:
        flat = x.reshape(-1)
        if consecutive:
            if flat.size == 0:
                return flat.copy(), xp.zeros(x.shape, _I64), xp.zeros(0, _I64)
            start = xp.ones(flat.size, bool)
            start[1:] = flat[1:] != flat[:-1]
            values = flat[start]
            inverse = (xp.cumsum(start) - 1).reshape(x.shape)
            pos = xp.flatnonzero(start)
            counts = xp.diff(xp.concatenate([pos, xp.asarray([flat.size])]))
            return values, inverse.astype(_I64), counts.astype(_I64)
        values, inverse, counts = xp.unique(flat, return_inverse=True, return_counts=True)
        return values, inverse.reshape(x.shape).astype(_I64), counts.astype(_I64)
    moved = xp.moveaxis(x, dim, 0)
    n = moved.shape[0]
    rows = moved.reshape(n, -1)
    if consecutive:
        if n == 0:
            return x.copy(), xp.zeros(0, _I64), xp.zeros(0, _I64)
        start = xp.ones(n, bool)
        start[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        values = moved[start]
        inverse = xp.cumsum(start) - 1
        pos = xp.flatnonzero(start)
        counts = xp.diff(xp.concatenate([pos, xp.asarray([n])]))
    else:
        _, idx, inverse, counts = xp.unique(rows, axis=0, return_index=True, return_inverse=True,
                                            return_counts=True)
        values = moved[idx]
        inverse = inverse.reshape(-1)
    return xp.moveaxis(values, 0, dim), inverse.astype(_I64), counts.astype(_I64)


Unique = no_grad_op(__name__, "Unique", _unique_arrays)


def _unique(input, return_inverse, return_counts, dim, consecutive):
    if dim is not None:
        dim = _wrap_dim(dim, input.dim())
        if input.dim() == 0:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but "
                             f"got {dim})")
    values, inverse, counts = Unique.apply(input, dim=dim, consecutive=consecutive)
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out[0] if len(out) == 1 else out


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique``: the distinct values (sorted), optionally inverse indices and counts."""
    return _unique(input, return_inverse, return_counts, dim, False)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique_consecutive``: collapse runs of equal consecutive elements (or slices)."""
    return _unique(input, return_inverse, return_counts, dim, True)


METHODS = ("unique", "unique_consecutive")
__all__ = ["isin", "unique", "unique_consecutive"]
