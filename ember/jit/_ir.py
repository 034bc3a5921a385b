"""The graph IR that capture records and that jit replay, jit save/load and ONNX export read.

A ``Graph`` is a list of ``Node`` in execution order over numbered values:

* graph inputs (``inputs``: value ids, ``input_names``),
* module state (``params``: value id -> dotted name, ``conv1.weight``; the tensors live
  in the ScriptModule, not in the graph),
* constants (``constants``: value id -> Tensor: tensors the traced code made itself,
  ``ember.tensor([...])`` inside forward),
* node outputs.

A node is ``(op, args, kwargs, outputs)``: ``op`` names a known op (``_ops.py``: an ember
Function class as ``"ember.ops.pointwise:Add"``, or a PyTorch-level function as
``"F:conv2d"``); ``args``/``kwargs`` are the call's arguments with every tensor replaced
by ``Ref(value id)`` and every shape read by ``Sym(expression)``; ``outputs`` mirrors the
call's result (a value id, or a tuple of ids / None). Shape expressions are nested
lists: ``["size", vid, dim]``, ``["numel", vid]``, ``[op, a, b]`` with op in
``+ - * // %`` and plain ints as leaves (see ``eval_expr``).

Where this differs from TorchScript's IR: ops are named by ember's own Functions and
functional calls (no aten schema), and control flow (``ember.jit.script``) is kept as
``prim::If``/``prim::Loop`` nodes whose bodies are sub-graphs (``Block``).
"""


class Ref:
    """A tensor argument: the value with id ``vid``."""

    __slots__ = ("vid",)

    def __init__(self, vid):
        self.vid = vid

    def __repr__(self):
        return f"%{self.vid}"

    def __eq__(self, other):
        return isinstance(other, Ref) and other.vid == self.vid

    def __hash__(self):
        return hash(("Ref", self.vid))


class Sym:
    """An int argument computed from runtime shapes: ``expr`` (see module docstring)."""

    __slots__ = ("expr",)

    def __init__(self, expr):
        self.expr = expr

    def __repr__(self):
        return expr_str(self.expr)


class Node:
    __slots__ = (
        "_fast",
        "_fn",
        "args",
        "blocks",
        "kwargs",
        "op",
        "outputs",
        "scope",
        "where",
    )

    def __init__(self, op, args, kwargs, outputs, scope="", where="", blocks=None):
        self.op, self.args, self.kwargs, self.outputs = op, args, kwargs, outputs
        self.scope = scope          # module path where the op was called ("layer1.0.conv1")
        self.where = where          # "file:line" of the model code that called it
        self.blocks = blocks        # control flow: sub-graphs
        self._fn = None
        self._fast = None

    def output_ids(self):
        return [v for v in _flat(self.outputs) if v is not None]

    def input_ids(self):
        ids = []
        walk_refs(self.args, ids)
        walk_refs(self.kwargs, ids)
        for b in self.blocks or ():
            for n in b.nodes:
                ids.extend(n.input_ids())
            walk_refs(b.results, ids)
        return ids

    def __repr__(self):
        return f"Node({self.op}, outputs={self.outputs})"


class Block:
    """A sub-graph of a control-flow node: its parameters (value ids bound on entry), its
    nodes and its results (a template of refs)."""

    __slots__ = ("nodes", "params", "results")

    def __init__(self, params, nodes, results):
        self.params, self.nodes, self.results = params, nodes, results


class Graph:
    def __init__(self):
        self.inputs = []
        self.input_names = []
        self.params = {}
        self.constants = {}
        self.nodes = []
        self.outputs = None
        self.meta = {}              # value id -> (shape, dtype name) seen at capture
        self.param_tensors = {}     # value id -> the state tensor seen at capture (not saved)
        self._next = 0

    def new_value(self):
        self._next += 1
        return self._next

    # -- printing -----------------------------------------------------------------------
    def value_name(self, vid):
        if vid in self.params:
            return "%" + self.params[vid]
        if vid in self.inputs:
            return "%" + self.input_names[self.inputs.index(vid)]
        return f"%{vid}"

    def _type_str(self, vid):
        m = self.meta.get(vid)
        if m is None:
            return "Tensor"
        shape, dt = m
        return f"{_DT_SHORT.get(dt, dt)}({', '.join(str(s) for s in shape)})"

    def __str__(self):
        heads = [f"{self.value_name(v)} : {self._type_str(v)}" for v in self.inputs]
        heads += [f"{self.value_name(v)} : {self._type_str(v)}" for v in self.params]
        lines = ["graph(" + (",\n      ".join(heads)) + "):"]
        _print_nodes(self, self.nodes, lines, "  ")
        lines.append(f"  return ({_arg_str(self, self.outputs)})")
        return "\n".join(lines) + "\n"

    __repr__ = __str__

    def all_nodes(self):
        """Every node, sub-graphs included (depth first)."""
        out = []
        _collect(self.nodes, out)
        return out


