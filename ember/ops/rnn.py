"""Fused recurrent layers: the whole time loop of one layer and direction as one Function.

The caller projects the input of all time steps in one GEMM (``xw = x @ W_ih^T + b_ih``);
``RecurrentLayer`` then runs the loop with one GEMM (``h @ W_hh^T``) plus the gate math on
raw arrays per step, and its backward is a hand-written backward through time (also one
GEMM per step; the W_hh gradient is one GEMM over all steps). Gate order and equations
follow PyTorch: LSTM i, f, g, o; GRU r, z, n with n = tanh(x_n + r * (W_hn h + b_hn));
RNN tanh or relu. The backward is written on arrays, so double backward raises.
"""
from .. import backend
from .._tensor import _make
from ..autograd.function import Function

_gam = backend.get_array_module

__all__ = []


def _sigmoid(xp, x):
    return 0.5 * (1 + xp.tanh(0.5 * x))   # no overflow warning for large |x|


class RecurrentLayer(Function):
    """forward(xw (T,B,G), w_hh (G,H), h0 (B,H)[, c0 (B,H)][, b_hh (G,)], mode, reverse)
    -> (out (T,B,H), h_n (B,H)[, c_n (B,H)])."""

    node_name = "RecurrentLayerBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, xw, w_hh, h0, *rest, mode, reverse=False, has_bias=True):
        xp = _gam(xw)
        lstm = mode == "LSTM"
        c0 = rest[0] if lstm else None
        b_hh = rest[-1] if has_bias else None
        steps, batch = xw.shape[0], xw.shape[1]
        hidden = w_hh.shape[1]
        w_t = xp.ascontiguousarray(w_hh.T)
        out = xp.empty((steps, batch, hidden), xw.dtype)
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        # per step saved values: gate activations and (LSTM) cell states
        acts = xp.empty(xw.shape, xw.dtype)
        cells = xp.empty((steps, batch, hidden), xw.dtype) if lstm else None
        hn_all = xp.empty((steps, batch, hidden), xw.dtype) if mode == "GRU" else None
        h, c = h0, c0
        for t in order:
            hw = backend.matmul(xp, h, w_t)
            if b_hh is not None:
                hw += b_hh
            if lstm:
                pre = xw[t] + hw
                a = acts[t]
                a[:] = pre
                H = hidden
                ifo = _sigmoid(xp, a[:, :2 * H])
                a[:, :2 * H] = ifo
                a[:, 3 * H:] = _sigmoid(xp, a[:, 3 * H:])
                a[:, 2 * H:3 * H] = xp.tanh(a[:, 2 * H:3 * H])
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                c = f * c + i * g
                cells[t] = c
                h = o * xp.tanh(c)
            elif mode == "GRU":
                H = hidden
                a = acts[t]
                a[:, :2 * H] = _sigmoid(xp, xw[t, :, :2 * H] + hw[:, :2 * H])
                hn = hw[:, 2 * H:]
                hn_all[t] = hn
                a[:, 2 * H:] = xp.tanh(xw[t, :, 2 * H:] + a[:, :H] * hn)
                z, n = a[:, H:2 * H], a[:, 2 * H:]
                h = n + z * (h - n)
            else:
                pre = xw[t] + hw
                h = xp.maximum(pre, 0) if mode == "RNN_RELU" else xp.tanh(pre)
                acts[t] = h
            out[t] = h
        if ctx.needs_input_grad:
            ctx.mode, ctx.reverse, ctx.has_bias = mode, reverse, has_bias
            ctx.arrays = (w_hh, h0, c0, acts, cells, hn_all, out)
        if lstm:
            return out, xp.array(out[order[-1]]) if steps else h0.copy(), c.copy()
        return out, (xp.array(out[order[-1]]) if steps else h0.copy())

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        w_hh, h0, c0, acts, cells, hn_all, out = ctx.arrays
        mode, reverse = ctx.mode, ctx.reverse
        lstm = mode == "LSTM"
        xp = _gam(acts)
        steps, batch, gates = acts.shape
        H = w_hh.shape[1]
        order = list(range(steps - 1, -1, -1) if reverse else range(steps))
        prev = {}  # the step processed before t
        for k, t in enumerate(order):
            prev[t] = order[k - 1] if k else None
        d_out = g_out._data
        dh = xp.array(g_h._data)
        dc = xp.array(g_c._data) if lstm else None
        d_pre = xp.empty(acts.shape, acts.dtype)      # gradient of xw (T, B, G)
        d_hw = xp.empty(acts.shape, acts.dtype) if mode == "GRU" else d_pre
        for t in reversed(order):
            p = prev[t]
            h_prev = h0 if p is None else out[p]
            dh = dh + d_out[t]
            a = acts[t]
            if lstm:
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                c_prev = c0 if p is None else cells[p]
                tc = xp.tanh(cells[t])
                dc = dc + dh * o * (1 - tc * tc)
                d = d_pre[t]
                d[:, :H] = dc * g * i * (1 - i)
                d[:, H:2 * H] = dc * c_prev * f * (1 - f)
                d[:, 2 * H:3 * H] = dc * i * (1 - g * g)
                d[:, 3 * H:] = dh * tc * o * (1 - o)
                dc = dc * f
                dh = backend.matmul(xp, d, w_hh)
            elif mode == "GRU":
                r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                dn = dh * (1 - z) * (1 - n * n)
                d = d_pre[t]
                d[:, :H] = dn * hn_all[t] * r * (1 - r)
                d[:, H:2 * H] = dh * (h_prev - n) * z * (1 - z)
                d[:, 2 * H:] = dn
                e = d_hw[t]
                e[:, :2 * H] = d[:, :2 * H]
                e[:, 2 * H:] = dn * r
                dh = dh * z + backend.matmul(xp, e, w_hh)
            else:
                d = d_pre[t]
                d[:] = dh * (a > 0) if mode == "RNN_RELU" else dh * (1 - a * a)
                dh = backend.matmul(xp, d, w_hh)
        # h_prev of every step, in time order, for the one W_hh GEMM
        if steps:
            h_prev_all = xp.empty(out.shape, out.dtype)
            for t in order:
                h_prev_all[t] = h0 if prev[t] is None else out[prev[t]]
            flat = d_hw.reshape(steps * batch, gates)
            d_w = backend.matmul(xp, flat.T, h_prev_all.reshape(steps * batch, H))
        else:
            d_w = xp.zeros(w_hh.shape, w_hh.dtype)
        grads = [_make(d_pre), _make(d_w), _make(dh)]
        if lstm:
            grads.append(_make(dc))
        if ctx.has_bias:
            grads.append(_make(d_hw.sum(axis=(0, 1))))
        return tuple(grads)


def recurrent_layer(xw, w_hh, h0, c0=None, b_hh=None, mode="LSTM", reverse=False):
    """One layer and direction over the whole sequence; returns (out, h_n[, c_n])."""
    rest = ((c0,) if mode == "LSTM" else ()) + ((b_hh,) if b_hh is not None else ())
    return RecurrentLayer.apply(xw, w_hh, h0, *rest, mode=mode, reverse=reverse,
                                has_bias=b_hh is not None)
