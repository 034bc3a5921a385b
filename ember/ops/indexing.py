"""Indexing: ``__getitem__``/``__setitem__``, gather/scatter, index_select/index_add/index_copy/
index_fill, masked_fill/masked_select/masked_scatter, nonzero/argwhere, take/put, index_put.

PyTorch's semantics throughout:
  * basic indexing (ints, slices with positive steps, None, ``...``, 0-d integer tensors)
    returns a NumPy view of the input (``view_of = 0``): writes through it change the input;
  * advanced indexing (integer or bool tensors, lists, NumPy arrays) returns a copy. As in
    PyTorch, integers are applied first (as selects) and the tensor indices then follow
    NumPy's placement rule on what is left: for ``x`` of shape (2, 3, 4), ``x[0, :, [0, 1]]``
    has shape (3, 2) (NumPy gives (2, 3));
  * a list key holding a sequence, slice, tensor, None or ``...`` is read as a tuple
    (PyTorch's deprecated rule): ``x[[[0, 1], [1, 2]]]`` is ``x[[0, 1], [1, 2]]``;
  * ``x[key] = value`` writes in place and bumps the version counter; under autograd the
    written tensor's ``grad_fn`` becomes ``CopySlices`` (basic keys) or ``IndexPutBackward0``;
  * errors carry PyTorch's exception types and messages.

Where ember differs:
  * a write into a view of another tensor (``x[0][1] = w``) while autograd records is
    recorded on the base's graph by ``views.rebase_view`` (CopySlices); its backward is
    not differentiable again;
  * repeated indices in setitem / scatter / index_copy / put: the last write wins
    (PyTorch leaves the order unspecified);
  * expanded tensors are read-only, so writing into one raises RuntimeError;
  * the gradient of scatter's ``src`` is padded with zeros where src is larger than
    index (PyTorch's backward raises there); more than one ``...`` in a key is an error.
"""
import operator
import warnings

from .. import backend
from .._tensor import Tensor, _make, _wrap_dim, _legacy_type_name
from ..autograd.function import ArrayFunction, _bump
from ..autograd.dispatch import casting_active as _casting_active
from ..autograd.grad_mode import _state

_gam = backend.get_array_module
_SL = slice(None)

_SHORT = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
          "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_CNAME = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
          "uint8": "unsigned char", "float32": "float", "float64": "double",
          "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}


def _short(t):
    return _SHORT.get(t.dtype.name, t.dtype.name)


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ---------------------------------------------------------------------------------------
# keys: PyTorch's reading of ``x[key]``

def _on(xp, arr):
    """``arr`` on the backend ``xp`` (index tensors may live on another device)."""
    if _gam(arr) is xp:
        return arr
    return backend.to_host(arr) if xp is backend.namespace_for("cpu") else xp.asarray(arr)


def _seq_as_tuple(key):
    """PyTorch's ``treatSequenceAsTuple`` for a list key."""
    if len(key) >= 32:
        return False
    for k in key:
        if (k is None or k is Ellipsis or isinstance(k, (Tensor, slice, list, tuple))
                or backend.is_array(k)):
            return True
    return False


def _check_slice(s):
    start, stop, step = s.start, s.stop, s.step
    if step is not None:
        step = operator.index(step)
        if step <= 0:
            raise ValueError("slice step cannot be zero" if step == 0
                             else "step must be greater than zero")
    if start is not None and not isinstance(start, int):
        start = operator.index(start)
    if stop is not None and not isinstance(stop, int):
        stop = operator.index(stop)
    return slice(start, stop, step)


def _item(xp, k):
    """One key element as an int, slice, None, Ellipsis, or an int/bool index array."""
    tk = type(k)
    if tk is int or k is None or k is Ellipsis:
        return k
    if tk is slice:
        return _check_slice(k)
    if tk is bool:
        return xp.asarray(k)
    if isinstance(k, int):
        return k        # an int subclass as is (graph capture's symbolic sizes stay symbolic)
    if isinstance(k, Tensor):
        arr = k._data
    elif backend.is_array(k):
        arr = k
    elif isinstance(k, backend.generic):
        arr = backend.as_array(k)
    elif isinstance(k, (list, tuple)):
        if len(k) == 0:
            return xp.zeros((0,), xp.int64)
        from .creation import tensor
        try:
            arr = tensor(k)._data
        except (TypeError, ValueError, RuntimeError):
            raise IndexError("tensors used as indices must be long, int, byte or bool "
                             "tensors") from None
    elif hasattr(k, "__index__"):
        return operator.index(k)
    else:
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {tk.__name__})")
    kind = arr.dtype.kind
    if kind == "b":
        return _on(xp, arr)
    if kind == "u" and arr.dtype.itemsize == 1:
        warnings.warn("indexing with dtype ember.uint8 is now deprecated, please use a dtype "
                      "ember.bool instead.", UserWarning, stacklevel=3)
        return _on(xp, arr.astype(bool))
    if kind != "i" or arr.dtype.itemsize not in (4, 8):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.ndim == 0:
        return int(arr)  # a 0-d integer tensor selects, as a Python int does
    return _on(xp, arr)


_PLAIN = (int, type(None), type(Ellipsis))


def _plain_slice(k):
    """Whether slice ``k`` needs no checking (Python-int bounds, no step)."""
    return k.step is None and type(k.start) in _PLAIN and type(k.stop) in _PLAIN


