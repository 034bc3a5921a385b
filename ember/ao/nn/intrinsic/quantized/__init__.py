"""``ember.ao.nn.intrinsic.quantized``: quantized fused modules (ReLU folded into the
requantization's lower clamp, at the output zero point, as fbgemm's ReluFused)."""
from ...quantized.linear import Linear as _QLinear, quantized_linear
from ...quantized.conv import Conv2d as _QConv2d


class LinearReLU(_QLinear):
    _FLOAT_MODULE = None

    def _get_name(self):
        return "QuantizedLinearReLU"

    def forward(self, x):
        return quantized_linear(x, *self._weight_bias(), self.scale, self.zero_point,
                                relu=True, op="quantized::linear_relu")


class ConvReLU2d(_QConv2d):
    _relu = True
