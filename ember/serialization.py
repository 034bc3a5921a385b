"""Pickling of tensors and parameters.

``copy.deepcopy``, ``pickle`` and multiprocessing use these reducers; the PyTorch
checkpoint format (``ember.save`` / ``ember.load``) builds on them in a later issue.
"""
from . import backend


def _rebuild_tensor(array, requires_grad):
    from ._tensor import _make
    t = _make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_parameter(array, requires_grad):
    from ._tensor import _make
    from .nn.parameter import Parameter
    return Parameter(_make(array), requires_grad)


def reduce_tensor(t):
    if t.grad_fn is not None:
        raise RuntimeError("Can't pickle a Tensor that requires grad and is not a leaf; "
                           "detach() it first")
    return (_rebuild_tensor, (backend.to_host(t._data), t.requires_grad))


def reduce_parameter(p):
    return (_rebuild_parameter, (backend.to_host(p._data), p.requires_grad))
