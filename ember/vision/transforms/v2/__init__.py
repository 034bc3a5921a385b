"""``torchvision.transforms.v2`` on ember: transforms that take whole samples (images with
their masks, boxes and labels, in any nesting of tuples/lists/dicts) and move every
tv_tensor consistently; ``functional`` holds the kernels."""
from . import functional
from ..functional import InterpolationMode
from ..autoaugment import AutoAugmentPolicy
from ._transform import Transform
from ._detection import (LinearTransformation, RandomChannelPermutation, RandomIoUCrop, RandomPhotometricDistort,
                         RandomZoomOut, SanitizeBoundingBoxes)
from ._transforms import (AutoAugment, CenterCrop, ClampBoundingBoxes, ColorJitter, Compose,
                          ConvertBoundingBoxFormat, ConvertImageDtype, ElasticTransform, FiveCrop,
                          GaussianBlur, Grayscale, Identity, Lambda, Normalize, Pad, PILToTensor,
                          RandAugment, RandomAdjustSharpness, RandomAffine, RandomApply,
                          RandomAutocontrast, RandomChoice, RandomCrop, RandomEqualize, RandomErasing,
                          RandomGrayscale, RandomHorizontalFlip, RandomInvert, RandomOrder,
                          RandomPerspective, RandomPosterize, RandomResizedCrop, RandomRotation,
                          RandomSolarize, RandomVerticalFlip, Resize, TenCrop, ToDtype, ToImage,
                          ToPILImage, ToPureTensor, ToTensor, TrivialAugmentWide)
