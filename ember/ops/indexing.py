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
from .._dtype import BOOL_NP, INTEGRAL_NP, int32 as _int32, int64 as _int64, uint8 as _uint8
from .._tensor import Tensor, _make, _wrap_dim, _legacy_type_name
from ..autograd.function import ArrayFunction, _bump
from ..autograd.grad_mode import _state
from ..autograd._dual_level import level as _fw_level
from ._common import broadcast_shape as _broadcast_shape, fmt_shape as _fmt
from ._common import no_grad_op
from .pointwise import _make_inplace as _inplace

_gam = backend.get_array_module
_on = backend.on
_SL = slice(None)
_U8 = _uint8.np
_I64NP = _int64.np
_INDEX_NP = frozenset((_int32.np, _int64.np))   # the integer index dtypes PyTorch accepts

_SHORT = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
          "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_CNAME = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
          "uint8": "unsigned char", "float32": "float", "float64": "double",
          "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}


def _short(t):
    return _SHORT.get(t.dtype.name, t.dtype.name)


# ---------------------------------------------------------------------------------------
# keys: PyTorch's reading of ``x[key]``

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
    dt = arr.dtype
    if dt in BOOL_NP:
        return _on(xp, arr)
    if dt == _U8:
        warnings.warn("indexing with dtype ember.uint8 is now deprecated, please use a dtype "
                      "ember.bool instead.", UserWarning, stacklevel=3)
        return _on(xp, arr.astype(bool))
    if dt not in _INDEX_NP:
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
        elif isinstance(it, int) or type(it) is slice or it.dtype not in BOOL_NP:
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
        elif it.dtype in BOOL_NP:
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
    shapes = [(int(a.sum()),) if a.dtype in BOOL_NP else a.shape for a in arrays]
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
    return all(a is _SL or a.dtype in BOOL_NP for a in adv)


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
    if np_dtype in INTEGRAL_NP and type(value) is int:
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
    fw = _fw_level[0]
    if fw is not None and fw.bypass:
        fw = None                   # a write nested in one being handled
    elif fw is not None:                          # forward AD: the same write on the tangents
        from ..autograd.forward_ad import _partial_write_tangent
        entry = _partial_write_tangent(fw, input, value,
                                       lambda arr, v: _write(arr, key, adv, v, accumulate))
        if entry is not None:
            input._fw_tangent = entry
        fw.bypass = True                        # the write's own nodes need no tangent
    try:
        record = _check_write(input, value, adv is not None or kind in ("alias", "index"))
        if record and input._base is not None:
            # A write into a view: do it on a copy, then let the base's graph record it.
            from .pointwise import clone_tensor
            from .views import rebase_view
            return rebase_view(input, _put(clone_tensor(input), key, adv, kind, value,
                                           accumulate, node))
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
    finally:
        if fw is not None:
            fw.bypass = False


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
# helpers shared with ops/scatter.py (gather, scatter, index_*)

def _atleast1(a):
    return a.reshape(1) if a.ndim == 0 else a


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


# ---------------------------------------------------------------------------------------
# masks

def _check_mask(mask, msg):
    if not isinstance(mask, Tensor):
        raise TypeError(f"mask must be a Tensor, not {type(mask).__name__}")
    if mask._data.dtype not in BOOL_NP:
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
    if as_tuple:
        return NonzeroTuple.apply(input)
    return _out(Nonzero.apply(input), out)


Nonzero = no_grad_op(__name__, "Nonzero", lambda d: _gam(d).argwhere(d).astype(_I64NP, copy=False))
NonzeroTuple = no_grad_op(__name__, "NonzeroTuple", lambda d: tuple(
    a.astype(_I64NP, copy=False) for a in _gam(d).nonzero(_atleast1(d))))


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
# gather / scatter / index_select / index_add / index_copy / index_fill live in
# ops/scatter.py (which imports this module's key and write helpers); re-exported here.

from .scatter import (Gather, Scatter, ScatterValue, ScatterAdd, ScatterReduce,  # noqa: E402,F401
                      IndexSelect, IndexAdd, IndexFill, IndexCopy, gather, scatter, scatter_add,
                      scatter_reduce, index_select, index_add, index_fill, index_copy)


# ---------------------------------------------------------------------------------------
# in-place forms (through pointwise.apply_inplace: leaf checks, version bump, rebasing)

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
