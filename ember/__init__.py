"""ember: PyTorch's API on NumPy. ``import ember as torch``."""
from ._dtype import (dtype, bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                     float32, float64, complex64, complex128, get_default_dtype,
                     set_default_dtype, promote_types, result_type as _result_type, can_cast)
from ._dtype import int32 as int, float32 as float, float64 as double, float16 as half  # noqa
from ._dtype import int64 as long, int16 as short, complex64 as cfloat, complex128 as cdouble  # noqa
# storage-only dtypes as torch.* (perf-import, issue 18; ml_dtypes-backed ones load it lazily)
from ._dtype import (uint16, uint32, uint64, float8_e4m3fn, float8_e5m2, float8_e4m3fnuz,  # noqa: F401
                     float8_e5m2fnuz, float8_e8m0fnu, int1, int2, int4, uint1, uint2, uint4)
from ._device import device
from ._tensor import Tensor, Size
from ._random import (Generator, manual_seed, seed, initial_seed, get_rng_state,
                      set_rng_state, default_generator)
from . import autograd, backend, cuda
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode
from .autograd.grad_mode import is_grad_enabled, is_inference_mode_enabled
from ._printing import set_printoptions, get_printoptions
from .ops.creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, full, empty, eye,
                           arange, linspace, logspace, rand, randn, randint, randperm, normal,
                           bernoulli, multinomial, poisson, binomial, zeros_like, ones_like, full_like,
                           empty_like, rand_like, randn_like, randint_like)
from .ops.pointwise import *  # noqa: F401,F403  (the function forms: ember.add, ember.exp ...)
from .ops.pointwise import clone_tensor as clone
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.activation import (selu, selu_, celu, celu_, rrelu, rrelu_, threshold, threshold_,  # noqa: F401
                             prelu, hardshrink, tensor_softmax as softmax,
                             tensor_log_softmax as log_softmax)
from . import nn, optim, return_types
from ._api import result_type, is_tensor, is_floating_point, is_complex, numel
# -- numerics (issue 17): machine limits and the top-level linalg aliases
from ._typeinfo import finfo, iinfo
from .ops.complex import real, imag, view_as_real, view_as_complex, complex, polar, angle
from .ops.special import (erfc, erfinv, digamma, polygamma, i0, sinc, logit, xlogy,
                          gammaln as lgamma, multigammaln as mvlgamma, gammainc as igamma,
                          gammaincc as igammac)
from .linalg._aliases import (det, logdet, slogdet, inverse, cholesky, cholesky_solve,
                              cholesky_inverse, qr, svd, pinverse, matrix_power, matrix_exp,
                              lu_solve, triangular_solve, cross, chain_matmul, lu_unpack,
                              geqrf, orgqr, ormqr, lu)
from .ops.lobpcg import lobpcg  # noqa: E402  (issue 17, tail17: torch.lobpcg)

# -- the math tail (issue 17, tail-math): element-wise math, cumulative ops, statistics,
#    histograms, set ops, combinatorics, the in-place tail and aliases
from .ops.elementwise_math import *  # noqa: F401,F403,E402
from .ops.cumulative import *  # noqa: F401,F403,E402
from .ops.matmul_tail import *  # noqa: F401,F403,E402
from .ops.renorm import *  # noqa: F401,F403,E402
from .ops.inplace_tail import *  # noqa: F401,F403,E402
from .ops.histograms import *  # noqa: F401,F403,E402
from .ops.searching import *  # noqa: F401,F403,E402
from .ops.set_ops import *  # noqa: F401,F403,E402
from .ops.combinatorics import *  # noqa: F401,F403,E402
from .ops.quantiles import *  # noqa: F401,F403,E402
from .ops.covariance import *  # noqa: F401,F403,E402
from .ops.integration import *  # noqa: F401,F403,E402
from .ops.finite_difference import *  # noqa: F401,F403,E402
from .ops.legacy_norms import *  # noqa: F401,F403,E402
from .ops.predicates import *  # noqa: F401,F403,E402
from .ops.distance import cdist, dist, pairwise_distance, pdist  # noqa: F401,E402
# -- end of the math tail block
# ember.ops.stft (issue 17, nn-autograd): torch.stft / istft and the window functions
from .ops.stft import (stft, istft, hann_window, hamming_window, blackman_window,  # noqa: F401
                       bartlett_window, kaiser_window)

