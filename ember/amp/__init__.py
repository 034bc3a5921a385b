"""``ember.amp``: automatic mixed precision (``torch.amp``): ``autocast`` and ``GradScaler``."""
from .autocast_mode import (autocast, is_autocast_available, custom_fwd, custom_bwd)  # noqa: F401


def __getattr__(name):
    if name in ("GradScaler", "grad_scaler"):   # loads on first use (import time, issue 18)
        import importlib
        grad_scaler = importlib.import_module("ember.amp.grad_scaler")
        globals().update(GradScaler=grad_scaler.GradScaler, grad_scaler=grad_scaler)
        return globals()[name]
    raise AttributeError(f"module 'ember.amp' has no attribute '{name}'")

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd", "GradScaler"]


def __dir__():
    return sorted(set(globals()) | {"GradScaler", "grad_scaler"})
