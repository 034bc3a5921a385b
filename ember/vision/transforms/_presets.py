"""The inference presets that torchvision's weight enums return from ``.transforms()``
(``torchvision.transforms._presets``): same constructors, steps and ``repr``."""
from ... import nn
from ..._tensor import Tensor
from . import functional as F
from .functional import InterpolationMode

__all__ = ["ObjectDetection", "ImageClassification", "VideoClassification", "SemanticSegmentation",
           "OpticalFlow"]


def _to_float(img):
    from ... import float32
    if not isinstance(img, Tensor):
        img = F.pil_to_tensor(img)
    return F.convert_image_dtype(img, float32)


def _repr(obj, *names):
    s = obj.__class__.__name__ + "("
    for n in names:
        s += f"\n    {n}={getattr(obj, n)}"
    return s + "\n)"


class ObjectDetection(nn.Module):
    def forward(self, img):
        return _to_float(img)

    def __repr__(self):
        return self.__class__.__name__ + "()"

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
                "objects. The images are rescaled to ``[0.0, 1.0]``.")


class ImageClassification(nn.Module):
    """Resize the short side to ``resize_size``, centre-crop ``crop_size``, scale to
    [0, 1] and normalize."""

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        return F.normalize(_to_float(img), mean=self.mean, std=self.std)

    def __repr__(self):
        return _repr(self, "crop_size", "resize_size", "mean", "std", "interpolation")

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
                f"objects. The images are resized to ``resize_size={self.resize_size}`` using "
                f"``interpolation={self.interpolation}``, followed by a central crop of "
                f"``crop_size={self.crop_size}``. Finally the values are first rescaled to ``[0.0, 1.0]`` and then "
                f"normalized using ``mean={self.mean}`` and ``std={self.std}``.")


class VideoClassification(nn.Module):
    def __init__(self, *, crop_size, resize_size, mean=(0.43216, 0.394666, 0.37645),
                 std=(0.22803, 0.22145, 0.216989), interpolation=InterpolationMode.BILINEAR):
        super().__init__()
        self.crop_size = list(crop_size)
        self.resize_size = list(resize_size)
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation

    def forward(self, vid):
        need_squeeze = vid.ndim < 5
        if need_squeeze:
            vid = vid.unsqueeze(0)
        n, t, c, h, w = vid.shape
        vid = vid.reshape(-1, c, h, w)
        vid = F.resize(vid, self.resize_size, interpolation=self.interpolation, antialias=False)
        vid = F.center_crop(vid, self.crop_size)
        vid = F.normalize(_to_float(vid), mean=self.mean, std=self.std)
        ch, cw = self.crop_size
        vid = vid.reshape(n, t, c, ch, cw).permute(0, 2, 1, 3, 4)
        return vid.squeeze(0) if need_squeeze else vid

    def __repr__(self):
        return _repr(self, "crop_size", "resize_size", "mean", "std", "interpolation")


class SemanticSegmentation(nn.Module):
    def __init__(self, *, resize_size, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.resize_size = [resize_size] if resize_size is not None else None
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        if isinstance(self.resize_size, list):
            img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        return F.normalize(_to_float(img), mean=self.mean, std=self.std)

    def __repr__(self):
        return _repr(self, "resize_size", "mean", "std", "interpolation")


class OpticalFlow(nn.Module):
    def forward(self, img1, img2):
        img1 = F.normalize(_to_float(img1), mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
        img2 = F.normalize(_to_float(img2), mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
        return img1.contiguous(), img2.contiguous()

    def __repr__(self):
        return self.__class__.__name__ + "()"
