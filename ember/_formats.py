"""``torch.memory_format`` and ``torch.layout`` objects, the constants and the global switches
of ``torch.*`` that belong to no op family (issue 17, structural tail).

Memory formats: ``ember.contiguous_format``, ``channels_last``, ``channels_last_3d`` and
``preserve_format``. ``x.contiguous(memory_format=ember.channels_last)`` gives a tensor whose
memory is NHWC and whose logical shape stays NCHW, as PyTorch's: it is the permuted copy
``x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)``, so ``stride()`` and
``is_contiguous(memory_format=...)`` agree with PyTorch. Ops that ember computes on it
accept any strides (NumPy does); ember does not propagate the format through every op
as PyTorch's kernels do (most results come back C-contiguous).

Layouts: ``ember.strided`` (every dense tensor) and ``ember.sparse_coo`` (sparse tensors).
"""
import math

__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d",
           "preserve_format", "layout", "strided", "sparse_coo", "inf", "nan", "pi", "e",
           "newaxis", "has_lapack", "has_mkl", "has_openmp", "has_spectral", "has_cuda",
           "set_warn_always", "is_warn_always_enabled", "set_flush_denormal",
           "set_anomaly_enabled", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "is_distributed"]

inf = math.inf
nan = math.nan
pi = math.pi
e = math.e
newaxis = None

has_lapack = True      # NumPy's linalg is LAPACK
has_spectral = True    # NumPy's pocketfft serves ember.fft
has_mkl = False
has_openmp = False
has_cuda = False


from ._layout import layout, strided, sparse_coo  # noqa: E402,F401  (one layout module)
from ._named import NamedSingleton  # noqa: E402


class memory_format(NamedSingleton):
    """``torch.memory_format``: a named layout request (``ember.channels_last`` ...)."""

    __slots__ = ()


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def check_memory_format(fmt, fname="contiguous"):
    """Validate a ``memory_format=`` argument (None means the op's default)."""
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"{fname}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(fmt).__name__}")
    return fmt


def _perm_for(fmt, ndim, fname):
    """The dim order whose C-contiguous layout is ``fmt`` (None: plain C order)."""
    if fmt is channels_last:
        if ndim != 4:
            raise RuntimeError("required rank 4 tensor to use channels_last format")
        return (0, 2, 3, 1)
    if fmt is channels_last_3d:
        if ndim != 5:
            raise RuntimeError("required rank 5 tensor to use channels_last_3d format")
        return (0, 2, 3, 4, 1)
    return None


def strides_for(shape, fmt):
    """Element strides of a dense tensor of ``shape`` laid out in ``fmt``."""
    perm = _perm_for(fmt, len(shape), "strides_for") or tuple(range(len(shape)))
    st, acc = [0] * len(shape), 1
    for d in reversed(perm):
        st[d] = acc
        acc *= max(shape[d], 1)
    return tuple(st)


def is_contiguous_as(t, fmt):
    """``Tensor.is_contiguous(memory_format=fmt)`` from the tensor's strides (PyTorch's rule:
    size-1 dims are ignored)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return bool(t._data.flags.c_contiguous)
    if _perm_for(fmt, t._data.ndim, "is_contiguous") is None:
        return False
    shape, st = t._data.shape, t.stride()
    want = strides_for(shape, fmt)
    return all(shape[d] == 1 or st[d] == want[d] for d in range(len(shape)))


def to_memory_format(t, fmt):
    """A copy of ``t`` laid out in ``fmt`` (channels_last: the NHWC permuted copy), or ``t``
    itself when it is laid out so already. ``preserve_format`` keeps ``t``."""
    from .ops.shape import permute, contiguous
    if fmt is None or fmt is preserve_format:
        return t
    if fmt is contiguous_format:
        return contiguous(t)
    perm = _perm_for(fmt, t._data.ndim, "contiguous")
    if is_contiguous_as(t, fmt):
        return t
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return permute(contiguous(permute(t, perm)), inv)


# -- global switches ---------------------------------------------------------------------
_warn_always = [False]


def set_warn_always(b):
    """``torch.set_warn_always``: ember's once-only warnings then repeat every time."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


def set_flush_denormal(mode):
    """``torch.set_flush_denormal``: NumPy offers no switch for the FPU's denormal mode, so
    ember reports it unsupported (False), as PyTorch does on CPUs without it."""
    return False


def set_anomaly_enabled(enabled, check_nan=True):
    """``torch.set_anomaly_enabled``: what ``autograd.set_detect_anomaly`` switches."""
    from .autograd import engine
    engine._anomaly[0] = bool(enabled) and bool(check_nan)
    _anomaly_flags[0], _anomaly_flags[1] = bool(enabled), bool(check_nan)


_anomaly_flags = [False, True]


def is_anomaly_enabled():
    from .autograd import engine
    return bool(engine._anomaly[0]) or _anomaly_flags[0]


def is_anomaly_check_nan_enabled():
    return _anomaly_flags[1]


def is_distributed(input):
    """``torch.is_distributed``: False for every ember tensor (no distributed tensors)."""
    return False
