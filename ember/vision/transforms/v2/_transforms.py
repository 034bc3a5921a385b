"""torchvision's v2 transform classes on ember (``transforms.v2``): the same constructor
checks and stored attributes (so ``repr`` matches), ``make_params`` with torchvision's
distributions drawn from ember's default generator, and kernels from ``v2.functional``
that move masks and bounding boxes with the image."""
import math
import numbers
import warnings
from collections.abc import Sequence

import numpy

from .... import nn
from ...._tensor import Tensor
from ... import tv_tensors
from ... import transforms as _v1
from ..transforms import _check_sequence_input, _setup_angle, _setup_size
from . import functional as F
from ._transform import (Transform, _RandomApplyTransform, _get_fill, _log_ratio, _setup_fill_arg,
                         _setup_number_or_seq, is_pure_tensor, query_chw, query_size, _is_pil)
from ..functional import InterpolationMode


def _uniform(a, b):
    from .... import empty
    return float(empty(1).uniform_(float(a), float(b)).item())


def _randint(low, high):
    from .... import randint
    return int(randint(low, high, size=(1,)).item())


# -- containers -------------------------------------------------------------------------------
def _check_transforms(transforms):
    if not isinstance(transforms, Sequence):
        raise TypeError("Argument transforms should be a sequence of callables")
    if not transforms:
        raise ValueError("Pass at least one transform")


def _chain(transforms, inputs):
    needs_unpacking = len(inputs) > 1
    outputs = inputs if needs_unpacking else inputs[0]
    for t in transforms:
        outputs = t(*inputs)
        inputs = outputs if needs_unpacking else (outputs,)
    return outputs


class Compose(Transform):
    def __init__(self, transforms):
        super().__init__()
        _check_transforms(transforms)
        self.transforms = transforms

    def forward(self, *inputs):
        return _chain(self.transforms, inputs)

    def extra_repr(self):
        return "\n".join(f"    {t}" for t in self.transforms)


class RandomApply(Transform):
    def __init__(self, transforms, p=0.5):
        super().__init__()
        if not isinstance(transforms, (Sequence, nn.ModuleList)):
            raise TypeError("Argument transforms should be a sequence of callables or a `nn.ModuleList`")
        if not transforms:
            raise ValueError("Pass at least one transform")
        self.transforms = transforms
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        from .... import rand
        if rand(1).item() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return _chain(self.transforms, inputs)

    def extra_repr(self):
        return "\n".join(f"    {t}" for t in self.transforms)


class RandomChoice(Transform):
    def __init__(self, transforms, p=None):
        _check_transforms(transforms)
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs):
        from .... import multinomial, tensor
        idx = int(multinomial(tensor(self.p), 1).item())
        return self.transforms[idx](*inputs)


class RandomOrder(Transform):
    def __init__(self, transforms):
        _check_transforms(transforms)
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs):
        from .... import randperm
        order = [self.transforms[i] for i in randperm(len(self.transforms)).tolist()]
        return _chain(order, inputs)


# -- type conversion ---------------------------------------------------------------------------
class ToImage(Transform):
    _transformed_types = (is_pure_tensor, _is_pil, numpy.ndarray)

    def transform(self, inpt, params):
        return F.to_image(inpt)


class PILToTensor(Transform):
    _transformed_types = (_is_pil,)

    def transform(self, inpt, params):
        return F.pil_to_tensor(inpt)


class ToPILImage(Transform):
    _transformed_types = (is_pure_tensor, tv_tensors.Image, numpy.ndarray)

    def __init__(self, mode=None):
        super().__init__()
        self.mode = mode

    def transform(self, inpt, params):
        return F.to_pil_image(inpt, mode=self.mode)


class ToPureTensor(Transform):
    _transformed_types = (tv_tensors.TVTensor,)

    def transform(self, inpt, params):
        return F.to_pure_tensor(inpt)


class ToTensor(Transform):
    """Deprecated in torchvision: use ``Compose([ToImage(), ToDtype(float32, scale=True)])``."""
    _transformed_types = (is_pure_tensor, _is_pil, numpy.ndarray)

    def __init__(self):
        warnings.warn("The transform `ToTensor()` is deprecated and will be removed in a future release. "
                      "Instead, please use `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`."
                      "Output is equivalent up to float precision.")
        super().__init__()

    def transform(self, inpt, params):
        return F.to_tensor(inpt)


