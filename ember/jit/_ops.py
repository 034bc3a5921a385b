"""The ops a graph may name, and how replay calls each one.

An IR op name is one of
  ``ember.ops.<family>:<Class>`` -- an ember Function (a subclass of ArrayFunction in
      ember's own ops package); replay calls ``Class.apply``;
  ``F:<name>`` -- a PyTorch-level function recorded whole (``composite``): conv2d,
      max_pool2d, batch_norm, view, ... or ``F:rnn``, a recurrent module's forward;
  ``prim:<name>`` -- control flow and Python-value ops of scripted code (``_script.py``).

Resolving a name never runs code from a saved file: the module part must be one of
ember's own op modules, the class must be an ArrayFunction there, and ``F:``/``prim:``
names come from the fixed tables below. Anything else is a clear error.
"""
import importlib

from ..autograd.function import ArrayFunction


def _functional(name):
    from ..nn import functional as F
    return getattr(F, name)


def _shape_op(name):
    from ..ops import shape
    return getattr(shape, name)


def _full(size, fill, dtype=None, device=None):
    from ..ops.creation import full
    return full(size, fill, dtype=dtype, device=device)


_FUNCTIONAL = {
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "pad", "unfold", "fold", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "interpolate", "batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
    "embedding", "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
    "dropout3d",
}
_SHAPE = {"view", "reshape", "flatten", "unflatten", "expand"}

# recurrent modules recorded whole: their class and constructor arguments
_MODULES = ("RNN", "LSTM", "GRU")


def module_config(mod):
    cfg = dict(input_size=mod.input_size, hidden_size=mod.hidden_size,
               num_layers=mod.num_layers, bias=mod.bias, batch_first=mod.batch_first,
               dropout=mod.dropout, bidirectional=mod.bidirectional)
    name = type(mod).__name__
    if name == "LSTM":
        cfg["proj_size"] = mod.proj_size
    if name == "RNN":
        cfg["nonlinearity"] = "relu" if mod.mode == "RNN_RELU" else "tanh"
    cfg["training"] = bool(mod.training)
    return cfg


def _module_runner():
    """A replay function for ``F:rnn`` nodes: one module instance, its parameters bound
    to the graph's tensors on each call."""
    cache = {}

    def run(head, *args, **kwargs):
        mod = cache.get("m")
        if mod is None:
            from .. import nn
            cls = head["$module"]
            if cls not in _MODULES:
                raise RuntimeError(f"ember.jit: unknown module op {cls!r} in graph")
            cfg = dict(head["config"])
            training = cfg.pop("training", False)
            mod = getattr(nn, cls)(**cfg)
            mod.train(training)
            cache["m"] = mod
        for k, t in head["params"].items():
            mod._parameters[k] = t
        return mod(*args, **kwargs)
    return run


def resolve(op):
    """The callable that replays ``op`` (see module docstring); raises for unknown ops."""
    if op.startswith("F:"):
        name = op[2:]
        if name in _FUNCTIONAL:
            return _functional(name)
        if name in _SHAPE:
            return _shape_op(name)
        if name == "full":
            return _full
        if name == "rnn":
            return _module_runner()
        raise RuntimeError(f"ember.jit: unknown op {op!r} in graph")
    if op.startswith("prim:"):
        from . import _script
        return _script.prim(op[5:])
    mod, _, cls = op.partition(":")
    if not (mod.startswith("ember.ops.") or mod.startswith("ember.nn.")
            or mod.startswith("ember.vision.ops")) or not cls or "." in cls and \
            not cls.replace(".", "").isidentifier():
        raise RuntimeError(f"ember.jit: unknown op {op!r} in graph (ops must be ember's own "
                           "Functions)")
    try:
        module = importlib.import_module(mod)
    except ImportError:
        raise RuntimeError(f"ember.jit: unknown op {op!r} in graph (no module {mod})") from None
    obj = module
    for part in cls.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise RuntimeError(f"ember.jit: unknown op {op!r} in graph")
    if not (isinstance(obj, type) and issubclass(obj, ArrayFunction)):
        raise RuntimeError(f"ember.jit: op {op!r} is not an ember Function")
    return obj.apply


def is_known(op):
    try:
        resolve(op)
        return True
    except RuntimeError:
        return False
