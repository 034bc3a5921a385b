"""``ember.backends`` (``torch.backends``): the switches programs set for PyTorch's kernels.

ember computes with NumPy/BLAS on the CPU and CuPy on NVIDIA GPUs; it has no cuDNN
autotuner, oneDNN, MPS or TF32 kernels to switch. The flags therefore exist with
PyTorch's names and defaults, keep what a program sets, and report availability
truthfully: ``cudnn.is_available()`` is True only where CuPy finds cuDNN on a GPU,
``mps`` and ``mkldnn`` are never available. ``cudnn.deterministic`` /
``benchmark`` change nothing: ember's kernels are deterministic already.
"""
import contextlib
import importlib

_SUBMODULES = ("cudnn", "cuda", "mps", "mkldnn", "mkl", "openmp", "cpu", "opt_einsum")


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.backends' has no attribute '{name}' "
                         f"(torch.backends.{name}: ember does not provide it yet)")


@contextlib.contextmanager
def _flags_of(module, **values):
    """Set ``module``'s flags for the block, restore them after (``flags()``)."""
    values = {k: v for k, v in values.items() if v is not None}
    old = {k: getattr(module, k) for k in values}
    for k, v in values.items():
        setattr(module, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)
