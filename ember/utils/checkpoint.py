"""``torch.utils.checkpoint``: trade compute for memory by re-running a segment in backward.

``use_reentrant=True`` follows PyTorch's reentrant variant: the segment runs without
recording a graph, its inputs (and the RNG state, with ``preserve_rng_state``) are kept,
and backward re-runs it with grad on and backpropagates through the re-run; gradients
reach the segment's parameters even when no input requires grad (ember always hands the
checkpoint node a grad-requiring placeholder). As in PyTorch this variant supports
``.backward()`` but not ``autograd.grad`` with respect to tensors inside the segment.

``use_reentrant=False`` follows PyTorch's non-reentrant variant, built on
``autograd.graph.saved_tensors_hooks``: the segment runs with a pack hook that keeps only a
handle (and the shape/dtype/device) of each tensor its ops save, so the activations are
freed; the first unpack in backward re-runs the segment (with the forward's RNG state when
``preserve_rng_state``, under ``context_fn``'s second context) with a hook that collects
the recomputed tensors, and each handle then gives its tensor once. ``determinism_check=
"default"`` raises CheckpointError when the recomputed tensors' count or metadata differ
from the forward's ("none" skips it). Differences: recomputation always runs the whole
segment (``early_stop`` is accepted; stopping early is an optimisation only), and
selective-checkpoint policies (``create_selective_checkpoint_contexts``) recompute every
op rather than saving the ones the policy marks (same values, less memory saved).
``use_reentrant=None`` warns and means True, as PyTorch 2.14 does.
"""
from .._random import get_rng_state, set_rng_state
from .._tensor import Tensor
from ..autograd import Function, enable_grad, no_grad
from ..autograd.engine import backward as _backward
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "get_device_states",
           "set_device_states", "noop_context_fn", "set_checkpoint_early_stop",
           "DefaultDeviceType", "set_checkpoint_debug_enabled", "CheckpointPolicy",
           "SelectiveCheckpointContext", "create_selective_checkpoint_contexts",
           "SAC_IGNORED_OPS", "GraphExecGroup"]

_USE_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
    "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
    "exception. use_reentrant=False is recommended, but if you need to preserve the current "
    "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
    "the differences between the two variants.")


class CheckpointError(RuntimeError):
    """Raised when a non-reentrant checkpoint's recomputation does not match its forward."""


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


class _Reentrant(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, placeholder, *args):
        ctx.run_function = run_function
        ctx.rng = get_rng_state() if preserve_rng_state else None
        ctx.args = args
        with no_grad():
            outputs = run_function(*args)
        ctx.single = isinstance(outputs, Tensor)
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        inputs = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                  for a in ctx.args]
        saved = None
        if ctx.rng is not None:
            saved = get_rng_state()
            set_rng_state(ctx.rng)
        try:
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            if saved is not None:
                set_rng_state(saved)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        _backward([p[0] for p in pairs], [p[1] for p in pairs])
        return (None, None, None) + tuple(
            a.grad if isinstance(a, Tensor) and a.requires_grad else None for a in inputs)


