"""Shape ops: view/reshape, squeeze/unsqueeze, permute/transpose, expand, cat/stack, split ...

PyTorch's semantics throughout:
  * view-producing ops (view, reshape/flatten when possible, transpose, permute, expand,
    squeeze, unsqueeze, narrow, diagonal, split/chunk/unbind pieces) return NumPy views of
    the input (``view_of = 0``): writes through them change the base, and they share its
    version counter;
  * ``view`` refuses layouts that would need a copy, with PyTorch's RuntimeError, using
    PyTorch's own stride rule (``computeStride``); ``reshape`` copies there instead;
  * flip, roll, repeat, tril/triu, cat/stack copy, as in PyTorch;
  * errors carry PyTorch's exception types and messages (``ember`` in place of ``torch``).

Where ember differs: ``expand``/``broadcast_to`` views are read-only NumPy arrays (PyTorch
refuses most in-place writes into them too, but with a different message); the in-place
shape methods (``squeeze_``, ``unsqueeze_``, ``t_``, ``transpose_``) are not provided.
"""
import operator
import warnings

from .. import backend
from .._dtype import dtype as _dtype_cls, promote_types
from .._tensor import Tensor, _make, _wrap_dim, _legacy_type_name
from ..autograd.function import ArrayFunction
from ._common import fmt_shape as _fmt
from ..autograd.dispatch import composite

_gam = backend.get_array_module


# ---------------------------------------------------------------------------------------
# argument helpers

def _int_list(seq, fname, argname):
    out = []
    for i, s in enumerate(seq):
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{fname}(): argument '{argname}' must be tuple of ints, but found "
                            f"element of type {type(s).__name__} at pos {i}") from None
    return tuple(out)


