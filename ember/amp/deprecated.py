"""The deprecated per-device spellings ``ember.cuda.amp`` / ``ember.cpu.amp`` (PyTorch keeps
``torch.cuda.amp.autocast`` etc. as subclasses that warn with a FutureWarning)."""
import functools
import warnings

from .. import _dtype
from . import autocast_mode as _am
from .grad_scaler import GradScaler as _GradScaler


def _warn(old, new):
    warnings.warn(f"`{old}(args...)` is deprecated. Please use `{new}` instead.".replace("torch.", "ember."),
                  FutureWarning, stacklevel=3)


def device_autocast(device_type, default_dtype):
    """The deprecated ``torch.<device>.amp.autocast`` class for one device type."""

    class autocast(_am.autocast):
        def __init__(self, enabled=True, dtype=default_dtype, cache_enabled=True):
            _warn(f"torch.{device_type}.amp.autocast",
                  f"torch.amp.autocast('{device_type}', args...)")
            super().__init__(device_type, enabled=enabled, dtype=dtype,
                             cache_enabled=cache_enabled)

    autocast.__qualname__ = "autocast"
    autocast.__module__ = f"ember.{device_type}.amp.autocast_mode"
    return autocast


def device_grad_scaler(device_type):
    """The deprecated ``torch.<device>.amp.GradScaler`` class for one device type."""

    class GradScaler(_GradScaler):
        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                     growth_interval=2000, enabled=True):
            _warn(f"torch.{device_type}.amp.GradScaler",
                  f"torch.amp.GradScaler('{device_type}', args...)")
            super().__init__(device_type, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)

    GradScaler.__module__ = f"ember.{device_type}.amp.grad_scaler"
    return GradScaler


def device_custom_fwd(device_type):
    def custom_fwd(fwd=None, *, cast_inputs=None):
        _warn(f"torch.{device_type}.amp.custom_fwd",
              f"torch.amp.custom_fwd(args..., device_type='{device_type}')")
        return functools.partial(_am.custom_fwd, device_type=device_type)(
            fwd=fwd, cast_inputs=cast_inputs)
    return custom_fwd


def device_custom_bwd(device_type):
    def custom_bwd(bwd):
        _warn(f"torch.{device_type}.amp.custom_bwd",
              f"torch.amp.custom_bwd(args..., device_type='{device_type}')")
        return functools.partial(_am.custom_bwd, device_type=device_type)(bwd)
    return custom_bwd


CUDA_DEFAULT = _dtype.float16
CPU_DEFAULT = _dtype.bfloat16
