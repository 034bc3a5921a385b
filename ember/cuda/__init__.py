"""``ember.cuda``: availability queries; tensors reach the GPU through CuPy."""
from .. import backend


def is_available():
    return backend.cuda_available()


def device_count():
    if not backend.cuda_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def current_device():
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    return cupy.cuda.runtime.getDevice()


def synchronize(device=None):
    if backend.cuda_available():
        import cupy
        cupy.cuda.runtime.deviceSynchronize()


def manual_seed(seed):
    """Seeds ember's single generator (CUDA tensors are drawn on the host, then copied)."""
    from .._random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed


def is_bf16_supported():
    return is_available()


def __getattr__(name):
    # ``ember.cuda.amp`` (issue 14) loads on first use
    if name == "amp":
        import importlib
        module = importlib.import_module("ember.cuda.amp")
        globals()["amp"] = module
        return module
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