# ember.amp (issue 14): autocast and its state queries at top level, as torch.*
from .amp.autocast_mode import (autocast, is_autocast_enabled, set_autocast_enabled,  # noqa: F401
                                get_autocast_dtype, set_autocast_dtype,
                                is_autocast_cache_enabled, set_autocast_cache_enabled,
                                clear_autocast_cache, autocast_increment_nesting,
                                autocast_decrement_nesting, is_autocast_cpu_enabled,
                                set_autocast_cpu_enabled, get_autocast_cpu_dtype,
                                set_autocast_cpu_dtype, get_autocast_gpu_dtype,
                                set_autocast_gpu_dtype)
# quantized tensors (issue 14): dtypes, schemes and quantize functions, as torch.*
from ._qtensor import (qint8, quint8, qint32, quint4x2, qscheme, per_tensor_affine,  # noqa: F401
                       per_channel_affine, per_tensor_symmetric, per_channel_symmetric,
                       per_channel_affine_float_qparams, quantize_per_tensor,
                       quantize_per_channel, dequantize, _make_per_tensor_quantized_tensor,
                       _make_per_channel_quantized_tensor)

__version__ = "0.1.0"
# ember.compat (issue 12): torch.version (ember's own version: ember.version.ember)
from . import version  # noqa: E402
from ._runtime import (set_num_threads, get_num_threads, get_num_interop_threads,  # noqa: E402
                       set_num_interop_threads, set_float32_matmul_precision,
                       get_float32_matmul_precision, use_deterministic_algorithms,
                       are_deterministic_algorithms_enabled,
                       is_deterministic_algorithms_warn_only_enabled,
                       set_deterministic_debug_mode, get_deterministic_debug_mode, compile,
                       typename, is_storage)
from ._legacy_types import (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor,  # noqa: E402
                            ByteTensor, CharTensor, ShortTensor, IntTensor, LongTensor,
                            BoolTensor)

# sparse COO tensors (issue 17): layouts and constructors, as torch.*; the kernels load
# on first use (ember/ops/sparse_coo.py)
from ._layout import (layout, strided, sparse_coo, sparse_csr, sparse_csc, sparse_bsr,  # noqa: E402,F401
                      sparse_bsc, jagged)


def sparse_coo_tensor(indices, values, size=None, **kwargs):
    """``torch.sparse_coo_tensor`` (see ember/ops/sparse_coo.py)."""
    from .ops.sparse_coo import sparse_coo_tensor as _f
    return _f(indices, values, size, **kwargs)


def spmm(input, mat2):
    """``torch.spmm``: sparse @ dense (as ``torch.mm``)."""
    from .ops.sparse_coo import mm as _mm, is_sparse as _is
    return _mm(input, mat2) if _is(input) or _is(mat2) else input.mm(mat2)

# sparse compressed tensors (issue 17, sparse-csr): constructors, *_copy accessors, legacy
# COO products; lazy shims over ember/ops/sparse_compressed.py (ember/_sparse_api.py)
from ._sparse_api import (sparse_compressed_tensor, sparse_csr_tensor,  # noqa: E402,F401
                          sparse_csc_tensor, sparse_bsr_tensor, sparse_bsc_tensor,
                          crow_indices_copy, col_indices_copy, ccol_indices_copy,
                          row_indices_copy, values_copy, indices_copy, smm, hsmm, hspmm, dsmm,
                          saddmm, sspaddmm, resize_as_sparse_)

# -- tensor structure (issue 17, tail-structure): strided views, storages, memory formats,
#    constants and switches, the torch.* forms of nn ops, buffer/DLPack interop
from ._formats import (memory_format, contiguous_format, channels_last,  # noqa: E402
                       channels_last_3d, preserve_format, inf,
                       nan, pi, e, newaxis, has_lapack, has_mkl, has_openmp, has_spectral,
                       set_warn_always, is_warn_always_enabled, set_flush_denormal,
                       set_anomaly_enabled, is_anomaly_enabled, is_anomaly_check_nan_enabled,
                       is_distributed)
