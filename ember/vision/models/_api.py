"""Model registry and pretrained-weights enums, as ``torchvision.models._api``.

``Weights`` groups a checkpoint's url, the constructor of its preprocessing preset and
its meta data; each model family has a ``WeightsEnum`` subclass (``ResNet50_Weights``)
built from the data table ``_weights_table`` (generated from torchvision's own
definitions, so urls, file names, preset sizes and metrics are torchvision's).
``weights.get_state_dict()`` reads the checkpoint from ``ember.hub``'s cache
(``get_dir()/checkpoints/<torchvision's file name>``, shared with torch): a file torch
already downloaded is used as it is; a missing one is downloaded where a network exists,
otherwise ``ember.hub.HubDownloadError`` names the file and the folder.
"""
import fnmatch
import functools
import warnings
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from ._weights_table import WEIGHTS as _TABLE

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models"]


@dataclass
class Weights:
    """A checkpoint: ``url``, ``transforms`` (a constructor of its preset), ``meta``."""
    url: str
    transforms: Callable
    meta: dict

    def __eq__(self, other):
        if not isinstance(other, Weights):
            return NotImplemented
        return (self.url == other.url and self.meta == other.meta
                and self.transforms == other.transforms)

    __hash__ = None


class WeightsEnum(Enum):
    """Base of every model's weights enum (``ResNet50_Weights.IMAGENET1K_V2``, ``.DEFAULT``)."""

    @classmethod
    def verify(cls, obj):
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but "
                                f"received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        from ... import hub
        return hub.load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def _image_classification(**kwargs):
    """Build the ImageClassification preset (imports ember.vision.transforms on first use)."""
    from ..transforms import InterpolationMode
    from ..transforms._presets import ImageClassification
    if "interpolation" in kwargs:
        kwargs["interpolation"] = InterpolationMode[kwargs["interpolation"]]
    return ImageClassification(**kwargs)


def make_weights_enum(name, module):
    """The WeightsEnum subclass ``name`` with the entries of the data table."""
    from .._meta import _IMAGENET_CATEGORIES
    spec = _TABLE[name]
    members = []
    for key, entry in spec["members"].items():
        meta = dict(entry["meta"])
        if meta.get("categories") == "IMAGENET":
            meta["categories"] = _IMAGENET_CATEGORIES
        transforms = functools.partial(_image_classification, **entry["transforms"])
        members.append((key, Weights(url=entry["url"], transforms=transforms, meta=meta)))
    by_name = dict(members)
    members.append(("DEFAULT", by_name[spec["default"]]))
    return WeightsEnum(name, members, module=module, qualname=name)


BUILTIN_MODELS = {}
_MODEL_WEIGHTS = {}


def register_model(name=None):
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def model_builder(weights_enum, legacy_name="IMAGENET1K_V1"):
    """Decorate a builder ``fn(*, weights, progress, **kwargs)``: registers it, validates
    ``weights`` with the enum and maps torchvision's deprecated interface (``pretrained=``
    and positional arguments) onto ``weights=`` with torchvision's warnings."""
    def decorate(fn):
        @functools.wraps(fn)
        def builder(*args, **kwargs):
            if args:
                names = ("weights", "progress")
                if len(args) > len(names):
                    raise TypeError(f"{fn.__name__}() takes at most {len(names)} positional "
                                    f"arguments but {len(args)} were given")
                warnings.warn(f"Using {fn.__name__} with positional arguments is deprecated "
                              "since 0.13; pass them by keyword instead.")
                for key, value in zip(names, args):
                    if key in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument "
                                        f"'{key}'")
                    kwargs[key] = value
            weights = kwargs.get("weights")
            legacy = None
            if "pretrained" in kwargs:
                legacy = bool(kwargs.pop("pretrained"))
                if weights is not None and not isinstance(weights, bool):
                    raise ValueError(f"{fn.__name__}(): pass either weights= or the deprecated "
                                     "pretrained=, not both")
                warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may "
                              "be removed in the future, please use 'weights' instead.")
            elif isinstance(weights, bool):
                legacy = weights
            if legacy is not None:
                default = weights_enum[legacy_name] if legacy else None
                msg = ("Arguments other than a weight enum or `None` for 'weights' are "
                       "deprecated since 0.13 and may be removed in the future. The current "
                       f"behavior is equivalent to passing `weights={default}`.")
                if legacy:
                    msg += (f" You can also use `weights={weights_enum.__name__}.DEFAULT` to get "
                            "the most up-to-date weights.")
                warnings.warn(msg)
                kwargs["weights"] = default
            kwargs["weights"] = weights_enum.verify(kwargs.get("weights"))
            return fn(**kwargs)
        builder.__annotations__ = dict(getattr(fn, "__annotations__", {}), weights=weights_enum)
        _MODEL_WEIGHTS[builder] = weights_enum
        register_model()(builder)
        return builder
    return decorate


def overwrite_named_param(kwargs, param, new_value):
    """Set ``kwargs[param]`` (torchvision's ``_ovewrite_named_param``): a different value
    already given raises ValueError."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got "
                             f"{kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def load_weights(model, weights, progress):
    """Load ``weights``' checkpoint into ``model`` with ``strict=True``."""
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models (``torchvision.models.list_models``)."""
    names = {k for k, v in BUILTIN_MODELS.items()
             if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        if isinstance(include, str):
            include = [include]
        chosen = set()
        for pattern in include:
            chosen |= set(fnmatch.filter(names, pattern))
    else:
        chosen = names
    if exclude:
        if isinstance(exclude, str):
            exclude = [exclude]
        for pattern in exclude:
            chosen -= set(fnmatch.filter(names, pattern))
    return sorted(chosen)


def get_model_builder(name):
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config: Any):
    """Build the registered model ``name`` with ``config`` (``torchvision.models.get_model``)."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum class of a model builder or registered name."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    try:
        return _MODEL_WEIGHTS[fn]
    except (KeyError, TypeError):
        raise ValueError("The WeightsEnum class for the specific method couldn't be "
                         "retrieved.") from None


def get_weight(name):
    """The weights entry of a full name such as ``"ResNet50_Weights.IMAGENET1K_V2"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for enum in _MODEL_WEIGHTS.values():
        if enum.__name__ == enum_name:
            return enum[value_name]
    raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                     "retrieved.")