def _parse(shape, key, xp):
    """PyTorch's reading of ``key`` for a tensor of ``shape``: ``(basic, adv, kind)``.

    ``basic`` is a NumPy key of ints/slices/None (ending in ``...`` so 0-d results stay
    views), applied first; ``adv`` is None or the tuple of full slices and index arrays
    applied to that view; ``kind`` names the grad_fn of a basic result.
    """
    if type(key) is not tuple:
        key = tuple(key) if isinstance(key, list) and _seq_as_tuple(key) else (key,)
    items = key
    for k in key:
        tk = type(k)
        if not (tk in _PLAIN or (tk is slice and _plain_slice(k))):
            items = [_item(xp, k) for k in key]
            break
    ndim = len(shape)
    consumed = n_ell = 0
    for it in items:
        if it is None:
            continue
        if it is Ellipsis:
            n_ell += 1
        elif isinstance(it, int) or type(it) is slice or it.dtype.kind != "b":
            consumed += 1
        else:
            consumed += it.ndim
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        if ndim == 0 and any(isinstance(it, int) for it in items):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv, arrays = [], [], []
    dim = 0          # dim of the input the next element indexes
    ordinal = 0      # index tensors seen so far (a k-d mask counts k, as in PyTorch)
    kind = "alias"
    for pos, it in enumerate(items):
        if it is None:
            basic.append(None)
            adv.append(_SL)
            kind = "unsqueeze"
        elif it is Ellipsis:
            k = ndim - consumed
            basic.extend([_SL] * k)
            adv.extend([_SL] * k)
            dim += k
        elif isinstance(it, int):
            n = shape[dim]
            if not -n <= it < n:
                raise IndexError(f"index {it} is out of bounds for dimension {pos} with size {n}")
            basic.append(it)
            dim += 1
            kind = "select"
        elif type(it) is slice:
            basic.append(it)
            adv.append(_SL)
            if not (it.start is None and it.stop is None and it.step is None):
                n = shape[dim]
                if it.indices(n) != (0, n, 1):
                    kind = "slice"
            dim += 1
        elif it.dtype.kind == "b":
            k = it.ndim
            want = shape[dim:dim + k]
            if it.shape != want:
                j = next(j for j in range(k) if it.shape[j] != want[j])
                before = _view_shape(shape, basic)
                raise IndexError(f"The shape of the mask {_fmt(it.shape)} at index {j} does not "
                                 f"match the shape of the indexed tensor "
                                 f"{_fmt(before + shape[dim:])} at index {len(before) + j}")
            basic.extend([_SL] * k)
            adv.append(it)
            arrays.append(it)
            dim += k
            ordinal += k
        else:
            n = shape[dim]
            if it.size:
                lo, hi = int(it.min()), int(it.max())
                if lo < -n or hi >= n:
                    raise IndexError(f"index {hi if hi >= n else lo} is out of bounds for "
                                     f"dimension {ordinal} with size {n}")
            basic.append(_SL)
            adv.append(it)
            arrays.append(it)
            dim += 1
            ordinal += 1
    if not arrays:
        basic.append(Ellipsis)
        return tuple(basic), None, kind
    if len(arrays) > 1:
        _check_broadcast(arrays)
    while adv and adv[-1] is _SL:
        adv.pop()
    trivial = all(type(b) is slice and b == _SL for b in basic)
    return (None if trivial else tuple(basic) + (Ellipsis,)), tuple(adv), "index"


def _view_shape(shape, basic):
    """The shape ``basic`` (ints/slices/None, no ``...``) leaves of the dims it covers."""
    out, dim = [], 0
    for b in basic:
        if b is None:
            out.append(1)
        elif type(b) is int:
            dim += 1
        else:
            out.append(len(range(*b.indices(shape[dim]))))
            dim += 1
    return tuple(out)


def _check_broadcast(arrays):
    shapes = [(int(a.sum()),) if a.dtype.kind == "b" else a.shape for a in arrays]
    nd = max(len(s) for s in shapes)
    for i in range(nd):
        sizes = {s[i - nd + len(s)] for s in shapes if i - nd + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             f"with shapes {', '.join(_fmt(s) for s in shapes)}")


# ---------------------------------------------------------------------------------------
# getitem

class _Basic(ArrayFunction):
    """A basic-indexing view; the gradient is zeros with the indexed region set."""

    view_of = 0
    node_name = "AliasBackward0"

    @staticmethod
    def forward(ctx, x, key=None):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, shape=ctx.shape, key=ctx.key, adv=None)


class _Select(_Basic):
    node_name = "SelectBackward0"


class _Slice(_Basic):
    node_name = "SliceBackward0"


class _Unsqueeze(_Basic):
    node_name = "UnsqueezeBackward0"


_BASIC = {"alias": _Basic, "select": _Select, "slice": _Slice, "unsqueeze": _Unsqueeze}


def _only_masks(adv):
    """Whether no position can repeat (bool masks only): plain assignment then suffices."""
    return all(a is _SL or a.dtype.kind == "b" for a in adv)


class Index(ArrayFunction):
    """Advanced indexing (a copy); the gradient scatter-adds, so repeated indices accumulate."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key=None, adv=None):
        ctx.shape, ctx.key, ctx.adv = x.shape, key, adv
        return (x[key] if key is not None else x)[adv]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, shape=ctx.shape, key=ctx.key, adv=ctx.adv)


class MaskedSelect(Index):
    node_name = "MaskedSelectBackward0"


class IndexGrad(ArrayFunction):
    """Zeros of ``shape`` with ``g`` added at ``[key][adv]`` (the gradient of indexing)."""

    @staticmethod
    def forward(ctx, g, shape=None, key=None, adv=None):
        ctx.key, ctx.adv = key, adv
        xp = _gam(g)
        out = xp.zeros(shape, g.dtype)
        view = out[key] if key is not None else out
        if adv is None:
            view[...] = g
        elif _only_masks(adv):
            view[adv] = g
        else:
            backend.scatter_add(xp, view, adv, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return _index(gg, ctx.key, ctx.adv, "slice")


def _index(t, key, adv, kind):
    if adv is None:
        return _BASIC[kind].apply(t, key=key)
    return Index.apply(t, key=key, adv=adv)


def getitem(input, key):
    """``Tensor.__getitem__`` with PyTorch's semantics (see the module docstring)."""
    data = input._data
    if type(key) is int and data.ndim:
        n = data.shape[0]
        if not -n <= key < n:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {n}")
        return _Select.apply(input, key=(key, Ellipsis))
    basic, adv, kind = _parse(data.shape, key, _gam(data))
    return _index(input, basic, adv, kind)


