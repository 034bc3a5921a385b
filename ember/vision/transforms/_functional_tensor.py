"""Tensor paths of ``ember.vision.transforms.functional`` (torchvision's
``transforms._functional_tensor``): images are ember Tensors of shape (..., C, H, W),
integer (uint8 and wider) or floating.

The arithmetic follows torchvision's: integer images are computed in float32 and cast
back (rounded after resampling, truncated after blending, as torchvision does), float
images in their own dtype. Flips, crops, constant/edge/reflect padding, normalize,
gaussian blur and non-antialiased resize run on ember ops and so are differentiable for
float images, and so are brightness, contrast, saturation, gamma, invert and grayscale
(computed on ember ops when a gradient is needed); the resampling of
rotate/affine/perspective, antialiased resize and the other colour operations run on
backend arrays (``_kernels``) and raise a clear error when asked for a gradient, where
torchvision would differentiate through them.
"""
import numpy

from ... import backend
from ..._tensor import Tensor, _make
from ...autograd import grad_mode

_gam = backend.get_array_module


# -- helpers ------------------------------------------------------------------------------
def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _np_dtype(img):
    return img._data.dtype


def _is_float(img):
    return img.dtype.is_floating_point


def _arr(img, what):
    """The backend array of ``img``; refuses a graph through array-level code."""
    if img.requires_grad and grad_mode.is_grad_enabled():
        raise NotImplementedError(
            f"ember.vision.transforms: {what} on a tensor that requires grad is not "
            "differentiable in ember (run it under ember.no_grad() or on a detached tensor)")
    return img._data


def _max_value(np_dtype):
    np_dtype = numpy.dtype(np_dtype)
    if np_dtype.kind in "ui":
        return int(numpy.iinfo(np_dtype).max)
    return 1


def _float_type(np_dtype):
    """The dtype torchvision computes in: the image's if floating, else float32."""
    np_dtype = numpy.dtype(np_dtype)
    return np_dtype if np_dtype.kind == "f" else numpy.dtype(numpy.float32)


def _to_nchw(a):
    """(..., C, H, W) -> (N, C, H, W) and the shape to restore."""
    shape = a.shape
    if a.ndim == 2:
        return a[None, None], shape
    return a.reshape((-1,) + shape[-3:]), shape


def _from_nchw(a, shape):
    return a.reshape(tuple(shape[:-2]) + a.shape[-2:])


def _cast_out(xp, a, np_dtype, rnd=True):
    """torchvision's ``_cast_squeeze_out``: round before casting to an integer dtype."""
    if numpy.dtype(np_dtype).kind in "ui" and a.dtype.kind == "f":
        if rnd:
            a = xp.rint(a)
        return a.astype(np_dtype)
    return a.astype(np_dtype, copy=False)


def get_dimensions(img):
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def get_image_size(img):
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


# -- dtype ------------------------------------------------------------------------------
def convert_image_dtype(image, dtype):
    from ..._dtype import to_dtype
    dtype = to_dtype(dtype)
    if image.dtype == dtype:
        return image
    if _is_float(image):
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype.name == "float32" and dtype.name in ("int32", "int64")) or (
                image.dtype.name == "float64" and dtype.name == "int64"):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype.np))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(_max_value(_np_dtype(image)))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype.np))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return _make(image._data // factor).to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


# -- geometry on ember ops ----------------------------------------------------------------
def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding):
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]     # left, right, top, bottom


def pad(img, padding, fill=0, padding_mode="constant"):
    from ...nn import functional as F
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                         f"not a {len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = [int(x) for x in _parse_pad_padding(padding)]
    if padding_mode == "symmetric":
        from ._kernels import symmetric_pad
        if img.ndim not in (3, 4):
            raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")
        return _make(symmetric_pad(_arr(img, "symmetric pad"), *p))
    squeeze = img.ndim < 4
    x = img.unsqueeze(0) if squeeze else img
    out_dtype = x.dtype
    cast = padding_mode != "constant" and out_dtype.name not in ("float32", "float64")
    if cast:
        x = x.float()
    if padding_mode == "constant":
        x = F.pad(x, p, mode="constant", value=float(fill))
    else:
        x = F.pad(x, p, mode="replicate" if padding_mode == "edge" else "reflect")
    if squeeze:
        x = x.squeeze(0)
    return x.to(out_dtype) if cast else x


