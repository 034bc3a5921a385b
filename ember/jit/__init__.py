"""``torch.jit`` for ember: trace, script, save/load, freeze.

* ``trace(module_or_fn, example_inputs)`` runs the model once under graph capture
  (``_capture.py``) and returns a ``ScriptModule``/``ScriptFunction`` that replays the
  recorded graph without the model's Python code; shape reads (``x.size(0)``) are kept
  symbolic, so the trace follows the batch size as PyTorch's does.
* ``script(module_or_fn)`` compiles forward's Python source (TorchScript's subset) into
  the same graph with control-flow nodes (``_script.py``).
* ``save``/``load``: one zip archive holding the graph as data (op names that resolve to
  ember's own ops only) and the tensors in ember's checkpoint format (``_serialize.py``).
* ``freeze``/``optimize_for_inference``: BatchNorm folded into convolutions, dropout
  dropped, constant sub-graphs folded (``_freeze.py``).

Where ember differs from PyTorch: the graph names ember's ops, not aten's; ``.code`` is
readable Python-like text, not TorchScript; archives are ember's own format (PyTorch's
``torch.jit.load`` does not read them, and ``ember.jit.load`` does not read PyTorch's).
"""
import contextlib

from ._capture import TracerWarning, capture
from ._module import ScriptFunction, ScriptModule

__all__ = [
    "Attribute",
    "Final",
    "RecursiveScriptModule",
    "ScriptFunction",
    "ScriptModule",
    "TopLevelTracedModule",
    "TracerWarning",
    "TracingCheckError",
    "annotate",
    "export",
    "fork",
    "freeze",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "load",
    "optimize_for_inference",
    "optimized_execution",
    "save",
    "script",
    "strict_fusion",
    "trace",
    "trace_module",
    "unused",
    "wait",
]

RecursiveScriptModule = ScriptModule
TopLevelTracedModule = ScriptModule

_tracing = [0]


class TracingCheckError(Exception):
    """``torch.jit.TracingCheckError``."""

    def __init__(self, graph_diff_error, tensor_compare_error, extra_msg=None):
        self.message = "Tracing failed sanity checks!\n"
        if extra_msg is not None:
            self.message += extra_msg + "\n"
        if graph_diff_error is not None:
            self.message += "ERROR: Graphs differed across invocations!\n" + graph_diff_error
        if tensor_compare_error is not None:
            self.message += tensor_compare_error
        super().__init__(self.message)


def is_tracing():
    """True while ``ember.jit.trace`` (or ONNX export) is capturing the model."""
    return _tracing[0] > 0


def is_scripting():
    """True inside code being compiled by ``ember.jit.script`` (always False in eager
    Python, as in PyTorch)."""
    import sys
    mod = sys.modules.get("ember.jit._script")
    return bool(mod is not None and mod._scripting_flag[0])


@contextlib.contextmanager
def _tracing_scope():
    _tracing[0] += 1
    try:
        yield
    finally:
        _tracing[0] -= 1


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """``torch.jit.trace``: record ``func(*example_inputs)``; returns a ``ScriptModule``
    (for an ``nn.Module``) or a ``ScriptFunction``."""
    from .._tensor import Tensor
    from ..nn.modules.module import Module
    if optimize is not None:
        import warnings
        warnings.warn("`optimize` is deprecated and has no effect. Use `with "
                      "torch.jit.optimized_execution()` instead", FutureWarning, stacklevel=2)
    if isinstance(func, ScriptModule) or isinstance(func, ScriptFunction):
        import warnings
        warnings.warn("The input to trace is already a ScriptModule, tracing it is a no-op. "
                      "Returning the object as is.", stacklevel=2)
        return func
    if example_kwarg_inputs is not None:
        raise NotImplementedError("ember.jit.trace: example_kwarg_inputs")
    if example_inputs is None:
        raise RuntimeError("example_inputs must be given to trace (a Tensor or a tuple of "
                           "Tensors)")
    if isinstance(example_inputs, Tensor) or isinstance(example_inputs, dict):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    if isinstance(func, Module):
        return trace_module(func, {"forward": example_inputs}, optimize, check_trace,
                            [(c,) if isinstance(c, Tensor) else c for c in check_inputs]
                            if check_inputs else None, check_tolerance, strict)
    if not callable(func):
        raise TypeError(f"trace() expects a Module or a function, got {type(func).__name__}")
    with _tracing_scope():
        graph, out = capture(func, example_inputs)
    _check_outputs(graph, strict)
    fn = ScriptFunction(graph, getattr(func, "__name__", "fn"))
    if check_trace:
        _check(fn, func, [example_inputs] + [tuple(c) if isinstance(c, (tuple, list)) else (c,)
                                             for c in (check_inputs or ())], check_tolerance)
    return fn


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None,
                 check_tolerance=1e-5, strict=True, _force_outplace=False,
                 _module_class=None, _compilation_unit=None, example_inputs_is_kwarg=False,
                 _store_inputs=True):
    """``torch.jit.trace_module``: ``inputs`` maps method names to example inputs."""
    from .._tensor import Tensor
    if not isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    sm = None
    for name, example in inputs.items():
        if isinstance(example, Tensor):
            example = (example,)
        example = tuple(example)
        method = getattr(mod, name)
        with _tracing_scope():
            graph, out = capture(method, example, module=mod)
        _check_outputs(graph, strict)
        if name == "forward":
            sm = ScriptModule.from_module(graph, mod) if sm is None else sm
            object.__setattr__(sm, "_graph", graph)
        else:
            if sm is None:
                sm = ScriptModule.from_module(graph, mod)
                object.__setattr__(sm, "_graph", None)
            sm._methods[name] = _BoundGraph(sm, graph)
    if check_trace and sm is not None and sm._graph is not None and "forward" in inputs:
        ex = inputs["forward"]
        ex = (ex,) if isinstance(ex, Tensor) else tuple(ex)
        _check(sm, mod, [ex] + [tuple(c) for c in (check_inputs or ())], check_tolerance)
    return sm


