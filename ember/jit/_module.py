"""Replaying a graph: the interpreter, ``ScriptModule`` and ``ScriptFunction``.

The interpreter walks the nodes in order with an environment of value id -> Tensor:
graph inputs, the module's parameters and buffers (looked up by name on each call, so
``load_state_dict`` on the ScriptModule takes effect), constants, node outputs. Each
node's callable is resolved once (``_ops.resolve``) and kept on the node; arguments
that are only top-level tensors take a fast path with no template walk.

``ScriptModule`` mirrors the traced module's hierarchy: a submodule per original
submodule (``m.conv1``), holding the same Parameter/buffer objects under the same
names, so ``state_dict()`` has PyTorch's keys and the trace shares its parameters with
the original module (as ``torch.jit.trace`` does).
"""
from .._tensor import Tensor
from ..nn.modules.module import Module
from . import _ops
from ._ir import Ref, Sym, bind, eval_expr, has_dynamic

# ---------------------------------------------------------------------------------------
# interpreter

def _prepare(node):
    fn = node._fn
    if fn is None:
        fn = node._fn = _ops.resolve(node.op)
    if node.blocks is None and not has_dynamic(node.kwargs) and all(
            isinstance(a, Ref) or not has_dynamic(a) for a in node.args):
        slots = tuple((i, a.vid) for i, a in enumerate(node.args) if isinstance(a, Ref))
        node._fast = (list(node.args), slots)
    else:
        node._fast = False
    return fn


def _store(outputs, out, env):
    if outputs is None:
        return
    if type(outputs) is int:
        env[outputs] = out
        return
    for o, r in zip(outputs, out):
        _store(o, r, env)


def run_nodes(nodes, env):
    for node in nodes:
        fn = node._fn
        fast = node._fast
        if fn is None or fast is None:
            fn = _prepare(node)
            fast = node._fast
        if node.blocks is not None:
            fn(node, env)
            continue
        try:
            if fast:
                args, slots = fast
                args = list(args)
                for i, vid in slots:
                    args[i] = env[vid]
                out = fn(*args, **node.kwargs)
            else:
                out = fn(*bind(node.args, env), **bind(node.kwargs, env))
        except Exception as err:
            where = f" (traced at {node.where}" + (f", in {node.scope}" if node.scope else "") + ")" \
                if node.where else ""
            raise type(err)(f"{err}\n  while running {node.op}{where}") from err
        _store(node.outputs, out, env)


def run_graph(graph, inputs, state):
    env = dict(graph.constants)
    env.update(state)
    if len(inputs) != len(graph.inputs):
        raise RuntimeError(f"forward() expected {len(graph.inputs)} tensor inputs "
                           f"({', '.join(graph.input_names)}) but got {len(inputs)}")
    for vid, t in zip(graph.inputs, inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"forward() expected a Tensor for input "
                            f"'{graph.input_names[graph.inputs.index(vid)]}', got "
                            f"{type(t).__name__}")
        env[vid] = t
    run_nodes(graph.nodes, env)
    return bind(graph.outputs, env)


def flatten_call_inputs(args, tree):
    flat = []

    def walk(a, spec):
        if spec[0] == "T":
            flat.append(a)
        elif spec[0] == "S":        # a scripted scalar argument: a constant of the graph
            if a != spec[1] or type(a) is not type(spec[1]):
                raise RuntimeError(f"this scripted graph was built for the argument value "
                                   f"{spec[1]!r}; got {a!r} (ember.jit.script fixes Python "
                                   "scalar arguments at the first call)")
        else:
            if not isinstance(a, (tuple, list)) or len(a) != len(spec[1]):
                raise RuntimeError("forward() arguments do not match the structure of the "
                                   "example inputs the module was traced with")
            for x, s in zip(a, spec[1]):
                walk(x, s)
    if tree is None:
        return list(args)
    if len(args) != len(tree):
        raise RuntimeError(f"forward() expected {len(tree)} arguments but got {len(args)}")
    for a, s in zip(args, tree):
        walk(a, s)
    return flat


# ---------------------------------------------------------------------------------------
# modules

class _Hierarchy(Module):
    """A submodule of a ScriptModule: the original submodule's parameters and buffers."""

    def __init__(self, original_name):
        super().__init__()
        self.original_name = original_name

    def _get_name(self):
        return self.original_name

    def extra_repr(self):
        return f"original_name={self.original_name}"

    def forward(self, *args):
        raise RuntimeError(f"submodule {self.original_name} of a traced module has no forward "
                           "of its own: call the root ScriptModule")


