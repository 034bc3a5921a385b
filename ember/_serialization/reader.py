"""Reading zip checkpoints: storages, ``map_location``, tensor rebuilding, unpickling.

A file refers to PyTorch's objects by name (``torch._utils._rebuild_tensor_v2``,
``torch.FloatStorage``, ``torch.float32`` ...). Both unpicklers resolve those names
through one table (``names.py`` plus the rebuild methods of :class:`Loader`) to ember's
counterparts; the restricted one (``weights_only=True``, :class:`SafePolicy`) resolves
*only* those names and what the user allowed with ``add_safe_globals``, and calls only
those objects.

Every tensor is rebuilt as a NumPy (or CuPy) view of its storage's array, after checking
that its offset, sizes and strides stay inside the storage: tensors that shared a storage
in the file share memory after loading, and a crafted file cannot make ember read memory
that is not the storage's.
"""
import io
import pickle
import struct
import sys
import warnings
from collections import Counter, OrderedDict

import _compat_pickle
import numpy

from .. import backend
from .._device import device as _Device, as_device
from .._dtype import NP_TO_DTYPE
from .._tensor import Tensor, _make, _new
from . import CheckpointError
from .names import (ForeignDtype, StorageType, _REBUILDS, _UNSUPPORTED_REBUILDS, _TypeOnly,
                    is_blocked, static_table, user_table)
from .restricted import CorruptPickle, RestrictedUnpickler
from .torch_names import is_torch_name, resolve as resolve_torch_name

UnpicklingError = pickle.UnpicklingError

# -- storages and map_location ------------------------------------------------------------

class Storage:
    """One storage record: a 1-D uint8 array on its target device, viewed per dtype."""

    __slots__ = ("data", "key", "views")

    def __init__(self, data, key):
        self.data, self.key, self.views = data, key, {}

    def typed(self, np_dtype, label):
        view = self.views.get(np_dtype)
        if view is None:
            if self.data.nbytes % np_dtype.itemsize:
                raise CheckpointError(f"{label} is corrupt: storage '{self.key}' holds "
                                      f"{self.data.nbytes} bytes, not a whole number of "
                                      f"{np_dtype} elements")
            view = self.views[np_dtype] = self.data.view(np_dtype)
        return view


def _move(arr, location, label):
    dev = location.split(":", 1)[0]
    if dev == "cpu":
        return arr
    if dev == "cuda":
        if not backend.cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "ember.cuda.is_available() is False. If you are running on a CPU-only "
                "machine, please use ember.load with map_location=ember.device('cpu') to "
                f"map your storages to the CPU. (file: {label})")
        return _make(arr).to(location)._data
    raise CheckpointError(f"don't know how to restore data location of a storage in {label} "
                          f"(tagged with {location})")


def restore_function(map_location, label):
    """``map_location`` as PyTorch accepts it -> ``f(host_uint8_array, location) -> array``."""
    if map_location is None:
        return lambda arr, loc: _move(arr, loc, label)
    if isinstance(map_location, dict):
        table = {str(k): str(v) for k, v in map_location.items()}
        return lambda arr, loc: _move(arr, table.get(loc, loc), label)
    if isinstance(map_location, (str, _Device)):
        target = str(as_device(map_location))
        return lambda arr, loc: _move(arr, target, label)
    if callable(map_location):
        def call(arr, loc):
            out = map_location(_make(arr), loc)
            if out is None:
                return _move(arr, loc, label)
            if not isinstance(out, Tensor) or out._data.dtype != numpy.uint8 or \
                    out._data.shape != arr.shape:
                raise TypeError("a map_location function must return None or the storage it "
                                "was given (a 1-D uint8 ember Tensor), possibly moved with "
                                f".to(device); got {type(out).__name__}")
            return out._data
        return call
    raise TypeError(f"map_location must be None, a string, an ember.device, a dict or a "
                    f"callable, not {type(map_location).__name__}")


# -- rebuilding tensors -------------------------------------------------------------------

