"""``torch.UntypedStorage``, ``torch.TypedStorage`` and the legacy typed storages
(``FloatStorage``, ``LongStorage`` ...), with the Tensor methods that use them:
``untyped_storage()``, ``storage()``, ``storage_type()``, ``set_``, ``resize_``,
``resize_as_``, ``resize`` and the legacy ``Tensor.new`` (issue 17).

A storage is a 1-D byte view (``uint8`` array) of the memory at the end of a tensor's
NumPy ``.base`` chain (``backend.storage_root``), so every view of one tensor reports the
same storage, ``storage.data_ptr()`` is that memory's address, and writes through the
storage show in the tensors. Where ember differs: ``resize_`` past the storage's size
allocates new memory and copies the old bytes (NumPy cannot grow a buffer in place), so
other tensors that shared the old storage keep the old memory.
"""
import builtins
import warnings

import numpy

from . import backend, _dtype

__all__ = ["UntypedStorage", "TypedStorage", "FloatStorage", "DoubleStorage", "HalfStorage",
           "BFloat16Storage", "ByteStorage", "CharStorage", "ShortStorage", "IntStorage",
           "LongStorage", "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage",
           "resize_as_"]


def _bytes_of(root):
    if isinstance(root, numpy.ndarray):
        return root.reshape(-1, order="A").view(numpy.uint8) if root.size else \
            numpy.zeros(0, numpy.uint8)
    return root.reshape(-1).view(backend.get_array_module(root).uint8)


class UntypedStorage:
    """``torch.UntypedStorage``: bytes. ``UntypedStorage(n)`` allocates n bytes (zeros),
    ``UntypedStorage(list_of_ints | bytes)`` holds those bytes."""

    is_sparse = False

    def __init__(self, *args, device=None):
        from ._device import as_device
        xp = backend.namespace_for(as_device(device).type if device is not None else "cpu")
        if not args:
            arr = xp.zeros(0, xp.uint8)
        elif isinstance(args[0], int) and len(args) == 1:
            arr = xp.zeros(args[0], xp.uint8)
        elif isinstance(args[0], (bytes, bytearray)):
            arr = xp.asarray(numpy.frombuffer(bytes(args[0]), numpy.uint8).copy())
        else:
            arr = xp.asarray(numpy.asarray(args[0], dtype=numpy.uint8).reshape(-1))
        self._bytes = arr

    @classmethod
    def _wrap(cls, root):
        s = object.__new__(cls)
        s._bytes = _bytes_of(root)
        return s

    # -- queries --------------------------------------------------------------------------
    def nbytes(self):
        return int(self._bytes.size)

    def size(self):
        return self.nbytes()

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        return 1

    def data_ptr(self):
        return backend.data_address(self._bytes) if self._bytes.size else 0

    @property
    def device(self):
        from . import _device
        return _device.device(backend.device_type_of(self._bytes))

    @property
    def dtype(self):
        return _dtype.uint8

    @property
    def is_cuda(self):
        return backend.device_type_of(self._bytes) == "cuda"

    def is_shared(self):
        return False

    def untyped(self):
        return self

    def tolist(self):
        return backend.to_host(self._bytes).tolist()

    def __getitem__(self, i):
        out = self._bytes[i]
        return out.tolist() if not isinstance(i, slice) else type(self)._wrap(out)

    def __setitem__(self, i, value):
        self._bytes[i] = value

    def __iter__(self):
        return iter(self.tolist())

    def fill_(self, value):
        self._bytes[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        src = source._bytes if isinstance(source, UntypedStorage) else source._storage._bytes
        if src.size != self._bytes.size:
            raise RuntimeError(f"size mismatch, {self._bytes.size} vs {src.size}")
        self._bytes[...] = src
        return self

    def clone(self):
        return type(self)._wrap(self._bytes.copy())

    def cpu(self):
        return self if not self.is_cuda else type(self)._wrap(backend.to_host(self._bytes))

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n" if body else "") + \
            f"[ember.storage.UntypedStorage(device={self.device.type}) of size {self.nbytes()}]"

    def __eq__(self, other):
        return isinstance(other, UntypedStorage) and self.data_ptr() == other.data_ptr() and \
            self.nbytes() == other.nbytes()

    __hash__ = object.__hash__


class TypedStorage:
    """``torch.TypedStorage``: an UntypedStorage read as elements of one dtype
    (deprecated in PyTorch, which warns once; so does ember)."""

    is_sparse = False
    _fixed_dtype = None

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None, _internal=False):
        if not _internal:
            _warn_typed()
        d = _dtype.to_dtype(dtype) if dtype is not None else \
            (self._fixed_dtype or _dtype.get_default_dtype())
        self._dtype = d
        if wrap_storage is not None:
            self._storage = wrap_storage
            return
        from ._device import as_device
        xp = backend.namespace_for(as_device(device).type if device is not None else "cpu")
        if not args:
            arr = xp.zeros(0, d.np)
        elif isinstance(args[0], int) and len(args) == 1:
            arr = xp.zeros(args[0], d.np)
        else:
            arr = xp.asarray(numpy.asarray(args[0], dtype=d.np).reshape(-1))
        self._storage = UntypedStorage._wrap(arr)

    @property
    def dtype(self):
        return self._dtype

    def _elements(self):
        b = self._storage._bytes
        n = b.size // self._dtype.itemsize
        return b[:n * self._dtype.itemsize].view(self._dtype.np)

    def size(self):
        return self._storage.nbytes() // self._dtype.itemsize

    __len__ = size

    def nbytes(self):
        return self._storage.nbytes()

    def element_size(self):
        return self._dtype.itemsize

    def data_ptr(self):
        return self._storage.data_ptr()

    @property
    def device(self):
        return self._storage.device

    @property
    def is_cuda(self):
        return self._storage.is_cuda

    def untyped(self):
        return self._storage

    _untyped_storage = property(untyped)

    def tolist(self):
        return backend.to_host(self._elements()).tolist()

    def __getitem__(self, i):
        return self._elements()[i].tolist()

    def __setitem__(self, i, value):
        self._elements()[i] = value

    def __iter__(self):
        return iter(self.tolist())

    def fill_(self, value):
        self._elements()[...] = value
        return self

    def is_shared(self):
        return False

    def pickle_storage_type(self):
        return _LEGACY_NAMES[self._dtype.name]

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n" if body else "") + (
            f"[ember.storage.TypedStorage(dtype={self._dtype!r}, device={self.device.type}) "
            f"of size {self.size()}]")