# -- resize -------------------------------------------------------------------------------
def _pillow_resize_uint8(a, size, interpolation):
    """uint8 (..., H, W) resized channel by channel with Pillow ("L" images): Pillow's
    fixed-point separable resample, which PyTorch's native uint8 antialias kernel (used by
    torchvision v2) was written to reproduce; within one step of the float path for
    'bilinear'. None when Pillow is missing."""
    try:
        from PIL import Image
    except ImportError:
        return None
    oh, ow = size
    resample = Image.BILINEAR if interpolation == "bilinear" else Image.BICUBIC
    if a.ndim >= 3 and a.shape[-3] == 3:      # one RGB image per sample (Pillow resamples bands alike)
        flat = numpy.ascontiguousarray(numpy.moveaxis(a.reshape((-1,) + a.shape[-3:]), 1, -1))
        out = numpy.empty((flat.shape[0], oh, ow, 3), dtype=numpy.uint8)
        for k in range(flat.shape[0]):
            out[k] = numpy.asarray(Image.fromarray(flat[k]).resize((ow, oh), resample))
        return numpy.ascontiguousarray(numpy.moveaxis(out, -1, 1)).reshape(a.shape[:-2] + (oh, ow))
    flat = numpy.ascontiguousarray(a).reshape((-1,) + a.shape[-2:])
    out = numpy.empty((flat.shape[0], oh, ow), dtype=numpy.uint8)
    for k in range(flat.shape[0]):
        out[k] = numpy.asarray(Image.fromarray(flat[k]).resize((ow, oh), resample))
    return out.reshape(a.shape[:-2] + (oh, ow))


def resize(img, size, interpolation="bilinear", antialias=True, uint8_native=False):
    """``uint8_native``: resize uint8 images as torchvision v2 does (its native uint8
    kernel, here Pillow's equivalent) for 'bicubic' too; v1 computes in float32."""
    from ...nn import functional as F
    _assert_image_tensor(img)
    size = list(size)
    if antialias is None:
        antialias = False
    if antialias and interpolation not in ("bilinear", "bicubic"):
        antialias = False
    if (antialias and img.dtype.name == "uint8" and img.ndim >= 2 and _gam(img._data) is numpy
            and (interpolation == "bilinear" or uint8_native) and 0 not in img.shape[-2:]):
        out = _pillow_resize_uint8(img._data, size, interpolation)
        if out is not None:
            return _make(out)
    out_dtype = img.dtype
    shape = img.shape
    x = img.reshape((-1,) + tuple(shape[-3:])) if img.ndim > 2 else img[None, None]
    if not out_dtype.is_floating_point:
        x = x.float()
    if antialias:
        from ._kernels import resize_antialias
        out = _make(resize_antialias(_arr(x, "antialiased resize"), size, interpolation))
    else:
        align = False if interpolation in ("bilinear", "bicubic") else None
        out = F.interpolate(x, size=size, mode=interpolation, align_corners=align)
    if interpolation == "bicubic" and out_dtype.name == "uint8":
        out = out.clamp(0, 255)
    out = out.reshape(tuple(shape[:-2]) + tuple(size))
    if not out_dtype.is_floating_point:
        out = out.round().to(out_dtype)
    return out


