"""Max/average pooling, adaptive pooling (global when the output is 1, else a fixed
window when the input divides evenly)."""
from .._context import ExportError, bound_args, tup


def _pool(n, fname, is_max):
    def conv(ctx, node):
        a = bound_args(fname, node.args, node.kwargs)
        x = a["input"]
        if is_max and a.get("return_indices"):
            raise ExportError(f"{ctx.where()}: max pooling with return_indices has no ONNX "
                              "converter")
        k = tup(a["kernel_size"], n)
        s = a["stride"]
        s = k if s is None or (isinstance(s, (tuple, list)) and not s) else tup(s, n)
        p = tup(a["padding"], n)
        attrs = dict(kernel_shape=k, strides=s, pads=p + p, ceil_mode=int(bool(a["ceil_mode"])))
        if is_max:
            attrs["dilations"] = tup(a["dilation"], n)
            out = ctx.op("MaxPool", [ctx.val(x.vid)], **attrs)
        else:
            if a.get("divisor_override"):
                raise ExportError(f"{ctx.where()}: avg_pool divisor_override has no ONNX "
                                  "converter")
            attrs["count_include_pad"] = int(bool(a["count_include_pad"]))
            out = ctx.op("AveragePool", [ctx.val(x.vid)], **attrs)
        ctx.set(node.outputs, out)
    return conv


def _adaptive(n, fname, is_max):
    def conv(ctx, node):
        a = bound_args(fname, node.args, node.kwargs)
        x = a["input"]
        if is_max and a.get("return_indices"):
            raise ExportError(f"{ctx.where()}: adaptive max pooling with return_indices has no "
                              "ONNX converter")
        shape = ctx.shape(x.vid)
        osz = a["output_size"]
        osz = [shape[-n + i] if v is None else int(v) for i, v in
               enumerate(osz if isinstance(osz, (tuple, list)) else [osz] * n)]
        name = ctx.val(x.vid)
        if all(o == 1 for o in osz):
            ctx.set(node.outputs, ctx.op("GlobalMaxPool" if is_max else "GlobalAveragePool",
                                         [name]))
            return
        sp = shape[-n:]
        if any(L % o for L, o in zip(sp, osz)):
            raise ExportError(f"{ctx.where()}: adaptive pooling from {list(sp)} to {osz} "
                              "(not an even split) has no ONNX converter")
        k = [L // o for L, o in zip(sp, osz)]
        ctx.set(node.outputs, ctx.op("MaxPool" if is_max else "AveragePool", [name],
                                     kernel_shape=k, strides=k))
    return conv


CONVERTERS = {}
for _n in (1, 2, 3):
    CONVERTERS[f"F:max_pool{_n}d"] = _pool(_n, f"max_pool{_n}d", True)
    CONVERTERS[f"F:avg_pool{_n}d"] = _pool(_n, f"avg_pool{_n}d", False)
    CONVERTERS[f"F:adaptive_avg_pool{_n}d"] = _adaptive(_n, f"adaptive_avg_pool{_n}d", False)
    CONVERTERS[f"F:adaptive_max_pool{_n}d"] = _adaptive(_n, f"adaptive_max_pool{_n}d", True)
