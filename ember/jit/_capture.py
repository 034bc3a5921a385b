"""Graph capture: a dispatch mode that records every op call into a ``Graph`` (``_ir.py``).

How it sees the program (no patching of Tensor or of Functions at run time):

* ``Function.apply`` hands every op to the innermost mode (``autograd/dispatch.py``):
  the call is run, then recorded as a node ``(Function class, args, kwargs)`` with
  tensors replaced by value refs.
* Public functions whose Functions take plan objects built from shapes (conv geometry,
  pooling windows, folded running statistics) are ``composite``s: capture records the
  whole PyTorch-level call (``F:conv2d(x, w, b, stride=..)``), so replay rebuilds the
  plan for the new input's shape, and ONNX reads PyTorch's arguments. ``view``,
  ``reshape``, ``flatten`` and ``expand`` are composites too: their arguments are
  recorded as the user passed them (with ``-1`` kept), as PyTorch's tracer does.
* Shape reads: while capture is active ``Tensor.shape``/``size()``/``numel()``/``len``
  ask the mode, which returns ``SymInt``s (ints that remember which value and dim they
  came from, and carry their arithmetic along). A ``SymInt`` reaching an op becomes a
  ``Sym`` argument, evaluated from the real shapes on replay: ``x.view(x.size(0), -1)``
  follows the batch size as in PyTorch.
* Reshapes inside ember's own functions (which read array shapes) get symbolic sizes by
  matching the target against the input's dims: a target dim made of whole input dims
  is their product on replay (so flattening ``(N, C, H, W) -> (N, C*H*W)`` follows N).
* Values baked into the trace (``.item()``, ``.tolist()``, ``bool(t)`` for an ``if``)
  give a ``TracerWarning`` naming the model's line, as PyTorch's tracer does.
* In-place ops (``relu_``, ``x += y``) rebind the tensor to the op's result value.
"""
import sys
import warnings

from .. import backend
from .._tensor import Size, Tensor
from ..autograd.dispatch import DispatchMode
from ._ir import Graph, Node, Ref, Sym


class TracerWarning(Warning):
    """``torch.jit.TracerWarning``: the trace baked in a value that may change."""

    @staticmethod
    def ignore_lib_warnings():
        warnings.filterwarnings("ignore", category=TracerWarning, module="ember.(?!jit)")


# ---------------------------------------------------------------------------------------
# symbolic ints

class SymInt(int):
    """An int read from a shape during capture; ``expr`` says how to recompute it."""

    def __repr__(self):
        return int.__repr__(self)

    __str__ = __repr__

    def __index__(self):
        return int(self)


def sym(value, expr):
    s = SymInt(value)
    s.expr = expr
    return s


def expr_of(x):
    return x.expr if isinstance(x, SymInt) else int(x)


def _binop(op, pyop, reflected=False):
    def method(self, other):
        if isinstance(other, bool) or not isinstance(other, int):
            return getattr(int, pyop)(int(self), other)
        value = getattr(int, pyop)(int(self), int(other))
        if reflected:
            return sym(value, [op, expr_of(other), self.expr])
        return sym(value, [op, self.expr, expr_of(other)])
    return method


for _op, _name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("//", "floordiv"), ("%", "mod")):
    setattr(SymInt, f"__{_name}__", _binop(_op, f"__{_name}__"))
    setattr(SymInt, f"__r{_name}__", _binop(_op, f"__r{_name}__", reflected=True))
SymInt.__neg__ = lambda self: sym(-int(self), ["-", 0, self.expr])
SymInt.__pos__ = lambda self: self
SymInt.__hash__ = int.__hash__


def plain(a):
    """``a`` with SymInts turned into ints (what the ops themselves receive)."""
    t = type(a)
    if t is SymInt:
        return int(a)
    if t is tuple or t is Size:
        return t(plain(x) for x in a) if t is tuple else Size(tuple(plain(x) for x in a))
    if t is list:
        return [plain(x) for x in a]
    if t is dict:
        return {k: plain(v) for k, v in a.items()}
    if t is slice:
        return slice(plain(a.start), plain(a.stop), plain(a.step))
    return a


