"""Arithmetic, unary math, comparisons, where, clamp, casts (ember.ops.pointwise)."""
import numpy

from .._context import ExportError

P = "ember.ops.pointwise:"


def _like(node):
    for a in node.args:
        if hasattr(a, "vid"):
            return a.vid
    return None


def _promote_inputs(ctx, node):
    """Binary ops on mixed dtypes (int tensor * float): cast both to the result dtype."""
    want = ctx.dtype(node.outputs) if isinstance(node.outputs, int) else None
    names = []
    for a in node.args[:2]:
        if hasattr(a, "vid"):
            n = ctx.val(a.vid)
            if want is not None and want.kind != "b" and ctx.dtype(a.vid) != want:
                n = ctx.op("Cast", [n], to=_onnx_type(want))
            names.append(n)
        else:
            names.append(ctx.const(a, want if want is not None and want.kind != "b" else None))
    return names


def _arith(op_type):
    def conv(ctx, node):
        x, y = _promote_inputs(ctx, node)
        alpha = node.kwargs.get("alpha")
        if alpha is not None and alpha != 1:
            y = ctx.op("Mul", [y, ctx.const(alpha, ctx.dtype(node.outputs))])
        if op_type == "Div" and node.kwargs.get("rounding_mode"):
            out = ctx.op("Div", [x, y])
            if node.kwargs["rounding_mode"] == "floor" and ctx.dtype(node.outputs).kind == "f":
                out = ctx.op("Floor", [out])
            ctx.set(node.outputs, out)
            return
        ctx.set(node.outputs, ctx.op(op_type, [x, y]))
    return conv


def _onnx_type(np_dtype):
    from onnx import helper
    return helper.np_dtype_to_tensor_dtype(numpy.dtype(np_dtype))


def _compare(op_type, negate=False):
    def conv(ctx, node):
        a, b = node.args[:2]
        like = _like(node)
        x, y = ctx.tensor(a, like), ctx.tensor(b, like)
        if hasattr(a, "vid") and hasattr(b, "vid") and ctx.dtype(a.vid) != ctx.dtype(b.vid):
            y = ctx.op("Cast", [y], to=_onnx_type(ctx.dtype(a.vid)))
        out = ctx.op(op_type, [x, y])
        ctx.set(node.outputs, ctx.op("Not", [out]) if negate else out)
    return conv


def _unary(op_type):
    def conv(ctx, node):
        ctx.set(node.outputs, ctx.op(op_type, [ctx.tensor(node.args[0])]))
    return conv


def _with_const(build):
    def conv(ctx, node):
        x = ctx.tensor(node.args[0])
        vid = node.args[0].vid
        one = ctx.const(1, ctx.dtype(vid))
        ctx.set(node.outputs, build(ctx, x, one))
    return conv


def _clamp(ctx, node):
    x = node.args[0]
    lo, hi = node.kwargs.get("lo"), node.kwargs.get("hi")
    if len(node.args) >= 3:
        lo, hi = node.args[1], node.args[2]
    dt = ctx.dtype(x.vid)
    ins = [ctx.val(x.vid), "" if lo is None else ctx.tensor(lo, x.vid),
           "" if hi is None else ctx.tensor(hi, x.vid)]
    if any(hasattr(v, "vid") for v in (lo, hi)) or dt.kind != "f":
        out = ins[0]
        if lo is not None:
            out = ctx.op("Max", [out, ins[1]])
        if hi is not None:
            out = ctx.op("Min", [out, ins[2]])
        ctx.set(node.outputs, out)
        return
    ctx.set(node.outputs, ctx.op("Clip", ins))


def _where(ctx, node):
    c, a, b = node.args[:3]
    like = a.vid if hasattr(a, "vid") else (b.vid if hasattr(b, "vid") else None)
    ctx.set(node.outputs, ctx.op("Where", [ctx.tensor(c), ctx.tensor(a, like),
                                           ctx.tensor(b, like)]))


def _cast(ctx, node):
    dt = node.kwargs.get("np_dtype")
    if dt is None:
        dt = ctx.dtype(node.outputs)
    ctx.set(node.outputs, ctx.op("Cast", [ctx.tensor(node.args[0])], to=_onnx_type(dt)))


