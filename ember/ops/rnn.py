"""Fused recurrent layers: the whole time loop of one layer and direction as one Function.

The caller projects the input of all time steps in one GEMM (``xw = x @ W_ih^T + b_ih``);
``RecurrentLayer`` then runs the loop with one GEMM (``h @ W_hh^T``) plus the gate math on
raw arrays per step, and its backward is a hand-written backward through time (also one
GEMM per step; the W_hh and W_hr gradients are one GEMM each over all steps). Gate order
and equations follow PyTorch: LSTM i, f, g, o (with ``proj_size``: h = W_hr (o * tanh c));
GRU r, z, n with n = tanh(x_n + r * (W_hn h + b_hn)); RNN tanh or relu.

Packed sequences (``batch_sizes``) run on the padded (T, B, G) layout sorted by
decreasing length, as PyTorch does: step t updates only its first ``batch_sizes[t]`` rows
and the other rows carry their state unchanged, so the final state of every sequence is
the one of its true last step (and, in reverse, a sequence starts from h0 at its own last
step). The backward is written on arrays, so double backward raises.
"""
from .. import backend
from .._tensor import _make
from ..autograd.function import ArrayFunction

_gam = backend.get_array_module

__all__ = []


def _sigmoid(xp, x):
    return 0.5 * (1 + xp.tanh(0.5 * x))   # no overflow warning for large |x|


def _carry(new, old, rows):
    """The full-batch state: ``new`` for the first ``rows`` rows, ``old`` for the rest."""
    if rows == old.shape[0]:
        return new
    full = old.copy()
    full[:rows] = new
    return full


