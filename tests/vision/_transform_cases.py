"""Shared inputs and cases for the ember.vision.transforms parity tests: every case is one
lambda ``(F, lib) -> callable(img)`` run with ember's and torchvision's modules."""
import numpy as np

H, W = 29, 37


def images():
    rng = np.random.default_rng(0)
    # a smooth image plus noise, so resampling has structure to get right
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([(xx * 7 + yy * 3) % 256, (xx * 2 + yy * 9) % 256, (xx * yy) % 256], -1)
    noise = rng.integers(0, 40, (H, W, 3))
    rgb = np.clip(base + noise, 0, 255).astype(np.uint8)
    return rgb, rng.random((2, 3, H, W), dtype=np.float32)


def interp(F, name):
    return getattr(F.InterpolationMode, name)


# (name, fn(F, lib, img)) applied to PIL images and tensors alike
FUNCTIONAL = [
    ("resize_int", lambda F, L, x: F.resize(x, 17)),
    ("resize_hw", lambda F, L, x: F.resize(x, [13, 21])),
    ("resize_up", lambda F, L, x: F.resize(x, [40, 50])),
    ("resize_max_size", lambda F, L, x: F.resize(x, 12, max_size=14)),
    ("resize_bicubic", lambda F, L, x: F.resize(x, [15, 19], interpolation=interp(F, "BICUBIC"))),
    ("resize_nearest", lambda F, L, x: F.resize(x, [15, 19], interpolation=interp(F, "NEAREST"))),
    ("center_crop", lambda F, L, x: F.center_crop(x, [20, 11])),
    ("center_crop_pad", lambda F, L, x: F.center_crop(x, 40)),
    ("crop", lambda F, L, x: F.crop(x, 3, 4, 10, 12)),
    ("crop_outside", lambda F, L, x: F.crop(x, -2, 30, 10, 12)),
    ("resized_crop", lambda F, L, x: F.resized_crop(x, 2, 3, 20, 25, [16, 16])),
    ("hflip", lambda F, L, x: F.hflip(x)),
    ("vflip", lambda F, L, x: F.vflip(x)),
    ("pad_constant", lambda F, L, x: F.pad(x, [1, 2, 3, 4], fill=9)),
    ("pad_edge", lambda F, L, x: F.pad(x, [2, 3], padding_mode="edge")),
    ("pad_reflect", lambda F, L, x: F.pad(x, 3, padding_mode="reflect")),
    ("pad_symmetric", lambda F, L, x: F.pad(x, [1, 2, 3, 4], padding_mode="symmetric")),
    ("rotate", lambda F, L, x: F.rotate(x, 33.0)),
    ("rotate_30_ties", lambda F, L, x: F.rotate(x, 30.0)),
    ("rotate_expand", lambda F, L, x: F.rotate(x, 90.0, expand=True)),
    ("rotate_bilinear_fill", lambda F, L, x: F.rotate(x, -20.0, interpolation=interp(F, "BILINEAR"),
                                                     fill=[10, 20, 30], center=[5, 6])),
    ("affine", lambda F, L, x: F.affine(x, 15.0, [2, -3], 1.1, [8.0, 4.0])),
    ("affine_bilinear", lambda F, L, x: F.affine(x, -10.0, [1, 1], 0.9, 5.0,
                                                 interpolation=interp(F, "BILINEAR"))),
    ("perspective", lambda F, L, x: F.perspective(x, [[0, 0], [36, 0], [36, 28], [0, 28]],
                                                  [[2, 1], [34, 0], [35, 27], [1, 26]])),
    ("perspective_nearest", lambda F, L, x: F.perspective(x, [[0, 0], [36, 0], [36, 28], [0, 28]],
                                                          [[3, 2], [33, 1], [35, 25], [0, 27]],
                                                          interpolation=interp(F, "NEAREST"))),
    ("brightness", lambda F, L, x: F.adjust_brightness(x, 1.4)),
    ("contrast", lambda F, L, x: F.adjust_contrast(x, 0.6)),
    ("saturation", lambda F, L, x: F.adjust_saturation(x, 1.7)),
    ("hue", lambda F, L, x: F.adjust_hue(x, 0.2)),
    ("hue_negative", lambda F, L, x: F.adjust_hue(x, -0.45)),
    ("gamma", lambda F, L, x: F.adjust_gamma(x, 0.6, 1.1)),
    ("sharpness", lambda F, L, x: F.adjust_sharpness(x, 2.5)),
    ("grayscale", lambda F, L, x: F.rgb_to_grayscale(x)),
    ("grayscale3", lambda F, L, x: F.rgb_to_grayscale(x, 3)),
    ("invert", lambda F, L, x: F.invert(x)),
    ("autocontrast", lambda F, L, x: F.autocontrast(x)),
    ("gaussian_blur", lambda F, L, x: F.gaussian_blur(x, [3, 5], [0.8, 1.3])),
    ("five_crop", lambda F, L, x: F.five_crop(x, [10, 12])),
    ("ten_crop", lambda F, L, x: F.ten_crop(x, 9, vertical_flip=True)),
]

