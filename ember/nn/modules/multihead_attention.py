"""``nn.MultiheadAttention`` (PyTorch's parameters, masks and returned weights).

The attention itself is the fused Function of ``ember.ops.attention`` (the weights are
its optional second output, differentiable as in PyTorch); self-attention projects q, k
and v with one GEMM. ``add_bias_kv`` appends learned key/value rows and ``add_zero_attn``
a zero row, with the masks padded to match, as PyTorch does. As PyTorch, the returned
weights are taken after dropout, and rows whose keys are all masked give NaN when weights
are returned and zeros otherwise (PyTorch's scaled_dot_product_attention path).
"""
import math

from ...ops.creation import empty
from ...ops.attention import _attention
from ...ops.linear import linear
from ...ops.pointwise import where, full_mask_value
from ...ops.shape import cat
from ..parameter import Parameter
from .. import init
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "multi_head_attention_forward"]


class NonDynamicallyQuantizableLinear(Linear):
    """The Linear subclass PyTorch uses for ``out_proj`` (same behaviour, its own repr)."""


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
    """PyTorch's ``_mha_shape_check``: True for batched (3-D) input, False for 2-D."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 2-D but found {key_padding_mask.dim()}-D "
                                 "tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be "
                                 f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                 "instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to "
                                 f"be 2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` "
                                 f"to be `None` or 1-D but found {key_padding_mask.dim()}-D "
                                 "tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to "
                                     f"be `None`, 2-D or 3-D but found {attn_mask.dim()}-D "
                                     "tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but "
                                         f"got {attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _pad_keys(mask, extra):
    """Appended key positions (bias_kv, zero_attn) are never masked."""
    if mask is None or not extra:
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
        """PyTorch's ``multi_head_attention_forward``: in-projection (one GEMM for
        self-attention), the fused attention Function over (N, H, L, head_dim), out_proj.

        As in PyTorch, ``is_causal`` is a hint: it needs ``attn_mask`` and is used instead
        of it only when there is no key_padding_mask and no weights are returned."""
        batched = _check_shapes(query, key, value, key_padding_mask, attn_mask,
                                self.num_heads)
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        bf = batched and self.batch_first       # (N, L, E) rather than (L, N, E)
        if bf:
            N, L, E = query.shape
            S = key.shape[1]
        else:
            L, N, E = query.shape
            S = key.shape[0]
        if E != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {E}")
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask` "
                               "to create this mask.")
        causal = is_causal and key_padding_mask is None and not need_weights
        H, hd = self.num_heads, self.head_dim
        q, k, v = self._in_projection(query, key, value, bf, H, hd)   # (N, H, *, hd)

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
        kpm = _additive(key_padding_mask, q, "key_padding_mask")
        if kpm is not None:
            if tuple(kpm.shape) != (N, S):
                raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got "
                                     f"{tuple(kpm.shape)}")
            kpm = kpm.reshape(N, 1, 1, S)
        extra = 0   # key positions appended by add_bias_kv / add_zero_attn
        if self.bias_k is not None:
            k = cat([k, self.bias_k.reshape(1, H, 1, hd).expand(N, H, 1, hd)], dim=2)
            v = cat([v, self.bias_v.reshape(1, H, 1, hd).expand(N, H, 1, hd)], dim=2)
            extra += 1
        if self.add_zero_attn:
            k = cat([k, k.new_zeros((N, H, 1, hd))], dim=2)
            v = cat([v, v.new_zeros((N, H, 1, hd))], dim=2)
            extra += 1
        mask, kpm = _pad_keys(mask, extra), _pad_keys(kpm, extra)
        if kpm is not None:
            mask = kpm if mask is None else mask + kpm
        p = self.dropout if self.training else 0.0
        res = _attention(q, k, v, mask, p, 1.0 / math.sqrt(hd), causal, need_weights,
                         not need_weights)
        out, weights = res if need_weights else (res, None)
        if bf:
            out = out.permute(0, 2, 1, 3).reshape(N, L, E)
        else:
            out = out.permute(2, 0, 1, 3).reshape(L, N, E)
        out = self.out_proj(out)
        if not batched:
            out = out.squeeze(1)
        if weights is None:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            weights = weights.squeeze(0)
        return out, weights

    def _in_projection(self, query, key, value, bf, H, hd):
        """q, k, v projected and split into heads: (N, H, L or S, head_dim) views."""
        (wq, wk, wv), (bq, bk, bv) = self._projections()

        def heads(t):   # (L, N, E) or (N, L, E) -> (N, H, L, hd)
            t = t.reshape(t.shape[0], t.shape[1], H, hd)
            return t.permute(0, 2, 1, 3) if bf else t.permute(1, 2, 0, 3)
        if query is key and key is value and self._qkv_same_embed_dim:
            qkv = linear(query, self.in_proj_weight, self.in_proj_bias)   # one GEMM
            a, b = qkv.shape[:2]
            qkv = qkv.reshape(a, b, 3, H, hd)
            qkv = qkv.permute(2, 0, 3, 1, 4) if bf else qkv.permute(2, 1, 3, 0, 4)
            return qkv.unbind(0)
        return (heads(linear(query, wq, bq)), heads(linear(key, wk, bk)),
                heads(linear(value, wv, bv)))


class _FunctionalAttention:
    """The parameters of one ``multi_head_attention_forward`` call, shaped as the module's
    attributes, so the functional form runs MultiheadAttention's own forward."""
    forward = MultiheadAttention.forward
    _projections = MultiheadAttention._projections
    _in_projection = MultiheadAttention._in_projection

    def __init__(self, **attrs):
        self.__dict__.update(attrs)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """PyTorch's ``F.multi_head_attention_forward`` (sequence-first (L, N, E) or unbatched
    inputs), computed by MultiheadAttention's forward; ``static_k``/``static_v`` are not
    supported."""
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k/static_v are not "
                                  "supported")
    if embed_dim_to_check % num_heads:
        raise AssertionError(f"embed_dim {embed_dim_to_check} not divisible by num_heads "
                             f"{num_heads}")
    if use_separate_proj_weight and (q_proj_weight is None or k_proj_weight is None
                                     or v_proj_weight is None):
        raise AssertionError("use_separate_proj_weight is True but q_proj_weight, "
                             "k_proj_weight or v_proj_weight is None")
    if not use_separate_proj_weight and in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    state = _FunctionalAttention(
        embed_dim=embed_dim_to_check, num_heads=num_heads,
        head_dim=embed_dim_to_check // num_heads, batch_first=False,
        _qkv_same_embed_dim=not use_separate_proj_weight, in_proj_weight=in_proj_weight,
        in_proj_bias=in_proj_bias, q_proj_weight=q_proj_weight, k_proj_weight=k_proj_weight,
        v_proj_weight=v_proj_weight, bias_k=bias_k, bias_v=bias_v,
        add_zero_attn=add_zero_attn, dropout=dropout_p, training=training,
        out_proj=lambda x: linear(x, out_proj_weight, out_proj_bias))
    return state.forward(query, key, value, key_padding_mask=key_padding_mask,
                         need_weights=need_weights, attn_mask=attn_mask,
                         average_attn_weights=average_attn_weights, is_causal=is_causal)
