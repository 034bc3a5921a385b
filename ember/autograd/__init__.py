"""``ember.autograd``: Function, backward/grad, grad modes, gradcheck, anomaly detection."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        is_grad_enabled, is_inference_mode_enabled,
                        set_multithreading_enabled, enforce_grad_layout_policy)
from . import grad_mode
from .._lazy import module_getattr as _make_getattr, names_over_submodules as _names_over_submodules

# loaded on first use (import time, issue 18); the submodules (function, engine, graph,
# variable ...) on first attribute access
_LAZY_NAMES = {
    "Function": ("ember.autograd.function", "Function"),
    "NestedIOFunction": ("ember.autograd.function", "NestedIOFunction"),
    "once_differentiable": ("ember.autograd.function", "once_differentiable"),
    "backward": ("ember.autograd.engine", "backward"),
    "grad": ("ember.autograd.engine", "grad"),
    "detect_anomaly": ("ember.autograd.anomaly_mode", "detect_anomaly"),
    "set_detect_anomaly": ("ember.autograd.anomaly_mode", "set_detect_anomaly"),
    "is_anomaly_enabled": ("ember.autograd.anomaly_mode", "is_anomaly_enabled"),
    "Variable": ("ember.autograd.variable", "Variable"),
}
_lazy_getattr = _make_getattr(globals(), _LAZY_NAMES)
# ``ember.autograd.gradcheck`` is the function even after ``import ember.autograd.gradcheck``
_names_over_submodules(__name__, {"gradcheck": "gradcheck"})

__all__ = ["Function", "NestedIOFunction", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "backward", "grad", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "Variable", "variable", "grad_mode", "set_multithreading_enabled",
           "enforce_grad_layout_policy", "forward_ad"]


def __getattr__(name):
    # gradcheck and torch.autograd.functional (issue 12) load on first use (issue 18)
    if name in ("gradcheck", "gradgradcheck"):
        import importlib    # the module ember.autograd.gradcheck; the name is its function
        module = importlib.import_module(__name__ + ".gradcheck")
        globals().update(gradcheck=module.gradcheck, gradgradcheck=module.gradgradcheck)
        return globals()[name]
    if name == "functional":
        import importlib
        return importlib.import_module(__name__ + ".functional")
    # The legacy profiler and forward_ad load on first use, not at import.
    if name in ("profiler", "forward_ad"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    return _lazy_getattr(name)


def __dir__():
    from .._lazy import child_modules
    return sorted(set(globals()) | set(_LAZY_NAMES) | {"gradcheck", "gradgradcheck", "functional",
                                                       "function", "graph", "variable"}
                  | child_modules(__name__, _LAZY_NAMES))
