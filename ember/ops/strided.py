"""Strided views and the view-scatter family: as_strided, unfold, select, the ``*_scatter``
ops, the ``*_copy`` variants and the storage geometry queries (issue 17).

Storage, as ember sees it: the memory of the array at the end of a tensor's NumPy
``.base`` chain (``backend.storage_root``). ``storage_offset()`` is the element distance
from its start; ``as_strided(size, stride, storage_offset)`` views that memory anew, with
PyTorch's bounds and stride checks. Tensors made by ember agree with PyTorch; where ember
differs: ``from_numpy`` of a NumPy view counts its offset from the viewed array's start
(PyTorch starts the storage at the view).

Gradients follow PyTorch's ``as_strided_backward``: the output gradient is summed into a
flat buffer over the storage positions the output covers and read back at the positions
the input covers (divided by how often the input reads each position when it overlaps
itself). It is written with ember ops (index_add, take), so double backward works.

``ViewScatter``: ``out = input.clone(); view(out).copy_(src)`` as one op whose backward
is the same scatter of the gradient with zeros plus the view of the gradient, so
select_scatter / slice_scatter / diagonal_scatter / as_strided_scatter are twice
differentiable. ``*_copy`` variants are ``clone(view(...))`` from one factory.
"""
import builtins
import operator

from .. import backend
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.function import ArrayFunction
from ._common import fmt_shape as _fmt

_gam = backend.get_array_module


def _ints(seq, fname, argname):
    if isinstance(seq, int):
        seq = (seq,)
    try:
        return tuple(operator.index(s) for s in seq)
    except TypeError:
        raise TypeError(f"{fname}(): argument '{argname}' must be tuple of ints, not "
                        f"{type(seq).__name__}") from None


