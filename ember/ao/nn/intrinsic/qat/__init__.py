"""``ember.ao.nn.intrinsic.qat``: fused QAT modules. ConvBn2d follows torch's
``_ConvBnNd``: the convolution runs with the weight scaled by ``gamma / sqrt(running_var
+ eps)`` and fake-quantized, its output is unscaled, the conv bias added, and the real
BatchNorm applied (so BN statistics keep training); ``to_float_folded`` folds BN into the
conv for convert."""
from .....nn import functional as F
from .....nn.modules.conv import Conv2d as _Conv2d
from .....nn.modules.batchnorm import BatchNorm2d
from .....nn.modules.linear import Linear as _Linear
from ...qat import Linear as _QATLinear, Conv2d as _QATConv2d


class LinearReLU(_QATLinear):
    def forward(self, input):
        return F.relu(F.linear(input, self.weight_fake_quant(self.weight), self.bias))


class ConvReLU2d(_QATConv2d):
    def forward(self, input):
        return F.relu(self._conv_forward(input, self.weight_fake_quant(self.weight),
                                         self.bias))


class ConvBn2d(_Conv2d):
    _relu = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=None, padding_mode="zeros", eps=1e-05,
                 momentum=0.1, freeze_bn=False, qconfig=None):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride,
                         padding=padding, dilation=dilation, groups=groups, bias=False,
                         padding_mode=padding_mode)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.freeze_bn = freeze_bn if self.training else True
        self.bn = BatchNorm2d(out_channels, eps, momentum, True, True)
        self.weight_fake_quant = qconfig.weight()
        if bias:
            from .....nn.parameter import Parameter
            from ..... import zeros
            self.bias = Parameter(zeros(out_channels))
        else:
            self.register_parameter("bias", None)

    def _forward(self, input):
        running_std = (self.bn.running_var + self.bn.eps).sqrt()
        scale_factor = self.bn.weight / running_std
        scaled_weight = self.weight_fake_quant(self.weight * scale_factor.reshape(-1, 1, 1, 1))
        zero_bias = None
        conv = self._conv_forward(input, scaled_weight, zero_bias)
        conv_orig = conv / scale_factor.reshape(1, -1, 1, 1)
        if self.bias is not None:
            conv_orig = conv_orig + self.bias.reshape(1, -1, 1, 1)
        return self.bn(conv_orig)

    def forward(self, input):
        out = self._forward(input)
        return F.relu(out) if self._relu else out

    def to_float_folded(self):
        """A float Conv2d with BN folded in, carrying the fake quantizers for convert."""
        from ....quantization.fuse_modules import fuse_conv_bn_weights
        conv = _Conv2d(self.in_channels, self.out_channels, self.kernel_size, self.stride,
                       self.padding, self.dilation, self.groups, True, self.padding_mode)
        w, b = fuse_conv_bn_weights(self.weight, self.bias, self.bn.running_mean,
                                    self.bn.running_var, self.bn.eps, self.bn.weight,
                                    self.bn.bias)
        conv.weight, conv.bias = w, b
        conv.weight_fake_quant = self.weight_fake_quant
        conv.activation_post_process = getattr(self, "activation_post_process", None)
        conv.qconfig = self.qconfig
        return conv

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        conv, bn = mod[0], mod[1]
        qat = cls(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                  conv.padding, conv.dilation, conv.groups, conv.bias is not None,
                  conv.padding_mode, bn.eps, bn.momentum, False, mod.qconfig)
        qat.weight = conv.weight
        qat.bias = conv.bias
        qat.bn.weight = bn.weight
        qat.bn.bias = bn.bias
        qat.bn.running_mean = bn.running_mean
        qat.bn.running_var = bn.running_var
        qat.bn.num_batches_tracked = bn.num_batches_tracked
        return qat


class ConvBnReLU2d(ConvBn2d):
    _relu = True


__all__ = ["LinearReLU", "ConvReLU2d", "ConvBn2d", "ConvBnReLU2d", "_Linear"]
