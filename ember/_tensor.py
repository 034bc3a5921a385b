"""class Tensor: one backend array plus autograd metadata.

Operators and methods are thin calls into ``ember.ops``; they are attached at the bottom
of this module. Attribute defaults live on the class so that creating a Tensor sets a
single attribute (``_data``) and stays cheap on the hot path.

Quantized tensors are the subclass ``ember._qtensor.QTensor`` (its ``dtype`` is a
quantized entry of the dtype table, ``ember.qint8`` ...; ``is_quantized`` is True).
"""
from . import backend
from ._dtype import (NP_TO_DTYPE, DIFFERENTIABLE_NP, FLOATING_NP, COMPLEX_NP, EXACT_NP,
                     to_dtype, get_default_dtype)
from . import _device


class Size(tuple):
    """``torch.Size``: a tuple of ints with PyTorch's repr."""

    __slots__ = ()

    def __repr__(self):
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __reduce__(self):
        return (Size, (tuple(self),))


def _make(array):
    """Wrap a backend array (no copy) in a new Tensor that does not require grad."""
    t = _new(Tensor)
    t._data = array
    return t


_new = object.__new__
_engine = [None]    # ember.autograd.engine, once Tensor.backward has imported it


class Tensor:
    """A multi-dimensional array with autograd, mirroring ``torch.Tensor``.

    ``Tensor(data)`` builds a float tensor from data as ``torch.Tensor`` does, and
    ``Tensor(2, 3)`` an uninitialised 2x3 float tensor; prefer ``ember.tensor``.
    """

    # Class-level defaults: instance attributes are set only when they differ.
    _rg = False
    grad = None
    grad_fn = None
    _output_nr = 0
    _n_outputs = 1      # a leaf is its own graph target with one gradient slot
    _vc = None          # version counter, a one-item list shared by a tensor and its views
    _base = None        # the tensor whose memory this one views
    _hooks = None
    _post_accumulate_grad_hooks = None
    _seq = None         # a graph target's sequence number: None marks a leaf (see the engine)
    _retains_grad = False
    _grad_holder = None
    __array_priority__ = 1000   # numpy scalars defer to Tensor's reflected operators

    def __init__(self, *args, dtype=None, device=None):
        from .ops import creation
        d = get_default_dtype() if dtype is None else to_dtype(dtype)
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            src = data._data if isinstance(data, Tensor) else data
            self._data = creation.tensor(src, dtype=d, device=device)._data
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            self._data = creation.empty(*shape, dtype=d, device=device)._data

    # -- basic attributes ---------------------------------------------------------------
    @property
    def dtype(self):
        return NP_TO_DTYPE[self._data.dtype]

    @property
    def shape(self):
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:    # graph capture: sizes as graph values
            return m.__ember_size__(self)
        return Size(self._data.shape)

    def size(self, dim=None):
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            s = m.__ember_size__(self)
            return s if dim is None else s[_wrap_dim(dim, self._data.ndim)]
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            return m.__ember_numel__(self)
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        t = backend.device_type_of(self._data)
        return _device.CPU if t == "cpu" else _device.device("cuda", _cuda_index(self._data))

    @property
    def is_cuda(self):
        return backend.device_type_of(self._data) == "cuda"

    @property
    def is_cpu(self):
        return backend.device_type_of(self._data) == "cpu"

    # is_sparse and layout: properties set by ember/_sparse_methods.py (sparse COO tensors)
    is_quantized = False
    is_meta = False
    # torch.nested's jagged tensors are not implemented: every ember tensor is dense.
    is_nested = False

    @property
    def name(self):
        """Always None, read-only, as torch's for every tensor outside torch.compile."""
        return None

    def to_padded_tensor(self, padding, output_size=None):
        """torch's nested-tensor method; on a dense tensor it raises NotImplementedError,
        as torch does."""
        raise NotImplementedError(
            "to_padded_tensor: only nested tensors have it (torch.nested), and ember has "
            "no nested tensors; this tensor is dense")

    def is_floating_point(self):
        return self._data.dtype in FLOATING_NP

    def is_complex(self):
        return self._data.dtype in COMPLEX_NP

    def stride(self, dim=None):
        d = self._data
        if d.size == 0:
            # NumPy reports zero strides for empty arrays; PyTorch reports contiguous ones.
            st, acc = [], 1
            for n in reversed(d.shape):
                st.append(acc)
                acc *= max(n, 1)
            st = tuple(reversed(st))
        else:
            st = tuple(s // d.itemsize for s in d.strides)
        if dim is None:
            return st
        return st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        from ._formats import is_contiguous_as
        return is_contiguous_as(self, memory_format)

    def data_ptr(self):
        if backend.device_type_of(self._data) == "cpu":
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def untyped_storage(self):
        raise NotImplementedError("ember tensors expose no separate storage object")

    # -- shared memory (ember.multiprocessing) ----------------------------------------------
    def share_memory_(self):
        """Move the data to shared memory (no-op for CUDA tensors and tensors already
        shared); see ember/multiprocessing/_shared_memory.py for how it differs."""
        from . import multiprocessing as mp
        from .multiprocessing import _shared_memory
        if backend.device_type_of(self._data) == "cpu" and \
                _shared_memory.segment_of(self._data) is None:
            self._data = _shared_memory.share_array(self._data, mp.get_sharing_strategy())
        return self

    def is_shared(self):
        """Whether the data lives in shared memory (CUDA tensors count as shared)."""
        if backend.device_type_of(self._data) != "cpu":
            return True
        from .multiprocessing import _shared_memory
        return _shared_memory.segment_of(self._data) is not None

    # -- autograd attributes ----------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype not in DIFFERENTIABLE_NP:
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def data(self):
        return _make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep ``.grad`` of a non-leaf tensor after backward, as in PyTorch."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        from .autograd import engine
        engine.register_retain(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd import engine
        return engine.register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` after the gradient is accumulated into ``self.grad`` (leaves only).

        Returns a handle whose ``remove()`` unregisters the hook, as in PyTorch.
        """
        from .autograd import engine
        return engine.register_post_accumulate_grad_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        engine = _engine[0]
        if engine is None:      # imported on first use (autograd imports this module)
            from .autograd import engine
            _engine[0] = engine
        engine.backward(self, None if gradient is None else (gradient,), retain_graph,
                        create_graph, inputs=inputs)

    def detach(self):
        """A new tensor on the same memory, cut from the graph (shares the version counter)."""
        t = _make(self._data)
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        t._vc = vc
        return t

    def detach_(self):
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    # -- conversion -------------------------------------------------------------------------
    def item(self):
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            m.__ember_baked__(self, "item")
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return backend.to_host(self._data).reshape(()).item()

    def tolist(self):
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            m.__ember_baked__(self, "tolist")
        return backend.to_host(self._data).tolist()

    def numpy(self, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if hasattr(type(self._data), "nnz"):
            raise TypeError("can't convert Sparse layout tensor to numpy. Use "
                            "Tensor.to_dense() first.")
        if backend.device_type_of(self._data) != "cpu":
            if not force:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return backend.to_host(self._data)
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = backend.to_host(self._data)
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            return m.__ember_size__(self)[0]
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            what = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        m = _mode_top[0]
        if m is not None and m.symbolic_shapes:
            m.__ember_baked__(self, "bool")
        return bool(self._data.reshape(()))

    # float()/int()/complex() of a tensor that is not one element: ValueError, as torch's
    # (.item() raises RuntimeError)
    def __float__(self):
        _check_one_element(self)
        return float(self.item())

    def __int__(self):
        _check_one_element(self)
        return int(self.item())

    def __complex__(self):
        _check_one_element(self)
        return complex(self.item())

    def __index__(self):
        if self._data.dtype not in EXACT_NP or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    # identity hash, as PyTorch's ``id(self)``, without a Python frame per lookup (optimizer
    # state and the engine key dicts by tensors)
    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from . import _printing
        return _printing.tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, protocol):
        from . import serialization
        return serialization.reduce_tensor(self)

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if k not in ("_data", "grad", "_vc", "_base", "_hooks",
                                          "_post_accumulate_grad_hooks")})
        new._data = self._data.copy()
        if self.grad is not None:
            new.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _legacy_type_name(self.dtype)
        if isinstance(dtype, str):  # only legacy names ('ember.FloatTensor'), as in PyTorch
            if (not dtype.startswith(("ember.", "torch.")) or dtype.count(".") != 1
                    or not dtype.endswith("Tensor")):
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = _LEGACY_TYPES[dtype.split(".")[-1]]
        return self.to(to_dtype(dtype))

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .ops import creation
        return creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def _new_filled(self, fn, size, dtype, device, requires_grad):
        if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
            size = tuple(size[0])
        return fn(size, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops import creation
        return self._new_filled(creation.zeros, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops import creation
        return self._new_filled(creation.ones, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops import creation
        return self._new_filled(creation.empty, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from .ops import creation
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             device=device or self.device, requires_grad=requires_grad)


def _cuda_index(arr):
    try:
        return arr.device.id
    except AttributeError:
        return 0


def _check_one_element(t):
    if t._data.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")


def _wrap_dim(dim, ndim):
    """Turn a possibly negative dim into an index, with PyTorch's IndexError when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                 "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                 "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
                 "complex128": "ComplexDoubleTensor"}


def _legacy_type_name(d):
    return "ember." + _LEGACY_NAMES[d.name]


def _lazy_legacy_types():
    from . import _dtype
    return {v: getattr(_dtype, k) for k, v in _LEGACY_NAMES.items()}


class _LegacyTypes(dict):
    def __missing__(self, key):
        self.update(_lazy_legacy_types())
        if key not in self:
            raise ValueError(f"invalid type: {key!r}")
        return dict.__getitem__(self, key)


_LEGACY_TYPES = _LegacyTypes()

from ._tensor_methods import attach as _attach  # noqa: E402  (ops need Tensor defined first)
_attach(Tensor)
from ._sparse_methods import attach as _attach_sparse  # noqa: E402  (sparse COO methods)
_attach_sparse(Tensor)

# The dispatch-mode stack (imported last: ember.autograd imports this module). Shape reads
# check it once, so graph capture can hand out symbolic sizes (ember/jit/_capture.py).
from .autograd.dispatch import _top as _mode_top  # noqa: E402
