"""Padding layers (``torch.nn.modules.padding``): Zero/Constant/Reflection/Replication/
CircularPad{1,2,3}d, each a thin layer over ``F.pad``.

An int ``padding`` is used on every side; a tuple is kept as given (``F.pad`` checks it),
as PyTorch does. ``repr`` matches PyTorch's: ``ConstantPad2d(padding=(1, 1, 1, 1),
value=0.5)``, ``ReflectionPad1d((2, 2))``.
"""
from ...ops.conv import pad
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _sides(padding, n):
    """``padding`` as a tuple of ``2 n`` side widths (an int for every side)."""
    return tuple(padding) if isinstance(padding, (list, tuple)) else (padding,) * (2 * n)


class _PadNd(Module):
    """``F.pad(input, self.padding, mode)``; subclasses set ``_mode`` and ``_dims``."""
    _mode = "constant"
    _dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, self._dims)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dimension with ``value``."""
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dimensions with ``value``."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dimensions with ``value``."""
    _dims = 3


class _ZeroPad:
    """Mixin: a ConstantPad with value 0.0 and PyTorch's shorter repr."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last dimension with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last two dimensions with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last three dimensions with zeros."""


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Mirror padding of the last dimension (edge not repeated)."""
    _dims = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Mirror padding of the last two dimensions."""
    _dims = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Mirror padding of the last three dimensions."""
    _dims = 3


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Repeats the edge values of the last dimension."""
    _dims = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Repeats the edge values of the last two dimensions."""
    _dims = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Repeats the edge values of the last three dimensions."""
    _dims = 3


class _CircularPadNd(_PadNd):
    """Wrap-around padding; checks the input rank first, with PyTorch's ValueError."""
    _mode = "circular"

    def forward(self, input):
        n = self._dims
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input "
                             f"(got {input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Circular padding of the last dimension."""
    _dims = 1


class CircularPad2d(_CircularPadNd):
    """Circular padding of the last two dimensions."""
    _dims = 2


class CircularPad3d(_CircularPadNd):
    """Circular padding of the last three dimensions."""
    _dims = 3