def _identity(ctx, node):
    ctx.set(node.outputs, ctx.op("Identity", [ctx.tensor(node.args[0])]))


def _round(ctx, node):
    if node.kwargs.get("decimals", 0):
        raise ExportError(f"{ctx.where()}: round(decimals != 0) has no ONNX form here")
    _unary("Round")(ctx, node)


def _rsqrt(ctx, node):
    x = ctx.tensor(node.args[0])
    ctx.set(node.outputs, ctx.op("Reciprocal", [ctx.op("Sqrt", [x])]))


def _square(ctx, node):
    x = ctx.tensor(node.args[0])
    ctx.set(node.outputs, ctx.op("Mul", [x, x]))


def _masked_fill(ctx, node):
    x, mask, value = node.args[:3]
    ctx.set(node.outputs, ctx.op("Where", [ctx.tensor(mask), ctx.tensor(value, x.vid),
                                           ctx.val(x.vid)]))


def _lerp(ctx, node):
    a, b, w = node.args[:3]
    x, y = ctx.tensor(a), ctx.tensor(b, a.vid)
    ww = ctx.tensor(w, a.vid)
    ctx.set(node.outputs, ctx.op("Add", [x, ctx.op("Mul", [ww, ctx.op("Sub", [y, x])])]))


CONVERTERS = {
    P + "Add": _arith("Add"), P + "Sub": _arith("Sub"), P + "Mul": _arith("Mul"),
    P + "Div": _arith("Div"), P + "Pow": _arith("Pow"), P + "Maximum": _arith("Max"),
    P + "Minimum": _arith("Min"), P + "Remainder": _arith("Mod"), P + "Atan2": None,
    P + "Neg": _unary("Neg"), P + "Abs": _unary("Abs"), P + "Relu": _unary("Relu"),
    P + "Exp": _unary("Exp"), P + "Log": _unary("Log"), P + "Sqrt": _unary("Sqrt"),
    P + "Sin": _unary("Sin"), P + "Cos": _unary("Cos"), P + "Tan": _unary("Tan"),
    P + "Asin": _unary("Asin"), P + "Acos": _unary("Acos"), P + "Atan": _unary("Atan"),
    P + "Sinh": _unary("Sinh"), P + "Cosh": _unary("Cosh"), P + "Tanh": _unary("Tanh"),
    P + "Sigmoid": _unary("Sigmoid"), P + "Erf": _unary("Erf"), P + "Floor": _unary("Floor"),
    P + "Ceil": _unary("Ceil"), P + "Sign": _unary("Sign"), P + "Reciprocal": _unary("Reciprocal"),
    P + "Round": _round, P + "Rsqrt": _rsqrt, P + "Square": _square,
    P + "Log1p": _with_const(lambda c, x, one: c.op("Log", [c.op("Add", [x, one])])),
    P + "Expm1": _with_const(lambda c, x, one: c.op("Sub", [c.op("Exp", [x]), one])),
    P + "Log2": _with_const(lambda c, x, one: c.op("Div", [c.op("Log", [x]),
                                                           c.const(numpy.log(2.0))])),
    P + "Eq": _compare("Equal"), P + "Ne": _compare("Equal", True), P + "Gt": _compare("Greater"),
    P + "Ge": _compare("GreaterOrEqual"), P + "Lt": _compare("Less"),
    P + "Le": _compare("LessOrEqual"),
    P + "LogicalAnd": _compare("And"), P + "LogicalOr": _compare("Or"),
    P + "LogicalXor": _compare("Xor"), P + "LogicalNot": _unary("Not"),
    P + "Clamp": _clamp, P + "ClampTensor": _clamp, P + "Where": _where, "ember._convert:ToCopy": _cast,
    "ember.ops.conversion:Clone": _identity, "ember.ops.conversion:ToDevice": _identity, P + "Conj": _identity,
    P + "Lerp": _lerp,
    "ember.ops.indexing:MaskedFill": _masked_fill, "ember.ops.indexing:MaskedFillTensor": _masked_fill,
    "ember.ops.shape:Contiguous": _identity,
}
CONVERTERS = {k: v for k, v in CONVERTERS.items() if v is not None}
