"""VGG 11/13/16/19 with and without batch norm (``torchvision.models.vgg``)."""
from ... import nn
from ... import flatten
from ._api import load_weights, make_weights_enum, model_builder, overwrite_named_param

__all__ = ["VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
           "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights"]

VGG11_Weights = make_weights_enum("VGG11_Weights", __name__)
VGG11_BN_Weights = make_weights_enum("VGG11_BN_Weights", __name__)
VGG13_Weights = make_weights_enum("VGG13_Weights", __name__)
VGG13_BN_Weights = make_weights_enum("VGG13_BN_Weights", __name__)
VGG16_Weights = make_weights_enum("VGG16_Weights", __name__)
VGG16_BN_Weights = make_weights_enum("VGG16_BN_Weights", __name__)
VGG19_Weights = make_weights_enum("VGG19_Weights", __name__)
VGG19_BN_Weights = make_weights_enum("VGG19_BN_Weights", __name__)

cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


def make_layers(cfg, batch_norm=False):
    layers, in_channels = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg, batch_norm, weights, progress, **kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
        if weights.meta.get("categories") is not None:
            overwrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    return load_weights(VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs), weights,
                        progress)


def _define(name, enum, cfg, batch_norm):
    def build(*, weights=None, progress=True, **kwargs):
        return _vgg(cfg, batch_norm, weights, progress, **kwargs)
    build.__name__ = build.__qualname__ = name
    build.__module__ = __name__
    layers = {"A": 11, "B": 13, "D": 16, "E": 19}[cfg]
    build.__doc__ = (f"VGG-{layers}{' with batch normalization' if batch_norm else ''} from "
                     "`Very Deep Convolutional Networks for Large-Scale Image Recognition`.")
    return model_builder(enum)(build)


vgg11 = _define("vgg11", VGG11_Weights, "A", False)
vgg11_bn = _define("vgg11_bn", VGG11_BN_Weights, "A", True)
vgg13 = _define("vgg13", VGG13_Weights, "B", False)
vgg13_bn = _define("vgg13_bn", VGG13_BN_Weights, "B", True)
vgg16 = _define("vgg16", VGG16_Weights, "D", False)
vgg16_bn = _define("vgg16_bn", VGG16_BN_Weights, "D", True)
vgg19 = _define("vgg19", VGG19_Weights, "E", False)
vgg19_bn = _define("vgg19_bn", VGG19_BN_Weights, "E", True)
