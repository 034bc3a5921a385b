"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
area), the deprecated ``upsample*`` aliases, and ``pixel_shuffle`` / ``pixel_unshuffle``
(``torch.nn.functional``).

Every interpolation mode is separable: along each spatial axis, output ``j`` is a weighted
sum of a few input samples (``taps``: 1 for nearest, 2 for linear, 4 for bicubic), so an
N-d resize is one 1-d resize per axis, last axis first (the order PyTorch's CPU kernels
combine weights in). Source indices and weights follow PyTorch's CPU formulas, including
their arithmetic precision: float32 index math for float32/16 inputs (float64 for
float64), the ``align_corners`` rules, the shortcuts for equal and doubled sizes in
2-d 'nearest', and PyTorch's use of ``1 / scale_factor`` whenever a scale factor is given and
not recomputed. The backward of a resize is its transpose, written as a gather too (each
input sample collects the few outputs that read it), and its backward is the resize again.

Short axes (up to 256 samples) are resized by one GEMM with the dense resize matrix
(far faster than NumPy's gathers; skipped for inf/NaN data, where 0 * inf would spread).

ember differs from PyTorch here: ``antialias=True`` and mode 'lanczos' raise
NotImplementedError, as does uint8 'bicubic'; uint8 'bilinear'
results are computed in float32 and rounded, where PyTorch uses fixed-point weights
(results can differ by 1). Where PyTorch's own backward disagrees with its forward
(1-d/3-d 'nearest' and 'bicubic' with a scale factor that leaves the size unchanged: its
backward copies the gradient), ember's gradient is the true one.

The ``axes=`` plan a resize passes to apply (``_ResamplePlan``) is a contract for dispatch
modes (ONNX export, the profiler): ``mode``, ``align_corners``, ``scale_factor``,
``output_size``, ``recompute_scale_factor``, in PyTorch's names and meaning. 'area' mode
runs as adaptive average pooling (its ``geo`` plan has ``output_size``).
"""
import functools
import operator
import warnings

import numpy

from .. import backend
from .._dtype import FLOATING_NP, NATIVE_FLOATING_NP
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ..autograd.dispatch import composite

_gam = backend.get_array_module

_A = -0.75   # PyTorch's bicubic convolution coefficient


def _cc1(x):
    return ((_A + 2) * x - (_A + 3)) * x * x + 1


def _cc2(x):
    return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A


class _Index:
    """An index array along one axis, with the cheapest way to gather it."""

    __slots__ = ("idx", "kind", "arg")

    def __init__(self, idx, n_in):
        self.idx = idx
        o = len(idx)
        self.kind, self.arg = "take", None
        if o and n_in and o == n_in and (idx == numpy.arange(o)).all():
            self.kind = "same"
        elif o > 1 and (numpy.diff(idx) == idx[1] - idx[0]).all() and idx[1] > idx[0]:
            step = int(idx[1] - idx[0])
            self.kind, self.arg = "slice", slice(int(idx[0]), int(idx[-1]) + 1, step)
        elif o == 1:
            self.kind, self.arg = "slice", slice(int(idx[0]), int(idx[0]) + 1)
        elif n_in and o % n_in == 0 and (idx == numpy.arange(o) // (o // n_in)).all():
            self.kind, self.arg = "repeat", o // n_in

    def gather(self, xp, a, axis):
        if self.kind == "same":
            return a
        if self.kind == "slice":
            return a[(slice(None),) * axis + (self.arg,)]
        if self.kind == "repeat":
            return xp.repeat(a, self.arg, axis=axis)
        return xp.take(a, backend.on(xp, self.idx), axis=axis)


class _Axis:
    """The taps of a 1-d resize from ``n_in`` to ``n_out`` samples: output ``j`` is
    ``sum_t w[t][j] * x[idx[t][j]]``; plus the transposed gathers for the backward."""

    def __init__(self, idx, w, n_in):
        self.n_in = n_in
        self.n_out = len(idx[0])
        self.fwd = [_Index(i, n_in) for i in idx]
        self.w = w             # None (nearest) or a list of weight arrays
        self.dense = {}        # dtype -> the (n_in, n_out) matrix, built on first use
        self.identity = w is None and len(idx) == 1 and self.fwd[0].kind == "same"
        # every index array is non-decreasing, so the outputs reading input i are a
        # contiguous run: lo(i) .. lo(i) + cnt(i) - 1
        self.back = []
        i = numpy.arange(n_in)
        for ix in idx:
            lo = numpy.searchsorted(ix, i, side="left")
            cnt = numpy.searchsorted(ix, i, side="right") - lo
            cmax = int(cnt.max()) if n_in else 0
            runs = []
            for u in range(cmax):
                pos = numpy.minimum(lo + u, self.n_out - 1)
                valid = u < cnt
                runs.append((_Index(pos, 0), None if valid.all() else valid))
            self.back.append(runs)


class _ResamplePlan(tuple):
    """The ``axes`` plan a resize passes to apply: a tuple of ``(array axis, _Axis)``, one per
    resized dim, that also carries the call's PyTorch-level arguments -- the contract
    converters (ONNX) and the profiler read: ``mode`` (as given: 'nearest', 'bilinear' ...),
    ``align_corners`` (None where the mode takes none), ``scale_factor`` (a tuple of floats
    per dim, or None when ``size`` was given or the scale was recomputed), ``output_size``
    (the spatial output size, always set) and ``recompute_scale_factor``.
    """

    def __new__(cls, axes, mode, align_corners, scale_factor, output_size,
                recompute_scale_factor):
        self = tuple.__new__(cls, axes)
        self.mode, self.align_corners = mode, align_corners
        self.scale_factor = None if scale_factor is None else tuple(scale_factor)
        self.output_size = tuple(output_size)
        self.recompute_scale_factor = recompute_scale_factor
        return self


def _weighted(xp, v, w, axis, ndim):
    return v if w is None else v * xp.asarray(w).reshape((-1,) + (1,) * (ndim - axis - 1))


_DENSE_MAX = 256   # axes this short resize by one GEMM with the dense (n_in, n_out) matrix


def _use_dense(xp, ax, a):
    """A GEMM beats per-tap gathers (NumPy's take along the last axis is slow) while the
    axis is short; not for integer data, nor with inf/NaN (0 * inf would spread NaN)."""
    if ax.n_in > _DENSE_MAX or ax.n_out > _DENSE_MAX or a.dtype not in NATIVE_FLOATING_NP:
        return False
    if ax.w is None and ax.fwd[0].kind != "take":
        return False          # nearest by slice or repeat is already cheap
    return bool(xp.isfinite(a).all())


def _matrix(xp, ax, dtype):
    m = ax.dense.get(dtype)
    if m is None:
        m = numpy.zeros((ax.n_in, ax.n_out), dtype)
        cols = numpy.arange(ax.n_out)
        for g, w in zip(ax.fwd, ax.w if ax.w is not None else [None]):
            numpy.add.at(m, (g.idx, cols), 1 if w is None else w)
        ax.dense[dtype] = m
    return backend.on(xp, m)


def _contract(xp, a, axis, m):
    """Contract ``axis`` of ``a`` (length m.shape[0]) with the matrix ``m``."""
    if axis == a.ndim - 1:
        return xp.matmul(a, m)
    before, after = a.shape[:axis], a.shape[axis + 1:]
    nb = int(numpy.prod(before, dtype=numpy.int64))
    na = int(numpy.prod(after, dtype=numpy.int64))
    out = xp.matmul(m.T, a.reshape(nb, a.shape[axis], na))
    return out.reshape(before + (m.shape[1],) + after)


def _resample(xp, a, axes):
    """Apply the 1-d resizes ``axes`` ((axis, _Axis) pairs), last axis first."""
    for axis, ax in reversed(axes):
        if ax.identity:
            continue
        if _use_dense(xp, ax, a):
            a = _contract(xp, a, axis, _matrix(xp, ax, a.dtype))
            continue
        if ax.w is None:
            a = ax.fwd[0].gather(xp, a, axis)
            continue
        out = None
        for g, w in zip(ax.fwd, ax.w):
            term = _weighted(xp, g.gather(xp, a, axis), w, axis, a.ndim)
            out = term if out is None else out + term
        a = out
    return a


def _resample_t(xp, g, axes):
    """The transpose of _resample (its gradient)."""
    for axis, ax in axes:
        if ax.identity:
            continue
        if _use_dense(xp, ax, g):
            g = _contract(xp, g, axis, _matrix(xp, ax, g.dtype).T)
            continue
        shape = list(g.shape)
        shape[axis] = ax.n_in
        out = None
        ws = ax.w if ax.w is not None else [None]
        for runs, w in zip(ax.back, ws):
            gw = _weighted(xp, g, w, axis, g.ndim)
            for pos, valid in runs:
                v = pos.gather(xp, gw, axis)
                if valid is not None:
                    v = v * xp.asarray(valid.reshape((-1,) + (1,) * (g.ndim - axis - 1)))
                out = v if out is None else out + v
        g = xp.zeros(shape, g.dtype) if out is None else out
    return g


def _compute_dtype(dt):
    if dt == numpy.float64:
        return numpy.dtype(numpy.float64)
    return numpy.dtype(numpy.float32)


class Resample(ArrayFunction):
    """A separable resize of ``x`` along ``axes``; backward is the transpose."""

    @staticmethod
    def forward(ctx, x, axes=None, rounding=False):
        xp = _gam(x)
        ctx.axes = axes
        interp = any(ax.w is not None for _, ax in axes)
        ct = _compute_dtype(x.dtype) if interp else x.dtype
        a = x if x.dtype == ct else x.astype(ct)
        out = _resample(xp, a, axes)
        if rounding:            # uint8: round to nearest and saturate
            out = xp.clip(xp.rint(out), 0, 255)
        if out is x or out.base is not None:     # never hand back a view of the input
            out = out.copy()
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return ResampleT.apply(g, axes=ctx.axes)


class ResampleT(ArrayFunction):
    """The transpose of Resample (its gradient); its own backward is Resample again."""

    node_name = "UpsampleBackwardBackward0"

    @staticmethod
    def forward(ctx, g, axes=None):
        xp = _gam(g)
        ctx.axes = axes
        ct = _compute_dtype(g.dtype)
        out = _resample_t(xp, g if g.dtype == ct else g.astype(ct), axes)
        if out is g or out.base is not None:
            out = out.copy()
        return out.astype(g.dtype, copy=False)

    @staticmethod
    def backward(ctx, gg):
        return Resample.apply(gg, axes=ctx.axes)


_NODE = {("nearest", 1): "UpsampleNearest1DBackward0", ("nearest", 2): "UpsampleNearest2DBackward0",
         ("nearest", 3): "UpsampleNearest3DBackward0",
         ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
         ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
         ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
         ("linear", 1): "UpsampleLinear1DBackward0", ("bilinear", 2): "UpsampleBilinear2DBackward0",
         ("trilinear", 3): "UpsampleTrilinear3DBackward0",
         ("bicubic", 2): "UpsampleBicubic2DBackward0"}
_FN = {key: type("Resample_" + name, (Resample,), {"node_name": name, "__module__": __name__})
       for key, name in _NODE.items()}


# ---------------------------------------------------------------------------------------
# PyTorch's index and weight formulas, one axis at a time


def _scale_value(scale, n_in, n_out, ft):
    """compute_scales_value: 1/scale when a scale is given, else n_in/n_out (in ``ft``)."""
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(n_in) / ft(n_out)


def _area_scale(n_in, n_out, align_corners, scale, ft):
    if align_corners:
        return ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    return _scale_value(scale, n_in, n_out, ft)


def _source_index(scale, j, align_corners, cubic, ft):
    """area_pixel_compute_source_index on the array of output positions ``j``."""
    if align_corners:
        return scale * j.astype(ft)
    # PyTorch's kernels compute scale * (j + 0.5) - 0.5 with one rounding (a fused
    # multiply-add): exact in float64, then rounded once
    src = (numpy.float64(scale) * (j + 0.5) - 0.5).astype(ft)
    return src if cubic else numpy.maximum(src, ft(0))


def _guard(src, n_in, ft):
    """guard_index_and_lambda: (floor index clamped to n_in-1, fraction clamped to [0, 1])."""
    i0 = numpy.minimum(numpy.floor(src).astype(numpy.int64), n_in - 1)
    lam = numpy.clip(src - i0.astype(ft), ft(0), ft(1)).astype(ft)
    return i0, lam


@functools.lru_cache(maxsize=64)
def _axis(mode, n_in, n_out, align_corners, scale, double, shortcut):
    ft = numpy.float64 if double else numpy.float32
    j = numpy.arange(n_out)
    if mode == "nearest":
        if n_out == n_in and shortcut:
            idx = j
        elif n_out == 2 * n_in and shortcut:
            idx = j >> 1
        else:
            s = _scale_value(scale, n_in, n_out, numpy.float32)
            idx = numpy.floor(j.astype(numpy.float32) * s).astype(numpy.int64)
        return _Axis([numpy.minimum(idx, n_in - 1)], None, n_in)
    if mode == "nearest-exact":
        s = _scale_value(scale, n_in, n_out, numpy.float32)
        # (j + 0.5) * scale is a double product rounded to float by floorf
        src = ((j + 0.5) * numpy.float64(s)).astype(numpy.float32)
        idx = numpy.floor(src).astype(numpy.int64)
        return _Axis([numpy.minimum(idx, n_in - 1)], None, n_in)
    scale_ = _area_scale(n_in, n_out, align_corners, scale, ft)
    if mode == "linear":
        if n_out == n_in:
            return _Axis([j], None, n_in)
        src = _source_index(scale_, j, align_corners, False, ft)
        i0, lam1 = _guard(src, n_in, ft)
        i1 = i0 + (i0 < n_in - 1)
        lam0 = (ft(1) - lam1).astype(ft)
        return _Axis([i0, i1], [lam0, lam1], n_in)
    # bicubic
    src = _source_index(scale_, j, align_corners, True, ft)
    i0, t = _guard(src, n_in, ft)
    t = t.astype(ft)
    one = ft(1)
    w = [_cc2(t + one), _cc1(t), _cc1(one - t), _cc2((one - t) + one)]
    idx = [numpy.clip(i0 - 1 + k, 0, n_in - 1) for k in range(4)]
    return _Axis(idx, [wk.astype(ft) for wk in w], n_in)


# ---------------------------------------------------------------------------------------
# interpolate

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def _is_integer(x):
    if isinstance(x, bool):
        return True
    if isinstance(x, Tensor):
        return x.dtype.is_floating_point is False
    try:
        operator.index(x)
        return True
    except TypeError:
        return False


@composite("interpolate")
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """``F.interpolate``: resize the spatial dims of ``(N, C, *spatial)`` to ``size`` or by
    ``scale_factor``. Argument checks, messages and output sizes are PyTorch's."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    shape = tuple(input.shape)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] "
                                "or Tuple[int, int, int], but got size with types "
                                f"{[type(x) for x in size]}")
            output_size = [int(v) for v in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"interpolate(): argument 'size' must be int or a tuple of ints, "
                                f"not {type(size).__name__}")
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(shape[2:])} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = list(scale_factor)
        else:
            scale_factors = [scale_factor] * dim
        for s in scale_factors:
            if isinstance(s, Tensor) or not isinstance(s, (int, float)) and not hasattr(
                    s, "__float__"):
                raise TypeError(f"interpolate(): argument 'scale_factor' must be a float or a "
                                f"tuple of floats, not {type(s).__name__}")
        scale_factors = [float(s) for s in scale_factors]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")

    if mode in ("nearest", "nearest-exact", "area") and input.dim() in (3, 4, 5) or (
            mode in _NEEDS and input.dim() == _NEEDS[mode]):
        pass
    elif mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        raise NotImplementedError("interpolate(): mode='lanczos' is not supported by ember")
    elif mode in ("linear", "bilinear", "trilinear") and input.dim() in (3, 4, 5):
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode]}D input")
    else:
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported"
            f" (got {input.dim()}D) for the modes: {_MODES} (got {mode})")
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported by ember")

    if mode == "area":
        from . import pooling
        return (pooling.adaptive_avg_pool1d, pooling.adaptive_avg_pool2d,
                pooling.adaptive_avg_pool3d)[dim - 1](input, output_size)

    if output_size is None:
        output_size = [int(shape[i + 2] * scale_factors[i]) for i in range(dim)]
    dt = input._data.dtype
    if dt not in FLOATING_NP and not (dt == numpy.uint8):
        from .pointwise import _INT_NAMES
        kernel = {"nearest": "upsample_nearest", "nearest-exact": "_upsample_nearest_exact",
                  "linear": "upsample_linear", "bilinear": "upsample_bilinear",
                  "trilinear": "upsample_trilinear", "bicubic": "upsample_bicubic"}[mode]
        raise NotImplementedError(f'"{kernel}{dim}d" not implemented for '
                                  f"'{_INT_NAMES.get(dt.name, 'Bool')}'")
    if dt == numpy.uint8 and mode == "bicubic":
        raise NotImplementedError("interpolate(): uint8 input with mode='bicubic' is not "
                                  "supported by ember (PyTorch uses a fixed-point kernel)")
    sp = shape[2:]
    if not all(v > 0 for v in sp) or not all(v > 0 for v in output_size):
        names = ("D", "H", "W")[3 - dim:]
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, sp))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, output_size))
        sep = " and output" if dim == 1 else " output"
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({ins}){sep} ({outs})")
    kind = "nearest" if mode in ("nearest", "nearest-exact") else mode
    base = {"linear": "linear", "bilinear": "linear", "trilinear": "linear"}.get(kind, mode)
    double = dt == numpy.float64
    axes = _ResamplePlan(
        ((2 + i, _axis(base, sp[i], output_size[i],
                       bool(align_corners) if base in ("linear", "bicubic") else False,
                       None if scale_factors is None else scale_factors[i], double, dim == 2))
         for i in range(dim)),
        mode, align_corners if base in ("linear", "bicubic") else None, scale_factors,
        output_size, recompute_scale_factor)
    fn = _FN[(mode, dim)]
    return fn.apply(input, axes=axes, rounding=(dt == numpy.uint8 and base not in ("nearest",
                                                                                  "nearest-exact")))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (warns, as PyTorch)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------------------
