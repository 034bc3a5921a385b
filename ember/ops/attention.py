"""``F.scaled_dot_product_attention``: softmax(Q K^T * scale + mask) V, with dropout.

One fused Function (``Attention``) does the whole computation on arrays: two batched
GEMMs forward, four backward, the softmax and its backward in place, no intermediate
graph. PyTorch's behaviour is followed: a bool ``attn_mask`` marks the positions that
take part, a float one is added to the scores (and receives a gradient), ``is_causal``
is a top-left aligned lower-triangular mask, rows with every position masked give zeros
(PyTorch's "safe softmax"), ``enable_gqa`` repeats key/value heads. The backward is
written twice: ``backward_arrays`` on arrays (the engine's path without
``create_graph``) and ``backward`` with ember ops, the differentiable definition, so
double backward works.

Differences: combining ``is_causal`` with an ``attn_mask`` raises, as PyTorch documents
(PyTorch's CPU flash kernel silently ignores the mask instead); dropout draws from
ember's generator, so it drops other positions than PyTorch for the same seed.
"""
import math

from .. import backend
from .._dtype import float32 as _float32
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from ._common import up as _up

__all__ = ["scaled_dot_product_attention"]

_gam = backend.get_array_module
_HALF = ("float16", "bfloat16")


def _mT(a):
    return a.swapaxes(-1, -2)


def _bshape(*shapes):
    """The broadcast of shapes (pure Python; NumPy's errors are raised later by the op)."""
    n = max(len(s) for s in shapes)
    out = []
    for dims in zip(*[(1,) * (n - len(s)) + tuple(s) for s in shapes]):
        big = [d for d in dims if d != 1]
        out.append(max(big) if big else 1)
    return tuple(out)


def _causal(xp, L, S):
    return xp.tril(xp.ones((L, S), dtype=bool))


def _softmax_(s, xp, safe):
    """Softmax over the last axis, in place; with ``safe`` a row whose scores are all
    -inf gives zeros instead of NaN."""
    m = s.max(axis=-1, keepdims=True)
    if safe:
        m[m == -math.inf] = 0
    s -= m
    xp.exp(s, out=s)
    d = s.sum(axis=-1, keepdims=True)
    if safe:
        d[d == 0] = 1
    s /= d
    return s


class Attention(ArrayFunction):
    """out = dropout(softmax(q k^T * scale + mask)) v over the last two dims.

    Inputs q (..., L, E), k (..., S, E), v (..., S, Ev) and an optional mask broadcasting
    to (..., L, S) (bool: True = attend; float: added). ``keep`` is the dropout
    multiplier (0 or 1 / (1 - p)) of the scores' shape, or None. With ``need_weights``
    the (post-dropout) attention weights are a second, differentiable output
    (MultiheadAttention returns them).
    """

    broadcasting = True
    node_name = "ScaledDotProductAttentionBackward0"

    @staticmethod
    def forward(ctx, q, k, v, mask=None, scale=1.0, causal=False, keep=None,
                need_weights=False, safe=True):
        xp = _gam(q)
        dtype = q.dtype
        qa, ka, va = _up(q), _up(k), _up(v)
        s = backend.matmul(xp, qa, _mT(ka))
        s *= scale
        if mask is not None and mask.dtype != bool:
            ctx.save_for_backward(q, k, v, mask)   # a float mask input gets a gradient
        else:
            ctx.save_for_backward(q, k, v)
        if causal:
            mask = _causal(xp, s.shape[-2], s.shape[-1])
        if mask is not None:
            if mask.dtype == bool:
                s = xp.where(mask, s, xp.asarray(-math.inf, dtype=s.dtype))
            elif s.shape == _bshape(s.shape, mask.shape):
                s += _up(mask)
            else:
                s = s + _up(mask)
        p = _softmax_(s, xp, safe)
        pd = p if keep is None else p * keep
        out = backend.matmul(xp, pd, va).astype(dtype, copy=False)
        ctx.p, ctx.pd, ctx.keep, ctx.scale, ctx.mask = p, pd, keep, scale, mask
        if need_weights:
            return out, pd.astype(dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, g, gw=None):
        return _backward_graph(ctx, ctx.saved_tensors, g, gw)

    @staticmethod
    def backward_arrays(ctx, g, gw=None):
        q, k, v = ctx.saved_arrays[:3]
        need = ctx.needs_input_grad
        xp = _gam(g)
        p, pd, scale = ctx.p, ctx.pd, ctx.scale
        ga = _up(g)
        qa, ka, va = _up(q), _up(k), _up(v)
        dv = backend.matmul(xp, _mT(pd), ga) if need[2] else None
        dp = backend.matmul(xp, ga, _mT(va))
        if gw is not None:
            dp += _up(gw)
        dp *= pd        # the dropped weights' gradient times p: (dp * keep) * p in one pass
        dp -= p * dp.sum(axis=-1, keepdims=True)     # ds = p * (dp - sum(p * dp))
        ds = dp
        dmask = ds.copy() if len(need) > 3 and need[3] else None
        ds *= scale
        dq = backend.matmul(xp, ds, ka) if need[0] else None
        dk = backend.matmul(xp, _mT(ds), qa) if need[1] else None
        return (dq, dk, dv) + ((dmask,) if len(need) > 3 else ())


