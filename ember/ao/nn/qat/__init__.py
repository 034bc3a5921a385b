"""``ember.ao.nn.qat``: float modules whose weights go through a FakeQuantize in forward
(quantization-aware training), as ``torch.ao.nn.qat``."""
from ....nn import functional as F
from ....nn.modules.linear import Linear as _Linear
from ....nn.modules.conv import Conv2d as _Conv2d


class Linear(_Linear):
    _FLOAT_MODULE = _Linear

    def __init__(self, in_features, out_features, bias=True, qconfig=None, device=None,
                 dtype=None):
        super().__init__(in_features, out_features, bias)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return F.linear(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import LinearReLU as _FusedLR
        float_lin = mod[0] if isinstance(mod, _FusedLR) else mod
        if not getattr(mod, "qconfig", None):
            raise AssertionError("Input float module must have a valid qconfig")
        qat = cls(float_lin.in_features, float_lin.out_features,
                  bias=float_lin.bias is not None, qconfig=mod.qconfig)
        qat.weight = float_lin.weight
        qat.bias = float_lin.bias
        return qat

    def to_float(self):
        lin = _Linear(self.in_features, self.out_features, self.bias is not None)
        lin.weight = self.weight
        lin.bias = self.bias
        return lin


class Conv2d(_Conv2d):
    _FLOAT_MODULE = _Conv2d

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", qconfig=None,
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride,
                         padding=padding, dilation=dilation, groups=groups, bias=bias,
                         padding_mode=padding_mode)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import ConvReLU2d as _FusedCR
        conv = mod[0] if isinstance(mod, _FusedCR) else mod
        if not getattr(mod, "qconfig", None):
            raise AssertionError("Input float module must have a valid qconfig")
        qat = cls(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                  padding=conv.padding, dilation=conv.dilation, groups=conv.groups,
                  bias=conv.bias is not None, padding_mode=conv.padding_mode,
                  qconfig=mod.qconfig)
        qat.weight = conv.weight
        qat.bias = conv.bias
        return qat