_warned = [False]


def _warn_typed():
    from ._formats import is_warn_always_enabled
    if _warned[0] and not is_warn_always_enabled():
        return
    _warned[0] = True
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                  "UntypedStorage will be the only storage class. This should only matter to "
                  "you if you are using storages directly.  To access UntypedStorage directly, "
                  "use tensor.untyped_storage() instead of tensor.storage()", UserWarning,
                  stacklevel=3)


_LEGACY_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage",
                 "float16": "HalfStorage", "bfloat16": "BFloat16Storage", "uint8": "ByteStorage",
                 "int8": "CharStorage", "int16": "ShortStorage", "int32": "IntStorage",
                 "int64": "LongStorage", "bool": "BoolStorage",
                 "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage"}


class _LegacyStorage(TypedStorage):
    """Base of ``FloatStorage`` & co: a TypedStorage of one fixed dtype."""

    def __init__(self, *args, device=None, wrap_storage=None):
        super().__init__(*args, dtype=self._fixed_dtype, device=device,
                         wrap_storage=wrap_storage, _internal=True)

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n" if body else "") + \
            f"[ember.storage.{type(self).__name__}(device={self.device.type}) of size {self.size()}]"


def _legacy(name, dtype_name):
    return type(name, (_LegacyStorage,), {"_fixed_dtype": getattr(_dtype, dtype_name),
                                          "__module__": "ember"})


FloatStorage = _legacy("FloatStorage", "float32")
DoubleStorage = _legacy("DoubleStorage", "float64")
HalfStorage = _legacy("HalfStorage", "float16")
BFloat16Storage = _legacy("BFloat16Storage", "bfloat16")
ByteStorage = _legacy("ByteStorage", "uint8")
CharStorage = _legacy("CharStorage", "int8")
ShortStorage = _legacy("ShortStorage", "int16")
IntStorage = _legacy("IntStorage", "int32")
LongStorage = _legacy("LongStorage", "int64")
BoolStorage = _legacy("BoolStorage", "bool")
ComplexFloatStorage = _legacy("ComplexFloatStorage", "complex64")
ComplexDoubleStorage = _legacy("ComplexDoubleStorage", "complex128")


# ---------------------------------------------------------------------------------------
# Tensor methods

def untyped_storage(self):
    """``Tensor.untyped_storage``: the bytes this tensor (and all its views) live in."""
    return UntypedStorage._wrap(backend.storage_root(self._data))


def storage(self):
    """``Tensor.storage`` (deprecated in PyTorch): a TypedStorage of this tensor's dtype."""
    _warn_typed()
    return TypedStorage(wrap_storage=untyped_storage(self), dtype=self.dtype, _internal=True)


def storage_type(self):
    """``Tensor.storage_type``: the legacy storage class of this tensor's dtype."""
    return globals()[_LEGACY_NAMES[self.dtype.name]]


def _contiguous_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))


