"""``ember.autocast``: automatic mixed precision as a mode on the dispatch hook.

PyTorch's autocast is a dispatcher key; ember's is a ``DispatchMode``
(``ember/autograd/dispatch.py``) that sees every ``Function.apply`` call, looks the
Function up in the device's policy table (``ember/amp/policy.py``: PyTorch's documented
op lists) and casts the call's eligible Tensor arguments before running the op:
lower-precision ops get the autocast dtype, float32 ops float32, promote ops the widest
floating input type. The casts are ember's differentiable ``ToCopy``, so backward gives
every input a gradient of its own dtype, as in PyTorch.

The state follows torch: per device type an enabled flag and a dtype (defaults bfloat16
on cpu, float16 on cuda), one cache-enabled flag, a nesting count; the cast cache
(``cache_enabled``) holds the lower-precision copies of leaf tensors that require grad
(the weights), so each weight is cast once per outermost autocast region, and is cleared
when the outermost region exits.

Compute is honest: NumPy has no bfloat16/float16 GEMM, so ember's lower-precision
matmul/linear/conv compute in float32 and round the result to the autocast dtype, which
is what oneDNN's bf16 kernels produce (float32 accumulation, rounded output).

Where ember differs: the state is process-global, not thread-local (ember's grad mode is
too); only the innermost entered autocast region's mode acts on a call, the outer ones
pass it through, so nesting costs nothing per op.
"""
import functools
import warnings

from .. import _dtype
from .. import backend as _backend
from .._tensor import Tensor
from ..autograd import dispatch as _dispatch
from ..autograd.grad_mode import _state as _grad_state
from . import policy as _policy

_DEVICES = ("cpu", "cuda")
_enabled = {"cpu": False, "cuda": False}
_fast_dtype = {"cpu": _dtype.bfloat16, "cuda": _dtype.float16}
_cache_enabled = [True]
_nesting = [0]
_cache = {}          # id(leaf tensor) -> (leaf, target np dtype, cast tensor)
_current = [None]    # the innermost autocast mode on the dispatch stack
_SUPPORTED = (_dtype.bfloat16, _dtype.float16)


