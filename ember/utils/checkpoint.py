"""``torch.utils.checkpoint``: trade compute for memory by re-running a segment in backward.

``use_reentrant=True`` follows PyTorch's reentrant variant: the segment runs without
recording a graph, its inputs (and the RNG state, with ``preserve_rng_state``) are kept,
and backward re-runs it with grad on and backpropagates through the re-run; gradients
reach the segment's parameters even when no input requires grad (ember always hands the
checkpoint node a grad-requiring placeholder). As in PyTorch this variant supports
``.backward()`` but not ``autograd.grad`` with respect to tensors inside the segment.

``use_reentrant=False`` (PyTorch's recommended variant) has exact autograd semantics in
ember by running the segment normally: the results and gradients are the same, but its
activations are kept (ember has no saved-tensor hooks to drop and recompute them).
``use_reentrant=None`` means False with PyTorch's warning-free default of 2.4+.
"""
from .._random import get_rng_state, set_rng_state
from .._tensor import Tensor
from ..autograd import Function, enable_grad, no_grad
from ..autograd.engine import backward as _backward
from ..autograd.grad_mode import is_grad_enabled

__all__ = ["checkpoint", "checkpoint_sequential", "set_checkpoint_early_stop",
           "CheckpointPolicy", "create_selective_checkpoint_contexts", "noop_context_fn"]


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


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, preserve_rng_state=True, **kwargs):
    """``torch.utils.checkpoint.checkpoint`` (see the module docstring)."""
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if not is_grad_enabled():
            return function(*args)
        from ..ops.creation import zeros
        placeholder = zeros((), requires_grad=True)
        return _Reentrant.apply(function, preserve_rng_state, placeholder, *args)
    forward_ctx, _ = context_fn()
    with forward_ctx:
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split ``functions`` (a Sequential or list of modules) into ``segments`` and
    checkpoint each segment but the last, as PyTorch does."""
    from ..nn.modules.container import Sequential
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
