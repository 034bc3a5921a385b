"""``ember.jit.freeze`` / ``optimize_for_inference``: rewrite an eval-mode graph for
inference.

Passes, in order (as PyTorch's freezing does):
1. parameters and buffers become constants of the graph (the frozen module has none);
2. BatchNorm after a convolution (or linear) whose output nothing else reads is folded
   into its weight and bias: ``w' = w * g / sqrt(var + eps)``, ``b' = (b - mean) * g /
   sqrt(var + eps) + beta``;
3. dropout nodes (identity in eval) are dropped;
4. nodes whose inputs are all constants are run once and become constants;
5. nodes whose outputs nothing reads are removed.
"""
import copy


from .. import backend
from .._tensor import _make
from ._ir import Graph, Ref, Sym, flat_outputs, walk_refs
from ._module import ScriptModule, _prepare

_CONV = {"F:conv1d", "F:conv2d", "F:conv3d"}
_DROPOUT = {"F:dropout", "F:alpha_dropout", "F:feature_alpha_dropout", "F:dropout1d",
            "F:dropout2d", "F:dropout3d"}


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    if not isinstance(mod, ScriptModule):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    g = _copy_graph(mod._graph)
    state = mod._state()
    for vid, _name in list(g.params.items()):
        g.constants[vid] = state[vid].detach()
    g.params = {}
    _fold_batchnorm(g)
    _drop_dropout(g)
    _fold_constants(g)
    _eliminate_dead(g)
    frozen = ScriptModule(g, mod.original_name)
    frozen.train(False)
    return frozen


def _copy_graph(src):
    g = Graph()
    g.__dict__.update({k: v for k, v in src.__dict__.items()})
    g.nodes = [copy.copy(n) for n in src.nodes]
    for n in g.nodes:
        n._fast = None
    g.constants = dict(src.constants)
    g.params = dict(src.params)
    return g


def _uses(g):
    uses = {}
    for n in g.nodes:
        for vid in n.input_ids():
            uses[vid] = uses.get(vid, 0) + 1
    refs = []
    walk_refs(g.outputs, refs)
    for vid in refs:
        uses[vid] = uses.get(vid, 0) + 1
    return uses


def _const_array(g, a):
    """The backend array of a constant argument (folding runs on the tensors' device)."""
    if isinstance(a, Ref) and a.vid in g.constants:
        return g.constants[a.vid]._data
    return None


def _fold_batchnorm(g):
    from ..onnx._context import bound_args
    producer = {}
    for n in g.nodes:
        for o in n.output_ids():
            producer[o] = n
    uses = _uses(g)
    remove = set()
    remap = {}
    for bn in g.nodes:
        if bn.op != "F:batch_norm":
            continue
        a = bound_args("batch_norm", bn.args, bn.kwargs)
        x = a["input"]
        if a["training"] or not isinstance(x, Ref) or uses.get(x.vid, 0) != 1:
            continue
        conv = producer.get(x.vid)
        if conv is None or conv.op not in _CONV:
            continue
        ca = bound_args(conv.op[2:], conv.args, conv.kwargs)
        w = _const_array(g, ca["weight"])
        mean, var = _const_array(g, a["running_mean"]), _const_array(g, a["running_var"])
        if w is None or mean is None or var is None:
            continue
        xp = backend.get_array_module(w)
        gamma = _const_array(g, a["weight"]) if a["weight"] is not None else xp.ones_like(mean)
        beta = _const_array(g, a["bias"]) if a["bias"] is not None else xp.zeros_like(mean)
        b = _const_array(g, ca["bias"]) if ca["bias"] is not None else xp.zeros_like(mean)
        if gamma is None or beta is None or b is None:
            continue
        scale = gamma / xp.sqrt(var.astype(xp.float64) + a["eps"])
        w2 = (w * scale.reshape((-1,) + (1,) * (w.ndim - 1))).astype(w.dtype)
        b2 = ((b - mean) * scale + beta).astype(w.dtype)
        wv, bv = g.new_value(), g.new_value()
        g.constants[wv] = _make(w2)
        g.constants[bv] = _make(b2)
        ca["weight"], ca["bias"] = Ref(wv), Ref(bv)
        conv.args = list(ca.values())
        conv.kwargs = {}
        remove.add(id(bn))
        remap[bn.outputs] = conv.outputs
    if remove:
        g.nodes = [n for n in g.nodes if id(n) not in remove]
        _remap(g, remap)


def _remap(g, remap):
    def sub(a):
        if isinstance(a, Ref):
            v = a.vid
            while v in remap:
                v = remap[v]
            return Ref(v)
        if isinstance(a, Sym):
            return Sym(_sub_expr(a.expr))
        if isinstance(a, tuple):
            return tuple(sub(x) for x in a)
        if isinstance(a, list):
            return [sub(x) for x in a]
        if isinstance(a, dict):
            return {k: sub(v) for k, v in a.items()}
        return a

    def _sub_expr(e):
        if isinstance(e, int):
            return e
        if e[0] in ("size", "numel"):
            v = e[1]
            while v in remap:
                v = remap[v]
            return [e[0], v] + list(e[2:])
        return [e[0], _sub_expr(e[1]), _sub_expr(e[2])]
    for n in g.nodes:
        n.args = sub(n.args)
        n.kwargs = sub(n.kwargs)
    g.outputs = sub(g.outputs)


def _drop_dropout(g):
    remap = {}
    keep = []
    for n in g.nodes:
        if (n.op == "ember.ops.dropout:Dropout" or n.op in _DROPOUT) and \
                isinstance(n.args[0], Ref) and isinstance(n.outputs, int):
            remap[n.outputs] = n.args[0].vid
            continue
        keep.append(n)
    if remap:
        g.nodes = keep
        _remap(g, remap)


def _fold_constants(g):
    from ..autograd.grad_mode import no_grad
    from ._module import _store
    keep = []
    for n in g.nodes:
        ids = n.input_ids()
        if n.blocks is None and ids and all(v in g.constants for v in ids) and \
                not n.op.startswith("prim:") and n.op != "F:rnn":
            env = dict(g.constants)
            fn = _prepare(n)
            from ._ir import bind
            with no_grad():
                out = fn(*bind(n.args, env), **bind(n.kwargs, env))
            res = {}
            _store(n.outputs, out, res)
            g.constants.update(res)
            continue
        keep.append(n)
    g.nodes = keep


def _eliminate_dead(g):
    live = set()
    walk_refs(g.outputs, lst := [])
    live.update(lst)
    keep = []
    for n in reversed(g.nodes):
        outs = n.output_ids()
        if n.blocks is not None or any(o in live for o in outs):
            keep.append(n)
            live.update(n.input_ids())
    g.nodes = keep[::-1]
    g.constants = {v: t for v, t in g.constants.items() if v in live}
    g.meta = {v: m for v, m in g.meta.items()}


__all__ = ["flat_outputs", "freeze"]
