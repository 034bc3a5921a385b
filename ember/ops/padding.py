"""``pad`` (``torch.nn.functional.pad``): 'constant' (any number of dims, negative pads
crop), 'reflect', 'replicate' and 'circular' (the last 1-3 dims, PyTorch's rules and
messages for negative pads), each with a differentiable backward.
"""
from .. import backend
from ..autograd.dispatch import composite
from ..autograd.function import ArrayFunction
from ._common import check_tensor as _check_tensor

_gam = backend.get_array_module

__all__ = ["pad"]


def _pad_specs(shape, pad):
    """[(axis, left, right)] for the trailing axes, last axis first (PyTorch's order)."""
    nd = len(shape)
    return [(nd - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def _crop_index(ndim, specs):
    """Index removing the negative pads of ``specs`` (applied to a same-axis array)."""
    idx = [slice(None)] * ndim
    for ax, l, r in specs:
        idx[ax] = slice(max(-l, 0), r if r < 0 else None)
    return tuple(idx)


def _constant_pad(x, specs, value):
    xp = _gam(x)
    shape = list(x.shape)
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    for ax, l, r in specs:
        n = shape[ax]
        shape[ax] = n + l + r
        a, b = max(-l, 0), n - max(-r, 0)
        src[ax] = slice(a, max(a, b))
        dst[ax] = slice(max(l, 0), max(l, 0) + max(b - a, 0))
    out = xp.full(shape, value, x.dtype) if value else xp.zeros(shape, x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


def _border_steps(out_ndim, specs):
    """For each padded axis in order: (axis, l, r, n, region), where region indexes the
    other axes (full for axes already filled, interior for those still to do)."""
    region = [slice(None)] * out_ndim
    for ax, l, _r, n in specs:
        region[ax] = slice(l, l + n)
    steps = []
    for ax, l, r, n in specs:
        steps.append((ax, l, r, n, list(region)))
        region[ax] = slice(None)
    return steps


def _at(region, ax, s):
    idx = list(region)
    idx[ax] = s
    return tuple(idx)


def _rev(start, stop):
    """slice(start, stop, -1) that treats stop == -1 as 'through index 0'."""
    return slice(start, stop if stop >= 0 else None, -1)


def _fill_borders(out, specs, mode):
    """Fill the borders of ``out`` (interior already written) for non-negative pads."""
    for ax, l, r, n, reg in _border_steps(out.ndim, specs):
        if l:
            if mode == "reflect":
                src = _rev(2 * l, l)
            elif mode == "replicate":
                src = slice(l, l + 1)
            else:
                src = slice(n, n + l)
            out[_at(reg, ax, slice(0, l))] = out[_at(reg, ax, src)]
        if r:
            e = l + n
            if mode == "reflect":
                src = _rev(e - 2, e - 2 - r)
            elif mode == "replicate":
                src = slice(e - 1, e)
            else:
                src = slice(l, l + r)
            out[_at(reg, ax, slice(e, e + r))] = out[_at(reg, ax, src)]


def _fold_borders(g, specs, mode):
    """Adjoint of _fill_borders: add each border's gradient onto its source (in place)."""
    for ax, l, r, n, reg in reversed(_border_steps(g.ndim, specs)):
        e = l + n
        if r:
            part = g[_at(reg, ax, slice(e, e + r))]
            if mode == "reflect":
                g[_at(reg, ax, _rev(e - 2, e - 2 - r))] += part
            elif mode == "replicate":
                g[_at(reg, ax, slice(e - 1, e))] += part.sum(axis=ax, keepdims=True)
            else:
                g[_at(reg, ax, slice(l, l + r))] += part
        if l:
            part = g[_at(reg, ax, slice(0, l))]
            if mode == "reflect":
                g[_at(reg, ax, _rev(2 * l, l))] += part
            elif mode == "replicate":
                g[_at(reg, ax, slice(l, l + 1))] += part.sum(axis=ax, keepdims=True)
            else:
                g[_at(reg, ax, slice(n, n + l))] += part


def _positive(specs, shape):
    return [(ax, max(l, 0), max(r, 0), shape[ax]) for ax, l, r in specs]


def _interior(ndim, pos):
    idx = [slice(None)] * ndim
    for ax, l, _r, n in pos:
        idx[ax] = slice(l, l + n)
    return tuple(idx)


def _mode_pad(x, specs, mode):
    """reflect/replicate: pad the positive parts, then crop the negative ones (PyTorch's
    index formula on the original input); circular: crop first, then pad."""
    xp = _gam(x)
    if mode == "circular":
        x = x[_crop_index(x.ndim, specs)]
        specs = [(ax, max(l, 0), max(r, 0)) for ax, l, r in specs]
    pos = _positive(specs, x.shape)
    shape = list(x.shape)
    for ax, l, r, n in pos:
        shape[ax] = n + l + r
    out = xp.empty(shape, x.dtype)
    out[_interior(out.ndim, pos)] = x
    _fill_borders(out, pos, mode)
    if any(l < 0 or r < 0 for _, l, r in specs):
        out = xp.ascontiguousarray(out[_crop_index(out.ndim, specs)])
    return out


def _mode_pad_adjoint(g, specs, mode, in_shape):
    """The gradient of _mode_pad: (output-shaped g) -> input-shaped sum."""
    xp = _gam(g)
    if mode == "circular":
        cropped = list(in_shape)
        for ax, l, r in specs:
            cropped[ax] = in_shape[ax] - max(-l, 0) - max(-r, 0)
        pspecs = [(ax, max(l, 0), max(r, 0)) for ax, l, r in specs]
        pos = _positive(pspecs, cropped)
        buf = g.copy()
        _fold_borders(buf, pos, mode)
        inner = buf[_interior(g.ndim, pos)]
        if tuple(cropped) == tuple(in_shape):
            return xp.ascontiguousarray(inner)
        out = xp.zeros(in_shape, g.dtype)
        out[_crop_index(len(in_shape), specs)] = inner
        return out
    pos = _positive(specs, in_shape)
    full = list(in_shape)
    for ax, l, r, n in pos:
        full[ax] = n + l + r
    if tuple(full) == tuple(g.shape):
        buf = g.copy()
    else:
        buf = xp.zeros(full, g.dtype)
        buf[_crop_index(len(full), specs)] = g
    _fold_borders(buf, pos, mode)
    return xp.ascontiguousarray(buf[_interior(buf.ndim, pos)])


class _ConstantPad(ArrayFunction):
    """pad(mode='constant'); its gradient is the opposite constant pad (crop)."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, specs=None, value=0):
        if ctx.needs_input_grad:
            ctx.specs = specs
        return _constant_pad(x, specs, value)

    @staticmethod
    def backward(ctx, g):
        return _ConstantPad.apply(g, specs=[(ax, -l, -r) for ax, l, r in ctx.specs], value=0)


class _ModePad(ArrayFunction):
    """pad(mode='reflect'|'replicate'|'circular')."""

    node_name = "PadBackward0"

    @staticmethod
    def forward(ctx, x, specs=None, mode=None):
        if ctx.needs_input_grad:
            ctx.specs, ctx.mode, ctx.in_shape = specs, mode, x.shape
        return _mode_pad(x, specs, mode)

    @staticmethod
    def backward(ctx, g):
        return _ModePadGrad.apply(g, specs=ctx.specs, mode=ctx.mode, in_shape=ctx.in_shape)


class _ModePadGrad(ArrayFunction):
    """The gradient of _ModePad as an op (so double backward works)."""

    node_name = "PadBackwardBackward0"

    @staticmethod
    def forward(ctx, g, specs=None, mode=None, in_shape=None):
        if ctx.needs_input_grad:
            ctx.specs, ctx.mode = specs, mode
        return _mode_pad_adjoint(g, specs, mode, in_shape)

    @staticmethod
    def backward(ctx, gg):
        return _ModePad.apply(gg, specs=ctx.specs, mode=ctx.mode)


_PAD_COMBOS = ("Supported combinations for non-constant padding:\n"
               "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
               "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
               "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


@composite("pad")
def pad(input, pad, mode="constant", value=None):
    """``torch.nn.functional.pad``: ``pad`` lists (left, right) pairs from the last dimension
    backwards; negative values crop. Modes 'constant' (any dims), 'reflect', 'replicate',
    'circular' (the last 1, 2 or 3 dims of a 2-3, 3-4 or 4-5 dimensional input)."""
    _check_tensor(input, "pad", "input", 1)
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    shape = tuple(input.shape)
    specs = _pad_specs(shape, pad)
    if mode == "constant":
        for ax, l, r in specs:
            if shape[ax] + l + r < 0:
                raise RuntimeError(f"The input size {shape[ax]}, plus negative padding {l} and "
                                   f"{r} resulted in a negative output size, which is invalid. "
                                   f"Check dimension {ax} of your input.")
        return _ConstantPad.apply(input, specs=specs, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input "
                                  f"tensor.\n" + _PAD_COMBOS)
    if mode != "circular" and any(s == 0 for s in shape[1:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    for ax, l, r in specs:
        n = shape[ax]
        if mode == "reflect" and (l >= n or r >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({l}, {r}) at dimension {ax} "
                               f"of input {list(shape)}")
        if mode == "circular":
            n = n - max(-l, 0) - max(-r, 0)
            if l > n or r > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
        if shape[ax] + l + r < 0 or (mode == "circular" and n <= 0):
            raise RuntimeError(f"input tensor is too small for padding {list(pad)} of dimension "
                               f"{ax} (size {shape[ax]})")
    return _ModePad.apply(input, specs=specs, mode=mode)