from .ops.strided import *  # noqa: F401,F403,E402  (as_strided, *_scatter, *_copy ...)
from .ops.strided import empty_strided  # noqa: E402
from .ops.split_forms import *  # noqa: F401,F403,E402
from .ops.index_reduce import index_reduce  # noqa: E402
from ._storage import (UntypedStorage, TypedStorage, FloatStorage, DoubleStorage,  # noqa: E402
                       HalfStorage, BFloat16Storage, ByteStorage, CharStorage, ShortStorage,
                       IntStorage, LongStorage, BoolStorage, ComplexFloatStorage,
                       ComplexDoubleStorage, resize_as_)
from ._interop import frombuffer, from_dlpack  # noqa: E402
from ._structure_api import (fill, fill_, zero_, detach, detach_, scalar_tensor,  # noqa: E402
                             range, get_device, is_inference, set_default_tensor_type,
                             get_default_device, set_default_device)
from ._native_nn import *  # noqa: F401,F403,E402  (torch.conv2d, torch.dropout, torch.lstm ...)

# Optional and heavier parts load on first attribute access (``ember.vision``,
# ``ember.onnx`` ...), never at ``import ember``: one line each, package -> module path.
_LAZY_SUBMODULES = {
    "signal": "ember.signal",               # torch.signal.windows (nn-tail2)
    "vision": "ember.vision",               # torchvision's API (issue 11)
    "hub": "ember.hub",
    "compat": "ember.compat",               # torch/torchvision names -> ember (issue 12)
    "distributions": "ember.distributions",
    "func": "ember.func",
    "backends": "ember.backends",
    "accelerator": "ember.accelerator",
    "testing": "ember.testing",
    "futures": "ember.futures",
    "random": "ember.random",
    "jit": "ember.jit",                     # graph capture, trace/script (issue 13)
    "onnx": "ember.onnx",
    "amp": "ember.amp",                     # autocast, GradScaler (issue 14)
    "cpu": "ember.cpu",
    "ao": "ember.ao",                       # quantization (issue 14)
    "quantization": "ember.quantization",
    "profiler": "ember.profiler",           # issue 15
    "distributed": "ember.distributed",     # MPI (issue 16)
    "multiprocessing": "ember.multiprocessing",
    "linalg": "ember.linalg",               # numerics (issue 17)
    "fft": "ember.fft",
    "special": "ember.special",
    "sparse": "ember.sparse",
    "_dynamo": "ember._dynamo",             # torch.compile's switches (issue 12)
    "compiler": "ember.compiler",
    "serialization": "ember.serialization",   # save/load (lazy: issue 18, import time)
    "utils": "ember.utils",
}


# Top-level classes that live in a lazily imported module: name -> (module, attribute).
_LAZY_ATTRIBUTES = {
    "Future": ("ember.futures", "Future"),          # torch.Future (Captum checks it)
    "save": ("ember.serialization", "save"),         # issue 18: loaded on first use
    "load": ("ember.serialization", "load"),
    "vmap": ("ember.func", "vmap"),                  # torch.vmap is torch.func.vmap
    "GradScaler": ("ember.amp", "GradScaler"),       # torch.GradScaler is torch.amp's
}


def __getattr__(name):
    path = _LAZY_SUBMODULES.get(name)
    if path is None and name in _LAZY_ATTRIBUTES:
        import importlib
        module_path, attr = _LAZY_ATTRIBUTES[name]
        value = getattr(importlib.import_module(module_path), attr)
        globals()[name] = value
        return value
    if path is None:
        raise AttributeError(f"module 'ember' has no attribute '{name}' (torch.{name}: "
                             "ember does not provide it yet)")
    import importlib
    try:
        module = importlib.import_module(path)
    except ModuleNotFoundError as err:   # not ``e``: that is ember.e
        if err.name != path:
            raise
        raise AttributeError(f"module 'ember' has no attribute '{name}' (torch.{name}: "
                             f"ember does not provide it yet; {path} is missing)") from None
    globals()[name] = module
    return module


def __dir__():
    # the lazily loaded top-level names are part of the surface too
    return sorted(set(globals()) | set(_LAZY_ATTRIBUTES) | {"serialization", "utils"})
