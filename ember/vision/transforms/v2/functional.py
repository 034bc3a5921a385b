"""``torchvision.transforms.v2.functional`` on ember: each function dispatches on what it
is given, as torchvision's kernel registry does:

- PIL images, ``tv_tensors.Image`` / ``Video`` and plain tensors: the v1 kernels
  (``transforms.functional``), the result re-wrapped in the input's tv_tensor type;
- ``tv_tensors.Mask``: the geometry kernels with nearest interpolation (colour
  operations pass masks through unchanged);
- ``tv_tensors.BoundingBoxes``: box kernels that move the boxes with the image (via
  XYXY corners, clamped to the new ``canvas_size`` after crops and warps, as torchvision
  does); colour operations pass boxes through.
"""
import numbers

import numpy

from ...._tensor import Tensor
from ... import tv_tensors
from .. import functional as _F
from .. import _functional_tensor as _Ft
from ..functional import InterpolationMode, _compute_resized_output_size, _get_inverse_affine_matrix

_is_pil = _F._is_pil_image


def _interp(interpolation):
    if isinstance(interpolation, str):
        return InterpolationMode(interpolation)
    return _F._check_interpolation(interpolation)


def _rewrap(out, like, **meta):
    if isinstance(like, tv_tensors.TVTensor):
        if isinstance(out, (tuple, list)):
            return type(out)(tv_tensors.wrap(o, like=like, **meta) for o in out)
        return tv_tensors.wrap(out, like=like, **meta)
    return out


def _plain(t):
    return t.as_subclass(Tensor) if isinstance(t, tv_tensors.TVTensor) else t


def _check_supported(inpt):
    if not (isinstance(inpt, Tensor) or _is_pil(inpt)):
        raise TypeError(f"Got an input of type {type(inpt)}: ember.vision.transforms.v2.functional supports "
                        "PIL images, tensors and tv_tensors")


# -- bounding boxes ----------------------------------------------------------------------------
def _box_arrays(boxes):
    """(float64 XYXY array (N, 4), original array dtype)."""
    a = numpy.asarray(boxes.numpy(force=True), dtype=numpy.float64).reshape(-1, 4)
    return _to_xyxy(a, boxes.format), boxes._data.dtype


def _to_xyxy(a, fmt):
    fmt = fmt.value if isinstance(fmt, tv_tensors.BoundingBoxFormat) else str(fmt).upper()
    if fmt == "XYWH":
        return numpy.concatenate([a[:, :2], a[:, :2] + a[:, 2:]], 1)
    if fmt == "CXCYWH":
        return numpy.concatenate([a[:, :2] - a[:, 2:] / 2, a[:, :2] + a[:, 2:] / 2], 1)
    return a.copy()


def _from_xyxy(a, fmt):
    fmt = fmt.value if isinstance(fmt, tv_tensors.BoundingBoxFormat) else str(fmt).upper()
    if fmt == "XYWH":
        return numpy.concatenate([a[:, :2], a[:, 2:] - a[:, :2]], 1)
    if fmt == "CXCYWH":
        return numpy.concatenate([(a[:, :2] + a[:, 2:]) / 2, a[:, 2:] - a[:, :2]], 1)
    return a


def _boxes_out(xyxy, boxes, dtype, canvas_size=None, clamp=False):
    from .... import from_numpy
    canvas_size = tuple(boxes.canvas_size if canvas_size is None else canvas_size)
    if clamp:
        xyxy = xyxy.copy()
        xyxy[:, 0::2] = xyxy[:, 0::2].clip(0, canvas_size[1])
        xyxy[:, 1::2] = xyxy[:, 1::2].clip(0, canvas_size[0])
    out = _from_xyxy(xyxy, boxes.format)
    if numpy.dtype(dtype).kind == "f":
        out = out.astype(dtype)
    else:
        out = numpy.trunc(out).astype(dtype)
    t = from_numpy(out.reshape(tuple(boxes.shape)))
    if boxes.device.type != "cpu":
        t = t.to(boxes.device)
    return tv_tensors.wrap(t, like=boxes, canvas_size=canvas_size)