# ---------------------------------------------------------------------------------------
# setitem / index_put

def _scalar_array(xp, value, np_dtype):
    """A Python number as a 0-d array of ``np_dtype`` (integers must fit, as in PyTorch)."""
    if np_dtype.kind in "iu" and type(value) is int:
        info = xp.iinfo(np_dtype)
        if not info.min <= value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {np_dtype.name} without "
                               "overflow")
    return xp.asarray(value).astype(np_dtype)


def _is_number(v):
    return isinstance(v, (int, float, complex, backend.generic))


def _write(arr, key, adv, v, accumulate=False):
    """arr[key][adv] = v (or += with repeated indices accumulated), in place."""
    xp = _gam(arr)
    if not backend.is_array(v):
        v = _scalar_array(xp, v, arr.dtype)
    view = arr[key] if key is not None else arr
    if adv is None:
        if accumulate:
            view += v
        else:
            view[...] = v
    elif accumulate:
        backend.scatter_add(xp, view, adv, v)
    else:
        view[adv] = v


def _zero_region(arr, key, adv):
    out = arr.copy()
    _write(out, key, adv, 0)
    return out


class ZeroRegion(ArrayFunction):
    """``g`` with ``[key][adv]`` zeroed: the input's gradient of an overwriting write."""

    @staticmethod
    def forward(ctx, g, key=None, adv=None):
        ctx.key, ctx.adv = key, adv
        return _zero_region(g, key, adv)

    @staticmethod
    def backward(ctx, gg):
        return ZeroRegion.apply(gg, key=ctx.key, adv=ctx.adv)


class IndexPut(ArrayFunction):
    """Writes ``v`` into ``x``'s own memory at ``[key][adv]`` and returns that memory.

    Used only while recording: the caller makes this node the written tensor's grad_fn.
    """

    broadcasting = True   # the value's gradient is summed back to its (broadcast) shape
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, v, key=None, adv=None, accumulate=False):
        ctx.key, ctx.adv, ctx.accumulate = key, adv, accumulate
        _write(x, key, adv, v, accumulate)
        return x

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = g if ctx.accumulate else ZeroRegion.apply(g, key=ctx.key, adv=ctx.adv)
        if need[1]:
            gv = _index(g, ctx.key, ctx.adv, "slice")
        return gx, gv


    def __repr__(self):  # PyTorch's C++ node names read torch::autograd::X, reprs just X
        return f"<{self.node_name.rsplit(':', 1)[-1]} object at {hex(id(self))}>"


class CopySlices(IndexPut):
    """Writes into part of the tensor through a view (a basic key, or one before tensors)."""

    node_name = "torch::autograd::CopySlices"


class CopyBackwards(IndexPut):
    """Writes over the whole tensor (``x[...] = v``)."""

    node_name = "torch::autograd::CopyBackwards"


def _check_write(input, value, aliasing):
    """PyTorch's in-place checks; returns whether the write must be recorded."""
    if not _state[0]:
        return False
    base = input._base
    if input._rg or (isinstance(value, Tensor) and value._rg):
        if input._rg and input.grad_fn is None:
            raise RuntimeError(("a leaf Variable" if aliasing else "a view of a leaf Variable")
                               + " that requires grad is being used in an in-place operation.")
        if base is not None and base._rg and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")
        return True
    if base is not None and base._rg:
        if base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")
        return True
    return False


def _strip_leading_ones(value):
    shape = value._data.shape
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    if not k:
        return value
    from .shape import reshape
    return reshape(value, shape[k:])


def _raise_write_error(err, data, key, adv, value):
    if "read-only" in str(err):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation. (ember: expanded tensors "
                           "are read-only)") from None
    if not isinstance(value, Tensor):
        raise err
    xp = _gam(data)
    view = data[key] if key is not None else data
    vshape = value._data.shape
    if adv is None:
        from .shape import _expand_shape
        k = 0
        while k < len(vshape) and vshape[k] == 1 and len(vshape) - k > view.ndim:
            k += 1
        stripped = _make(xp.broadcast_to(xp.zeros((), value._data.dtype), vshape[k:]))
        _expand_shape(stripped, view.shape)
        raise err
    target = xp.broadcast_to(xp.zeros((), bool), view.shape)[adv].shape
    if _broadcastable(vshape, target):
        raise err
    raise RuntimeError(f"shape mismatch: value tensor of shape {_fmt(vshape)} cannot be "
                       f"broadcast to indexing result of shape {_fmt(target)}") from None


def _broadcastable(vshape, target):
    """Whether a value of ``vshape`` can be written into ``target`` (leading 1s dropped)."""
    vshape = list(vshape)
    while len(vshape) > len(target) and vshape[0] == 1:
        vshape.pop(0)
    if len(vshape) > len(target):
        return False
    return all(v in (1, t) for v, t in zip(reversed(vshape), reversed(target)))


def _put(input, key, adv, kind, value, accumulate=False, node=None):
    """Write ``value`` into ``input[key][adv]`` in place, recording it for autograd."""
    from .pointwise import _to_dtype
    vt = isinstance(value, Tensor)
    if vt:
        if value._data.dtype != input._data.dtype:
            value = _to_dtype(value, input.dtype)
    elif not _is_number(value):
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{_legacy_type_name(input.dtype)}")
    record = _check_write(input, value, adv is not None or kind in ("alias", "index"))
    if record and input._base is not None:
        # A write into a view: do it on a copy, then let the base's graph record it.
        from .pointwise import clone_tensor
        from .views import rebase_view
        return rebase_view(input, _put(clone_tensor(input), key, adv, kind, value, accumulate,
                                       node))
    data = input._data
    try:
        if record:
            if vt:
                value = _strip_leading_ones(value)
            if node is None:
                node = (CopySlices if key is not None and (adv is not None or kind != "alias")
                        else IndexPut if adv is not None else CopyBackwards)
            res = node.apply(input, value, key=key, adv=adv, accumulate=accumulate)
            input.grad_fn = res.grad_fn
            input._output_nr = 0
            input._rg = True
        else:
            _write(data, key, adv, value._data if vt else value, accumulate)
    except ValueError as err:
        _raise_write_error(err, data, key, adv, value)
    _bump(input)
    return input


