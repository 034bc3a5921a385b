"""PIL paths of ``ember.vision.transforms.functional`` (torchvision's
``transforms._functional_pil``): the same Pillow calls with the same arguments, so the
pixels are Pillow's, exactly as torchvision's. Pillow is imported on first use."""
import numbers

import numpy


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("ember.vision needs Pillow for PIL images: pip install 'ember[vision]'") from None
    return Image


def _is_pil_image(img):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def _check(img):
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def _fromarray(arr, mode):
    """``Image.fromarray(arr, mode)`` as torchvision does it on Pillow >= 11.3 (where
    ``mode=`` is deprecated): the raw bytes read in ``mode``, converting the data kind."""
    Image = _pil()
    arr = numpy.ascontiguousarray(arr)
    if mode is None:
        return Image.fromarray(arr)
    size = (1 if arr.ndim == 1 else arr.shape[1], arr.shape[0])
    return Image.frombuffer(mode, size, arr.tobytes(), "raw", mode, 0, 1)


def get_dimensions(img):
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    if _is_pil_image(img):
        return list(img.size)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img):
    if _is_pil_image(img):
        return len(img.getbands())
    raise TypeError(f"Unexpected type {type(img)}")


def hflip(img):
    _check(img)
    return img.transpose(_pil().FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(_pil().FLIP_TOP_BOTTOM)


def _pillow_call(what, img, fn, *args):
    """Run a Pillow operation; its error for an unsupported mode keeps its type (as
    torchvision lets it through) and gains the mode and a way out."""
    try:
        return fn(*args)
    except (ValueError, OSError) as e:
        raise type(e)(f"{what}: Pillow cannot process a PIL image of mode {img.mode!r} ({e}); "
                      "convert it first, e.g. img.convert('RGB')") from e


def _enhance(img, name, factor):
    _check(img)
    from PIL import ImageEnhance
    return _pillow_call(f"ImageEnhance.{name}", img, lambda: getattr(ImageEnhance, name)(img).enhance(factor))


def adjust_brightness(img, brightness_factor):
    return _enhance(img, "Brightness", brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(img, "Contrast", contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(img, "Color", saturation_factor)


def adjust_sharpness(img, sharpness_factor):
    return _enhance(img, "Sharpness", sharpness_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check(img)
    Image = _pil()
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = numpy.array(h, dtype=numpy.uint8)
    with numpy.errstate(over="ignore"):
        np_h += numpy.int32(hue_factor * 255).astype(numpy.uint8)
    h = _fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def adjust_gamma(img, gamma, gain=1.0):
    _check(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    input_mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)] * 3
    return img.point(gamma_map).convert(input_mode)


def _parse_fill(fill, img, name="fillcolor"):
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of channels "
                             f"of the image ({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode="constant"):
    _check(img)
    Image = _pil()
    from PIL import ImageOps
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                         f"not a {len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            image = ImageOps.expand(img, border=padding, **opts)
            image.putpalette(palette)
            return image
        return ImageOps.expand(img, border=padding, **opts)
    if isinstance(padding, int):
        p = [padding] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)                          # left, top, right, bottom
    cropping = -numpy.minimum(p, 0)
    if cropping.any():
        cl, ct, cr, cb = (int(c) for c in cropping)
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
    pl, pt, pr, pb = (int(v) for v in numpy.maximum(p, 0))
    if img.mode == "P":
        palette = img.getpalette()
        arr = numpy.pad(numpy.asarray(img), ((pt, pb), (pl, pr)), mode=padding_mode)
        out = Image.fromarray(arr)
        out.putpalette(palette)
        return out
    arr = numpy.asarray(img)
    if arr.ndim == 3:
        arr = numpy.pad(arr, ((pt, pb), (pl, pr), (0, 0)), padding_mode)
    else:
        arr = numpy.pad(arr, ((pt, pb), (pl, pr)), padding_mode)
    return Image.fromarray(arr)


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def affine(img, matrix, interpolation=0, fill=None):
    _check(img)
    opts = _parse_fill(fill, img)
    return img.transform(img.size, _pil().AFFINE, matrix, interpolation, **opts)


def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    _check(img)
    opts = _parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def perspective(img, perspective_coeffs, interpolation=3, fill=None):
    _check(img)
    opts = _parse_fill(fill, img)
    return img.transform(img.size, _pil().PERSPECTIVE, perspective_coeffs, interpolation, **opts)


def to_grayscale(img, num_output_channels):
    _check(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        np_img = numpy.array(img.convert("L"), dtype=numpy.uint8)
        return _fromarray(numpy.dstack([np_img, np_img, np_img]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def _imageops(name, img, *args):
    _check(img)
    from PIL import ImageOps
    return _pillow_call(f"ImageOps.{name}", img, getattr(ImageOps, name), img, *args)


def invert(img):
    return _imageops("invert", img)


def posterize(img, bits):
    return _imageops("posterize", img, bits)


def solarize(img, threshold):
    return _imageops("solarize", img, threshold)


def autocontrast(img):
    return _imageops("autocontrast", img)


def equalize(img):
    return _imageops("equalize", img)
