"""``ember.ao.nn.quantized``: modules on quantized tensors (``torch.ao.nn.quantized``)."""
from .linear import Linear, LinearPackedParams  # noqa: F401
from .conv import Conv2d  # noqa: F401
from .modules import (Quantize, DeQuantize, FloatFunctional, FXFloatFunctional,  # noqa: F401
                      QFunctional, ReLU6)
from . import dynamic  # noqa: F401
