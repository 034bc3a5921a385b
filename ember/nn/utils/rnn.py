"""Packed sequences (``torch.nn.utils.rnn``): PackedSequence, pack/pad helpers.

``data`` holds the time steps one after another, each with only the sequences still
running (``batch_sizes[t]`` rows), sorted by decreasing length; ``sorted_indices`` /
``unsorted_indices`` map between that order and the caller's.
"""
from collections import namedtuple

from ..._tensor import Tensor
from ... import _dtype
from ..._dtype import int64 as _int64
from ...ops.creation import tensor as _tensor, full
from ...ops.shape import cat, stack

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """``data.to(...)``; the index tensors follow data's device (batch_sizes stays on
        the CPU), as PyTorch."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = lambda t: None if t is None else t.to(data.device)  # noqa: E731
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def _cast(self, dtype):
        return self.to(dtype=dtype)

    def cuda(self, *args, **kwargs):
        return self.to(*(args or ("cuda",)), **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def double(self):
        return self._cast(_dtype.float64)

    def float(self):
        return self._cast(_dtype.float32)

    def half(self):
        return self._cast(_dtype.float16)

    def long(self):
        return self._cast(_dtype.int64)

    def int(self):
        return self._cast(_dtype.int32)

    def short(self):
        return self._cast(_dtype.int16)

    def char(self):
        return self._cast(_dtype.int8)

    def byte(self):
        return self._cast(_dtype.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _invert(perm):
    inv = [0] * perm.numel()
    for i, p in enumerate(perm.tolist()):
        inv[p] = i
    return _tensor(inv, dtype=_int64, device=perm.device)


def invert_permutation(permutation):
    """``torch.nn.utils.rnn.invert_permutation``: the inverse of a 1-D index permutation
    (``out[permutation[i]] = i``), on the permutation's device; None gives None. As in
    PyTorch the result is a scatter: indices out of range raise, repeated ones leave
    unspecified entries."""
    if permutation is None:
        return None
    from ...ops.creation import arange, empty_like
    out = empty_like(permutation)
    return out.scatter_(0, permutation, arange(0, permutation.numel(),
                                               device=permutation.device,
                                               dtype=permutation.dtype))


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (``batch_first``: (B, T, *)) of given lengths."""
    lengths = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        sorted_indices = _tensor(order, dtype=_int64, device=input.device)
        lengths = [lengths[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if len(lengths) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={input.shape[1]})")
    if lengths and min(lengths) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if lengths and lengths[0] > input.shape[0]:
        raise RuntimeError(f"Expected max length {lengths[0]} to be at most the input's time "
                           f"dimension {input.shape[0]}")
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(lengths[0] if lengths else 0)]
    batch = input.shape[1]
    rows = [t * batch + b for t, bs in enumerate(batch_sizes) for b in range(bs)]
    flat = input[:len(batch_sizes)].reshape((len(batch_sizes) * batch,) + tuple(input.shape[2:]))
    data = flat.index_select(0, _tensor(rows, dtype=_int64, device=input.device))   # one gather
    return PackedSequence(data, _tensor(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: (padded, lengths) in the caller's batch order."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.tolist()
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = batch_sizes[0] if batch_sizes else 0
    feat = tuple(data.shape[1:])
    # one gather from the packed rows plus one padding row
    src, offset = [], 0
    for t in range(steps):
        bs = batch_sizes[t] if t < len(batch_sizes) else 0
        src += list(range(offset, offset + bs)) + [data.shape[0]] * (batch - bs)
        offset += bs
    pad = full((1,) + feat, padding_value, dtype=data.dtype, device=data.device)
    out = cat([data, pad]).index_select(0, _tensor(src, dtype=_int64, device=data.device))
    out = out.reshape((steps, batch) + feat)
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(batch)]
    lengths = _tensor(lengths)
    if sequence.unsorted_indices is not None:
        out = out.index_select(1, sequence.unsorted_indices)
        lengths = lengths.index_select(0, sequence.unsorted_indices)
    if batch_first:
        out = out.transpose(0, 1)
    return out, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length (L_i, *) tensors into (T, B, *) (or (B, T, *)), padded."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            pad = full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                       device=s.device)
            s = cat([s, pad]) if padding_side == "right" else cat([pad, s])
        padded.append(s)
    return stack(padded, dim=0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :n] for i, n in enumerate(lengths.tolist())]


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
