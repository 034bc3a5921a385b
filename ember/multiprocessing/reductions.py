"""How tensors cross process boundaries in ``multiprocessing`` (as
``torch.multiprocessing.reductions``): registered with ``ForkingPickler``, the pickler
that ``multiprocessing`` queues, pipes and process arguments use, a CPU tensor is moved
to shared memory (``share_memory_()``) and sent as the name of its segment plus offset,
shape, strides and dtype; the receiver maps the same memory. Plain ``pickle`` (and
``ember.save``) still copy the data.
"""
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
    path, offset = _shared_memory.segment_of(arr)
    size = _shared_memory.segment_size(path)
    kind = "parameter" if isinstance(t, Parameter) else "tensor"
    return (rebuild_tensor, (kind, path, size, offset, arr.shape, arr.strides, arr.dtype.str
                             if arr.dtype.kind != "V" else arr.dtype.name, t.requires_grad))


def _dtype(name):
    import numpy as np
    try:
        return np.dtype(name)
    except TypeError:
        import ml_dtypes
        return np.dtype(getattr(ml_dtypes, name))


def rebuild_tensor(kind, path, size, offset, shape, strides, dtype, requires_grad):
    from .._tensor import _make
    from ..nn.parameter import Parameter
    arr = _shared_memory.open_array(path, size, offset, shape, strides, _dtype(dtype))
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
