"""Writing a checkpoint in PyTorch's zip format.

The object is pickled with protocol 2 (the only protocol PyTorch's ``weights_only``
reader accepts) by a pickler that writes ember objects as ``torch.save`` writes theirs:

- a Tensor: ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
  requires_grad, OrderedDict())``; offset and strides are counted in elements;
- a Parameter: ``torch._utils._rebuild_parameter(<tensor>, requires_grad, OrderedDict())``;
- a storage: the persistent id ``('storage', torch.<Type>Storage, key, location, numel)``,
  its bytes in the record ``data/<key>``; a dtype without a legacy storage class would be
  written with ``_rebuild_tensor_v3`` and ``torch.storage.UntypedStorage`` (numel in bytes);
- dtypes, devices and sizes as the globals ``torch.float32``, ``torch.device``, ``torch.Size``.

Storage sharing follows NumPy's memory: tensors whose arrays are views of one base array
(views, tied weights) reference one storage record, as in PyTorch, and the whole base
array is written even when only a slice of it is saved (``torch.save`` does the same).
A tensor whose memory cannot be described as (offset, strides) of its base (negative
strides, a non-contiguous base) is written as a contiguous copy of its own.
"""
import codecs
import io
import pickle
import sys
import zlib
from collections import OrderedDict

import numpy

from .. import backend
from .._dtype import dtype as _EmberDtype
from .._qtensor import _QDtype, qscheme as _QScheme
from .._device import device as _EmberDevice
from .._tensor import Tensor, Size, _make
from .container import ZipWriter

