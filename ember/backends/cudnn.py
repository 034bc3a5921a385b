"""``torch.backends.cudnn``: flags kept with PyTorch's defaults (see ``ember.backends``)."""
from . import _flags_of

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    """True only on a CUDA device with cuDNN reachable through CuPy."""
    from .. import backend
    if not backend.cuda_available():
        return False
    try:
        from cupy import cuda
        return bool(cuda.cudnn_enabled) if hasattr(cuda, "cudnn_enabled") else False
    except ImportError:
        return False


def version():
    """cuDNN's version number, or None where it is not available (as PyTorch)."""
    if not is_available():
        return None
    from cupy.cuda import cudnn
    return int(cudnn.getVersion())


def is_acceptable(tensor):
    return is_available() and tensor.device.type == "cuda"


def set_flags(_enabled=None, _benchmark=None, _benchmark_limit=None, _deterministic=None,
              _allow_tf32=None, _fp32_precision=None):
    g = globals()
    old = (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
    for name, v in (("enabled", _enabled), ("benchmark", _benchmark),
                    ("benchmark_limit", _benchmark_limit), ("deterministic", _deterministic),
                    ("allow_tf32", _allow_tf32)):
        if v is not None:
            g[name] = v
    return old


def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True, fp32_precision="none"):
    import sys
    return _flags_of(sys.modules[__name__], enabled=enabled, benchmark=benchmark,
                     benchmark_limit=benchmark_limit, deterministic=deterministic,
                     allow_tf32=allow_tf32)