def _has_sym(a):
    if type(a) is SymInt:
        return True
    if type(a) is slice:
        return _has_sym((a.start, a.stop, a.step))
    if isinstance(a, (tuple, list)):
        return any(_has_sym(x) for x in a)
    if isinstance(a, dict):
        return any(_has_sym(x) for x in a.values())
    return False


# ---------------------------------------------------------------------------------------
# where in the model's code

_EMBER_DIR = None


def _user_frame():
    """'file:line' of the innermost frame outside the ember package (the model's code)."""
    global _EMBER_DIR
    if _EMBER_DIR is None:
        import os
        _EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    f = sys._getframe(2)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_EMBER_DIR):
            return fn, f.f_lineno
        f = f.f_back
    return "<unknown>", 0


# ---------------------------------------------------------------------------------------
# the mode

# Function classes whose ``shape`` keyword is a target shape to make symbolic.
_RESHAPES = {"View", "ReshapeCopy"}


class CaptureMode(DispatchMode):
    symbolic_shapes = True
    captures_composites = True

    def __init__(self, graph, state_names, module_paths=None, record_where=True):
        self.graph = graph
        self.state_names = state_names          # id(tensor) -> "conv1.weight"
        self.module_paths = module_paths or {}  # id(module) -> "layer1.0"
        self.scope = []
        self.values = {}                        # id(tensor) -> value id
        self.keep = []                          # tensors alive while captured (ids stay unique)
        self.record_where = record_where
        self.depth = 0

    # -- values ---------------------------------------------------------------------------
    def add_input(self, t, name):
        vid = self.graph.new_value()
        self.graph.inputs.append(vid)
        self.graph.input_names.append(name)
        self._bind(t, vid)
        return vid

    def _bind(self, t, vid):
        self.values[id(t)] = vid
        self.keep.append(t)
        self.graph.meta[vid] = (tuple(t._data.shape), t._data.dtype.name)

    def vid_of(self, t):
        vid = self.values.get(id(t))
        if vid is not None:
            return vid
        g = self.graph
        vid = g.new_value()
        name = self.state_names.get(id(t))
        if name is not None:
            g.params[vid] = name
            g.param_tensors[vid] = t
        else:
            g.constants[vid] = t
        self._bind(t, vid)
        return vid

    def template(self, a):
        """The recorded form of an argument: tensors -> Ref, SymInts -> Sym."""
        if isinstance(a, Tensor):
            return Ref(self.vid_of(a))
        t = type(a)
        if t is SymInt:
            return Sym(a.expr)
        if t is tuple or t is Size:
            return tuple(self.template(x) for x in a)
        if t is list:
            return [self.template(x) for x in a]
        if t is dict:
            return {k: self.template(v) for k, v in a.items()}
        if t is slice and (type(a.start) is SymInt or type(a.stop) is SymInt
                           or type(a.step) is SymInt):
            return slice(self.template(a.start), self.template(a.stop), self.template(a.step))
        return a

    def _outputs(self, out):
        if isinstance(out, Tensor):
            vid = self.graph.new_value()
            self._bind(out, vid)
            return vid
        if isinstance(out, (tuple, list)):
            return tuple(self._outputs(o) for o in out)
        return None

    def _record(self, op, args, kwargs, out):
        node = Node(op, args, kwargs, self._outputs(out), self.scope[-1] if self.scope else "")
        if self.record_where:
            f, line = _user_frame()
            node.where = f"{f}:{line}"
        self.graph.nodes.append(node)
        return node

    # -- the dispatch protocol ------------------------------------------------------------
    def __ember_dispatch__(self, func, args, kwargs):
        out = func.apply(*plain(args), **plain(kwargs))
        targs = self.template(args)
        tkw = self.template(kwargs)
        if func.__name__ in _RESHAPES and "shape" in kwargs and args and \
                isinstance(args[0], Tensor) and not _has_sym(kwargs["shape"]):
            tkw["shape"] = self._symbolic_reshape(args[0], kwargs["shape"])
        elif func.__name__ == "Expand" and "shape" in kwargs and not _has_sym(kwargs["shape"]):
            tkw["shape"] = self._symbolic_expand(args[0], kwargs["shape"])
        node = self._record(op_name(func), targs, tkw, out)
        if not func.array_forward:
            node._fn = func.apply       # a user's autograd.Function: replayable, not savable
        return out

    def __ember_composite__(self, name, fn, args, kwargs):
        from ..nn.modules.module import Module
        out = fn(*plain(args), **plain(kwargs))
        if args and isinstance(args[0], Module):
            from ._ops import module_config
            mod = args[0]
            params = {k: Ref(self.vid_of(p)) for k, p in mod._parameters.items()
                      if p is not None}
            head = {"$module": type(mod).__name__, "config": module_config(mod),
                    "params": params}
            targs = (head,) + self.template(tuple(args[1:]))
        else:
            targs = self.template(tuple(args))
        self._record("F:" + name, list(targs), self.template(kwargs), out)
        return out

    def __ember_size__(self, t):
        vid = self.values.get(id(t))
        shape = t._data.shape
        if vid is None:
            if id(t) in self.state_names:
                return Size(shape)
            vid = self.vid_of(t)
        return Size(tuple(sym(s, ["size", vid, i]) for i, s in enumerate(shape)))

    def __ember_numel__(self, t):
        vid = self.values.get(id(t))
        if vid is None:
            return t._data.size
        return sym(t._data.size, ["numel", vid])

    def __ember_baked__(self, t, what):
        if id(t) not in self.values or id(t) in self.state_names:
            return
        f, line = _user_frame()
        msg = {"item": "Converting a tensor to a Python number",
               "tolist": "Converting a tensor to a Python list",
               "bool": "Converting a tensor to a Python boolean"}[what]
        warnings.warn_explicit(
            f"{msg} might cause the trace to be incorrect. We can't record the data flow of "
            "Python values, so this value will be treated as a constant in the future. This "
            "means that the trace might not generalize to other inputs!",
            TracerWarning, f, line)

    def __ember_inplace__(self, t, res):
        vid = self.values.get(id(res))
        if vid is not None:
            self.values[id(t)] = vid

    def __ember_creation__(self, t, size, fill):
        if not _has_sym(size):
            return t
        dtype = t.dtype
        self._record("F:full", [self.template(tuple(size[0]) if len(size) == 1 and
                                              isinstance(size[0], (tuple, list)) else tuple(size)),
                                 0 if fill is None else fill],
                     {"dtype": dtype, "device": str(t.device)}, t)
        return t

    # -- reshapes inside ember's functions --------------------------------------------------
    def _symbolic_reshape(self, x, target):
        """Target dims as expressions of ``x``'s dims (see module docstring)."""
        vid = self.vid_of(x)
        src = tuple(x._data.shape)
        tgt = tuple(int(v) for v in target)
        exprs = _match_dims(src, tgt, vid)
        if exprs is None:
            return tuple(target)
        return tuple(Sym(e) if not isinstance(e, int) else e for e in exprs)

    def _symbolic_expand(self, x, target):
        vid = self.vid_of(x)
        src = tuple(x._data.shape)
        off = len(target) - len(src)
        out = []
        for i, v in enumerate(target):
            j = i - off
            if j >= 0 and src[j] == v and v != 1:
                out.append(Sym(["size", vid, j]))
            else:
                out.append(int(v))
        return tuple(out)

    # -- module scopes (global forward hooks, installed only while capturing) -------------
    def _pre_hook(self, module, args):
        self.scope.append(self.module_paths.get(id(module), ""))

    def _post_hook(self, module, args, out):
        if self.scope:
            self.scope.pop()


