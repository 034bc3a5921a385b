"""Quantize / DeQuantize, the functional wrappers (FloatFunctional, QFunctional) and
quantized activations, as ``torch.ao.nn.quantized``."""
import numpy

from .... import _qtensor as _q
from ...._tensor import Tensor, _make
from ....nn.modules.module import Module
from ....nn.modules.activation import ReLU6 as _FloatReLU6
from ._common import require_quantized, per_tensor_qparams, new_quint8

_F32 = numpy.float32


class Quantize(Module):
    """Float -> quantized with fixed qparams (what a QuantStub becomes)."""

    def __init__(self, scale, zero_point, dtype, factory_kwargs=None):
        super().__init__()
        self.register_buffer("scale", _make(numpy.array([scale], _F32)))
        self.register_buffer("zero_point", _make(numpy.array([zero_point], numpy.int64)))
        self.dtype = dtype

    def forward(self, X):
        if isinstance(X, _q.QTensor):
            raise RuntimeError("Quantize: the input is already quantized")
        return _q.quantize_per_tensor(X, float(self.scale._data[0]),
                                      int(self.zero_point._data[0]), self.dtype)

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        scale, zero_point = mod.activation_post_process.calculate_qparams()
        return Quantize(float(scale._data.reshape(-1)[0]), int(zero_point._data.reshape(-1)[0]),
                        mod.activation_post_process.dtype)

    def extra_repr(self):
        return f"scale={self.scale}, zero_point={self.zero_point}, dtype={self.dtype}"


class DeQuantize(Module):
    """Quantized -> float (what a DeQuantStub becomes)."""

    def forward(self, Xq):
        if not isinstance(Xq, _q.QTensor):
            return Xq.dequantize() if hasattr(Xq, "dequantize") else Xq
        return Xq.dequantize()

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        return DeQuantize()


class FloatFunctional(Module):
    """Float add/mul/cat with an observer slot (``activation_post_process``)."""

    def __init__(self):
        super().__init__()
        from ....nn.modules.linear import Identity
        self.activation_post_process = Identity()

    def forward(self, x):
        raise RuntimeError("FloatFunctional is not intended to use the 'forward'. Please use "
                           "the underlying operation")

    def add(self, x, y):
        return self.activation_post_process(x + y)

    def add_scalar(self, x, y):
        return x + y

    def mul(self, x, y):
        return self.activation_post_process(x * y)

    def mul_scalar(self, x, y):
        return x * y

    def cat(self, x, dim=0):
        from .... import cat
        return self.activation_post_process(cat(x, dim=dim))

    def add_relu(self, x, y):
        from ....nn import functional as F
        return self.activation_post_process(F.relu(x + y))

    def matmul(self, x, y):
        return self.activation_post_process(x.matmul(y))


class FXFloatFunctional(FloatFunctional):
    pass


def _qbinary(op, a, b, scale, zero_point, relu=False, name="quantized::add"):
    """Quantized binary op: dequantize both, combine in float32, requantize (torch's qadd)."""
    require_quantized(a, name)
    require_quantized(b, name)
    fa, fb = a._dequantize_array(), b._dequantize_array()
    out = op(fa, fb)
    if relu:
        out = numpy.maximum(out, 0)
    ints = _q.quantize_array(out, scale, zero_point, a._qdtype)
    return _q._new_qtensor(ints, a._qdtype, _q.per_tensor_affine, float(scale),
                           int(zero_point), None, None, None)


class QFunctional(Module):
    """Quantized add/mul/cat with the output scale and zero point from calibration."""

    def __init__(self):
        super().__init__()
        self.scale = 1.0
        self.zero_point = 0
        from ....nn.modules.linear import Identity
        self.activation_post_process = Identity()

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "scale"] = _make(numpy.array(self.scale, numpy.float64))
        destination[prefix + "zero_point"] = _make(numpy.array(self.zero_point, numpy.int64))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        self.scale = float(state_dict.pop(prefix + "scale")._data)
        self.zero_point = int(state_dict.pop(prefix + "zero_point")._data)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys,
                                      unexpected_keys, error_msgs)

    def _get_name(self):
        return "QFunctional"

    def extra_repr(self):
        return f"scale={self.scale}, zero_point={self.zero_point}"

    def forward(self, x):
        raise RuntimeError("Functional is not intended to use the 'forward'. Please use the "
                           "underlying operation")

    def add(self, x, y):
        return _qbinary(numpy.add, x, y, self.scale, self.zero_point)

    def add_relu(self, x, y):
        return _qbinary(numpy.add, x, y, self.scale, self.zero_point, relu=True,
                        name="quantized::add_relu")

    def mul(self, x, y):
        return _qbinary(numpy.multiply, x, y, self.scale, self.zero_point,
                        name="quantized::mul")

    def add_scalar(self, x, y):
        require_quantized(x, "quantized::add_scalar")
        return _q.quantize_per_tensor(_make(x._dequantize_array() + _F32(y)), x._scale,
                                      x._zero_point, x._qdtype)

    def mul_scalar(self, x, y):
        require_quantized(x, "quantized::mul_scalar")
        return _q.quantize_per_tensor(_make(x._dequantize_array() * _F32(y)), x._scale,
                                      x._zero_point, x._qdtype)

    def cat(self, x, dim=0):
        for t in x:
            require_quantized(t, "quantized::cat")
        out = numpy.concatenate([t._dequantize_array() for t in x], axis=dim)
        return _q.quantize_per_tensor(_make(out), self.scale, self.zero_point, x[0]._qdtype)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if type(mod) not in (FloatFunctional, FXFloatFunctional):
            raise AssertionError("QFunctional.from_float expects an instance of "
                                 "FloatFunctional")
        scale, zero_point = mod.activation_post_process.calculate_qparams()
        new = QFunctional()
        new.scale = float(scale._data.reshape(-1)[0])
        new.zero_point = int(zero_point._data.reshape(-1)[0])
        return new


class ReLU6(_FloatReLU6):
    """Quantized ReLU6: clamp to [0, 6] on the input's grid."""

    def _get_name(self):
        return "QuantizedReLU6"

    def forward(self, input):
        require_quantized(input, "quantized::relu6")
        s, z = per_tensor_qparams(input, "quantized::relu6")
        v = numpy.clip(input._dequantize_array(), 0, 6)
        return new_quint8(_q.quantize_array(v, s, z, input._qdtype), s, z) \
            if input._qdtype is _q.quint8 else _q.quantize_per_tensor(_make(v), s, z,
                                                                      input._qdtype)

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        return ReLU6(mod.inplace)


def _is_tensor(x):
    return isinstance(x, Tensor)
