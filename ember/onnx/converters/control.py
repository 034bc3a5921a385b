"""Control flow of scripted graphs (``prim:If`` / ``prim:Loop``) as ONNX If and Loop with
sub-graphs; sub-graphs read outer values by name, as ONNX allows."""
import numpy

from .._context import ExportError


def _tensor_type(ctx, vid):
    from onnx import helper
    return helper.np_dtype_to_tensor_dtype(numpy.dtype(ctx.dtype(vid)))


def _subgraph(ctx, name, nodes, results, inputs=()):
    """Convert ``nodes`` into a GraphProto whose outputs are ``results`` (names)."""
    from onnx import helper
    saved_nodes, saved_cache = ctx.nodes, dict(ctx._shape_cache)
    ctx.nodes = []
    try:
        for n in nodes:
            ctx.convert(n)
        outs = []
        for res in results:
            src = res() if callable(res) else res
            fresh = ctx.fresh(name + "_out")
            ctx.op("Identity", [src[0]], outputs=[fresh])
            outs.append(helper.make_tensor_value_info(fresh, src[1], None))
        return helper.make_graph(ctx.nodes, ctx.fresh(name), list(inputs), outs)
    finally:
        ctx.nodes, ctx._shape_cache = saved_nodes, saved_cache


def _if(ctx, node):
    r1, r2 = node.blocks[0].results, node.blocks[1].results
    keep = [i for i, o in enumerate(node.outputs)
            if o is not None and hasattr(r1[i], "vid") and hasattr(r2[i], "vid")]
    outs = [node.outputs[i] for i in keep]

    def res(block_results):
        return [(lambda r=block_results[i]: (ctx.val(r.vid), _tensor_type(ctx, r.vid)))
                for i in keep]
    then_g = _subgraph(ctx, "then", node.blocks[0].nodes, res(r1))
    else_g = _subgraph(ctx, "else", node.blocks[1].nodes, res(r2))
    cond = ctx.val(node.args[0].vid)
    if outs:
        names = ctx.op("If", [cond], n_out=len(outs), then_branch=then_g, else_branch=else_g)
        names = names if isinstance(names, list) else [names]
    else:
        names = []
        ctx.op("If", [cond], n_out=0, outputs=[], then_branch=then_g, else_branch=else_g)
    for vid, n in zip(outs, names):
        ctx.names[vid] = n


def _loop(ctx, node):
    from onnx import TensorProto, helper
    trip, init = node.args[0], node.args[1]
    cond_b, body = node.blocks
    counter = node.kwargs.get("counter")
    carried = [i for i, p in enumerate(body.params) if p is not None]
    if any(not hasattr(init[i], "vid") for i in carried):
        raise ExportError(f"{ctx.where()}: loop-carried value is not a tensor")
    iter_name, cond_in = ctx.fresh("iter"), ctx.fresh("cond_in")
    params = [body.params[i] for i in carried]
    # the initial condition (while loops) from the initial values
    if trip is None:
        for i in carried:
            ctx.names[body.params[i]] = ctx.val(init[i].vid)
        for n in cond_b.nodes:
            ctx.convert(n)
        cond0 = ctx.val(cond_b.results[0].vid)
        m = ""
    else:
        cond0 = ctx.const(numpy.array(True))
        m = ctx.op("Squeeze", [ctx.shape_tensor([trip])]) if not isinstance(trip, int) \
            else ctx.const(numpy.int64(trip))
    sub_inputs = [helper.make_tensor_value_info(iter_name, TensorProto.INT64, []),
                  helper.make_tensor_value_info(cond_in, TensorProto.BOOL, [])]
    pnames = []
    for p, i in zip(params, carried):
        pn = ctx.fresh("carried")
        ctx.names[p] = pn
        pnames.append(pn)
        sub_inputs.append(helper.make_tensor_value_info(pn, _tensor_type(ctx, init[i].vid), None))
    if counter is not None:
        ctx.counters[counter] = iter_name
    results = [body.results[i] for i in carried]

    def cond_out():
        if trip is not None:
            return (cond_in, TensorProto.BOOL)
        for p, r in zip(params, results):
            ctx.names[p] = ctx.val(r.vid)
        for n in cond_b.nodes:
            ctx.convert(n)
        return (ctx.val(cond_b.results[0].vid), TensorProto.BOOL)

    outs_spec = [cond_out] + [(lambda r=r: (ctx.val(r.vid), _tensor_type(ctx, r.vid)))
                              for r in results]
    # body results must be read before cond_out rebinds the parameters
    g = _body_graph(ctx, body, outs_spec, sub_inputs)
    names = ctx.op("Loop", [m, cond0] + [ctx.val(init[i].vid) for i in carried],
                   n_out=len(carried), body=g)
    names = names if isinstance(names, list) else [names]
    for i, n in zip(carried, names):
        if node.outputs[i] is not None:
            ctx.names[node.outputs[i]] = n


def _body_graph(ctx, body, outs_spec, sub_inputs):
    from onnx import helper
    saved_nodes, saved_cache = ctx.nodes, dict(ctx._shape_cache)
    ctx.nodes = []
    try:
        for n in body.nodes:
            ctx.convert(n)
        carried = [spec() for spec in outs_spec[1:]]        # before the condition rebinds
        cond = outs_spec[0]()
        outs = []
        for src, dt in [cond] + carried:
            fresh = ctx.fresh("body_out")
            ctx.op("Identity", [src], outputs=[fresh])
            outs.append(helper.make_tensor_value_info(fresh, dt, None))
        return helper.make_graph(ctx.nodes, ctx.fresh("loop_body"), sub_inputs, outs)
    finally:
        ctx.nodes, ctx._shape_cache = saved_nodes, saved_cache


CONVERTERS = {"prim:If": _if, "prim:Loop": _loop}
