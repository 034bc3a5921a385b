"""``nn.MultiheadAttention`` (PyTorch's parameters, masks and returned weights).

``add_bias_kv`` appends learned key/value rows and ``add_zero_attn`` a zero row, with
the masks padded to match, as PyTorch does.
"""
import math

from ...ops.creation import empty
from ...ops.linear import linear
from ...ops.pointwise import where, full_mask_value
from ...ops.shape import cat
from ..parameter import Parameter
from .. import init
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """The Linear subclass PyTorch uses for ``out_proj`` (same behaviour, its own repr)."""


def _additive(mask, like):
    """A bool mask (True = masked out, MultiheadAttention's convention) or a float mask as
    scores to add."""
    if mask.dtype.name == "bool":
        zero = like.new_zeros(())
        return where(mask, full_mask_value(like), zero)
    return mask.to(like.dtype)


def _pad_keys(mask, extra):
    """Appended key positions (bias_kv, zero_attn) are never masked."""
    if not extra:
        return mask
    return cat([mask, mask.new_zeros(mask.shape[:-1] + (extra,))], dim=-1)


class MultiheadAttention(Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = dict(device=device, dtype=dtype)
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _projections(self):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            ws = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        bs = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        return ws, bs

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask` "
                               "to create this mask.")
        unbatched = query.dim() == 2
        if unbatched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        L, N, E = query.shape
        S = key.shape[0]
        if E != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {E}")
        H, hd = self.num_heads, self.head_dim
        (wq, wk, wv), (bq, bk, bv) = self._projections()
        # (L, N, E) -> (N, H, L, hd)
        k, v = linear(key, wk, bk), linear(value, wv, bv)
        extra = 0   # key positions appended by add_bias_kv / add_zero_attn
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(1, N, E)])
            v = cat([v, self.bias_v.expand(1, N, E)])
            extra += 1
        if self.add_zero_attn:
            k = cat([k, k.new_zeros((1, N, E))])
            v = cat([v, v.new_zeros((1, N, E))])
            extra += 1
        q = linear(query, wq, bq).reshape(L, N, H, hd).permute(1, 2, 0, 3)
        k = k.reshape(S + extra, N, H, hd).permute(1, 2, 0, 3)
        v = v.reshape(S + extra, N, H, hd).permute(1, 2, 0, 3)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        if attn_mask is not None:
            m = _additive(attn_mask, scores)
            if m.dim() == 3:   # (N * H, L, S)
                m = m.reshape(N, H, L, S)
            scores = scores + _pad_keys(m, extra)
        if key_padding_mask is not None:
            kpm = _additive(key_padding_mask, scores).reshape(N, 1, 1, S)
            scores = scores + _pad_keys(kpm, extra)
        weights = scores.softmax(dim=-1)
        if self.dropout > 0.0 and self.training:
            from ...ops.dropout import dropout
            weights = dropout(weights, self.dropout, True)
        out = (weights @ v).permute(2, 0, 1, 3).reshape(L, N, E)
        out = self.out_proj(out)
        if unbatched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if unbatched:
            weights = weights.squeeze(0)
        return out, weights