class ToDtype(Transform):
    """Cast to ``dtype`` (one dtype: images, videos and plain tensors only; a dict maps
    tv_tensor types, or "others", to dtypes); ``scale`` rescales image values."""
    _transformed_types = (Tensor,)

    def __init__(self, dtype, scale=False):
        from ...._dtype import dtype as _dtype_cls
        super().__init__()
        if not isinstance(dtype, (dict, _dtype_cls)):
            raise ValueError(f"dtype must be a dict or a torch.dtype, got {type(dtype)} instead")
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt, params):
        if isinstance(self.dtype, dict):
            dtype = None
            for k, v in self.dtype.items():
                if isinstance(k, type) and isinstance(inpt, k) and (k is not Tensor or is_pure_tensor(inpt)):
                    dtype = v
                    break
            else:
                if "others" in self.dtype:
                    dtype = self.dtype["others"]
                else:
                    raise ValueError(f"No dtype was specified for type {type(inpt)}. If you only need to convert "
                                     "the dtype of images or videos, you can just pass e.g. dtype=torch.float32. "
                                     "If you're passing a dict as dtype, you can use \"others\" as a catch-all key.")
            if dtype is None:
                return inpt
        else:
            if isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
                return inpt
            dtype = self.dtype
        return F.to_dtype(inpt, dtype=dtype, scale=self.scale)


class ConvertImageDtype(Transform):
    _transformed_types = (is_pure_tensor, tv_tensors.Image)

    def __init__(self, dtype=None):
        from .... import float32
        super().__init__()
        self.dtype = float32 if dtype is None else dtype

    def transform(self, inpt, params):
        return F.convert_image_dtype(inpt, self.dtype)


# -- misc --------------------------------------------------------------------------------------
class Identity(Transform):
    def transform(self, inpt, params):
        return inpt


class Lambda(Transform):
    _transformed_types = (object,)

    def __init__(self, lambd, *types):
        super().__init__()
        self.lambd = lambd
        self.types = types or self._transformed_types

    def transform(self, inpt, params):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def extra_repr(self):
        extras = []
        name = getattr(self.lambd, "__name__", None)
        if name:
            extras.append(name)
        extras.append(f"types={[t.__name__ for t in self.types]}")
        return ", ".join(extras)


class Normalize(Transform):
    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def check_inputs(self, flat_inputs):
        if any(_is_pil(x) for x in flat_inputs):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")

    def transform(self, inpt, params):
        return F.normalize(inpt, mean=self.mean, std=self.std, inplace=self.inplace)


class GaussianBlur(Transform):
    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        self.sigma = _setup_number_or_seq(sigma, "sigma")
        if not 0.0 < self.sigma[0] <= self.sigma[1]:
            raise ValueError(f"sigma values should be positive and of the form (min, max). Got {self.sigma}")

    def make_params(self, flat_inputs):
        sigma = _uniform(self.sigma[0], self.sigma[1])
        return dict(sigma=[sigma, sigma])

    def transform(self, inpt, params):
        return F.gaussian_blur(inpt, self.kernel_size, **params)


class ConvertBoundingBoxFormat(Transform):
    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, format):
        super().__init__()
        self.format = format

    def transform(self, inpt, params):
        return F.convert_bounding_box_format(inpt, new_format=self.format)


class ClampBoundingBoxes(Transform):
    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, clamping_mode="auto"):
        super().__init__()
        self.clamping_mode = clamping_mode

    def transform(self, inpt, params):
        return F.clamp_bounding_boxes(inpt)


# -- geometry ----------------------------------------------------------------------------------
class RandomHorizontalFlip(_RandomApplyTransform):
    def transform(self, inpt, params):
        return F.horizontal_flip(inpt)


class RandomVerticalFlip(_RandomApplyTransform):
    def transform(self, inpt, params):
        return F.vertical_flip(inpt)


class Resize(Transform):
    def __init__(self, size, interpolation="bilinear", max_size=None, antialias=True):
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif isinstance(size, Sequence) and len(size) in {1, 2}:
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(f"max_size must be an integer when size is None, but got {max_size} instead.")
        else:
            raise ValueError("size can be an integer, a sequence of one or two integers, or None, "
                             f"but got {size} instead.")
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt, params):
        return F.resize(inpt, self.size, interpolation=self.interpolation, max_size=self.max_size,
                        antialias=self.antialias)


class CenterCrop(Transform):
    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def transform(self, inpt, params):
        return F.center_crop(inpt, output_size=self.size)