# torch's legacy storage class for each dtype; others would use UntypedStorage and v3.
STORAGE_NAMES = {
    "float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
    "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}
FILE_FORMAT_VERSION = b"3\n"      # what torch 2.x writes in <archive>/version


class TorchGlobal:
    """A name written as a pickle GLOBAL (``torch._utils _rebuild_tensor_v2``), so that the
    file refers to PyTorch's objects without PyTorch being imported here."""

    __slots__ = ("module", "name")
    _cache = {}

    def __new__(cls, module, name):
        key = (module, name)
        obj = cls._cache.get(key)
        if obj is None:
            obj = cls._cache[key] = object.__new__(cls)
            obj.module, obj.name = module, name
        return obj

    def __call__(self, *args):    # pickle's save_reduce wants a callable; never called
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints")


_REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_V3 = TorchGlobal("torch._utils", "_rebuild_tensor_v3")
_REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
_REBUILD_QTENSOR = TorchGlobal("torch._utils", "_rebuild_qtensor")
_REBUILD_SPARSE = TorchGlobal("torch._utils", "_rebuild_sparse_tensor")
_GET_LAYOUT = TorchGlobal("torch.serialization", "_get_layout")
_SIZE = TorchGlobal("torch", "Size")
_DEVICE = TorchGlobal("torch", "device")
_UNTYPED = TorchGlobal("torch.storage", "UntypedStorage")


class _LayoutRef:
    """A layout written as torch writes it: ``torch.serialization._get_layout(name)``."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class _StorageRef:
    """Stands for one storage inside the pickle; its persistent id names the record."""

    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


def _root(arr):
    """The array that owns the memory ``arr`` views (following NumPy's ``base`` chain,
    including the helper object ``as_strided`` leaves in between)."""
    while True:
        b = arr.base
        if backend.is_array(b):
            arr = b
            continue
        inner = getattr(b, "base", None)
        if b is not None and not isinstance(b, (bytes, bytearray, memoryview)) \
                and backend.is_array(inner):
            arr = inner
            continue
        return arr


def _address(arr):
    return _make(arr).data_ptr()


def _contiguous_strides(shape):
    strides, step = [], 1
    for s in reversed(shape):
        strides.append(step)
        step *= max(s, 1)
    return tuple(reversed(strides))


class _Storages:
    """Assigns storage keys ("0", "1", ...) to memory blocks in order of first use."""

    def __init__(self):
        self.records = []          # (key, host uint8 array) in key order
        self._by_root = {}         # (id(root), np dtype) -> (_StorageRef, root)

    def describe(self, arr, storage_name=None):
        """(storage ref, offset, strides) for array ``arr``, all counted in elements;
        ``storage_name`` overrides the storage type (quantized tensors' QInt8Storage ...)."""
        item = arr.itemsize
        root = _root(arr)
        flat = None
        if arr.size and (root.flags.c_contiguous or root.flags.f_contiguous) \
                and root.nbytes % item == 0 and all(s >= 0 and s % item == 0 for s in arr.strides):
            delta = _address(arr) - _address(root)
            extent = sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) + item
            if delta >= 0 and delta % item == 0 and delta + extent <= root.nbytes:
                flat = root
        if flat is None:          # a contiguous copy of its own
            copy = backend.get_array_module(arr).ascontiguousarray(arr)
            ref = self._new(copy, arr.dtype, copy.size, storage_name)
            return ref, 0, _contiguous_strides(arr.shape)
        key = (id(root), arr.dtype, storage_name)
        hit = self._by_root.get(key)
        if hit is None:
            ref = self._new(root, arr.dtype, root.nbytes // item, storage_name)
            self._by_root[key] = (ref, root)     # keeps root alive: ids stay unique
        else:
            ref = hit[0]
        return ref, delta // item, tuple(s // item for s in arr.strides)

    def _new(self, root, np_dtype, numel, storage_name=None):
        key = str(len(self.records))
        host = backend.to_host(root)
        raw = host.ravel(order="K").view(numpy.uint8) if host.size else numpy.empty(0, numpy.uint8)
        location = "cpu" if backend.device_type_of(root) == "cpu" else str(_make(root).device)
        name = storage_name or STORAGE_NAMES.get(_dtype_name(np_dtype))
        if name is None:
            pid = ("storage", _UNTYPED, key, location, raw.nbytes)
        else:
            pid = ("storage", TorchGlobal("torch", name), key, location, numel)
        self.records.append((key, raw))
        return _StorageRef(pid)


def _dtype_name(np_dtype):
    from .._dtype import NP_TO_DTYPE
    d = NP_TO_DTYPE.get(np_dtype)
    return d.name if d is not None else np_dtype.name


class TorchPickler(pickle._Pickler):
    """Pure-Python pickler (it can write GLOBALs of modules that are not importable)."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self.storages = storages

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        t = type(obj)
        if t is Size:
            return (_SIZE, (tuple(obj),))
        if t is _LayoutRef:
            return (_GET_LAYOUT, (obj.name,))
        if t is _EmberDevice:
            return (_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def _reduce_tensor(self, t):
        from ..nn.parameter import Parameter
        from .._qtensor import QTensor
        if type(t) is QTensor:
            return self._reduce_qtensor(t)
        if hasattr(type(t._data), "compressed"):
            # torch's record: (layout, (compressed_indices, plain_indices, values, size))
            c = t._data
            return (_REBUILD_SPARSE, (_LayoutRef("torch." + c.layout.name), (
                _make(c.compressed), _make(c.plain), _make(c.values), Size(c.shape))))
        if t.is_sparse:
            # torch's record: (layout, (indices, values, size, is_coalesced))
            c = t._data
            return (_REBUILD_SPARSE, (_LayoutRef("torch.sparse_coo"), (
                _make(c.indices), _make(c.values), Size(c.shape), c.coalesced)))
        if isinstance(t, Parameter):
            return (_REBUILD_PARAMETER, (_make(t._data), t.requires_grad, OrderedDict()))
        arr = t._data
        ref, offset, strides = self.storages.describe(arr)
        args = (ref, offset, Size(arr.shape), strides, t.requires_grad, OrderedDict())
        if ref.pid[1] is _UNTYPED:
            return (_REBUILD_V3, args + (t.dtype,))
        return (_REBUILD_V2, args)

    def _reduce_qtensor(self, t):
        """torch's ``_rebuild_qtensor`` record: the integers in a QInt8/QUInt8/QInt32
        storage and (qscheme, scale, zero_point) or (qscheme, scales, zero_points, axis)."""
        from .. import _qtensor as q
        arr = t._int
        name = {q.qint8: "QInt8Storage", q.quint8: "QUInt8Storage", q.qint32: "QInt32Storage",
                q.quint4x2: "QUInt4x2Storage"}[t.dtype]
        ref, offset, strides = self.storages.describe(arr, storage_name=name)
        if t._qscheme is q.per_tensor_affine:
            params = (t._qscheme, t._scale, t._zero_point)
        else:
            params = (q.per_channel_affine if t._qscheme is q.per_channel_affine else t._qscheme,
                      _make(t._scales), _make(t._zero_points), t._axis)
        return (_REBUILD_QTENSOR, (ref, offset, Size(arr.shape), strides, params, False,
                                   OrderedDict()))

    def save_qscheme(self, obj):
        self.save(TorchGlobal("torch", obj.name))

    def save_torch_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    def save_dtype(self, obj):
        self.save(TorchGlobal("torch", obj.name))

    def save_bytes(self, obj):
        # Protocol 2 writes b"" as builtins.bytes(), a global PyTorch's weights_only
        # reader refuses; write it as _codecs.encode("", "latin1") like other bytes.
        if self.proto < 3 and not obj:
            self.save_reduce(codecs.encode, ("", "latin1"), obj=obj)
        else:
            pickle._Pickler.save_bytes(self, obj)

    dispatch[TorchGlobal] = save_torch_global
    dispatch[bytes] = save_bytes
    dispatch[_EmberDtype] = save_dtype
    dispatch[_QDtype] = save_dtype
    dispatch[_QScheme] = save_qscheme


def _serialization_id(entries):
    """A 40-digit id from the record names and CRCs, so equal checkpoints are equal bytes
    (PyTorch derives its id from the same two things)."""
    names, crcs = 0, 0
    for name_b, crc, _, _ in entries:
        names = zlib.crc32(name_b, names)
        crcs = zlib.crc32(crc.to_bytes(4, "little"), crcs)
    return f"{names:020d}{crcs:020d}".encode()


def write_checkpoint(obj, file, archive_name, protocol=2):
    """Pickle ``obj`` (before anything is written) and write the archive to ``file``."""
    storages = _Storages()
    buf = io.BytesIO()
    TorchPickler(buf, protocol, storages).dump(obj)
    records = [("data.pkl", buf.getvalue()), (".format_version", b"1"),
               (".storage_alignment", b"64"), ("byteorder", sys.byteorder.encode())]
    records += [(f"data/{key}", raw) for key, raw in storages.records]
    records.append(("version", FILE_FORMAT_VERSION))
    writer = ZipWriter(file)
    for name, data in records:
        writer.write_record(f"{archive_name}/{name}", data)
    writer.write_record(f"{archive_name}/.data/serialization_id",
                        _serialization_id(writer.entries))
    writer.close()