def _size_args(args, kw, fname, argname):
    """Sizes given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)`` or ``argname=``."""
    if kw is not None:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument '{argname}'")
        args = (kw,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return _int_list(args, fname, argname)


def _dim_list(dims, ndim):
    """An int or a sequence of dims, wrapped; duplicates raise PyTorch's RuntimeError."""
    if isinstance(dims, (tuple, list)):
        out = tuple(_wrap_dim(operator.index(d), ndim) for d in dims)
    else:
        out = (_wrap_dim(operator.index(dims), ndim),)
    if len(set(out)) != len(out):
        seen = set()
        for d in out:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return out


def _infer_size(shape, numel):
    """Resolve one -1 in ``shape`` against ``numel`` elements (PyTorch's ``infer_size``)."""
    newsize, infer = 1, None
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            newsize *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
    if numel == newsize or (infer is not None and newsize > 0 and numel % newsize == 0):
        if infer is None:
            return shape
        if newsize == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_fmt(shape)} "
                               "because the unspecified dimension size -1 can be any value and "
                               "is ambiguous")
        return shape[:infer] + (numel // newsize,) + shape[infer + 1:]
    raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")


def _can_view(oldshape, oldstride, newshape):
    """Whether ``newshape`` can view memory laid out as (oldshape, oldstride).

    PyTorch's ``computeStride``: the old dims split into chunks that are contiguous with
    each other; a view exists when each chunk maps onto whole new dims.
    """
    numel = 1
    for s in oldshape:
        numel *= s
    if numel == 0 or not oldshape:
        return True
    view_d = len(newshape) - 1
    chunk_base = oldstride[-1]
    tensor_numel = view_numel = 1
    for d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[d]
        if d == 0 or (oldshape[d - 1] != 1 and oldstride[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                chunk_base = oldstride[d - 1]
                tensor_numel = view_numel = 1
    return view_d == -1


def _slice_key(dim, start, stop):
    return (slice(None),) * dim + (slice(start, stop),)


# ---------------------------------------------------------------------------------------
# view / reshape / flatten

class View(ArrayFunction):
    """A view with a new shape (the caller checked that no copy is needed)."""

    node_name = "ViewBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape)


Reshape = View  # the name earlier code used


class ReshapeCopy(View):
    """reshape() of a layout no view can describe: a contiguous copy, as in PyTorch."""

    node_name = "UnsafeViewBackward0"
    view_of = None

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return _gam(x).ascontiguousarray(x).reshape(shape)


def _reshape(input, shape, copy_ok):
    data = input._data
    shape = _infer_size(shape, data.size)
    if data.flags.c_contiguous or _can_view(data.shape, data.strides, shape):
        return View.apply(input, shape=shape)
    if copy_ok:
        return ReshapeCopy.apply(input, shape=shape)
    raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                       "least one dimension spans across two contiguous subspaces). Use "
                       ".reshape(...) instead.")


@composite("reshape")
def reshape(input, *args, shape=None):
    """``torch.reshape`` / ``Tensor.reshape(*shape)``: a view when possible, else a copy."""
    if not args and shape is None:
        from ._args import missing
        raise missing("reshape", "shape")
    return _reshape(input, _size_args(args, shape, "reshape", "shape"), True)


@composite("view")
def view(input, *shape, size=None):
    """``Tensor.view(*shape)`` (never copies) and ``Tensor.view(dtype)``."""
    if len(shape) == 1 and isinstance(shape[0], _dtype_cls):
        return _view_dtype(input, shape[0])
    return _reshape(input, _size_args(shape, size, "view", "size"), False)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


class ViewDtype(ArrayFunction):
    """Reinterpret the bytes as another dtype; like PyTorch, not differentiable."""

    view_of = 0
    differentiable_outputs = ()

    @staticmethod
    def forward(ctx, x, np_dtype=None):
        return x.view(np_dtype)


def _view_dtype(input, dtype):
    from .._dtype import to_dtype
    dtype = to_dtype(dtype)
    data = input._data
    old, new = data.dtype.itemsize, dtype.itemsize
    if old != new:
        what = f"to view {_legacy_name(input.dtype)} as {_legacy_name(dtype)} (different element sizes)"
        if data.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if new > old and data.shape[-1] % (new // old):
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} {what}, but got "
                               f"{data.shape[-1]}")
        if data.shape[-1] != 1 and data.strides[-1] != old:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{data.strides[-1] // old}")
    return ViewDtype.apply(input, np_dtype=dtype.np)


def _legacy_name(d):
    return _legacy_type_name(d)[len("ember."):-len("Tensor")]


@composite("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """``torch.flatten``: a 0-d input becomes 1-D; start_dim == end_dim returns the input."""
    shape = input._data.shape
    nd = len(shape)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if nd == 0:
        return reshape(input, (1,))
    if s == e:
        return input
    n = 1
    for v in shape[s:e + 1]:
        n *= v
    return _reshape(input, shape[:s] + (n,) + shape[e + 1:], True)


@composite("unflatten")
def unflatten(input, dim, sizes):
    """``torch.unflatten``: split dim ``dim`` into ``sizes`` (one may be -1); always a view."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _int_list(sizes, "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_size(sizes, shape[d])
    except RuntimeError as err:
        if "only one dimension" in str(err):
            raise
        raise RuntimeError(f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[d]}) in the input tensor") from None
    return _reshape(input, shape[:d] + sizes + shape[d + 1:], False)


def ravel(input):
    """``torch.ravel``: 1-D, contiguous; a view when the input is contiguous."""
    return _reshape(input, (-1,), True)


class Contiguous(ArrayFunction):
    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return _gam(x).ascontiguousarray(x)

    @staticmethod
    def backward(ctx, g):
        return g


def contiguous(input, memory_format=None):
    """``Tensor.contiguous``: the tensor itself when already contiguous, else a copy.
    ``memory_format=ember.channels_last`` (or ``channels_last_3d``) gives the NHWC-strided
    copy PyTorch gives (see ember/_formats.py)."""
    if memory_format is not None:
        from .. import _formats
        _formats.check_memory_format(memory_format, "contiguous")
        if memory_format is _formats.preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        if memory_format is not _formats.contiguous_format:
            return _formats.to_memory_format(input, memory_format)
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


# ---------------------------------------------------------------------------------------
# squeeze / unsqueeze

class Squeeze(ArrayFunction):
    node_name = "SqueezeBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, axes=()):
        ctx.in_shape = x.shape
        return _gam(x).squeeze(x, axis=axes) if axes else x.view()  # never x itself

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape)


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


def squeeze(input, dim=None):
    """``torch.squeeze``: drop size-1 dims (all, one, or a tuple); other dims are kept."""
    shape = input._data.shape
    if dim is None:
        cls, dims = Squeeze, range(len(shape))
    elif isinstance(dim, (tuple, list)):
        cls, dims = SqueezeDims, _dim_list(dim, len(shape))
    else:
        cls, dims = SqueezeDim, (_wrap_dim(dim, len(shape)),)
    axes = tuple(d for d in dims if shape and shape[d] == 1)
    return cls.apply(input, axes=axes)


class Unsqueeze(ArrayFunction):
    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0):
        ctx.in_shape = x.shape
        return x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])  # always a view

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape)


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, dim=_wrap_dim(dim, input._data.ndim + 1))