class RecurrentLayer(ArrayFunction):
    """forward(xw (T,B,G), w_hh (G,P), h0 (B,P)[, c0 (B,H)][, b_hh (G,)][, w_hr (P,H)],
    mode, reverse, has_bias, has_proj, batch_sizes) -> (out (T,B,P), h_n (B,P)[, c_n (B,H)]).

    P is the hidden size, or ``proj_size`` with a projection. ``batch_sizes`` (a list of T
    ints, non-increasing, or None) gives the rows active at each time step."""

    node_name = "RecurrentLayerBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, xw, w_hh, h0, *rest, mode, reverse=False, has_bias=True, has_proj=False,
                batch_sizes=None):
        xp = _gam(xw)
        lstm = mode == "LSTM"
        c0 = rest[0] if lstm else None
        b_hh = rest[1 if lstm else 0] if has_bias else None
        w_hr = rest[-1] if has_proj else None
        if lstm:
            return _lstm_forward(ctx, xp, xw, w_hh, h0, c0, b_hh, w_hr, reverse, batch_sizes)
        steps, batch = xw.shape[0], xw.shape[1]
        H = xw.shape[2] // {"LSTM": 4, "GRU": 3}.get(mode, 1)
        P = w_hh.shape[1]
        sizes = batch_sizes if batch_sizes is not None else [batch] * steps
        w_t = xp.ascontiguousarray(w_hh.T)
        w_hr_t = xp.ascontiguousarray(w_hr.T) if has_proj else None
        out = xp.empty((steps, batch, P), xw.dtype)
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        # saved per step: gate activations, (LSTM) cell states and pre-projection h,
        # (GRU) the W_hn h + b_hn term
        # (packed: rows a step skips stay zero, so the batched weight GEMMs ignore them)
        alloc = xp.zeros if batch_sizes is not None else xp.empty
        acts = alloc(xw.shape, xw.dtype)
        cells = xp.empty((steps, batch, H), xw.dtype) if lstm else None
        h_full = alloc((steps, batch, H), xw.dtype) if has_proj else None
        hn_all = xp.empty((steps, batch, H), xw.dtype) if mode == "GRU" else None
        h, c = h0, c0
        for t in order:
            bs = sizes[t]
            hp = h[:bs]
            hw = backend.matmul(xp, hp, w_t)
            if b_hh is not None:
                hw += b_hh
            a = acts[t, :bs]
            if lstm:
                xp.add(xw[t, :bs], hw, out=a)
                a[:, :2 * H] = _sigmoid(xp, a[:, :2 * H])
                a[:, 3 * H:] = _sigmoid(xp, a[:, 3 * H:])
                a[:, 2 * H:3 * H] = xp.tanh(a[:, 2 * H:3 * H])
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                c_new = f * c[:bs] + i * g
                h_new = o * xp.tanh(c_new)
                if has_proj:
                    h_full[t, :bs] = h_new
                    h_new = backend.matmul(xp, h_new, w_hr_t)
                c = _carry(c_new, c, bs)
                cells[t] = c
            elif mode == "GRU":
                a[:, :2 * H] = _sigmoid(xp, xw[t, :bs, :2 * H] + hw[:, :2 * H])
                hn = hw[:, 2 * H:]
                hn_all[t, :bs] = hn
                a[:, 2 * H:] = xp.tanh(xw[t, :bs, 2 * H:] + a[:, :H] * hn)
                z, n = a[:, H:2 * H], a[:, 2 * H:]
                h_new = n + z * (hp - n)
            else:
                pre = xw[t, :bs] + hw
                h_new = xp.maximum(pre, 0) if mode == "RNN_RELU" else xp.tanh(pre)
                a[:] = h_new
            h = _carry(h_new, h, bs)
            out[t] = h
        if ctx.needs_input_grad:
            ctx.mode, ctx.reverse, ctx.sizes = mode, reverse, sizes
            ctx.has_bias, ctx.has_proj = has_bias, has_proj
            ctx.arrays = (w_hh, w_hr, h0, c0, acts, cells, h_full, hn_all, out)
        h_n = xp.array(h) if steps else h0.copy()
        if lstm:
            return out, h_n, (xp.array(c) if steps else c0.copy())
        return out, h_n

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        if ctx.mode == "LSTM":
            return _lstm_backward(ctx, g_out._data, g_h._data, g_c._data)
        w_hh, w_hr, h0, c0, acts, cells, h_full, hn_all, out = ctx.arrays
        mode, reverse, sizes, has_proj = ctx.mode, ctx.reverse, ctx.sizes, ctx.has_proj
        lstm = mode == "LSTM"
        xp = _gam(acts)
        steps, batch, gates = acts.shape
        H, P = acts.shape[2] // {"LSTM": 4, "GRU": 3}.get(mode, 1), w_hh.shape[1]
        order = list(range(steps - 1, -1, -1) if reverse else range(steps))
        prev = {}  # the step processed before t
        for k, t in enumerate(order):
            prev[t] = order[k - 1] if k else None
        packed = any(bs < batch for bs in sizes)
        d_out = g_out._data
        dh = xp.array(g_h._data)
        dc = xp.array(g_c._data) if lstm else None
        alloc = xp.zeros if packed else xp.empty
        d_pre = alloc(acts.shape, acts.dtype)      # gradient of xw (T, B, G)
        d_hw = alloc(acts.shape, acts.dtype) if mode == "GRU" else d_pre
        d_proj = alloc((steps, batch, P), acts.dtype) if has_proj else None
        for t in reversed(order):
            p = prev[t]
            bs = sizes[t]
            dh += d_out[t]
            a = acts[t, :bs]
            dh_a = dh[:bs]
            d = d_pre[t, :bs]
            if lstm:
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                c_prev = (c0 if p is None else cells[p])[:bs]
                if has_proj:
                    d_proj[t, :bs] = dh_a
                    dh_a = backend.matmul(xp, dh_a, w_hr)
                tc = xp.tanh(cells[t, :bs])
                dc_a = dc[:bs] + dh_a * o * (1 - tc * tc)
                d[:, :H] = dc_a * g * i * (1 - i)
                d[:, H:2 * H] = dc_a * c_prev * f * (1 - f)
                d[:, 2 * H:3 * H] = dc_a * i * (1 - g * g)
                d[:, 3 * H:] = dh_a * tc * o * (1 - o)
                dc = _carry(dc_a * f, dc, bs)
                dh = _carry(backend.matmul(xp, d, w_hh), dh, bs)
            elif mode == "GRU":
                r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                h_prev = (h0 if p is None else out[p])[:bs]
                dn = dh_a * (1 - z) * (1 - n * n)
                d[:, :H] = dn * hn_all[t, :bs] * r * (1 - r)
                d[:, H:2 * H] = dh_a * (h_prev - n) * z * (1 - z)
                d[:, 2 * H:] = dn
                e = d_hw[t, :bs]
                e[:, :2 * H] = d[:, :2 * H]
                e[:, 2 * H:] = dn * r
                dh = _carry(dh_a * z + backend.matmul(xp, e, w_hh), dh, bs)
            else:
                if mode == "RNN_RELU":
                    xp.multiply(dh_a, a > 0, out=d)
                else:
                    xp.multiply(dh_a, 1 - a * a, out=d)
                dh = _carry(backend.matmul(xp, d, w_hh), dh, bs)
        grads = [_make(d_pre), None, _make(dh)]
        if steps:
            # h_prev of every step, in time order, for the one W_hh GEMM (rows a step
            # does not update get zero gradient there, so their contents do not matter)
            h_prev_all = xp.empty(out.shape, out.dtype)
            for t in order:
                h_prev_all[t] = h0 if prev[t] is None else out[prev[t]]
            d_w = backend.matmul(xp, d_hw.reshape(steps * batch, gates).T,
                                 h_prev_all.reshape(steps * batch, P))
        else:
            d_w = xp.zeros(w_hh.shape, w_hh.dtype)
        grads[1] = _make(d_w)
        if lstm:
            grads.append(_make(dc))
        if ctx.has_bias:
            grads.append(_make(d_hw.sum(axis=(0, 1))))
        if has_proj:
            grads.append(_make(backend.matmul(xp, d_proj.reshape(steps * batch, P).T,
                                              h_full.reshape(steps * batch, H))
                               if steps else xp.zeros(w_hr.shape, w_hr.dtype)))
        return tuple(grads)


