"""MobileNetV3 small and large (``torchvision.models.mobilenetv3``)."""
from collections.abc import Sequence
from functools import partial

from ... import nn
from ... import flatten
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation as SElayer
from ._api import load_weights, make_weights_enum, model_builder, overwrite_named_param
from ._utils import _make_divisible, init_mobile_weights

__all__ = ["MobileNetV3", "MobileNet_V3_Large_Weights", "MobileNet_V3_Small_Weights",
           "mobilenet_v3_large", "mobilenet_v3_small"]

MobileNet_V3_Large_Weights = make_weights_enum("MobileNet_V3_Large_Weights", __name__)
MobileNet_V3_Small_Weights = make_weights_enum("MobileNet_V3_Small_Weights", __name__)


class InvertedResidualConfig:
    def __init__(self, input_channels, kernel, expanded_channels, out_channels, use_se,
                 activation, stride, dilation, width_mult):
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels, width_mult):
        return _make_divisible(channels * width_mult, 8)


class InvertedResidual(nn.Module):
    def __init__(self, cnf, norm_layer, se_layer=partial(SElayer, scale_activation=nn.Hardsigmoid)):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        act = nn.Hardswish if cnf.use_hs else nn.ReLU
        layers = []
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels,
                                               kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=act))
        layers.append(Conv2dNormActivation(
            cnf.expanded_channels, cnf.expanded_channels, kernel_size=cnf.kernel,
            stride=1 if cnf.dilation > 1 else cnf.stride, dilation=cnf.dilation,
            groups=cnf.expanded_channels, norm_layer=norm_layer, activation_layer=act))
        if cnf.use_se:
            layers.append(se_layer(cnf.expanded_channels,
                                   _make_divisible(cnf.expanded_channels // 4, 8)))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = result + input
        return result


class MobileNetV3(nn.Module):
    def __init__(self, inverted_residual_setting, last_channel, num_classes=1000, block=None,
                 norm_layer=None, dropout=0.2, **kwargs):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, Sequence)
                and all(isinstance(s, InvertedResidualConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[InvertedResidualConfig]")
        block = block or InvertedResidual
        norm_layer = norm_layer or partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        first = inverted_residual_setting[0].input_channels
        layers = [Conv2dNormActivation(3, first, kernel_size=3, stride=2, norm_layer=norm_layer,
                                       activation_layer=nn.Hardswish)]
        layers += [block(cnf, norm_layer) for cnf in inverted_residual_setting]
        last_in = inverted_residual_setting[-1].out_channels
        last_out = 6 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_out, last_channel), nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True), nn.Linear(last_channel, num_classes))
        init_mobile_weights(self, nn)

    def _forward_impl(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))

    def forward(self, x):
        return self._forward_impl(x)


# input, kernel, expanded, output, squeeze-excite, activation, stride, dilation (the paper's
# Tables 1 and 2); the last three stages shrink with reduced_tail and dilate with dilated
_LARGE = [(16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2),
          (24, 3, 72, 24, False, "RE", 1), (24, 5, 72, 40, True, "RE", 2),
          (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
          (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1),
          (80, 3, 184, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
          (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1)]
_SMALL = [(16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2),
          (24, 3, 88, 24, False, "RE", 1), (24, 5, 96, 40, True, "HS", 2),
          (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
          (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1)]


def _mobilenet_v3_conf(arch, width_mult=1.0, reduced_tail=False, dilated=False, **kwargs):
    r = 2 if reduced_tail else 1
    d = 2 if dilated else 1
    conf = partial(InvertedResidualConfig, width_mult=width_mult)
    if arch == "mobilenet_v3_large":
        head, (last_in, tail_exp, tail_out, last) = _LARGE, (112, 672, 160, 1280)
        tail = [(last_in, 5, tail_exp, tail_out // r, True, "HS", 2, d),
                (tail_out // r, 5, 960 // r, tail_out // r, True, "HS", 1, d),
                (tail_out // r, 5, 960 // r, tail_out // r, True, "HS", 1, d)]
    elif arch == "mobilenet_v3_small":
        head, (last_in, tail_exp, tail_out, last) = _SMALL, (48, 288, 96, 1024)
        tail = [(last_in, 5, tail_exp, tail_out // r, True, "HS", 2, d),
                (tail_out // r, 5, 576 // r, tail_out // r, True, "HS", 1, d),
                (tail_out // r, 5, 576 // r, tail_out // r, True, "HS", 1, d)]
    else:
        raise ValueError(f"Unsupported model type {arch}")
    setting = [conf(*row, 1) for row in head] + [conf(*row) for row in tail]
    return setting, InvertedResidualConfig.adjust_channels(last // r, width_mult)


def _mobilenet_v3(arch, weights, progress, **kwargs):
    setting, last_channel = _mobilenet_v3_conf(arch, **kwargs)
    for key in ("width_mult", "reduced_tail", "dilated"):
        kwargs.pop(key, None)
    if weights is not None:
        overwrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    return load_weights(MobileNetV3(setting, last_channel, **kwargs), weights, progress)


@model_builder(MobileNet_V3_Large_Weights)
def mobilenet_v3_large(*, weights=None, progress=True, **kwargs):
    """MobileNetV3 large from `Searching for MobileNetV3`."""
    return _mobilenet_v3("mobilenet_v3_large", weights, progress, **kwargs)


@model_builder(MobileNet_V3_Small_Weights)
def mobilenet_v3_small(*, weights=None, progress=True, **kwargs):
    """MobileNetV3 small from `Searching for MobileNetV3`."""
    return _mobilenet_v3("mobilenet_v3_small", weights, progress, **kwargs)
