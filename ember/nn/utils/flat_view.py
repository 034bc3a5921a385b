"""One contiguous buffer behind many tensors: ``flat_views`` and ``FlatView``.

Data-parallel training reduces gradients bucket by bucket: one collective over one
contiguous buffer is much cheaper than one per parameter. ``flat_views(tensors)`` lays
the tensors end to end (in the given order, no padding) in one 1-D buffer, copies
their current values in, and makes each tensor's storage a view of its slice, so
writes through either side are seen by the other::

    flat = nn.utils.flat_views(list(model.parameters()), kind="grad")
    loss.backward()                  # accumulates in place into flat.buffer
    flat.buffer.div_(world_size)     # scales every parameter's .grad at once

``kind="data"`` views the tensors' values (``p.data``); ``kind="grad"`` gives every
tensor a ``.grad`` that views the buffer (zeros where it had none). PyTorch has no
public counterpart: this plays the role of DDP's ``gradient_as_bucket_view`` buckets
and of ``torch._utils._flatten_dense_tensors``.

The views stay valid while nothing *replaces* the tensors' storage: in-place updates
(the optimizers', ``backward``'s accumulation into an existing ``.grad``) keep them;
``zero_grad(set_to_none=True)``, ``p.data = ...`` or ``p.grad = None`` break them.
``is_bound()`` says whether every tensor still views the buffer, and ``rebind()``
copies the tensors' current values back in and re-points them.
"""
from ..._tensor import Tensor, _make
from ... import backend

_KINDS = ("data", "grad")


def flat_views(tensors, kind="data"):
    """Lay ``tensors`` into one contiguous buffer and make each a view into it.

    Returns a ``FlatView``; see the module docstring.
    """
    return FlatView(tensors, kind=kind)


class FlatView:
    """A 1-D ``buffer`` whose consecutive slices are the storage of ``tensors``.

    Attributes: ``buffer`` (a 1-D Tensor of the tensors' common dtype and device),
    ``tensors`` (the list, in order), ``offsets`` (start of each tensor's slice),
    ``kind`` (``"data"`` or ``"grad"``).
    """

    def __init__(self, tensors, kind="data"):
        tensors = list(tensors)
        if kind not in _KINDS:
            raise ValueError(f"flat_views: kind must be 'data' or 'grad', got {kind!r}")
        if not tensors:
            raise ValueError("flat_views: expected a non-empty list of tensors")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"flat_views: element {i} is a {type(t).__name__}, "
                                "expected a Tensor")
        dtypes = {t.dtype for t in tensors}
        devices = {t.device for t in tensors}
        if len(dtypes) > 1 or len(devices) > 1:
            raise TypeError("flat_views: all tensors must share one dtype and device, got "
                            f"dtypes {sorted(map(str, dtypes))} and devices "
                            f"{sorted(map(str, devices))}")
        self.kind = kind
        self.tensors = tensors
        self.offsets = []
        total = 0
        for t in tensors:
            self.offsets.append(total)
            total += t._data.size
        xp = backend.get_array_module(tensors[0]._data)
        self.buffer = _make(xp.zeros(total, dtype=tensors[0]._data.dtype))
        self.rebind()

    def __len__(self):
        return len(self.tensors)

    def __repr__(self):
        return (f"FlatView(kind={self.kind!r}, tensors={len(self.tensors)}, "
                f"numel={self.buffer._data.size}, dtype={self.buffer.dtype})")

    def view(self, i):
        """The buffer's slice for tensor ``i``, shaped like it (a view, no copy)."""
        start = self.offsets[i]
        t = self.tensors[i]
        return self.buffer._data[start:start + t._data.size].reshape(t._data.shape)

    def views(self):
        """Tensors viewing each slice, shaped like ``tensors`` (``_unflatten_dense_tensors``)."""
        return [_make(self.view(i)) for i in range(len(self.tensors))]

    def _storage(self, t):
        if self.kind == "data":
            return t._data
        return None if t.grad is None else t.grad._data

    def is_bound(self):
        """True while every tensor's storage (data or grad) is still its slice of the buffer."""
        for i, t in enumerate(self.tensors):
            arr = self._storage(t)
            if arr is None or not _same_memory(arr, self.view(i)):
                return False
        return True

    def rebind(self):
        """Copy each tensor's current values into its slice and make it a view of the slice.

        A tensor with no ``.grad`` (``kind="grad"``) gets a zero one.
        """
        for i, t in enumerate(self.tensors):
            dst = self.view(i)
            src = self._storage(t)
            if src is None:
                dst[...] = 0
            elif not _same_memory(src, dst):
                dst[...] = src
            if self.kind == "data":
                t._data = dst
            elif src is None or not _same_memory(src, dst):
                if t.grad is not None and t.grad._data.shape == dst.shape:
                    t.grad._data = dst      # keep the .grad object (its identity) where possible
                else:
                    t.grad = _make(dst)
        return self


def _same_memory(a, b):
    """Whether arrays ``a`` and ``b`` are the same memory with the same shape and dtype."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return a.size == 0 or _make(a).data_ptr() == _make(b).data_ptr()
