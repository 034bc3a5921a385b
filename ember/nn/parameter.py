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


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet (lazy modules): it holds no data
    until ``materialize(shape)`` turns it into a plain Parameter / Tensor of that shape,
    as PyTorch's. Reading its shape or data before then raises PyTorch's RuntimeError."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        from ..ops.creation import empty
        if isinstance(shape, int):
            shape = (shape,)
        data = empty(tuple(shape), device=device if device is not None else self.device,
                     dtype=dtype if dtype is not None else self.dtype)
        self._data = data._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into "
            "an initialized one. Call `forward` to initialize the parameters before accessing "
            "their attributes.")

    def size(self, dim=None):
        return self.shape

    def numel(self):
        return self.shape

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __deepcopy__(self, memo):
        out = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = out
        return out


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """``torch.nn.parameter.UninitializedParameter``: becomes a Parameter on materialize."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..ops.creation import empty
        t = Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)
        return t

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """``torch.nn.parameter.UninitializedBuffer``: becomes a Tensor on materialize."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from ..ops.creation import empty
        t = _new(cls)
        t._data = empty(0, device=device, dtype=dtype)._data
        t.persistent = persistent
        if requires_grad:
            t.requires_grad = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    def __deepcopy__(self, memo):
        out = UninitializedBuffer(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = out
        return out


def is_lazy(param):
    """True for a parameter or buffer that is not materialized yet."""
    return isinstance(param, UninitializedTensorMixin)


__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "UninitializedTensorMixin", "is_lazy"]
