"""Basic indexing ``x[1:, 0, None, ...]`` (ember.ops.indexing's _Select/_Slice/_Unsqueeze)
as Slice / Gather / Unsqueeze; gather and index_select."""
from ...jit._ir import Sym
from .._context import INT64_MAX, ExportError

I = "ember.ops.indexing:"


def _basic(ctx, node):
    x = node.args[0]
    key = node.kwargs.get("key")
    if not isinstance(key, tuple):
        key = (key,)
    rank = ctx.rank(x.vid)
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    items = []
    for k in key:
        if k is Ellipsis:
            items.extend([slice(None)] * (rank - n_real))
        else:
            items.append(k)
    out = ctx.val(x.vid)
    axis = 0
    for k in items:
        if k is None:
            out = ctx.op("Unsqueeze", [out, ctx.ints([axis])])
            axis += 1
        elif isinstance(k, slice):
            if k != slice(None):
                step = 1 if k.step is None else int(k.step)
                if step <= 0:
                    raise ExportError(f"{ctx.where()}: slice step must be positive")
                start = 0 if k.start is None else k.start
                stop = INT64_MAX if k.stop is None else k.stop
                out = ctx.op("Slice", [out, ctx.shape_tensor([start]), ctx.shape_tensor([stop]),
                                       ctx.ints([axis]), ctx.ints([step])])
            axis += 1
        elif isinstance(k, int):
            out = ctx.op("Gather", [out, ctx.const(int(k))], axis=axis)
        elif isinstance(k, Sym):
            out = ctx.op("Gather", [out, ctx.tensor(k)], axis=axis)
        else:
            raise ExportError(f"{ctx.where()}: index of type {type(k).__name__} has no ONNX "
                              "converter")
    ctx.set(node.outputs, out)


def _index_select(ctx, node):
    x, idx = node.args[:2]
    ctx.set(node.outputs, ctx.op("Gather", [ctx.val(x.vid), ctx.val(idx.vid)],
                                 axis=int(node.kwargs.get("dim", 0))))


def _gather(ctx, node):
    x, idx = node.args[:2]
    ctx.set(node.outputs, ctx.op("GatherElements", [ctx.val(x.vid), ctx.val(idx.vid)],
                                 axis=int(node.kwargs.get("dim", 0))))


CONVERTERS = {I + "_Select": _basic, I + "_Slice": _basic, I + "_Unsqueeze": _basic,
              I + "_Basic": _basic, I + "IndexSelect": _index_select, I + "Gather": _gather}
