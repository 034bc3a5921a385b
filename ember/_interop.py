"""Tensors over foreign memory: ``torch.frombuffer`` (Python's buffer protocol) and DLPack
(``torch.from_dlpack``, ``Tensor.__dlpack__``, ``Tensor.__dlpack_device__``), through
NumPy's (CuPy's on GPUs) own DLPack support (NumPy >= 1.22; the versioned protocol with
``max_version``/``copy`` from NumPy 2.1). No copies: the result shares the memory."""
import warnings

import numpy

from . import backend
from ._dtype import to_dtype

__all__ = ["frombuffer", "from_dlpack"]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """``torch.frombuffer``: a 1-D tensor viewing ``buffer``'s bytes (not copied); a
    read-only buffer gives a read-only tensor, with PyTorch's warning."""
    from ._tensor import _make
    d = to_dtype(dtype)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(f"object of type {type(buffer).__name__} does not support the buffer "
                        "protocol") from None
    length = view.nbytes
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    item = d.itemsize
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors. This means you can write to the underlying "
                      "(supposedly non-writable) buffer using the tensor. You may want to copy "
                      "the buffer to protect its data or make it writable before converting it "
                      "to a tensor. This type of warning will be suppressed for the rest of "
                      "this program.", UserWarning, stacklevel=2)
    arr = numpy.frombuffer(buffer, dtype=d.np, count=count, offset=offset)
    t = _make(arr)
    return t.requires_grad_(True) if requires_grad else t


def from_dlpack(ext_tensor):
    """``torch.from_dlpack``: a tensor sharing the memory of any object with ``__dlpack__``
    (a torch tensor, a NumPy or CuPy array, a JAX array ...) or of a DLPack capsule."""
    from ._tensor import Tensor, _make
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if hasattr(ext_tensor, "__dlpack_device__"):
        dev_type = int(ext_tensor.__dlpack_device__()[0])
        xp = backend.namespace_for("cuda" if dev_type in (2, 3, 13) else "cpu")
        if dev_type not in (1, 2, 3, 13):
            raise RuntimeError(f"from_dlpack: unsupported DLPack device type {dev_type}")
        return _make(xp.from_dlpack(ext_tensor))
    if type(ext_tensor).__name__ == "PyCapsule":
        raise NotImplementedError("ember.from_dlpack: raw DLPack capsules are not supported; "
                                  "pass the producing object (it has __dlpack__)")
    raise TypeError(f"from_dlpack(): expected an object with __dlpack__, got "
                    f"{type(ext_tensor).__name__}")


def dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """``Tensor.__dlpack__``: export the memory as a DLPack capsule (no copy)."""
    if self._rg:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs = {}
    if stream is not None:
        kwargs["stream"] = stream
    if max_version is not None:
        kwargs["max_version"] = max_version
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    if copy is not None:
        kwargs["copy"] = copy
    data = self._data
    if isinstance(data, numpy.ndarray) and not data.flags.writeable:
        data = data.view()
    return data.__dlpack__(**kwargs)


def dlpack_device(self):
    """``Tensor.__dlpack_device__``: (device type, index): (1, 0) on CPU, (2, i) on CUDA."""
    t = self.device
    return (_DLDeviceType(1) if t.type == "cpu" else _DLDeviceType(2), t.index or 0)


class _DLDeviceType(int):
    def __repr__(self):
        return {1: "<DLDeviceType.kDLCPU: 1>", 2: "<DLDeviceType.kDLCUDA: 2>"}.get(
            int(self), str(int(self)))
