"""Binary search: ``torch.searchsorted`` and ``torch.bucketize`` (no gradients).

``searchsorted`` searches each innermost row of ``sorted_sequence`` (its leading dims must
match ``input``'s, or the sequence is 1-D and shared); ``right=True`` / ``side='right'``
gives the index after equal elements; ``sorter`` orders an unsorted sequence. ``bucketize``
is ``searchsorted`` of ``input`` in 1-D ``boundaries``. Results are int64, or int32 with
``out_int32=True``; a Python number as ``input`` gives a 0-d result.
"""
from .. import backend
from .._dtype import int32 as _int32, int64 as _int64
from .._tensor import Tensor
from ._common import check_tensor, no_grad_op, write_out as _out
from . import pointwise as _pw

_gam = backend.get_array_module


def _search_arrays(seq, values, sorter=None, side="left", int32=False):
    xp = _gam(seq)
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter, axis=-1)
    if seq.ndim == 1:
        r = xp.searchsorted(seq, values, side=side)
    else:
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = values.reshape(-1, values.shape[-1])
        r = xp.stack([xp.searchsorted(s, v, side=side) for s, v in zip(rows_s, rows_v)]) \
            if rows_s.shape[0] else xp.zeros(rows_v.shape, _int64.np)
        r = r.reshape(values.shape)
    return xp.asarray(r).astype(_int32.np if int32 else _int64.np)


Searchsorted = no_grad_op(__name__, "Searchsorted", _search_arrays)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """``torch.searchsorted``: insertion indices of ``input`` in ``sorted_sequence``."""
    check_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError("torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
    else:
        side = "right" if right else "left"
    scalar = not isinstance(input, Tensor)
    if scalar:
        if sorted_sequence.dim() != 1:
            raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                               "sorted_sequence tensor dimension is 1, but we got "
                               f"sorted_sequence dim {sorted_sequence.dim()}")
        input = _pw.scalar_like(input, sorted_sequence)
    s, v = sorted_sequence._data, input._data
    if s.ndim == 0:
        raise RuntimeError("torch.searchsorted(): sorted_sequence should have positive "
                           "dimension, but got 0 dimension")
    if s.ndim > 1 and (v.ndim != s.ndim or v.shape[:-1] != s.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match, but we got boundaries tensor "
                           f"{list(s.shape)} and input value tensor {list(v.shape)}")
    if sorter is not None and tuple(sorter.shape) != tuple(sorted_sequence.shape):
        raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, "
                           f"but got boundary tensor {list(s.shape)}and got sorter tensor "
                           f"{list(sorter.shape)}")
    if input._data.dtype != s.dtype:
        from .._dtype import result_type
        d = result_type(sorted_sequence, input)
        sorted_sequence, input = sorted_sequence.to(d), input.to(d)
    res = Searchsorted.apply(sorted_sequence, input, sorter, side=side, int32=out_int32)
    return _out(res, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """``torch.bucketize``: the bucket of each element of ``input`` given 1-D ``boundaries``
    (``right=False``: ``boundaries[i-1] < x <= boundaries[i]``)."""
    check_tensor(boundaries, "bucketize", "boundaries", 2)
    if boundaries.dim() != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.dim()})")
    if isinstance(input, Tensor) and input.dim() > 1:
        flat = searchsorted(boundaries, input.reshape(-1), out_int32=out_int32, right=right)
        return _out(flat.reshape(input.shape), out)
    return _out(searchsorted(boundaries, input, out_int32=out_int32, right=right), out)


__all__ = ["searchsorted", "bucketize"]