def _backward_graph(ctx, saved, g, gw):
    """The backward with ember ops on the saved inputs (differentiable: double backward).

    The weights are recomputed from q, k (and a float mask) so that they are on the graph."""
    q, k, v = saved[:3]
    s = (q @ k.transpose(-2, -1)) * ctx.scale
    if len(saved) > 3:
        s = s + saved[3]
    elif ctx.mask is not None:
        from .pointwise import where, full_mask_value
        s = where(_make(ctx.mask), s, full_mask_value(s))
    m = s.detach().amax(-1, keepdim=True)
    m = m.masked_fill(m == -math.inf, 0)
    e = (s - m).exp()
    d = e.sum(-1, keepdim=True)
    p = e / d.masked_fill(d == 0, 1)
    keep = None if ctx.keep is None else _make(ctx.keep)
    pd = p if keep is None else p * keep
    dv = pd.transpose(-2, -1) @ g
    dp = g @ v.transpose(-2, -1)
    if gw is not None:
        dp = dp + gw
    if keep is not None:
        dp = dp * keep
    ds = p * (dp - (p * dp).sum(-1, keepdim=True))
    dq = (ds @ k) * ctx.scale
    dk = (ds.transpose(-2, -1) @ q) * ctx.scale
    return (dq, dk, dv) + ((ds,) if len(ctx.needs_input_grad) > 3 else ())


def _repeat_heads(t, n):
    """(..., H, S, E) -> (..., H * n, S, E), each head repeated n times in a row
    (``repeat_interleave`` on dim -3, as PyTorch's grouped-query attention)."""
    shape = list(t.shape)
    out = t.unsqueeze(-3).expand(*shape[:-2], n, *shape[-2:])
    return out.reshape(*shape[:-3], shape[-3] * n, *shape[-2:])


def _dropout_keep(x, p, shape, dtype):
    """The dropout multiplier array (0 or 1 / (1 - p)) of ``shape``."""
    from .dropout import _keep, keep_multiplier
    return keep_multiplier(_keep(x, p, shape), p, dtype)


def _check(query, key, value, attn_mask, dropout_p):
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be "
                            f"Tensor, not {type(t).__name__}")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {query.dtype} key.dtype: {key.dtype} and "
                           f"value.dtype: {value.dtype} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError("scaled_dot_product_attention: expected floating point inputs, "
                           f"got {query.dtype}")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must have at "
                           "least 2 dimensions, got "
                           f"{query.dim()}, {key.dim()} and {value.dim()}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError("scaled_dot_product_attention: the last dimension of query "
                           f"({query.shape[-1]}) and key ({key.shape[-1]}) must match")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError("scaled_dot_product_attention: key and value must have the same "
                           f"sequence length, got {key.shape[-2]} and {value.shape[-2]}")
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError("scaled_dot_product_attention(): argument 'attn_mask' must be "
                            f"Tensor, not {type(attn_mask).__name__}")
        if attn_mask.dtype.name != "bool" and attn_mask.dtype != query.dtype:
            raise RuntimeError("Expected attn_mask dtype to be bool or float or to match "
                               f"query dtype, but got attn_mask.dtype: {attn_mask.dtype} "
                               f"and  query.dtype: {query.dtype} instead.")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def _attention(query, key, value, mask, dropout_p, scale, causal, need_weights, safe):
    """Call the fused Function (shared by the functional form and MultiheadAttention)."""
    keep = None
    if dropout_p > 0.0:
        shape = _bshape(query.shape[:-2], key.shape[:-2]) + (query.shape[-2], key.shape[-2])
        if mask is not None:
            shape = _bshape(shape, mask.shape)
        dt = query._data.dtype
        keep = _dropout_keep(query._data, dropout_p, shape,
                             _float32.np if dt.name in _HALF else dt)
    if mask is None:
        return Attention.apply(query, key, value, scale=scale, causal=causal, keep=keep,
                               need_weights=need_weights, safe=safe)
    return Attention.apply(query, key, value, mask, scale=scale, causal=causal, keep=keep,
                           need_weights=need_weights, safe=safe)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """Attention over the last two dims of (..., L, E) query and (..., S, E) key/value.

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); ``is_causal`` masks the upper triangle and cannot be combined with a mask.
    ``scale`` defaults to 1 / sqrt(E). ``dropout_p`` applies whenever it is > 0 (the
    functional form has no training flag, as in PyTorch).
    """
    _check(query, key, value, attn_mask, dropout_p)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if enable_gqa and query.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of "
                               f"heads in query (got {hq} query, {hk} key and {hv} value heads)")
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hv)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return _attention(query, key, value, attn_mask, dropout_p, scale, is_causal, False, True)
