"""``torchvision.tv_tensors`` on ember: Tensor subclasses that tell the v2 transforms what
a tensor holds (Image, Video, Mask, BoundingBoxes).

As in torchvision, an ordinary ember op on a tv_tensor returns a plain Tensor (the
metadata would no longer be trustworthy); the v2 transforms and ``wrap`` re-attach it.
``clone``, ``to``, ``detach`` and ``requires_grad_`` keep the type, as torchvision's do.
"""
from enum import Enum

import numpy

from ..._tensor import Tensor

__all__ = ["TVTensor", "Image", "Video", "Mask", "BoundingBoxes", "BoundingBoxFormat", "wrap",
           "set_return_type"]


def _as_tensor(data, dtype=None, device=None, requires_grad=None):
    from ... import as_tensor
    t = data if isinstance(data, Tensor) and dtype is None and device is None else as_tensor(
        data, dtype=dtype, device=device)
    if requires_grad is None:
        requires_grad = bool(isinstance(data, Tensor) and data.requires_grad)
    return t, requires_grad


class TVTensor(Tensor):
    """Base of the tv_tensors: a Tensor whose class says what it holds."""

    @classmethod
    def _wrap(cls, tensor, **meta):
        out = object.__new__(cls)
        out._data = tensor._data
        if tensor.requires_grad:
            out.requires_grad_(True)
        for k, v in meta.items():
            setattr(out, k, v)
        return out

    def _meta(self):
        return {}

    def as_subclass(self, cls):
        out = object.__new__(cls)
        out._data = self._data
        return out

    def clone(self, *args, **kwargs):
        return wrap(super().clone(*args, **kwargs), like=self)

    def to(self, *args, **kwargs):
        return wrap(super().to(*args, **kwargs), like=self)

    def detach(self):
        return wrap(super().detach(), like=self)

    def __reduce_ex__(self, protocol):
        return _rebuild, (type(self), self.as_subclass(Tensor), self._meta())

    def __deepcopy__(self, memo):
        return wrap(Tensor.__deepcopy__(self.as_subclass(Tensor), memo), like=self)

    def _repr_extra(self):
        return ""

    def __repr__(self, *, tensor_contents=None):
        text = Tensor.__repr__(self.as_subclass(Tensor))
        body = text[len("tensor("):-1]
        name = type(self).__name__
        body = body.replace("\n" + " " * len("tensor("), "\n" + " " * (len(name) + 1))
        return f"{name}({body}{self._repr_extra()})"


class Image(TVTensor):
    """An image tensor (..., C, H, W); a 2-D input gains a channel axis, a PIL image is
    read with ``pil_to_tensor``."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        from ..transforms.functional import _is_pil_image, pil_to_tensor
        if _is_pil_image(data):
            data = pil_to_tensor(data)
        tensor, rg = _as_tensor(data, dtype, device, requires_grad)
        if tensor.ndim < 2:
            raise ValueError(f"Image expects a tensor of at least 2 dimensions, got {tensor.ndim}")
        if tensor.ndim == 2:
            tensor = tensor.unsqueeze(0)
        out = cls._wrap(tensor.detach())
        return out.requires_grad_(rg) if rg else out

    def __init__(self, *args, **kwargs):
        pass


class Video(TVTensor):
    """A video tensor (..., T, C, H, W)."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        tensor, rg = _as_tensor(data, dtype, device, requires_grad)
        if tensor.ndim < 4:
            raise ValueError(f"Video expects a tensor of at least 4 dimensions, got {tensor.ndim}")
        out = cls._wrap(tensor.detach())
        return out.requires_grad_(rg) if rg else out

    def __init__(self, *args, **kwargs):
        pass


class Mask(TVTensor):
    """A segmentation / detection mask tensor (..., H, W)."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        from ..transforms.functional import _is_pil_image
        if _is_pil_image(data):
            data = numpy.array(data)
        tensor, rg = _as_tensor(data, dtype, device, requires_grad)
        out = cls._wrap(tensor.detach())
        return out.requires_grad_(rg) if rg else out

    def __init__(self, *args, **kwargs):
        pass


class BoundingBoxFormat(Enum):
    """Box coordinate formats: corners (XYXY), corner + size (XYWH), centre + size (CXCYWH)."""

    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"


class BoundingBoxes(TVTensor):
    """Boxes (N, 4) in ``format`` on an image of ``canvas_size`` = (height, width)."""

    def __new__(cls, data, *, format, canvas_size, dtype=None, device=None, requires_grad=None):
        tensor, rg = _as_tensor(data, dtype, device, requires_grad)
        if tensor.ndim == 1:
            tensor = tensor.unsqueeze(0)
        elif tensor.ndim != 2:
            raise ValueError(f"Expected a 1D or 2D tensor, got {tensor.ndim}D")
        if tensor.shape[-1] != 4:
            raise ValueError(f"Expected boxes with 4 coordinates, got shape {tuple(tensor.shape)}")
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        if not isinstance(format, BoundingBoxFormat):
            raise TypeError(f"format should be a BoundingBoxFormat or str, got {type(format)}")
        out = cls._wrap(tensor.detach(), format=format, canvas_size=tuple(int(s) for s in canvas_size))
        return out.requires_grad_(rg) if rg else out

    def __init__(self, *args, **kwargs):
        pass

    def _meta(self):
        return {"format": self.format, "canvas_size": self.canvas_size}

    def _repr_extra(self):
        return f", format={self.format}, canvas_size={self.canvas_size}"


def _rebuild(cls, tensor, meta):
    return cls._wrap(tensor, **meta)


def wrap(wrappee, *, like, **kwargs):
    """``wrappee`` as the tv_tensor type of ``like``, with its metadata (overridden by
    ``kwargs``, e.g. ``canvas_size=``)."""
    if not isinstance(like, TVTensor):
        return wrappee
    meta = dict(like._meta())
    meta.update(kwargs)
    return type(like)._wrap(wrappee, **meta)


def set_return_type(return_type):
    if return_type != "Tensor":
        raise NotImplementedError("ember.vision.tv_tensors.set_return_type: only 'Tensor' (the default) "
                                  "is supported")
