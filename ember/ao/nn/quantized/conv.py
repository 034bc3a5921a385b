"""``ember.ao.nn.quantized.Conv2d`` as torch's: quint8 input, qint8 weight (per channel
along the output channels, or per tensor), float bias; the integer convolution is ember's
im2col GEMM on ``(x_q - x_zp)`` and ``(w_q - w_zp)``, exact (float32 while ``C*kh*kw *
255 * 128 < 2**24``, float64 beyond), then fbgemm's requantization. Padding is in the
zero-point domain (padded values dequantize to 0), as fbgemm pads with the zero point."""
import numpy

from .... import _qtensor as _q
from ...._tensor import _make
from ....nn.modules.module import Module
from ....ops import conv as _conv
from . import _fbgemm
from ._common import (require_quantized, per_tensor_qparams, quantize_weight,
                      weight_int_and_scales, new_quint8)

_F32 = numpy.float32


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def quantized_conv2d(x, weight, bias, stride, padding, dilation, groups, out_scale, out_zp,
                     relu=False, op="quantized::conv2d.new"):
    require_quantized(x, op)
    sx, zx = per_tensor_qparams(x, op)
    if x._int.ndim != 4:
        raise RuntimeError(f"{op}: expected a 4-D (N, C, H, W) quantized input, got "
                           f"{x._int.ndim}-D")
    w, w_scales = weight_int_and_scales(weight)
    k = w.shape[1] * w.shape[2] * w.shape[3]
    dt = numpy.float32 if k * 255 * 128 < 2 ** 24 else numpy.float64
    a = _make((x._int.astype(numpy.int32) - zx).astype(dt))
    acc = _conv.conv2d(a, _make(w.astype(dt)), None, stride, padding, dilation, groups)._data
    acc = numpy.moveaxis(acc, 1, -1)          # channels last: the scales broadcast
    q = _fbgemm.requantize(acc, sx, w_scales, None if bias is None else
                           numpy.asarray(bias.detach()._data, _F32), out_scale, out_zp,
                           relu=relu)
    return new_quint8(numpy.ascontiguousarray(numpy.moveaxis(q, -1, 1)), out_scale, out_zp)


class Conv2d(Module):
    """A quantized 2-D convolution (``torch.ao.nn.quantized.Conv2d``)."""

    _version = 3
    _relu = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        if padding_mode != "zeros":
            raise NotImplementedError(f"quantized Conv2d padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.padding = _pair(stride), _pair(padding)
        self.dilation, self.groups = _pair(dilation), groups
        self.output_padding = (0, 0)
        self.transposed = False
        self.padding_mode = padding_mode
        w = _q.quantize_per_tensor(
            _make(numpy.zeros((out_channels, in_channels // groups) + self.kernel_size, _F32)),
            1.0, 0, _q.qint8)
        self.set_weight_bias(w, _make(numpy.zeros(out_channels, _F32)) if bias else None)
        self.scale = 1.0
        self.zero_point = 0

    def _get_name(self):
        return "QuantizedConvReLU2d" if self._relu else "QuantizedConv2d"

    def set_weight_bias(self, w, b):
        self._weight, self._bias = w, b

    def weight(self):
        return self._weight

    def bias(self):
        return self._bias

    def _weight_bias(self):
        return self._weight, self._bias

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}, scale={self.scale}, zero_point={self.zero_point}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self._bias is None:
            s += ", bias=False"
        return s

    def forward(self, x):
        op = "quantized::conv2d_relu.new" if self._relu else "quantized::conv2d.new"
        return quantized_conv2d(x, self._weight, self._bias, self.stride, self.padding,
                                self.dilation, self.groups, self.scale, self.zero_point,
                                relu=self._relu, op=op)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "weight"] = self._weight
        destination[prefix + "bias"] = self._bias
        destination[prefix + "scale"] = _make(numpy.array(self.scale, numpy.float64))
        destination[prefix + "zero_point"] = _make(numpy.array(self.zero_point, numpy.int64))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        self.set_weight_bias(state_dict.pop(prefix + "weight"), state_dict.pop(prefix + "bias"))
        self.scale = float(state_dict.pop(prefix + "scale")._data)
        self.zero_point = int(state_dict.pop(prefix + "zero_point")._data)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys,
                                      unexpected_keys, error_msgs)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        """Convert an observed nn.Conv2d (or fused ConvReLU2d / QAT ConvBn2d) module."""
        from ...nn.intrinsic import _FusedModule
        if hasattr(mod, "weight_fake_quant"):          # QAT module: BN folded in its weight
            if hasattr(mod, "bn"):
                mod = mod.to_float_folded()
            weight_post_process = mod.weight_fake_quant
            activation_post_process = mod.activation_post_process
            float_mod = mod
        else:
            if not hasattr(mod, "qconfig") or mod.qconfig is None:
                raise AssertionError("Input float module must have qconfig defined.")
            activation_post_process = mod.activation_post_process
            float_mod = mod[0] if isinstance(mod, _FusedModule) else mod
            weight_post_process = mod.qconfig.weight()
            weight_post_process(float_mod.weight)
        if weight_post_process.dtype is not _q.qint8:
            raise AssertionError("Weight observer must have a dtype of qint8")
        qweight = quantize_weight(float_mod.weight.detach().float(), weight_post_process)
        qconv = cls(float_mod.in_channels, float_mod.out_channels, float_mod.kernel_size,
                    float_mod.stride, float_mod.padding, float_mod.dilation, float_mod.groups,
                    float_mod.bias is not None, float_mod.padding_mode)
        qconv.set_weight_bias(qweight, None if float_mod.bias is None
                              else float_mod.bias.detach())
        if activation_post_process is None or activation_post_process.dtype is _F32:
            return qconv
        act_scale, act_zp = activation_post_process.calculate_qparams()
        qconv.scale = float(act_scale._data.reshape(-1)[0])
        qconv.zero_point = int(act_zp._data.reshape(-1)[0])
        return qconv
