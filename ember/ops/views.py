"""Autograd for in-place writes through views (PyTorch's CopySlices).

When ``v = base[...]`` (any view) is modified in place while autograd records, the
base's graph must learn about it: the base gets a ``CopySlices`` node whose backward
sends the gradient of the written region to the new value and the rest to the old base,
and the view is re-derived from the new base. The region is described by its element
offset and strides inside the base's memory, so this works for every kind of view.
"""
from .. import backend
from .._tensor import _make
from ..autograd.function import ArrayFunction, _bump

_gam = backend.get_array_module


def _geometry(view_arr, base_arr):
    """(offset, shape, strides) of ``view_arr`` inside contiguous ``base_arr``, in elements."""
    item = base_arr.itemsize
    if backend.device_type_of(base_arr) == "cpu":
        start = view_arr.__array_interface__["data"][0] - base_arr.__array_interface__["data"][0]
    else:
        start = view_arr.data.ptr - base_arr.data.ptr
    return start // item, view_arr.shape, tuple(s // item for s in view_arr.strides)


def _region(xp, flat_arr, geom):
    offset, shape, strides = geom
    item = flat_arr.itemsize
    return xp.lib.stride_tricks.as_strided(flat_arr[offset:], shape,
                                           tuple(s * item for s in strides))


class CopySlices(ArrayFunction):
    """The base after a write of ``value`` into one of its views (already done in memory)."""

    node_name = "CopySlices"
    once_differentiable = True

    @staticmethod
    def forward(ctx, base, value, geom=None):
        ctx.geom = geom
        return base.view()

    @staticmethod
    def backward(ctx, g):
        xp = _gam(g._data)
        full = xp.array(g._data, order="C", copy=True)
        flat = full.reshape(-1)
        region = _region(xp, flat, ctx.geom)
        g_value = xp.array(region, copy=True)
        region[...] = 0
        return _make(full), _make(g_value), None


class StridedView(ArrayFunction):
    """A view of a contiguous base by offset and strides (PyTorch's AsStridedBackward0)."""

    node_name = "AsStridedBackward0"
    view_of = 0
    once_differentiable = True

    @staticmethod
    def forward(ctx, base, geom=None):
        ctx.geom, ctx.shape, ctx.dtype = geom, base.shape, base.dtype
        return _region(_gam(base), base.reshape(-1), geom)

    @staticmethod
    def backward(ctx, g):
        xp = _gam(g._data)
        full = xp.zeros(ctx.shape, ctx.dtype)
        region = _region(xp, full.reshape(-1), ctx.geom)
        region += g._data
        return _make(full)


def rebase_view(view, new_value):
    """Write ``new_value`` (a Tensor with ``view``'s shape and dtype) into ``view`` and record
    it on the base's graph. The caller has done PyTorch's leaf checks."""
    base = view._base
    if not base._data.flags.c_contiguous:
        raise NotImplementedError("ember: in-place modification through a view of a "
                                  "non-contiguous tensor while autograd records is not "
                                  "supported; make the base contiguous first")
    geom = _geometry(view._data, base._data)
    view._data[...] = new_value._data
    node_out = CopySlices.apply(base, new_value, geom=geom)
    base.grad_fn = node_out.grad_fn
    base._output_nr = 0
    base._rg = True
    fresh = StridedView.apply(base, geom=geom)
    view.grad_fn = fresh.grad_fn
    view._output_nr = 0
    view._rg = True
    _bump(view)
    return view
