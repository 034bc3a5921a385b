"""Embedding as Gather over the weight's rows."""
from .._context import ExportError, bound_args


def _embedding(ctx, node):
    a = bound_args("embedding", node.args, node.kwargs)
    if a.get("max_norm") is not None:
        raise ExportError(f"{ctx.where()}: embedding with max_norm has no ONNX converter")
    ctx.set(node.outputs, ctx.op("Gather", [ctx.val(a["weight"].vid), ctx.val(a["input"].vid)],
                                 axis=0))


CONVERTERS = {"F:embedding": _embedding}
