"""``ember.vision``: torchvision's API on ember (``import ember.vision as torchvision``).

Subpackages load on first use, as ember's own optional parts do; Pillow, the image
library (an optional extra, ``pip install 'ember[vision]'``), is imported only by the
code that reads, writes or converts images.
"""
import importlib

__version__ = "0.29.1"

_SUBMODULES = ("transforms", "datasets", "models", "utils", "io", "tv_tensors", "ops")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.vision' has no attribute '{name}'")


def get_image_backend():
    return "PIL"


def set_image_backend(backend):
    if backend != "PIL":
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' (ember.vision "
                         "reads images through Pillow only)")