def convert_bounding_box_format(inpt, old_format=None, new_format=None, inplace=False):
    """Boxes from ``old_format`` (the input's own for BoundingBoxes) to ``new_format``."""
    from .... import from_numpy
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    if isinstance(new_format, str):
        new_format = tv_tensors.BoundingBoxFormat[new_format.upper()]
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if old_format is not None:
            raise ValueError("For bounding box tv_tensor inputs, `old_format` must not be passed.")
        xyxy, dtype = _box_arrays(inpt)
        out = _from_xyxy(xyxy, new_format).astype(dtype)
        return tv_tensors.wrap(from_numpy(out), like=inpt, format=new_format)
    if old_format is None:
        raise ValueError("For pure tensor inputs, `old_format` has to be passed.")
    a = numpy.asarray(inpt.numpy(force=True), dtype=numpy.float64).reshape(-1, 4)
    out = _from_xyxy(_to_xyxy(a, old_format), new_format).astype(inpt._data.dtype)
    return from_numpy(out.reshape(tuple(inpt.shape)))


def clamp_bounding_boxes(inpt, format=None, canvas_size=None, clamping_mode="auto"):
    """Clamp box coordinates to the canvas."""
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        xyxy, dtype = _box_arrays(inpt)
        return _boxes_out(xyxy, inpt, dtype, clamp=True)
    if format is None or canvas_size is None:
        raise ValueError("For pure tensor inputs, `format` and `canvas_size` have to be passed.")
    boxes = tv_tensors.BoundingBoxes(inpt, format=format, canvas_size=canvas_size)
    return _plain(clamp_bounding_boxes(boxes))


def _box_points_transform(boxes, fn, canvas_size):
    """Move the 4 corners of each box with ``fn`` (points (M, 2) -> (M, 2)); the boxes
    enclosing them, clamped to ``canvas_size``."""
    xyxy, dtype = _box_arrays(boxes)
    pts = xyxy[:, [[0, 1], [2, 1], [2, 3], [0, 3]]].reshape(-1, 2)
    moved = fn(pts).reshape(-1, 4, 2)
    out = numpy.concatenate([moved.min(1), moved.max(1)], 1)
    return _boxes_out(out, boxes, dtype, canvas_size=canvas_size, clamp=True)


def _affine_boxes(boxes, angle, translate, scale, shear, center, expand=False):
    h, w = boxes.canvas_size
    if center is None:
        center = [w * 0.5, h * 0.5]
    m = numpy.asarray(_get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=False),
                      dtype=numpy.float64).reshape(2, 3)

    def fn(p):
        return p @ m[:, :2].T + m[:, 2]

    canvas = (h, w)
    shift = numpy.zeros(2)
    if expand:
        corners = numpy.array([[0.0, 0.0], [0.0, h], [w, h], [w, 0.0]])
        shift = fn(corners).min(0)
        inv = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        nw, nh = _Ft._compute_affine_output_size(inv, w, h)
        canvas = (nh, nw)
    return _box_points_transform(boxes, lambda p: fn(p) - shift, canvas)


def _perspective_boxes(boxes, coeffs):
    a, b, c, d, e, f, g, h_ = coeffs
    hom = numpy.linalg.inv(numpy.array([[a, b, c], [d, e, f], [g, h_, 1.0]], dtype=numpy.float64))

    def fn(p):
        q = numpy.concatenate([p, numpy.ones((len(p), 1))], 1) @ hom.T
        return q[:, :2] / q[:, 2:]

    return _box_points_transform(boxes, fn, boxes.canvas_size)