def _gate_scale(xp, H, dtype):
    """The (4H,) factor folded into the LSTM pre-activations: -1 for the sigmoid gates i, f,
    o and -2 for g, so that one ``1 / (1 + exp(a))`` over the whole gate row gives sigmoid(x)
    for i, f, o and sigmoid(2x) for g, whose tanh(x) = 2 sigmoid(2x) - 1 is then two small
    ufuncs on that quarter. Exact (powers of two); exp + reciprocal cost about 0.6x NumPy's
    float32 tanh (measured, a (20, 800) gate row on one core: 58-66 us against 81-99 us for
    tanh and its affine fix-up). Large |x| saturates as tanh does: exp overflows to inf
    (NumPy's overflow warning is off in ember, see backend) and 1 / inf = 0."""
    scale = xp.full(4 * H, -1, dtype)
    scale[2 * H:3 * H] = -2
    return scale


def _previous(xp, first, seq, reverse):
    """(T, B, X): the state before each step, in time order: ``first`` (B, X) before the
    first step processed, else ``seq`` (T, B, X) of the step processed before."""
    prev = xp.empty(seq.shape, seq.dtype)
    if reverse:
        prev[:-1] = seq[1:]
        prev[-1] = first
    else:
        prev[1:] = seq[:-1]
        prev[0] = first
    return prev


def _lstm_forward(ctx, xp, xw, w_hh, h0, c0, b_hh, w_hr, reverse, batch_sizes):
    """The LSTM time loop: per step one GEMM into a scratch buffer, the four gate
    activations as one in-place ``1 / (1 + exp(a))`` over the step's gate row (the gates'
    -1 / -2 factors folded into W_hh and the input projection once: ``_gate_scale``), the
    cell and hidden state written straight into the saved (T, B, H) arrays."""
    steps, batch, G = xw.shape
    H, P = G // 4, w_hh.shape[1]
    dtype = xw.dtype
    has_proj = w_hr is not None
    sizes = batch_sizes if batch_sizes is not None else [batch] * steps
    scale = _gate_scale(xp, H, dtype)
    w_t = xp.ascontiguousarray(w_hh.T)
    w_t *= scale
    acts = xw + b_hh if b_hh is not None else xw.copy()   # pre-activations, then gates
    acts *= scale
    alloc = xp.zeros if batch_sizes is not None else xp.empty
    cells = xp.empty((steps, batch, H), dtype)
    tanh_c = alloc((steps, batch, H), dtype)
    out = xp.empty((steps, batch, P), dtype)
    h_full = alloc((steps, batch, H), dtype) if has_proj else None
    w_hr_t = xp.ascontiguousarray(w_hr.T) if has_proj else None
    hw = xp.empty((batch, G), dtype)
    ig = xp.empty((batch, H), dtype)
    h, c = h0, c0
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        bs = sizes[t]
        a = acts[t, :bs]
        backend.matmul(xp, h[:bs], w_t, out=hw[:bs])
        a += hw[:bs]
        xp.exp(a, out=a)
        a += 1
        xp.divide(1, a, out=a)   # (NumPy's float32 reciprocal has no SIMD loop; divide has)
        g = a[:, 2 * H:3 * H]
        g *= 2
        g -= 1
        c_t, tc = cells[t, :bs], tanh_c[t, :bs]
        xp.multiply(a[:, H:2 * H], c[:bs], out=c_t)
        xp.multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig[:bs])
        c_t += ig[:bs]
        xp.tanh(c_t, out=tc)
        if has_proj:
            xp.multiply(a[:, 3 * H:], tc, out=h_full[t, :bs])
            backend.matmul(xp, h_full[t, :bs], w_hr_t, out=out[t, :bs])
        else:
            xp.multiply(a[:, 3 * H:], tc, out=out[t, :bs])
        if bs < batch:   # packed: the rows past bs carry their state; their gates stay 0
            acts[t, bs:] = 0
            cells[t, bs:] = c[bs:]
            out[t, bs:] = h[bs:]
        h, c = out[t], cells[t]
    if ctx.needs_input_grad:
        ctx.mode, ctx.reverse, ctx.sizes = "LSTM", reverse, sizes
        ctx.has_bias, ctx.has_proj = b_hh is not None, has_proj
        ctx.arrays = (w_hh, w_hr, h0, c0, acts, cells, tanh_c, h_full, out)
    if not steps:
        return out, h0.copy(), c0.copy()
    return out, xp.array(h), xp.array(c)


