"""Embeddings: embedding, embedding_bag, one_hot (``torch.nn.functional``).

``Embedding`` is a fused Function: the forward gathers rows of the weight, the backward
scatter-adds the output gradient into a dense weight gradient (``backend.scatter_add_rows``),
skipping ``padding_idx`` and dividing by each index's count with ``scale_grad_by_freq``.
That scatter is itself a Function whose backward is the gather, so double backward works.

``sparse=True`` gives a sparse COO weight gradient as torch's: one row per looked-up index
in input order (uncoalesced), ``padding_idx`` entries left out (``_sparse_grad``).
"""
import numbers

from .. import backend
from .._dtype import int64 as _int64
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from ._common import no_grad_op
from ..autograd.dispatch import composite
from ..autograd.grad_mode import no_grad

_gam = backend.get_array_module
_I64 = _int64.np


def _freq_scale(xp, idx, num_rows, dtype):
    """1 / (number of occurrences of each index), per element of ``idx``."""
    counts = xp.bincount(idx.ravel(), minlength=num_rows)
    return xp.asarray(1.0 / counts[idx]).astype(dtype)


class EmbeddingDenseBackward(ArrayFunction):
    """weight-shaped gradient from output gradient ``g``: the scatter-add of the rows of g.
    Its own backward is the gather of the same rows (embedding)."""

    node_name = "EmbeddingDenseBackwardBackward0"

    @staticmethod
    def forward(ctx, g, indices=None, num_weights=0, padding_idx=-1, scale_grad_by_freq=False):
        xp = _gam(g)
        ctx.args = (indices, num_weights, padding_idx, scale_grad_by_freq)
        d = g.shape[-1]
        rows = g.reshape(-1, d)
        idx = indices.ravel()
        if scale_grad_by_freq:
            rows = rows * _freq_scale(xp, idx, num_weights, g.dtype)[:, None]
        out = xp.zeros((num_weights, d), g.dtype)
        backend.scatter_add_rows(xp, out, idx, rows)
        if padding_idx >= 0:
            out[padding_idx] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        indices, num_weights, padding_idx, freq = ctx.args
        return Embedding.apply(gg, indices=indices, padding_idx=padding_idx,
                               scale_grad_by_freq=freq, grad_scaled=True)


class Embedding(ArrayFunction):
    """``weight[indices]``; ``grad_scaled`` marks the double-backward use, where the padding
    row and the frequency scaling apply to the gathered rows too."""

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=-1, scale_grad_by_freq=False,
                grad_scaled=False, sparse=False):
        xp = _gam(weight)
        ctx.args = (indices, weight.shape[0], padding_idx, scale_grad_by_freq)
        ctx.sparse = sparse
        out = xp.take(weight, indices, axis=0)
        if grad_scaled:
            if scale_grad_by_freq:
                out *= _freq_scale(xp, indices, weight.shape[0], out.dtype)[..., None]
            if padding_idx >= 0:
                out[indices == padding_idx] = 0
        return out

    @staticmethod
    def backward(ctx, g):
        indices, num_weights, padding_idx, freq = ctx.args
        if ctx.sparse:
            return _sparse_grad(g, indices, num_weights, padding_idx, freq)
        return EmbeddingDenseBackward.apply(g, indices=indices, num_weights=num_weights,
                                            padding_idx=padding_idx, scale_grad_by_freq=freq)


def _sparse_grad(g, indices, num_weights, padding_idx, freq):
    """torch's embedding_sparse_backward: a (num_weights, d) sparse COO gradient whose
    entries are the rows of ``g``, one per index (padding entries dropped)."""
    from .sparse_coo import SparseCooTensor
    xp = _gam(g._data)
    d = g.shape[-1]
    idx = indices.ravel().astype(_I64)
    rows = g.reshape(-1, d)
    if freq:
        rows = rows * _make(_freq_scale(xp, idx, num_weights, g._data.dtype)[:, None])
    if padding_idx >= 0:
        keep = xp.flatnonzero(idx != padding_idx)
        idx = idx[keep]
        rows = rows.index_select(0, _make(keep))
    return SparseCooTensor.apply(_make(idx[None, :]), rows, size=(num_weights, d),
                                 coalesced=idx.size <= 1)


def _index_array(input, fn_name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn_name}(): argument 'indices' must be Tensor, not "
                        f"{type(input).__name__}")
    idx = input._data
    if idx.dtype.name not in ("int64", "int32"):
        from .._tensor import _legacy_type_name
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{_legacy_type_name(idx.dtype)} instead (while checking arguments for "
                           f"{fn_name})")
    return idx


def _check_range(idx, num):
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num):
        raise IndexError("index out of range in self")


