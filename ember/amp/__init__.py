"""``ember.amp``: automatic mixed precision (``torch.amp``): ``autocast`` and ``GradScaler``."""
from .autocast_mode import (autocast, is_autocast_available, custom_fwd, custom_bwd)  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd", "GradScaler"]