def _collect(nodes, out):
    for n in nodes:
        out.append(n)
        if n.blocks:
            for b in n.blocks:
                _collect(b.nodes, out)


_DT_SHORT = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
             "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool"}


def _print_nodes(g, nodes, lines, indent):
    for n in nodes:
        outs = ", ".join(g.value_name(v) + " : " + g._type_str(v) for v in n.output_ids())
        call = f"{op_display(n.op)}({_call_args(g, n)})"
        scope = f"  # {n.scope}" if n.scope else ""
        lines.append(f"{indent}{outs + ' = ' if outs else ''}{call}{scope}")
        if n.blocks:
            for i, b in enumerate(n.blocks):
                lines.append(f"{indent}  block{i}({', '.join(g.value_name(p) for p in b.params)}):")
                _print_nodes(g, b.nodes, lines, indent + "    ")
                lines.append(f"{indent}    -> ({_arg_str(g, b.results)})")


def op_display(op):
    if op.startswith("F:"):
        return "ember::" + op[2:]
    if ":" in op:
        return "ember::" + op.split(":")[1]
    return op


def _call_args(g, n):
    parts = [_arg_str(g, a) for a in n.args]
    parts += [f"{k}={_arg_str(g, v)}" for k, v in n.kwargs.items()]
    return ", ".join(parts)


def _arg_str(g, a):
    if isinstance(a, Ref):
        return g.value_name(a.vid)
    if isinstance(a, Sym):
        return expr_str(a.expr, g)
    if isinstance(a, tuple):
        return "(" + ", ".join(_arg_str(g, x) for x in a) + ("," if len(a) == 1 else "") + ")"
    if isinstance(a, list):
        return "[" + ", ".join(_arg_str(g, x) for x in a) + "]"
    if isinstance(a, dict):
        return "{" + ", ".join(f"{k!r}: {_arg_str(g, v)}" for k, v in a.items()) + "}"
    if type(a).__name__ == "ndarray":
        return f"<array {a.dtype}{list(a.shape)}>"
    if isinstance(a, slice):
        parts = ["" if v is None else _arg_str(g, v) for v in (a.start, a.stop, a.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if a.step is not None else "")
    if a is Ellipsis:
        return "..."
    return repr(a)


def expr_str(e, g=None):
    if isinstance(e, int):
        return str(e)
    if e[0] == "size":
        name = g.value_name(e[1]) if g is not None else f"%{e[1]}"
        return f"{name}.size({e[2]})"
    if e[0] == "numel":
        name = g.value_name(e[1]) if g is not None else f"%{e[1]}"
        return f"{name}.numel()"
    return f"({expr_str(e[1], g)} {e[0]} {expr_str(e[2], g)})"


def eval_expr(e, env):
    """The int value of a shape expression given ``env`` (value id -> Tensor)."""
    if isinstance(e, int):
        return e
    op = e[0]
    if op == "size":
        return env[e[1]]._data.shape[e[2]]
    if op == "numel":
        return env[e[1]]._data.size
    a, b = eval_expr(e[1], env), eval_expr(e[2], env)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "//":
        return a // b
    if op == "%":
        return a % b
    raise ValueError(f"unknown shape expression operator {op!r}")


def expr_refs(e, out):
    if isinstance(e, int):
        return
    if e[0] in ("size", "numel"):
        out.append(e[1])
        return
    expr_refs(e[1], out)
    expr_refs(e[2], out)


def walk_refs(a, out):
    """Append the value ids a template refers to (tensors and shape expressions)."""
    if isinstance(a, Ref):
        out.append(a.vid)
    elif isinstance(a, Sym):
        expr_refs(a.expr, out)
    elif isinstance(a, (tuple, list)):
        for x in a:
            walk_refs(x, out)
    elif isinstance(a, dict):
        for x in a.values():
            walk_refs(x, out)
    elif isinstance(a, slice):
        walk_refs((a.start, a.stop, a.step), out)


def has_dynamic(a):
    if isinstance(a, (Ref, Sym)):
        return True
    if isinstance(a, slice):
        return has_dynamic((a.start, a.stop, a.step))
    if isinstance(a, (tuple, list)):
        return any(has_dynamic(x) for x in a)
    if isinstance(a, dict):
        return any(has_dynamic(x) for x in a.values())
    return False


def bind(a, env):
    """The template ``a`` with refs replaced by tensors and syms by ints."""
    if isinstance(a, Ref):
        return env[a.vid]
    if isinstance(a, Sym):
        return eval_expr(a.expr, env)
    if isinstance(a, tuple):
        return tuple(bind(x, env) for x in a)
    if isinstance(a, list):
        return [bind(x, env) for x in a]
    if isinstance(a, dict):
        return {k: bind(x, env) for k, x in a.items()}
    if isinstance(a, slice):
        return slice(bind(a.start, env), bind(a.stop, env), bind(a.step, env))
    return a


def _flat(t):
    if isinstance(t, (tuple, list)):
        for x in t:
            yield from _flat(x)
    else:
        yield t


def flat_outputs(t):
    return list(_flat(t))