# -- geometry -----------------------------------------------------------------------------------
def horizontal_flip(inpt):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        xyxy, dtype = _box_arrays(inpt)
        w = inpt.canvas_size[1]
        out = numpy.stack([w - xyxy[:, 2], xyxy[:, 1], w - xyxy[:, 0], xyxy[:, 3]], 1)
        return _boxes_out(out, inpt, dtype)
    _check_supported(inpt)
    return _rewrap(_F.hflip(_plain(inpt)), inpt)


def vertical_flip(inpt):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        xyxy, dtype = _box_arrays(inpt)
        h = inpt.canvas_size[0]
        out = numpy.stack([xyxy[:, 0], h - xyxy[:, 3], xyxy[:, 2], h - xyxy[:, 1]], 1)
        return _boxes_out(out, inpt, dtype)
    _check_supported(inpt)
    return _rewrap(_F.vflip(_plain(inpt)), inpt)


hflip = horizontal_flip
vflip = vertical_flip


def get_size(inpt):
    """[height, width] of an image, video, mask or the canvas of boxes."""
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        return list(inpt.canvas_size)
    _check_supported(inpt)
    _, h, w = _F.get_dimensions(inpt)
    return [h, w]


def get_dimensions(inpt):
    _check_supported(inpt)
    return _F.get_dimensions(inpt)


