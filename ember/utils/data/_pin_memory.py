"""``pin_memory=True`` batches: every CPU tensor of a batch copied to page-locked host
memory (CuPy's pinned memory), so ``batch.to('cuda', non_blocking=True)`` is an
asynchronous DMA copy, as PyTorch's ``torch.utils.data._utils.pin_memory``. Collections
keep their type (dicts, lists, tuples, namedtuples); objects with a ``pin_memory()`` method
are asked to pin themselves; anything else passes through."""
import collections.abc

from ..._tensor import Tensor


def pin_memory(data):
    if isinstance(data, Tensor):
        return data.pin_memory() if not data.is_cuda else data
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        pinned = {k: pin_memory(v) for k, v in data.items()}
        try:
            return type(data)(pinned)
        except TypeError:
            return pinned
    if isinstance(data, tuple) and hasattr(data, "_fields"):   # namedtuple
        return type(data)(*(pin_memory(v) for v in data))
    if isinstance(data, tuple):
        return tuple(pin_memory(v) for v in data)
    if isinstance(data, collections.abc.Sequence):
        pinned = [pin_memory(v) for v in data]
        try:
            return type(data)(pinned)
        except TypeError:
            return pinned
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    return data
