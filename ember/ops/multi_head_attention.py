"""``F.multi_head_attention_forward``: PyTorch's functional multi-head attention.

In-projection (one GEMM when query, key and value are the same tensor and the weights are
packed), the fused attention Function of ``ember.ops.attention`` over (N, H, L, head_dim)
(the weights are its optional second output, differentiable as in PyTorch), out-projection.
``bias_k``/``bias_v`` append learned key/value rows and ``add_zero_attn`` a zero row, with
the masks padded to match, as PyTorch does. As PyTorch, the returned weights are taken
after dropout, and rows whose keys are all masked give NaN when weights are returned and
zeros otherwise (PyTorch's scaled_dot_product_attention path). ``nn.MultiheadAttention``
calls :func:`_mha_forward` with its ``batch_first`` so (N, L, E) input needs no transpose.
"""
import math

from .attention import _attention
from .linear import linear
from .pointwise import where, full_mask_value
from .shape import cat

__all__ = ["multi_head_attention_forward"]


def _additive(mask, like, name):
    """A bool mask (True = masked out, MultiheadAttention's convention) or a float mask as
    scores to add (PyTorch's ``_canonical_mask``)."""
    if mask is None:
        return None
    if mask.dtype.name == "bool":
        return where(mask, full_mask_value(like), like.new_zeros(()))
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask.to(like.dtype)


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """PyTorch's ``_mha_shape_check``: True for batched (3-D) input, False for 2-D. One
    set of checks for both ranks: key and value as query, key_padding_mask one dim less."""
    qdim = query.dim()
    if qdim not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{qdim}-D query tensor")
    kind = "batched (3-D)" if qdim == 3 else "unbatched (2-D)"
    if key.dim() != qdim or value.dim() != qdim:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {qdim}-D "
                             f"but found {key.dim()}-D and {value.dim()}-D tensors "
                             "respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != qdim - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` "
                             f"or {qdim - 1}-D but found {key_padding_mask.dim()}-D tensor "
                             "instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        if qdim == 2 and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
    return qdim == 3


# (N, H, L, hd) heads from the projected (N, L, [3,] H, hd) / (L, N, [3,] H, hd) input
# layouts and back: the permutation for batch_first and for (L, N, E)
_TO_HEADS = {True: (0, 2, 1, 3), False: (1, 2, 0, 3)}
_FROM_HEADS = {True: (0, 2, 1, 3), False: (2, 0, 1, 3)}


def _heads(t, bf, H, hd, packed=1):
    """Projected (L, N, packed * E) or (N, L, packed * E) -> (N, H, L, hd) heads, one view
    per packed projection (a tuple when ``packed`` > 1)."""
    a, b = t.shape[:2]
    if packed == 1:
        return t.reshape(a, b, H, hd).permute(*_TO_HEADS[bf])
    perm = _TO_HEADS[bf]   # the dims after the packed axis (H, hd) move up by one
    return t.reshape(a, b, packed, H, hd).permute(2, *(d + (d > 1) for d in perm)).unbind(0)


def _append_keys(k, v, row_k, row_v):
    """Append one key row and one value row (N, H, 1, hd) to keys and values."""
    return cat([k, row_k], dim=2), cat([v, row_v], dim=2)


def _pad_keys(mask, extra):
    """Appended key positions (bias_kv, zero_attn) are never masked."""
    if mask is None or not extra:
        return mask
    return cat([mask, mask.new_zeros(mask.shape[:-1] + (extra,))], dim=-1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """PyTorch's ``F.multi_head_attention_forward`` on (L, N, E) / (S, N, E) input (or
    unbatched (L, E)); returns ``(attn_output, attn_weights or None)``.

    As in PyTorch, ``is_causal`` is a hint: it needs ``attn_mask`` and is used instead of
    it only when there is no key_padding_mask and no weights are returned."""
    return _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                        in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                        out_proj_weight, out_proj_bias, training, key_padding_mask,
                        need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
                        k_proj_weight, v_proj_weight, static_k, static_v,
                        average_attn_weights, is_causal, batch_first=False)


