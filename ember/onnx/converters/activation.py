"""Activations, softmax/log_softmax (ember.ops.activation)."""
import math

from .._context import ExportError

A = "ember.ops.activation:"


def _x(ctx, node):
    return ctx.tensor(node.args[0]), node.args[0].vid


def _c(ctx, vid, v):
    return ctx.const(v, ctx.dtype(vid))


def _gelu(ctx, node):
    x, v = _x(ctx, node)
    if node.kwargs.get("approximate", "none") == "tanh":
        inner = ctx.op("Mul", [_c(ctx, v, math.sqrt(2 / math.pi)),
                               ctx.op("Add", [x, ctx.op("Mul", [_c(ctx, v, 0.044715),
                                                                ctx.op("Pow", [x, _c(ctx, v, 3.0)])])])])
        t = ctx.op("Add", [_c(ctx, v, 1.0), ctx.op("Tanh", [inner])])
    else:
        t = ctx.op("Add", [_c(ctx, v, 1.0), ctx.op("Erf", [ctx.op("Mul", [x, _c(ctx, v, 1 / math.sqrt(2))])])])
    ctx.set(node.outputs, ctx.op("Mul", [ctx.op("Mul", [x, _c(ctx, v, 0.5)]), t]))


def _elu_like(ctx, node):
    x, v = _x(ctx, node)
    alpha = float(node.kwargs.get("alpha", 1.0))
    scale = float(node.kwargs.get("scale", 1.0))
    iscale = float(node.kwargs.get("input_scale", 1.0))
    if abs(scale - 1.0507009873554805) < 1e-6 and abs(alpha - 1.6732632423543772) < 1e-6 \
            and iscale == 1.0:
        ctx.set(node.outputs, ctx.op("Selu", [x]))
        return
    if scale == 1.0 and iscale == 1.0:
        ctx.set(node.outputs, ctx.op("Elu", [x], alpha=alpha))
        return
    neg = ctx.op("Mul", [_c(ctx, v, alpha), ctx.op("Sub", [ctx.op("Exp", [ctx.op("Mul", [x, _c(ctx, v, iscale)])]),
                                                           _c(ctx, v, 1.0)])])
    y = ctx.op("Where", [ctx.op("Greater", [x, _c(ctx, v, 0.0)]), x, neg])
    ctx.set(node.outputs, ctx.op("Mul", [y, _c(ctx, v, scale)]) if scale != 1.0 else y)


def _softplus(ctx, node):
    x, v = _x(ctx, node)
    beta = float(node.kwargs.get("beta", 1.0))
    if beta == 1.0:
        ctx.set(node.outputs, ctx.op("Softplus", [x]))
        return
    sp = ctx.op("Softplus", [ctx.op("Mul", [x, _c(ctx, v, beta)])])
    ctx.set(node.outputs, ctx.op("Div", [sp, _c(ctx, v, beta)]))


def _hardtanh(ctx, node):
    x, v = _x(ctx, node)
    ctx.set(node.outputs, ctx.op("Clip", [x, _c(ctx, v, node.kwargs.get("lo", -1.0)),
                                          _c(ctx, v, node.kwargs.get("hi", 1.0))]))


def _threshold(ctx, node):
    x, v = _x(ctx, node)
    cond = ctx.op("Greater", [x, _c(ctx, v, node.kwargs["threshold"])])
    ctx.set(node.outputs, ctx.op("Where", [cond, x, _c(ctx, v, node.kwargs["value"])]))


def _silu(ctx, node):
    x, _ = _x(ctx, node)
    ctx.set(node.outputs, ctx.op("Mul", [x, ctx.op("Sigmoid", [x])]))


def _mish(ctx, node):
    x, _ = _x(ctx, node)
    ctx.set(node.outputs, ctx.op("Mul", [x, ctx.op("Tanh", [ctx.op("Softplus", [x])])]))


def _logsigmoid(ctx, node):
    x, _ = _x(ctx, node)
    ctx.set(node.outputs, ctx.op("Neg", [ctx.op("Softplus", [ctx.op("Neg", [x])])]))


def _softmax(op_type):
    def conv(ctx, node):
        x, _ = _x(ctx, node)
        ctx.set(node.outputs, ctx.op(op_type, [x], axis=int(node.kwargs.get("dim", -1))))
    return conv


def _glu(ctx, node):
    x, v = _x(ctx, node)
    dim = int(node.kwargs.get("dim", -1))
    n = ctx.shape(v)[dim] // 2
    a, b = ctx.op("Split", [x, ctx.ints([n, n])], n_out=2, axis=dim)
    ctx.set(node.outputs, ctx.op("Mul", [a, ctx.op("Sigmoid", [b])]))


def _prelu(ctx, node):
    x, w = node.args[:2]
    rank = ctx.rank(x.vid)
    slope = ctx.val(w.vid)
    n = ctx.shape(w.vid)
    if rank >= 2 and n and n[0] > 1:
        slope = ctx.op("Reshape", [slope, ctx.ints([n[0]] + [1] * (rank - 2))])
    ctx.set(node.outputs, ctx.op("PRelu", [ctx.val(x.vid), slope]))


def _leaky(ctx, node):
    x, _ = _x(ctx, node)
    ctx.set(node.outputs, ctx.op("LeakyRelu", [x], alpha=float(node.kwargs.get("slope", 0.01))))


def _shrink(hard):
    def conv(ctx, node):
        x, _ = _x(ctx, node)
        lam = float(node.kwargs.get("lambd", node.kwargs.get("lambda", 0.5)))
        ctx.set(node.outputs, ctx.op("Shrink", [x], lambd=lam, bias=0.0 if hard else lam))
    return conv


def _unsupported(what):
    def conv(ctx, node):
        raise ExportError(f"{ctx.where()}: {what} has no ONNX converter")
    return conv


def _dropout(name):
    def conv(ctx, node):
        from .._context import bound_args
        a = bound_args(name, node.args, node.kwargs)
        if a["training"] and a["p"] > 0:
            raise ExportError(f"{ctx.where()}: {name} in training mode has no ONNX converter "
                              "(call model.eval() before exporting)")
        ctx.set(node.outputs, ctx.op("Identity", [ctx.val(a["input"].vid)]))
    return conv


CONVERTERS = {
    A + "Gelu": _gelu, A + "Elu": _elu_like, A + "Celu": _elu_like, A + "Softplus": _softplus,
    A + "Hardtanh": _hardtanh, A + "Threshold": _threshold, A + "Silu": _silu, A + "Mish": _mish,
    A + "LogSigmoid": _logsigmoid, A + "Softmax": _softmax("Softmax"),
    A + "LogSoftmax": _softmax("LogSoftmax"), A + "Glu": _glu, A + "PreluKernel": _prelu,
    A + "LeakyRelu": _leaky,
    A + "Hardsigmoid": lambda ctx, node: ctx.set(node.outputs, ctx.op(
        "HardSigmoid", [ctx.tensor(node.args[0])], alpha=1 / 6, beta=0.5)),
    A + "Hardswish": lambda ctx, node: ctx.set(node.outputs, ctx.op(
        "HardSwish", [ctx.tensor(node.args[0])])),
    A + "Hardshrink": _shrink(True), A + "Softshrink": _shrink(False),
    A + "RreluWithNoise": _unsupported("rrelu in training mode"),
}
for _name in ("dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
              "dropout3d"):
    CONVERTERS["F:" + _name] = _dropout(_name)