# -- grid transforms ---------------------------------------------------------------------
def _assert_grid_transform_inputs(img, matrix, interpolation, fill, supported, coeffs=None):
    import warnings
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list")
    num_channels = get_dimensions(img)[0]
    if fill is not None and isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != num_channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of "
                         f"channels of the image ({len(fill)} != {num_channels})")
    if interpolation not in supported:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _base_grid(xp, ow, oh, ft, centred):
    """torchvision's base grid: pixel centres as (x, y), shifted to the centre or not."""
    d = 0.5
    if centred:
        xs = numpy.linspace(-ow * 0.5 + d, ow * 0.5 + d - 1, ow)
        ys = numpy.linspace(-oh * 0.5 + d, oh * 0.5 + d - 1, oh)
    else:
        xs = numpy.linspace(d, ow * 1.0 + d - 1.0, ow)
        ys = numpy.linspace(d, oh * 1.0 + d - 1.0, oh)
    xs = xp.asarray(xs.astype(ft))[None, :]
    ys = xp.asarray(ys.astype(ft))[:, None]
    return xs, ys


def _affine_grid(xp, matrix, w, h, ow, oh, ft):
    t = numpy.asarray(matrix, dtype=ft).reshape(2, 3)
    div = numpy.asarray([0.5 * w, 0.5 * h], dtype=ft)
    rt = (t.T / div).astype(ft)              # (3, 2): rescaled theta, transposed
    xs, ys = _base_grid(xp, ow, oh, ft, True)
    gx = xs * rt[0, 0] + ys * rt[1, 0] + rt[2, 0]
    gy = xs * rt[0, 1] + ys * rt[1, 1] + rt[2, 1]
    return xp.stack((gx, gy), axis=-1)[None]


def _perspective_grid(xp, coeffs, ow, oh, ft):
    c = [ft.type(v) for v in coeffs]
    div_x, div_y = ft.type(0.5 * ow), ft.type(0.5 * oh)
    xs, ys = _base_grid(xp, ow, oh, ft, False)
    g1x = xs * (c[0] / div_x) + ys * (c[1] / div_x) + c[2] / div_x
    g1y = xs * (c[3] / div_y) + ys * (c[4] / div_y) + c[5] / div_y
    g2 = xs * c[6] + ys * c[7] + ft.type(1.0)
    return xp.stack((g1x / g2 - ft.type(1.0), g1y / g2 - ft.type(1.0)), axis=-1)[None]


def _apply_grid_transform(img, grid, mode, fill, what):
    from ._kernels import grid_sample
    a = _arr(img, what)
    xp = _gam(a)
    out_dtype = a.dtype
    x, shape = _to_nchw(a)
    x = x.astype(grid.dtype, copy=False)
    n = x.shape[0]
    if fill is not None:
        x = xp.concatenate([x, xp.ones((n, 1) + x.shape[2:], dtype=x.dtype)], axis=1)
    out = grid_sample(x, grid, mode)
    if fill is not None:
        mask = out[:, -1:]
        out = out[:, :-1]
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = xp.asarray(numpy.asarray(fill_list, dtype=out.dtype).reshape(1, -1, 1, 1))
        if mode == "nearest":
            out = xp.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (out.dtype.type(1.0) - mask) * fill_img
    out = _cast_out(xp, out, out_dtype)
    return _make(out.reshape(tuple(shape[:-2]) + out.shape[-2:]) if len(shape) > 2
                 else out[0, 0])


