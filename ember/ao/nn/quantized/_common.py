"""Helpers shared by the quantized modules: argument checks with torch's errors, weight
quantization from an observer, QTensor construction."""
import numpy

from .... import _qtensor as _q
from ...._tensor import Tensor

_F32 = numpy.float32


def require_quantized(x, op):
    """torch's error for a float tensor given to a quantized op."""
    if not isinstance(x, _q.QTensor):
        backend = "CPU" if isinstance(x, Tensor) else type(x).__name__
        raise NotImplementedError(
            f"Could not run '{op}' with arguments from the '{backend}' backend. This could be "
            "because the operator doesn't exist for this backend, or was omitted during the "
            "selective/custom build process (if using custom build). (A quantized model "
            "needs quantized input: put a QuantStub / torch.ao.quantization.QuantStub before "
            "it, or call ember.quantize_per_tensor.)")
    return x


def per_tensor_qparams(x, op):
    if x._qscheme is not _q.per_tensor_affine:
        raise RuntimeError(f"{op}: expected a per-tensor quantized input")
    return x._scale, x._zero_point


def quantize_weight(float_wt, observer):
    """torch's ``_quantize_weight``: per tensor or per channel from the observer's qparams."""
    wt_scale, wt_zp = observer.calculate_qparams()
    qscheme = observer.qscheme
    if qscheme in (_q.per_tensor_symmetric, _q.per_tensor_affine):
        return _q.quantize_per_tensor(float_wt, float(wt_scale._data.reshape(-1)[0]),
                                      int(wt_zp._data.reshape(-1)[0]), _q.qint8)
    if qscheme in (_q.per_channel_symmetric, _q.per_channel_affine):
        from ...._tensor import _make
        return _q.quantize_per_channel(float_wt, _make(wt_scale._data.astype(numpy.float64)),
                                       _make(wt_zp._data.astype(numpy.int64)),
                                       observer.ch_axis, _q.qint8)
    if qscheme is _q.per_channel_affine_float_qparams:
        from ...._tensor import _make
        return _q.quantize_per_channel(float_wt, _make(wt_scale._data.astype(numpy.float64)),
                                       _make(wt_zp._data.astype(_F32)), observer.ch_axis,
                                       observer.dtype)
    raise ValueError(f"Unexpected qscheme {qscheme}")


def weight_int_and_scales(w):
    """(int array minus zero points as int32, per-output-row scales float32) of a qint8
    weight QTensor whose axis 0 is the output channel."""
    ints = w._int.astype(numpy.int32)
    out = ints.shape[0]
    if w._qscheme is _q.per_tensor_affine:
        return ints - w._zero_point, numpy.full(out, w._scale, dtype=_F32)
    if w._axis != 0:
        raise NotImplementedError("quantized weights per channel along an axis other than 0")
    shape = (out,) + (1,) * (ints.ndim - 1)
    return ints - w._zero_points.astype(numpy.int32).reshape(shape), w._scales.astype(_F32)


def new_quint8(ints, scale, zero_point):
    return _q._new_qtensor(ints.astype(numpy.uint8), _q.quint8, _q.per_tensor_affine,
                           float(scale), int(zero_point), None, None, None)
