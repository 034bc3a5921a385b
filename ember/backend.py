"""The array backends: NumPy for 'cpu', CuPy for 'cuda'.

Every difference between numpy and cupy that ember relies on lives here, so ops can be
written once against the namespace ``xp = get_array_module(x)``.
"""
import numpy

try:  # CuPy is optional; without it (or without a GPU) 'cuda' is unavailable.
    import cupy as _cupy
except Exception:  # ImportError, or a CUDA driver error raised while importing
    _cupy = None

# PyTorch computes log(-1) = nan and 1/0 = inf silently; NumPy would warn on every such
# element-wise op. ember follows PyTorch (a process-wide NumPy setting; docs/differences.md).
numpy.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

ndarray = numpy.ndarray
generic = numpy.generic


def cuda_available():
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def get_array_module(x):
    """The array namespace (numpy or cupy) that serves array ``x``."""
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return _cupy
    return numpy


def namespace_for(device_type):
    if device_type == "cpu":
        return numpy
    if device_type == "cuda":
        if not cuda_available():
            raise AssertionError("Torch not compiled with CUDA enabled (ember: CuPy with a "
                                 "visible GPU is needed for device 'cuda')")
        return _cupy
    raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {device_type}")


def device_type_of(x):
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return "cuda"
    return "cpu"


def as_array(x):
    """Turn the NumPy scalar that a 0-d operation may return back into a 0-d array."""
    if isinstance(x, generic):
        return numpy.asarray(x)
    return x


def to_host(x):
    """A NumPy array with the contents of ``x`` (a copy from the GPU for cupy arrays)."""
    if isinstance(x, ndarray):
        return x
    if isinstance(x, generic):
        return numpy.asarray(x)
    return _cupy.asnumpy(x)


def to_device(x, device_type):
    if device_type == "cpu":
        return to_host(x)
    xp = namespace_for("cuda")
    return xp.asarray(x)


def is_array(x):
    return isinstance(x, ndarray) or (_cupy is not None and isinstance(x, _cupy.ndarray))


def scatter_add(xp, target, index, values):
    """target[index] += values with repeated indices accumulated (np.add.at / cupyx)."""
    if xp is numpy:
        numpy.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)


def _numpy_erf():
    try:  # SciPy's vectorised erf when installed; otherwise math.erf per element.
        from scipy.special import erf
        return erf
    except ImportError:
        import math
        vec = numpy.vectorize(math.erf, otypes=[numpy.float64])
        return lambda x: vec(x).astype(x.dtype, copy=False)


_erf_impl = {}


def erf(xp, x):
    """The error function on either backend (numpy has none of its own)."""
    fn = _erf_impl.get(xp)
    if fn is None:
        if xp is numpy:
            fn = _numpy_erf()
        else:
            import cupyx.scipy.special
            fn = cupyx.scipy.special.erf
        _erf_impl[xp] = fn
    return fn(x)