def _int_tuple(value, what, label):
    if not isinstance(value, (tuple, list)) or not all(type(v) in (int, bool) for v in value):
        raise CheckpointError(f"{label} is corrupt: tensor {what} must be a tuple of ints, "
                              f"got {value!r:.80}")
    return tuple(int(v) for v in value)


def set_tensor_state(t, state, loader):
    """Attributes PyTorch pickled with a tensor (``t.my_attr = 5``). Names that are ember
    attributes of the class (``grad``, ``_data`` ...) are skipped with a warning."""
    if state is None:
        return
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    for part in (state, slots):
        if not part:
            continue
        if not isinstance(part, dict):
            raise loader.corrupt("tensor state must be a dict")
        for key, value in part.items():
            if type(key) is not str or key.startswith("__") or hasattr(type(t), key) \
                    or key in ("_data", "_rg", "_vc", "_base", "_hooks"):
                loader.warnings.append(f"ember.load: ignored the tensor attribute {key!r} "
                                       f"stored in {loader.label}")
                continue
            setattr(t, key, value)


class Loader:
    """Everything one ``ember.load`` call shares: storages, map_location, rebuilds."""

    def __init__(self, label, map_location, read_storage, byteorder=sys.byteorder):
        self.label = label
        self.restore = restore_function(map_location, label)
        self.read_storage = read_storage
        self.swap = byteorder != sys.byteorder
        self.storages = {}
        self.warnings = []      # issued once the load has finished
        self.call = lambda func, args: func(*args)   # replaced by the restricted policy

    def corrupt(self, what):
        return CheckpointError(f"{self.label} is corrupt: {what}")

    def persistent_load(self, pid):
        if type(pid) is not tuple or len(pid) not in (5, 6):
            raise UnpicklingError(f"{self.label}: only storages may be loaded by persistent "
                                  f"id, got {pid!r:.100}")
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind != "storage":
            raise UnpicklingError(f"{self.label}: only storages may be loaded by persistent "
                                  f"id, got a {kind!r} record")
        stype, key, location, numel = pid[1:5]
        if type(stype) is not StorageType:
            raise self.corrupt(f"bad storage type {stype!r:.80}")
        if stype.np is None and stype.name != "UntypedStorage":
            raise NotImplementedError(f"{self.label} holds quantized tensors of storage "
                                      f"torch.{stype.name}, which ember does not have")
        if type(numel) is not int or numel < 0 or type(key) not in (str, int):
            raise self.corrupt(f"bad storage record {pid!r:.100}")
        key = str(key)
        location = location.decode("ascii") if isinstance(location, bytes) else str(location)
        item = 1 if stype.np is None else stype.np.itemsize
        storage = self.storages.get(key)
        if storage is None:
            raw = self.read_storage(key, numel * item)
            if self.swap and item > 1:
                raw.view(stype.np).byteswap(inplace=True)
            storage = self.storages[key] = Storage(self.restore(raw, location), key)
        elif storage.data.nbytes != numel * item:
            raise self.corrupt(f"storage '{key}' is referenced with two different sizes")
        if len(pid) == 6 and pid[5] is not None:      # legacy storage views
            view_key, offset, size = pid[5]
            view_key = str(view_key)
            if view_key not in self.storages:
                if not (type(offset) is int and type(size) is int and 0 <= offset and
                        (offset + size) * item <= storage.data.nbytes and size >= 0):
                    raise self.corrupt(f"storage view {pid[5]!r} lies outside its storage")
                self.storages[view_key] = Storage(
                    storage.data[offset * item:(offset + size) * item], view_key)
            storage = self.storages[view_key]
        return (storage, stype.np)

    # The functions a checkpoint names as torch._utils._rebuild_*; storage arguments are
    # the (Storage, numpy dtype or None) pairs persistent_load returns.
    def tensor_from_storage(self, storage, offset, size, stride, np_dtype=None):
        if type(storage) is not tuple or len(storage) != 2 or type(storage[0]) is not Storage:
            raise self.corrupt("a tensor's storage argument is not a storage record")
        st, storage_dtype = storage
        np_dtype = storage_dtype if np_dtype is None else np_dtype
        if np_dtype is None:
            raise self.corrupt("an untyped storage is used without a dtype")
        size = _int_tuple(size, "sizes", self.label)
        stride = _int_tuple(stride, "strides", self.label)
        if type(offset) not in (int, bool) or len(size) != len(stride):
            raise self.corrupt(f"bad tensor geometry: offset {offset!r:.40}, size {size}, "
                               f"stride {stride}")
        typed = st.typed(np_dtype, self.label)
        n = typed.shape[0]
        if any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
            raise self.corrupt(f"negative size, stride or offset (size {size}, stride {stride}, "
                               f"offset {offset})")
        numel = 1
        for s in size:
            numel *= s
        xp = backend.get_array_module(typed)
        if numel == 0:
            return _make(xp.empty(size, np_dtype))
        last = offset + sum((s - 1) * d for s, d in zip(size, stride))
        if last >= n:
            raise self.corrupt(f"a tensor of size {list(size)}, stride {list(stride)} and "
                               f"offset {offset} reaches element {last} of a storage of {n} "
                               "elements")
        item = np_dtype.itemsize
        strides = tuple((d if s > 1 or d <= n else 0) * item for s, d in zip(size, stride))
        arr = backend.as_strided(typed[offset:], size, strides)
        if any(s > 1 and d == 0 for s, d in zip(size, stride)) and \
                isinstance(arr, numpy.ndarray):
            arr.flags.writeable = False     # an expanded tensor, read-only like ember's expand
        return _make(arr)

    def _finish(self, t, requires_grad, metadata):
        if metadata:
            if not isinstance(metadata, dict) or set(metadata) - {"conj", "neg"}:
                raise NotImplementedError(f"{self.label}: unsupported tensor metadata "
                                          f"{metadata!r:.80}")
            data = t._data
            if metadata.get("conj"):
                data = data.conj()
            if metadata.get("neg"):
                data = -data
            t = _make(data)
        if requires_grad:
            t.requires_grad = True
        return t

    def _rebuild_sparse_tensor(self, layout, data):
        """torch's sparse record: ``(layout, (indices, values, size[, is_coalesced]))`` for
        COO, ``(layout, (compressed_indices, plain_indices, values, size))`` for
        CSR/CSC/BSR/BSC (their invariants are checked, as torch.load does)."""
        if layout in ("torch.sparse_csr", "torch.sparse_csc", "torch.sparse_bsr",
                      "torch.sparse_bsc"):
            if type(data) is not tuple or len(data) != 4 or \
                    not all(isinstance(x, Tensor) for x in data[:3]):
                raise self.corrupt(f"bad {layout} tensor record")
            from .. import _layout
            from ..ops.sparse_compressed import sparse_compressed_tensor
            return sparse_compressed_tensor(data[0], data[1], data[2], tuple(data[3]),
                                            layout=getattr(_layout, layout[6:]))
        if layout != "torch.sparse_coo":
            raise NotImplementedError(f"{self.label} holds a {layout} tensor; ember loads "
                                      "sparse COO and compressed tensors only")
        if type(data) is not tuple or len(data) not in (3, 4) or \
                not all(isinstance(x, Tensor) for x in data[:2]):
            raise self.corrupt("bad sparse COO tensor record")
        from ..ops.sparse_coo import sparse_coo_tensor
        coalesced = bool(data[3]) if len(data) == 4 else None
        return sparse_coo_tensor(data[0], data[1], tuple(data[2]), is_coalesced=coalesced)

    def _rebuild_qtensor(self, storage, storage_offset, size, stride, quantizer_params,
                         requires_grad, backward_hooks):
        """torch's quantized tensor record: integer storage + (qscheme, qparams...)."""
        from .. import _qtensor as q
        ints = self.tensor_from_storage(storage, storage_offset, size, stride)._data
        if type(quantizer_params) is not tuple or not quantizer_params or \
                not isinstance(quantizer_params[0], q.qscheme):
            raise self.corrupt("bad quantizer parameters of a quantized tensor")
        scheme = quantizer_params[0]
        qdtype = {"QInt8Storage": q.qint8, "QUInt8Storage": q.quint8,
                  "QInt32Storage": q.qint32, "QUInt4x2Storage": q.quint4x2}.get(
                      getattr(storage[0], "stype_name", ""), None)
        if qdtype is None:
            qdtype = {numpy.dtype(numpy.int8): q.qint8, numpy.dtype(numpy.uint8): q.quint8,
                      numpy.dtype(numpy.int32): q.qint32}[ints.dtype]
        ints = numpy.ascontiguousarray(ints)
        if scheme is q.per_tensor_affine:
            _, scale, zero_point = quantizer_params
            return q._new_qtensor(ints, qdtype, scheme, float(scale), int(zero_point), None,
                                  None, None)
        if scheme in (q.per_channel_affine, q.per_channel_affine_float_qparams):
            _, scales, zero_points, axis = quantizer_params
            zp = numpy.asarray(zero_points._data)
            if zp.dtype.kind == "f":
                scheme = q.per_channel_affine_float_qparams
            return q._new_qtensor(ints, qdtype, scheme, None, None,
                                  numpy.asarray(scales._data, numpy.float64).copy(),
                                  zp.copy(), int(axis))
        raise NotImplementedError(f"{self.label}: quantization scheme {scheme!r}")

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        return self.tensor_from_storage(storage, storage_offset, size, stride)

    def _rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad,
                           backward_hooks, metadata=None):
        t = self.tensor_from_storage(storage, storage_offset, size, stride)
        return self._finish(t, requires_grad, metadata)

    def _rebuild_tensor_v3(self, storage, storage_offset, size, stride, requires_grad,
                           backward_hooks, dtype, metadata=None):
        if isinstance(dtype, ForeignDtype):
            if dtype.target is None:
                raise NotImplementedError(f"{self.label} holds a tensor of dtype torch."
                                          f"{dtype.name}, which ember does not have")
            t = self.tensor_from_storage(storage, storage_offset, size, stride, dtype.np)
            data = t._data
            if dtype.name == "uint64" and data.size and data.max() > numpy.iinfo(numpy.int64).max:
                raise NotImplementedError(f"{self.label} holds a torch.uint64 tensor with values "
                                          "beyond int64; ember has no uint64 dtype")
            note = (f"ember has no dtype torch.{dtype.name}: tensors of that dtype in "
                    f"{self.label} are loaded as {dtype.target} (same values)")
            if note not in self.warnings:
                self.warnings.append(note)
            t = _make(data.astype(dtype.target.np))
        else:
            if getattr(dtype, "np", None) is None or NP_TO_DTYPE.get(dtype.np) is not dtype:
                raise self.corrupt(f"bad dtype {dtype!r:.40} for a tensor")
            t = self.tensor_from_storage(storage, storage_offset, size, stride, dtype.np)
        return self._finish(t, requires_grad, metadata)

    def _rebuild_parameter(self, data, requires_grad, backward_hooks):
        from ..nn.parameter import Parameter
        if not isinstance(data, Tensor):
            raise self.corrupt("a Parameter's data is not a tensor")
        return Parameter(data, bool(requires_grad))

    def _rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        p = self._rebuild_parameter(data, requires_grad, backward_hooks)
        set_tensor_state(p, state, self)
        return p

    def _rebuild_from_type_v2(self, func, new_type, args, state):
        from ..nn.parameter import Parameter
        if type(args) is not tuple:
            raise self.corrupt("bad arguments for _rebuild_from_type_v2")
        cls = new_type.cls if isinstance(new_type, _TypeOnly) else new_type
        if not (isinstance(cls, type) and issubclass(cls, Tensor)):
            raise UnpicklingError(f"{self.label}: cannot rebuild a tensor as {cls!r:.80}")
        t = self.call(func, args)
        if not isinstance(t, Tensor):
            raise self.corrupt("_rebuild_from_type_v2 did not produce a tensor")
        if type(t) is not cls:
            if cls is Parameter:
                t = Parameter(t, t.requires_grad)
            else:
                out = _new(cls)
                out._data = t._data
                if t.requires_grad:
                    out.requires_grad = True
                t = out
        set_tensor_state(t, state, self)
        return t

    def table(self):
        """The name -> object table for this load: the static part plus bound rebuilds."""
        t = dict(static_table())
        for name, module in _REBUILDS.items():
            t[f"{module}.{name}"] = getattr(self, name)
        for name, what in _UNSUPPORTED_REBUILDS.items():
            t[f"torch._utils.{name}"] = self._unsupported(what)
        return t

    def _unsupported(self, what):
        def rebuild(*args):
            raise NotImplementedError(f"{self.label} holds {what}, which ember cannot load")
        return rebuild


