"""The captured graph as a flat list of named nodes, for viewers (TensorBoard's
``SummaryWriter.add_graph``): inputs and outputs as ``IO Node``s, parameters as
``prim::GetAttr`` nodes, every op named by its module scope (``features/0/conv2d_4``)."""
from ._capture import capture
from ._ir import flat_outputs, op_display


def graph_nodes(model, inputs):
    from ..nn.modules.module import Module
    from . import _tracing_scope
    with _tracing_scope():
        g, _ = capture(model, tuple(inputs), module=model if isinstance(model, Module) else None)
    names = {}
    nodes = []
    for vid, name in zip(g.inputs, g.input_names):
        names[vid] = f"input/{name}"
        nodes.append({"name": names[vid], "op": "IO Node", "inputs": [],
                      "shape": g.meta.get(vid, (None,))[0], "attr": None})
    for vid, name in g.params.items():
        names[vid] = name.replace(".", "/")
        nodes.append({"name": names[vid], "op": "prim::GetAttr", "inputs": [],
                      "shape": g.meta.get(vid, (None,))[0], "attr": None})
    for vid in g.constants:
        names[vid] = f"constant/{vid}"
        nodes.append({"name": names[vid], "op": "prim::Constant", "inputs": [],
                      "shape": g.meta.get(vid, (None,))[0], "attr": None})
    for n in g.all_nodes():
        op = op_display(n.op)
        scope = n.scope.replace(".", "/") if n.scope else ""
        outs = n.output_ids()
        base = f"{scope}/{op.split('::')[-1]}" if scope else op.split("::")[-1]
        name = f"{base}_{outs[0] if outs else len(nodes)}"
        for o in outs:
            names[o] = name
        ins = []
        for v in n.input_ids():
            if v in names and names[v] not in ins:
                ins.append(names[v])
        shape = g.meta.get(outs[0], (None,))[0] if outs else None
        attrs = {k: v for k, v in n.kwargs.items() if isinstance(v, (int, float, str, bool))}
        nodes.append({"name": name, "op": op, "inputs": ins, "shape": shape,
                      "attr": attrs or None})
    for k, r in enumerate(flat_outputs(g.outputs)):
        if hasattr(r, "vid") and r.vid in names:
            nodes.append({"name": f"output/output.{k + 1}", "op": "IO Node",
                          "inputs": [names[r.vid]], "shape": g.meta.get(r.vid, (None,))[0],
                          "attr": None})
    return nodes