class RandomResizedCrop(Transform):
    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation="bilinear",
                 antialias=True):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError("Scale should be a sequence of two floats.")
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError("Ratio should be a sequence of two floats.")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)")
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias
        self._log_ratio = _log_ratio(ratio)

    get_params = staticmethod(_v1.RandomResizedCrop.get_params)

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        i, j, h, w = _v1.RandomResizedCrop.get_params(_as_sized(height, width), self.scale, self.ratio)
        return dict(top=i, left=j, height=h, width=w)

    def transform(self, inpt, params):
        return F.resized_crop(inpt, **params, size=self.size, interpolation=self.interpolation,
                              antialias=self.antialias)


def _as_sized(h, w):
    from .... import empty
    return empty(1, h, w)


class FiveCrop(Transform):
    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def check_inputs(self, flat_inputs):
        if any(isinstance(x, (tv_tensors.BoundingBoxes, tv_tensors.Mask)) for x in flat_inputs):
            raise TypeError(f"BoundingBoxes'es and Mask's are not supported by {type(self).__name__}()")

    def transform(self, inpt, params):
        return F.five_crop(inpt, self.size)


class TenCrop(Transform):
    def __init__(self, size, vertical_flip=False):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def check_inputs(self, flat_inputs):
        if any(isinstance(x, (tv_tensors.BoundingBoxes, tv_tensors.Mask)) for x in flat_inputs):
            raise TypeError(f"BoundingBoxes'es and Mask's are not supported by {type(self).__name__}()")

    def transform(self, inpt, params):
        return F.ten_crop(inpt, self.size, vertical_flip=self.vertical_flip)


def _check_padding_arg(padding):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def _check_padding_mode_arg(padding_mode):
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


class Pad(Transform):
    def __init__(self, padding, fill=0, padding_mode="constant"):
        super().__init__()
        _check_padding_arg(padding)
        _check_padding_mode_arg(padding_mode)
        if not isinstance(padding, int):
            padding = list(padding)
        self.padding = padding
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.padding_mode = padding_mode

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.pad(inpt, padding=self.padding, fill=fill, padding_mode=self.padding_mode)


class RandomCrop(Transform):
    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        if pad_if_needed or padding is not None:
            if padding is not None:
                _check_padding_arg(padding)
            _check_padding_mode_arg(padding_mode)
        from .._functional_tensor import _parse_pad_padding
        self.padding = _parse_pad_padding(padding) if padding else None
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.padding_mode = padding_mode

    get_params = staticmethod(_v1.RandomCrop.get_params)

    def make_params(self, flat_inputs):
        ph, pw = query_size(flat_inputs)
        if self.padding is not None:
            pl, pr, pt, pb = self.padding
            ph += pt + pb
            pw += pl + pr
        else:
            pl = pr = pt = pb = 0
        ch, cw = self.size
        if self.pad_if_needed:
            if ph < ch:
                diff = ch - ph
                pt += diff
                pb += diff
                ph += 2 * diff
            if pw < cw:
                diff = cw - pw
                pl += diff
                pr += diff
                pw += 2 * diff
        if ph < ch or pw < cw:
            raise ValueError(f"Required crop size {(ch, cw)} is larger than "
                             f"{'padded ' if self.padding is not None else ''}input image size {(ph, pw)}.")
        padding = [pl, pt, pr, pb]
        top = _randint(0, ph - ch + 1) if ph > ch else 0
        left = _randint(0, pw - cw + 1) if pw > cw else 0
        return dict(needs_crop=ph > ch or pw > cw, top=top, left=left, height=ch, width=cw,
                    needs_pad=any(padding), padding=padding)

    def transform(self, inpt, params):
        if params["needs_pad"]:
            fill = _get_fill(self._fill, type(inpt))
            inpt = F.pad(inpt, padding=params["padding"], fill=fill, padding_mode=self.padding_mode)
        if params["needs_crop"]:
            inpt = F.crop(inpt, top=params["top"], left=params["left"], height=params["height"],
                          width=params["width"])
        return inpt


class RandomRotation(Transform):
    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        self.interpolation = interpolation
        self.expand = expand
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    get_params = staticmethod(_v1.RandomRotation.get_params)

    def make_params(self, flat_inputs):
        return dict(angle=_uniform(self.degrees[0], self.degrees[1]))

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.rotate(inpt, **params, interpolation=self.interpolation, expand=self.expand,
                        center=self.center, fill=fill)


