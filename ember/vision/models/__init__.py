"""``ember.vision.models``: torchvision's classification model zoo on ember.

Every model has torchvision's module names, state_dict keys, shapes, initialisation and
repr, so a torchvision checkpoint loads with ``strict=True`` and gives its logits.
Pretrained weights come from ``ember.hub``'s cache (shared with torch's).
"""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights,
                   get_weight, list_models)
from .resnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv3 import *  # noqa: F401,F403
from .efficientnet import *  # noqa: F401,F403
from .vision_transformer import *  # noqa: F401,F403
