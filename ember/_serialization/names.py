"""What the global names in a checkpoint stand for in ember, and which ones are allowed.

PyTorch's names (``torch.FloatStorage``, ``torch.float32``, ``torch.Size`` ...) map to
ember's objects or to markers (:class:`StorageType`, :class:`ForeignDtype`); a few
builtins are wrapped so that data cannot turn them into memory bombs or codec lookups.
The rebuild functions themselves live on ``reader.Loader``: they need the storages of
one load. ``_user_globals`` holds what ``ember.serialization.add_safe_globals`` added.
"""
import pickle
from collections import Counter, OrderedDict

import numpy

from .._device import device as _Device
from .._dtype import _BY_NAME
from .._tensor import Tensor, Size

UnpicklingError = pickle.UnpicklingError

# -- what the names in a file stand for ------------------------------------------------

_STORAGE_DTYPES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_QUANTIZED_STORAGES = ("QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
                       "QUInt2x4Storage")
# the integer storage of each quantized dtype (QUInt2x4 is not an ember dtype: refused)
_QUANTIZED_STORAGE_NP = {"QInt8Storage": numpy.dtype(numpy.int8),
                         "QUInt8Storage": numpy.dtype(numpy.uint8),
                         "QInt32Storage": numpy.dtype(numpy.int32),
                         "QUInt4x2Storage": numpy.dtype(numpy.uint8)}


class StorageType:
    """What ``torch.FloatStorage`` / ``torch.storage.UntypedStorage`` resolve to."""

    __slots__ = ("name", "np")

    def __init__(self, name, np_dtype):
        self.name, self.np = name, np_dtype

    def __repr__(self):
        return f"StorageType(torch.{self.name})"


class ForeignDtype:
    """A PyTorch dtype ember does not have (``torch.uint16``, ``torch.float8_e4m3fn`` ...).

    Tensors of these dtypes are loaded converted to an ember dtype that holds every value
    exactly (uint16 -> int32, uint32/uint64 -> int64, float8 -> float32), with a warning.
    """

    __slots__ = ("name", "np", "target")

    def __init__(self, name, np_dtype, target):
        self.name, self.np, self.target = name, np_dtype, target

    def __repr__(self):
        return f"torch.{self.name}"


def _foreign_dtypes():
    import ml_dtypes        # here, not at import: ml_dtypes costs ~0.5 s (ember._dtype)
    out = {"uint16": (numpy.uint16, "int32"), "uint32": (numpy.uint32, "int64"),
           "uint64": (numpy.uint64, "int64")}
    for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                 "float8_e8m0fnu"):
        if hasattr(ml_dtypes, name):
            out[name] = (getattr(ml_dtypes, name), "float32")
    names = ["complex32", "chalf", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
             "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16"]
    names += [f"{p}int{i}" for p in ("", "u") for i in range(1, 8)]
    table = {name: ForeignDtype(name, numpy.dtype(np_t), _BY_NAME[target])
             for name, (np_t, target) in out.items()}
    table.update({name: ForeignDtype(name, None, None) for name in names})
    return table


class _TypeOnly:
    """A class the file may name (as a rebuild target) but not call."""

    __slots__ = ("cls",)

    def __init__(self, cls):
        self.cls = cls


def _safe_encode(obj, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes (Latin-1 text only)."""
    if type(obj) is not str or errors != "strict" or \
            str(encoding).lower().replace("-", "").replace("_", "") not in ("latin1", "utf8", "ascii"):
        raise UnpicklingError(f"_codecs.encode is only allowed on text with the latin1, "
                              f"utf-8 or ascii codec, not {encoding!r}")
    return obj.encode(encoding)


def _bytes_from(args, make):
    if not args:
        return make()
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray)):
        return make(args[0])
    if len(args) == 2 and type(args[0]) is str:
        return make(_safe_encode(args[0], args[1]))
    raise UnpicklingError(f"{make.__name__}() is only allowed from bytes or Latin-1 text")


def _layout_name(name):
    """``torch.serialization._get_layout``: the name is kept as a string, which
    ``_rebuild_sparse_tensor`` reads (torch.sparse_coo is the layout ember loads)."""
    if type(name) is not str:
        raise UnpicklingError("_get_layout expects a layout name")
    return name


def _static_table():
    from ..nn.parameter import Parameter
    t = {
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "builtins.set": set, "builtins.frozenset": frozenset, "builtins.complex": complex,
        "builtins.bytearray": lambda *a: _bytes_from(a, bytearray),
        "builtins.bytes": lambda *a: _bytes_from(a, bytes),
        "_codecs.encode": _safe_encode,
        "torch.serialization._get_layout": _layout_name,
        "torch.Size": Size, "torch.device": _Device,
        "torch.Tensor": _TypeOnly(Tensor), "torch.nn.parameter.Parameter": _TypeOnly(Parameter),
    }
    for name, d in _BY_NAME.items():
        t[f"torch.{name}"] = d
    for name, d in _foreign_dtypes().items():
        t[f"torch.{name}"] = d
    from .. import _qtensor     # quantized dtypes and schemes (torch.qint8, torch.per_...)
    for name, d in _qtensor._QDTYPES.items():
        t[f"torch.{name}"] = d
    for name, q in _qtensor._QSCHEMES.items():
        t[f"torch.{name}"] = q
    for module in ("torch", "torch.cuda"):
        for name, dt in _STORAGE_DTYPES.items():
            t[f"{module}.{name}"] = StorageType(name, _BY_NAME[dt].np)
        for name in _QUANTIZED_STORAGES:
            t[f"{module}.{name}"] = StorageType(name, _QUANTIZED_STORAGE_NP.get(name))
        t[f"{module}.UntypedStorage"] = StorageType("UntypedStorage", None)
    t["torch.storage.UntypedStorage"] = t["torch.UntypedStorage"]
    return t


_TABLE = []
_REBUILDS = {"_rebuild_tensor": "torch._utils", "_rebuild_tensor_v2": "torch._utils",
             "_rebuild_tensor_v3": "torch._utils", "_rebuild_parameter": "torch._utils",
             "_rebuild_parameter_with_state": "torch._utils",
             "_rebuild_from_type_v2": "torch._tensor", "_rebuild_qtensor": "torch._utils",
             "_rebuild_sparse_tensor": "torch._utils"}


_UNSUPPORTED_REBUILDS = {
    "_rebuild_nested_tensor": "nested tensors",
    "_rebuild_meta_tensor_no_storage": "meta tensors",
    "_rebuild_wrapper_subclass": "tensor subclasses without storage",
    "_rebuild_device_tensor_from_numpy": "tensors of a device ember does not have",
    "_rebuild_device_tensor_from_cpu_tensor": "tensors of a device ember does not have",
}


def static_table():
    if not _TABLE:
        _TABLE.append(_static_table())
    return _TABLE[0]


# -- globals the user allowed (ember.serialization.add_safe_globals) --------------------
_user_globals = []
_BLOCKED_MODULES = frozenset({"sys", "os", "posix", "nt", "subprocess", "shutil", "runpy",
                              "importlib", "pty", "socket"})
_BLOCKED_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "getattr", "setattr",
                               "delattr", "open", "breakpoint", "globals", "locals", "vars",
                               "input", "exit", "quit", "help"})


def user_table():
    out = {}
    for g in _user_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj, name = g, f"{g.__module__}.{g.__qualname__}"
        out[name] = obj
    return out


def is_blocked(module, name):
    return module.split(".")[0] in _BLOCKED_MODULES or (module == "builtins" and
                                                          name in _BLOCKED_BUILTINS)