def get_num_channels(inpt):
    _check_supported(inpt)
    return _F.get_image_num_channels(inpt)


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    interpolation = _interp(interpolation)
    if isinstance(size, int):
        size = [size]
    elif size is not None:
        size = list(size)
        if len(size) not in (1, 2):
            raise ValueError("size can be an integer, a sequence of one or two integers, or None, "
                             f"but got {size} instead.")
    if size is not None and len(size) == 2 and max_size is not None:
        raise ValueError("max_size should only be passed if size is None or specifies the length of the "
                         "smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    old_h, old_w = get_size(inpt)
    new_h, new_w = _compute_resized_output_size((old_h, old_w), size, max_size, allow_size_none=True)
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        xyxy, dtype = _box_arrays(inpt)
        ratio = numpy.array([new_w / old_w, new_h / old_h] * 2)
        return _boxes_out(xyxy * ratio, inpt, dtype, canvas_size=(new_h, new_w))
    if isinstance(inpt, tv_tensors.Mask):
        interpolation = InterpolationMode.NEAREST
    img = _plain(inpt)
    if [new_h, new_w] == [old_h, old_w]:
        return inpt
    if isinstance(img, Tensor) and interpolation.value in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        out = _Ft.resize(img, [new_h, new_w], interpolation.value, antialias=antialias, uint8_native=True)
    else:
        out = _F.resize(img, [new_h, new_w], interpolation, antialias=antialias)
    return _rewrap(out, inpt)


def crop(inpt, top, left, height, width):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        xyxy, dtype = _box_arrays(inpt)
        return _boxes_out(xyxy - numpy.array([left, top, left, top]), inpt, dtype,
                          canvas_size=(height, width), clamp=True)
    _check_supported(inpt)
    return _rewrap(_F.crop(_plain(inpt), top, left, height, width), inpt)


def _center_crop_box(size, output_size):
    h, w = size
    output_size = _F._pair(output_size)
    ch, cw = output_size
    return int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw


def center_crop(inpt, output_size):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        top, left, ch, cw = _center_crop_box(inpt.canvas_size, output_size)
        return crop(inpt, top, left, ch, cw)
    _check_supported(inpt)
    return _rewrap(_F.center_crop(_plain(inpt), output_size), inpt)


def resized_crop(inpt, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    return resize(crop(inpt, top, left, height, width), size, interpolation=interpolation, antialias=antialias)


def _fill_value(fill):
    return 0 if fill is None else fill


def pad(inpt, padding, fill=None, padding_mode="constant"):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        p = _Ft._parse_pad_padding(padding if not isinstance(padding, tuple) else list(padding))
        left, right, top, bottom = p
        xyxy, dtype = _box_arrays(inpt)
        h, w = inpt.canvas_size
        return _boxes_out(xyxy + numpy.array([left, top, left, top]), inpt, dtype,
                          canvas_size=(h + top + bottom, w + left + right))
    _check_supported(inpt)
    fill = _fill_value(fill)
    if isinstance(inpt, Tensor) and isinstance(fill, (list, tuple)):
        if len(set(fill)) > 1:
            return _rewrap(_pad_per_channel(_plain(inpt), padding, fill), inpt)
        fill = fill[0]
    return _rewrap(_F.pad(_plain(inpt), padding, fill, padding_mode), inpt)


def _pad_per_channel(img, padding, fill):
    from .... import cat
    chans = [_F.pad(img[..., c:c + 1, :, :], padding, float(v), "constant") for c, v in enumerate(fill)]
    return cat(chans, -3)


def _geom_fill(inpt, fill):
    if isinstance(inpt, Tensor):
        if fill is None:
            return None
        return [float(f) for f in fill] if isinstance(fill, (list, tuple)) else [float(fill)]
    return fill


def rotate(inpt, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        return _affine_boxes(inpt, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], center, expand=expand)
    _check_supported(inpt)
    interpolation = InterpolationMode.NEAREST if isinstance(inpt, tv_tensors.Mask) else _interp(interpolation)
    out = _F.rotate(_plain(inpt), float(angle), interpolation, expand, center, _geom_fill(inpt, fill))
    return _rewrap(out, inpt)


def _affine_args(translate, shear):
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = [float(s) for s in shear]
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    return [float(t) for t in translate], shear


def affine(inpt, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        translate, shear = _affine_args(translate, shear)
        return _affine_boxes(inpt, float(angle), translate, scale, shear, center)
    _check_supported(inpt)
    interpolation = InterpolationMode.NEAREST if isinstance(inpt, tv_tensors.Mask) else _interp(interpolation)
    out = _F.affine(_plain(inpt), float(angle), list(translate), scale, shear, interpolation,
                    _geom_fill(inpt, fill), center)
    return _rewrap(out, inpt)


def _perspective_coefficients(startpoints, endpoints, coefficients):
    if coefficients is not None:
        if startpoints is not None or endpoints is not None:
            raise ValueError("The startpoints/endpoints and the coefficients shouldn't be defined concurrently.")
        if len(coefficients) != 8:
            raise ValueError("Argument coefficients should have 8 float values")
        return list(coefficients)
    if startpoints is None or endpoints is None:
        raise ValueError("Either the startpoints/endpoints or the coefficients must have non `None` values.")
    return _F._get_perspective_coeffs(startpoints, endpoints)


def perspective(inpt, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None,
                coefficients=None):
    coeffs = _perspective_coefficients(startpoints, endpoints, coefficients)
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        return _perspective_boxes(inpt, coeffs)
    _check_supported(inpt)
    interpolation = InterpolationMode.NEAREST if isinstance(inpt, tv_tensors.Mask) else _interp(interpolation)
    img = _plain(inpt)
    if isinstance(img, Tensor):
        out = _Ft.perspective(img, coeffs, interpolation=interpolation.value, fill=_geom_fill(inpt, fill))
    else:
        out = _F.F_pil.perspective(img, coeffs, interpolation=_F.pil_modes_mapping[interpolation], fill=fill)
    return _rewrap(out, inpt)


def elastic(inpt, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        raise NotImplementedError("ember.vision.transforms.v2.functional.elastic on BoundingBoxes")
    _check_supported(inpt)
    interpolation = InterpolationMode.NEAREST if isinstance(inpt, tv_tensors.Mask) else _interp(interpolation)
    return _rewrap(_F.elastic_transform(_plain(inpt), displacement, interpolation, _geom_fill(inpt, fill)), inpt)


elastic_transform = elastic


def five_crop(inpt, size):
    _check_supported(inpt)
    return _rewrap(_F.five_crop(_plain(inpt), size), inpt)


def ten_crop(inpt, size, vertical_flip=False):
    _check_supported(inpt)
    return _rewrap(_F.ten_crop(_plain(inpt), size, vertical_flip), inpt)


# -- colour and misc: images / videos / plain tensors only; masks and boxes pass through ------
def _passthrough(inpt):
    return isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes))


def _colour(fn):
    def op(inpt, *args, **kwargs):
        if _passthrough(inpt):
            return inpt
        _check_supported(inpt)
        return _rewrap(fn(_plain(inpt), *args, **kwargs), inpt)
    op.__name__ = fn.__name__
    op.__doc__ = f"v2 ``{fn.__name__}``: the v1 kernel on images/videos/tensors; masks and boxes pass through."
    return op


adjust_brightness = _colour(_F.adjust_brightness)
adjust_contrast = _colour(_F.adjust_contrast)
adjust_saturation = _colour(_F.adjust_saturation)
adjust_hue = _colour(_F.adjust_hue)
adjust_gamma = _colour(_F.adjust_gamma)
adjust_sharpness = _colour(_F.adjust_sharpness)
rgb_to_grayscale = _colour(_F.rgb_to_grayscale)
invert = _colour(_F.invert)
posterize = _colour(_F.posterize)
autocontrast = _colour(_F.autocontrast)
equalize = _colour(_F.equalize)
gaussian_blur = _colour(_F.gaussian_blur)
normalize = _colour(_F.normalize)
erase = _colour(_F.erase)
to_grayscale = rgb_to_grayscale


def solarize(inpt, threshold):
    if _passthrough(inpt):
        return inpt
    _check_supported(inpt)
    return _rewrap(_F.solarize(_plain(inpt), threshold), inpt)


def to_image(inpt):
    """PIL image, ndarray (H, W, C) or tensor -> ``tv_tensors.Image``."""
    from .... import from_numpy
    if isinstance(inpt, numpy.ndarray):
        arr = numpy.atleast_3d(inpt)
        return tv_tensors.Image(from_numpy(numpy.ascontiguousarray(arr.transpose(2, 0, 1))))
    if _is_pil(inpt):
        return tv_tensors.Image(_F.pil_to_tensor(inpt))
    if isinstance(inpt, Tensor):
        return tv_tensors.Image(_plain(inpt))
    raise TypeError(f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} instead.")


def to_dtype(inpt, dtype=None, scale=False):
    """Cast to ``dtype``; with ``scale`` images/videos are rescaled as convert_image_dtype
    does (masks and boxes are only cast)."""
    from .... import float32
    dtype = float32 if dtype is None else dtype
    if not isinstance(inpt, Tensor):
        raise TypeError(f"to_dtype expects a tensor, got {type(inpt)}")
    if scale and not _passthrough(inpt):
        return _rewrap(_to_dtype_scaled(_plain(inpt), dtype), inpt)
    return _rewrap(_plain(inpt).to(dtype), inpt)


def _to_dtype_scaled(img, dtype):
    """v2's scaled cast: the same rules as v1's convert_image_dtype (float -> int multiplies
    by max + 1 - 1e-3, int -> int shifts bits, int -> float divides by max)."""
    return _Ft.convert_image_dtype(img, dtype)


def convert_image_dtype(image, dtype=None):
    return _rewrap(_F.convert_image_dtype(_plain(image), dtype), image)


def to_pil_image(pic, mode=None):
    return _F.to_pil_image(_plain(pic) if isinstance(pic, Tensor) else pic, mode)


def pil_to_tensor(pic):
    return _F.pil_to_tensor(pic)


def to_tensor(pic):
    return _F.to_tensor(pic)


def to_pure_tensor(inpt):
    return _plain(inpt)


def permute_channels(inpt, permutation):
    from ._detection import permute_channels as _permute
    return _permute(inpt, permutation)
