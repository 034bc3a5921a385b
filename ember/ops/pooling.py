"""Pooling: max, average, adaptive, power-average pooling and max-unpooling
(``torch.nn.functional``), for 1, 2 and 3 spatial dims, batched or not.

How it is computed. Every pooling here is separable: the window of an output element is
a product of one window per spatial dim, so a max (or sum) over it is a max (sum) along
the last spatial dim, then along the one before, and so on. Each such *stage* loops over
the kernel offsets ``t`` of its dim (never over pixels): offset ``t`` of every window is
one strided slice of the (padded) input, so a stage is ``k`` whole-array ufunc calls.
Adaptive pooling with windows of varying size reads offset ``t`` with a gather instead.

Max pooling records, per stage, which offset won (bool for two offsets, else int8...).
Ties go to the first offset and NaN wins (the last NaN), per stage; the composition of
these per-dim choices is exactly PyTorch's row-major choice (first maximum, or last NaN).
A fully -inf window that starts in the left padding points at its first real element, as
PyTorch. ``return_indices`` turns the per-stage offsets into PyTorch's flat per-plane
indices. The backward pass undoes the stages in reverse: stage ``t`` slices get the
gradient where offset ``t`` won. Backward of every pooling is itself a Function whose
backward is the forward map again (all these maps are linear in the gradient), so double
backward works.

PyTorch's output-size rule is followed (``ceil_mode``: the last window must start inside
the input or the left padding), as are its argument checks and error messages. One
difference: a window with no element inside the input (possible only with dilation and
padding) gives -inf and drops its gradient, where PyTorch's index (and gradient) points
at an element outside the window.
Average pooling of float16/bfloat16 sums in float32, as PyTorch's CPU kernels do.

The ``geo=`` plan (``_Geo``) passed to apply is a contract for dispatch modes (ONNX
export, the profiler): ``kernel_size``, ``stride``, ``padding``, ``dilation``,
``ceil_mode``, ``output_size``, ``adaptive``, ``count_include_pad``, ``divisor_override``
in PyTorch's names and meaning (see the class docstring); other attributes are internal.
"""
import functools
import math
import operator
import sys

import numpy

from .. import backend
from .._dtype import (BOOL_NP, EXACT_NP, FLOATING_NP, INTEGRAL_NP, NATIVE_FLOATING_NP,
                     compute_dtype)
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ..autograd.dispatch import composite
from . import pointwise as _pw
from ._common import fmt_shape as _fmt_shape
from ._host_threads import in_two_threads, two_threads_ok

_gam = backend.get_array_module
_on = backend.on
_F32 = numpy.dtype(numpy.float32)

# ---------------------------------------------------------------------------------------
# geometry: one window plan per spatial dim