def _check_device(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in _DEVICES:
        raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")


def is_autocast_available(device_type):
    """``torch.amp.is_autocast_available``: ember implements cpu and cuda."""
    return device_type in _DEVICES


def is_autocast_enabled(device_type=None):
    """``torch.is_autocast_enabled(device_type)``; with no argument, cuda (torch's legacy)."""
    if device_type is None:
        device_type = "cuda"
    _check_device(device_type)
    return _enabled[device_type]


def set_autocast_enabled(device_type, enabled=None):
    """``torch.set_autocast_enabled(device_type, enabled)`` (legacy one-argument form: cuda)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    _check_device(device_type)
    _enabled[device_type] = bool(enabled)
    if enabled and _current[0] is None:
        # enabled without a context manager: a mode stays on the stack until disabled
        mode = _AutocastMode()
        _dispatch.push_mode(mode)
        _current[0] = mode
    elif not any(_enabled.values()) and isinstance(_current[0], _AutocastMode) \
            and _current[0]._standalone and _dispatch._top[0] is _current[0]:
        _dispatch.pop_mode(_current[0])
        _current[0] = None


def get_autocast_dtype(device_type):
    _check_device(device_type)
    return _fast_dtype[device_type]


def set_autocast_dtype(device_type, dtype):
    _check_device(device_type)
    _fast_dtype[device_type] = dtype


def is_autocast_cpu_enabled():
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled):
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    return _fast_dtype["cpu"]


def set_autocast_cpu_dtype(dtype):
    _fast_dtype["cpu"] = dtype


def get_autocast_gpu_dtype():
    return _fast_dtype["cuda"]


def set_autocast_gpu_dtype(dtype):
    _fast_dtype["cuda"] = dtype


def is_autocast_cache_enabled():
    return _cache_enabled[0]


def set_autocast_cache_enabled(enabled):
    _cache_enabled[0] = bool(enabled)


def clear_autocast_cache():
    _cache.clear()


def autocast_increment_nesting():
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting():
    _nesting[0] -= 1
    return _nesting[0]


# ---------------------------------------------------------------------------------------
# the mode

_ELIGIBLE = None


def _eligible():
    """NumPy dtypes autocast may cast: floating and not float64 (PyTorch's rule)."""
    global _ELIGIBLE
    if _ELIGIBLE is None:
        _ELIGIBLE = frozenset((_dtype.float16.np, _dtype.bfloat16.np, _dtype.float32.np))
    return _ELIGIBLE


def _device_of(args):
    for a in args:
        if isinstance(a, Tensor):
            return "cuda" if a.is_cuda else "cpu"
    return None


def _cast(t, np_target, use_cache):
    """``t`` cast to ``np_target`` if it is an eligible Tensor (else ``t`` itself)."""
    if not isinstance(t, Tensor):
        return t
    d = t._data.dtype
    if d == np_target or d not in _eligible():
        return t
    from ..ops.pointwise import ToCopy
    if use_cache and t._rg and t.grad_fn is None and t._base is None:
        hit = _cache.get(id(t))
        if hit is not None and hit[0] is t and hit[1] == np_target:
            return hit[2]
        out = ToCopy.apply(t, np_dtype=np_target)
        _cache[id(t)] = (t, np_target, out)
        return out
    return ToCopy.apply(t, np_dtype=np_target)


def _widest(args):
    best = None
    for a in args:
        if isinstance(a, Tensor) and a._data.dtype in _eligible():
            d = _dtype.from_numpy_dtype(a._data.dtype)
            best = d if best is None else _dtype.promote_types(best, d)
    return best


class _AutocastMode(_dispatch.DispatchMode):
    """The dispatch mode of one autocast region (see the module docstring)."""

    casts_inputs = True
    _standalone = True

    def __ember_dispatch__(self, func, args, kwargs):
        if _current[0] is not self:
            return func.apply(*args, **kwargs)
        dev = _device_of(args)
        if dev is None or not _enabled[dev]:
            return func.apply(*args, **kwargs)
        policy = _policy.policy_of(dev, func, args, kwargs)
        if policy is None:
            return func.apply(*args, **kwargs)
        if policy is _policy.LOWER:
            target = _fast_dtype[dev].np
            use_cache = _cache_enabled[0] and _grad_state[0]
        elif policy is _policy.FP32:
            target = _dtype.float32.np
            use_cache = False
        else:
            widest = _widest(args)
            if widest is None:
                return func.apply(*args, **kwargs)
            target = widest.np
            use_cache = False
        args = tuple(_cast(a, target, use_cache) for a in args)
        return func.apply(*args, **kwargs)


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``:
    context manager and decorator; regions nest (an inner ``enabled=False`` region runs
    its ops in their own types)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        _check_device(device_type)
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else cache_enabled)
        if enabled and device_type == "cuda" and not _backend.cuda_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                          "autocast.", stacklevel=2)
            enabled = False
        elif enabled and self.fast_dtype not in _SUPPORTED:
            name = device_type.upper()
            warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                          f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                          + ", ".join(map(str, _SUPPORTED)) + " currently.", stacklevel=2)
            enabled = False
        self._enabled = bool(enabled)
        self._mode = None

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = _enabled[self.device]
        self.prev_fastdtype = _fast_dtype[self.device]
        self.prev_current = _current[0]
        _enabled[self.device] = self._enabled
        _fast_dtype[self.device] = self.fast_dtype
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        mode = _AutocastMode()
        mode._standalone = False
        _dispatch.push_mode(mode)
        _current[0] = self._mode = mode
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        _enabled[self.device] = self.prev
        _fast_dtype[self.device] = self.prev_fastdtype
        set_autocast_cache_enabled(self.prev_cache_enabled)
        _dispatch.pop_mode(self._mode)
        _current[0] = self.prev_current
        self._mode = None
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got "
                            f"{type(func).__name__}. Did you mean to use autocast as a context "
                            "manager? For example:\n    with ember.autocast(device_type=...):\n"
                            "        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)
        return decorate_autocast

    # torch's deprecated aliases construct autocast with these names
    def __repr__(self):
        return (f"autocast(device_type={self.device!r}, dtype={self.fast_dtype}, "
                f"enabled={self._enabled})")


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """``torch.amp.custom_fwd``: run a custom Function's forward with autocast's state of
    the call (or, with ``cast_inputs``, with its floating inputs cast and autocast off)."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    _check_device(device_type)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._fwd_used_autocast = _enabled[device_type]
        ctx._dtype = _fast_dtype[device_type]
        if cast_inputs is None:
            return fwd(*args, **kwargs)
        if not _enabled[device_type]:
            return fwd(*args, **kwargs)
        from ..ops.pointwise import _to_dtype
        target = _dtype.to_dtype(cast_inputs)
        cast = [(_to_dtype(a, target) if isinstance(a, Tensor) and a._data.dtype
                 in _eligible() else a) for a in args[1:]]
        with autocast(device_type, enabled=False):
            return fwd(ctx, *cast, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """``torch.amp.custom_bwd``: run backward with the autocast state forward ran with."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    _check_device(device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type, enabled=getattr(ctx, "_fwd_used_autocast", False),
                      dtype=getattr(ctx, "_dtype", None)):
            return bwd(*args, **kwargs)
    return decorate_bwd
