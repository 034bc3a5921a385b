"""``nn.Parameter`` and ``nn.Buffer``: Tensor subclasses that Modules register on assignment."""
from .._tensor import Tensor, _new


class Parameter(Tensor):
    """A leaf tensor that a Module registers as a parameter (``torch.nn.Parameter``).

    It shares memory with ``data``; ``requires_grad`` defaults to True.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        t = _new(cls)
        t._data = data._data
        if requires_grad:
            t.requires_grad = True
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __reduce_ex__(self, protocol):
        from .. import serialization
        return serialization.reduce_parameter(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(Tensor.__deepcopy__(self.detach(), {}), self.requires_grad)
        if self.grad is not None:
            out.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer on assignment (``torch.nn.Buffer``)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        t = _new(cls)
        t._data = data._data
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


def is_lazy(param):
    return False


__all__ = ["Parameter", "Buffer"]
