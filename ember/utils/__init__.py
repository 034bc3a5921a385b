"""``ember.utils``: hooks and data loading utilities (``torch.utils``)."""

# Submodules load on first attribute access (``ember.utils.data`` pulls in multiprocessing,
# queues and sockets for the DataLoader workers), so ``import ember`` stays light.
_LAZY_SUBMODULES = ("data", "checkpoint", "hooks", "safetensors", "tensorboard")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