def _compute_affine_output_size(matrix, w, h):
    pts = numpy.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                       [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=numpy.float32)
    theta = numpy.asarray(matrix, dtype=numpy.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    min_vals = new_pts.min(axis=0) + numpy.float32([w * 0.5, h * 0.5])
    max_vals = new_pts.max(axis=0) + numpy.float32([w * 0.5, h * 0.5])
    tol = numpy.float32(1e-4)
    cmax = numpy.ceil(numpy.trunc(max_vals / tol) * tol)
    cmin = numpy.floor(numpy.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def affine(img, matrix, interpolation="nearest", fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    ft = _float_type(_np_dtype(img))
    xp = _gam(img._data)
    h, w = img.shape[-2:]
    grid = _affine_grid(xp, matrix, w, h, w, h, ft)
    return _apply_grid_transform(img, grid, interpolation, fill, "affine")


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    h, w = img.shape[-2:]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    ft = _float_type(_np_dtype(img))
    grid = _affine_grid(_gam(img._data), matrix, w, h, ow, oh, ft)
    return _apply_grid_transform(img, grid, interpolation, fill, "rotate")


def perspective(img, perspective_coeffs, interpolation="bilinear", fill=None):
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor.")
    _assert_image_tensor(img)
    _assert_grid_transform_inputs(img, None, interpolation, fill, ["nearest", "bilinear"],
                                  coeffs=perspective_coeffs)
    oh, ow = img.shape[-2:]
    ft = _float_type(_np_dtype(img))
    grid = _perspective_grid(_gam(img._data), perspective_coeffs, ow, oh, ft)
    return _apply_grid_transform(img, grid, interpolation, fill, "perspective")


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    xp = _gam(img._data)
    h, w = img.shape[-2:]
    ft = _float_type(_np_dtype(img))
    ys = numpy.linspace((-h + 1) / h, (h - 1) / h, h).astype(ft)
    xs = numpy.linspace((-w + 1) / w, (w - 1) / w, w).astype(ft)
    gy, gx = numpy.meshgrid(ys, xs, indexing="ij")
    ident = numpy.stack([gx, gy], -1)[None]
    grid = xp.asarray(ident) + displacement._data.astype(ft)
    return _apply_grid_transform(img, grid, interpolation, fill, "elastic_transform")


# -- colour -------------------------------------------------------------------------------
def _graph(img):
    """True when ``img`` is a float image whose result must carry a gradient: the colour
    operations below then run on ember ops (same formulas) instead of arrays."""
    return img.requires_grad and grad_mode.is_grad_enabled() and img.dtype.is_floating_point


def _gray_t(img):
    r, g, b = img.unbind(-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).unsqueeze(-3)


def _blend_t(img1, img2, ratio):
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, 1)


def _blend_arrays(xp, a1, a2, ratio, np_dtype):
    ft = _float_type(np_dtype)
    ratio = ft.type(float(ratio))
    out = ratio * a1.astype(ft) + (ft.type(1.0) - ratio) * a2.astype(ft)
    out = xp.clip(out, 0, _max_value(np_dtype))
    return out.astype(np_dtype)


def _blend(img1, img2_arr, ratio, what):
    a = _arr(img1, what)
    return _make(_blend_arrays(_gam(a), a, img2_arr, ratio, a.dtype))


def _gray_array(a):
    """Luma as torchvision computes it, in the image dtype: (..., 1, H, W)."""
    ft = _float_type(a.dtype)
    r, g, b = (a[..., k, :, :].astype(ft) for k in range(3))
    l_img = ft.type(0.2989) * r + ft.type(0.587) * g + ft.type(0.114) * b
    return l_img.astype(a.dtype)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _graph(img):
        l_img = _gray_t(img) if img.shape[-3] == 3 else img.clone()
        return l_img.expand(tuple(img.shape)) if num_output_channels == 3 else l_img
    a = _arr(img, "rgb_to_grayscale")
    xp = _gam(a)
    l_img = _gray_array(a) if a.shape[-3] == 3 else a.copy()
    if num_output_channels == 3:
        return _make(xp.broadcast_to(l_img, a.shape))
    return _make(l_img)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if _graph(img):
        return _blend_t(img, 0.0, brightness_factor)
    a = _arr(img, "adjust_brightness")
    return _blend(img, _gam(a).zeros_like(a), brightness_factor, "adjust_brightness")


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    if _graph(img):
        src = _gray_t(img) if img.shape[-3] == 3 else img
        return _blend_t(img, src.mean(dim=(-3, -2, -1), keepdim=True), contrast_factor)
    a = _arr(img, "adjust_contrast")
    ft = _float_type(a.dtype)
    src = _gray_array(a) if a.shape[-3] == 3 else a
    mean = src.astype(ft).mean(axis=(-3, -2, -1), keepdims=True, dtype=numpy.float64).astype(ft)
    return _blend(img, mean, contrast_factor, "adjust_contrast")


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    if _graph(img):
        return _blend_t(img, _gray_t(img), saturation_factor)
    a = _arr(img, "adjust_saturation")
    return _blend(img, _gray_array(a), saturation_factor, "adjust_saturation")


def adjust_hue(img, hue_factor):
    from ._kernels import hsv_to_rgb, rgb_to_hsv
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig = img.dtype
    from ... import float32
    x = convert_image_dtype(img, float32)
    a = _arr(x, "adjust_hue")
    xp = _gam(a)
    hsv = rgb_to_hsv(a)
    h = xp.mod(hsv[..., 0, :, :] + numpy.float32(hue_factor), numpy.float32(1.0))
    hsv = xp.stack((h, hsv[..., 1, :, :], hsv[..., 2, :, :]), axis=-3)
    return convert_image_dtype(_make(hsv_to_rgb(hsv)), orig)


def adjust_gamma(img, gamma, gain=1):
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    from ... import float32
    dtype = img.dtype
    if _graph(img):
        return (gain * img.pow(gamma)).clamp(0, 1)
    x = img if _is_float(img) else convert_image_dtype(img, float32)
    a = _arr(x, "adjust_gamma")
    xp = _gam(a)
    ft = a.dtype.type
    res = _make(xp.clip(ft(gain) * xp.power(a, ft(gamma)), 0, 1))
    return convert_image_dtype(res, dtype)


def invert(img):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if _graph(img):
        return 1.0 - img
    a = _arr(img, "invert")
    if a.dtype.kind == "f":
        return _make(a.dtype.type(1) - a)
    return _make((_max_value(a.dtype) - a.astype(numpy.int64)).astype(a.dtype))


def posterize(img, bits):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    if img.dtype.name != "uint8":
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    a = _arr(img, "posterize")
    mask = numpy.uint8((-int(2 ** (8 - bits))) & 0xFF)
    return _make(a & mask)


def solarize(img, threshold):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if threshold > _max_value(_np_dtype(img)):
        raise TypeError("Threshold should be less than bound of img.")
    a = _arr(img, "solarize")
    inv = invert(img)._data
    return _make(_gam(a).where(a >= threshold, inv, a))


def _blurred_degenerate(a):
    from ...nn import functional as F
    xp = _gam(a)
    ft = _float_type(a.dtype)
    k = numpy.ones((3, 3), dtype=ft)
    k[1, 1] = 5.0
    k /= k.sum()
    c = a.shape[-3]
    kern = xp.asarray(numpy.broadcast_to(k, (c, 1, 3, 3)).copy())
    x, shape = _to_nchw(a)
    tmp = F.conv2d(_make(x.astype(ft)), _make(kern), groups=c)._data
    tmp = _cast_out(xp, tmp, a.dtype)
    res = x.copy()
    res[..., 1:-1, 1:-1] = tmp
    return _from_nchw(res, shape)


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    a = _arr(img, "adjust_sharpness")
    return _blend(img, _blurred_degenerate(a), sharpness_factor, "adjust_sharpness")


def autocontrast(img):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    a = _arr(img, "autocontrast")
    xp = _gam(a)
    bound = _max_value(a.dtype)
    ft = _float_type(a.dtype)
    minimum = a.min(axis=(-2, -1), keepdims=True).astype(ft)
    maximum = a.max(axis=(-2, -1), keepdims=True).astype(ft)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        scale = ft.type(bound) / (maximum - minimum)
    bad = ~xp.isfinite(scale)
    minimum = xp.where(bad, 0, minimum).astype(ft)
    scale = xp.where(bad, 1, scale).astype(ft)
    out = xp.clip((a.astype(ft) - minimum) * scale, 0, bound)
    return _make(out.astype(a.dtype))


def equalize(img):
    from ._kernels import equalize_channel
    _assert_image_tensor(img)
    if not (3 <= img.ndim <= 4):
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype.name != "uint8":
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    a = _arr(img, "equalize")
    xp = _gam(a)
    x, shape = _to_nchw(a)
    out = xp.stack([xp.stack([equalize_channel(ch) for ch in im]) for im in x])
    return _make(out.reshape(shape))


# -- blur, normalize, erase -------------------------------------------------------------------
def _gaussian_kernel1d(kernel_size, sigma, ft):
    half = (kernel_size - 1) * 0.5
    x = numpy.linspace(-half, half, kernel_size).astype(ft)
    pdf = numpy.exp(ft.type(-0.5) * (x / ft.type(sigma)) ** 2)
    return (pdf / pdf.sum()).astype(ft)


def gaussian_blur(img, kernel_size, sigma):
    from ...nn import functional as F
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    ft = _float_type(_np_dtype(img))
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], ft)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], ft)
    k2 = (ky[:, None] * kx[None, :]).astype(ft)
    c = img.shape[-3] if img.ndim > 2 else 1
    xp = _gam(img._data)
    kern = _make(xp.asarray(numpy.broadcast_to(k2, (c, 1) + k2.shape).copy()))
    shape = img.shape
    x = img.reshape((-1, c) + tuple(shape[-2:]))
    out_dtype = img.dtype
    if not out_dtype.is_floating_point:
        x = x.float()
    padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
    x = F.pad(x, padding, mode="reflect")
    x = F.conv2d(x, kern, groups=c)
    x = x.reshape(shape)
    if not out_dtype.is_floating_point:
        x = x.round().to(out_dtype)
    return x


