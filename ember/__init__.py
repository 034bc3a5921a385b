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
from . import autograd, backend
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                 is_grad_enabled, is_inference_mode_enabled)
from . import nn, optim
from ._api import result_type, is_tensor, is_floating_point, is_complex, numel

__version__ = "0.1.0"
# ember.compat (issue 12): torch.version (ember's own version: ember.version.ember)
from . import version  # noqa: E402
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


# Top-level names whose modules load on first use (import time, issue 18; ember/_lazy.py),
# in binding order: a later source wins. Kinds: "names" (``attr=name`` binds ``attr`` as
# ``name``), "star" (what ``from module import *`` binds, so a name added to the module's
# ``__all__`` needs no edit here). After adding a name or a source, run
# ``python -m tools.lazy_tables --write`` (ember/_lazy_tables.py; a test fails until then).
_LAZY_SOURCES = (
    ("ember._printing", "names", "set_printoptions get_printoptions"),
    # the default generator (numpy.random loads with it)
    ("ember._random", "names", "Generator manual_seed seed initial_seed get_rng_state "
     "set_rng_state default_generator"),
    # -- the core op families: creation, the function forms (ember.add, ember.exp ...)
    ("ember.ops.creation", "names", "tensor as_tensor asarray from_numpy zeros ones full empty "
     "eye arange linspace logspace rand randn randint randperm normal bernoulli multinomial "
     "poisson binomial zeros_like ones_like full_like empty_like rand_like randn_like "
     "randint_like"),
    ("ember.ops.pointwise", "star", ""),
    ("ember.ops.pointwise", "names", "clone_tensor=clone"),
    ("ember.ops.reduction", "star", ""),
    ("ember.ops.shape", "star", ""),
    ("ember.ops.indexing", "star", ""),
    ("ember.ops.linalg", "star", ""),
    ("ember.ops.complex", "star", ""),
    ("ember.ops.activation", "names", "selu selu_ celu celu_ rrelu rrelu_ threshold threshold_ "
     "prelu hardshrink tensor_softmax=softmax tensor_log_softmax=log_softmax"),
    # -- numerics (issue 17): machine limits and the top-level linalg aliases
    ("ember._typeinfo", "names", "finfo iinfo"),
    ("ember.ops.special", "names", "erfc erfinv digamma polygamma i0 sinc logit xlogy "
     "gammaln=lgamma multigammaln=mvlgamma gammainc=igamma gammaincc=igammac"),
    ("ember.linalg._aliases", "star", ""),
    ("ember.ops.lobpcg", "star", ""),            # issue 17, tail17: torch.lobpcg
    # -- the math tail (issue 17, tail-math): element-wise math, cumulative ops, statistics,
    #    histograms, set ops, combinatorics, the in-place tail and aliases
    ("ember.ops.elementwise_math", "star", ""),
    ("ember.ops.cumulative", "star", ""),
    ("ember.ops.matmul_tail", "star", ""),
    ("ember.ops.renorm", "star", ""),
    ("ember.ops.inplace_tail", "star", ""),
    ("ember.ops.histograms", "star", ""),
    ("ember.ops.searching", "star", ""),
    ("ember.ops.set_ops", "star", ""),
    ("ember.ops.combinatorics", "star", ""),
    ("ember.ops.quantiles", "star", ""),
    ("ember.ops.covariance", "star", ""),
    ("ember.ops.integration", "star", ""),
    ("ember.ops.finite_difference", "star", ""),
    ("ember.ops.legacy_norms", "star", ""),
    ("ember.ops.predicates", "star", ""),
    ("ember.ops.distance", "names", "cdist dist pairwise_distance pdist"),
    # ember.ops.stft (issue 17, nn-autograd): torch.stft / istft and the window functions
    ("ember.ops.stft", "star", ""),
    # ember.amp (issue 14): autocast and its state queries at top level, as torch.*
    ("ember.amp.autocast_mode", "names", "autocast is_autocast_enabled set_autocast_enabled "
     "get_autocast_dtype set_autocast_dtype is_autocast_cache_enabled "
     "set_autocast_cache_enabled clear_autocast_cache autocast_increment_nesting "
     "autocast_decrement_nesting is_autocast_cpu_enabled set_autocast_cpu_enabled "
     "get_autocast_cpu_dtype set_autocast_cpu_dtype get_autocast_gpu_dtype "
     "set_autocast_gpu_dtype"),
    # quantized tensors (issue 14): dtypes, schemes and quantize functions, as torch.*
    ("ember._qtensor", "names", "qint8 quint8 qint32 quint4x2 qscheme per_tensor_affine "
     "per_channel_affine per_tensor_symmetric per_channel_symmetric "
     "per_channel_affine_float_qparams quantize_per_tensor quantize_per_channel dequantize "
     "_make_per_tensor_quantized_tensor _make_per_channel_quantized_tensor"),
    ("ember._runtime", "names", "set_num_threads get_num_threads get_num_interop_threads "
     "set_num_interop_threads set_float32_matmul_precision get_float32_matmul_precision "
     "use_deterministic_algorithms are_deterministic_algorithms_enabled "
     "is_deterministic_algorithms_warn_only_enabled set_deterministic_debug_mode "
     "get_deterministic_debug_mode compile typename is_storage"),
    ("ember._legacy_types", "star", ""),
    # sparse compressed tensors (issue 17, sparse-csr): constructors, *_copy accessors,
    # legacy COO products; shims over ember/ops/sparse_compressed.py (ember/_sparse_api.py)
    ("ember._sparse_api", "names", "sparse_compressed_tensor sparse_csr_tensor "
     "sparse_csc_tensor sparse_bsr_tensor sparse_bsc_tensor crow_indices_copy "
     "col_indices_copy ccol_indices_copy row_indices_copy values_copy indices_copy smm hsmm "
     "hspmm dsmm saddmm sspaddmm resize_as_sparse_"),
    # -- tensor structure (issue 17, tail-structure): strided views, storages, memory
    #    formats, constants and switches, the torch.* forms of nn ops, buffer/DLPack interop
    ("ember._formats", "names", "memory_format contiguous_format channels_last "
     "channels_last_3d preserve_format inf nan pi e newaxis has_lapack has_mkl has_openmp "
     "has_spectral set_warn_always is_warn_always_enabled set_flush_denormal "
     "set_anomaly_enabled is_anomaly_enabled is_anomaly_check_nan_enabled is_distributed"),
    ("ember.ops.strided", "star", ""),          # as_strided, *_scatter, *_copy ...
    ("ember.ops.strided", "names", "empty_strided"),
    ("ember.ops.split_forms", "star", ""),
    ("ember.ops.index_reduce", "star", ""),
    ("ember._storage", "star", ""),
    ("ember._interop", "star", ""),
    ("ember._structure_api", "star", ""),
    ("ember._native_nn", "star", ""),            # torch.conv2d, torch.dropout, torch.lstm ...
)

