"""Fused affine maps: ``linear`` (y = x W^T + b) and ``bilinear`` (y = x1^T A x2 + b).

One Function per call, so a Linear layer costs one node instead of matmul + transpose +
add; the backward is written with ember ops, so it is differentiable again. An input with
more than two dims makes one GEMM, forward and backward: ``backend.matmul`` folds the
leading dims (NumPy's matmul of a 3-D array by a 2-D one runs one small GEMM per leading
index; lstm_lm's head input gradient, (35, 20, 10000) @ (10000, 200) on one thread: 105 ms
3-D, 55 ms folded).
"""
from .. import backend
from .._dtype import HALF_NP
from ..autograd.function import ArrayFunction
from ..autograd.dispatch import casting_active as _casting_active

_gam = backend.get_array_module


def _check(input, weight, bias):
    if input._data.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D "
                           f"and {weight._data.ndim}D")
    in_f = input._data.shape[-1]
    w_in = weight._data.shape[-1] if weight._data.ndim else None
    if w_in != in_f:
        rows = 1
        for s in input._data.shape[:-1]:
            rows *= s
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_f} and "
                           f"{'x'.join(str(s) for s in weight._data.shape[::-1])})")
    if (input._data.dtype != weight._data.dtype or (bias is not None and
                                                   bias._data.dtype != weight._data.dtype)) \
            and not _casting_active():   # autocast casts them before the op runs
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype} and {weight.dtype}".replace("ember.", ""))


class Linear(ArrayFunction):
    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        xp = _gam(x)
        if x.dtype in HALF_NP:  # float16/bfloat16: GEMM in float32
            out = backend.matmul(xp, x.astype("float32"), w.astype("float32").T)
            if b is not None:
                out += b.astype("float32")
            out = out.astype(x.dtype)
        else:
            out = backend.matmul(xp, x, w.T)
            if b is not None:
                out += b
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g.matmul(w) if need[0] else None
        gw = gb = None
        if need[1] or (len(need) > 2 and need[2]):
            out_f = w.shape[0]
            g2 = g.reshape(-1, out_f)
            if need[1]:
                gw = g2.t().mm(x.reshape(-1, x.shape[-1]))
            if len(need) > 2 and need[2]:
                gb = g2.sum(0)
        return gx, gw, gb

    @staticmethod
    def backward_arrays(ctx, g):
        # backward's three products on arrays (no reshape/t/mm Tensor calls in between)
        x, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        xp = _gam(g)
        gx = _gemm(xp, g, w) if need[0] else None
        gw = gb = None
        if need[1] or (len(need) > 2 and need[2]):
            g2 = g if g.ndim == 2 else g.reshape(-1, w.shape[0])
            if need[1]:
                gw = _gemm(xp, g2.T, x if x.ndim == 2 else x.reshape(-1, x.shape[-1]))
            if len(need) > 2 and need[2]:
                gb = (g2.astype("float32").sum(0).astype(g.dtype) if g.dtype in HALF_NP
                      else g2.sum(0))
        return gx, gw, gb


def _gemm(xp, a, b):
    """``a @ b`` with ember's BLAS thread policy; float16/bfloat16 multiply in float32."""
    if a.dtype in HALF_NP:
        return backend.matmul(xp, a.astype("float32"), b.astype("float32")).astype(a.dtype)
    return backend.matmul(xp, a, b)


def linear(input, weight, bias=None):
    """``F.linear``: input (*, in) @ weight (out, in)^T + bias (out)."""
    x, w = input._data, weight._data
    if w.ndim == 2 and x.ndim and x.shape[-1] == w.shape[1] and x.dtype is w.dtype:
        # the common call, its checks passed (_check covers the rest)
        if bias is None:
            return Linear.apply(input, weight)
        if bias._data.dtype is w.dtype:
            return Linear.apply(input, weight, bias)
    _check(input, weight, bias)
    if weight._data.ndim == 1:
        out = input.matmul(weight)
        return out + bias if bias is not None else out
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``F.bilinear``: out[..., o] = sum_ij x1[..., i] A[o, i, j] x2[..., j] + b[o]."""
    from .linalg import einsum
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if weight.dim() != 3 or weight.shape[1] != input1.shape[-1] or \
            weight.shape[2] != input2.shape[-1]:
        raise RuntimeError(f"bilinear(): weight of shape {list(weight.shape)} does not match "
                           f"inputs {list(input1.shape)} and {list(input2.shape)}")
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out + bias if bias is not None else out


__all__ = ["linear", "bilinear"]
