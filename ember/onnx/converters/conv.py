"""Convolutions (groups, dilation, 'same'/'valid'), transposed convolutions and pad."""
from .._context import ExportError, bound_args, tup


def _conv(n, fname):
    def conv(ctx, node):
        a = bound_args(fname, node.args, node.kwargs)
        x, w, b = a["input"], a["weight"], a["bias"]
        k = list(ctx.shape(w.vid)[2:])
        stride, dil = tup(a["stride"], n), tup(a["dilation"], n)
        pad = a["padding"]
        if pad == "valid":
            lo = hi = [0] * n
        elif pad == "same":
            total = [d * (kk - 1) for d, kk in zip(dil, k)]
            lo = [t // 2 for t in total]
            hi = [t - l for t, l in zip(total, lo)]
        else:
            lo = hi = tup(pad, n)
        ins = [ctx.val(x.vid), ctx.val(w.vid)] + ([ctx.val(b.vid)] if b is not None else [])
        ctx.set(node.outputs, ctx.op("Conv", ins, kernel_shape=k, strides=stride,
                                     dilations=dil, pads=lo + hi, group=int(a["groups"])))
    return conv


def _conv_t(n, fname):
    def conv(ctx, node):
        a = bound_args(fname, node.args, node.kwargs)
        x, w, b = a["input"], a["weight"], a["bias"]
        k = list(ctx.shape(w.vid)[2:])
        p = tup(a["padding"], n)
        ins = [ctx.val(x.vid), ctx.val(w.vid)] + ([ctx.val(b.vid)] if b is not None else [])
        ctx.set(node.outputs, ctx.op("ConvTranspose", ins, kernel_shape=k,
                                     strides=tup(a["stride"], n), dilations=tup(a["dilation"], n),
                                     pads=p + p, output_padding=tup(a["output_padding"], n),
                                     group=int(a["groups"])))
    return conv


def _pad(ctx, node):
    a = bound_args("pad", node.args, node.kwargs)
    x = a["input"]
    pad = list(a["pad"])
    mode = a["mode"]
    r = ctx.rank(x.vid)
    begins, ends = [0] * r, [0] * r
    for i in range(len(pad) // 2):
        begins[r - 1 - i] = int(pad[2 * i])
        ends[r - 1 - i] = int(pad[2 * i + 1])
    onnx_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                 "circular": "wrap"}.get(mode)
    if onnx_mode is None:
        raise ExportError(f"{ctx.where()}: pad mode {mode!r} has no ONNX converter")
    if onnx_mode == "wrap" and ctx.opset < 19:
        raise ExportError(f"{ctx.where()}: circular padding needs opset_version >= 19")
    ins = [ctx.val(x.vid), ctx.ints(begins + ends)]
    if mode == "constant":
        ins.append(ctx.const(0 if a["value"] is None else a["value"], ctx.dtype(x.vid)))
    ctx.set(node.outputs, ctx.op("Pad", ins, mode=onnx_mode))


CONVERTERS = {"F:conv1d": _conv(1, "conv1d"), "F:conv2d": _conv(2, "conv2d"),
              "F:conv3d": _conv(3, "conv3d"),
              "F:conv_transpose1d": _conv_t(1, "conv_transpose1d"),
              "F:conv_transpose2d": _conv_t(2, "conv_transpose2d"),
              "F:conv_transpose3d": _conv_t(3, "conv_transpose3d"), "F:pad": _pad}