def atleast_1d(*tensors):
    return _atleast(tensors, lambda t: reshape(t, (1,)) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    return _atleast(tensors, lambda t: reshape(t, (1,) * (2 - t.ndim) + tuple(t.shape))
                    if t.ndim < 2 else t)


def atleast_3d(*tensors):
    def to3(t):
        if t.ndim == 0:
            return reshape(t, (1, 1, 1))
        if t.ndim == 1:
            return reshape(t, (1, t.shape[0], 1))
        if t.ndim == 2:
            return unsqueeze(t, -1)
        return t
    return _atleast(tensors, to3)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    return tuple(fn(t) for t in tensors)


# ---------------------------------------------------------------------------------------
# transpose / permute / movedim

class Transpose(ArrayFunction):
    view_of = 0

    @staticmethod
    def forward(ctx, x, d0=0, d1=1):
        ctx.d = (d0, d1)
        return _gam(x).swapaxes(x, d0, d1)

    @staticmethod
    def backward(ctx, g):
        return Transpose.apply(g, d0=ctx.d[0], d1=ctx.d[1])


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    if nd == 0:
        return View.apply(input, shape=())
    return Transpose.apply(input, d0=d0, d1=d1)


def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    return transpose(input, dim0, dim1)


class TransposeT(ArrayFunction):
    node_name = "TBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x):
        return x.T if x.ndim == 2 else x.view()

    @staticmethod
    def backward(ctx, g):
        return TransposeT.apply(g)


def t(input):
    """``torch.t``: transpose a 2-D tensor; 0-D and 1-D tensors come back as views of themselves."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return TransposeT.apply(input)


class Permute(ArrayFunction):
    view_of = 0

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return Permute.apply(g, dims=tuple(inv))


def permute(input, *args, dims=None):
    """``torch.permute(input, dims)`` and ``Tensor.permute(*dims)``."""
    if dims is None and not args:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _size_args(args, dims, "permute", "dims")
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def movedim(input, source, destination):
    """``torch.movedim``: move dims to new positions; the others keep their order."""
    nd = input._data.ndim
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_fmt(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({_fmt(dst)} dims)")
    src_w = tuple(_wrap_dim(d, nd) for d in src)
    dst_w = tuple(_wrap_dim(d, nd) for d in dst)
    if len(set(src_w)) != len(src_w):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_fmt(src)})")
    if len(set(dst_w)) != len(dst_w):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_fmt(dst)})")
    if nd == 0:
        return Permute.apply(input, dims=())
    order = [-1] * nd
    for s, d in zip(src_w, dst_w):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src_w)
    order = [o if o != -1 else next(rest) for o in order]
    return Permute.apply(input, dims=tuple(order))


def moveaxis(input, source, destination):
    return movedim(input, source, destination)


_T_WARNED = set()


def _warn_once(msg):
    if msg not in _T_WARNED:
        _T_WARNED.add(msg)
        warnings.warn(msg, UserWarning, stacklevel=3)


def numpy_T(input):
    """``Tensor.T``: reverse all dims (PyTorch deprecates it for ndim != 2 and warns once)."""
    nd = input._data.ndim
    if nd == 0:
        _warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                   "these cases.")
    elif nd != 2:
        _warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                   "shape is deprecated and it will throw an error in a future release. "
                   "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch."
                   "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.")
    return Permute.apply(input, dims=tuple(range(nd - 1, -1, -1)))


def _need_matrix(input, what):
    if input._data.ndim < 2:
        raise RuntimeError(f"{what} is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")


def matrix_T(input):
    """``Tensor.mT``: transpose of the last two dims."""
    _need_matrix(input, "tensor.mT")
    return transpose(input, -2, -1)


def matrix_H(input):
    """``Tensor.mH``: conjugate transpose of the last two dims."""
    from .pointwise import conj
    _need_matrix(input, "tensor.mH")
    return conj(transpose(input, -2, -1))


def numpy_H(input):
    """``Tensor.H``: conjugate transpose of a matrix (0-D: identity, with a warning)."""
    from .pointwise import conj
    nd = input._data.ndim
    if nd == 0:
        _warn_once("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
        return conj(input)
    if nd != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           "tensor." + (" For batches of matrices, consider using tensor.mH"
                                        if nd > 2 else ""))
    return conj(transpose(input, 0, 1))


def adjoint(input):
    """``torch.adjoint``: conjugate transpose of the last two dims."""
    from .pointwise import conj
    _need_matrix(input, "tensor.adjoint()")
    return conj(transpose(input, -2, -1))


# ---------------------------------------------------------------------------------------
# expand / broadcast / repeat

class Expand(ArrayFunction):
    """A read-only broadcast view; the gradient sums over the expanded dims."""

    view_of = 0

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        if x.shape == shape:
            return x.view()
        return backend.broadcast_to(_gam(x), x, shape)

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum as _sum
        shape = ctx.in_shape
        lead = g.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and g.shape[i + lead] != 1)
        if dims:
            g = _sum(g, dims, keepdim=True)
        if lead:
            g = reshape(g, shape)
        return g


def _expand_shape(input, sizes):
    cur = input._data.shape
    nd, lead = len(sizes), len(sizes) - len(cur)
    if lead < 0:
        raise RuntimeError(f"expand({_legacy_type_name(input.dtype)}{{{_fmt(cur)}}}, "
                           f"size={_fmt(sizes)}): the number of sizes provided ({nd}) must be "
                           f"greater or equal to the number of dimensions in the tensor "
                           f"({len(cur)})")
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.append(s)
            continue
        c = cur[i - lead]
        if s == -1:
            s = c
        elif c != s and c != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({c}) at non-singleton dimension {i}.  Target sizes: "
                               f"{_fmt(sizes)}.  Tensor sizes: {_fmt(cur)}")
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{_fmt(sizes)}")
        out.append(s)
    return tuple(out)


@composite("expand")
def expand(input, *sizes, size=None, implicit=False):
    """``Tensor.expand(*sizes)``: a broadcast view; -1 keeps a dim's size."""
    if not sizes and size is None:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _size_args(sizes, size, "expand", "size")
    return Expand.apply(input, shape=_expand_shape(input, sizes))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    """``torch.broadcast_shapes``: the common shape of ``shapes`` (each a tuple or int)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for i, v in enumerate(s):
            j = nd - len(s) + i
            if v != 1:
                if out[j] != 1 and out[j] != v:
                    raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single "
                                       f"shape.  Mismatch is between {_fmt(out)} and {_fmt(s)}")
                out[j] = v
    from .._tensor import Size
    return Size(out)


def broadcast_tensors(*tensors):
    """``torch.broadcast_tensors``: every input expanded (as a view) to the common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        s = t._data.shape
        nd = max(len(shape), len(s))
        a = (1,) * (nd - len(shape)) + tuple(shape)
        b = (1,) * (nd - len(s)) + s
        new = []
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                   f"({y}) at non-singleton dimension {i}")
            new.append(y if x == 1 else x)
        shape = tuple(new)
    return tuple(Expand.apply(t, shape=shape) for t in tensors)


