"""scaled_dot_product_attention and MultiheadAttention against PyTorch."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close, copy_state

RNG = np.random.default_rng(0)
Q, K, V = (RNG.standard_normal(s).astype(np.float32) for s in [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4)])


def test_sdpa_mask_with_is_causal_raises():
    ts = [ember.tensor(a[:1, :1].astype(np.float64), requires_grad=True) for a in (Q, K, V)]
    F = ember.nn.functional
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(*ts, attn_mask=ember.ones(5, 6, dtype=ember.bool),
                                       is_causal=True)


CASES = [
    ({}, {}),
    ({"kdim": 4, "vdim": 6}, {}),
    ({"bias": False}, {}),
    ({"batch_first": True}, {}),
    ({}, {"key_padding_mask": "bool"}),
    ({}, {"attn_mask": "bool2d"}),
    ({}, {"attn_mask": "float2d"}),
    ({}, {"attn_mask": "float3d", "key_padding_mask": "float"}),
    ({}, {"need_weights": False}),
    ({}, {"average_attn_weights": False}),
    ({"add_bias_kv": True}, {"attn_mask": "float2d", "key_padding_mask": "bool"}),
    ({"add_zero_attn": True}, {"key_padding_mask": "float"}),
    ({"add_bias_kv": True, "add_zero_attn": True, "batch_first": True}, {"attn_mask": "float3d"}),
]


def _masks(lib, spec, n, h, l_, s):
    rng = np.random.default_rng(5)
    if spec == "bool":
        m = rng.random((n, s)) > 0.7
        m[:, 0] = False
        return lib.tensor(m)
    if spec == "float":
        return lib.tensor(rng.standard_normal((n, s)).astype(np.float32))
    if spec == "bool2d":
        m = rng.random((l_, s)) > 0.7
        m[:, 0] = False
        return lib.tensor(m)
    if spec == "float2d":
        return lib.tensor(rng.standard_normal((l_, s)).astype(np.float32))
    if spec == "float3d":
        return lib.tensor(rng.standard_normal((n * h, l_, s)).astype(np.float32))
    raise ValueError(spec)


@needs_torch
@pytest.mark.parametrize("ctor,call", CASES)
def test_multihead_attention_parity(ctor, call):
    E, H, L, S, N = 8, 2, 5, 6, 3
    mt = torch.nn.MultiheadAttention(E, H, **ctor)
    me = ember.nn.MultiheadAttention(E, H, **ctor)
    assert repr(me) == repr(mt).replace("torch", "ember")
    assert list(me.state_dict()) == list(mt.state_dict())
    copy_state(me, mt)
    rng = np.random.default_rng(1)
    bf = ctor.get("batch_first", False)
    kd, vd = ctor.get("kdim", E), ctor.get("vdim", E)
    shapes = [(L, N, E), (S, N, kd), (S, N, vd)]
    if bf:
        shapes = [(s[1], s[0], s[2]) for s in shapes]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    results = []
    for lib, m in ((ember, me), (torch, mt)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        kw = {k: (_masks(lib, v, N, H, L, S) if k in ("attn_mask", "key_padding_mask") else v)
              for k, v in call.items()}
        out, w = m(*ts, **kw)
        loss = out.pow(2).sum() + (w.sum() if w is not None else 0)
        loss.backward()
        results.append((out, w, [t.grad for t in ts], [p.grad for p in m.parameters()]))
    (oe, we, ge, pe), (ot, wt, gt, pt) = results
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    assert (we is None) == (wt is None)
    if we is not None:
        assert_close(we, wt, rtol=1e-4, atol=1e-5)
    for a, b in zip(ge + pe, gt + pt):
        assert_close(a, b, rtol=1e-3, atol=1e-4)


@needs_torch
def test_multihead_attention_unbatched():
    mt = torch.nn.MultiheadAttention(8, 4)
    me = ember.nn.MultiheadAttention(8, 4)
    copy_state(me, mt)
    x = np.random.default_rng(2).standard_normal((5, 8)).astype(np.float32)
    oe, we = me(*(ember.tensor(x),) * 3)
    ot, wt = mt(*(torch.tensor(x),) * 3)
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    assert_close(we, wt, rtol=1e-4, atol=1e-5)


def test_multihead_attention_init_and_errors():
    m = ember.nn.MultiheadAttention(16, 4)
    assert float(m.in_proj_bias.abs().sum()) == 0 and float(m.out_proj.bias.abs().sum()) == 0
    bound = np.sqrt(6 / (16 + 48))
    assert np.abs(m.in_proj_weight.detach().numpy()).max() <= bound
    with pytest.raises(AssertionError):
        ember.nn.MultiheadAttention(10, 3)
    m = ember.nn.MultiheadAttention(8, 2, add_bias_kv=True)
    assert list(m.state_dict()) == ["in_proj_weight", "in_proj_bias", "bias_k", "bias_v",
                                    "out_proj.weight", "out_proj.bias"]


# --- fused scaled_dot_product_attention: more options (float32 tolerances as above) ---

def _sdpa_both(arrays, mask=None, mask_grad=False, **kw):
    """Run SDPA in ember and torch on the same arrays; return [(out, grads)] per library."""
    res = []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        m = None
        if mask is not None:
            m = lib.tensor(mask, requires_grad=mask_grad and mask.dtype != bool)
        out = lib.nn.functional.scaled_dot_product_attention(*ts, attn_mask=m, **kw)
        out.pow(2).sum().backward()
        res.append((out, [t.grad for t in ts] + ([m.grad] if mask_grad else [])))
    return res


def _assert_pair(res, rtol=1e-4, atol=1e-5):
    (oe, ge), (ot, gt) = res
    assert oe.shape == tuple(ot.shape)
    assert_close(oe, ot, rtol=rtol, atol=atol)
    for a, b in zip(ge, gt):
        assert a.shape == tuple(b.shape)
        assert_close(a, b, rtol=rtol, atol=atol)


@needs_torch
def test_sdpa_broadcast_masks_and_mask_gradient():
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    k = rng.standard_normal((1, 3, 6, 4)).astype(np.float32)     # batch dim broadcasts
    v = rng.standard_normal((2, 1, 6, 7)).astype(np.float32)     # head dim broadcasts, Ev != E
    fm = rng.standard_normal((2, 1, 5, 6)).astype(np.float32)    # float mask gets a gradient
    _assert_pair(_sdpa_both([q, k, v], fm, mask_grad=True))
    bm = rng.random((3, 1, 6)) > 0.4                             # (H, 1, S) bool
    bm[..., 0] = True
    _assert_pair(_sdpa_both([q, k, v], bm))


@needs_torch
def test_sdpa_unbatched_gqa_causal_rectangular():
    rng = np.random.default_rng(4)
    a2 = [rng.standard_normal(s).astype(np.float32) for s in [(5, 4), (7, 4), (7, 3)]]
    _assert_pair(_sdpa_both(a2))
    _assert_pair(_sdpa_both(a2, is_causal=True, scale=0.25))      # L != S, top-left aligned
    gqa = [rng.standard_normal(s).astype(np.float32) for s in
           [(2, 6, 5, 4), (2, 2, 6, 4), (2, 3, 6, 4)]]
    _assert_pair(_sdpa_both(gqa, enable_gqa=True))


@needs_torch
def test_sdpa_fully_masked_rows_are_zero():
    rng = np.random.default_rng(6)
    arrs = [rng.standard_normal(s).astype(np.float32) for s in [(2, 4, 3), (2, 5, 3), (2, 5, 3)]]
    bm = rng.random((4, 5)) > 0.5
    bm[1] = False
    fm = np.where(bm, 0, -np.inf).astype(np.float32)
    for m in (bm, fm):
        res = _sdpa_both(arrs, m)
        assert float(res[0][0][:, 1].abs().sum()) == 0.0
        assert not np.isnan(res[0][0].detach().numpy()).any()
        _assert_pair(res)


@needs_torch
def test_sdpa_float64_and_grad_fn():
    rng = np.random.default_rng(7)
    arrs = [rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 2)]]
    res = _sdpa_both(arrs, is_causal=True)
    assert res[0][0].dtype == ember.float64
    _assert_pair(res, rtol=1e-10, atol=1e-12)
    assert "ScaledDotProductAttentionBackward0" in repr(res[0][0].grad_fn)


def _small(shape_list, seed=0):
    rng = np.random.default_rng(seed)
    return [ember.tensor(rng.standard_normal(s), requires_grad=True) for s in shape_list]


def test_sdpa_gradcheck_options():
    F = ember.nn.functional
    q, k, v, m = _small([(2, 3, 2), (2, 4, 2), (2, 4, 3), (3, 4)])
    gc, ggc = ember.autograd.gradcheck, ember.autograd.gradgradcheck
    assert gc(lambda a, b, c, d: F.scaled_dot_product_attention(a, b, c, attn_mask=d),
              (q, k, v, m))
    bm = ember.tensor(np.array([[True, False, True, False]] * 3))
    assert gc(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=bm), (q, k, v))
    assert gc(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True,
                                                             scale=0.3), (q, k, v))
    # double backward goes through the graph form of the fused backward
    assert ggc(lambda a, b, c, d: F.scaled_dot_product_attention(a, b, c, attn_mask=d),
               (q, k, v, m))
    assert ggc(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True),
               (q, k, v))


def test_sdpa_dropout():
    F = ember.nn.functional
    q, k, v = _small([(2, 3, 2), (2, 4, 2), (2, 4, 3)], seed=1)

    def seeded(a, b, c):
        ember.manual_seed(11)
        return F.scaled_dot_product_attention(a, b, c, dropout_p=0.4)
    assert ember.autograd.gradcheck(seeded, (q, k, v))
    # the kept weights are scaled by 1 / (1 - p): with v = 1 each output is
    # (sum of kept weights) / (1 - p), and its mean over many rows is about 1
    x = ember.randn(8, 64, 16)
    ones = ember.ones(8, 64, 16)
    out = F.scaled_dot_product_attention(x, x, ones, dropout_p=0.5)
    assert abs(float(out.mean()) - 1.0) < 0.05
    assert float((out == 0).float().mean()) < 0.05
    # dropout_p=1 drops everything
    assert float(F.scaled_dot_product_attention(x, x, ones, dropout_p=1.0).abs().sum()) == 0


def test_sdpa_errors():
    F = ember.nn.functional
    q = ember.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ember.zeros(3, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="heads"):
        F.scaled_dot_product_attention(ember.randn(1, 4, 3, 2), ember.randn(1, 3, 3, 2),
                                       ember.randn(1, 3, 3, 2), enable_gqa=True)
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, ember.randn(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ember.zeros(3, 3, dtype=ember.int64))


def test_sdpa_half_precision_computes_in_float32():
    rng = np.random.default_rng(8)
    arrs = [rng.standard_normal((2, 5, 8)).astype(np.float32) for _ in range(3)]
    ref = ember.nn.functional.scaled_dot_product_attention(*[ember.tensor(a) for a in arrs])
    for dt in (ember.float16, ember.bfloat16):
        out = ember.nn.functional.scaled_dot_product_attention(
            *[ember.tensor(a).to(dt) for a in arrs])
        assert out.dtype == dt
        assert np.allclose(out.float().numpy(), ref.numpy(), atol=5e-2)


# --- MultiheadAttention: self-attention (one packed GEMM), causal hint, train mode ---

@needs_torch
@pytest.mark.parametrize("ctor,call", [
    ({}, {}),
    ({"batch_first": True}, {"key_padding_mask": "bool"}),
    ({"batch_first": True, "bias": False}, {"attn_mask": "bool2d", "need_weights": False}),
    ({}, {"attn_mask": "causal", "is_causal": True, "need_weights": False}),
    ({}, {"attn_mask": "causal", "is_causal": True, "key_padding_mask": "float"}),
    ({"dropout": 0.3}, {"train": True, "need_weights": False}),   # train mode, p > 0: shapes
])
def test_multihead_self_attention_parity(ctor, call):
    E, H, L, N = 8, 2, 5, 3
    mt = torch.nn.MultiheadAttention(E, H, **ctor)
    me = ember.nn.MultiheadAttention(E, H, **ctor)
    copy_state(me, mt)
    call = dict(call)
    train = call.pop("train", False)
    me.train(train)
    mt.train(train)
    bf = ctor.get("batch_first", False)
    x = np.random.default_rng(9).standard_normal((N, L, E) if bf else (L, N, E)).astype(np.float32)
    results = []
    for lib, m in ((ember, me), (torch, mt)):
        t = lib.tensor(x, requires_grad=True)
        kw = {}
        for key, val in call.items():
            if val == "causal":
                kw[key] = lib.nn.Transformer.generate_square_subsequent_mask(L)
            elif key in ("attn_mask", "key_padding_mask"):
                kw[key] = _masks(lib, val, N, H, L, L)
            else:
                kw[key] = val
        out, w = m(t, t, t, **kw)
        loss = out.pow(2).sum() + (w.sum() if w is not None else 0)
        loss.backward()
        results.append((out, w, [t.grad] + [p.grad for p in m.parameters()]))
    (oe, we, ge), (ot, wt, gt) = results
    assert oe.shape == tuple(ot.shape) and (we is None) == (wt is None)
    if train:   # dropout streams differ from PyTorch's: check shapes and that grads flow
        assert all(a.shape == tuple(b.shape) for a, b in zip(ge, gt))
        return
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    if we is not None:
        assert_close(we, wt, rtol=1e-4, atol=1e-5)
    for a, b in zip(ge, gt):
        assert_close(a, b, rtol=1e-3, atol=1e-4)


@needs_torch
def test_multihead_attention_unbatched_masks_and_grads():
    E, H, L, S = 8, 2, 4, 6
    mt = torch.nn.MultiheadAttention(E, H, kdim=5, vdim=3)
    me = ember.nn.MultiheadAttention(E, H, kdim=5, vdim=3)
    copy_state(me, mt)
    rng = np.random.default_rng(10)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(L, E), (S, 5), (S, 3)]]
    kpm = rng.random(S) > 0.6
    kpm[0] = False
    am = rng.standard_normal((H, L, S)).astype(np.float32)
    results = []
    for lib, m in ((ember, me), (torch, mt)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out, w = m(*ts, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am),
                   average_attn_weights=False)
        (out.pow(2).sum() + w.pow(2).sum()).backward()
        results.append((out, w, [t.grad for t in ts] + [p.grad for p in m.parameters()]))
    (oe, we, ge), (ot, wt, gt) = results
    assert we.shape == (H, L, S) == tuple(wt.shape)
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    assert_close(we, wt, rtol=1e-4, atol=1e-5)
    for a, b in zip(ge, gt):
        assert_close(a, b, rtol=1e-3, atol=1e-4)


@needs_torch
def test_multihead_attention_reprs_and_keys():
    for kw in ({}, {"kdim": 4, "vdim": 6}, {"bias": False, "add_bias_kv": True},
               {"batch_first": True, "dropout": 0.1}):
        mt = torch.nn.MultiheadAttention(8, 2, **kw)
        me = ember.nn.MultiheadAttention(8, 2, **kw)
        assert repr(me) == repr(mt).replace("torch", "ember")
        assert {k: tuple(v.shape) for k, v in me.state_dict().items()} == \
            {k: tuple(v.shape) for k, v in mt.state_dict().items()}
        assert list(me.state_dict()) == list(mt.state_dict())
    assert type(me.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(me.out_proj, ember.nn.Linear)


def test_multihead_attention_bad_inputs():
    m = ember.nn.MultiheadAttention(8, 2)
    x = ember.randn(5, 3, 8)
    with pytest.raises(AssertionError, match="embedding dimension of 8"):
        m(ember.randn(5, 3, 6), ember.randn(5, 3, 6), ember.randn(5, 3, 6))
    with pytest.raises(AssertionError, match="2D or batched 3D"):
        m(ember.randn(8), ember.randn(8), ember.randn(8))
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(4, 5))
    with pytest.raises(RuntimeError, match="3D attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(3, 5, 5))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="key_padding_mask"):
        m(x, x, x, key_padding_mask=ember.zeros(3, 4, dtype=ember.bool))