def _lstm_backward(ctx, d_out, g_h, g_c):
    """Backward through time of ``_lstm_forward``. Everything that does not depend on the
    incoming gradient is computed for all steps at once before the loop: the gate-gradient
    factors di/dc = g i (1 - i), df/dc = c_prev f (1 - f), dg/dc = i (1 - g^2) and
    do/dh = tanh(c) o (1 - o) (written into the (T, B, 4H) gate gradient, which the loop
    then scales in place) and dc/dh = o (1 - tanh(c)^2); a step is then six small ufuncs
    and one GEMM."""
    w_hh, w_hr, h0, c0, acts, cells, tanh_c, h_full, out = ctx.arrays
    reverse, sizes, has_proj = ctx.reverse, ctx.sizes, ctx.has_proj
    xp = _gam(acts)
    steps, batch, G = acts.shape
    H, P = G // 4, w_hh.shape[1]
    grads = [None, None, None, None]
    if steps:
        i, f, g, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
        d_pre = xp.empty(acts.shape, acts.dtype)     # factors now, gradient of xw later
        d4 = d_pre.reshape(steps, batch, 4, H)
        xp.multiply(i, 1 - i, out=d4[:, :, 0])
        d4[:, :, 0] *= g
        xp.multiply(f, 1 - f, out=d4[:, :, 1])
        d4[:, :, 1] *= _previous(xp, c0, cells, reverse)
        xp.multiply(g, g, out=d4[:, :, 2])
        xp.subtract(1, d4[:, :, 2], out=d4[:, :, 2])
        d4[:, :, 2] *= i
        xp.multiply(o, 1 - o, out=d4[:, :, 3])
        d4[:, :, 3] *= tanh_c
        dc_dh = tanh_c * tanh_c
        xp.subtract(1, dc_dh, out=dc_dh)
        dc_dh *= o
    else:
        d_pre = xp.zeros(acts.shape, acts.dtype)
    d_proj = xp.zeros((steps, batch, P), acts.dtype) if has_proj else None
    dh = xp.array(g_h)
    dc = xp.array(g_c)
    dc_a = xp.empty((batch, H), acts.dtype)
    for t in (range(steps) if reverse else range(steps - 1, -1, -1)):
        bs = sizes[t]
        dh += d_out[t]
        dh_a = dh[:bs]
        if has_proj:
            d_proj[t, :bs] = dh_a
            dh_a = backend.matmul(xp, dh_a, w_hr)
        xp.multiply(dh_a, dc_dh[t, :bs], out=dc_a[:bs])
        dc_a[:bs] += dc[:bs]
        d = d4[t, :bs]
        d[:, :3] *= dc_a[:bs, None]
        d[:, 3] *= dh_a
        xp.multiply(dc_a[:bs], f[t, :bs], out=dc[:bs])
        backend.matmul(xp, d_pre[t, :bs], w_hh, out=dh[:bs])
    if steps:
        # one GEMM over all steps; rows a step does not update have zero gate gradient
        h_prev = _previous(xp, h0, out, reverse)
        d_w = backend.matmul(xp, d_pre.reshape(steps * batch, G).T,
                             h_prev.reshape(steps * batch, P))
    else:
        d_w = xp.zeros(w_hh.shape, w_hh.dtype)
    grads = [_make(d_pre), _make(d_w), _make(dh), _make(dc)]
    if ctx.has_bias:
        grads.append(_make(d_pre.sum(axis=(0, 1))))
    if has_proj:
        grads.append(_make(backend.matmul(xp, d_proj.reshape(steps * batch, P).T,
                                          h_full.reshape(steps * batch, H))
                           if steps else xp.zeros(w_hr.shape, w_hr.dtype)))
    return tuple(grads)


def recurrent_layer(xw, w_hh, h0, c0=None, b_hh=None, mode="LSTM", reverse=False, w_hr=None,
                    batch_sizes=None):
    """One layer and direction over the whole sequence; returns (out, h_n[, c_n]).

    ``batch_sizes``: list of active rows per time step for packed input (None: all)."""
    rest = ((c0,) if mode == "LSTM" else ()) + ((b_hh,) if b_hh is not None else ()) \
        + ((w_hr,) if w_hr is not None else ())
    return RecurrentLayer.apply(xw, w_hh, h0, *rest, mode=mode, reverse=reverse,
                                has_bias=b_hh is not None, has_proj=w_hr is not None,
                                batch_sizes=batch_sizes)
