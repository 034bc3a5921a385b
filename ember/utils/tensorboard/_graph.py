"""``add_graph``: the op graph of one forward call as a TensorFlow GraphDef, the format
TensorBoard's Graphs tab reads (PyTorch writes the same from its tracer).

The graph comes from ember.jit's capture (the single capture mechanism: a mode on the
dispatch hook); each captured node becomes a NodeDef named by its module scope, with the
op's name, its input edges, and the output shape as the ``_output_shapes`` attribute.
"""


def graph_def(model, inputs, verbose=False):
    from tensorboard.compat.proto.attr_value_pb2 import AttrValue
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    from tensorboard.compat.proto.node_def_pb2 import NodeDef
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboard.compat.proto.versions_pb2 import VersionDef

    try:
        from ...jit._graph_view import graph_nodes
    except ImportError as err:
        raise NotImplementedError("SummaryWriter.add_graph needs ember.jit's graph capture, "
                                  "which this ember does not have yet") from err
    if inputs is None:
        inputs = ()
    elif not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    nodes = []
    for node in graph_nodes(model, tuple(inputs)):
        attr = {}
        if node.get("shape") is not None:
            shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(s))
                                          for s in node["shape"]])
            attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[shape]))
        if node.get("attr"):
            attr["attr"] = AttrValue(s=str(node["attr"]).encode())
        nodes.append(NodeDef(name=node["name"], op=node["op"], input=node["inputs"],
                             attr=attr))
        if verbose:
            print(node)
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