def _mha_forward(query, key, value, embed_dim, num_heads, in_proj_weight, in_proj_bias,
                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                 training, key_padding_mask, need_weights, attn_mask,
                 use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight,
                 static_k, static_v, average_attn_weights, is_causal, batch_first):
    """The body of :func:`multi_head_attention_forward`; ``batch_first`` reads batched
    input as (N, L, E) (``nn.MultiheadAttention(batch_first=True)``)."""
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    bf = batched and batch_first       # (N, L, E) rather than (L, N, E)
    if bf:
        N, L, E = query.shape
        S = key.shape[1]
    else:
        L, N, E = query.shape
        S = key.shape[0]
    if E != embed_dim:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim}, but "
                             f"got {E}")
    H = num_heads
    hd = embed_dim // H
    if hd * H != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {H}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do "
                                 f"not match value's {tuple(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape "
                             f"{value.shape}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                           "the Transformer module method `generate_square_subsequent_mask` "
                           "to create this mask.")
    causal = is_causal and key_padding_mask is None and not need_weights
    q, k, v = _in_projection(query, key, value, bf, H, hd, in_proj_weight, in_proj_bias,
                             use_separate_proj_weight, q_proj_weight, k_proj_weight,
                             v_proj_weight)   # (N, H, *, hd)

    mask = None if causal else _additive(attn_mask, q, "attn_mask")
    if mask is not None:
        if mask.dim() == 2:
            if tuple(mask.shape) != (L, S):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, "
                                   f"but should be {(L, S)}.")
        elif mask.dim() == 3:
            if tuple(mask.shape) != (N * H, L, S):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, "
                                   f"but should be {(N * H, L, S)}.")
            mask = mask.reshape(N, H, L, S)
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.dim()} is not supported")
    extra = 0   # key positions appended by bias_k/bias_v / add_zero_attn
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k, v = _append_keys(k, v, bias_k.reshape(1, H, 1, hd).expand(N, H, 1, hd),
                            bias_v.reshape(1, H, 1, hd).expand(N, H, 1, hd))
        extra += 1
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    k = _static(static_k, k, N, H, hd, "key")
    v = _static(static_v, v, N, H, hd, "value")
    if static_k is not None:
        S = k.shape[2]
    if add_zero_attn:
        k, v = _append_keys(k, v, k.new_zeros((N, H, 1, hd)), v.new_zeros((N, H, 1, hd)))
        extra += 1
    kpm = _additive(key_padding_mask, q, "key_padding_mask")
    if kpm is not None:
        if tuple(kpm.shape) != (N, S):
            raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got "
                                 f"{tuple(kpm.shape)}")
        kpm = kpm.reshape(N, 1, 1, S)
    mask, kpm = _pad_keys(mask, extra), _pad_keys(kpm, extra)
    if kpm is not None:
        mask = kpm if mask is None else mask + kpm
    p = dropout_p if training else 0.0
    res = _attention(q, k, v, mask, p, 1.0 / math.sqrt(hd), causal, need_weights,
                     not need_weights)
    out, weights = res if need_weights else (res, None)
    out = out.permute(*_FROM_HEADS[bf]).reshape((N, L, E) if bf else (L, N, E))
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
    if weights is None:
        return out, None
    if average_attn_weights:
        weights = weights.mean(dim=1)
    if not batched:
        weights = weights.squeeze(0)
    return out, weights


def _static(static, t, N, H, hd, name):
    """``static_k`` / ``static_v`` of shape (N * num_heads, S, head_dim) replace the
    projected keys / values."""
    if static is None:
        return t
    if static.dim() != 3 or static.shape[0] != N * H or static.shape[2] != hd:
        raise AssertionError(f"expecting static_{name} of shape {(N * H, '*', hd)}, but got "
                             f"{tuple(static.shape)}")
    return static.reshape(N, H, static.shape[1], hd)


def _in_projection(query, key, value, bf, H, hd, in_proj_weight, in_proj_bias, separate,
                   q_proj_weight, k_proj_weight, v_proj_weight):
    """q, k, v projected and split into heads: (N, H, L or S, head_dim) views."""
    e = H * hd
    b = in_proj_bias
    bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
    if separate:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight, "
                                 "k_proj_weight or v_proj_weight is None")
        wq, wk, wv = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight "
                                 "is None")
        if query is key and key is value:
            return _heads(linear(query, in_proj_weight, in_proj_bias), bf, H, hd, 3)
        w = in_proj_weight
        wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
    return tuple(_heads(linear(t, w, bias), bf, H, hd)
                 for t, w, bias in ((query, wq, bq), (key, wk, bk), (value, wv, bv)))
