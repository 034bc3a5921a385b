"""``torch.nn.utils.skip_init``: build a module without running its parameter init."""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiate ``module_cls`` with its ``reset_parameters`` skipped (PyTorch builds it on
    the meta device and then allocates; ember skips the init call), so the parameters hold
    uninitialized memory, as PyTorch's. The class must accept a ``device`` argument."""
    from ..modules.module import Module
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    original = getattr(module_cls, "reset_parameters", None)
    if original is None:
        return module_cls(*args, **kwargs)

    def skip(self):
        pass
    module_cls.reset_parameters = skip
    try:
        return module_cls(*args, **kwargs)
    finally:
        module_cls.reset_parameters = original
