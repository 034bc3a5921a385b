"""Reshapes, transposes, concatenation and splitting (ember.ops.shape and the view /
reshape / flatten / expand calls recorded whole). Sizes read from runtime shapes become
Shape -> Gather -> Concat, so a dynamic batch is never baked in."""
from ...jit._ir import Sym
from .._context import ExportError

S = "ember.ops.shape:"


def _sizes(args, kw_name, kwargs):
    sizes = list(args)
    if not sizes and kwargs.get(kw_name) is not None:
        sizes = [kwargs[kw_name]]
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = list(sizes[0])
    return sizes


def _reshape_to(ctx, node, x, sizes):
    ctx.set(node.outputs, ctx.op("Reshape", [ctx.val(x.vid), ctx.shape_tensor(sizes)]))


def _view(ctx, node):
    x = node.args[0]
    sizes = _sizes(node.args[1:], "size" if node.op == "F:view" else "shape", node.kwargs)
    if len(sizes) == 1 and not isinstance(sizes[0], (int, Sym)):
        raise ExportError(f"{ctx.where()}: view(dtype) has no ONNX converter")
    _reshape_to(ctx, node, x, sizes)


def _view_fn(ctx, node):
    _reshape_to(ctx, node, node.args[0], list(node.kwargs["shape"]))


def _flatten(ctx, node):
    x = node.args[0]
    s = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
    e = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
    r = ctx.rank(x.vid)
    if r == 0:
        _reshape_to(ctx, node, x, [1])
        return
    s, e = s % r, e % r
    if s == e:
        ctx.set(node.outputs, ctx.op("Identity", [ctx.val(x.vid)]))
        return
    if s == 1 and e == r - 1:
        ctx.set(node.outputs, ctx.op("Flatten", [ctx.val(x.vid)], axis=1))
        return
    sizes = [Sym(["size", x.vid, i]) for i in range(s)] + [-1] + \
        [Sym(["size", x.vid, i]) for i in range(e + 1, r)]
    _reshape_to(ctx, node, x, sizes)


def _unflatten(ctx, node):
    x = node.args[0]
    dim = node.args[1] if len(node.args) > 1 else node.kwargs["dim"]
    sizes = node.args[2] if len(node.args) > 2 else node.kwargs["sizes"]
    r = ctx.rank(x.vid)
    dim %= r
    new = [Sym(["size", x.vid, i]) for i in range(dim)] + list(sizes) + \
        [Sym(["size", x.vid, i]) for i in range(dim + 1, r)]
    _reshape_to(ctx, node, x, new)


def _expand_to(ctx, node, x, sizes):
    sizes = [1 if (not isinstance(v, Sym) and v == -1) else v for v in sizes]
    ctx.set(node.outputs, ctx.op("Expand", [ctx.val(x.vid), ctx.shape_tensor(sizes)]))


def _expand(ctx, node):
    _expand_to(ctx, node, node.args[0], _sizes(node.args[1:], "size", node.kwargs))


def _expand_fn(ctx, node):
    _expand_to(ctx, node, node.args[0], list(node.kwargs["shape"]))


def _permute(ctx, node):
    x = node.args[0]
    dims = node.kwargs.get("dims")
    r = ctx.rank(x.vid)
    perm = [int(d) % r for d in dims] if dims else list(range(r - 1, -1, -1))
    ctx.set(node.outputs, ctx.op("Transpose", [ctx.val(x.vid)], perm=perm))


def _transpose(ctx, node):
    x = node.args[0]
    r = ctx.rank(x.vid)
    perm = list(range(r))
    if node.op.endswith("TransposeT"):
        perm = perm[::-1]
    else:
        a, b = node.kwargs["d0"] % r, node.kwargs["d1"] % r
        perm[a], perm[b] = perm[b], perm[a]
    ctx.set(node.outputs, ctx.op("Transpose", [ctx.val(x.vid)], perm=perm))