class RandomAffine(Transform):
    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest", fill=0,
                 center=None):
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not (0.0 <= t <= 1.0):
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else shear
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    get_params = staticmethod(_v1.RandomAffine.get_params)

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        angle, translate, scale, shear = _v1.RandomAffine.get_params(
            self.degrees, self.translate, self.scale, self.shear, [width, height])
        return dict(angle=angle, translate=translate, scale=scale, shear=shear)

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.affine(inpt, **params, interpolation=self.interpolation, fill=fill, center=self.center)


class RandomPerspective(_RandomApplyTransform):
    def __init__(self, distortion_scale=0.5, p=0.5, interpolation="bilinear", fill=0):
        super().__init__(p=p)
        if not (0 <= distortion_scale <= 1):
            raise ValueError("Argument distortion_scale value should be between 0 and 1")
        self.distortion_scale = distortion_scale
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    get_params = staticmethod(_v1.RandomPerspective.get_params)

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        start, end = _v1.RandomPerspective.get_params(width, height, self.distortion_scale)
        from ..functional import _get_perspective_coeffs
        return dict(coefficients=_get_perspective_coeffs(start, end))

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.perspective(inpt, None, None, fill=fill, interpolation=self.interpolation, **params)


class ElasticTransform(Transform):
    def __init__(self, alpha=50.0, sigma=5.0, interpolation="bilinear", fill=0):
        super().__init__()
        self.alpha = _setup_number_or_seq(alpha, "alpha")
        self.sigma = _setup_number_or_seq(sigma, "sigma")
        self.interpolation = interpolation
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        return dict(displacement=_v1.ElasticTransform.get_params(self.alpha, self.sigma, [height, width]))

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.elastic(inpt, **params, fill=fill, interpolation=self.interpolation)


# -- colour ------------------------------------------------------------------------------------
class Grayscale(Transform):
    def __init__(self, num_output_channels=1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def transform(self, inpt, params):
        return F.rgb_to_grayscale(inpt, num_output_channels=self.num_output_channels)


class RandomGrayscale(_RandomApplyTransform):
    def __init__(self, p=0.1):
        super().__init__(p=p)

    def make_params(self, flat_inputs):
        num_input_channels, *_ = query_chw(flat_inputs)
        return dict(num_input_channels=num_input_channels)

    def transform(self, inpt, params):
        return F.rgb_to_grayscale(inpt, num_output_channels=params["num_input_channels"])


class ColorJitter(Transform):
    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None):
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def _check_input(self, value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
        if value is None:
            return None
        if isinstance(value, (int, float)):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - value, center + value]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, Sequence) and len(value) == 2:
            value = [float(v) for v in value]
        else:
            raise TypeError(f"{name}={value} should be a single number or a sequence with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound} and increasing, but got {value}.")
        return None if value[0] == value[1] == center else (float(value[0]), float(value[1]))

    def make_params(self, flat_inputs):
        fn_idx, b, c, s, h = _v1.ColorJitter.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        return dict(fn_idx=fn_idx.tolist(), brightness_factor=b, contrast_factor=c, saturation_factor=s,
                    hue_factor=h)

    def transform(self, inpt, params):
        out = inpt
        for fn_id in params["fn_idx"]:
            if fn_id == 0 and params["brightness_factor"] is not None:
                out = F.adjust_brightness(out, params["brightness_factor"])
            elif fn_id == 1 and params["contrast_factor"] is not None:
                out = F.adjust_contrast(out, params["contrast_factor"])
            elif fn_id == 2 and params["saturation_factor"] is not None:
                out = F.adjust_saturation(out, params["saturation_factor"])
            elif fn_id == 3 and params["hue_factor"] is not None:
                out = F.adjust_hue(out, params["hue_factor"])
        return out


class RandomEqualize(_RandomApplyTransform):
    def transform(self, inpt, params):
        return F.equalize(inpt)


class RandomInvert(_RandomApplyTransform):
    def transform(self, inpt, params):
        return F.invert(inpt)


class RandomAutocontrast(_RandomApplyTransform):
    def transform(self, inpt, params):
        return F.autocontrast(inpt)


class RandomPosterize(_RandomApplyTransform):
    def __init__(self, bits, p=0.5):
        super().__init__(p=p)
        self.bits = bits

    def transform(self, inpt, params):
        return F.posterize(inpt, bits=self.bits)


class RandomSolarize(_RandomApplyTransform):
    def __init__(self, threshold, p=0.5):
        super().__init__(p=p)
        self.threshold = threshold

    def transform(self, inpt, params):
        return F.solarize(inpt, threshold=self.threshold)