class Repeat(ArrayFunction):
    @staticmethod
    def forward(ctx, x, repeats=None):
        ctx.in_shape = x.shape
        lead = len(repeats) - x.ndim
        xr = x.reshape((1,) * lead + x.shape)
        ctx.shape = xr.shape
        ctx.repeats = repeats
        return _gam(x).tile(xr, repeats)

    @staticmethod
    def backward(ctx, g):
        from .reduction import sum as _sum
        inter = []
        for r, s in zip(ctx.repeats, ctx.shape):
            inter += [r, s]
        g = reshape(g, tuple(inter))
        if inter:
            g = _sum(g, tuple(range(0, len(inter), 2)))
        return reshape(g, ctx.in_shape)


def repeat(input, *args, repeats=None):
    """``Tensor.repeat(*repeats)``: tile the data (copy); len(repeats) >= input.dim()."""
    reps = _size_args(args, repeats, "repeat", "repeats")
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    lead = len(reps) - input._data.ndim
    shape = (1,) * lead + input._data.shape
    out = [r * s for r, s in zip(reps, shape)]
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{min(out)}: {_fmt(out)}")
    return Repeat.apply(input, repeats=reps)


def tile(input, *args, dims=None):
    """``torch.tile``: like repeat, with missing leading dims taken as 1."""
    if not args and dims is None:
        from ._args import missing
        raise missing("tile", "dims")
    reps = _size_args(args, dims, "tile", "dims")
    nd = input._data.ndim
    if len(reps) < nd:
        reps = (1,) * (nd - len(reps)) + reps
    return repeat(input, reps)


