"""RNN / LSTM / GRU modules as ONNX's recurrent ops, one per layer (both directions in
one op), with PyTorch's gate order changed to ONNX's: LSTM (i, f, g, o) -> (i, o, f, c),
GRU (r, z, n) -> (z, r, h) with linear_before_reset=1. batch_first inputs are transposed
to ONNX's (seq, batch, features) and back."""
import numpy

from .._context import ExportError

_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


def _reorder(w, mode, hidden):
    order = _ORDER.get(mode)
    if order is None:
        return w
    blocks = [w[i * hidden:(i + 1) * hidden] for i in range(len(order))]
    return numpy.concatenate([blocks[i] for i in order], axis=0)


def _rnn(ctx, node):
    head = node.args[0]
    cls = head["$module"]
    cfg = head["config"]
    params = head["params"]
    x = node.args[1]
    hx = node.args[2] if len(node.args) > 2 else node.kwargs.get("hx")
    if cfg.get("proj_size"):
        raise ExportError(f"{ctx.where()}: LSTM with proj_size has no ONNX converter")
    if cfg.get("training") and cfg.get("dropout"):
        raise ExportError(f"{ctx.where()}: recurrent dropout in training mode has no ONNX "
                          "converter (call model.eval() before exporting)")
    if ctx.rank(x.vid) != 3:
        raise ExportError(f"{ctx.where()}: unbatched recurrent input has no ONNX converter")
    H = int(cfg["hidden_size"])
    layers = int(cfg["num_layers"])
    dirs = 2 if cfg["bidirectional"] else 1
    mode = "LSTM" if cls == "LSTM" else ("GRU" if cls == "GRU" else "RNN")
    op_type = mode
    h0 = c0 = None
    if hx is not None:
        if mode == "LSTM":
            h0, c0 = ctx.val(hx[0].vid), ctx.val(hx[1].vid)
        else:
            h0 = ctx.val(hx.vid)
    seq = ctx.val(x.vid)
    if cfg["batch_first"]:
        seq = ctx.op("Transpose", [seq], perm=[1, 0, 2])
    hs, cs = [], []
    for layer in range(layers):
        W, R, B = [], [], []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w_ih = ctx.value_of(params["weight_ih" + sfx])
            w_hh = ctx.value_of(params["weight_hh" + sfx])
            W.append(_reorder(w_ih, mode, H))
            R.append(_reorder(w_hh, mode, H))
            if cfg["bias"]:
                b = numpy.concatenate([_reorder(ctx.value_of(params["bias_ih" + sfx]), mode, H),
                                       _reorder(ctx.value_of(params["bias_hh" + sfx]), mode, H)])
            else:
                b = numpy.zeros((2 * W[-1].shape[0],), W[-1].dtype)
            B.append(b)
        ins = [seq, ctx.const(numpy.stack(W)), ctx.const(numpy.stack(R)),
               ctx.const(numpy.stack(B)), ""]
        sl = slice(layer * dirs, (layer + 1) * dirs)
        ins.append(ctx.op("Slice", [h0, ctx.ints([sl.start]), ctx.ints([sl.stop]),
                                    ctx.ints([0])]) if h0 is not None else "")
        if mode == "LSTM":
            ins.append(ctx.op("Slice", [c0, ctx.ints([sl.start]), ctx.ints([sl.stop]),
                                        ctx.ints([0])]) if c0 is not None else "")
        while ins and ins[-1] == "":
            ins.pop()
        attrs = dict(hidden_size=H, direction="bidirectional" if dirs == 2 else "forward")
        if mode == "GRU":
            attrs["linear_before_reset"] = 1
        if mode == "RNN":
            attrs["activations"] = ["Relu" if cfg.get("nonlinearity") == "relu" else "Tanh"] * dirs
        n_out = 3 if mode == "LSTM" else 2
        outs = ctx.op(op_type, ins, n_out=n_out, **attrs)
        y = outs[0]                                         # (seq, dirs, batch, H)
        y = ctx.op("Transpose", [y], perm=[0, 2, 1, 3])     # (seq, batch, dirs, H)
        seq = ctx.op("Reshape", [y, ctx.ints([0, 0, dirs * H])])
        hs.append(outs[1])
        if mode == "LSTM":
            cs.append(outs[2])
    out = seq
    if cfg["batch_first"]:
        out = ctx.op("Transpose", [out], perm=[1, 0, 2])
    h_n = hs[0] if len(hs) == 1 else ctx.op("Concat", hs, axis=0)
    if mode == "LSTM":
        c_n = cs[0] if len(cs) == 1 else ctx.op("Concat", cs, axis=0)
        ctx.set(node.outputs, (out, (h_n, c_n)))
    else:
        ctx.set(node.outputs, (out, h_n))


CONVERTERS = {"F:rnn": _rnn}
