"""``ScriptModule.code``: the graph as readable Python-like source (one line per node).

The text is for reading, not for running (PyTorch's ``.code`` is TorchScript source);
op names are ember's (``ember.nn.functional.conv2d``, ``ember.ops.pointwise.Add``).
"""
from ._ir import Ref, Sym, expr_str


def _name(g, vid):
    if vid in g.params:
        return "self." + g.params[vid]
    if vid in g.inputs:
        return g.input_names[g.inputs.index(vid)]
    if vid in g.constants:
        return f"CONSTANTS.c{vid}"
    return f"_{vid}"


def _arg(g, a):
    if isinstance(a, Ref):
        return _name(g, a.vid)
    if isinstance(a, Sym):
        return _expr(g, a.expr)
    if isinstance(a, tuple):
        return "(" + ", ".join(_arg(g, x) for x in a) + ("," if len(a) == 1 else "") + ")"
    if isinstance(a, list):
        return "[" + ", ".join(_arg(g, x) for x in a) + "]"
    if isinstance(a, dict):
        if "$module" in a:
            return a["$module"] + "(**" + repr(a["config"]) + ")"
        return "{" + ", ".join(f"{k!r}: {_arg(g, v)}" for k, v in a.items()) + "}"
    if type(a).__name__ == "ndarray":
        return f"<array {a.dtype}{list(a.shape)}>"
    return repr(a)


def _expr(g, e):
    if isinstance(e, int):
        return str(e)
    if e[0] == "size":
        return f"{_name(g, e[1])}.size({e[2]})"
    if e[0] == "numel":
        return f"{_name(g, e[1])}.numel()"
    return f"({_expr(g, e[1])} {e[0]} {_expr(g, e[2])})"


def _callee(op):
    if op.startswith("F:"):
        name = op[2:]
        if name in ("view", "reshape", "flatten", "unflatten", "expand"):
            return "ember." + name
        if name == "full":
            return "ember.full"
        if name == "rnn":
            return "ember.nn"
        return "ember.nn.functional." + name
    if op.startswith("prim:"):
        return "prim::" + op[5:]
    mod, _, cls = op.partition(":")
    return f"{mod}.{cls}.apply"


def _outs(g, outputs):
    if outputs is None:
        return "_"
    if isinstance(outputs, int):
        return _name(g, outputs)
    return "(" + ", ".join(_outs(g, o) for o in outputs) + ("," if len(outputs) == 1 else "") + ")"


def _body(g, nodes, lines, ind):
    for n in nodes:
        args = [_arg(g, a) for a in n.args] + [f"{k}={_arg(g, v)}" for k, v in n.kwargs.items()]
        if n.op == "F:rnn":
            call = f"ember.nn.{_arg(g, n.args[0])}({', '.join(args[1:])})"
        else:
            call = f"{_callee(n.op)}({', '.join(args)})"
        lines.append(f"{ind}{_outs(g, n.outputs)} = {call}")
        if n.blocks:
            for i, b in enumerate(n.blocks):
                lines.append(f"{ind}  # block {i}({', '.join(_name(g, p) for p in b.params)})")
                _body(g, b.nodes, lines, ind + "    ")
                lines.append(f"{ind}    # -> {_arg(g, b.results)}")


def graph_code(g):
    lines = [f"def forward(self, {', '.join(g.input_names)}):"]
    _body(g, g.nodes, lines, "    ")
    lines.append(f"    return {_arg(g, g.outputs)}")
    return "\n".join(lines) + "\n"


__all__ = ["expr_str", "graph_code"]
