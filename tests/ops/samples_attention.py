"""Table entries for the functional attention path: F.multi_head_attention_forward (packed
and separate projection weights, no biases, bias_k/bias_v, add_zero_attn, boolean and float
masks, per-head weights, need_weights=False) and the scaled_dot_product_attention cases
samples_nn_misc lacks (boolean mask, explicit scale). nn.MultiheadAttention's own behaviour
(repr, state-dict keys, batch_first, kdim/vdim, errors) stays in tests/nn/test_attention.py.
"""
import numpy as np

from ops.table import OpSample, Arr, Const

E, H, L, S, N = 8, 2, 5, 6, 3
_TOL = dict(rtol=1e-4, atol=1e-4)
# Double backward goes through the fused Attention Function's backward, the same code
# for every row; the unbatched and float-mask rows check it (gradgradcheck costs seconds
# per input element here), the others check values and first gradients.
_FIRST_ORDER = dict(_TOL, gradgrad=False)
_RNG = np.random.default_rng(5)
_BOOL_LS = _RNG.random((L, S)) > 0.7
_BOOL_LS[:, 0] = False
_BOOL_NS = _RNG.random((N, S)) > 0.7
_BOOL_NS[:, 0] = False
_SDPA_MASK = _RNG.random((5, 6)) > 0.3
_SDPA_MASK[:, 0] = True      # every query may attend somewhere


def _fixed(shape):
    """A float mask: an input without gradient."""
    return Arr(shape, kind="normal", grad=False)


def _mask(a):
    return Const(lambda lib: lib.tensor(a))


def _mha(lib, q, k, v, w_in, b_in, w_out, b_out, bias_k=None, bias_v=None, add_zero_attn=False,
         **kw):
    return lib.nn.functional.multi_head_attention_forward(
        q, k, v, E, H, w_in, b_in, bias_k, bias_v, add_zero_attn, 0.0, w_out, b_out,
        training=False, **kw)


_QKV = [(L, N, E), (S, N, E), (S, N, E)]
_PACKED = _QKV + [(3 * E, E), (3 * E,), (E, E), (E,)]

SAMPLES = [
    OpSample("mha_forward", lambda lib, *a: _mha(lib, *a), [_PACKED], **_FIRST_ORDER),
    OpSample("mha_forward_unbatched", lambda lib, *a: _mha(lib, *a),
             [[(L, E), (S, E), (S, E), (3 * E, E), (3 * E,), (E, E), (E,)]], **_TOL),
    OpSample("mha_forward_no_bias", lambda lib, q, k, v, w, wo: _mha(lib, q, k, v, w, None, wo, None),
             [_QKV + [(3 * E, E), (E, E)]], **_FIRST_ORDER),
    OpSample("mha_forward_per_head_no_weights", lambda lib, *a: (
        _mha(lib, *a, average_attn_weights=False), _mha(lib, *a, need_weights=False)[0]),
        [_PACKED], **_FIRST_ORDER),
    OpSample("mha_forward_bool_masks", lambda lib, *a: _mha(lib, *a[:7], attn_mask=a[7],
                                                            key_padding_mask=a[8]),
             [_PACKED + [_mask(_BOOL_LS), _mask(_BOOL_NS)]], **_FIRST_ORDER),
    OpSample("mha_forward_float_masks", lambda lib, *a: _mha(lib, *a[:7], attn_mask=a[7],
                                                             key_padding_mask=a[8]),
             [_PACKED + [_fixed((N * H, L, S)), _fixed((N, S))]], **_TOL),
    OpSample("mha_forward_bias_kv_zero_attn", lambda lib, *a: _mha(
        lib, *a[:7], bias_k=a[7], bias_v=a[8], add_zero_attn=True, attn_mask=a[9]),
        [_PACKED + [(1, 1, E), (1, 1, E), _fixed((L, S))]], **_FIRST_ORDER),
    OpSample("mha_forward_separate_proj", lambda lib, q, k, v, b, wo, bo, wq, wk, wv: _mha(
        lib, q, k, v, None, b, wo, bo, use_separate_proj_weight=True,
        q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv),
        [[(L, N, E), (S, N, 4), (S, N, 6), (3 * E,), (E, E), (E,), (E, E), (E, 4), (E, 6)]],
        **_FIRST_ORDER),
    OpSample("sdpa_bool_mask_scale", lambda lib, q, k, v, m: (
        lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
        lib.nn.functional.scaled_dot_product_attention(q, k, v, scale=0.3)),
        [[(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4), _mask(_SDPA_MASK)]], **_TOL),
]
