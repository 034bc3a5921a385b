"""The v2 transforms detection pipelines use around the core set (torchvision's
``RandomZoomOut``, ``RandomIoUCrop``, ``RandomPhotometricDistort``,
``RandomChannelPermutation``, ``SanitizeBoundingBoxes``, ``LinearTransformation``), with
torchvision's constructor checks, attributes (hence ``repr``) and parameter
distributions, drawn from ember's default generator."""
import numpy

from ...._tensor import Tensor
from ... import tv_tensors
from .. import transforms as _v1
from . import functional as F
from ._transform import (Transform, _RandomApplyTransform, _get_fill, _setup_fill_arg, is_pure_tensor,
                         query_chw, query_size, tree_flatten, tree_unflatten, _is_pil)
from ._transforms import _uniform


def _rand(n):
    from .... import rand
    return rand(n).tolist()


def get_bounding_boxes(flat_inputs):
    for x in flat_inputs:
        if isinstance(x, tv_tensors.BoundingBoxes):
            return x
    raise ValueError("No bounding boxes were found in the sample")


def _box_iou(a, b):
    """IoU of XYXY boxes (N, 4) and (M, 4) as numpy arrays."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = numpy.maximum(a[:, None, :2], b[None, :, :2])
    rb = numpy.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clip(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def permute_channels(inpt, permutation):
    """Reorder the channels (axis -3) of an image / video / tensor."""
    if isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
        return inpt
    if _is_pil(inpt):
        from ..functional import pil_to_tensor, to_pil_image
        return to_pil_image(permute_channels(pil_to_tensor(inpt), permutation), mode=inpt.mode)
    perm = permutation.tolist() if isinstance(permutation, Tensor) else list(permutation)
    plain = inpt.as_subclass(Tensor) if isinstance(inpt, tv_tensors.TVTensor) else inpt
    return tv_tensors.wrap(plain[..., perm, :, :], like=inpt)


class RandomZoomOut(_RandomApplyTransform):
    """Place the image on a canvas ``side_range`` times larger ("zoom out", SSD)."""

    def __init__(self, fill=0, side_range=(1.0, 4.0), p=0.5):
        super().__init__(p=p)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        _v1._check_sequence_input(side_range, "side_range", req_sizes=(2,))
        self.side_range = side_range
        if side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")

    def make_params(self, flat_inputs):
        orig_h, orig_w = query_size(flat_inputs)
        r = self.side_range[0] + _rand(1)[0] * (self.side_range[1] - self.side_range[0])
        canvas_width, canvas_height = int(orig_w * r), int(orig_h * r)
        r = _rand(2)
        left = int((canvas_width - orig_w) * r[0])
        top = int((canvas_height - orig_h) * r[1])
        right = canvas_width - (left + orig_w)
        bottom = canvas_height - (top + orig_h)
        return dict(padding=[left, top, right, bottom])

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return F.pad(inpt, **params, fill=fill)


class RandomIoUCrop(Transform):
    """SSD's crop: a random crop whose IoU with some box is at least a randomly chosen
    threshold; boxes whose centre falls outside are zeroed (drop them with
    SanitizeBoundingBoxes)."""

    def __init__(self, min_scale=0.3, max_scale=1.0, min_aspect_ratio=0.5, max_aspect_ratio=2.0,
                 sampler_options=None, trials=40):
        super().__init__()
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.min_aspect_ratio = min_aspect_ratio
        self.max_aspect_ratio = max_aspect_ratio
        if sampler_options is None:
            sampler_options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
        self.options = sampler_options
        self.trials = trials

    def check_inputs(self, flat_inputs):
        if not (any(isinstance(x, tv_tensors.BoundingBoxes) for x in flat_inputs)
                and any(_is_pil(x) or isinstance(x, tv_tensors.Image) or is_pure_tensor(x) for x in flat_inputs)):
            raise TypeError(f"{type(self).__name__}() requires input sample to contain tensor or PIL images "
                            "and bounding boxes. Sample can also contain masks.")

    def make_params(self, flat_inputs):
        from .... import randint
        orig_h, orig_w = query_size(flat_inputs)
        boxes = get_bounding_boxes(flat_inputs)
        xyxy = F.convert_bounding_box_format(boxes, new_format="XYXY").numpy().astype(numpy.float64)
        while True:
            min_jaccard_overlap = self.options[int(randint(0, len(self.options), (1,)).item())]
            if min_jaccard_overlap >= 1.0:
                return dict()
            for _ in range(self.trials):
                r = _rand(2)
                new_w = int(orig_w * (self.min_scale + (self.max_scale - self.min_scale) * r[0]))
                new_h = int(orig_h * (self.min_scale + (self.max_scale - self.min_scale) * r[1]))
                if new_h == 0 or not (self.min_aspect_ratio <= new_w / new_h <= self.max_aspect_ratio):
                    continue
                r = _rand(2)
                left, top = int((orig_w - new_w) * r[0]), int((orig_h - new_h) * r[1])
                right, bottom = left + new_w, top + new_h
                if left == right or top == bottom:
                    continue
                cx = 0.5 * (xyxy[:, 0] + xyxy[:, 2])
                cy = 0.5 * (xyxy[:, 1] + xyxy[:, 3])
                inside = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
                if not inside.any():
                    continue
                ious = _box_iou(xyxy[inside], numpy.array([[left, top, right, bottom]], dtype=numpy.float64))
                if ious.max() < min_jaccard_overlap:
                    continue
                return dict(top=top, left=left, height=new_h, width=new_w, is_within_crop_area=inside)

    def transform(self, inpt, params):
        if len(params) < 1:
            return inpt
        out = F.crop(inpt, top=params["top"], left=params["left"], height=params["height"], width=params["width"])
        if isinstance(out, tv_tensors.BoundingBoxes):
            from .... import from_numpy
            a = out.numpy().copy()
            a[~params["is_within_crop_area"]] = 0
            out = tv_tensors.wrap(from_numpy(a), like=out)
        return out


class RandomChannelPermutation(Transform):
    def make_params(self, flat_inputs):
        from .... import randperm
        num_channels, *_ = query_chw(flat_inputs)
        return dict(permutation=randperm(num_channels))

    def transform(self, inpt, params):
        return permute_channels(inpt, params["permutation"])


class RandomPhotometricDistort(Transform):
    """SSD's photometric distortion: each of brightness, contrast (before or after the
    others), saturation, hue and a channel permutation applied with probability ``p``."""

    def __init__(self, brightness=(0.875, 1.125), contrast=(0.5, 1.5), saturation=(0.5, 1.5),
                 hue=(-0.05, 0.05), p=0.5):
        super().__init__()
        self.brightness = brightness
        self.contrast = contrast
        self.hue = hue
        self.saturation = saturation
        self.p = p

    def make_params(self, flat_inputs):
        from .... import rand, randperm
        num_channels, *_ = query_chw(flat_inputs)
        params = {}
        for key, rng in (("brightness_factor", self.brightness), ("contrast_factor", self.contrast),
                         ("saturation_factor", self.saturation), ("hue_factor", self.hue)):
            params[key] = _uniform(rng[0], rng[1]) if rand(1).item() < self.p else None
        params["contrast_before"] = bool(rand(1).item() < 0.5)
        params["channel_permutation"] = randperm(num_channels) if rand(1).item() < self.p else None
        return params

    def transform(self, inpt, params):
        if params["brightness_factor"] is not None:
            inpt = F.adjust_brightness(inpt, params["brightness_factor"])
        if params["contrast_factor"] is not None and params["contrast_before"]:
            inpt = F.adjust_contrast(inpt, params["contrast_factor"])
        if params["saturation_factor"] is not None:
            inpt = F.adjust_saturation(inpt, params["saturation_factor"])
        if params["hue_factor"] is not None:
            inpt = F.adjust_hue(inpt, params["hue_factor"])
        if params["contrast_factor"] is not None and not params["contrast_before"]:
            inpt = F.adjust_contrast(inpt, params["contrast_factor"])
        if params["channel_permutation"] is not None:
            inpt = permute_channels(inpt, params["channel_permutation"])
        return inpt


def _find_labels_default_heuristic(inputs):
    if isinstance(inputs, (tuple, list)):
        inputs = inputs[1]
    if is_pure_tensor(inputs):
        return inputs
    if not isinstance(inputs, dict):
        raise ValueError("When using the default labels_getter, the input passed to forward must be a dictionary "
                         "or a two-tuple whose second item is a dictionary or a tensor, but got "
                         f"{inputs} instead.")
    key = next((k for k in inputs if k.lower() == "labels"), None)
    if key is None:
        key = next((k for k in inputs if "label" in k.lower()), None)
    if key is None:
        raise ValueError("Could not infer where the labels are in the sample. Try passing a callable as the "
                         "labels_getter parameter?If there are no labels in the sample by design, pass "
                         "labels_getter=None.")
    return inputs[key]


def _parse_labels_getter(labels_getter):
    if labels_getter == "default":
        return _find_labels_default_heuristic
    if callable(labels_getter):
        return labels_getter
    if labels_getter is None:
        return lambda _: None
    raise ValueError(f"labels_getter should either be 'default', a callable, or None, but got {labels_getter}.")


class SanitizeBoundingBoxes(Transform):
    """Drop boxes smaller than ``min_size`` / ``min_area`` or outside the canvas, with
    their labels and masks."""

    def __init__(self, min_size=1.0, min_area=1.0, labels_getter="default"):
        super().__init__()
        if min_size < 1:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        self.min_size = min_size
        if min_area < 1:
            raise ValueError(f"min_area must be >= 1, got {min_area}.")
        self.min_area = min_area
        self.labels_getter = labels_getter
        self._labels_getter = _parse_labels_getter(labels_getter)

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        labels = self._labels_getter(inputs)
        if labels is not None:
            msg = "The labels in the input to forward() must be a tensor or None, got {type} instead."
            if isinstance(labels, Tensor):
                labels = (labels,)
            elif isinstance(labels, (tuple, list)):
                for entry in labels:
                    if not isinstance(entry, Tensor):
                        raise ValueError(msg.format(type=type(entry)))
            else:
                raise ValueError(msg.format(type=type(labels)))
        flat_inputs, spec = tree_flatten(inputs)
        boxes = get_bounding_boxes(flat_inputs)
        if labels is not None:
            for label in labels:
                if boxes.shape[0] != label.shape[0]:
                    raise ValueError(f"Number of boxes (shape={boxes.shape}) and must match the number of labels."
                                     f"Found labels with shape={label.shape}).")
        b = F.convert_bounding_box_format(boxes, new_format="XYXY").numpy().astype(numpy.float64)
        h, w = boxes.canvas_size
        ws, hs = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        valid = (ws >= self.min_size) & (hs >= self.min_size) & (b >= 0).all(-1) & (ws * hs >= self.min_area)
        valid &= (b[:, 0] <= w) & (b[:, 2] <= w) & (b[:, 1] <= h) & (b[:, 3] <= h)
        keep = numpy.flatnonzero(valid).tolist()
        out = []
        for x in flat_inputs:
            is_label = labels is not None and any(x is lab for lab in labels)
            if not (is_label or isinstance(x, (tv_tensors.BoundingBoxes, tv_tensors.Mask))):
                out.append(x)
                continue
            if x.ndim == 0 or x.shape[0] != len(valid):
                out.append(x)
                continue
            plain = x.as_subclass(Tensor) if isinstance(x, tv_tensors.TVTensor) else x
            from .... import tensor as _tensor
            sel = plain[_tensor(keep, dtype=None).long()] if keep else plain[:0]
            out.append(sel if is_label else tv_tensors.wrap(sel, like=x))
        return tree_unflatten(out, spec)


class LinearTransformation(Transform):
    _transformed_types = (is_pure_tensor, tv_tensors.Image, tv_tensors.Video)

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        self._v1 = None
        _v1.LinearTransformation(transformation_matrix, mean_vector)     # the same checks
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def check_inputs(self, flat_inputs):
        if any(_is_pil(x) for x in flat_inputs):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")

    def transform(self, inpt, params):
        plain = inpt.as_subclass(Tensor) if isinstance(inpt, tv_tensors.TVTensor) else inpt
        out = _v1.LinearTransformation(self.transformation_matrix, self.mean_vector)(plain)
        return tv_tensors.wrap(out, like=inpt)