def setitem(input, key, value):
    """``Tensor.__setitem__``: ``value`` (a Tensor, broadcast and cast to input's dtype, or
    a number) is written in place; see the module docstring for autograd."""
    data = input._data
    basic, adv, kind = _parse(data.shape, key, _gam(data))
    _put(input, basic, adv, kind, value)


def _index_put_key(input, indices, values, fname):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_short(input)} for the destination and {_short(values)} for the "
                           "source.")
    key = tuple(_SL if i is None else i for i in indices)
    data = input._data
    return _parse(data.shape, key, _gam(data))


def index_put_(input, indices, values, accumulate=False):
    """``Tensor.index_put_``: ``input[indices] = values`` (``+=`` with ``accumulate``, where
    repeated indices add up)."""
    basic, adv, kind = _index_put_key(input, indices, values, "index_put_")
    return _put(input, basic, adv, "index", values, accumulate, node=IndexPut)


def index_put(input, indices, values, accumulate=False):
    """``torch.index_put``: the out-of-place form of ``index_put_``."""
    from .pointwise import clone_tensor
    basic, adv, kind = _index_put_key(input, indices, values, "index_put")
    return _put(clone_tensor(input), basic, adv, "index", values, accumulate, node=IndexPut)


# ---------------------------------------------------------------------------------------
# gather / scatter

def _atleast1(a):
    return a.reshape(1) if a.ndim == 0 else a


def _along(xp, idx, dim):
    """Fancy-index arrays addressing ``[i][j]...[idx[i, j, ...]]...`` along ``dim``."""
    nd = idx.ndim
    out = []
    for i in range(nd):
        if i == dim:
            out.append(idx)
        else:
            shape = [1] * nd
            shape[i] = idx.shape[i]
            out.append(xp.arange(idx.shape[i]).reshape(shape))
    return tuple(out)


def _prefix(a, shape):
    """``a[:shape[0], :shape[1], ...]`` (scatter reads only the part of src index covers)."""
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(0, s) for s in shape)]


def _pad_to(t, shape):
    """``t`` placed at the start of zeros of ``shape`` (differentiably)."""
    if t._data.shape == tuple(shape):
        return t
    key = tuple(slice(0, s) for s in t._data.shape) + (Ellipsis,)
    return IndexGrad.apply(t, shape=tuple(shape), key=key, adv=None)


def _bounds_error(arr, n, make, negative_ok=False):
    """Raise ``make(v)`` for the first index ``v`` outside [0, n) (or [-n, n))."""
    if not arr.size:
        return
    lo, hi = int(arr.min()), int(arr.max())
    low = -n if negative_ok else 0
    if lo < low or hi >= n:
        raise make(hi if hi >= n else lo)


def _check_int_index(index, fname):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    d = index._data.dtype
    if d.kind != "i" or d.itemsize not in (4, 8):
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index")


