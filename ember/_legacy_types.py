"""The legacy tensor types: ``torch.FloatTensor``, ``torch.LongTensor`` ...

Calling one builds an ember Tensor of its dtype, as PyTorch's legacy constructors do:
sizes (``torch.FloatTensor(2, 3)``, uninitialised, here zeros) or data (a list, a NumPy
array, another tensor). ``isinstance(t, torch.FloatTensor)`` is True for float32 CPU
tensors, and ``t.type()`` names these types, as in PyTorch.
"""
from . import _dtype

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
           "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        from ._tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args, device=None):
        from ._tensor import Tensor
        from .ops.creation import tensor, zeros
        if not args:
            return zeros(0, dtype=cls.dtype, device=device)
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return zeros(args, dtype=cls.dtype, device=device)
        if len(args) == 1 and isinstance(args[0], tuple) and \
                all(isinstance(a, int) for a in args[0]) and type(args[0]).__name__ == "Size":
            return zeros(args[0], dtype=cls.dtype, device=device)
        if len(args) != 1:
            raise TypeError(f"{cls.__name__}() takes sizes or one sequence of data")
        data = args[0]
        if isinstance(data, Tensor):
            return data.to(cls.dtype)
        from ._storage import UntypedStorage, TypedStorage, set_
        if isinstance(data, (UntypedStorage, TypedStorage)):   # a tensor over the storage
            return set_(zeros(0, dtype=cls.dtype, device=device), data)
        return tensor(data, dtype=cls.dtype, device=device)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _make(name, dtype_name):
    return _LegacyMeta(name, (), {"dtype": getattr(_dtype, dtype_name), "__module__": "torch"})


FloatTensor = _make("FloatTensor", "float32")
DoubleTensor = _make("DoubleTensor", "float64")
HalfTensor = _make("HalfTensor", "float16")
BFloat16Tensor = _make("BFloat16Tensor", "bfloat16")
ByteTensor = _make("ByteTensor", "uint8")
CharTensor = _make("CharTensor", "int8")
ShortTensor = _make("ShortTensor", "int16")
IntTensor = _make("IntTensor", "int32")
LongTensor = _make("LongTensor", "int64")
BoolTensor = _make("BoolTensor", "bool")
