"""Dtype and device conversions: ``Tensor.to`` (dtype, device, another tensor's), the
casting methods (``float()``, ``half()``, ``long()`` ...), ``cpu``/``cuda``, ``type_as``
and ``clone``, as PyTorch's. The differentiable dtype cast itself (``ToCopy``) is
``ember._convert``, below autograd, since type promotion at the choke point needs it.
"""
from .. import backend
from .._convert import to_dtype as _to_dtype
from .._dtype import QUANTIZED, to_dtype
from .._tensor import Tensor
from ..autograd.function import ArrayFunction


def to(self, *args, **kwargs):
    """``Tensor.to(dtype)``, ``.to(device)``, ``.to(device, dtype)``, ``.to(other)``."""
    from .. import _device
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    non_blocking = bool(kwargs.pop("non_blocking", False))
    memory_format = kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, bool):    # .to(device, dtype, non_blocking, copy) by position
            non_blocking = a
        elif isinstance(a, (str, _device.device, int)) and not _is_dtype_like(a):
            device = a
        elif a is not None:
            dtype = to_dtype(a)
    out = self
    if dtype is not None:
        dtype = to_dtype(dtype)
        if dtype in QUANTIZED:
            from .creation import _refuse_quantized
            _refuse_quantized(dtype)
        if dtype.np != self._data.dtype:
            out = _to_dtype(self, dtype)
    if device is not None:
        device = _device.as_device(device)
        here = self.device
        if device.type != here.type or (device.index is not None and here.type == "cuda"
                                        and device.index != here.index):
            _device.check_available(device)
            out = ToDevice.apply(out, device_type=device.type, index=device.index,
                                 non_blocking=non_blocking)
    if copy and out is self:
        out = clone_tensor(self)
    if memory_format is not None:
        from .. import _formats
        _formats.check_memory_format(memory_format, "to")
        out = _formats.to_memory_format(out, memory_format)
    return out


def _is_dtype_like(a):
    if isinstance(a, str):
        try:
            to_dtype(a)
            return True
        except TypeError:
            return False
    return False


class ToDevice(ArrayFunction):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, device_type="cpu", index=None, non_blocking=False):
        ctx.src = backend.device_type_of(x)
        ctx.src_index = backend.cuda_index(x) if ctx.src == "cuda" else None
        return backend.to_device(x, device_type, index, non_blocking)

    @staticmethod
    def backward(ctx, g):
        return ToDevice.apply(g, device_type=ctx.src, index=ctx.src_index)


class Clone(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone_tensor(input, *, memory_format=None):
    """``torch.clone``: a C-contiguous copy; ``memory_format=channels_last`` (or
    ``preserve_format`` of a channels-last tensor) lays the copy out NHWC, as PyTorch."""
    out = Clone.apply(input)
    if memory_format is not None:
        from .. import _formats
        _formats.check_memory_format(memory_format, "clone")
        if memory_format is _formats.preserve_format:
            for fmt in (_formats.channels_last, _formats.channels_last_3d):
                if input._data.ndim in (4, 5) and not input._data.flags.c_contiguous and \
                        _formats.is_contiguous_as(input, fmt):
                    return _formats.to_memory_format(out, fmt)
            return out
        return _formats.to_memory_format(out, memory_format)
    return out


def _caster(name):
    def method(self, memory_format=None):
        return to(self, to_dtype(name))
    method.__name__ = name
    return method


float_ = _caster("float32")
double = _caster("float64")
half = _caster("float16")
bfloat16 = _caster("bfloat16")
long = _caster("int64")
int_ = _caster("int32")
short = _caster("int16")
char = _caster("int8")
byte = _caster("uint8")
bool_ = _caster("bool")
cfloat = _caster("complex64")
cdouble = _caster("complex128")


def cpu(self, memory_format=None):
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """``Tensor.cuda``: to the current CUDA device (or ``device``: an ordinal, 'cuda:N')."""
    if isinstance(device, int):
        device = f"cuda:{device}"
    return to(self, "cuda" if device is None else device, non_blocking=non_blocking)


def pin_memory(self, device=None):
    """``Tensor.pin_memory``: a copy in page-locked host memory (CuPy's pinned memory), so
    ``.to('cuda', non_blocking=True)`` copies asynchronously; PyTorch's RuntimeError
    without a GPU. Already pinned: the tensor itself. Not recorded by autograd's graph
    differently from a copy (the gradient flows through, as PyTorch's)."""
    if backend.device_type_of(self._data) != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if backend.is_pinned(self._data):
        return self
    return PinMemory.apply(self)


def get_device(self):
    """``Tensor.get_device``: the CUDA ordinal, or -1 for a CPU tensor."""
    return backend.cuda_index(self._data) if backend.device_type_of(self._data) == "cuda" else -1


def is_pinned(self, device=None):
    """``Tensor.is_pinned``: whether the data lies in page-locked host memory."""
    return backend.is_pinned(self._data)


class PinMemory(ArrayFunction):
    node_name = "PinMemoryBackward0"

    @staticmethod
    def forward(ctx, x):
        return backend.pin(x)

    @staticmethod
    def backward(ctx, g):
        return g


def type_as(self, other):
    return to(self, other.dtype)
