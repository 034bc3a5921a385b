"""``torchvision.transforms`` on ember: the v1 transform classes (``transforms.py``),
AutoAugment and friends (``autoaugment.py``), the functional API (``functional``) and
the v2 API (``v2``). Pillow is imported only when a PIL image is handled."""
from .autoaugment import AugMix, AutoAugment, AutoAugmentPolicy, RandAugment, TrivialAugmentWide
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms_all
from .functional import InterpolationMode

__all__ = list(_transforms_all) + ["AutoAugmentPolicy", "AutoAugment", "RandAugment",
                                   "TrivialAugmentWide", "AugMix"]