def _padding_index(padding_idx, num, msg="Padding_idx must be within num_embeddings"):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        if padding_idx >= num:
            raise AssertionError(msg)
    elif padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError(msg)
        padding_idx = num + padding_idx
    return padding_idx


def _renorm_(weight, idx, max_norm, norm_type):
    """``torch.embedding_renorm_``: rescale, in place and outside autograd, the rows used by
    ``idx`` whose ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm``."""
    w = weight._data
    xp = _gam(w)
    rows = xp.unique(idx.ravel())
    if rows.size == 0:
        return
    sel = w[rows]
    p = float(norm_type)
    a = xp.abs(sel.astype(xp.float64 if sel.dtype.itemsize == 8 else xp.float32))
    if p == float("inf"):
        norms = a.max(axis=1)
    elif p == 0:
        norms = (a != 0).sum(axis=1).astype(a.dtype)
    else:
        norms = (a ** p).sum(axis=1) ** (1.0 / p)
    over = norms > max_norm
    if bool(over.any()):
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = sel[over] * scale[:, None]
        vc = weight._vc
        if vc is not None:
            vc[0] += 1


@composite("embedding")
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """``F.embedding``: rows of ``weight`` picked by the int64/int32 ``input``.

    ``padding_idx`` gets no gradient; ``max_norm`` renormalizes the used rows of ``weight``
    in place first; ``scale_grad_by_freq`` divides gradients by index frequency in the
    batch. ``sparse=True`` gives a sparse COO weight gradient, as torch.
    """
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    padding_idx = _padding_index(padding_idx, num)
    idx = _index_array(input, "embedding")
    _check_range(idx, num)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    if sparse:
        return Embedding.apply(weight, indices=idx, padding_idx=padding_idx,
                               scale_grad_by_freq=bool(scale_grad_by_freq), sparse=True)
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx,
                           scale_grad_by_freq=bool(scale_grad_by_freq))


# ---------------------------------------------------------------------------------------
# embedding_bag

_MODES = {"sum": 0, "mean": 1, "max": 2}


class EmbeddingBag(ArrayFunction):
    """Per-bag sum/mean/max of embedding rows.

    Options: ``indices`` (1-D), ``bag_of`` (the bag of each index; -1 for padding entries),
    ``num_bags``, ``mode``, ``scale_grad_by_freq``. ``per_sample_weights`` (sum mode) is the
    second input. The backward is written on arrays (once differentiable).
    """

    once_differentiable = True

    @staticmethod
    def forward(ctx, weight, per_sample_weights, indices=None, bag_of=None, num_bags=0,
                mode="mean", scale_grad_by_freq=False):
        xp = _gam(weight)
        d = weight.shape[1]
        valid = bag_of >= 0
        idx, bags = indices[valid], bag_of[valid]
        rows = xp.take(weight, idx, axis=0)
        counts = xp.bincount(bags, minlength=num_bags)[:num_bags]
        ctx.args = (idx, bags, valid, counts, num_bags, mode, scale_grad_by_freq)
        if mode == "max":
            # bags are contiguous runs of idx: lay them out as (bag, position, column) padded
            # with -inf, so the maximum and its first position come from argmax
            starts = xp.cumsum(counts) - counts
            width = int(counts.max()) if idx.size else 0
            dense = xp.full((num_bags, width, d), -xp.inf, weight.dtype)
            dense[bags, xp.arange(idx.size) - starts[bags]] = rows
            arg = dense.argmax(axis=1) if width else xp.zeros((num_bags, d), _I64)
            out = xp.take_along_axis(dense, arg[:, None, :], axis=1)[:, 0, :] if width else \
                xp.zeros((num_bags, d), weight.dtype)
            empty = counts == 0
            out[empty] = 0
            ctx.first = xp.where(empty[:, None], -1, starts[:, None] + arg)
            return out
        if per_sample_weights is not None:
            psw = per_sample_weights[valid]
            rows = rows * psw[:, None]
            ctx.save_for_backward(weight, per_sample_weights)
        out = xp.zeros((num_bags, d), weight.dtype)
        backend.scatter_add(xp, out, bags, rows)
        if mode == "mean":
            out /= xp.maximum(counts, 1)[:, None].astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        idx, bags, valid, counts, num_bags, mode, freq = ctx.args
        weight, psw = ctx.saved_tensors or (None, None)
        gd = g._data
        xp = _gam(gd)
        num_weights, d = ctx._in_meta[0][0]
        gw = xp.zeros((num_weights, d), gd.dtype)
        gpsw = None
        if mode == "max":
            first = ctx.first
            b, c = xp.nonzero(first >= 0)
            backend.scatter_add(xp, gw, (idx[first[b, c]], c), gd[b, c])
            return _make(gw), None
        rows = gd[bags]
        if mode == "mean":
            rows = rows / xp.maximum(counts, 1)[bags][:, None].astype(gd.dtype)
        if psw is not None and ctx.needs_input_grad[1]:
            w_rows = xp.take(weight._data, idx, axis=0)
            gp = xp.zeros(valid.shape, gd.dtype)
            gp[valid] = (rows * w_rows).sum(axis=1)
            gpsw = _make(gp)
        if psw is not None:
            rows = rows * psw._data[valid][:, None]
        if freq:
            rows = rows * _freq_scale(xp, idx, num_weights, gd.dtype)[:, None]
        backend.scatter_add(xp, gw, idx, rows)
        return _make(gw), gpsw


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """``F.embedding_bag``: sums, means or maxima of bags of embedding rows, without
    materializing the rows per bag. A 2-D ``input`` is a batch of equal-size bags; a 1-D
    ``input`` is split into bags at ``offsets``. Entries equal to ``padding_idx`` are left
    out of every bag (and of the mean's count); empty bags give zeros. ``sparse=True`` gives
    a dense gradient in ember. PyTorch's legacy order ``embedding_bag(weight, input, ...)``
    (an integer ``weight`` and a float ``input``) is accepted with its deprecation warning."""
    if weight.dtype.name in ("int64", "int32") and input.is_floating_point():
        import warnings
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    idx = _index_array(input, "embedding_bag")
    xp = _gam(idx)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        n_bags, length = idx.shape
        off = xp.arange(n_bags, dtype=_I64) * length
        include_last_offset = False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = _index_array(offsets, "embedding_bag").astype(_I64, copy=False)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    num = weight.shape[0]
    padding_idx = _padding_index(padding_idx, num, "padding_idx must be within num_embeddings")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num):
        bad = int(xp.nonzero((idx < 0) | (idx >= num))[0][0])
        raise RuntimeError(f"Index {bad} of input takes value {int(idx[bad])} which is not in "
                           f"the valid range [0, {num})")
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        from .._tensor import _legacy_type_name
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as "
                           "tensor for argument #1 'per_sample_weights'; but type "
                           f"{_legacy_type_name(weight._data.dtype)} does not equal "
                           f"{_legacy_type_name(per_sample_weights._data.dtype)} (while checking "
                           "arguments for embedding_bag)")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    bag_of, num_bags = _bags(xp, idx.size, off, include_last_offset)
    if padding_idx >= 0:
        bag_of = xp.where(idx == padding_idx, -1, bag_of)
    return EmbeddingBag.apply(weight, per_sample_weights, indices=idx, bag_of=bag_of,
                              num_bags=num_bags, mode=mode,
                              scale_grad_by_freq=bool(scale_grad_by_freq))