# ---------------------------------------------------------------------------------------
# cat / stack

def _check_tensor_list(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


def _promoted(tensors):
    """The inputs cast (differentiably) to their common PyTorch dtype."""
    first = tensors[0]._data.dtype
    if all(x._data.dtype == first for x in tensors):
        return tensors
    from .pointwise import _to_dtype
    d = tensors[0].dtype
    for x in tensors[1:]:
        d = promote_types(d, x.dtype)
    return [_to_dtype(x, d) for x in tensors]


def _no_out(out, fname):
    if out is not None:
        raise NotImplementedError(f"ember.{fname}(out=...) is not supported")


class Cat(ArrayFunction):
    @staticmethod
    def forward(ctx, *arrays, dim=0, skip=()):
        ctx.dim = dim
        ctx.sizes = [None if i in skip else a.shape[dim] for i, a in enumerate(arrays)]
        kept = [a for i, a in enumerate(arrays) if i not in skip]
        return _gam(arrays[0]).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, pos = [], 0
        for n in ctx.sizes:
            if n is None:   # a skipped empty 1-D input: an empty gradient
                out.append(_make(_gam(g._data).zeros((0,), g._data.dtype)))
            else:
                out.append(Slice.apply(g, dim=ctx.dim, start=pos, stop=pos + n))
                pos += n
        return tuple(out)


def cat(tensors, dim=0, *, out=None):
    """``torch.cat``: join along ``dim``; inputs are promoted to a common dtype, and
    1-D empty tensors are skipped (PyTorch's legacy rule) but still shape the dtype."""
    _no_out(out, "cat")
    tensors = _check_tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("ember.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skip = tuple(i for i, x in enumerate(tensors) if x._data.shape == (0,))
    if len(skip) == len(tensors):
        skip, d = skip[1:], 0
    else:
        ref_i = next(i for i in range(len(tensors)) if i not in skip)
        ref = tensors[ref_i]._data.shape
        d = _wrap_dim(dim, len(ref))
        for i, x in enumerate(tensors):
            if i in skip:
                continue
            s = x._data.shape
            if len(s) != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got "
                                   f"{len(ref)} and {len(s)}")
            for ax in range(len(ref)):
                if ax != d and s[ax] != ref[ax]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                       f"Expected size {ref[ax]} but got size {s[ax]} for tensor "
                                       f"number {i} in the list.")
    return Cat.apply(*_promoted(tensors), dim=d, skip=skip)


def concat(tensors, dim=0, *, out=None):
    return cat(tensors, dim, out=out)


def concatenate(tensors, axis=0, *, dim=None, out=None):
    return cat(tensors, axis if dim is None else dim, out=out)


class Stack(ArrayFunction):
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        return _gam(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return unbind(g, ctx.dim)


def stack(tensors, dim=0, *, out=None):
    """``torch.stack``: join equal-shaped tensors along a new dim (dtypes promoted)."""
    _no_out(out, "stack")
    tensors = _check_tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_fmt(ref)} "
                               f"at entry 0 and {_fmt(x._data.shape)} at entry {i}")
    return Stack.apply(*_promoted(tensors), dim=_wrap_dim(dim, len(ref) + 1))


