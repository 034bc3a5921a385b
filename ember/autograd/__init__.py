"""``ember.autograd``: Function, backward/grad, grad modes, gradcheck, anomaly detection."""
from .function import Function, NestedIOFunction, once_differentiable
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        is_grad_enabled, is_inference_mode_enabled,
                        set_multithreading_enabled, enforce_grad_layout_policy)
from .engine import backward, grad
from .gradcheck import gradcheck, gradgradcheck
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from . import function, graph, grad_mode, variable
from .variable import Variable
from . import functional  # noqa: F401  (torch.autograd.functional, issue 12)

__all__ = ["Function", "NestedIOFunction", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "backward", "grad", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "Variable", "variable", "grad_mode", "set_multithreading_enabled",
           "enforce_grad_layout_policy", "forward_ad"]


def __getattr__(name):
    # The legacy profiler and forward_ad load on first use, not at import.
    if name in ("profiler", "forward_ad"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")
