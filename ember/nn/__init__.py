"""``ember.nn``: Module, Parameter, layers, functional, init and utils (as ``torch.nn``).

The layers (``ember.nn.Conv2d`` ...) are ``ember.nn.modules``' names, loaded with their
family module on first use; ``init``, ``utils`` and ``parallel`` load on first access
(import time, issue 18; ember/_lazy.py)."""
from . import functional, modules
from .modules import __all__ as _layers
from .._lazy import import_submodule as _import_submodule

# ``from ember.nn import *``: the layers, as before they became lazy, plus these
__all__ = list(_layers) + ["Buffer", "Parameter", "UninitializedBuffer", "UninitializedParameter",
                           "functional", "init", "modules", "parameter",
                           "register_module_forward_hook", "register_module_forward_pre_hook",
                           "utils"]
_LAYERS = frozenset(_layers)
_OTHER = {"Parameter": "parameter", "Buffer": "parameter", "UninitializedParameter": "parameter",
          "UninitializedBuffer": "parameter", "register_module_forward_hook": "modules.module",
          "register_module_forward_pre_hook": "modules.module"}


def __getattr__(name):
    if name in _LAYERS:
        value = globals()[name] = getattr(modules, name)
        return value
    if name in _OTHER:
        value = globals()[name] = getattr(_import_submodule(__name__, _OTHER[name]), name)
        return value
    if name == "parameter":
        return _import_submodule(__name__, name)
    # nn.parallel (DDP's process-group plumbing) loads on first use (import time, issue 18)
    if name in ("parallel", "DataParallel"):
        parallel = _import_submodule(__name__, "parallel")
        globals().update(parallel=parallel, DataParallel=parallel.DataParallel)
        return globals()[name]
    if name in ("init", "utils"):
        return _import_submodule(__name__, name)
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAYERS | set(_OTHER)
                  | {"parallel", "DataParallel", "init", "utils", "parameter"})