class _Win:
    """Regular windows along one axis: output ``j`` reads padded positions ``j*s + t*d``
    for ``t < k``. The input (length ``L``) sits at ``[lo, lo + L)`` of the padded axis
    (length ``Lp``, long enough for every window)."""

    adaptive = False
    __slots__ = ("L", "k", "s", "d", "lo", "o", "Lp", "slices", "whole")

    def __init__(self, L, k, s, d, lo, o):
        self.L, self.k, self.s, self.d, self.lo, self.o = L, k, s, d, lo, o
        self.Lp = max(lo + L, (o - 1) * s + (k - 1) * d + 1) if o > 0 else lo + L
        self.slices = tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t in range(k))
        self.whole = o == 1 and k == L and lo == 0 and d == 1

    def pick(self, xp, a, axis, t):
        return a[(slice(None),) * axis + (self.slices[t],)]

    def first_valid(self, j):
        """The first offset of window ``j`` that is not left padding."""
        return max(0, -(-(self.lo - j * self.s) // self.d))


class _Adapt:
    """Adaptive windows along one axis (PyTorch's rule): output ``j`` covers
    ``[floor(j*L/o), ceil((j+1)*L/o))``; offset ``t`` reads ``min(start + t, end - 1)``."""

    adaptive = True
    whole = False
    lo = 0

    def __init__(self, L, o):
        j = numpy.arange(o)
        start = (j * L) // o
        end = -((-(j + 1) * L) // o)
        self.L = self.Lp = L
        self.o = o
        self.start, self.lens = start, end - start
        self.k = int(self.lens.max()) if o else 1
        self.kmin = int(self.lens.min()) if o else 1
        self.pos = [numpy.minimum(start + t, end - 1) for t in range(self.k)]
        # the transpose: input i lies in the windows olo(i) .. olo(i) + cnt(i) - 1
        i = numpy.arange(L)
        olo = numpy.searchsorted(end, i, side="right")
        cnt = numpy.searchsorted(start, i, side="right") - olo
        self.cmax = int(cnt.max()) if L else 0
        self.back = [(numpy.minimum(olo + u, o - 1), u < cnt) for u in range(self.cmax)]

    def pick(self, xp, a, axis, t):
        return xp.take(a, _on(xp, self.pos[t]), axis=axis)


@functools.lru_cache(maxsize=256)
def _adapt(L, o):
    return _Adapt(L, o)


@functools.lru_cache(maxsize=256)
def _win(L, k, s, d, lo, o):
    return _Win(L, k, s, d, lo, o)


class _Geo:
    """Pooling geometry of an input of ``shape``: the plans of its last ``len(plans)`` dims.

    The contract converters (ONNX) and the profiler read -- PyTorch's argument names, one
    entry per pooled (spatial) dim, normalized (ints made tuples, ``stride=None`` made the
    kernel size): ``kernel_size``, ``stride``, ``padding``, ``dilation``, ``ceil_mode``,
    ``output_size``, ``adaptive``; average pooling adds ``count_include_pad`` and
    ``divisor_override`` (None for max pooling). For adaptive pooling the window fields
    are None where the windows vary in size (only ``output_size`` is meaningful).
    """

    __slots__ = ("shape", "plans", "lead", "padded", "out_shape", "pad", "stage_shapes",
                 "whole", "ceil_mode", "count_include_pad", "divisor_override", "adaptive")

    def __init__(self, shape, plans, ceil_mode=False, count_include_pad=None,
                 divisor_override=None, adaptive=False):
        self.ceil_mode, self.adaptive = ceil_mode, adaptive
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        self.shape = tuple(shape)
        self.plans = plans
        n = len(plans)
        self.lead = len(shape) - n
        head = self.shape[:self.lead]
        self.padded = head + tuple(p.Lp for p in plans)
        self.out_shape = head + tuple(p.o for p in plans)
        self.pad = any(p.Lp != p.L for p in plans)
        self.whole = all(p.whole for p in plans)     # global pooling
        # the input shape of the stage of dim d (stages run from the last dim to the first)
        self.stage_shapes = [head + tuple(p.Lp for p in plans[:d + 1])
                             + tuple(p.o for p in plans[d + 1:]) for d in range(n)]

    def interior(self):
        return (Ellipsis,) + tuple(slice(p.lo, p.lo + p.L) for p in self.plans)

    # -- the torch-named contract (see the class docstring) ---------------------------------
    def _field(self, attr):
        if any(p.adaptive for p in self.plans):
            return None
        return tuple(getattr(p, attr) for p in self.plans)

    @property
    def kernel_size(self):
        return self._field("k")

    @property
    def stride(self):
        return self._field("s")

    @property
    def padding(self):
        return self._field("lo")

    @property
    def dilation(self):
        return self._field("d")

    @property
    def output_size(self):
        return tuple(p.o for p in self.plans)


def _pad(xp, a, geo, value):
    """``a`` inside a buffer of the padded shape filled with ``value`` (``a`` if no pad)."""
    if not geo.pad:
        return a
    buf = xp.empty(geo.padded, a.dtype)
    # fill only the border: slabs before/after the interior along each dim
    for d, p in enumerate(geo.plans):
        ax = geo.lead + d
        if p.lo:
            buf[(slice(None),) * ax + (slice(0, p.lo),)] = value
        if p.Lp > p.lo + p.L:
            buf[(slice(None),) * ax + (slice(p.lo + p.L, None),)] = value
    buf[geo.interior()] = a
    return buf


def _unpad(xp, buf, geo):
    return xp.ascontiguousarray(buf[geo.interior()]) if geo.pad else buf


def _idx_dtype(k):
    return numpy.int8 if k < 128 else numpy.int16 if k < 32768 else numpy.int32


def _pad_value(dt):
    if dt in FLOATING_NP:
        return -numpy.inf
    return numpy.iinfo(dt).min


# ---------------------------------------------------------------------------------------
# stages


def _max_stage(xp, a, axis, plan, want_idx, nan_aware, padval):
    """Max over the windows of ``plan`` along ``axis``: (values, winning offsets or None).

    Offsets grow with ``t``, so "t wins" is recorded as ``idx = max(idx, t * won)``: two
    cheap integer passes (a masked assignment is ~10x slower in NumPy)."""
    k = plan.k
    p0 = plan.pick(xp, a, axis, 0)
    if k == 1:
        return p0, None
    p1 = plan.pick(xp, a, axis, 1)
    out = xp.maximum(p0, p1)
    if not want_idx:
        for t in range(2, k):
            xp.maximum(out, plan.pick(xp, a, axis, t), out=out)
        return out, None
    won = xp.greater(p1, p0)
    if nan_aware:
        won |= xp.isnan(p1)
    if k == 2:
        idx = won
    else:
        it = _idx_dtype(k)
        idx = won.view(it) if it == numpy.int8 else won.astype(it)
        for t in range(2, k):
            pt = plan.pick(xp, a, axis, t)
            won = xp.greater(pt, out)
            if nan_aware:
                won |= xp.isnan(pt)
            xp.maximum(out, pt, out=out)
            w = won.view(numpy.int8) if it == numpy.int8 else won.astype(it)
            w *= it(t)
            xp.maximum(idx, w, out=idx)
    if plan.lo:
        # a window starting in the left padding whose real elements are all the padding
        # value (-inf) points at its first real element, as PyTorch's kernels do
        for j in range(plan.o):
            t0 = plan.first_valid(j)
            if t0 == 0:
                break
            sel = (slice(None),) * axis + (j,)
            oj = out[sel]
            hit = oj == padval
            if hit.any():
                ij = idx[sel]
                ij[hit] = t0
    return out, idx


def _is_pairs(geo, x):
    """True for 2-d pooling with kernel == stride == 2, no padding or dilation, even sizes,
    on a C-contiguous ``x``: the case ``_max_pairs`` serves."""
    if len(geo.plans) != 2 or not x.flags.c_contiguous or x.size == 0:
        return False
    return all(not p.adaptive and p.k == 2 and p.s == 2 and p.d == 1 and p.lo == 0
               and p.L == 2 * p.o for p in geo.plans)


_PAIR_ROWS_MIN = 16     # output row length from which _max_pairs compacts the row maxima


def _max_pairs(xp, x, geo, want_idx):
    """``_max_forward`` for ``_is_pairs`` geometries, in whole-array contiguous passes.

    On the flat input, ``R = max(f[:-1], f[1:])`` holds each row pair's maximum at its even
    position, and ``max(R[:-W], R[W:])`` each window's maximum at its top-left position (a
    stride-2 ufunc runs ~4x slower than a contiguous one, so these full-length passes beat
    the two stages' strided passes); the output is then one strided copy. With output rows
    of at least _PAIR_ROWS_MIN, ``R`` is instead compacted first (float32: its even elements
    are the low halves of uint64 pairs, one cast) and the row pairs compared on it, which
    moves less memory (small_cnn's first pool, in the step: 2.1 -> 1.8 ms; on its 8-long
    second pool the short rows make that slower).
    The stage offsets are the ``greater`` passes at the same positions, compacted (the
    backward's masked multiplies run ~4x slower on strided masks): exactly what
    ``_max_stage`` records (ties to the first offset). None if a NaN is met (the caller's
    NaN-aware path decides those).

    The two halves of the batch run on two threads when ``two_threads_ok`` says so (small
    CNN's first pool, 1M elements: each pass is a memory-bound ufunc)."""
    out = xp.empty(geo.out_shape, x.dtype)
    idx = [xp.empty(geo.out_shape, bool), xp.empty(x.shape[:-1] + (x.shape[-1] // 2,), bool)] \
        if want_idx else None
    if not geo.lead:
        ok = [_max_pairs_into(xp, x, out, idx)]
    else:
        ok = in_two_threads(
            lambda lo, hi: _max_pairs_into(xp, x[lo:hi], out[lo:hi],
                                           idx and [i[lo:hi] for i in idx]),
            x.shape[0], two_threads_ok(x, x.size, POOL_SPLIT_MIN))
    return (out, idx) if all(ok) else None


# max pooling's pairs path and its backward split the batch across two threads from this
# many input elements (a pass over 0.5M float32 takes ~0.2-0.4 ms, a thread ~0.05 ms)
POOL_SPLIT_MIN = 1 << 19


def _max_pairs_into(xp, x, out, idx):
    """The passes of ``_max_pairs`` over ``x`` (whole planes), writing the maxima into
    ``out`` and, with ``idx`` ([lower, right] arrays), the stage offsets; False if a NaN is
    met."""
    f = x.reshape(-1)
    n, W = f.size, x.shape[-1]
    little = sys.byteorder == "little"   # (host and CUDA devices share it)
    rows = xp.empty(n, x.dtype)
    xp.maximum(f[:-1], f[1:], out=rows[:-1])
    compact = little and x.dtype.itemsize == 4 and W // 2 >= _PAIR_ROWS_MIN
    if compact:
        rows[-1] = 0
        half = rows.view(numpy.uint64).astype(numpy.uint32).view(x.dtype)
        top, bottom = (half.reshape(-1, 2, W // 2)[:, i] for i in (0, 1))
        xp.maximum(top, bottom, out=out.reshape(top.shape))
    else:
        win = x.shape[:-2] + (x.shape[-2] // 2, 2, W // 2, 2)
        full = xp.empty(n, x.dtype)
        xp.maximum(rows[:-W], rows[W:], out=full[:-W])
        out[...] = full.reshape(win)[..., 0, :, 0]
    if x.dtype in FLOATING_NP and bool(xp.isnan(out).any()):
        return False
    if idx is None:
        return True
    lower, right_out = idx
    if compact:
        xp.greater(bottom, top, out=lower.reshape(top.shape))
    else:
        full = xp.empty(n, bool)
        xp.greater(rows[W:], rows[:-W], out=full[:-W])
        lower[...] = full.reshape(win)[..., 0, :, 0]
    right = xp.empty(n, bool)
    xp.greater(f[1:], f[:-1], out=right[:-1])
    if little:      # the even bytes as the low bytes of uint16 pairs: one cast
        xp.copyto(right_out.reshape(-1).view(numpy.uint8), right.view(numpy.uint16),
                  casting="unsafe")    # (5x a strided copy)
    else:
        right_out.reshape(-1)[...] = right[0::2]
    return True


def _max_forward(xp, x, geo, want_idx):
    """Max pool ``x``; with ``want_idx`` also the per-stage winning offsets."""
    if _is_pairs(geo, x):
        res = _max_pairs(xp, x, geo, want_idx)
        if res is not None:
            return res
    floating = x.dtype in FLOATING_NP
    padval = _pad_value(x.dtype)
    a0 = _pad(xp, x, geo, padval)
    for nan_aware in (False, True):
        a = a0
        stages = []
        for d in reversed(range(len(geo.plans))):
            a, idx = _max_stage(xp, a, geo.lead + d, geo.plans[d], want_idx, nan_aware, padval)
            stages.append(idx)
        stages.reverse()
        # NaN changes which offset wins (PyTorch: the last NaN); values are right anyway
        if not want_idx or nan_aware or not floating or not xp.isnan(a).any():
            break
    if a.base is not None:       # a view (all kernels 1 along the last stages): copy it
        a = a.copy()
    return a, (stages if want_idx else None)


def _flat_indices(xp, geo, stages):
    """PyTorch's indices: the flat position of each maximum within its input plane."""
    plans = geo.plans
    n = len(plans)
    out_shape = geo.out_shape
    lead = geo.lead
    grids = [xp.arange(s).reshape((s,) + (1,) * (len(out_shape) - i - 1))
             for i, s in enumerate(out_shape)]
    rows = []           # chosen padded position along each spatial dim (output-shaped)
    for d in range(n):
        p = plans[d]
        idx = stages[d]
        if idx is not None and d > 0:
            key = tuple(grids[:lead]) + tuple(rows) + tuple(grids[lead + d:])
            idx = idx[key]
        j = grids[lead + d]
        if p.adaptive:
            start = _on(xp, p.start).reshape((-1,) + (1,) * (n - d - 1))
            lens = _on(xp, p.lens).reshape(start.shape)
            pos = start + (0 if idx is None else xp.minimum(idx.astype(numpy.int64), lens - 1))
        else:
            pos = j * p.s + (0 if idx is None else idx.astype(numpy.int64) * p.d)
        rows.append(xp.broadcast_to(pos, out_shape))
    flat = xp.zeros(out_shape, numpy.int64)
    for d, p in enumerate(plans):
        flat *= p.L
        flat += rows[d] - p.lo
    return flat


def _select(xp, a, idx, axis, plan):
    """Pick, per window, the element at the recorded offset (the gather of max pooling)."""
    if idx is None:
        return plan.pick(xp, a, axis, 0)
    if idx.dtype == bool:
        return xp.where(idx, plan.pick(xp, a, axis, 1), plan.pick(xp, a, axis, 0))
    out = plan.pick(xp, a, axis, 0).copy()
    for t in range(1, plan.k):
        xp.copyto(out, plan.pick(xp, a, axis, t), where=idx == t)
    return out


def _spread(xp, g, idx, axis, plan, shape, exact, out=None):
    """The transpose of a stage: ``g`` (one value per window) sent back to the positions
    the windows read, restricted to the winning offset when ``idx`` is given; into ``out``
    (of ``shape``; not adaptive plans) when given.

    Offsets ``t`` with ``t * d < s`` read disjoint positions, so they are written directly;
    when they cover the whole axis no zero-fill is needed. Other offsets are added."""
    if plan.adaptive:
        return _spread_adaptive(xp, g, idx, axis, plan, shape)
    k, s, d = plan.k, plan.s, plan.d
    if plan.whole and idx is None:
        if out is None:
            return xp.broadcast_to(g, shape).copy()
        out[...] = g
        return out
    first = [t for t in range(k) if t * d < s]
    covered = d == 1 and len(first) == s
    head = (slice(None),) * axis
    buf = xp.empty(shape, g.dtype) if out is None else out
    if covered:
        if plan.Lp > plan.o * s:
            buf[head + (slice(plan.o * s, None),)] = 0
    else:
        buf[...] = 0
    if idx is not None and idx.dtype == bool and not exact and first == [0, 1]:
        # two disjoint offsets: the second's share, then the first's as the rest by one
        # subtraction (exact for finite g) instead of inverting the mask for a second
        # masked multiply
        second = buf[head + (plan.slices[1],)]
        xp.multiply(g, idx, out=second)
        xp.subtract(g, second, out=buf[head + (plan.slices[0],)])
        return buf
    tmp = None
    for t in range(k):
        dst = buf[head + (plan.slices[t],)]
        if idx is None:
            if t in first:
                dst[...] = g
            else:
                dst += g
            continue
        if exact:
            c = xp.where((idx if t == 1 else ~idx) if idx.dtype == bool else idx == t, g, 0)
            if t in first:
                dst[...] = c
            else:
                dst += c
            continue
        m = (idx if t == 1 else ~idx) if idx.dtype == bool else idx == t
        if t in first:
            xp.multiply(g, m, out=dst)
        else:
            if tmp is None:
                tmp = xp.empty(g.shape, g.dtype)
            xp.multiply(g, m, out=tmp)
            dst += tmp
    return buf


def _spread_adaptive(xp, g, idx, axis, plan, shape):
    n_after = len(shape) - axis - 1
    col = (-1,) + (1,) * n_after
    pos = None
    if idx is not None:
        start = _on(xp, plan.start).reshape(col)
        lens = _on(xp, plan.lens).reshape(col)
        pos = start + xp.minimum(idx.astype(numpy.int64), lens - 1)
        here = xp.arange(plan.L).reshape(col)
    out = None
    for ou, valid in plan.back:
        ou = _on(xp, ou)
        v = xp.take(g, ou, axis=axis)
        m = _on(xp, valid).reshape(col)
        if pos is not None:
            m = m & (xp.take(pos, ou, axis=axis) == here)
        v = xp.where(m, v, 0)
        out = v if out is None else out + v
    if out is None:
        return xp.zeros(shape, g.dtype)
    return xp.broadcast_to(out, shape).astype(g.dtype, copy=False)


def _sum_stage(xp, a, axis, plan):
    """Sum over the windows of ``plan`` along ``axis`` (a fresh array unless k == 1)."""
    if plan.whole and axis == a.ndim - 1 and a.dtype in NATIVE_FLOATING_NP:
        ones = xp.ones(a.shape[-1], a.dtype)
        return xp.matmul(a, ones)[..., None]        # a GEMV: far faster than a row sum
    if plan.whole:
        return a.sum(axis=axis, keepdims=True)
    out = None
    fresh = False
    for t in range(plan.k):
        pt = plan.pick(xp, a, axis, t)
        if plan.adaptive and t >= plan.kmin:
            pt = pt * _on(xp, t < plan.lens).reshape((-1,) + (1,) * (a.ndim - axis - 1))
        if out is None:
            out = pt
        elif fresh:
            out += pt
        else:
            out = out + pt
            fresh = True
    return out


# ---------------------------------------------------------------------------------------
# Functions


class MaxPool(ArrayFunction):
    """Max pooling over ``geo``; outputs (values[, flat indices])."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, geo=None, indices=False):
        xp = _gam(x)
        want = indices or bool(ctx.needs_input_grad and ctx.needs_input_grad[0])
        out, stages = _max_forward(xp, x, geo, want)
        ctx.geo, ctx.stages = geo, stages
        if indices:
            return out, _flat_indices(xp, geo, stages)
        return out

    @staticmethod
    def backward(ctx, g, _gi=None):
        return _MaxScatter.apply(g, geo=ctx.geo, stages=ctx.stages)


class _MaxScatter(ArrayFunction):
    """The gradient of max pooling: each window's gradient goes to its maximum."""

    node_name = "MaxPoolWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geo=None, stages=None):
        xp = _gam(g)
        ctx.geo, ctx.stages = geo, stages
        exact = g.dtype in FLOATING_NP and not bool(xp.isfinite(g).all())
        if geo.lead and not geo.pad and not geo.adaptive and g.shape[0] >= 2 and \
                two_threads_ok(g, math.prod(geo.shape), POOL_SPLIT_MIN):
            # the two halves of the batch on two threads, each writing its half of the
            # input-shaped gradient
            res = xp.empty(geo.shape, g.dtype)
            in_two_threads(lambda lo, hi: _spread_stages(xp, g, geo, stages, exact, lo, hi,
                                                         res[lo:hi]), g.shape[0], True)
            return res
        for d, p in enumerate(geo.plans):
            g = _spread(xp, g, stages[d], geo.lead + d, p, geo.stage_shapes[d], exact)
        return _unpad(xp, g, geo)

    @staticmethod
    def backward(ctx, gg):
        return _MaxGather.apply(gg, geo=ctx.geo, stages=ctx.stages)


def _spread_stages(xp, g, geo, stages, exact, lo, hi, out):
    """Every stage of the max-pool gradient for samples lo:hi (an unpadded, not adaptive
    ``geo``), the last written into ``out``."""
    g = g[lo:hi]
    last = len(geo.plans) - 1
    for d, p in enumerate(geo.plans):
        shape = (hi - lo,) + geo.stage_shapes[d][1:]
        idx = stages[d][lo:hi] if stages[d] is not None else None
        g = _spread(xp, g, idx, geo.lead + d, p, shape, exact, out if d == last else None)
    return g


class _MaxGather(ArrayFunction):
    """Values at the recorded maxima (the transpose of _MaxScatter)."""

    @staticmethod
    def forward(ctx, x, geo=None, stages=None):
        xp = _gam(x)
        ctx.geo, ctx.stages = geo, stages
        a = _pad(xp, x, geo, 0)
        for d in reversed(range(len(geo.plans))):
            a = _select(xp, a, stages[d], geo.lead + d, geo.plans[d])
        return xp.ascontiguousarray(a) if a is x or a.base is not None else a

    @staticmethod
    def backward(ctx, g):
        return _MaxScatter.apply(g, geo=ctx.geo, stages=ctx.stages)


class AvgPool(ArrayFunction):
    """Average pooling over ``geo``: window sums divided by ``divisor`` (an array
    broadcasting to the output's spatial shape, or a number)."""

    @staticmethod
    def forward(ctx, x, geo=None, divisor=None):
        xp = _gam(x)
        ctx.geo, ctx.divisor = geo, divisor
        ct = compute_dtype(x.dtype)
        a = _pad(xp, x if x.dtype == ct else x.astype(ct), geo, 0)
        if geo.whole and ct in NATIVE_FLOATING_NP:
            # global pooling: one GEMV of the flattened planes with a ones vector
            a = a.reshape(geo.shape[:geo.lead] + (-1,))
            a = xp.matmul(a, xp.ones(a.shape[-1], ct)).reshape(geo.out_shape)
        else:
            for d in reversed(range(len(geo.plans))):
                a = _sum_stage(xp, a, geo.lead + d, geo.plans[d])
        div = _on(xp, numpy.asarray(divisor, ct))
        if ct in INTEGRAL_NP:
            # integer average pooling truncates toward zero (C++ integer division)
            q = xp.abs(a) // div
            a = xp.where(a < 0, -q, q)
        else:
            a = a / div
        return a.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _AvgPoolT.apply(g, geo=ctx.geo, divisor=ctx.divisor)


class _AvgPoolT(ArrayFunction):
    """The transpose of AvgPool (its gradient), spreading ``g / divisor`` over windows."""

    node_name = "AvgPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geo=None, divisor=None):
        xp = _gam(g)
        ctx.geo, ctx.divisor = geo, divisor
        dt = g.dtype
        ct = compute_dtype(dt)
        g = (g if dt == ct else g.astype(ct)) / _on(xp, numpy.asarray(divisor, ct))
        if geo.whole:
            return xp.broadcast_to(g, geo.shape).astype(dt)
        for d, p in enumerate(geo.plans):
            g = _spread(xp, g, None, geo.lead + d, p, geo.stage_shapes[d], False)
        return _unpad(xp, g, geo).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool.apply(gg, geo=ctx.geo, divisor=ctx.divisor)


def _named(base, name):
    return type(base.__name__ + name, (base,), {"node_name": name, "__module__": __name__})


_MAX_FN = {n: _named(MaxPool, f"MaxPool{n}DWithIndicesBackward0") for n in (1, 2, 3)}
_AVG_FN = {n: _named(AvgPool, f"AvgPool{n}DBackward0") for n in (1, 2, 3)}
_AMAX_FN = {n: _named(MaxPool, f"AdaptiveMaxPool{n}DBackward0") for n in (1, 2, 3)}
_AAVG_FN = {n: _named(AvgPool, f"AdaptiveAvgPool{n}DBackward0") for n in (1, 2, 3)}


class MaxUnpool(ArrayFunction):
    """Scatter ``x`` into zeros of ``out_shape`` at flat per-plane ``indices``."""

    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, indices, out_shape=None, nd=2):
        xp = _gam(x)
        lead = x.ndim - nd
        planes = int(numpy.prod(x.shape[:lead], dtype=numpy.int64))
        per = int(numpy.prod(out_shape[lead:], dtype=numpy.int64))
        out = xp.zeros((planes, per), x.dtype)
        idx = indices.reshape(planes, -1)
        if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= per):
            bad = idx[(idx < 0) | (idx >= per)].reshape(-1)[0]
            raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of "
                               f"size {'x'.join(str(s) for s in out_shape[lead:])}")
        out[xp.arange(planes)[:, None], idx] = x.reshape(planes, -1)
        ctx.lead = lead
        ctx.save_for_backward(indices)
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx, g, _gidx=None):
        from . import shape as _sh
        from .indexing import gather
        idx, = ctx.saved_tensors
        lead = ctx.lead
        got = gather(_sh.flatten(g, lead), lead, _sh.flatten(idx, lead))
        return _sh.reshape(got, idx.shape), None


# ---------------------------------------------------------------------------------------
# argument handling shared by the functional forms

_WORDS = {1: "one", 2: "two", 3: "three"}


def _ints(value, n, fname, argname, pos, what):
    """PyTorch's int-or-tuple argument: a tuple of ``n`` ints (a 1-tuple broadcasts)."""
    if isinstance(value, (list, tuple)):
        try:
            vals = tuple(operator.index(v) for v in value)
        except TypeError:
            raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be tuple "
                            f"of ints, but found element of type "
                            f"{type(next(v for v in value if not _is_int(v))).__name__}") from None
        if len(vals) == 1:
            return vals * n
        if len(vals) != n:
            raise RuntimeError(what)
        return vals
    if isinstance(value, Tensor) or not _is_int(value):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be tuple of "
                        f"ints, not {type(value).__name__}")
    return (operator.index(value),) * n


def _is_int(v):
    try:
        operator.index(v)
        return True
    except TypeError:
        return False


def _pool_args(fname, n, kernel_size, stride, padding, dilation=1):
    w = _WORDS[n]
    k = _ints(kernel_size, n, fname, "kernel_size", 2,
              f"{fname}: kernel_size must either be a single int, or a tuple of {w} ints")
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        s = k
    else:
        s = _ints(stride, n, fname, "stride", 3,
                  f"{fname}: stride must either be omitted, a single int, or a tuple of {w} ints")
    p = _ints(padding, n, fname, "padding", 4,
              f"{fname}: padding must either be a single int, or a tuple of {w} ints")
    d = _ints(dilation, n, fname, "dilation", 5,
              f"{fname}: dilation must be either a single int, or a tuple of {w} ints")
    return k, s, p, d


def _ints1(value, fname, argname, pos):
    """A 1-d op's int argument (PyTorch: 'should contain one int (got n)')."""
    if isinstance(value, (list, tuple)) and len(value) != 1:
        raise RuntimeError(f"{fname}() argument '{argname}' should contain one int "
                           f"(got {len(value)})")
    return _ints(value, 1, fname, argname, pos, "")


def _out_size(L, k, p, s, d, ceil_mode):
    """PyTorch's pooling_output_shape, with its checks (stride, pad)."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    eff = (k - 1) * d + 1
    if p > int(eff / 2):   # C++ division truncates toward zero
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={p}, kernel_size={k} and dilation={d}")
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    o = num // s + 1
    if ceil_mode and (o - 1) * s >= L + p:
        o -= 1
    return o


_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}


def _check_pool(name3, n, shape, k, s, p, d, outs, avg3d=False):
    """PyTorch's pool2d/pool3d_shape_check (messages of the 2-d/3-d kernels; 1-d pooling
    runs as 2-d with a unit height there, so its messages show that height)."""
    L = _LETTERS[max(n, 2)]
    if n == 1:
        k, s, p, d = (1,) + k, (1,) + s, (0,) + p, (1,) + d
    shape = list(shape)
    if n == 1:
        shape.insert(len(shape) - 1, 1)
        outs = (1,) + tuple(outs)
    nd = len(L)

    def listing(prefix, vals):
        return " ".join(f"{prefix}{a}: {v}" for a, v in zip(L, vals))

    if not all(v > 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got " + listing("k", k))
    if not all(v > 0 for v in s):
        raise RuntimeError("stride should be greater than zero, but got " + listing("d", s))
    if not all(v > 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got "
                           + listing("dilation", d))
    sp = shape[-nd:]
    if nd == 2:
        ok = (len(shape) == 3 and shape[0] != 0 or len(shape) == 4) and all(
            v != 0 for v in shape[-3:])
        if not ok:
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{_fmt_shape(shape)}")
    else:
        first = 1 if len(shape) == 5 else 0
        for i in range(first, len(shape)):
            if shape[i] == 0:
                raise RuntimeError(
                    f"{name3}(): Expected input's non-batch dimensions to have positive length, "
                    f"but input has a shape of {_fmt_shape(shape)} and non-batch dimension "
                    f"{i - first} has length zero!")
        if avg3d and not all(a >= b for a, b in zip(sp, k)):
            raise RuntimeError(f"input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than "
                               f"kernel size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    if not all(kk // 2 >= pp for kk, pp in zip(k, p)):
        if nd == 2:
            raise RuntimeError("pad should be smaller than or equal to half of kernel size, but "
                               f"got padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} "
                           f"padH: {p[1]}")
    if not all(o >= 1 for o in outs):
        planes = shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in [planes] + sp)}). "
                           f"Calculated output size: "
                           f"({'x'.join(str(v) for v in [planes] + list(outs))}). "
                           "Output size is too small")


def _check_dtype(x, name, ints=True):
    dt = x._data.dtype
    if dt in BOOL_NP or (dt in INTEGRAL_NP and (not ints or ints == "long" and dt != numpy.int64)):
        from .pointwise import _INT_NAMES
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{_INT_NAMES.get(dt.name, 'Bool')}'")


def _regular_geo(fname, n, x, kernel_size, stride, padding, dilation, ceil_mode, avg3d=False,
                 count_include_pad=None, divisor_override=None):
    k, s, p, d = _pool_args(fname, n, kernel_size, stride, padding, dilation)
    return _regular_geo_cached(n, tuple(x.shape), k, s, p, d, bool(ceil_mode), avg3d,
                               count_include_pad, divisor_override)


@functools.lru_cache(maxsize=512)
def _regular_geo_cached(n, shape, k, s, p, d, ceil_mode, avg3d, count_include_pad=None,
                        divisor_override=None):
    """The geometry (and the checks) of a pooling call; cached: layers call it with the
    same shapes every step."""
    sp = shape[-n:] if len(shape) >= n else (0,) * n
    outs = tuple(_out_size(sp[i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(n))
    name3 = "avg_pool3d" if avg3d else "max_pool3d_with_indices_out_cpu_template"
    _check_pool(name3, n, shape, k, s, p, d, outs, avg3d)
    plans = tuple(_win(sp[i], k[i], s[i], d[i], p[i], outs[i]) for i in range(n))
    return _Geo(shape, plans, ceil_mode, count_include_pad, divisor_override)


def _check_max_dims(fname, n, x):
    lo, hi = n + 1, n + 2
    if x.dim() not in (lo, hi):
        raise RuntimeError(f"non-empty {lo}D or {hi}D (batch mode) tensor expected for input")


# ---------------------------------------------------------------------------------------
# max pooling


def _max_pool(n, fname, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    _check_dtype(input, fname)
    if n == 1:
        if input.dim() not in (2, 3):
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                               "tensor for argument #1 'self' (while checking arguments for "
                               "max_pool1d)")
        kernel_size = _ints1(kernel_size, "max_pool1d", "kernel_size", 2)
        if stride is not None and not (isinstance(stride, (list, tuple)) and len(stride) == 0):
            stride = _ints1(stride, "max_pool1d", "stride", 3)
        padding = _ints1(padding, "max_pool1d", "padding", 4)
        dilation = _ints1(dilation, "max_pool1d", "dilation", 5)
    else:
        _check_max_dims(fname, n, input)
    geo = _regular_geo(fname, n, input, kernel_size, stride, padding, dilation, ceil_mode)
    res = _MAX_FN[n].apply(input, geo=geo, indices=bool(return_indices))
    return res


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(1, "max_pool2d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(2, "max_pool2d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _max_pool(3, "max_pool3d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, True)


def _max_pool1d_plain(input, kernel_size, stride, padding, dilation, ceil_mode):
    """max_pool1d without indices: PyTorch's max_pool1d_impl checks and messages."""
    dt = input._data.dtype
    if dt in EXACT_NP:
        from .pointwise import _INT_NAMES
        raise NotImplementedError(f'"max_pool1d_impl" not implemented for '
                                  f"'{_INT_NAMES.get(dt.name, 'Bool')}'")
    shape = input.shape
    if input.dim() not in (2, 3) or any(v == 0 for v in shape[-2:]) or (
            input.dim() == 2 and shape[0] == 0):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{_fmt_shape(shape)}")

    def one(v, what, allow_empty=False):
        if isinstance(v, (list, tuple)):
            if len(v) != 1 and not (allow_empty and len(v) == 0):
                raise RuntimeError(f"max_pool1d() {what} but got size {len(v)}")
            return None if len(v) == 0 else _ints(v, 1, "max_pool1d", "", 2, "")[0]
        return _ints(v, 1, "max_pool1d", what.split()[0], 2, "")[0]

    k = one(kernel_size, "kernel_size must be an int, list of ints or tuple of ints of size 1")
    s = k if stride is None else one(stride, "stride must be None, an int, list of ints, or "
                                     "tuple of ints of size 1", True)
    s = k if s is None else s
    p = one(padding, "padding must be an int, list of ints, or tuple of ints of size 1")
    d = one(dilation, "dilation must be an int, list of ints or tuple of ints of size 1")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    o = _out_size(shape[-1], k, p, s, d, ceil_mode)
    if o < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    geo = _Geo(shape, (_win(shape[-1], k, s, d, p, o),), bool(ceil_mode))
    return _MAX_FN[1].apply(input, geo=geo, indices=False)


@composite("max_pool1d")
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``F.max_pool1d`` on ``(N, C, L)`` or ``(C, L)``; see max_pool2d."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool1d_plain(input, kernel_size, stride, padding, dilation, ceil_mode)


@composite("max_pool2d")
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``F.max_pool2d`` on ``(N, C, H, W)`` or ``(C, H, W)``: the maximum over each
    (dilated) window of the -inf padded input; ``stride`` defaults to ``kernel_size``.
    With ``return_indices`` also the flat index (``h * W + w``) of each maximum."""
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


@composite("max_pool3d")
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``F.max_pool3d`` on ``(N, C, D, H, W)`` or ``(C, D, H, W)``; see max_pool2d."""
    if return_indices:
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


# ---------------------------------------------------------------------------------------
# average pooling


@functools.lru_cache(maxsize=512)
def _avg_divisor(geo, count_include_pad, divisor_override):
    if divisor_override is not None:
        return divisor_override
    parts = []
    n = len(geo.plans)
    for i, p in enumerate(geo.plans):
        j = numpy.arange(p.o)
        start = j * p.s - p.lo
        end = numpy.minimum(start + p.k, p.L + p.lo)
        if count_include_pad:
            cnt = end - start
        else:
            cnt = numpy.minimum(end, p.L) - numpy.maximum(start, 0)
        parts.append(cnt.reshape((-1,) + (1,) * (n - i - 1)))
    div = parts[0]
    for q in parts[1:]:
        div = div * q
    return div.astype(numpy.float64)


def _avg_pool(n, fname, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    _check_dtype(input, fname, ints="long")
    if n == 1:
        if input.dim() not in (2, 3):
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                               "tensor for argument #1 'self' (while checking arguments for "
                               "avg_pool1d)")
        kernel_size = _ints1(kernel_size, "avg_pool1d", "kernel_size", 2)
        if stride is not None and not (isinstance(stride, (list, tuple)) and len(stride) == 0):
            stride = _ints1(stride, "avg_pool1d", "stride", 3)
        padding = _ints1(padding, "avg_pool1d", "padding", 4)
    elif n == 2:
        if input.dim() < 3:
            from .._tensor import _wrap_dim
            _wrap_dim(-3, input.dim())
    else:
        if input.dim() not in (4, 5):
            raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    geo = _regular_geo(fname, n, input, kernel_size, stride, padding, 1, ceil_mode,
                       avg3d=(n == 3), count_include_pad=bool(count_include_pad),
                       divisor_override=divisor_override)
    div = _avg_divisor(geo, bool(count_include_pad), divisor_override)
    return _AVG_FN[n].apply(input, geo=geo, divisor=div)


@composite("avg_pool1d")
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """``F.avg_pool1d`` on ``(N, C, L)`` or ``(C, L)``; see avg_pool2d."""
    return _avg_pool(1, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


@composite("avg_pool2d")
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """``F.avg_pool2d``: window means over the zero-padded input. The divisor is the
    window size clipped to the padded input (``count_include_pad``), or the number of
    real elements in the window, or ``divisor_override``."""
    return _avg_pool(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


@composite("avg_pool3d")
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """``F.avg_pool3d`` on ``(N, C, D, H, W)`` or ``(C, D, H, W)``; see avg_pool2d."""
    return _avg_pool(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


# ---------------------------------------------------------------------------------------
# adaptive pooling


def _adaptive_sizes(fname, n, input, output_size, allow_none):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            if n == 1:
                raise RuntimeError(f"{fname}() argument 'output_size' should contain one int "
                                   f"(got {len(output_size)})")
            if fname.startswith("adaptive_max"):
                raise RuntimeError(f"{fname}(): internal error: output_size.size() must be {n}")
            raise RuntimeError(f"{fname}: output_size must be {n}")
        sizes = tuple(output_size)
    elif output_size is None and allow_none:
        sizes = (None,) * n
    else:
        if isinstance(output_size, Tensor) or not _is_int(output_size):
            raise TypeError(f"{fname}(): argument 'output_size' (position 2) must be tuple of "
                            f"ints, not {type(output_size).__name__}")
        sizes = (output_size,) * n
    sp = input.shape[-n:]
    out = []
    for i, v in enumerate(sizes):
        if v is None:
            if not allow_none:
                raise TypeError(f"{fname}(): argument 'output_size' must be tuple of ints, "
                                "but found element of type NoneType")
            v = sp[i]
        out.append(operator.index(v))
    return tuple(out)


def _adaptive_geo(fname, n, input, output_size, is_max):
    lo, hi = n + 1, n + 2
    kind = "max" if is_max else "avg"
    shown = f"adaptive_{kind}_pool{n}d"
    if input.dim() not in (lo, hi):
        if n == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                               f"tensor for argument #1 'self' (while checking arguments for "
                               f"{shown})")
        raise RuntimeError(f"{shown}(): Expected {lo}D or {hi}D tensor, but got"
                           f"{':' if is_max else ''} {_fmt_shape(input.shape)}")
    sizes = _adaptive_sizes(shown, n, input, output_size, allow_none=(n > 1))
    return _adaptive_geo_cached(n, tuple(input.shape), sizes, is_max)


@functools.lru_cache(maxsize=512)
def _adaptive_geo_cached(n, shape, sizes, is_max):
    """Checks and geometry of adaptive pooling (and, for averages, the divisor)."""
    shown = f"adaptive_{'max' if is_max else 'avg'}_pool{n}d"
    if not is_max and any(v < 0 for v in sizes):
        raise RuntimeError(f"{shown}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(str(v) for v in sizes)}}}")
    if is_max and any(v < 0 for v in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{_fmt_shape(tuple(shape[:-n]) + sizes)}")
    shown_shape = list(shape)
    if n == 1 and not is_max:   # PyTorch runs it as 2-d with a unit height
        shown_shape.insert(len(shape) - 1, 1)
        shown = "adaptive_avg_pool2d"
    for i in range(1, len(shown_shape)):
        if shown_shape[i] == 0:
            raise RuntimeError(f"{shown}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_fmt_shape(shown_shape)} with "
                               f"dimension {i} being empty")
    plans = []
    for L, o in zip(shape[-n:], sizes):
        if o > 0 and L % o == 0:
            plans.append(_win(L, L // o, L // o, 1, 0, o))
        else:
            plans.append(_adapt(L, o))
    geo = _Geo(shape, tuple(plans), ceil_mode=None, count_include_pad=None if is_max else True,
               adaptive=True)
    div = None
    if not is_max:
        div = numpy.ones((1,) * n)
        for i, p in enumerate(plans):
            cnt = numpy.full(p.o, p.k) if not p.adaptive else p.lens
            div = div * cnt.reshape((-1,) + (1,) * (n - i - 1))
    return geo, div


def _adaptive_avg(n, input, output_size):
    _check_dtype(input, f"adaptive_avg_pool{n}d", ints=False)
    geo, div = _adaptive_geo(f"adaptive_avg_pool{n}d", n, input, output_size, False)
    return _AAVG_FN[n].apply(input, geo=geo, divisor=div)


def _adaptive_max(n, input, output_size, return_indices):
    _check_dtype(input, f"adaptive_max_pool{n}d", ints=False)
    geo, _ = _adaptive_geo(f"adaptive_max_pool{n}d", n, input, output_size, True)
    return _AMAX_FN[n].apply(input, geo=geo, indices=bool(return_indices))


@composite("adaptive_avg_pool1d")
def adaptive_avg_pool1d(input, output_size):
    """``F.adaptive_avg_pool1d``: output ``j`` averages ``[floor(j*L/o), ceil((j+1)*L/o))``."""
    return _adaptive_avg(1, input, output_size)


@composite("adaptive_avg_pool2d")
def adaptive_avg_pool2d(input, output_size):
    """``F.adaptive_avg_pool2d``; ``output_size`` entries may be None (keep that size)."""
    return _adaptive_avg(2, input, output_size)


@composite("adaptive_avg_pool3d")
def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(3, input, output_size)


@composite("adaptive_max_pool1d")
def adaptive_max_pool1d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool1d`` (indices: positions along L)."""
    return _adaptive_max(1, input, output_size, return_indices)


@composite("adaptive_max_pool2d")
def adaptive_max_pool2d(input, output_size, return_indices=False):
    """``F.adaptive_max_pool2d`` (indices: flat ``h * W + w`` per plane)."""
    return _adaptive_max(2, input, output_size, return_indices)


@composite("adaptive_max_pool3d")
def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, True)


# ---------------------------------------------------------------------------------------
# power-average pooling (PyTorch's composition, so its gradients follow)


def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode):
    pool_max = (max_pool1d, max_pool2d, max_pool3d)[n - 1]
    pool_avg = (avg_pool1d, avg_pool2d, avg_pool3d)[n - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == math.inf:
            return pool_max(_pw.abs(input), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -math.inf:
            return _pw.neg(pool_max(_pw.neg(_pw.abs(input)), kernel_size, stride, 0, 1,
                                    ceil_mode))
    if n == 1:
        k = kernel_size if not isinstance(kernel_size, (list, tuple)) else kernel_size[0]
        size = k
    else:
        ks = kernel_size if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * n
        size = math.prod(ks)
    out = pool_avg(_pw.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    from .activation import relu
    return _pw.pow(_pw.mul(_pw.mul(_pw.sign(out), relu(_pw.abs(out))), size), 1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``F.lp_pool1d``: ``(sum over the window of x**p) ** (1/p)``."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------------------------------
# max unpooling


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    n = len(kernel_size)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
               for d in range(n)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(n):
            lo_, hi_ = default[d] - stride[d], default[d] + stride[d]
            if not lo_ < output_size[d] < hi_:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                                 f"{lo_} and {hi_})")
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return [int(v) for v in ret]


def _max_unpool(n, input, indices, kernel_size, stride, padding, output_size):
    fname = f"max_unpool{n}d"
    k = _ints(kernel_size, n, fname, "kernel_size", 3, f"{fname}: kernel_size must be {n} ints")
    s = k if stride is None else _ints(stride, n, fname, "stride", 4,
                                       f"{fname}: stride must be {n} ints")
    p = _ints(padding, n, fname, "padding", 5, f"{fname}: padding must be {n} ints")
    sizes = _unpool_output_size(input, k, s, p, output_size)
    if indices._data.dtype != numpy.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_fmt_shape(input.shape)}) but got indices tensor with shape: "
                           f"{_fmt_shape(indices.shape)}")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"Input to max_unpooling{n}d should be a {n + 1}d or {n + 2}d Tensor, "
                           f"but got a tensor with {input.dim()} dimensions.")
    out_shape = tuple(input.shape[:-n]) + tuple(sizes)
    return MaxUnpool.apply(input, indices, out_shape=out_shape, nd=n)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """``F.max_unpool1d``: the partial inverse of max_pool1d (zeros off the maxima)."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """``F.max_unpool2d``: ``input`` values placed at the flat per-plane ``indices``."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
]
