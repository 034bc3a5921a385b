"""Small top-level functions of ``torch.*`` for tensor structure and defaults (issue 17):
fill / zero_ / detach / detach_ as functions, scalar_tensor, the deprecated range,
get_device, is_inference, the default tensor type and default device."""
import warnings

from ._tensor import Tensor

__all__ = ["fill", "fill_", "zero_", "detach", "detach_", "scalar_tensor", "range",
           "get_device", "is_inference", "set_default_tensor_type", "get_default_device",
           "set_default_device"]


def _tensor_arg(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def fill(input, value):
    """``torch.fill``: a new tensor like ``input`` filled with ``value`` (gradient zero)."""
    _tensor_arg(input, "fill")
    return input.clone().fill_(value)


def fill_(input, value):
    _tensor_arg(input, "fill_")
    return input.fill_(value)


def zero_(input):
    _tensor_arg(input, "zero_")
    return input.zero_()


def detach(input):
    _tensor_arg(input, "detach")
    return input.detach()


def detach_(input):
    _tensor_arg(input, "detach_")
    return input.detach_()


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None,
                  requires_grad=False):
    """``torch.scalar_tensor``: a 0-d tensor of the default float dtype (unless ``dtype``)."""
    from .ops.creation import full
    from numbers import Number
    if isinstance(s, Tensor):
        s = s.item()
    if not isinstance(s, Number):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    from ._dtype import get_default_dtype
    return full((), s, dtype=get_default_dtype() if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated ``torch.range``: like arange but ``end`` included, default float dtype;
    warns as PyTorch does."""
    from .ops import creation
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    return creation.range(start, end, step, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def get_device(input):
    """``torch.get_device`` / ``Tensor.get_device``: -1 on CPU, the CUDA index otherwise."""
    _tensor_arg(input, "get_device")
    d = input.device
    return -1 if d.type == "cpu" else (d.index or 0)


def is_inference(input):
    """``Tensor.is_inference``: whether made under ``inference_mode`` (ember records no such
    flag on tensors, so False: ember's inference_mode is no_grad)."""
    return False


def set_default_tensor_type(t):
    """``torch.set_default_tensor_type`` (deprecated in PyTorch): a legacy type or its name
    sets the default float dtype; CUDA types are not supported."""
    from . import _legacy_types, _dtype
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        name = t.split(".")[-1]
        if ".cuda." in t:
            raise NotImplementedError(f"set_default_tensor_type({t!r}): CUDA default tensor "
                                      "types are not supported by ember")
        t = getattr(_legacy_types, name, None)
        if t is None:
            raise TypeError(f"invalid type: '{name}'")
    d = getattr(t, "dtype", None)
    if d is None or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(d)


def get_default_device():
    """``torch.get_default_device``: where factory functions put tensors (always cpu: ember
    has no global default device)."""
    from ._device import device
    return device("cpu")


def set_default_device(device):
    """``torch.set_default_device``: ``None`` or ``'cpu'``; other devices raise
    NotImplementedError (pass ``device=`` to factory functions instead)."""
    from ._device import as_device
    if device is None or as_device(device).type == "cpu":
        return
    raise NotImplementedError(f"ember.set_default_device({device!r}): a non-CPU default device "
                              "is not supported; pass device= to factory functions")


def swapaxes_(self, axis0, axis1):
    """``Tensor.swapaxes_``: transpose in place (this tensor's geometry changes)."""
    return _transpose_inplace(self, axis0, axis1)


def _transpose_inplace(self, d0, d1):
    from .ops.shape import transpose
    out = transpose(self, d0, d1)
    self._data = out._data
    if out.grad_fn is not None:
        self.grad_fn, self._output_nr = out.grad_fn, 0
    return self


swapdims_ = swapaxes_