# uint8-only ops (PIL and uint8 tensors)
UINT8_ONLY = [
    ("posterize", lambda F, L, x: F.posterize(x, 3)),
    ("solarize", lambda F, L, x: F.solarize(x, 128)),
    ("equalize", lambda F, L, x: F.equalize(x)),
]

# tensor-only functional cases
TENSOR_ONLY = [
    ("normalize", lambda F, L, x: F.normalize(F.convert_image_dtype(x, L.float32), [0.4, 0.5, 0.6],
                                              [0.2, 0.3, 0.4])),
    ("convert_to_float64", lambda F, L, x: F.convert_image_dtype(x, L.float64)),
    ("convert_to_int32", lambda F, L, x: F.convert_image_dtype(x, L.int32) if not x.is_floating_point()
     else F.convert_image_dtype(x, L.uint8)),
    ("resize_no_antialias", lambda F, L, x: F.resize(x, [13, 21], antialias=False)),
    ("resize_nearest_exact", lambda F, L, x: F.resize(x, [15, 45], interpolation=interp(F, "NEAREST_EXACT"))),
    ("resize_bicubic_noaa", lambda F, L, x: F.resize(x, [15, 19], interpolation=interp(F, "BICUBIC"),
                                                     antialias=False)),
    ("erase", lambda F, L, x: F.erase(x, 2, 3, 5, 6, L.zeros(1, 1, 1, dtype=x.dtype))),
    ("rotate_fill_scalar", lambda F, L, x: F.rotate(x, 45.0, fill=[0.5] if x.is_floating_point() else [7])),
    ("solarize_float", lambda F, L, x: F.solarize(x, 0.5 if x.is_floating_point() else 100)),
]


def repr_cases(T, lib):
    """The same transform objects built from ember's and torchvision's modules."""
    I = T.InterpolationMode
    return [
        T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                   T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]),
        T.ToTensor(), T.PILToTensor(), T.ToPILImage(), T.ToPILImage("RGB"),
        T.ConvertImageDtype(lib.float), T.Normalize((0.5,), (0.25,), inplace=True),
        T.Resize((10, 20), interpolation=I.NEAREST, antialias=False), T.Resize([5], max_size=9),
        T.CenterCrop(7), T.RandomCrop(32, padding=4, pad_if_needed=True, fill=1, padding_mode="edge"),
        T.RandomResizedCrop(224), T.RandomResizedCrop((20, 30), scale=(0.5, 1.0), ratio=(1.0, 2.0),
                                                      interpolation=I.BICUBIC, antialias=False),
        T.RandomHorizontalFlip(), T.RandomVerticalFlip(0.3), T.RandomRotation(10),
        T.RandomRotation((0, 30), interpolation=I.BILINEAR, expand=True, center=(1, 2), fill=3),
        T.RandomAffine(10), T.RandomAffine((-5, 10), translate=(0.1, 0.2), scale=(0.9, 1.1), shear=(1, 2, 3, 4),
                                           interpolation=I.BILINEAR, fill=1, center=(3, 4)),
        T.RandomPerspective(), T.RandomPerspective(0.3, p=1.0, fill=(1, 2, 3)),
        T.ColorJitter(), T.ColorJitter(0.4, (0.5, 1.5), 0.4, 0.1),
        T.Grayscale(), T.Grayscale(3), T.RandomGrayscale(), T.Pad([1, 2], fill=3, padding_mode="edge"),
        T.Lambda(lambda x: x), T.RandomApply([T.RandomHorizontalFlip(), T.Grayscale()], p=0.3),
        T.RandomChoice([T.RandomHorizontalFlip(), T.Grayscale()]), T.RandomChoice([T.Grayscale()], p=[1.0]),
        T.RandomOrder([T.Grayscale(), T.RandomVerticalFlip()]),
        T.GaussianBlur(3), T.GaussianBlur((3, 5), sigma=1.5), T.RandomErasing(),
        T.RandomErasing(p=1.0, value="random", inplace=True), T.FiveCrop(10), T.TenCrop((10, 5), vertical_flip=True),
        T.AutoAugment(), T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=[1, 2, 3]), T.RandAugment(),
        T.RandAugment(3, 5, 11, I.BILINEAR, [0]), T.TrivialAugmentWide(), T.TrivialAugmentWide(7, fill=3),
        T.RandomInvert(), T.RandomPosterize(3), T.RandomSolarize(100, p=0.2), T.RandomAdjustSharpness(2),
        T.RandomAutocontrast(), T.RandomEqualize(), T.ElasticTransform(),
    ]