def _match_dims(src, tgt, vid):
    """Express each target dim with the source dims it is made of, or None."""
    if not src:
        return None
    out = [None] * len(tgt)
    ones_src = [i for i, v in enumerate(src) if v == 1]
    ones_tgt = [j for j, v in enumerate(tgt) if v == 1]
    # a leading unit dim that is kept (batch 1) follows the source's dim
    if ones_src and ones_tgt and ones_src[0] == 0 and ones_tgt[0] == 0:
        out[0] = ["size", vid, 0]
        ones_src, ones_tgt = ones_src[1:], ones_tgt[1:]
        si = [i for i in range(1, len(src)) if src[i] != 1]
        tj = [j for j in range(1, len(tgt)) if tgt[j] != 1]
    else:
        si = [i for i, v in enumerate(src) if v != 1]
        tj = [j for j, v in enumerate(tgt) if v != 1]
    for j in ones_tgt:
        out[j] = 1
    p = q = 0
    while p < len(si) and q < len(tj):
        gi, gj = [si[p]], [tj[q]]
        a, b = src[si[p]], tgt[tj[q]]
        p += 1
        q += 1
        while a != b:
            if a < b:
                if p >= len(si):
                    return None
                gi.append(si[p])
                a *= src[si[p]]
                p += 1
            else:
                if q >= len(tj):
                    return None
                gj.append(tj[q])
                b *= tgt[tj[q]]
                q += 1
        prod = ["size", vid, gi[0]]
        for i in gi[1:]:
            prod = ["*", prod, ["size", vid, i]]
        if len(gj) == 1:
            out[gj[0]] = prod
        else:
            rest = 1
            for j in gj[1:]:
                out[j] = tgt[j]
                rest *= tgt[j]
            out[gj[0]] = ["//", prod, rest]
    if p != len(si) or q != len(tj):
        return None
    for j, e in enumerate(out):
        if e is None:
            out[j] = tgt[j]
    return out