def _squeeze(ctx, node):
    x = node.args[0]
    shape = ctx.shape(x.vid)
    axes = node.kwargs.get("axes")
    if axes is None and "dim" in node.kwargs:
        axes = (node.kwargs["dim"],)
    if not axes:
        axes = [i for i, s in enumerate(shape) if s == 1]
    axes = [int(a) % max(len(shape), 1) for a in axes if shape and shape[int(a)] == 1]
    if not axes:
        ctx.set(node.outputs, ctx.op("Identity", [ctx.val(x.vid)]))
        return
    ctx.set(node.outputs, ctx.op("Squeeze", [ctx.val(x.vid), ctx.ints(axes)]))


def _unsqueeze(ctx, node):
    ctx.set(node.outputs, ctx.op("Unsqueeze", [ctx.val(node.args[0].vid),
                                               ctx.ints([int(node.kwargs["dim"])])]))


def _cat(ctx, node):
    skip = set(node.kwargs.get("skip") or ())
    ins = [ctx.val(a.vid) for i, a in enumerate(node.args) if i not in skip]
    ctx.set(node.outputs, ctx.op("Concat", ins, axis=int(node.kwargs["dim"])))


def _stack(ctx, node):
    d = int(node.kwargs["dim"])
    ins = [ctx.op("Unsqueeze", [ctx.val(a.vid), ctx.ints([d])]) for a in node.args]
    ctx.set(node.outputs, ctx.op("Concat", ins, axis=d))


def _split(ctx, node):
    x = node.args[0]
    d = int(node.kwargs["dim"])
    bounds = node.kwargs["bounds"]
    sizes = [int(b) - int(a) for a, b in bounds]
    outs = ctx.op("Split", [ctx.val(x.vid), ctx.ints(sizes)], n_out=len(sizes), axis=d)
    ctx.set(node.outputs, tuple(outs) if isinstance(outs, list) else (outs,))


def _unbind(ctx, node):
    x = node.args[0]
    d = int(node.kwargs["dim"])
    n = ctx.shape(x.vid)[d]
    parts = ctx.op("Split", [ctx.val(x.vid), ctx.ints([1] * n)], n_out=n, axis=d)
    parts = parts if isinstance(parts, list) else [parts]
    ctx.set(node.outputs, tuple(ctx.op("Squeeze", [p, ctx.ints([d])]) for p in parts))


def _slice(ctx, node):
    x = node.args[0]
    d, start, stop = node.kwargs["dim"], node.kwargs["start"], node.kwargs["stop"]
    ctx.set(node.outputs, ctx.op("Slice", [ctx.val(x.vid), ctx.shape_tensor([start]),
                                           ctx.shape_tensor([stop]), ctx.ints([d])]))


def _flip(ctx, node):
    x = node.args[0]
    out = ctx.val(x.vid)
    for d in node.kwargs["dims"]:
        out = ctx.op("Slice", [out, ctx.ints([-1]), ctx.ints([-(2 ** 62)]), ctx.ints([d]),
                               ctx.ints([-1])])
    ctx.set(node.outputs, out)


def _repeat(ctx, node):
    x = node.args[0]
    reps = list(node.kwargs["repeats"])
    name = ctx.val(x.vid)
    r = ctx.rank(x.vid)
    if len(reps) > r:
        name = ctx.op("Reshape", [name, ctx.shape_tensor(
            [1] * (len(reps) - r) + [Sym(["size", x.vid, i]) for i in range(r)])])
    ctx.set(node.outputs, ctx.op("Tile", [name, ctx.ints(reps)]))


CONVERTERS = {
    "F:view": _view, "F:reshape": _view, "F:flatten": _flatten, "F:unflatten": _unflatten,
    "F:expand": _expand,
    S + "View": _view_fn, S + "ReshapeCopy": _view_fn, S + "Expand": _expand_fn,
    S + "Permute": _permute, S + "Transpose": _transpose, S + "TransposeT": _transpose,
    S + "Squeeze": _squeeze, S + "SqueezeDim": _squeeze, S + "SqueezeDims": _squeeze,
    S + "Unsqueeze": _unsqueeze, S + "Cat": _cat, S + "Stack": _stack, S + "Split": _split,
    S + "SplitWithSizes": _split, S + "TensorSplit": _split, S + "Unbind": _unbind,
    S + "Slice": _slice, S + "Flip": _flip, S + "Repeat": _repeat,
}
