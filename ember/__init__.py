"""ember: PyTorch's API on NumPy. ``import ember as torch``."""
from ._dtype import (dtype, bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                     float32, float64, complex64, complex128, get_default_dtype,
                     set_default_dtype, promote_types, result_type as _result_type, can_cast,
                     qint8, quint8, qint32, quint4x2)
from ._dtype import int32 as int, float32 as float, float64 as double, float16 as half  # noqa
from ._dtype import int64 as long, int16 as short, complex64 as cfloat, complex128 as cdouble  # noqa
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
                           bernoulli, multinomial, poisson, zeros_like, ones_like, full_like,
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
from . import nn, optim, return_types, serialization
from .serialization import save, load
from ._api import result_type, is_tensor, is_floating_point, is_complex, numel

__version__ = "0.1.0"

# Optional and heavier parts load on first attribute access (``ember.vision``,
# ``ember.onnx`` ...), never at ``import ember``: one line each, package -> module path.
_LAZY_SUBMODULES = {
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
}


def __getattr__(name):
    path = _LAZY_SUBMODULES.get(name)
    if path is None:
        raise AttributeError(f"module 'ember' has no attribute '{name}'")
    import importlib
    module = importlib.import_module(path)
    globals()[name] = module
    return module