def _check_gather_scatter(fname, input, dim, index, src=None):
    """PyTorch's gather/scatter argument checks; returns the wrapped dim."""
    _check_int_index(index, fname)
    xs, ix = input._data.shape, index._data.shape
    d = _wrap_dim(dim, len(xs))
    if index._data.size == 0:
        return d
    nd = max(len(xs), 1)
    if max(len(ix), 1) != nd:
        what = "input" if fname == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} "
                           "tensor")
    if src is not None and max(src._data.ndim, 1) != max(len(ix), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    x1, i1 = (xs or (1,)), (ix or (1,))
    for i in range(nd):
        if i != d and i1[i] > x1[i]:
            if fname == "gather":
                raise RuntimeError(f"Size does not match at dimension {i} expected index "
                                   f"{_fmt(ix)} to be no larger than self {_fmt(xs)} apart "
                                   f"from dimension {d}")
            break
    else:
        i = None
    s1 = (src._data.shape or (1,)) if src is not None else None
    if i is not None or (s1 is not None and any(a > b for a, b in zip(i1, s1))):
        msg = (f"Expected index {_fmt(ix)} to be no larger than self {_fmt(xs)} apart from "
               f"dimension {d}")
        if src is not None:
            msg += f" and to be no larger size than src {_fmt(src._data.shape)}"
        raise RuntimeError(msg)
    n = x1[d]
    _bounds_error(index._data, n, lambda v: RuntimeError(
        f"index {v} is out of bounds for dimension {d} with size {n}"))
    return d


class Gather(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, dim=0):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(idx)
        xp = _gam(x)
        return _atleast1(x)[_along(xp, _atleast1(idx), dim)].reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        zeros = _make(_gam(g._data).zeros(ctx.shape, g._data.dtype))
        return ScatterAdd.apply(zeros, idx, g, dim=ctx.dim), None


def _scatter_into(out, idx, dim, values, op=None):
    xp = _gam(out)
    i1 = _atleast1(idx)
    pos = _along(xp, i1, dim)
    o1 = _atleast1(out)
    if values.ndim:  # a src tensor: only the part that index covers is read
        values = _prefix(values, i1.shape)
    if op is None:
        o1[pos] = values
    else:
        backend.scatter_reduce(xp, op, o1, pos, values)
    return pos


class Scatter(ArrayFunction):
    """``scatter`` with a src tensor; ``reduce`` ('add'/'multiply') has no gradient, as in
    PyTorch."""

    @staticmethod
    def forward(ctx, x, idx, src, dim=0, reduce=None):
        ctx.dim, ctx.reduce = dim, reduce
        ctx.src_shape = src.shape if backend.is_array(src) else None
        ctx.save_for_backward(idx)
        out = x.copy()
        if not backend.is_array(src):
            src = _scalar_array(_gam(x), src, x.dtype)
        _scatter_into(out, idx, dim, src, reduce)
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ScatterValue.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gs = None
        if len(need) > 2 and need[2]:
            gs = _pad_to(Gather.apply(g, idx, dim=ctx.dim), ctx.src_shape)
        return gx, None, gs


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


class ScatterAdd(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(idx)
        out = x.copy()
        _scatter_into(out, idx, dim, src, "add")
        return out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gs = _pad_to(Gather.apply(g, idx, dim=ctx.dim), ctx.src_shape) if need[2] else None
        return (g if need[0] else None), None, gs


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``torch.gather``: ``out[i][j] = input[index[i][j]][j]`` for dim 0 (and so on).

    ``index`` (int64 or int32) may be smaller than ``input`` in the other dims."""
    from .pointwise import _out
    if sparse_grad:
        raise NotImplementedError("ember: gather(sparse_grad=True) is not supported")
    d = _check_gather_scatter("gather", input, dim, index)
    return _out(Gather.apply(input, index, dim=d), out)


def _check_src_dtype(fname, input, src):
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{fname}(): Expected self.dtype to be equal to src.dtype")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``torch.scatter``: a copy of input with ``src`` (a tensor, or a number ``value``)
    written at ``index`` along ``dim``; ``reduce`` 'add' or 'multiply' combines instead."""
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if isinstance(src, Tensor):
        if reduce is not None:
            warnings.warn("The reduce argument of ember.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "ember.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
        d = _check_gather_scatter("scatter", input, dim, index, src)
        _check_src_dtype("scatter", input, src)
        return Scatter.apply(input, index, src, dim=d, reduce=reduce)
    d = _check_gather_scatter("scatter", input, dim, index)
    return ScatterValue.apply(input, index, src, dim=d, reduce=reduce)


def scatter_add(input, dim, index, src):
    """``torch.scatter_add``: like scatter, with repeated indices accumulated."""
    d = _check_gather_scatter("scatter_add", input, dim, index, src)
    _check_src_dtype("scatter_add", input, src)
    return ScatterAdd.apply(input, index, src, dim=d)


_REDUCE_OPS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
               "amin": "minimum"}


def _identity(xp, reduce, np_dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if np_dtype.kind in "iu":
        info = xp.iinfo(np_dtype)
        return info.min if reduce == "amax" else info.max
    if np_dtype.kind == "b":
        return reduce == "amin"
    return float("-inf") if reduce == "amax" else float("inf")


class ScatterReduce(ArrayFunction):
    """``scatter_reduce`` with PyTorch's gradients (ties of amax/amin share it evenly; prod
    handles zeros; the prod gradient is once differentiable)."""

    @staticmethod
    def forward(ctx, x, idx, src, dim=0, reduce="sum", include_self=True):
        xp = _gam(x)
        out = x.copy()
        o1, i1 = _atleast1(out), _atleast1(idx)
        pos = _along(xp, i1, dim)
        sp = _prefix(_atleast1(src), i1.shape)
        if not include_self:
            o1[pos] = _scalar_array(xp, _identity(xp, reduce, x.dtype), x.dtype)
        backend.scatter_reduce(xp, _REDUCE_OPS[reduce], o1, pos, sp)
        cnt = None
        if reduce == "mean":
            cnt = xp.ones(o1.shape, x.dtype)
            if not include_self:
                cnt[pos] = 0
            backend.scatter_add(xp, cnt, pos, xp.ones(sp.shape, x.dtype))
            if x.dtype.kind in "iu":
                o1 //= cnt
            else:
                o1 /= cnt
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        ctx.src_shape, ctx.cnt = src.shape, cnt
        ctx.once_differentiable = reduce == "prod"
        ctx.save_for_backward(x, idx, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul, div
        x, idx, src, out = ctx.saved_tensors
        dim, reduce, incl = ctx.dim, ctx.reduce, ctx.include_self
        need = ctx.needs_input_grad
        if reduce == "prod":
            return ScatterReduce._prod_backward(ctx, g, x, idx, src, out)

        def gather(t):
            return _pad_to(Gather.apply(t, idx, dim=dim), ctx.src_shape)

        def unscattered(t):  # t with the scattered positions zeroed (self not included)
            return t if incl else ScatterValue.apply(t, idx, 0, dim=dim)

        if reduce in ("sum", "mean"):
            if reduce == "mean":
                g = div(g, _make(ctx.cnt.reshape(g._data.shape)))
            return (unscattered(g) if need[0] else None), None, (gather(g) if need[2] else None)
        # amax / amin: the gradient is shared evenly between all elements equal to the result
        xp = _gam(g._data)
        xd, od = x._data, out._data
        sel_self = (xd == od).astype(g._data.dtype)
        if not incl:
            sel_self = _zero_region_along(sel_self, idx._data, dim)
        sd = _prefix(_atleast1(src._data), _atleast1(idx._data).shape)
        hit = (sd == _atleast1(od)[_along(xp, _atleast1(idx._data), dim)]).astype(g._data.dtype)
        count = _atleast1(sel_self.copy())
        backend.scatter_add(xp, count, _along(xp, _atleast1(idx._data), dim), hit)
        share = div(g, _make(count.reshape(g._data.shape)))
        gx = mul(share, _make(sel_self)) if need[0] else None
        gs = None
        if need[2]:
            gsel = Gather.apply(share, idx, dim=dim)
            gs = _pad_to(mul(gsel, _make(hit.reshape(gsel._data.shape))), ctx.src_shape)
        return gx, None, gs

    @staticmethod
    def _prod_backward(ctx, g, x, idx, src, out):
        # d result / d member = the product of the other members of its group: result / v
        # without zeros, the product of the non-zero members for a lone zero, else 0.
        xp = _gam(g._data)
        dt = g._data.dtype
        dim, incl = ctx.dim, ctx.include_self
        x1, o1, g1 = _atleast1(x._data), _atleast1(out._data), _atleast1(g._data)
        i1 = _atleast1(idx._data)
        pos = _along(xp, i1, dim)
        sp = _prefix(_atleast1(src._data), i1.shape)
        if incl:
            zc = (x1 == 0).astype(dt)
            pnz = xp.where(x1 == 0, 1, x1).astype(dt)
        else:
            zc = xp.zeros(x1.shape, dt)
            pnz = xp.ones(x1.shape, dt)
        backend.scatter_add(xp, zc, pos, (sp == 0).astype(dt))
        backend.scatter_reduce(xp, "multiply", pnz, pos, xp.where(sp == 0, 1, sp).astype(dt))

        def factor(v, zc_v, res_v, pnz_v):
            safe = xp.where(v == 0, 1, v)
            return xp.where(zc_v == 0, res_v / safe, xp.where((zc_v == 1) & (v == 0), pnz_v, 0))

        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            if incl:
                fx = factor(x1, zc, o1, pnz)
            else:  # self is only kept where nothing was scattered
                fx = xp.ones(x1.shape, dt)
                fx[pos] = 0
            gx = _make((g1 * fx).astype(dt).reshape(g._data.shape))
        if need[2]:
            val = (g1[pos] * factor(sp, zc[pos], o1[pos], pnz[pos])).astype(dt)
            full = xp.zeros(_atleast1(src._data).shape, dt)
            full[tuple(slice(0, s) for s in val.shape)] = val
            gs = _make(full.reshape(src._data.shape))
        return gx, None, gs


def _zero_region_along(arr, idx, dim):
    xp = _gam(arr)
    out = _atleast1(arr.copy())
    out[_along(xp, _atleast1(idx), dim)] = 0
    return out.reshape(arr.shape)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``torch.scatter_reduce``: reduce ('sum', 'prod', 'mean', 'amax', 'amin') the src
    values at ``index`` along ``dim`` into a copy of input (with input's own value unless
    ``include_self=False``). Integer 'mean' rounds down, as in PyTorch."""
    if reduce not in _REDUCE_OPS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d = _check_gather_scatter("scatter_reduce", input, dim, index, src)
    _check_src_dtype("scatter_reduce", input, src)
    return ScatterReduce.apply(input, index, src, dim=d, reduce=reduce,
                               include_self=bool(include_self))


# ---------------------------------------------------------------------------------------
# index_select / index_add / index_copy / index_fill

def _dim_key(dim, idx):
    return (_SL,) * dim + (idx,)


def _check_dim_index(fname, input, dim, index, ok_dtypes, dtype_err, ndim_err):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype.name not in ok_dtypes:
        raise dtype_err()
    if index._data.ndim > 1:
        raise ndim_err()
    return _wrap_dim(dim, input._data.ndim)


class IndexSelect(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, dim=0):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(idx)
        out = _gam(x).take(_atleast1(x), idx.reshape(-1), axis=dim)
        return out.reshape(()) if x.ndim == 0 else out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        zeros = _make(_gam(g._data).zeros(ctx.shape, g._data.dtype))
        return IndexAdd.apply(zeros, idx, g, dim=ctx.dim), None


def index_select(input, dim, index, *, out=None):
    """``torch.index_select``: the slices ``index`` (1-D int64/int32) along ``dim``."""
    from .pointwise import _out
    d = _check_dim_index(
        "index_select", input, dim, index, ("int64", "int32"),
        lambda: RuntimeError("index_select(): Expected dtype int32 or int64 for index"),
        lambda: IndexError("index_select(): Index is supposed to be a vector"))
    if input._data.ndim == 0 and index._data.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{index._data.size} value(s)")
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError("index out of range in self"))
    return _out(IndexSelect.apply(input, index, dim=d), out)


class IndexAdd(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0, alpha=1):
        ctx.dim, ctx.alpha = dim, alpha
        ctx.save_for_backward(idx)
        out = x.copy()
        s = _atleast1(src)
        if alpha != 1:
            s = (s * alpha).astype(x.dtype)
        backend.scatter_add(_gam(x), _atleast1(out), _dim_key(dim, idx.reshape(-1)), s)
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gs = None
        if need[2]:
            gs = IndexSelect.apply(g, idx, dim=ctx.dim)
            if ctx.alpha != 1:
                gs = mul(gs, ctx.alpha)
        return (g if need[0] else None), None, gs


def _check_source(fname, input, dim, index, source, numel_err, shape_err):
    xs, ss = input._data.shape, source._data.shape
    ns = ss[dim] if ss else 1
    if index._data.size != ns:
        raise numel_err(index._data.size, ns)
    if max(len(xs), 1) != max(len(ss), 1) or any(
            a != b for i, (a, b) in enumerate(zip(xs, ss)) if i != dim):
        raise shape_err()


def index_add(input, dim, index, source, *, alpha=1):
    """``torch.index_add``: input with ``alpha * source`` added at ``index`` along ``dim``
    (repeated indices accumulate)."""
    d = _check_dim_index(
        "index_add_", input, dim, index, ("int64", "int32"),
        lambda: RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                             f"{_short(index)}"),
        lambda: IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                           f"{index._data.ndim} with type: {_short(index)} and size: "
                           f"{_fmt(index._data.shape)}"))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_short(input)}) and source ({_short(source)}) "
                           "must have the same scalar type")
    _check_source("index_add_", input, d, index, source,
                  lambda n, m: RuntimeError(f"index_add_(): Number of indices ({n}) should be "
                                            f"equal to source.size(dim): ({m}), for dim: {d}"),
                  lambda: RuntimeError("source tensor shape must match self tensor shape, "
                                       "excluding the specified dimension. Got self.shape = "
                                       f"{_fmt(input._data.shape)} source.shape = "
                                       f"{_fmt(source._data.shape)}"))
    n = input._data.shape[d] if input._data.ndim else 1
    # torch's kernel raises IndexError on 0-d/1-d inputs, RuntimeError on the others
    err = IndexError if input._data.ndim <= 1 else RuntimeError
    _bounds_error(index._data, n, lambda v: err(
        f"index {v} is out of bounds for dimension {d} with size {n}"))
    return IndexAdd.apply(input, index, source, dim=d, alpha=alpha)


class IndexFill(ArrayFunction):
    """index_fill with a number or a 0-d tensor value (which gets the summed gradient)."""

    @staticmethod
    def forward(ctx, x, idx, v, dim=0):
        ctx.dim = dim
        ctx.save_for_backward(idx)
        out = x.copy()
        if not backend.is_array(v):
            v = _scalar_array(_gam(x), v, x.dtype)
        _atleast1(out)[_dim_key(dim, idx.reshape(-1))] = v
        return out

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum as _sum
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = IndexFill.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gv = None
        if len(need) > 2 and need[2]:
            gv = _sum(IndexSelect.apply(g, idx, dim=ctx.dim))
        return gx, None, gv


def index_fill(input, dim, index, value):
    """``torch.index_fill``: the slices ``index`` (int64, may be negative) along ``dim`` set
    to ``value`` (a number or a 0-d tensor)."""
    from .pointwise import _to_dtype
    d = _check_dim_index(
        "index_fill_", input, dim, index, ("int64",),
        lambda: IndexError("index_fill_(): Expected dtype int64 for index."),
        lambda: RuntimeError("Index has to be a vector/scalar"))
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        value = _to_dtype(value, input.dtype)
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError(
        f"index {v} is out of bounds for dimension {d} with size {n}"), negative_ok=True)
    return IndexFill.apply(input, index, value, dim=d)


class IndexCopy(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, dim=0):
        ctx.dim = dim
        ctx.save_for_backward(idx)
        out = x.copy()
        _atleast1(out)[_dim_key(dim, idx.reshape(-1))] = _atleast1(src)
        return out

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = IndexFill.apply(g, idx, 0, dim=ctx.dim) if need[0] else None
        gs = IndexSelect.apply(g, idx, dim=ctx.dim) if need[2] else None
        return gx, None, gs


def index_copy(input, dim, index, source):
    """``torch.index_copy``: the slices ``index`` (int64) along ``dim`` replaced by
    ``source`` (the last of repeated indices wins)."""
    d = _check_dim_index(
        "index_copy_", input, dim, index, ("int64",),
        lambda: RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                             f"{_short(index)}"),
        lambda: IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                           f"{index._data.ndim})"))
    if source._data.dtype != input._data.dtype and not _casting_active():
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_short(input)} and (source) {_short(source)}")
    _check_source("index_copy_", input, d, index, source,
                  lambda n, m: IndexError(f"index_copy_(): Number of indices ({n}) should be "
                                          f"equal to source.size(dim) ({m})"),
                  lambda: RuntimeError("index_copy_(): Source/destination tensor must have "
                                       "same slice shapes. Got self.shape = "
                                       f"{_fmt(input._data.shape)} source.shape = "
                                       f"{_fmt(source._data.shape)} for dim {d}."))
    n = input._data.shape[d] if input._data.ndim else 1
    _bounds_error(index._data, n, lambda v: IndexError(
        f"index_copy_(): index {v} is out of bounds for dimension {d} with size {n}"))
    return IndexCopy.apply(input, index, source, dim=d)


# ---------------------------------------------------------------------------------------
# masks

def _broadcast_shape(a, b):
    nd = max(len(a), len(b))
    a = (1,) * (nd - len(a)) + tuple(a)
    b = (1,) * (nd - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _check_mask(mask, msg):
    if not isinstance(mask, Tensor):
        raise TypeError(f"mask must be a Tensor, not {type(mask).__name__}")
    if mask._data.dtype.kind != "b":
        raise RuntimeError(msg(mask))


class MaskedFill(ArrayFunction):
    broadcasting = True

    @staticmethod
    def forward(ctx, x, mask, v):
        ctx.save_for_backward(mask)
        xp = _gam(x)
        if not backend.is_array(v):
            v = _scalar_array(xp, v, x.dtype)
        return xp.where(mask, v, x)

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        mask, = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = _make(_gam(g._data).zeros((), g._data.dtype))
        gx = where(mask, zero, g) if need[0] else None
        gv = where(mask, g, zero) if len(need) > 2 and need[2] else None
        return gx, None, gv


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"


def masked_fill(input, mask, value):
    """``torch.masked_fill``: ``value`` (a number or 0-d tensor, cast to input's dtype) where
    the bool ``mask`` (broadcast with input) is True."""
    from .pointwise import _to_dtype
    _check_mask(mask, lambda m: "masked_fill_ only supports boolean masks, but got mask with "
                f"dtype {_CNAME.get(m.dtype.name, m.dtype.name)}")
    _broadcast_shape(mask._data.shape, input._data.shape)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, mask, _to_dtype(value, input.dtype))
    return MaskedFill.apply(input, mask, value)


def masked_select(input, mask, *, out=None):
    """``torch.masked_select``: the 1-D copy of the elements where ``mask`` (broadcast with
    input) is True."""
    from .pointwise import _out
    from .shape import expand
    _check_mask(mask, lambda m: "masked_select: expected BoolTensor for mask")
    shape = _broadcast_shape(mask._data.shape, input._data.shape)
    x = input if input._data.shape == shape else expand(input, shape)
    m = mask._data if mask._data.shape == shape else _gam(mask._data).broadcast_to(mask._data, shape)
    return _out(MaskedSelect.apply(x, key=None, adv=(_on(_gam(input._data), m),)), out)


class MaskedScatter(ArrayFunction):
    broadcasting = True

    @staticmethod
    def forward(ctx, x, mask, src):
        xp = _gam(x)
        shape = _broadcast_shape(mask.shape, x.shape)
        out = xp.broadcast_to(x, shape).copy()
        m = xp.broadcast_to(mask, shape)
        n = int(m.sum())
        if src.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[m] = src.reshape(-1)[:n]
        ctx.mask, ctx.n, ctx.src_shape = m, n, src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        from .pointwise import where
        from .shape import reshape
        need = ctx.needs_input_grad
        m = _make(ctx.mask)
        gx = gs = None
        if need[0]:
            gx = where(m, _make(_gam(g._data).zeros((), g._data.dtype)), g)
        if need[2]:
            numel = 1
            for s in ctx.src_shape:
                numel *= s
            sel = Index.apply(g, key=None, adv=(ctx.mask,))
            gs = reshape(_pad_to(sel, (numel,)), ctx.src_shape)
        return gx, None, gs


def masked_scatter(input, mask, source):
    """``torch.masked_scatter``: the elements of ``source`` (in order) copied into a copy of
    input where ``mask`` is True."""
    _check_mask(mask, lambda m: "masked_scatter_ only supports boolean masks, but got mask "
                f"with dtype {_short(m)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got {_short(input)} and {_short(source)}")
    return MaskedScatter.apply(input, mask, source)


# ---------------------------------------------------------------------------------------
# nonzero / take / put

def nonzero(input, *, out=None, as_tuple=False):
    """``torch.nonzero``: an int64 (n, ndim) tensor of the indices of non-zero elements, or
    with ``as_tuple`` one 1-D tensor per dim (a 0-d input counts as 1-D there)."""
    from .pointwise import _out
    d = input._data
    xp = _gam(d)
    if as_tuple:
        return tuple(_make(a.astype(xp.int64, copy=False)) for a in xp.nonzero(_atleast1(d)))
    return _out(_make(xp.argwhere(d).astype(xp.int64, copy=False)), out)


def argwhere(input):
    """``torch.argwhere``: ``nonzero(input)``."""
    return nonzero(input)


def _check_long(fname, index):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype.name != "int64":
        raise RuntimeError(f"{fname}(): Expected a long tensor for index, but got "
                           f"{_short(index)}")


def _check_flat_bounds(index, numel):
    _bounds_error(index._data, numel, lambda v: IndexError(
        f"out of range: tried to access index {v} on a tensor of {numel} elements."),
        negative_ok=True)


class Take(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        return x.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        zeros = _make(_gam(g._data).zeros(ctx.shape, g._data.dtype))
        return Put.apply(zeros, idx, g, accumulate=True), None


class Put(ArrayFunction):
    @staticmethod
    def forward(ctx, x, idx, src, accumulate=False):
        ctx.accumulate, ctx.src_shape = accumulate, src.shape
        ctx.save_for_backward(idx)
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            backend.scatter_add(_gam(x), flat, idx.reshape(-1), src.reshape(-1))
        else:
            flat[idx.reshape(-1)] = src.reshape(-1)
        return out

    @staticmethod
    def backward(ctx, g):
        from .shape import reshape
        idx, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            if ctx.accumulate:
                gx = g
            else:
                zeros = _make(_gam(g._data).zeros(ctx.src_shape, g._data.dtype))
                gx = Put.apply(g, idx, zeros)
        if need[2]:
            gs = reshape(Take.apply(g, idx), ctx.src_shape)
        return gx, None, gs


def take(input, index, *, out=None):
    """``torch.take``: ``input.flatten()[index]`` in index's shape (negative indices wrap)."""
    from .pointwise import _out
    _check_long("take", index)
    _check_flat_bounds(index, input._data.size)
    return _out(Take.apply(input, index), out)


def put(input, index, source, accumulate=False):
    """``torch.put``: a copy of input with ``source`` written at the flat ``index``
    (added with ``accumulate``)."""
    _check_long("put_", index)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_short(input)} and source.dtype = {_short(source)}")
    if source._data.size != index._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {index._data.size}")
    _check_flat_bounds(index, input._data.size)
    return Put.apply(input, index, source, accumulate=bool(accumulate))


def take_along_dim(input, indices, dim=None, *, out=None):
    """``torch.take_along_dim``: gather along ``dim`` after broadcasting input and indices in
    the other dims; with ``dim=None`` both are flattened."""
    from .pointwise import _out
    from .shape import expand, reshape
    if indices._data.dtype.name != "int64":
        raise RuntimeError("take_along_dim(): dtype of indices should be Long but got "
                           f"{_short(indices)}")
    if dim is None:
        flat = reshape(input, (-1,))
        idx = reshape(indices, (-1,))
        _check_flat_bounds(idx, flat._data.size)
        return _out(gather(flat, 0, idx), out)
    xs, ix = input._data.shape, indices._data.shape
    if len(xs) != len(ix):
        raise RuntimeError("take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {len(xs)} dimensions for input, and {len(ix)} "
                           "dimensions for indices")
    d = _wrap_dim(dim, len(xs))
    common = list(_broadcast_shape(xs[:d] + (1,) + xs[d + 1:], ix[:d] + (1,) + ix[d + 1:]))
    want_x = tuple(common[:d]) + (xs[d],) + tuple(common[d + 1:]) if xs else ()
    want_i = tuple(common[:d]) + (ix[d],) + tuple(common[d + 1:]) if ix else ()
    x = input if xs == want_x else expand(input, want_x)
    idx = indices if ix == want_i else _make(_gam(indices._data).broadcast_to(indices._data, want_i))
    return _out(gather(x, d, idx), out)


# ---------------------------------------------------------------------------------------
# in-place forms (through pointwise.apply_inplace: leaf checks, version bump, rebasing)

def _inplace(fn):
    from .pointwise import _make_inplace
    return _make_inplace(fn)


scatter_ = _inplace(scatter)
scatter_add_ = _inplace(scatter_add)
scatter_reduce_ = _inplace(scatter_reduce)
index_add_ = _inplace(index_add)
index_copy_ = _inplace(index_copy)
index_fill_ = _inplace(index_fill)
masked_fill_ = _inplace(masked_fill)
masked_scatter_ = _inplace(masked_scatter)
put_ = _inplace(put)


METHODS = (
    "gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce",
    "scatter_reduce_", "index_select", "index_add", "index_add_", "index_copy", "index_copy_",
    "index_fill", "index_fill_", "masked_fill", "masked_fill_", "masked_select",
    "masked_scatter", "masked_scatter_", "nonzero", "argwhere", "take", "take_along_dim",
    "put", "put_", "index_put", "index_put_",
)

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter", "nonzero",
    "argwhere", "take", "take_along_dim", "put", "index_put", "index_put_",
]
