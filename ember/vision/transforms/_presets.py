"""Preprocessing presets of the pretrained weights (``torchvision.transforms._presets``).

``weights.transforms()`` builds an :class:`ImageClassification`: resize, center crop,
to float in [0, 1], normalize, on PIL images and (..., C, H, W) tensors, as torchvision's
private presets module does. Only the classification preset is provided (the models of
ember.vision are classifiers).
"""
from ... import float as float32, is_tensor, nn
from . import functional as F
from .functional import InterpolationMode

__all__ = ["ImageClassification"]


class ImageClassification(nn.Module):
    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406),
                 std=(0.229, 0.224, 0.225), interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, interpolation=self.interpolation,
                       antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not is_tensor(img):
            img = F.pil_to_tensor(img)
        img = F.convert_image_dtype(img, float32)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        return (f"{self.__class__.__name__}(\n    crop_size={self.crop_size}\n"
                f"    resize_size={self.resize_size}\n    mean={self.mean}\n"
                f"    std={self.std}\n    interpolation={self.interpolation}\n)")

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image "
                f"``torch.Tensor`` objects. The images are resized to ``resize_size="
                f"{self.resize_size}`` using ``interpolation={self.interpolation}``, followed by "
                f"a central crop of ``crop_size={self.crop_size}``. Finally the values are first "
                f"rescaled to ``[0.0, 1.0]`` and then normalized using ``mean={self.mean}`` and "
                f"``std={self.std}``.")
