"""``ember._dynamo`` / ``torch._dynamo``: ``torch.compile`` and its public switches.

ember has no bytecode-level graph compiler: :func:`compile` validates PyTorch's
arguments and returns a callable that runs the model eagerly (for a Module, an
``OptimizedModule`` wrapping it, as PyTorch returns, so ``compiled._orig_mod`` and the
``_orig_mod.``-prefixed ``state_dict`` keys are as in PyTorch). A custom ``backend``
callable is accepted but not called (it would receive an FX graph, which ember does not
build). ``disable``, ``reset``, ``mark_dynamic`` ... are the no-ops they amount to then;
``is_compiling()`` is always False.
"""
import functools

from . import config  # noqa: F401
from .eval_frame import OptimizedModule

__all__ = ["compile", "disable", "reset", "is_compiling", "mark_dynamic", "mark_static",
           "maybe_mark_dynamic", "allow_in_graph", "assume_constant_result", "optimize",
           "OptimizedModule", "config", "explain", "is_dynamo_supported"]

_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """``torch.compile``: returns a callable that runs ``model`` (see the module doc)."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(m for m in _MODES if m)}")
    if not (isinstance(backend, str) or callable(backend)):
        raise TypeError(f"backend must be a string or a callable, got {type(backend).__name__}")
    if options is not None and not isinstance(options, dict):
        raise TypeError("options must be a dict")
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    from ..nn.modules.module import Module
    if isinstance(model, Module):
        return model if disable else OptimizedModule(model)
    if not callable(model):
        raise RuntimeError("torch.compile expects a Module or a callable, got "
                           f"{type(model).__name__}")
    if disable:
        return model

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    compiled._torchdynamo_orig_callable = model
    return compiled


def disable(fn=None, recursive=True, *, reason=None, wrapping=True):
    """Exclude ``fn`` from compilation: it already runs eagerly (decorator or call)."""
    if fn is None:
        return lambda f: f
    return fn


def optimize(backend="inductor", *, nopython=False, guard_export_fn=None, guard_fail_fn=None,
             disable=False, dynamic=None):
    return lambda fn: compile(fn, backend=backend, disable=disable)


def reset():
    """Forget compiled code (there is none)."""


def is_compiling():
    return False


def is_dynamo_supported():
    return False


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    """No-op: nothing is specialized on shapes."""


def maybe_mark_dynamic(t, index):
    """No-op."""


def mark_static(t, index=None):
    """No-op."""


def mark_static_address(t, guard=True):
    """No-op."""


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def explain(f, *extra_args, **extra_kwargs):
    raise NotImplementedError("torch._dynamo.explain: ember does not capture graphs with "
                              "dynamo (see ember.jit.trace for graph capture)")
