"""fbgemm's integer arithmetic, emulated on NumPy arrays.

- ``choose_qparams``: dynamic quantization's per-batch activation qparams
  (``ChooseQuantizationParams``: range widened to include 0, ``reduce_range`` halves the
  quint8 range to [0, 127], the zero point chosen from the end with the smaller rounding
  error and nudged into range, scales under 6.1e-5 raised to it);
- ``int_matmul``: int8 x int8 products summed exactly. BLAS in float32 is exact while
  every partial sum stays below 2**24, i.e. ``K * max|a| * max|b| < 2**24``; beyond that
  the product runs in float64 (exact below 2**53), so the int32 accumulator is emulated
  bit for bit either way;
- ``requantize``: fbgemm's ``ReQuantizeOutput`` with a float bias: ``raw + bias /
  (a_scale * w_scale)`` times ``a_scale * w_scale / out_scale`` in float32, rounded half to
  even, plus the output zero point, clamped (at the zero point when ReLU is fused).
"""
import numpy

from .... import backend

_F32 = numpy.float32
_SMALL_SCALE = 6.1e-5


def choose_qparams(x_min, x_max, qmin=0, qmax=255, reduce_range=True,
                   preserve_sparsity=False):
    """(scale, zero_point) as fbgemm's ChooseQuantizationParams."""
    x_min = min(float(_F32(x_min)), 0.0)
    x_max = max(float(_F32(x_max)), 0.0)
    if reduce_range:
        qmin, qmax = qmin // 2, qmax // 2
    symmetric = preserve_sparsity and x_min < 0 < x_max
    if symmetric:
        # symmetric qparams: the range widened to [qmin', qmax'] steps either side of 0
        sym_qmin = -((qmax - qmin) // 2 + 1)
        sym_qmax = (qmax - qmin) // 2
        max_scale = max(abs(x_min / sym_qmin), abs(x_max / sym_qmax))
        x_min, x_max = max_scale * sym_qmin, max_scale * sym_qmax
    scale = (x_max - x_min) / (qmax - qmin)
    if float(_F32(scale)) == 0.0 or numpy.isinf(_F32(1.0) / _F32(scale)):
        scale = 0.1
    if scale < _SMALL_SCALE:
        org = scale
        scale = _SMALL_SCALE
        if x_min == 0.0:
            x_max = _SMALL_SCALE * (qmax - qmin)
        elif x_max == 0.0:
            x_min = -_SMALL_SCALE * (qmax - qmin)
        else:
            amp = _SMALL_SCALE / org
            x_min *= amp
            x_max *= amp
    zp_from_min = qmin - x_min / scale
    zp_from_max = qmax - x_max / scale
    err_min = abs(qmin) - abs(x_min / scale)
    err_max = abs(qmax) - abs(x_max / scale)
    initial = zp_from_min if err_min < err_max else zp_from_max
    if symmetric:
        initial = (qmin + qmax) / 2
    if initial < qmin:
        zp = qmin
    elif initial > qmax:
        zp = qmax
    else:
        zp = int(numpy.rint(initial))
    return float(_F32(scale)), int(zp)


def quantize(x, scale, zero_point, qmin, qmax, np_dtype):
    """fbgemm's Quantize: round_half_even(x * float32(1/scale)) + zp, clamped."""
    inv = _F32(1.0) / _F32(scale)
    q = numpy.rint(numpy.asarray(x, _F32) * inv) + _F32(zero_point)
    return numpy.clip(q, qmin, qmax).astype(np_dtype)


def int_matmul(a, b, a_bound, b_bound):
    """Exact integer ``a @ b`` of integer-valued arrays (|a| <= a_bound, |b| <= b_bound)
    as a float array: float32 BLAS while exact, float64 beyond."""
    k = a.shape[-1]
    dt = numpy.float32 if k * a_bound * b_bound < 2 ** 24 else numpy.float64
    xp = backend.get_array_module(a)
    return backend.matmul(xp, a.astype(dt), b.astype(dt))


def requantize(acc, a_scale, w_scales, bias, out_scale, out_zp, relu=False, qmin=0, qmax=255):
    """fbgemm ReQuantizeOutput with a float bias; ``w_scales`` per output column."""
    act_times_w = (_F32(a_scale) * numpy.asarray(w_scales, _F32)).astype(_F32)
    raw = acc.astype(_F32)
    if bias is not None:
        raw = raw + (numpy.asarray(bias, _F32) / act_times_w).astype(_F32)
    mult = (act_times_w / _F32(out_scale)).astype(_F32)
    q = numpy.rint(raw * mult) + _F32(out_zp)
    lo = max(qmin, out_zp) if relu else qmin
    return numpy.clip(q, lo, qmax)


def float_output(acc, a_scale, w_scales, bias):
    """fbgemm ReQuantizeForFloat (dynamic ops): acc * (a_scale * w_scale) + bias, float32."""
    act_times_w = (_F32(a_scale) * numpy.asarray(w_scales, _F32)).astype(_F32)
    out = acc.astype(_F32) * act_times_w
    if bias is not None:
        out = out + numpy.asarray(bias, _F32)
    return out.astype(_F32)