class ScriptModule(_Hierarchy):
    """``torch.jit.ScriptModule`` / ``RecursiveScriptModule``: a module whose forward is a
    recorded graph (traced or scripted) replayed without the model's Python code."""

    def __init__(self, graph, original_name="Module"):
        super().__init__(original_name)
        object.__setattr__(self, "_graph", graph)
        object.__setattr__(self, "_state_slots", None)
        object.__setattr__(self, "_methods", {})

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_module(cls, graph, module):
        """Share ``module``'s parameters and buffers (and its hierarchy and train flag)."""
        sm = cls(graph, type(module).__name__)
        _mirror(sm, module)
        return sm

    @classmethod
    def from_state(cls, graph, original_name, hierarchy, state):
        """Rebuild from a saved archive: ``hierarchy`` is {path: (class name, training)},
        ``state`` {name: (tensor, is_parameter)}."""
        from ..nn.parameter import Parameter
        sm = cls(graph, original_name)
        subs = {"": sm}
        for path in sorted(hierarchy, key=lambda p: (p.count("."), p)):
            if not path:
                sm.train(hierarchy[path][1])
                continue
            parent, _, leaf = path.rpartition(".")
            m = _Hierarchy(hierarchy[path][0])
            m.train(hierarchy[path][1])
            subs[parent].add_module(leaf, m)
            subs[path] = m
        for name, (t, is_param) in state.items():
            parent, _, leaf = name.rpartition(".")
            owner = subs.get(parent)
            if owner is None:
                raise RuntimeError(f"ember.jit.load: state entry {name!r} has no module")
            if is_param:
                owner.register_parameter(leaf, t if isinstance(t, Parameter)
                                         else Parameter(t, requires_grad=t.requires_grad))
            else:
                owner.register_buffer(leaf, t)
        return sm

    # -- running --------------------------------------------------------------------------
    def _state(self):
        slots = self._state_slots
        if slots is None:
            slots = []
            for vid, name in self._graph.params.items():
                parent, _, leaf = name.rpartition(".")
                owner = self.get_submodule(parent) if parent else self
                slots.append((vid, owner, leaf))
            object.__setattr__(self, "_state_slots", slots)
        env = {}
        for vid, owner, leaf in slots:
            t = owner._parameters.get(leaf)
            if t is None:
                t = owner._buffers.get(leaf)
            env[vid] = t
        return env

    def forward(self, *args):
        g = self._graph
        flat = flatten_call_inputs(args, getattr(g, "input_tree", None))
        return run_graph(g, flat, self._state())

    # -- what PyTorch's ScriptModule shows ------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def inlined_graph(self):
        return self._graph

    @property
    def code(self):
        from ._codegen import graph_code
        return graph_code(self._graph)

    def save(self, f, _extra_files=None):
        from ._serialize import save
        save(self, f, _extra_files)

    def _reset_state_slots(self):
        object.__setattr__(self, "_state_slots", None)

    def __getattr__(self, name):
        methods = self.__dict__.get("_methods")
        if methods and name in methods:
            return methods[name]
        return super().__getattr__(name)


def _mirror(dst, src):
    dst.train(src.training)
    for k, p in src._parameters.items():
        if p is not None:
            dst.register_parameter(k, p)
    for k, b in src._buffers.items():
        if b is not None:
            dst.register_buffer(k, b, persistent=k not in getattr(src, "_non_persistent_buffers_set", ()))
    for k, m in src._modules.items():
        if m is None:
            continue
        child = _Hierarchy(type(m).__name__)
        _mirror(child, m)
        dst.add_module(k, child)


class ScriptFunction:
    """``torch.jit.ScriptFunction``: a traced or scripted free function."""

    def __init__(self, graph, name):
        self._graph = graph
        self.name = self.__name__ = self.__qualname__ = name

    def __call__(self, *args):
        flat = flatten_call_inputs(args, getattr(self._graph, "input_tree", None))
        return run_graph(self._graph, flat, {})

    @property
    def graph(self):
        return self._graph

    @property
    def code(self):
        from ._codegen import graph_code
        return graph_code(self._graph)

    def save(self, f, _extra_files=None):
        from ._serialize import save
        save(self, f, _extra_files)

    def __repr__(self):
        return f"<ember.jit.ScriptFunction object at {hex(id(self))}>"


__all__ = ["ScriptFunction", "ScriptModule", "Sym", "eval_expr", "run_graph"]