# -- the two unpicklers -------------------------------------------------------------------

def _refused(label, full):
    # Worded as torch.load's refusal (its "GLOBAL x was not an allowed global by default"
    # sentence included, which tools match), with ember's names for the remedies.
    return UnpicklingError(
        f"Weights only load failed for {label}. This file can still be loaded, to do so you "
        "have two options, do those steps only if you trust the source of the checkpoint. "
        "(1) Re-running `ember.load` with `weights_only` set to `False` "
        "(`ember.load(f, weights_only=False)`) will likely "
        "succeed, but it can result in arbitrary code execution. Do it only if you got the "
        "file from a trusted source. (2) Alternatively, to load with `weights_only=True` "
        "please check the recommended steps in the following error message. "
        f"WeightsUnpickler error: Unsupported global: GLOBAL {full} was not an allowed "
        "global by default (ember.load(weights_only=True) only loads tensors, containers "
        "and primitive types). Please use "
        f"`ember.serialization.add_safe_globals([{full}])` or the "
        f"`ember.serialization.safe_globals([{full}])` context manager to allowlist this "
        "global if you trust this class/function.")


class SafePolicy:
    """The ``weights_only=True`` policy for :class:`RestrictedUnpickler`."""

    _CONTAINERS = (OrderedDict, Counter, set, frozenset, dict, list)

    def __init__(self, loader):
        self.loader = loader
        self.label = loader.label
        self.table = loader.table()
        self.user = user_table()
        self.callable_ids = {id(v) for v in self.table.values() if callable(v)}
        self.callable_ids.update(id(v) for v in self.user.values())
        self.user_types = {id(v) for v in self.user.values() if isinstance(v, type)}
        loader.call = self.call

    def find_global(self, module, name):
        full = f"{module}.{name}"
        if is_blocked(module, name):
            raise UnpicklingError(
                f"Weights only load failed for {self.label}: it refers to the global {full}, "
                f"which ember never allows with weights_only=True (module {module} is "
                "blocked). Load it with `ember.load(..., weights_only=False)` only if you "
                "trust the source of the file: that runs code from it.")
        obj = self.table.get(full, _MISSING)
        if obj is _MISSING:
            obj = self.user.get(full, _MISSING)
        if obj is _MISSING:
            raise _refused(self.label, full)
        return obj

    def call(self, func, args):
        if id(func) not in self.callable_ids:
            raise UnpicklingError(f"Weights only load failed for {self.label}: it calls "
                                  f"{func!r:.80}, which is not an allowed function")
        try:
            return func(*args)
        except (TypeError, ValueError, OverflowError) as e:
            raise CheckpointError(f"{self.label} is corrupt: bad arguments for "
                                  f"{getattr(func, '__name__', func)!s:.60}: {e}") from None

    def new(self, cls, args, kwargs):
        if any(cls is c for c in self._CONTAINERS) or id(cls) in self.user_types:
            return cls.__new__(cls, *args, **kwargs)
        raise UnpicklingError(f"Weights only load failed for {self.label}: it creates an "
                              f"object of {cls!r:.80}, which is not an allowed class")

    def build(self, inst, state):
        t = type(inst)
        if t is OrderedDict:
            if isinstance(state, tuple) and len(state) == 2 and state[1] is None:
                state = state[0]
            if not isinstance(state, dict) or not all(type(k) is str for k in state):
                raise CheckpointError(f"{self.label} is corrupt: bad OrderedDict state")
            inst.__dict__.update(state)
        elif isinstance(inst, Tensor):
            set_tensor_state(inst, state, self.loader)
        elif id(t) in self.user_types:
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None and not (isinstance(state, tuple) and len(state) == 2
                                             and getattr(t, "__setstate__", None) is
                                             object.__dict__.get("__setstate__")):
                setstate(state)
                return
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if state:
                inst.__dict__.update(state)
            for k, v in (slots or {}).items():
                setattr(inst, k, v)
        else:
            raise UnpicklingError(f"Weights only load failed for {self.label}: it sets the "
                                  f"state of a {t.__name__}, which is not an allowed class")

    def persistent_load(self, pid):
        return self.loader.persistent_load(pid)