def checkpoint(function=None, *args, use_reentrant=None, preserve_rng_state=True,
               context_fn=noop_context_fn, determinism_check="default", debug=False,
               early_stop=True, respect_saved_tensors_hooks=None, **kwargs):
    """``torch.utils.checkpoint.checkpoint`` (see the module docstring)."""
    if use_reentrant is None:
        import warnings
        warnings.warn(_USE_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if (context_fn is not noop_context_fn or debug is not False
                or respect_saved_tensors_hooks is not None):
            raise ValueError("Passing `context_fn`, `debug`, or `respect_saved_tensors_hooks` "
                             "is only supported when use_reentrant=False.")
        if not is_grad_enabled():
            return function(*args)
        from ..ops.creation import zeros
        placeholder = zeros((), requires_grad=True)
        return _Reentrant.apply(function, preserve_rng_state, placeholder, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    frame = _Frame(function, args, kwargs, preserve_rng_state, context_fn, determinism_check)
    forward_ctx, frame.recompute_ctx = context_fn()
    with forward_ctx, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def _meta(t):
    return (tuple(t.shape), t.dtype, t.device)


class _Frame:
    """One non-reentrant checkpoint call: the function, its inputs, and per saved tensor
    its metadata (forward) and, after recomputation, its value (until unpacked)."""

    def __init__(self, function, args, kwargs, preserve_rng_state, context_fn, check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng = get_rng_state() if preserve_rng_state else None
        self.check = check
        self.metas = []
        self.recomputed = {}

    def pack(self, tensor):
        self.metas.append(_meta(tensor))
        return len(self.metas) - 1

    def unpack(self, index):
        if index not in self.recomputed:
            self._recompute()
        return self.recomputed.pop(index)

    def _recompute(self):
        values = []

        def keep(t):
            values.append(t.detach())
            return None

        inputs = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                  for a in self.args]
        saved = None
        if self.rng is not None:
            saved = get_rng_state()
            set_rng_state(self.rng)
        try:
            with enable_grad(), self.recompute_ctx, saved_tensors_hooks(keep, _no_unpack):
                self.function(*inputs, **self.kwargs)
        finally:
            if saved is not None:
                set_rng_state(saved)
        if self.check == "default":
            if len(values) != len(self.metas):
                raise CheckpointError(
                    "torch.utils.checkpoint: A different number of tensors was saved during "
                    "the original forward and recomputation.\n"
                    f"Number of tensors saved during forward: {len(self.metas)}\n"
                    f"Number of tensors saved during recomputation: {len(values)}")
            bad = [(i, m, _meta(v)) for i, (m, v) in enumerate(zip(self.metas, values))
                   if _meta(v) != m]
            if bad:
                lines = "".join(
                    f"tensor at position {i}:\nsaved metadata: {{'shape': {list(m[0])}, "
                    f"'dtype': {m[1]}, 'device': {m[2]}}}\nrecomputed metadata: "
                    f"{{'shape': {list(r[0])}, 'dtype': {r[1]}, 'device': {r[2]}}}\n"
                    for i, m, r in bad)
                raise CheckpointError("torch.utils.checkpoint: Recomputed values for the "
                                      "following tensors have different metadata than during "
                                      "the forward pass.\n" + lines)
        self.recomputed = dict(enumerate(values))


def _no_unpack(_):
    raise CheckpointError("torch.utils.checkpoint: a tensor saved during recomputation was "
                          "unpacked (backward inside a checkpointed function's recomputation)")


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split ``functions`` (a Sequential or list of modules) into ``segments`` and
    checkpoint each segment but the last, as PyTorch does."""
    from ..nn.modules.container import Sequential
    if use_reentrant is None:
        import warnings
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments

    def run(start, end, fns):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x
        return forward
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1, functions)(input)


def set_checkpoint_early_stop(enable):
    import contextlib
    return contextlib.nullcontext()


class CheckpointPolicy:
    MUST_SAVE = 0
    PREFER_SAVE = 1
    MUST_RECOMPUTE = 2
    PREFER_RECOMPUTE = 3


def create_selective_checkpoint_contexts(policy_fn_or_list, allow_cache_entry_mutation=False):
    return noop_context_fn()


class CheckpointFunction:
    """PyTorch's reentrant checkpoint Function: ``CheckpointFunction.apply(function,
    preserve_rng_state, *args)``."""

    @staticmethod
    def apply(function, preserve_rng_state, *args):
        if not is_grad_enabled():
            return function(*args)
        from ..ops.creation import zeros
        return _Reentrant.apply(function, preserve_rng_state,
                                zeros((), requires_grad=True), *args)


def detach_variable(inputs):
    """Detach each Tensor of the tuple ``inputs``, keeping its requires_grad."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    return tuple(a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                 for a in inputs)


def check_backward_validity(inputs):
    if not any(a.requires_grad for a in inputs if isinstance(a, Tensor)):
        import warnings
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def get_device_states(*args):
    """The RNG states of the accelerator devices ``args`` live on: ([], []) for CPU
    tensors (ember's checkpoint saves the default generator's state itself)."""
    ids = sorted({a.get_device() for a in args
                  if isinstance(a, Tensor) and a.device.type not in ("cpu", "meta")})
    if not ids:
        return [], []
    from .. import cuda
    return ids, [cuda.get_rng_state(i) for i in ids]


def set_device_states(devices, states, *, device_type=None):
    if not devices:
        return
    from .. import cuda
    for d, s in zip(devices, states):
        cuda.set_rng_state(s, d)


class DefaultDeviceType:
    """The device type whose RNG state checkpoint saves when no tensor names one."""

    _default_device_type = "cuda"

    @staticmethod
    def set_device_type(device="cuda"):
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type():
        return DefaultDeviceType._default_device_type


class set_checkpoint_debug_enabled:
    """Context manager overriding checkpoint's ``debug`` flag (accepted; ember's
    CheckpointError messages do not change with it)."""

    _enabled = None

    def __init__(self, enabled):
        self.enabled = enabled

    def __enter__(self):
        self._prev = set_checkpoint_debug_enabled._enabled
        set_checkpoint_debug_enabled._enabled = self.enabled

    def __exit__(self, *exc):
        set_checkpoint_debug_enabled._enabled = self._prev
        return False


class SelectiveCheckpointContext:
    """What a selective-checkpoint policy function receives."""

    def __init__(self, *, is_recompute=False):
        self.is_recompute = is_recompute


# PyTorch lists aten ops selective checkpointing never caches; ember's ops are Functions and
# its selective checkpointing recomputes everything, so none are singled out.
SAC_IGNORED_OPS = set()


class GraphExecGroup:
    """Backward calls under one group recompute each checkpointed region at most once.
    ember's non-reentrant checkpoint keeps each recomputed tensor until it is unpacked, which
    already gives that; the context manager enforces PyTorch's no-nesting rule."""

    _current = None

    def __enter__(self):
        if GraphExecGroup._current is not None:
            raise RuntimeError("GraphExecGroup contexts cannot be nested. Already inside group "
                               f"{GraphExecGroup._current}")
        GraphExecGroup._current = self
        return self

    def __exit__(self, *exc):
        GraphExecGroup._current = None
