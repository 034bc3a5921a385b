"""interpolate as Resize (nearest: PyTorch's floor rule; linear modes with
align_corners or half-pixel centres; bicubic with a = -0.75)."""
import numpy

from .._context import ExportError, bound_args


def _interpolate(ctx, node):
    a = bound_args("interpolate", node.args, node.kwargs)
    x = a["input"]
    mode = a["mode"]
    n = ctx.rank(x.vid) - 2
    attrs = {}
    if mode == "nearest":
        attrs = dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                     nearest_mode="floor")
    elif mode in ("linear", "bilinear", "trilinear", "bicubic"):
        attrs = dict(mode="cubic" if mode == "bicubic" else "linear",
                     coordinate_transformation_mode="align_corners" if a["align_corners"]
                     else "pytorch_half_pixel")
        if mode == "bicubic":
            attrs["cubic_coeff_a"] = -0.75
    else:
        raise ExportError(f"{ctx.where()}: interpolate mode {mode!r} has no ONNX converter")
    if a.get("antialias"):
        raise ExportError(f"{ctx.where()}: interpolate antialias has no ONNX converter")
    xn = ctx.val(x.vid)
    if a["size"] is not None:
        size = a["size"]
        size = list(size) if isinstance(size, (tuple, list)) else [size] * n
        head = ctx.op("Slice", [ctx.shape_of(x.vid), ctx.ints([0]), ctx.ints([2])])
        sizes = ctx.op("Concat", [head, ctx.shape_tensor(size)], axis=0)
        out = ctx.op("Resize", [xn, "", "", sizes], **attrs)
    else:
        sf = a["scale_factor"]
        sf = list(sf) if isinstance(sf, (tuple, list)) else [sf] * n
        scales = ctx.const(numpy.asarray([1.0, 1.0] + [float(s) for s in sf], numpy.float32))
        out = ctx.op("Resize", [xn, "", scales], **attrs)
    ctx.set(node.outputs, out)


CONVERTERS = {"F:interpolate": _interpolate}
