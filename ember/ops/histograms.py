"""Counting ops: ``torch.histc``, ``torch.histogram``, ``torch.bincount``.

None has a gradient (PyTorch's neither): each is a no-gradient ArrayFunction, so dispatch
modes see it. ``histc`` ignores elements outside ``[min, max]`` and widens an empty range
(``min == max`` after taking the data's) by 1 each side, as PyTorch; the last bin
includes its right edge. ``histogram`` follows ``numpy.histogram`` (which PyTorch's CPU
kernel matches): ``bins`` an int or a tensor of edges, ``range``, ``weight``, ``density``.
"""
import builtins

from .. import backend, return_types
from .._dtype import FLOATING_NP, INTEGRAL_NP, BOOL_NP, int64 as _int64
from .._tensor import Tensor
from ._common import check_tensor, legacy_name, no_grad_op, write_out as _out

_gam = backend.get_array_module


def _check_float(t, kernel):
    if t._data.dtype not in FLOATING_NP:
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for '
                                  f"'{legacy_name(t.dtype.name)}'")


def _histc_arrays(x, bins, lo, hi):
    xp = _gam(x)
    flat = x.reshape(-1)
    if lo == hi and flat.size:
        finite = flat[xp.isfinite(flat)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    keep = flat[(flat >= lo) & (flat <= hi)]
    counts, _ = xp.histogram(keep, bins=bins, range=(lo, hi))
    return counts.astype(x.dtype)


Histc = no_grad_op(__name__, "Histc", _histc_arrays)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """``torch.histc``: ``bins`` equal-width bins over ``[min, max]`` (data range if equal)."""
    check_tensor(input, "histc")
    _check_float(input, "histogram")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    return _out(Histc.apply(input, bins=int(bins), lo=float(min), hi=float(max)), out)


def _histogram_arrays(x, edges=None, weight=None, bins=None, range=None, density=False):
    xp = _gam(x)
    flat = x.reshape(-1)
    w = None if weight is None else weight.reshape(-1)
    if edges is not None:
        hist, out_edges = xp.histogram(flat, bins=edges, weights=w, density=density)
    else:
        if range is None and flat.size == 0:
            range = (0.0, 1.0)
        hist, out_edges = xp.histogram(flat, bins=bins, range=range, weights=w, density=density)
    return hist.astype(x.dtype), out_edges.astype(x.dtype)


Histogram = no_grad_op(__name__, "Histogram", _histogram_arrays)


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """``torch.histogram``: ``(hist, bin_edges)``; ``bins`` an int or a 1-D edges tensor."""
    check_tensor(input, "histogram")
    _check_float(input, "histogram")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise RuntimeError("torch.histogram: if weight tensor is provided it should have the "
                           "same shape as the input tensor excluding its innermost dimension, "
                           f"but got input with shape {list(input.shape)} and weight with "
                           f"shape {list(weight.shape)}")
    if isinstance(bins, Tensor):
        if bins.dim() != 1 or bins.numel() < 1:
            raise RuntimeError("torch.histogram(): bins tensor should have one dimension and at "
                               f"least 1 element, but got {bins.dim()} dimensions and "
                               f"{bins.numel()} elements")
        res = Histogram.apply(input, bins, weight, density=density)
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        if range is not None and range[0] > range[1]:
            raise RuntimeError("torch.histogram(): max must be larger than min")
        res = Histogram.apply(input, None, weight, bins=int(bins),
                              range=None if range is None else (float(range[0]), float(range[1])),
                              density=density)
    if out is not None:
        _out(res[0], out[0])
        _out(res[1], out[1])
        res = tuple(out)
    return return_types.histogram(res)


def _histogramdd_arrays(x, *edges, weight=None, bins=None, range=None, density=False):
    xp = _gam(x)
    pts = x.reshape(-1, x.shape[-1])
    w = None if weight is None else weight.reshape(-1)
    if edges:
        hist, out_edges = xp.histogramdd(pts, bins=list(edges), weights=w, density=density)
    else:
        hist, out_edges = xp.histogramdd(pts, bins=bins, range=range, weights=w,
                                         density=density)
    return (hist.astype(x.dtype),) + tuple(e.astype(x.dtype) for e in out_edges)


Histogramdd = no_grad_op(__name__, "Histogramdd", _histogramdd_arrays)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """``torch.histogramdd``: a D-dimensional histogram of the points in the last dim of
    ``input``; ``bins`` an int, D ints, or D edge tensors; ``range`` a flat
    ``[min0, max0, min1, max1, ...]`` list. Returns ``(hist, bin_edges)``."""
    check_tensor(input, "histogramdd")
    _check_float(input, "histogramdd")
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions, "
                           f"but got {input.dim()}")
    n_dims = input.shape[-1]
    if weight is not None and tuple(weight.shape) != tuple(input.shape[:-1]):
        raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the "
                           "same shape as the input tensor excluding its innermost dimension")
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        if len(bins) != n_dims:
            raise RuntimeError(f"torch.histogramdd: expected {n_dims} sequences of bin edges "
                               f"for each dimension, but got {len(bins)}")
        res = Histogramdd.apply(input, *bins, weight=weight, density=density)
    else:
        counts = [int(bins)] * n_dims if not isinstance(bins, (list, tuple)) else list(bins)
        if len(counts) != n_dims:
            raise RuntimeError(f"torch.histogramdd: expected {n_dims} bin counts, but got "
                               f"{len(counts)}")
        pairs = None
        if range is not None:
            if len(range) != 2 * n_dims:
                raise RuntimeError(f"torch.histogramdd: for a {n_dims}-dimensional histogram "
                                   f"range should have {2 * n_dims} elements, but got "
                                   f"{len(range)}")
            pairs = [(float(range[2 * i]), float(range[2 * i + 1])) for i in builtins.range(n_dims)]
        elif input.numel() == 0:
            pairs = [(0.0, 1.0)] * n_dims
        res = Histogramdd.apply(input, weight=weight, bins=counts, range=pairs,
                                density=density)
    return return_types.histogramdd((res[0], tuple(res[1:])))


def _bincount_arrays(x, weights=None, minlength=0):
    xp = _gam(x)
    r = xp.bincount(x, weights=weights, minlength=minlength)
    if weights is None:
        return r.astype(_int64.np)
    return r.astype(weights.dtype if weights.dtype in FLOATING_NP else xp.float64)


Bincount = no_grad_op(__name__, "Bincount", _bincount_arrays)


def bincount(input, weights=None, minlength=0):
    """``torch.bincount``: counts of each value of a 1-D non-negative integer tensor (int64,
    or the float weights' dtype; integer weights count in float64, as PyTorch)."""
    check_tensor(input, "bincount")
    d = input._data
    if d.dtype not in INTEGRAL_NP and d.dtype not in BOOL_NP:
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{legacy_name(input.dtype.name)}'")
    if d.ndim != 1 or (d.size and int(d.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and tuple(weights.shape) != tuple(input.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    return Bincount.apply(input, weights, minlength=int(minlength))


METHODS = ("histc", "histogram", "bincount")
__all__ = list(METHODS) + ["histogramdd"]
