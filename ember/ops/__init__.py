"""Every differentiable primitive, one module per family (see DESIGN.md).

``import ember`` loads the core families only; the others are imported on first use and,
as attributes of this package, on first access (``ember.ops.special``; issue 18)."""
from .._lazy import module_getattr as _module_getattr

__getattr__ = _module_getattr(globals(), {})