def _nonempty(tensors, fname):
    tensors = _check_tensor_list(tensors, fname)
    if not tensors:
        raise RuntimeError(f"{fname} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    """``torch.hstack``: cat along dim 1 (dim 0 for 1-D inputs) after atleast_1d."""
    _no_out(out, "hstack")
    ts = atleast_1d(_nonempty(tensors, "hstack"))
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """``torch.vstack``: cat along dim 0 after atleast_2d."""
    _no_out(out, "vstack")
    return cat(atleast_2d(_nonempty(tensors, "vstack")), 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """``torch.dstack``: cat along dim 2 after atleast_3d."""
    _no_out(out, "dstack")
    return cat(atleast_3d(_nonempty(tensors, "dstack")), 2)


def column_stack(tensors, *, out=None):
    """``torch.column_stack``: 0-D/1-D inputs become columns, then hstack."""
    _no_out(out, "column_stack")
    ts = _nonempty(tensors, "column_stack")
    return hstack([reshape(x, (x.numel(), 1)) if x.ndim <= 1 else x for x in ts])


# ---------------------------------------------------------------------------------------
# slicing views: narrow, split, chunk, tensor_split, unbind

class Slice(ArrayFunction):
    """input[..., start:stop, ...] along one dim, as a view."""

    node_name = "SliceBackward0"
    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0, start=0, stop=0):
        ctx.args = (x.shape, dim, start, stop)
        return x[_slice_key(dim, start, stop)]

    @staticmethod
    def backward(ctx, g):
        shape, dim, start, stop = ctx.args
        return SliceScatter.apply(g, shape=shape, dim=dim, start=start, stop=stop)


class SliceScatter(ArrayFunction):
    """Zeros of ``shape`` with ``g`` written at [start:stop] along ``dim`` (Slice's gradient)."""

    @staticmethod
    def forward(ctx, g, shape=None, dim=0, start=0, stop=0):
        ctx.args = (dim, start, stop)
        out = _gam(g).zeros(shape, g.dtype)
        out[_slice_key(dim, start, stop)] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        dim, start, stop = ctx.args
        return Slice.apply(gg, dim=dim, start=start, stop=stop)


def narrow(input, dim, start, length):
    """``torch.narrow``: the view input[..., start:start+length, ...]; start may be negative
    or a 0-d integer tensor."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, nd)
    size = input._data.shape[d]
    start = operator.index(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return Slice.apply(input, dim=d, start=start, stop=start + length)


class Split(ArrayFunction):
    """Pieces [start:stop] along one dim, each a view of the input."""

    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0, bounds=()):
        ctx.args = (x.shape, dim, bounds)
        return tuple(x[_slice_key(dim, a, b)] for a, b in bounds)

    @staticmethod
    def backward(ctx, *grads):
        shape, dim, bounds = ctx.args
        tiled = all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1))
        if tiled and bounds[0][0] == 0 and bounds[-1][1] == shape[dim]:
            if len(grads) == 1:
                return grads[0]
            return Cat.apply(*grads, dim=dim, skip=())
        from .pointwise import add
        total = None
        for g, (a, b) in zip(grads, bounds):
            piece = SliceScatter.apply(g, shape=shape, dim=dim, start=a, stop=b)
            total = piece if total is None else add(total, piece)
        return total


class SplitWithSizes(Split):
    node_name = "SplitWithSizesBackward0"


class TensorSplit(Split):
    node_name = "SliceBackward0"


def _split_dim(input, dim, fname):
    if input._data.ndim == 0:
        raise RuntimeError(f"{fname} expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, input._data.ndim)
    return d, input._data.shape[d]


def _bounds(sizes):
    out, pos = [], 0
    for n in sizes:
        out.append((pos, pos + n))
        pos += n
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """``torch.split``: pieces of ``split_size`` (the last may be smaller), or of the
    listed sizes; every piece is a view."""
    if isinstance(split_size_or_sections, (tuple, list)):
        return _split_with_sizes(tensor, split_size_or_sections, dim)
    d, size = _split_dim(tensor, dim, "split")
    n = operator.index(split_size_or_sections)
    if n < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
    if n == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {size}")
    count = max(-(-size // n), 1) if n else 1
    sizes = [n] * (count - 1) + [size - n * (count - 1)]
    return Split.apply(tensor, dim=d, bounds=_bounds(sizes))


def _split_with_sizes(tensor, sizes, dim):
    d, size = _split_dim(tensor, dim, "split")
    sizes = _int_list(sizes, "split_with_sizes", "split_sizes")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={_fmt(sizes)}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={_fmt(sizes)}")
    return SplitWithSizes.apply(tensor, dim=d, bounds=_bounds(sizes))


def chunk(input, chunks, dim=0):
    """``torch.chunk``: at most ``chunks`` pieces of equal size (the last may be smaller)."""
    d, size = _split_dim(input, dim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if size == 0:
        return SplitWithSizes.apply(input, dim=d, bounds=((0, 0),) * chunks)
    return split(input, -(-size // chunks), d)


def tensor_split(input, indices_or_sections, dim=0):
    """``torch.tensor_split``: ``n`` near-equal sections, or cuts at the given indices
    (a list, or a 0-d/1-d integer tensor); every piece is a view."""
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {spec._data.ndim} dims")
        spec = spec.item() if spec._data.ndim == 0 else spec.tolist()
    if isinstance(spec, (tuple, list)):
        cuts = [0] + list(_int_list(spec, "tensor_split", "indices")) + [size]
        bounds = []
        for a, b in zip(cuts[:-1], cuts[1:]):
            a, b, _ = slice(a, b).indices(size)
            bounds.append((a, max(a, b)))
        return TensorSplit.apply(input, dim=d, bounds=tuple(bounds))
    n = operator.index(spec)
    if n <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {n}")
    q, r = divmod(size, n)
    return TensorSplit.apply(input, dim=d, bounds=_bounds([q + 1] * r + [q] * (n - r)))


class Unbind(ArrayFunction):
    view_of = 0

    @staticmethod
    def forward(ctx, x, dim=0):
        ctx.dim = dim
        return tuple(_gam(x).moveaxis(x, dim, 0))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, dim=ctx.dim)


def unbind(input, dim=0):
    """``torch.unbind``: a tuple of views, one per index along ``dim``."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, dim=_wrap_dim(dim, input._data.ndim))


# ---------------------------------------------------------------------------------------
# flip / roll (copies)

class Flip(ArrayFunction):
    @staticmethod
    def forward(ctx, x, dims=()):
        ctx.dims = dims
        return _gam(x).flip(x, axis=dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, dims=ctx.dims)


def flip(input, *args, dims=None):
    """``torch.flip(input, dims)`` / ``Tensor.flip(*dims)``: a reversed copy."""
    if dims is None:
        if not args:
            from ._args import missing
            raise missing("flip", "dims")
        dims = args[0] if len(args) == 1 else args
    nd = input._data.ndim
    dims = _dim_list(dims, nd)
    return Flip.apply(input, dims=dims if nd else ())


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, dims=(1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, dims=(0,))


class Roll(ArrayFunction):
    @staticmethod
    def forward(ctx, x, shifts=(), dims=None):
        ctx.shifts, ctx.dims = shifts, dims
        return _gam(x).roll(x, shifts if dims is not None else shifts[0], axis=dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


def roll(input, shifts, dims=None):
    """``torch.roll``: shift elements cyclically; with no dims the tensor is rolled flat."""
    shifts = _int_list(shifts, "roll", "shifts") if isinstance(shifts, (tuple, list)) else (
        operator.index(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts=shifts, dims=None)
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Roll.apply(input, shifts=shifts, dims=tuple(_wrap_dim(d, nd) for d in dims))


# ---------------------------------------------------------------------------------------
# triangles and diagonals

class Tril(ArrayFunction):
    @staticmethod
    def forward(ctx, x, k=0):
        ctx.k = k
        return _gam(x).tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return Tril.apply(g, k=ctx.k)


class Triu(ArrayFunction):
    @staticmethod
    def forward(ctx, x, k=0):
        ctx.k = k
        return _gam(x).triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return Triu.apply(g, k=ctx.k)


def tril(input, diagonal=0, *, out=None):
    """``torch.tril``: zero the elements above the ``diagonal``-th diagonal (last two dims)."""
    _no_out(out, "tril")
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, k=operator.index(diagonal))


def triu(input, diagonal=0, *, out=None):
    """``torch.triu``: zero the elements below the ``diagonal``-th diagonal (last two dims)."""
    _no_out(out, "triu")
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, k=operator.index(diagonal))


def _diag_view(x, offset, d1, d2):
    """A writable diagonal view (NumPy's diagonal() is read-only by default)."""
    v = _gam(x).diagonal(x, offset, d1, d2)
    flags = getattr(v, "flags", None)
    if flags is not None and getattr(flags, "writeable", True) is False:
        try:
            flags.writeable = True
        except ValueError:  # the base itself is read-only (an expanded tensor)
            pass
    return v


class Diagonal(ArrayFunction):
    view_of = 0

    @staticmethod
    def forward(ctx, x, offset=0, d1=0, d2=1):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        shape, offset, d1, d2 = ctx.args
        return DiagonalScatter.apply(g, shape=shape, offset=offset, d1=d1, d2=d2)


class DiagonalCopy(Diagonal):
    """torch.diag of a matrix: the diagonal as a new tensor."""

    node_name = "DiagonalBackward0"
    view_of = None

    @staticmethod
    def forward(ctx, x, offset=0, d1=0, d2=1):
        ctx.args = (x.shape, offset, d1, d2)
        return _gam(x).diagonal(x, offset, d1, d2).copy()


class DiagonalScatter(ArrayFunction):
    """Zeros of ``shape`` with ``g`` on the given diagonal (the gradient of diagonal)."""

    @staticmethod
    def forward(ctx, g, shape=None, offset=0, d1=0, d2=1):
        ctx.args = (offset, d1, d2)
        out = _gam(g).zeros(shape, g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        offset, d1, d2 = ctx.args
        return Diagonal.apply(gg, offset=offset, d1=d1, d2=d2)


class DiagEmbed(DiagonalScatter):
    node_name = "DiagEmbedBackward0"


def _diag_dims(dim1, dim2, nd):
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """``torch.diagonal``: a view of a diagonal of the (dim1, dim2) planes, appended last."""
    d1, d2 = _diag_dims(dim1, dim2, input._data.ndim)
    return Diagonal.apply(input, offset=operator.index(offset), d1=d1, d2=d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """``torch.diag_embed``: the last dim of ``input`` placed on a diagonal of new planes."""
    nd = input._data.ndim + 1
    d1, d2 = _diag_dims(dim1, dim2, nd)
    n = input._data.shape[-1] + abs(offset)
    rest = iter(input._data.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(rest) for i in range(nd))
    return DiagEmbed.apply(input, shape=shape, offset=offset, d1=d1, d2=d2)


def diag(input, diagonal=0, *, out=None):
    """``torch.diag``: 1-D -> square matrix with it on a diagonal; 2-D -> that diagonal (copy)."""
    _no_out(out, "diag")
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return DiagonalCopy.apply(input, offset=operator.index(diagonal), d1=0, d2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """``torch.repeat_interleave``: each element (or slice along ``dim``) repeated
    ``repeats`` times (an int or a 1-D tensor of counts); ``dim=None`` flattens first.
    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated by counts.
    The result is an ``index_select`` of the input, so it is differentiable."""
    from .indexing import index_select
    xp = _gam(input._data)
    if repeats is None:                   # the one-tensor form: indices repeated
        counts = input._data
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if counts.dtype.kind not in "iu":
            raise RuntimeError("repeats has to be Long or Int tensor")
        if counts.size and int(counts.min()) < 0:
            raise RuntimeError("repeats can not be negative")
        return _make(xp.repeat(xp.arange(counts.shape[0], dtype=xp.int64), counts))
    x = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else dim % max(x._data.ndim, 1)
    n = x._data.shape[axis] if x._data.ndim else 1
    if isinstance(repeats, Tensor):
        counts = repeats._data
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if counts.ndim == 0 or counts.size == 1:
            counts = xp.full((n,), int(counts.reshape(())), dtype=xp.int64)
        elif counts.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.shape[0]} and input.size({axis}) = {n}")
    else:
        counts = xp.full((n,), operator.index(repeats), dtype=xp.int64)
    if counts.size and int(counts.min()) < 0:
        raise RuntimeError("repeats can not be negative")
    index = _make(xp.repeat(xp.arange(n, dtype=xp.int64), counts))
    if output_size is not None and index.shape[0] != output_size:
        raise RuntimeError("allocated size does not match required size")
    if x._data.ndim == 0:
        x = x.reshape(1)
    return index_select(x, axis, index)


# ---------------------------------------------------------------------------------------

# Tensor methods (the function itself becomes the method).
METHODS = (
    "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "ravel", "contiguous",
    "squeeze", "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint",
    "movedim", "moveaxis", "expand", "expand_as", "broadcast_to", "repeat", "tile", "split",
    "tensor_split", "chunk", "narrow", "unbind", "flip", "fliplr", "flipud", "roll", "tril",
    "triu", "diagonal", "diag", "diag_embed", "repeat_interleave",
)

# Functions exported as ``ember.<name>``: those torch has at top level.
__all__ = [
    "reshape", "flatten", "unflatten", "ravel", "squeeze", "unsqueeze", "permute",
    "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim", "moveaxis",
    "broadcast_to", "tile", "split", "tensor_split", "chunk", "narrow", "unbind", "flip",
    "fliplr", "flipud", "roll", "tril", "triu", "diagonal", "diag", "diag_embed", "cat",
    "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
    "column_stack", "broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d",
    "atleast_3d", "repeat_interleave",
]
