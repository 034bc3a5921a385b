"""``F.scaled_dot_product_attention``: softmax(Q K^T * scale + mask) V, with dropout.

Built from ember ops (batched matmul, softmax), so it is differentiable to any order; a
fused Function with a hand-written backward is the planned speed-up.
"""
import math

from .._dtype import bool as _bool
from .creation import ones
from .pointwise import where, full_mask_value

__all__ = ["scaled_dot_product_attention"]


def _repeat_heads(t, n):
    """(..., H, S, E) -> (..., H * n, S, E), each head repeated n times (grouped-query)."""
    shape = list(t.shape)
    out = t.unsqueeze(-3).expand(*shape[:-2], n, *shape[-2:]) if len(shape) >= 3 else t
    return out.reshape(*shape[:-3], shape[-3] * n, *shape[-2:])


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """Attention over the last two dims of (..., L, E) query and (..., S, E) key/value.

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); ``is_causal`` masks the upper triangle and cannot be combined with a mask.
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if enable_gqa and query.shape[-3] != key.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, groups), _repeat_heads(value, groups)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = ones(L, S, dtype=_bool, device=query.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype is _bool:
            scores = where(attn_mask, scores, full_mask_value(scores))
        else:
            scores = scores + attn_mask
    weights = scores.softmax(dim=-1)
    if dropout_p > 0.0:
        from .dropout import dropout
        weights = dropout(weights, dropout_p, True)
    return weights @ value
