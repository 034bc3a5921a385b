"""Image grids and drawing (``torchvision.utils``): make_grid, save_image,
draw_bounding_boxes, draw_segmentation_masks, draw_keypoints.

make_grid is built from ember ops (clone, clamp_, narrow, copy_) as torchvision's is from
torch's, so gradients flow through it. Drawing goes through Pillow's ImageDraw, as in
torchvision, and gives its pixels. Oriented (N, 8) boxes are not supported yet
(NotImplementedError).
"""
import math
import warnings

import numpy as np

from .. import Tensor, cat, from_numpy, is_tensor, no_grad, stack, tensor as _tensor, uint8
from ._image_backend import import_pil

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks",
           "draw_keypoints"]


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0, **kwargs):
    """Tile a (B, C, H, W) tensor or a list of (C, H, W) images into one (3|C, H', W') grid.

    ``nrow`` images per row, ``padding`` pixels of ``pad_value`` between them;
    ``normalize`` shifts to [0, 1] by ``value_range`` (default the min and max), per image
    with ``scale_each``. One-channel images are repeated to three channels, as torchvision.
    """
    if "range" in kwargs:
        raise TypeError("make_grid() got an unexpected keyword argument 'range': it was "
                        "renamed 'value_range' in torchvision 0.12")
    if kwargs:
        raise TypeError(f"make_grid() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not is_tensor(t):
                    raise TypeError("tensor or list of tensors expected, got a list containing "
                                    f"{type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() != 4:
        raise ValueError(f"make_grid expects a 2-D, 3-D or 4-D tensor, got {tensor.dim()}-D "
                         f"of shape {tuple(tensor.shape)}")
    if tensor.size(1) == 1:
        tensor = cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and "
                            "max are numbers")

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:
                norm_range(t)
        else:
            norm_range(tensor)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding) \
                .narrow(2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


def _grid_to_uint8_hwc(grid):
    """[0, 1] floats to uint8 as torchvision's save_image: x * 255 + 0.5, clamped, truncated."""
    with no_grad():
        return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", uint8).numpy()


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or list of tensors) as an image file, through make_grid(**kwargs)."""
    grid = make_grid(tensor, **kwargs)
    import_pil().fromarray(_grid_to_uint8_hwc(grid)).save(fp, format=format)


def _generate_color_palette(num_objects):
    palette = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * palette) % 255) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects, floating=False):
    from PIL import ImageColor
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError("Number of colors must be equal or larger than the number of "
                             f"objects, but got {len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got "
                         f"{colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(c) if isinstance(c, str) else c for c in colors]
    if floating:
        colors = [tuple(v / 255 for v in c) for c in colors]
    return colors


def _check_image(image, name="image"):
    if not isinstance(image, Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype == uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")


def _to_uint8(image):
    """float [0, 1] -> uint8 as torchvision's to_dtype(scale=True): x * (256 - 1e-3), truncated."""
    arr = image.detach().cpu().numpy()
    if image.is_floating_point():
        arr = (arr * (255 + 1.0 - 1e-3)).astype(np.uint8)
    return arr


