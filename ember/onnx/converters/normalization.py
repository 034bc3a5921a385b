"""BatchNorm (eval), LayerNorm, GroupNorm, InstanceNorm."""
import numpy

from .._context import ExportError, bound_args


def _ones(ctx, n, vid, value=1.0):
    return ctx.const(numpy.full((n,), value, ctx.dtype(vid)))


def _batch_norm(ctx, node):
    a = bound_args("batch_norm", node.args, node.kwargs)
    x = a["input"]
    if a["training"]:
        raise ExportError(f"{ctx.where()}: batch_norm in training mode has no ONNX converter "
                          "(call model.eval() before exporting)")
    c = ctx.shape(x.vid)[1]
    w = ctx.val(a["weight"].vid) if a["weight"] is not None else _ones(ctx, c, x.vid)
    b = ctx.val(a["bias"].vid) if a["bias"] is not None else _ones(ctx, c, x.vid, 0.0)
    ctx.set(node.outputs, ctx.op("BatchNormalization",
                                 [ctx.val(x.vid), w, b, ctx.val(a["running_mean"].vid),
                                  ctx.val(a["running_var"].vid)], epsilon=float(a["eps"])))


def _layer_norm(ctx, node):
    a = bound_args("layer_norm", node.args, node.kwargs)
    x = a["input"]
    ns = [int(v) for v in a["normalized_shape"]]
    dt = ctx.dtype(x.vid)
    w = ctx.val(a["weight"].vid) if a["weight"] is not None else ctx.const(numpy.ones(ns, dt))
    if ctx.opset < 17:           # LayerNormalization is an opset-17 op: decompose
        axes = list(range(-len(ns), 0))
        xn = ctx.val(x.vid)
        d = ctx.op("Sub", [xn, ctx.reduce("ReduceMean", xn, axes, True)])
        var = ctx.reduce("ReduceMean", ctx.op("Mul", [d, d]), axes, True)
        y = ctx.op("Div", [d, ctx.op("Sqrt", [ctx.op("Add", [var, ctx.const(float(a["eps"]),
                                                                             dt)])])])
        y = ctx.op("Mul", [y, w])
        if a["bias"] is not None:
            y = ctx.op("Add", [y, ctx.val(a["bias"].vid)])
        ctx.set(node.outputs, y)
        return
    ins = [ctx.val(x.vid), w]
    if a["bias"] is not None:
        ins.append(ctx.val(a["bias"].vid))
    ctx.set(node.outputs, ctx.op("LayerNormalization", ins, axis=-len(ns),
                                 epsilon=float(a["eps"])))


def _group_norm(ctx, node):
    a = bound_args("group_norm", node.args, node.kwargs)
    x = a["input"]
    g = int(a["num_groups"])
    shape = ctx.shape(x.vid)
    r = len(shape)
    from ...jit._ir import Sym
    xs = ctx.op("Reshape", [ctx.val(x.vid), ctx.shape_tensor([Sym(["size", x.vid, 0]), g, -1])])
    mean = ctx.reduce("ReduceMean", xs, [2], True)
    d = ctx.op("Sub", [xs, mean])
    var = ctx.reduce("ReduceMean", ctx.op("Mul", [d, d]), [2], True)
    y = ctx.op("Div", [d, ctx.op("Sqrt", [ctx.op("Add", [var, ctx.const(float(a["eps"]),
                                                                         ctx.dtype(x.vid))])])])
    y = ctx.op("Reshape", [y, ctx.shape_of(x.vid)])
    c = shape[1]
    bshape = ctx.ints([c] + [1] * (r - 2))
    if a["weight"] is not None:
        y = ctx.op("Mul", [y, ctx.op("Reshape", [ctx.val(a["weight"].vid), bshape])])
    if a["bias"] is not None:
        y = ctx.op("Add", [y, ctx.op("Reshape", [ctx.val(a["bias"].vid), bshape])])
    ctx.set(node.outputs, y)


def _instance_norm(ctx, node):
    a = bound_args("instance_norm", node.args, node.kwargs)
    x = a["input"]
    if not a["use_input_stats"]:
        raise ExportError(f"{ctx.where()}: instance_norm with running stats has no ONNX "
                          "converter")
    c = ctx.shape(x.vid)[1]
    w = ctx.val(a["weight"].vid) if a["weight"] is not None else _ones(ctx, c, x.vid)
    b = ctx.val(a["bias"].vid) if a["bias"] is not None else _ones(ctx, c, x.vid, 0.0)
    ctx.set(node.outputs, ctx.op("InstanceNormalization", [ctx.val(x.vid), w, b],
                                 epsilon=float(a["eps"])))


CONVERTERS = {"F:batch_norm": _batch_norm, "F:layer_norm": _layer_norm,
              "F:group_norm": _group_norm, "F:instance_norm": _instance_norm}