def _bags(xp, n, off, include_last_offset):
    """The bag of each of the ``n`` indices (-1: after the last bag) and the number of bags."""
    num_bags = off.size - 1 if include_last_offset else off.size
    if num_bags < 0:
        num_bags = 0
    if off.size:
        if int(off[0]) != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the "
                               "mini-batch has to start from position 0. However, got "
                               f"{int(off[0])}")
        if int(off[-1]) > n:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but "
                               f"got offsets[-1] of {int(off[-1])}")
        if off.size > 1 and bool((off[1:] < off[:-1]).any()):
            raise RuntimeError("offsets has to be a non-decreasing sequence")
    bag_of = xp.searchsorted(off[:num_bags], xp.arange(n), side="right") - 1
    if include_last_offset and off.size:
        bag_of = xp.where(xp.arange(n) >= off[-1], -1, bag_of)
    return bag_of.astype(_I64, copy=False), num_bags


# ---------------------------------------------------------------------------------------
# one_hot

def one_hot(tensor, num_classes=-1):
    """``F.one_hot``: int64 one-hot encoding with a trailing dim of ``num_classes``
    (``-1``: one more than the largest value)."""
    idx = tensor._data
    if idx.dtype != _I64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if not isinstance(num_classes, numbers.Integral):
        raise TypeError(f"one_hot(): argument 'num_classes' must be int, not "
                        f"{type(num_classes).__name__}")
    if idx.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(idx.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        top = int(idx.max())
        if num_classes == -1:
            num_classes = top + 1
        elif top >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return OneHot.apply(tensor, num_classes=int(num_classes))


def _one_hot_arrays(idx, num_classes):
    xp = _gam(idx)
    out = xp.zeros((idx.size, num_classes), _I64)
    out[xp.arange(idx.size), idx.ravel()] = 1
    return out.reshape(idx.shape + (num_classes,))


OneHot = no_grad_op(__name__, "OneHot", _one_hot_arrays)


__all__ = ["embedding", "embedding_bag", "one_hot"]