def op_name(func):
    """The IR name of a Function class: ``module:qualname``."""
    return f"{func.__module__}:{func.__qualname__}"


# ---------------------------------------------------------------------------------------
# one capture

def module_paths(module):
    return {id(m): name for name, m in module.named_modules()}


def state_names(module):
    names = {}
    for name, t in module.named_parameters(remove_duplicate=False):
        names.setdefault(id(t), name)
    for name, t in module.named_buffers(remove_duplicate=False):
        if t is not None:
            names.setdefault(id(t), name)
    return names


def capture(fn, inputs, module=None, input_names=None, record_where=True, scalars=False):
    """Run ``fn(*inputs)`` under capture; returns (graph, output)."""
    from ..autograd.grad_mode import no_grad
    from ..nn.modules import module as _module
    g = Graph()
    mode = CaptureMode(g, state_names(module) if module is not None else {},
                       module_paths(module) if module is not None else {}, record_where)
    flat_in, tree = flatten_inputs(inputs, scalars)
    names = input_names or []
    for k, t in enumerate(flat_in):
        mode.add_input(t, names[k] if k < len(names) else _default_input_name(k, fn, module))
    handles = []
    if module is not None:
        handles.append(_module.register_module_forward_pre_hook(mode._pre_hook))
        handles.append(_module.register_module_forward_hook(mode._post_hook))
    mode.module_object = module
    try:
        with no_grad(), mode:
            out = fn(*inputs)
    finally:
        for h in handles:
            h.remove()
    g.outputs = _output_template(mode, out)
    g.input_tree = tree
    return g, out


def _default_input_name(k, fn, module):
    import inspect
    target = module.forward if module is not None else fn
    try:
        params = [p for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if k < len(params):
            return params[k].name
    except (TypeError, ValueError):
        pass
    return f"input_{k}"


def flatten_inputs(inputs, scalars=False):
    """Tensors of a (nested tuple/list) argument structure, and the structure (scripted
    code may also take Python scalars: constants of the graph, checked on each call)."""
    flat = []

    def walk(a):
        if isinstance(a, Tensor):
            flat.append(a)
            return ("T",)
        if scalars and (a is None or isinstance(a, (bool, int, float, str))):
            return ("S", a)
        if isinstance(a, (tuple, list)):
            return ("L" if isinstance(a, list) else "U", tuple(walk(x) for x in a))
        raise TypeError(f"Type '{type(a).__name__}' cannot be traced. Only Tensors and "
                        "(possibly nested) Lists and Tuples of Tensors can be traced")
    tree = tuple(walk(a) for a in inputs)
    return flat, tree


def _output_template(mode, out):
    if isinstance(out, Tensor):
        return Ref(mode.vid_of(out))
    if isinstance(out, tuple):
        return tuple(_output_template(mode, o) for o in out)
    if isinstance(out, list):
        return [_output_template(mode, o) for o in out]
    if isinstance(out, dict):
        return {k: _output_template(mode, v) for k, v in out.items()}
    if out is None or isinstance(out, (int, float, bool, str)):
        return out
    raise RuntimeError(f"Only tensors, lists, tuples of tensors, or dictionary of tensors can "
                       f"be output from traced functions (got {type(out).__name__})")


def as_host(t):
    return backend.to_host(t._data)