def _check_tensor(x, fname, argname="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


# ---------------------------------------------------------------------------------------
# storage geometry

def storage_offset(input):
    """``Tensor.storage_offset``: elements between the storage start and the first element."""
    d = input._data
    root = backend.storage_root(d)
    return (backend.data_address(d) - backend.data_address(root)) // d.itemsize


def _positions(xp, shape, strides, offset):
    """Flat storage positions (int64 array of ``shape``) of a strided geometry."""
    pos = xp.full(tuple(shape), offset, dtype=xp.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        ix = xp.arange(n, dtype=xp.int64) * s
        pos = pos + ix.reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _check_geometry(fname, size, stride, offset, itemsize, storage_bytes):
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"{fname}: Negative strides are not supported at the moment, got "
                           f"strides: {_fmt(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(size)}: {_fmt(size)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    need = 0 if any(n == 0 for n in size) else \
        offset + 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    if need * itemsize > storage_bytes:
        raise RuntimeError(f"setStorage: sizes {_fmt(size)}, strides {_fmt(stride)}, storage "
                           f"offset {offset}, and itemsize {itemsize} requiring a storage size "
                           f"of {need * itemsize} are out of bounds for storage of size "
                           f"{storage_bytes}")


def _strided_array(x, size, stride, offset, fname="as_strided"):
    root = backend.storage_root(x)
    item = x.itemsize
    _check_geometry(fname, size, stride, offset, item, backend.storage_nbytes(root))
    return backend.view_of_storage(root, x.dtype, size, tuple(s * item for s in stride),
                                   offset * item)


def _geometry_of(arr):
    item = arr.itemsize
    root = backend.storage_root(arr)
    off = (backend.data_address(arr) - backend.data_address(root)) // item
    return arr.shape, tuple(s // item for s in arr.strides), off


class AsStrided(ArrayFunction):
    """A view of the input's storage with new sizes, strides and offset."""

    node_name = "AsStridedBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, size=(), stride=(), offset=0):
        ctx.in_geom = _geometry_of(x)
        ctx.out_geom = (size, stride, offset)
        return _strided_array(x, size, stride, offset)

    @staticmethod
    def backward(ctx, g):
        return _as_strided_grad(g, ctx.in_geom, ctx.out_geom)


def _as_strided_grad(g, in_geom, out_geom):
    from .scatter import index_add
    from .indexing import take
    from .creation import zeros
    xp = _gam(g._data)
    in_shape, in_stride, in_off = in_geom
    pos_out = _make(_positions(xp, *out_geom).reshape(-1))
    pos_in_arr = _positions(xp, in_shape, in_stride, in_off)
    n = 1 + max([int(pos_out._data.max()) if pos_out._data.size else 0,
                 int(pos_in_arr.max()) if pos_in_arr.size else 0])
    flat = index_add(zeros(n, dtype=g.dtype, device=g.device), 0, pos_out, g.reshape(-1))
    pos_in = _make(pos_in_arr)
    flat_in = pos_in_arr.reshape(-1)
    if flat_in.size and xp.unique(flat_in).size != flat_in.size:   # the input overlaps itself
        counts = xp.bincount(flat_in, minlength=n).astype(g._data.dtype)
        flat = flat / _make(xp.maximum(counts, 1))
    return take(flat, pos_in)


def as_strided(input, size, stride, storage_offset=None):
    """``torch.as_strided``: a view of ``input``'s storage (see the module docstring)."""
    _check_tensor(input, "as_strided")
    size = _ints(size, "as_strided", "size")
    stride = _ints(stride, "as_strided", "stride")
    off = globals()["storage_offset"](input) if storage_offset is None else \
        operator.index(storage_offset)
    return AsStrided.apply(input, size=size, stride=stride, offset=off)


def as_strided_(input, size, stride, storage_offset=None):
    """``Tensor.as_strided_``: this tensor now views its storage with the new geometry."""
    out = as_strided(input, size, stride, storage_offset)
    input._data = out._data
    if out.grad_fn is not None:
        input.grad_fn, input._output_nr = out.grad_fn, 0
    return input


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """``torch.empty_strided``: fresh memory just large enough for the geometry, viewed
    with it (values uninitialised; ember's are zeros)."""
    from .creation import zeros
    size = _ints(size, "empty_strided", "size")
    stride = _ints(stride, "empty_strided", "stride")
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    need = 0 if any(n == 0 for n in size) else \
        1 + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    buf = zeros(need, dtype=dtype, device=device)
    out = _make(_strided_array(buf._data, size, stride, 0, "empty_strided"))
    return out.requires_grad_(True) if requires_grad else out


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False):
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device,
                         requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------
# unfold (the sliding-window view)

class Unfold(ArrayFunction):
    """Windows of ``size`` every ``step`` along ``dim``, appended as a last dim (a view)."""

    node_name = "UnfoldBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0, size=1, step=1):
        ctx.args = (x.shape, dim, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
        st = x.strides
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
        return _gam(x).lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        return UnfoldBackward.apply(g, args=ctx.args)


class UnfoldBackward(ArrayFunction):
    """Sum window gradients back onto the positions they cover (Unfold's adjoint)."""

    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, args=None):
        ctx.args = args
        shape, dim, size, step = args
        xp = _gam(g)
        if len(shape) == 0:
            return g.reshape(())
        out = xp.zeros(shape, g.dtype)
        n = g.shape[dim]
        moved = xp.moveaxis(g, -1, dim + 1)       # (..., n, size, ...)
        for k in builtins.range(size):
            piece = xp.take(moved, k, axis=dim + 1)
            key = (slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)
            out[key] += piece
        return out

    @staticmethod
    def backward(ctx, gg):
        _, dim, size, step = ctx.args
        return Unfold.apply(gg, dim=dim, size=size, step=step)


def unfold(input, dimension, size, step):
    """``Tensor.unfold(dimension, size, step)``: every ``size``-long window along
    ``dimension``, ``step`` apart, as a new last dim of a view."""
    nd = input._data.ndim
    d = _wrap_dim(dimension, nd)
    length = input._data.shape[d] if nd else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim=d, size=size, step=step)


# ---------------------------------------------------------------------------------------
# select and the view-scatter family

def select(input, dim, index):
    """``torch.select``: the view at ``index`` along ``dim`` (that dim removed)."""
    _check_tensor(input, "select")
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    size = input._data.shape[d]
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_fmt(input._data.shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


class _View:
    """One view, given on arrays (forward) and on Tensors (backward, with ember ops)."""

    def __init__(self, array, tensor):
        self.array, self.tensor = array, tensor


class ViewScatter(ArrayFunction):
    """``input`` with ``src`` written into ``view(input)`` (a copy)."""

    @staticmethod
    def forward(ctx, x, src, view=None):
        ctx.view = view
        out = _gam(x).array(x, copy=True, order="C")
        view.array(out)[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros_like
        view = ctx.view
        g_src = view.tensor(g)
        g_x = type(ctx).apply(g, zeros_like(g_src), view=view)
        return g_x, g_src


class SelectScatter(ViewScatter):
    node_name = "SelectScatterBackward0"


class SliceScatter(ViewScatter):
    node_name = "SliceScatterBackward0"


class DiagonalScatter(ViewScatter):
    node_name = "DiagonalScatterBackward0"


class AsStridedScatter(ViewScatter):
    node_name = "AsStridedScatterBackward0"


def _scatter(cls, fname, input, src, view):
    _check_tensor(input, fname)
    _check_tensor(src, fname, "src")
    want = tuple(view.tensor(input.detach()).shape)
    if tuple(src.shape) != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{_fmt(src.shape)}, slice size = {_fmt(want)}")
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return cls.apply(input, src, view=view)


def select_scatter(input, src, dim, index):
    """``torch.select_scatter``: a copy of ``input`` with ``src`` at ``index`` along ``dim``."""
    _check_tensor(input, "select_scatter")
    select(input.detach(), dim, index)    # PyTorch's range checks
    d = _wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (operator.index(index),)
    return _scatter(SelectScatter, "select_scatter", input, src,
                    _View(lambda a: a[key], lambda t: t[key]))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``torch.slice_scatter``: a copy of ``input`` with ``src`` at ``start:end:step``."""
    _check_tensor(input, "slice_scatter")
    if step is None:
        step = 1
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, max(input._data.ndim, 1))
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter(SliceScatter, "slice_scatter", input, src,
                    _View(lambda a: a[key], lambda t: t[key]))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``torch.diagonal_scatter``: a copy of ``input`` with ``src`` on a diagonal."""
    from .shape import _diag_view, _diag_dims, diagonal
    _check_tensor(input, "diagonal_scatter")
    d1, d2 = _diag_dims(dim1, dim2, input._data.ndim)
    return _scatter(DiagonalScatter, "diagonal_scatter", input, src,
                    _View(lambda a: _diag_view(a, offset, d1, d2),
                          lambda t: diagonal(t, offset, d1, d2)))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``torch.as_strided_scatter``: a copy of ``input`` with ``src`` written into
    ``input.as_strided(size, stride, storage_offset)``; the copy is C-contiguous, so
    ``storage_offset`` counts from its first element (as PyTorch for contiguous inputs)."""
    from .pointwise import clone_tensor
    _check_tensor(input, "as_strided_scatter")
    size = _ints(size, "as_strided_scatter", "size")
    stride = _ints(stride, "as_strided_scatter", "stride")
    off = 0 if storage_offset is None else operator.index(storage_offset)
    _check_geometry("as_strided_scatter", size, stride, off, input._data.itemsize,
                    input._data.nbytes)

    def arr_view(a):
        return _strided_array(a, size, stride, off)

    def t_view(t):
        return as_strided(clone_tensor(t) if t._data.base is not None or
                          not t._data.flags.c_contiguous else t, size, stride, off)
    return _scatter(AsStridedScatter, "as_strided_scatter", input, src, _View(arr_view, t_view))


# ---------------------------------------------------------------------------------------
# the *_copy variants: the view op, then a contiguous copy (PyTorch's functionalization ops)

def _copy_variant(view_fn, name):
    def fn(*args, out=None, **kwargs):
        from .pointwise import clone_tensor
        if out is not None:
            raise NotImplementedError(f"ember.{name}: out= is not supported")
        res = view_fn(*args, **kwargs)
        if isinstance(res, (tuple, list)):
            return [clone_tensor(r) for r in res]
        return clone_tensor(res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``torch.{name}``: ``{name[:-5]}`` followed by a copy (the result shares "
                  "no memory with the input).")
    return fn


def _view_copy_fn(input, size, *, dtype=None):
    return input.reshape(size) if dtype is None else input.view(dtype)


def _slice_view(input, dim=0, start=None, end=None, step=1):
    d = _wrap_dim(dim, input._data.ndim)
    return input[(slice(None),) * d + (slice(start, end, step),)]


def _build_copies():
    from . import shape as sh, complex as cx
    from .pointwise import clone_tensor  # noqa: F401
    views = {
        "alias_copy": lambda input: input.view(input.shape),
        "as_strided_copy": as_strided,
        "detach_copy": lambda input: input.detach(),
        "diagonal_copy": sh.diagonal,
        "expand_copy": lambda input, size, *, implicit=False: sh.expand(input, size),
        "permute_copy": sh.permute,
        "select_copy": select,
        "slice_copy": _slice_view,
        "split_copy": sh.split,
        "split_with_sizes_copy": lambda input, split_sizes, dim=0: sh.split(
            input, list(split_sizes), dim),
        "squeeze_copy": sh.squeeze,
        "t_copy": sh.t,
        "transpose_copy": sh.transpose,
        "unbind_copy": sh.unbind,
        "unfold_copy": unfold,
        "unsqueeze_copy": sh.unsqueeze,
        "view_as_complex_copy": cx.view_as_complex,
        "view_as_real_copy": cx.view_as_real,
        "view_copy": _view_copy_fn,
    }
    return {name: _copy_variant(fn, name) for name, fn in views.items()}


COPY_VARIANTS = _build_copies()
globals().update(COPY_VARIANTS)


def narrow_copy(input, dim, start, length):
    """``torch.narrow_copy``: ``narrow`` as a new tensor."""
    from .shape import narrow
    from .pointwise import clone_tensor
    return clone_tensor(narrow(input, dim, start, length))


# ---------------------------------------------------------------------------------------
# sum_to_size

def sum_to_size(input, *size):
    """``Tensor.sum_to_size(*size)``: sum broadcast dims away so the result has ``size``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = _ints(size, "sum_to_size", "size")
    shape = tuple(input.shape)
    lead = len(shape) - len(size)
    ok = lead >= 0 and all(s == 1 or s == n for s, n in zip(size, shape[lead:]))
    if not ok:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    dims = list(builtins.range(lead)) + [lead + i for i, s in enumerate(size)
                                         if s == 1 and shape[lead + i] != 1]
    out = input.sum(dims, keepdim=True) if dims else input
    return out.reshape(size) if lead else out


# ---------------------------------------------------------------------------------------
# fill_diagonal_

def fill_diagonal_(input, fill_value, wrap=False):
    """``Tensor.fill_diagonal_``: write ``fill_value`` on the main diagonal (all dims equal,
    or a 2-D matrix; ``wrap=True`` restarts the diagonal every ``cols + 1`` rows of a tall
    matrix, as PyTorch and NumPy). Differentiable: the diagonal's gradient is zero."""
    from .pointwise import apply_inplace
    from .indexing import masked_fill
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError("dimensions must larger than 1")
    if nd > 2 and len(set(input._data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    xp = _gam(input._data)
    mask = xp.zeros(input._data.shape, dtype=bool)
    if nd == 2:
        rows, cols = mask.shape
        step = cols + 1
        limit = rows * cols if wrap or rows <= cols else cols * cols
        mask.reshape(-1)[:limit:step] = True
    else:
        idx = xp.arange(mask.shape[0])
        mask[(idx,) * nd] = True
    m = _make(mask)
    return apply_inplace(input, lambda s: masked_fill(s, m, fill_value))


METHODS = ("fill_diagonal_", "storage_offset", "as_strided", "as_strided_", "as_strided_scatter",
           "new_empty_strided", "unfold", "select", "select_scatter", "slice_scatter",
           "diagonal_scatter", "narrow_copy", "sum_to_size")

__all__ = ["as_strided", "as_strided_", "as_strided_scatter", "empty_strided", "select",
           "select_scatter", "slice_scatter", "diagonal_scatter", "narrow_copy"] + \
    list(COPY_VARIANTS)
