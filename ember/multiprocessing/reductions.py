"""How tensors cross process boundaries in ``multiprocessing`` (as
``torch.multiprocessing.reductions``): registered with ``ForkingPickler``, the pickler
that ``multiprocessing`` queues, pipes and process arguments use, a CPU tensor is moved
to shared memory (``share_memory_()``) and sent as the name of its segment plus offset,
shape, strides and dtype; the receiver maps the same memory. Plain ``pickle`` (and
``ember.save``) still copy the data.
"""
import os
from contextlib import contextmanager
from multiprocessing.reduction import ForkingPickler

from . import _shared_memory

__all__ = ["init_reductions", "rebuild_tensor", "reduce_tensor"]


def reduce_tensor(t):
    from ..nn.parameter import Parameter
    if t.requires_grad and not t.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                           "since autograd does not support crossing process boundaries.  If "
                           "you just want to transfer the data, call detach() on the tensor "
                           "before serializing (e.g., putting it on the queue).")
    arr = t._data
    if not hasattr(arr, "__array_interface__"):      # a CUDA tensor: send a copy
        return (_rebuild_copy, (type(t) is Parameter, t.detach().cpu(), t.requires_grad,
                                str(t.device)))
    if _shared_memory.segment_of(arr) is None:
        t.share_memory_()
        arr = t._data
    seg, offset = _shared_memory.segment_of(arr)
    kind = "parameter" if isinstance(t, Parameter) else "tensor"
    dtype = arr.dtype.str if arr.dtype.kind != "V" else arr.dtype.name
    if seg.fd is not None and _several[0]:
        # one pickle read by several processes (spawn's payload): each opens the
        # descriptor through /proc while this process keeps it open
        where = ("proc", f"/proc/{os.getpid()}/fd/{seg.fd}")
    elif seg.fd is not None:
        from multiprocessing.reduction import DupFd
        where = ("fd", DupFd(seg.fd))
    else:
        where = ("name", seg.path)
    return (rebuild_tensor, (kind, where, seg.nbytes, offset, arr.shape, arr.strides, dtype,
                             t.requires_grad))


_several = [False]


@contextmanager
def several_receivers():
    """Pickle tensors for a payload that several processes will read (spawn's)."""
    old = _several[0]
    _several[0] = True
    try:
        yield
    finally:
        _several[0] = old


def _dtype(name):
    import numpy as np
    try:
        return np.dtype(name)
    except TypeError:
        import ml_dtypes
        return np.dtype(getattr(ml_dtypes, name))


def rebuild_tensor(kind, where, nbytes, offset, shape, strides, dtype, requires_grad):
    from .._tensor import _make
    from ..nn.parameter import Parameter
    how, handle = where
    if how == "fd":
        root = _shared_memory.open_by_fd(handle.detach(), nbytes)
    elif how == "proc":
        root = _shared_memory.open_by_fd(os.open(handle, os.O_RDWR), nbytes)
    else:
        root = _shared_memory.open_by_name(handle, nbytes)
    arr = _shared_memory.view(root, offset, shape, strides, _dtype(dtype))
    t = _make(arr)
    if kind == "parameter":
        return Parameter(t, requires_grad)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_copy(is_param, cpu_tensor, requires_grad, device):
    from ..nn.parameter import Parameter
    t = cpu_tensor.to(device)
    if is_param:
        return Parameter(t, requires_grad)
    return t.requires_grad_(requires_grad) if requires_grad else t


_initialised = False


def init_reductions():
    """Register the tensor reductions with ForkingPickler (done on import of
    ember.multiprocessing)."""
    global _initialised
    if _initialised:
        return
    from .._tensor import Tensor
    from ..nn.parameter import Buffer, Parameter
    for cls in (Tensor, Parameter, Buffer):
        ForkingPickler.register(cls, reduce_tensor)
    _initialised = True
