"""The v2 ``Transform`` base (torchvision's ``transforms.v2.Transform``): a transform takes
any nesting of tuples, lists and dicts; ``make_params`` draws the random parameters once
per call from the leaves it will transform, and ``transform`` applies them to each leaf,
so an image, its masks and its boxes move together. Which leaves are transformed follows
torchvision: tv_tensors and PIL images always; a plain tensor only when the sample holds
no Image/Video/PIL image, and then only the first one. ``repr`` is nn.Module's with
torchvision's ``extra_repr`` (public attributes of simple types)."""
import enum

import numpy

from .... import nn
from ...._tensor import Tensor
from ... import tv_tensors
from ..functional import _is_pil_image


def _flatten(obj, leaves):
    if isinstance(obj, (list, tuple)) and not isinstance(obj, Tensor):
        return (type(obj), [_flatten(o, leaves) for o in obj])
    if isinstance(obj, dict):
        return (dict, [(k, _flatten(v, leaves)) for k, v in obj.items()])
    leaves.append(obj)
    return None


def _unflatten(spec, it):
    if spec is None:
        return next(it)
    kind, items = spec
    if kind is dict:
        return {k: _unflatten(s, it) for k, s in items}
    vals = [_unflatten(s, it) for s in items]
    if kind is list:
        return vals
    if kind is tuple:
        return tuple(vals)
    return kind(*vals) if hasattr(kind, "_fields") else kind(vals)


def tree_flatten(obj):
    leaves = []
    spec = _flatten(obj, leaves)
    return leaves, spec


def tree_unflatten(leaves, spec):
    return _unflatten(spec, iter(leaves))


def is_pure_tensor(x):
    return isinstance(x, Tensor) and not isinstance(x, tv_tensors.TVTensor)


def _is_image_like(x):
    return isinstance(x, (tv_tensors.Image, tv_tensors.Video)) or _is_pil_image(x)


def check_type(obj, types):
    return any(t(obj) if (callable(t) and not isinstance(t, type)) else isinstance(obj, t) for t in types)


def _is_pil(x):
    return _is_pil_image(x)


class Transform(nn.Module):
    """Base class of the v2 transforms; subclasses override ``make_params`` and
    ``transform``."""

    _transformed_types = (Tensor, _is_pil)

    def check_inputs(self, flat_inputs):
        pass

    def make_params(self, flat_inputs):
        return dict()

    def transform(self, inpt, params):
        raise NotImplementedError

    def _needs_transform_list(self, flat_inputs):
        needs = []
        transform_pure = not any(_is_image_like(x) for x in flat_inputs)
        for inpt in flat_inputs:
            need = True
            if not check_type(inpt, self._transformed_types):
                need = False
            elif is_pure_tensor(inpt):
                if transform_pure:
                    transform_pure = False
                else:
                    need = False
            needs.append(need)
        return needs

    def _run(self, flat_inputs, spec):
        needs = self._needs_transform_list(flat_inputs)
        params = self.make_params([x for x, n in zip(flat_inputs, needs) if n])
        out = [self.transform(x, params) if n else x for x, n in zip(flat_inputs, needs)]
        return tree_unflatten(out, spec)

    def forward(self, *inputs):
        flat_inputs, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        self.check_inputs(flat_inputs)
        return self._run(flat_inputs, spec)

    def extra_repr(self):
        extra = []
        for name, value in self.__dict__.items():
            if name.startswith("_") or name == "training":
                continue
            if not isinstance(value, (bool, int, float, str, tuple, list, enum.Enum)):
                continue
            extra.append(f"{name}={value}")
        return ", ".join(extra)


class _RandomApplyTransform(Transform):
    def __init__(self, p=0.5):
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        super().__init__()
        self.p = p

    def forward(self, *inputs):
        from .... import rand
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = tree_flatten(inputs)
        self.check_inputs(flat_inputs)
        if rand(1).item() >= self.p:
            return inputs
        return self._run(flat_inputs, spec)


def query_size(flat_inputs):
    """(height, width) shared by the images, videos, masks and boxes of a sample."""
    sizes = set()
    for x in flat_inputs:
        if isinstance(x, tv_tensors.BoundingBoxes):
            sizes.add(tuple(x.canvas_size))
        elif isinstance(x, Tensor) or _is_pil_image(x):
            from .functional import get_size
            sizes.add(tuple(get_size(x)))
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {sorted(sizes)}")
    return sizes.pop()


def query_chw(flat_inputs):
    chws = set()
    for x in flat_inputs:
        if (isinstance(x, Tensor) and not isinstance(x, (tv_tensors.Mask, tv_tensors.BoundingBoxes))) \
                or _is_pil_image(x):
            from .functional import get_dimensions
            chws.add(tuple(get_dimensions(x)))
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {sorted(chws)}")
    return chws.pop()


def _setup_fill_arg(fill):
    if isinstance(fill, dict):
        return dict(fill)
    return {"__default__": fill}


def _get_fill(fill_dict, inpt_type):
    for k, v in fill_dict.items():
        if k != "__default__" and isinstance(k, type) and issubclass(inpt_type, k):
            return v
    if "others" in fill_dict:
        return fill_dict["others"]
    return fill_dict.get("__default__", 0)


def _setup_number_or_seq(arg, name):
    if not isinstance(arg, (int, float, list, tuple)):
        raise TypeError(f"{name} should be a number or a sequence of numbers. Got {type(arg)}")
    if isinstance(arg, (list, tuple)) and len(arg) not in (1, 2):
        raise ValueError(f"If {name} is a sequence its length should be 1 or 2. Got {len(arg)}")
    if isinstance(arg, (int, float)):
        arg = [float(arg), float(arg)]
    elif len(arg) == 1:
        arg = [float(arg[0]), float(arg[0])]
    else:
        arg = [float(a) for a in arg]
    return arg


def _log_ratio(ratio):
    return [float(v) for v in numpy.log(numpy.asarray(ratio, dtype=numpy.float32))]