class _BoundGraph:
    """A traced method other than forward (``trace_module``)."""

    def __init__(self, owner, graph):
        self.owner, self.graph = owner, graph

    def __call__(self, *args):
        from ._module import flatten_call_inputs, run_graph
        return run_graph(self.graph, flatten_call_inputs(args, self.graph.input_tree),
                         self.owner._state_for(self.graph))


def _state_for(self, graph):
    env = {}
    for vid, name in graph.params.items():
        parent, _, leaf = name.rpartition(".")
        owner = self.get_submodule(parent) if parent else self
        t = owner._parameters.get(leaf)
        env[vid] = t if t is not None else owner._buffers.get(leaf)
    return env


ScriptModule._state_for = _state_for


def _check_outputs(graph, strict):
    if strict and isinstance(graph.outputs, (list, dict)):
        kind = "list" if isinstance(graph.outputs, list) else "dict"
        raise RuntimeError(f"Encountering a {kind} at the output of the tracer might cause the "
                           "trace to be incorrect, this is only valid if the container "
                           "structure does not change based on the module's inputs. Consider "
                           "using a constant container instead (e.g. for `list`, use a `tuple` "
                           f"instead. for `dict`, use a `NamedTuple` instead). If you absolutely "
                           "need this and know the side effects, pass strict=False to trace() "
                           "to allow this behavior.")


def _flat_tensors(x, out):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        out.append(x)
    elif isinstance(x, (tuple, list)):
        for y in x:
            _flat_tensors(y, out)
    elif isinstance(x, dict):
        for y in x.values():
            _flat_tensors(y, out)
    return out


def _check(traced, original, input_sets, tol):
    """check_trace: the replayed graph gives the eager outputs on every input set."""
    import warnings

    import numpy

    from .. import backend
    from ..autograd.grad_mode import no_grad
    for ins in input_sets:
        with no_grad():
            want = _flat_tensors(original(*ins), [])
            got = _flat_tensors(traced(*ins), [])
        if len(want) != len(got):
            raise TracingCheckError(None, f"Trace had {len(got)} outputs, the Python function "
                                          f"{len(want)}")
        for k, (a, b) in enumerate(zip(got, want)):
            x, y = backend.to_host(a._data), backend.to_host(b._data)
            if x.shape != y.shape or not numpy.allclose(x, y, rtol=tol, atol=tol,
                                                         equal_nan=True):
                warnings.warn(
                    f"Output nr {k + 1}. of the traced function does not match the "
                    "corresponding output of the Python function. Detailed error:\n"
                    f"Tensor-likes are not close! (shapes {list(x.shape)} and {list(y.shape)})",
                    TracerWarning, stacklevel=3)


# -- scripting API (the compiler lives in _script.py) ---------------------------------------

def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """``torch.jit.script``: compile a module's forward (or a function) from its source."""
    from ._script import script as _script
    return _script(obj)


def ignore(drop=False, **kwargs):
    """``@torch.jit.ignore``: the function stays Python; scripted callers call it as is."""
    if callable(drop):
        drop.__ember_jit_ignore__ = True
        return drop

    def deco(fn):
        fn.__ember_jit_ignore__ = True
        if drop:
            fn.__ember_jit_unused__ = True
        return fn
    return deco


def unused(fn):
    """``@torch.jit.unused``: the scripted version raises if it is ever called."""
    fn.__ember_jit_unused__ = True
    return fn


def export(fn):
    """``@torch.jit.export``: compile this method too when the module is scripted."""
    fn.__ember_jit_export__ = True
    return fn


class _FinalMeta(type):
    def __getitem__(cls, item):
        return cls


class Final(metaclass=_FinalMeta):
    """``torch.jit.Final[T]``: an attribute that scripted code treats as a constant."""


def annotate(the_type, the_value):
    return the_value


def interface(obj):
    return obj


class Attribute:
    def __new__(cls, value, type=None):
        return value


def fork(func, *args, **kwargs):
    return _Future(func(*args, **kwargs))


def wait(fut):
    return fut.value()


class _Future:
    def __init__(self, v):
        self._v = v

    def value(self):
        return self._v

    def wait(self):
        return self._v


@contextlib.contextmanager
def optimized_execution(should_optimize):
    yield


@contextlib.contextmanager
def strict_fusion():
    yield


def save(m, f, _extra_files=None):
    """``torch.jit.save``: write a ScriptModule/ScriptFunction to a path or binary file."""
    from ._serialize import save as _save
    _save(m, f, _extra_files)


def load(f, map_location=None, _extra_files=None):
    """``torch.jit.load``: read an archive written by ``ember.jit.save``."""
    from ._serialize import load as _load
    return _load(f, map_location, _extra_files)


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """``torch.jit.freeze``: parameters become constants, BatchNorm is folded into the
    preceding convolution, dropout dropped, constant sub-graphs folded (eval mode only)."""
    from ._freeze import freeze as _freeze
    return _freeze(mod, preserved_attrs, optimize_numerics)


def optimize_for_inference(mod, other_methods=None):
    """``torch.jit.optimize_for_inference``: ``freeze`` plus inference-only rewrites."""
    from ._freeze import freeze as _freeze
    return _freeze(mod, None, True)