# pixel shuffle


def _shuffle(x, r, up):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r) when ``up``, else the inverse; a copy."""
    *lead, c, h, w = x.shape
    nl = len(lead)
    if up:
        oc = c // (r * r)
        a = x.reshape(*lead, oc, r, r, h, w)
        a = a.transpose(*range(nl), nl, nl + 3, nl + 1, nl + 4, nl + 2)
        return a.reshape(*lead, oc, h * r, w * r)
    oh, ow = h // r, w // r
    a = x.reshape(*lead, c, oh, r, ow, r)
    a = a.transpose(*range(nl), nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return a.reshape(*lead, c * r * r, oh, ow)


class PixelShuffle(ArrayFunction):
    @staticmethod
    def forward(ctx, x, r=1):
        ctx.r = r
        return _gam(x).ascontiguousarray(_shuffle(x, r, True))

    @staticmethod
    def backward(ctx, g):
        return PixelUnshuffle.apply(g, r=ctx.r)


class PixelUnshuffle(ArrayFunction):
    @staticmethod
    def forward(ctx, x, r=1):
        ctx.r = r
        return _gam(x).ascontiguousarray(_shuffle(x, r, False))

    @staticmethod
    def backward(ctx, g):
        return PixelShuffle.apply(g, r=ctx.r)


def _factor(fname, argname, value):
    if isinstance(value, Tensor) or isinstance(value, bool) or not isinstance(
            value, int) and not hasattr(value, "__index__"):
        raise TypeError(f"{fname}(): argument '{argname}' (position 2) must be int, not "
                        f"{type(value).__name__}")
    return operator.index(value)


def pixel_shuffle(input, upscale_factor):
    """``F.pixel_shuffle``: ``(*, C*r^2, H, W) -> (*, C, H*r, W*r)``."""
    r = _factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return PixelShuffle.apply(input, r=r)


def pixel_unshuffle(input, downscale_factor):
    """``F.pixel_unshuffle``: ``(*, C, H*r, W*r) -> (*, C*r^2, H, W)``."""
    r = _factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2], input.shape[-1]
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r=r)


__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle"]
