"""``ember.vision.ops``: the layers torchvision's models are built from (misc blocks,
stochastic depth). Detection ops (nms, roi_align, box ops) are not provided yet."""
from .misc import Conv2dNormActivation, Conv3dNormActivation, MLP, Permute, SqueezeExcitation
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["Conv2dNormActivation", "Conv3dNormActivation", "MLP", "Permute",
           "SqueezeExcitation", "StochasticDepth", "stochastic_depth"]