def _from_uint8(arr, like):
    out = from_numpy(np.ascontiguousarray(arr))
    if like.is_floating_point():
        out = out.to(like.dtype).div_(255)
    return out.to(like.device)


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None,
                        font_size=None, label_colors=None, label_background_colors=None,
                        fill_labels=False):
    """Draw (xmin, ymin, xmax, ymax) boxes (and labels) on a (1|3, H, W) uint8/float image."""
    Image = import_pil()
    from PIL import ImageDraw, ImageFont
    _check_image(image)
    if image.size(0) not in (1, 3):
        raise ValueError("Only grayscale and RGB images are supported")
    if boxes.dim() != 2 or boxes.shape[-1] not in (4, 8):
        raise ValueError(f"boxes must be of shape (N, 4) or (N, 8), got {tuple(boxes.shape)}")
    if boxes.shape[-1] == 8:
        raise NotImplementedError("draw_bounding_boxes: oriented (N, 8) boxes")
    b = boxes.detach().cpu().numpy()
    if (b[:, 0] > b[:, 2]).any() or (b[:, 1] > b[:, 3]).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use "
                         "torchvision.ops.box_convert to convert them")
    num_boxes = b.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. "
                         "Please specify labels for each box.")
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black",
                                     num_objects=num_boxes)
    else:
        label_colors = colors.copy()
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = colors.copy()
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    arr = _to_uint8(image)
    if arr.shape[0] == 1:
        arr = np.tile(arr, (3, 1, 1))
    img = Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(img, "RGBA") if fill else ImageDraw.Draw(img)
    for bbox, color, label, label_color, bg in zip(b.astype(np.int64).tolist(), colors, labels,
                                                   label_colors, label_background_colors):
        draw.rectangle(bbox, width=width, outline=color,
                       fill=tuple(color) + (100,) if fill else None)
        if label is not None:
            margin = width + 1
            if fill_labels:
                left, top, right, bottom = draw.textbbox((bbox[0] + margin, bbox[1] + margin),
                                                         label, font=txt_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=bg)
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=label_color,
                      font=txt_font)
    return _from_uint8(np.asarray(img).transpose(2, 0, 1), image)


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """Blend boolean masks (N, H, W) or (H, W) onto a (3, H, W) image with ``alpha``;
    pixels covered by several masks are blacked out first, as torchvision does."""
    from .. import bool as bool_
    if not isinstance(image, Tensor):
        raise TypeError(f"The image must be a tensor, got {type(image)}")
    _check_image(image)
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != bool_:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if tuple(masks.shape[-2:]) != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = masks.size(0)
    if num_masks == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    with no_grad():
        overlapping = masks.sum(dim=0) > 1
        dtype = image.dtype
        colors = [_tensor(c, dtype=dtype, device=image.device)
                  for c in _parse_colors(colors, num_objects=num_masks,
                                         floating=image.is_floating_point())]
        drawn = image.detach().clone()
        for mask, color in zip(masks, colors):
            drawn[:, mask] = color[:, None]
        drawn[:, overlapping] = 0
        out = image * (1 - alpha) + drawn * alpha
        return out.to(dtype)


def draw_keypoints(image, keypoints, connectivity=None, colors=None, radius=2, width=3,
                   visibility=None):
    """Draw keypoints (num_instances, K, 2) as filled circles, joined by ``connectivity``
    [(i, j), ...] lines; ``visibility`` (num_instances, K) bools hides points and their edges."""
    Image = import_pil()
    from PIL import ImageDraw
    _check_image(image)
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if keypoints.ndim != 3:
        raise ValueError("keypoints must be of shape (num_instances, K, 2)")
    kpts = keypoints.detach().cpu().numpy().astype(np.int64)
    if visibility is None:
        vis = np.ones(kpts.shape[:2], dtype=bool)
    else:
        vis = visibility.detach().cpu().numpy() if is_tensor(visibility) else \
            np.asarray(visibility)
        if vis.ndim == 3:
            vis = vis.squeeze(-1)
        if vis.ndim != 2:
            raise ValueError(f"visibility must be of shape (num_instances, K). Got ndim={vis.ndim}")
        if vis.shape != kpts.shape[:2]:
            raise ValueError(f"keypoints and visibility must have the same dimensionality for "
                             f"num_instances and K. Got keypoints.shape={tuple(keypoints.shape)}"
                             f", visibility.shape={vis.shape}")
    arr = _to_uint8(image)
    img = Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(img)
    for points, visible in zip(kpts.tolist(), vis.tolist()):
        for (x, y), v in zip(points, visible):
            if v:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors,
                             outline=None, width=0)
        if connectivity:
            for a, b in connectivity:
                if not (visible[a] and visible[b]):
                    continue
                draw.line((tuple(points[a]), tuple(points[b])), width=width)
    return _from_uint8(np.asarray(img).transpose(2, 0, 1), image)