def _normalize_arrays(tensor, mean, std):
    """Out-of-place normalize without a graph: the same subtract-then-divide on the
    backend array, into one new buffer (half the passes of clone + sub_ + div_)."""
    a = tensor._data
    xp = _gam(a)
    m = numpy.asarray(mean.tolist() if isinstance(mean, Tensor) else mean, dtype=a.dtype)
    s = numpy.asarray(std.tolist() if isinstance(std, Tensor) else std, dtype=a.dtype)
    if (s == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    c = a.shape[-3]
    for name, v in (("mean", m), ("std", s)):
        if v.ndim == 1 and v.shape[0] not in (1, c):
            raise RuntimeError(f"The size of tensor a ({c}) must match the size of tensor b "
                               f"({v.shape[0]}) at non-singleton dimension {a.ndim - 3}: "
                               f"Normalize got {v.shape[0]} values of {name} for an image with "
                               f"{c} channels")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    out = xp.subtract(a, xp.asarray(m))
    xp.divide(out, xp.asarray(s), out=out)
    return _make(out)


def normalize(tensor, mean, std, inplace=False):
    from ... import as_tensor
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace and not (tensor.requires_grad and grad_mode.is_grad_enabled()):
        return _normalize_arrays(tensor, mean, std)
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = as_tensor(mean, dtype=dtype, device=tensor.device)
    std = as_tensor(std, dtype=dtype, device=tensor.device)
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    c = tensor.shape[-3]
    for name, v in (("mean", mean), ("std", std)):
        if v.ndim == 3 and v.shape[0] not in (1, c):
            raise RuntimeError(f"The size of tensor a ({c}) must match the size of tensor b "
                               f"({v.shape[0]}) at non-singleton dimension {tensor.ndim - 3}: "
                               f"Normalize got {v.shape[0]} values of {name} for an image with "
                               f"{c} channels")
    return tensor.sub_(mean).div_(std)


def erase(img, i, j, h, w, v, inplace=False):
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
