"""Reductions (ember.ops.reduction)."""
from .._context import ExportError

R = "ember.ops.reduction:"


def _axes(node):
    ax = node.kwargs.get("axes")
    if ax is None and "dim" in node.kwargs:
        ax = node.kwargs["dim"]
        ax = (ax,) if isinstance(ax, int) else ax
    return None if ax is None else tuple(int(a) for a in ax)


def _reduce(op_type):
    def conv(ctx, node):
        x = node.args[0]
        name = ctx.tensor(x)
        if op_type in ("ReduceSum", "ReduceProd") and ctx.dtype(x.vid).kind in "bi" and \
                ctx.dtype(node.outputs) != ctx.dtype(x.vid):
            from .pointwise import _onnx_type
            name = ctx.op("Cast", [name], to=_onnx_type(ctx.dtype(node.outputs)))
        ctx.set(node.outputs, ctx.reduce(op_type, name, _axes(node),
                                         node.kwargs.get("keepdim", False)))
    return conv


def _max_min(is_max):
    def conv(ctx, node):
        x = ctx.tensor(node.args[0])
        dim = int(node.kwargs["dim"])
        keep = int(bool(node.kwargs.get("keepdim", False)))
        vals = ctx.reduce("ReduceMax" if is_max else "ReduceMin", x, [dim], keep)
        idx = ctx.op("ArgMax" if is_max else "ArgMin", [x], axis=dim, keepdims=keep,
                     select_last_index=0)
        ctx.set(node.outputs, (vals, idx))
    return conv


def _count(ctx, vid, axes):
    """Number of reduced elements as a float scalar of the value's dtype."""
    from .pointwise import _onnx_type
    shape = ctx.shape_of(vid)
    if axes is None:
        n = ctx.op("ReduceProd", [shape], keepdims=0)
    else:
        n = ctx.op("ReduceProd", [ctx.op("Gather", [shape, ctx.ints(axes)], axis=0)],
                   keepdims=0)
    return ctx.op("Cast", [n], to=_onnx_type(ctx.dtype(vid)))


def _var(std):
    def conv(ctx, node):
        xv = node.args[0].vid
        x = ctx.val(xv)
        axes = _axes(node)
        keep = node.kwargs.get("keepdim", False)
        corr = node.kwargs.get("correction", 1)
        mean = ctx.reduce("ReduceMean", x, axes, True)
        d = ctx.op("Sub", [x, mean])
        ss = ctx.reduce("ReduceSum", ctx.op("Mul", [d, d]), axes if axes is not None else
                        list(range(ctx.rank(xv))), keep)
        n = ctx.op("Sub", [_count(ctx, xv, axes), ctx.const(float(corr), ctx.dtype(xv))])
        v = ctx.op("Div", [ss, n])
        ctx.set(node.outputs, ctx.op("Sqrt", [v]) if std else v)
    return conv


def _norm(ctx, node):
    ord_ = node.kwargs.get("ord", 2.0)
    op = {2.0: "ReduceL2", 1.0: "ReduceL1"}.get(float(ord_))
    if op is None:
        raise ExportError(f"{ctx.where()}: vector_norm with ord={ord_} has no ONNX converter")
    ctx.set(node.outputs, ctx.reduce(op, ctx.tensor(node.args[0]), _axes(node),
                                     node.kwargs.get("keepdim", False)))


def _cumsum(ctx, node):
    ctx.set(node.outputs, ctx.op("CumSum", [ctx.tensor(node.args[0]),
                                            ctx.const(int(node.kwargs["dim"]))]))


CONVERTERS = {
    R + "Sum": _reduce("ReduceSum"), R + "SumDim": _reduce("ReduceSum"),
    R + "Mean": _reduce("ReduceMean"), R + "MeanDim": _reduce("ReduceMean"),
    R + "Prod": _reduce("ReduceProd"), R + "ProdDim": _reduce("ReduceProd"),
    R + "Amax": _reduce("ReduceMax"), R + "Amin": _reduce("ReduceMin"),
    R + "MaxAll": _reduce("ReduceMax"), R + "MinAll": _reduce("ReduceMin"),
    R + "Max": _max_min(True), R + "Min": _max_min(False),
    R + "Var": _var(False), R + "Std": _var(True), R + "VectorNorm": _norm,
    R + "Logsumexp": _reduce("ReduceLogSumExp"), R + "Cumsum": _cumsum,
}
