"""``ember.autograd``: Function, backward/grad, grad modes, gradcheck, anomaly detection."""
from .function import Function, once_differentiable
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        is_grad_enabled, is_inference_mode_enabled,
                        set_multithreading_enabled, enforce_grad_layout_policy)
from .engine import backward, grad
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from . import function, graph, grad_mode, variable
from .variable import Variable

__all__ = ["Function", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
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
    # The legacy profiler loads on first use (``ember.autograd.profiler``), not at import.
    if name in ("profiler", "forward_ad"):
        import importlib
        return importlib.import_module(__name__ + ".profiler")
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | {"gradcheck", "gradgradcheck", "functional"})