# Optional and heavier parts load on first attribute access (``ember.vision``,
# ``ember.onnx`` ...), never at ``import ember``: one line each, package -> module path.
_LAZY_SUBMODULES = {
    "cuda": "ember.cuda",                   # CuPy devices and streams (issue 18: lazy)
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
    "ops": "ember.ops",                     # the op families (issue 18: loaded on first use)
    "return_types": "ember.return_types",   # max/min/sort ... named tuples (issue 18: lazy)
}


# Top-level classes that live in a lazily imported module: name -> (module, attribute).
_LAZY_ATTRIBUTES = {
    "Future": ("ember.futures", "Future"),          # torch.Future (Captum checks it)
    "save": ("ember.serialization", "save"),         # issue 18: loaded on first use
    "load": ("ember.serialization", "load"),
    "vmap": ("ember.func", "vmap"),                  # torch.vmap is torch.func.vmap
    "GradScaler": ("ember.amp", "GradScaler"),       # torch.GradScaler is torch.amp's
}


from ._lazy_tables import TOP as _LAZY_NAMES  # noqa: E402  (expanded _LAZY_SOURCES)


def _star_names():
    """``from ember import *``: every public name the eager imports bound (the lazy names,
    and the submodules they come from); computed on first use, so it loads them all."""
    from ._lazy import child_modules
    names = set(globals()) | set(_LAZY_NAMES) | child_modules(__name__, _LAZY_NAMES)
    names |= {"cuda", "utils"}      # imported eagerly before issue 18 (utils by ember.nn)
    return sorted(n for n in names if not n.startswith("_"))


def __getattr__(name):
    if name == "__all__":
        value = globals()["__all__"] = _star_names()
        return value
    where = _LAZY_NAMES.get(name) or _LAZY_ATTRIBUTES.get(name)
    if where is not None:
        from ._lazy import load
        value = globals()[name] = load(*where)
        return value
    path = _LAZY_SUBMODULES.get(name)
    if path is None and name.startswith("_") and not name.startswith("__"):
        from ._lazy import import_submodule    # ember._storage ... (no longer loaded eagerly)
        return import_submodule(__name__, name)
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
    # (and, as when they were imported eagerly, the submodules those names come from)
    from ._lazy import child_modules
    return sorted(set(globals()) | set(_LAZY_ATTRIBUTES) | set(_LAZY_NAMES)
                  | set(_LAZY_SUBMODULES) | child_modules(__name__, _LAZY_NAMES))