class RandomAdjustSharpness(_RandomApplyTransform):
    def __init__(self, sharpness_factor, p=0.5):
        super().__init__(p=p)
        self.sharpness_factor = sharpness_factor

    def transform(self, inpt, params):
        return F.adjust_sharpness(inpt, sharpness_factor=self.sharpness_factor)


class RandomErasing(_RandomApplyTransform):
    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace=False):
        super().__init__(p=p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        self.scale = scale
        self.ratio = ratio
        if isinstance(value, (int, float)):
            self.value = [float(value)]
        elif isinstance(value, str):
            self.value = None
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace
        self._log_ratio = _log_ratio(ratio)

    get_params = staticmethod(_v1.RandomErasing.get_params)

    def make_params(self, flat_inputs):
        img_c, img_h, img_w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(f"If value is a sequence, it should have either a single value or {img_c} "
                             "(number of inpt channels)")
        from .... import empty, float32, tensor
        area = img_h * img_w
        for _ in range(10):
            erase_area = area * _uniform(self.scale[0], self.scale[1])
            aspect_ratio = float(numpy.exp(numpy.float32(_uniform(self._log_ratio[0], self._log_ratio[1]))))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = empty([img_c, h, w], dtype=float32).normal_()
            else:
                v = tensor(self.value)[:, None, None]
            i = _randint(0, img_h - h + 1)
            j = _randint(0, img_w - w + 1)
            return dict(i=i, j=j, h=h, w=w, v=v)
        return dict(i=0, j=0, h=img_h, w=img_w, v=None)

    def transform(self, inpt, params):
        if params["v"] is None or isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
            return inpt
        if _is_pil(inpt):
            raise TypeError("RandomErasing does not support PIL images")
        return F.erase(inpt, params["i"], params["j"], params["h"], params["w"],
                       params["v"].to(inpt.dtype) if isinstance(params["v"], Tensor) else params["v"],
                       inplace=self.inplace)


# -- automatic augmentation (images/videos only; other leaves pass through) ------------------------
class _AutoAugmentBase(Transform):
    _v1_cls = None

    def __init__(self, interpolation="nearest", fill=None):
        super().__init__()
        self.interpolation = interpolation
        self.fill = fill

    def _v1_kwargs(self):
        raise NotImplementedError

    def _image_index(self, flat_inputs):
        needs = self._needs_transform_list(flat_inputs)
        idx = [k for k, (x, n) in enumerate(zip(flat_inputs, needs))
               if n and not isinstance(x, (tv_tensors.Mask, tv_tensors.BoundingBoxes))]
        if len(idx) != 1:
            raise TypeError(f"{type(self).__name__}() needs exactly one image or video in the sample, "
                            f"found {len(idx)}")
        return idx[0]

    def forward(self, *inputs):
        from ._transform import tree_flatten, tree_unflatten
        flat_inputs, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        k = self._image_index(flat_inputs)
        img = flat_inputs[k]
        interp = self.interpolation
        interp = InterpolationMode(interp) if isinstance(interp, str) else interp
        v1 = self._v1_cls(interpolation=interp, fill=self.fill, **self._v1_kwargs())
        out = v1(img.as_subclass(Tensor) if isinstance(img, tv_tensors.TVTensor) else img)
        flat_inputs[k] = tv_tensors.wrap(out, like=img) if isinstance(img, tv_tensors.TVTensor) else out
        return tree_unflatten(flat_inputs, spec)


class AutoAugment(_AutoAugmentBase):
    _v1_cls = _v1.AutoAugment

    def __init__(self, policy=_v1.AutoAugmentPolicy.IMAGENET, interpolation="nearest", fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        self._policies = _v1.AutoAugment(policy).policies

    def _v1_kwargs(self):
        return dict(policy=self.policy)


class RandAugment(_AutoAugmentBase):
    _v1_cls = _v1.RandAugment

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation="nearest",
                 fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def _v1_kwargs(self):
        return dict(num_ops=self.num_ops, magnitude=self.magnitude, num_magnitude_bins=self.num_magnitude_bins)


class TrivialAugmentWide(_AutoAugmentBase):
    _v1_cls = _v1.TrivialAugmentWide

    def __init__(self, num_magnitude_bins=31, interpolation="nearest", fill=None):
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    def _v1_kwargs(self):
        return dict(num_magnitude_bins=self.num_magnitude_bins)
