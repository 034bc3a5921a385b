"""scaled_dot_product_attention and MultiheadAttention against PyTorch."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close

RNG = np.random.default_rng(0)
Q, K, V = (RNG.standard_normal(s).astype(np.float32) for s in [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4)])
BOOL_MASK = RNG.random((5, 6)) > 0.3
BOOL_MASK[:, 0] = True   # every query may attend somewhere
FLOAT_MASK = RNG.standard_normal((5, 6)).astype(np.float32)


def _lib_mask(lib, m):
    return None if m is None else lib.tensor(m)


@needs_torch
@pytest.mark.parametrize("mask,kw", [(None, {}), (BOOL_MASK, {}), (FLOAT_MASK, {}),
                                     (None, {"scale": 0.3}), (None, {"is_causal": True})])
def test_sdpa_parity(mask, kw):
    outs, grads = [], []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in (Q, K, V)]
        out = lib.nn.functional.scaled_dot_product_attention(*ts, attn_mask=_lib_mask(lib, mask),
                                                             **kw)
        (out * lib.tensor(np.arange(out.numel(), dtype=np.float32).reshape(out.shape) / 50)).sum().backward()
        outs.append(out)
        grads.append([t.grad for t in ts])
    assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    for a, b in zip(*grads):
        assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_sdpa_gradcheck_and_errors():
    ts = [ember.tensor(a[:1, :1].astype(np.float64), requires_grad=True) for a in (Q, K, V)]
    F = ember.nn.functional
    assert ember.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), ts)
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
    me.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
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
    me.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
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
