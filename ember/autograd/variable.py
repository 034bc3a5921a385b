"""``torch.autograd.Variable``: the legacy wrapper that pre-0.4 programs still call.

As in PyTorch, ``Variable(t, requires_grad=...)`` returns a plain Tensor (not a subclass
instance) and every Tensor passes ``isinstance(t, Variable)``; ``volatile`` is accepted
with PyTorch's warning and has no effect.
"""
import warnings

from .._tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)

    def __subclasscheck__(cls, other):
        return isinstance(other, type) and issubclass(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data=None, requires_grad=False, volatile=False)`` -> Tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            from ..ops.creation import empty
            return empty(0, requires_grad=bool(requires_grad))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out


__all__ = ["Variable"]
