"""Scaled dot-product attention (ember.ops.attention.Attention, which MultiheadAttention
and the Transformer layers run on) as MatMul -> scale -> mask -> Softmax -> MatMul."""
import math

import numpy

from .._context import ExportError


def _attention(ctx, node):
    q, k, v = node.args[:3]
    mask = node.args[3] if len(node.args) > 3 else node.kwargs.get("mask")
    if node.kwargs.get("keep") is not None:
        raise ExportError(f"{ctx.where()}: attention dropout in training mode has no ONNX "
                          "converter (call model.eval() before exporting)")
    dt = ctx.dtype(q.vid)
    rk = ctx.rank(k.vid)
    perm = list(range(rk))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    s = ctx.op("MatMul", [ctx.val(q.vid), ctx.op("Transpose", [ctx.val(k.vid)], perm=perm)])
    s = ctx.op("Mul", [s, ctx.const(float(node.kwargs.get("scale", 1.0)), dt)])
    neg = ctx.const(-math.inf, dt)
    if node.kwargs.get("causal"):
        shape = ctx.op("Shape", [s])
        ls = ctx.op("Slice", [shape, ctx.ints([-2]), ctx.ints([2 ** 62])])
        ones = ctx.op("ConstantOfShape", [ls], value=_tensor_value(numpy.ones((1,), numpy.int64)))
        tri = ctx.op("Trilu", [ones], upper=0)
        s = ctx.op("Where", [ctx.op("Cast", [tri], to=9), s, neg])
    if mask is not None:
        mdt = ctx.dtype(mask.vid)
        if mdt.kind == "b":
            s = ctx.op("Where", [ctx.val(mask.vid), s, neg])
        else:
            s = ctx.op("Add", [s, ctx.val(mask.vid)])
    p = ctx.op("Softmax", [s], axis=-1)
    out = ctx.op("MatMul", [p, ctx.val(v.vid)])
    if isinstance(node.outputs, tuple):
        ctx.set(node.outputs, (out, p) + (None,) * (len(node.outputs) - 2))
    else:
        ctx.set(node.outputs, out)


def _tensor_value(arr):
    from onnx import numpy_helper
    return numpy_helper.from_array(arr)


CONVERTERS = {"ember.ops.attention:Attention": _attention}