_MISSING = object()


class FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: PyTorch's names map to ember's, everything else is imported."""

    def __init__(self, file, loader, **kwargs):
        super().__init__(file, **kwargs)
        self.loader = loader
        self.names = loader.table()

    def find_class(self, module, name):
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if is_torch_name(module):
            obj = self.names.get(f"{module}.{name}", _MISSING)
            if obj is not _MISSING:
                return obj.cls if isinstance(obj, _TypeOnly) else obj
            return resolve_torch_name(module, name)   # never imports a real torch
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self.loader.persistent_load(pid)


def unpickle(data_file, loader, weights_only, encoding, pickle_module=None, **kwargs):
    if weights_only:
        return RestrictedUnpickler(data_file, SafePolicy(loader), encoding=encoding).load()
    if pickle_module is not None and pickle_module is not pickle:
        cls = type("Unpickler", (pickle_module.Unpickler,), {
            "find_class": FullUnpickler.find_class,
            "persistent_load": FullUnpickler.persistent_load})
        u = cls(data_file, encoding=encoding, **kwargs)
        u.loader, u.names = loader, loader.table()
        return u.load()
    return FullUnpickler(data_file, loader, encoding=encoding, **kwargs).load()


# -- the formats ----------------------------------------------------------------------------

def load_zip(reader, loader_args, weights_only, encoding, mapping=None, **kwargs):
    """Load from an open ``ZipReader``; storages are read, or with ``mapping`` (an
    ``mmap`` of the whole file) viewed in place."""
    byteorder = reader.read("byteorder").decode("ascii", "replace") \
        if reader.has_record("byteorder") else "little"
    if byteorder not in ("little", "big"):
        raise CheckpointError(f"{reader.label} is corrupt: unknown byte order {byteorder!r}")

    def read_storage(key, nbytes):
        if mapping is None:
            return reader.read_array(f"data/{key}", nbytes)
        start = reader.data_offset(f"data/{key}", nbytes)
        # One array per record whose base is the mmap itself: saving a tensor again
        # writes its own storage, not the whole mapped file.
        return numpy.frombuffer(mapping, numpy.uint8, nbytes, start)

    loader = Loader(reader.label, *loader_args, read_storage, byteorder)
    data = io.BytesIO(reader.read("data.pkl"))
    return _run(loader, data, weights_only, encoding, **kwargs)


def _labelled(e, label):
    """A malformed pickle is a corrupt file; a refusal stays an UnpicklingError."""
    if isinstance(e, CorruptPickle):
        return CheckpointError(f"{label} is corrupt: {e}")
    return e if label in str(e) else UnpicklingError(f"{label}: {e}")


def _run(loader, data_file, weights_only, encoding, **kwargs):
    """Unpickle with errors turned into clear ones; warnings point at the caller of
    ember.load (which is always four frames up)."""
    label = loader.label
    try:
        out = unpickle(data_file, loader, weights_only, encoding, **kwargs)
    except UnpicklingError as e:
        raise _labelled(e, label) from None
    except (EOFError, struct.error, RecursionError, MemoryError) as e:
        raise CheckpointError(f"{label} is corrupt or truncated: {type(e).__name__}: {e}") \
            from None
    for note in loader.warnings:
        warnings.warn(note, stacklevel=5)
    return out