def _check_no_grad(self, fname):
    from .autograd.grad_mode import _state
    if self._rg and _state[0]:
        raise RuntimeError(f"{fname}(): cannot {'resize' if 'resize' in fname else 'set'} "
                           "variables that require grad" if "resize" in fname else
                           f"{fname}(): a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """``Tensor.set_``: make this tensor view ``source`` (a Tensor: share its memory and
    geometry; a storage: view it with ``size``/``stride`` from ``storage_offset``; nothing:
    an empty tensor)."""
    from ._tensor import Tensor
    from .ops.strided import _check_geometry
    _check_no_grad(self, "set_")
    xp = backend.get_array_module(self._data)
    if source is None:
        self._data = xp.zeros(0, self._data.dtype)
        return self
    if isinstance(source, Tensor):
        if size is None:
            self._data = source._data
            return self
        root = backend.storage_root(source._data)
    elif isinstance(source, (UntypedStorage, TypedStorage)):
        st = source if isinstance(source, UntypedStorage) else source._storage
        root = st._bytes
    else:
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not "
                        f"{type(source).__name__}")
    item = self._data.itemsize
    nbytes = backend.storage_nbytes(root)
    if size is None:
        size = ((nbytes // item) - storage_offset,)
    size = tuple(size)
    stride = _contiguous_strides(size) if stride is None else tuple(stride)
    _check_geometry("set_", size, stride, storage_offset, item, nbytes)
    self._data = backend.view_of_storage(root, self._data.dtype, size,
                                         tuple(s * item for s in stride), storage_offset * item)
    return self


def resize_(self, *sizes, memory_format=None):
    """``Tensor.resize_``: new sizes, C-contiguous strides, same storage (and its values in
    storage order) when large enough; else new memory holding the old bytes first."""
    from .ops.strided import storage_offset as _offset
    if self._rg:
        raise RuntimeError("cannot resize variables that require grad")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(sizes)}")
    n = 1
    for s in sizes:
        n *= s
    d = self._data
    xp = backend.get_array_module(d)
    item = d.itemsize
    root = backend.storage_root(d)
    off = _offset(self)
    have = backend.storage_nbytes(root)
    if (off + n) * item <= have and (root.flags.c_contiguous or root.flags.f_contiguous):
        self._data = backend.view_of_storage(root, d.dtype, sizes,
                                             tuple(s * item for s in _contiguous_strides(sizes)),
                                             off * item)
    else:
        new = xp.zeros(off + n, d.dtype)
        old = _bytes_of(root)
        new.view(xp.uint8)[:old.size] = old
        self._data = new[off:].reshape(sizes)
    if memory_format is not None:
        from ._formats import to_memory_format
        self._data = to_memory_format(self.detach(), memory_format)._data
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, tuple(the_template.shape), memory_format=memory_format)


def resize_as(self, tensor):
    """``Tensor.resize_as`` (deprecated in PyTorch): ``resize`` to ``tensor``'s shape."""
    return resize(self, tuple(tensor.shape))


def resize(self, *sizes):
    """``Tensor.resize`` (deprecated in PyTorch, which warns): a reshape to ``sizes`` of
    the same number of elements."""
    warnings.warn("non-inplace resize is deprecated")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return self.reshape(sizes)


def new(self, *args, device=None):
    """The legacy ``Tensor.new``: ``new()`` empty, ``new(2, 3)`` uninitialised (zeros here),
    ``new(data)`` from data, ``new(storage)``, all of this tensor's dtype and device."""
    from ._tensor import Tensor
    from .ops.creation import tensor, zeros
    dev = self.device if device is None else device
    if not args:
        return zeros(0, dtype=self.dtype, device=dev)
    a = args[0]
    if len(args) == 1 and isinstance(a, (UntypedStorage, TypedStorage)):
        return set_(zeros(0, dtype=self.dtype, device=dev), a)
    if len(args) == 1 and isinstance(a, Tensor):
        if a.dtype != self.dtype:
            raise TypeError(f"expected {self.type()} (got {a.type()})")
        return a.detach()
    if all(isinstance(s, int) and not isinstance(s, builtins.bool) for s in args):
        return zeros(args, dtype=self.dtype, device=dev)
    if len(args) == 1 and isinstance(a, tuple) and all(isinstance(s, int) for s in a) and \
            type(a).__name__ == "Size":
        return zeros(a, dtype=self.dtype, device=dev)
    if len(args) != 1:
        raise TypeError("new(): takes sizes or one sequence of data")
    return tensor(a, dtype=self.dtype, device=dev)


METHODS = ("untyped_storage", "storage", "storage_type", "set_", "resize_", "resize_as_",
           "resize", "resize_as", "new")
