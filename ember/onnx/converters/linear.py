"""Linear layers and matrix products: Gemm for 2-D inputs, MatMul otherwise."""
L = "ember.ops.linalg:"


def _linear(ctx, node):
    x, w = node.args[:2]
    b = node.args[2] if len(node.args) > 2 else None
    xn, wn = ctx.val(x.vid), ctx.val(w.vid)
    if ctx.rank(x.vid) == 2:
        ins = [xn, wn] + ([ctx.val(b.vid)] if b is not None else [])
        ctx.set(node.outputs, ctx.op("Gemm", ins, transB=1))
        return
    out = ctx.op("MatMul", [xn, ctx.op("Transpose", [wn], perm=[1, 0])])
    if b is not None:
        out = ctx.op("Add", [out, ctx.val(b.vid)])
    ctx.set(node.outputs, out)


def _matmul(ctx, node):
    a, b = node.args[:2]
    ctx.set(node.outputs, ctx.op("MatMul", [ctx.val(a.vid), ctx.val(b.vid)]))


def _addmm(ctx, node):
    c, a, b = node.args[:3]
    beta = node.kwargs.get("beta", 1)
    alpha = node.kwargs.get("alpha", 1)
    ctx.set(node.outputs, ctx.op("Gemm", [ctx.val(a.vid), ctx.val(b.vid), ctx.val(c.vid)],
                                 alpha=float(alpha), beta=float(beta)))


CONVERTERS = {"ember.ops.linear:Linear": _linear, L + "Mm": _matmul, L + "Bmm": _matmul,
              L + "Mv": _matmul, L + "Matmul": _matmul, L + "Dot": _matmul, L + "Addmm": _addmm}
