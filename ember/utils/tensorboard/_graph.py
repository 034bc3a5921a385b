"""``add_graph``: the op graph of one forward call as a TensorFlow GraphDef, the format
TensorBoard's Graphs tab reads (PyTorch writes the same from its tracer).

The graph comes from ember.jit's capture (``ember.jit._capture.capture``: the one capture
mechanism, a mode on the dispatch hook). As in PyTorch's writer, the graph has one
``IO Node`` per input and output, one ``prim::GetAttr`` node per parameter or buffer, and
one node per op named ``<Model>/<module path>/<op>_<k>`` so TensorBoard folds it into
the module hierarchy; each node carries its output shape as ``_output_shapes``. Op
names follow ``ember.profiler``'s ``aten::`` vocabulary.
"""
import importlib


def _op_label(op):
    """IR op name -> the ``aten::`` name the profiler uses."""
    if op.startswith("F:"):
        return "aten::" + op[2:]
    if op.startswith("prim:"):
        return "prim::" + op[5:]
    from ...profiler._names import op_name
    mod, _, qual = op.partition(":")
    try:
        obj = importlib.import_module(mod)
        for part in qual.split("."):
            obj = getattr(obj, part)
        return op_name(obj, ())
    except (ImportError, AttributeError):
        return op


def _shape_attr(meta):
    from tensorboard.compat.proto.attr_value_pb2 import AttrValue
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    if meta is None:
        return {}
    shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(s)) for s in meta[0]])
    return {"_output_shapes": AttrValue(list=AttrValue.ListValue(shape=[shape])),
            "attr": AttrValue(s=f"{{ dtype : {meta[1]} }}".encode())}


def graph_def(model, inputs, verbose=False):
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    from tensorboard.compat.proto.node_def_pb2 import NodeDef
    from tensorboard.compat.proto.versions_pb2 import VersionDef

    from ...jit._capture import capture
    from ...jit._ir import walk_refs
    from ...nn.modules.module import Module

    if inputs is None:
        inputs = ()
    elif not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    module = model if isinstance(model, Module) else None
    graph, _ = capture(model, tuple(inputs), module=module)
    root = type(model).__name__ if module is not None else getattr(model, "__name__", "fn")

    names = {}              # value id -> node name
    nodes = []
    for vid, name in zip(graph.inputs, graph.input_names):
        names[vid] = f"input/{name}"
        nodes.append(NodeDef(name=names[vid], op="IO Node", attr=_shape_attr(graph.meta.get(vid))))
    for vid, pname in graph.params.items():
        names[vid] = f"{root}/{pname}"
        nodes.append(NodeDef(name=names[vid], op="prim::GetAttr",
                             attr=_shape_attr(graph.meta.get(vid))))
    for vid in graph.constants:
        names[vid] = f"{root}/constant_{vid}"
        nodes.append(NodeDef(name=names[vid], op="prim::Constant",
                             attr=_shape_attr(graph.meta.get(vid))))
    counts = {}
    for node in graph.nodes:
        label = _op_label(node.op)
        scope = "/".join(p for p in node.scope.split(".") if p) if node.scope else ""
        key = (scope, label)
        k = counts.get(key, 0)
        counts[key] = k + 1
        base = "/".join(p for p in (root, scope, f"{label.split('::')[-1]}_{k}") if p)
        ids = []
        walk_refs(node.args, ids)
        walk_refs(node.kwargs, ids)
        inputs_of = [names[i] for i in dict.fromkeys(ids) if i in names]
        outs = node.output_ids()
        for j, vid in enumerate(outs):
            names[vid] = base if len(outs) == 1 else f"{base}.{j}"
        nodes.append(NodeDef(name=base, op=label, input=inputs_of,
                             attr=_shape_attr(graph.meta.get(outs[0]) if outs else None)))
        if verbose:
            print(base, label, inputs_of)
    out_ids = []
    walk_refs(graph.outputs, out_ids)
    for k, vid in enumerate(out_ids):
        if vid in names:
            nodes.append(NodeDef(name=f"output/output.{k + 1}", op="IO Node",
                                 input=[names[vid]], attr=_shape_attr(graph.meta.get(vid))))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
