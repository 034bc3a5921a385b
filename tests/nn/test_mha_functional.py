"""F.multi_head_attention_forward: parity with torch's functional on the same weights."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

E, H, L, S, N = 8, 2, 3, 4, 2



def _weights(rng, kdim=E, vdim=E, bias=True, bias_kv=False):
    w = {"in_proj_weight": rng.standard_normal((3 * E, E)),
         "q_proj_weight": rng.standard_normal((E, E)),
         "k_proj_weight": rng.standard_normal((E, kdim)),
         "v_proj_weight": rng.standard_normal((E, vdim)),
         "out_proj_weight": rng.standard_normal((E, E))}
    if bias:
        w["in_proj_bias"] = rng.standard_normal(3 * E)
        w["out_proj_bias"] = rng.standard_normal(E)
    if bias_kv:
        w["bias_k"] = rng.standard_normal((1, 1, E))
        w["bias_v"] = rng.standard_normal((1, 1, E))
    return w



def _run(q, k, v, w, **kw):
    outs = []
    for lib in (ember, torch):
        t = ember.tensor if lib is ember else torch.tensor
        fn = F.multi_head_attention_forward if lib is ember else TF.multi_head_attention_forward
        g = {n: t(a) for n, a in w.items()}
        extra = {n: (t(a) if isinstance(a, np.ndarray) else a) for n, a in kw.items()}
        tq = t(q)
        tk = tq if k is q else t(k)
        tv = tq if v is q else t(v)
        sep = extra.pop("use_separate_proj_weight", False)
        outs.append(fn(tq, tk, tv, E, H, g["in_proj_weight"], g.get("in_proj_bias"),
                       g.get("bias_k"), g.get("bias_v"), extra.pop("add_zero_attn", False),
                       0.0, g["out_proj_weight"], g.get("out_proj_bias"), training=False,
                       use_separate_proj_weight=sep, q_proj_weight=g["q_proj_weight"],
                       k_proj_weight=g["k_proj_weight"], v_proj_weight=g["v_proj_weight"],
                       **extra))
    (eo, ew), (to, tw) = outs
    np.testing.assert_allclose(eo.numpy(), to.numpy(), rtol=1e-6, atol=1e-8)
    if tw is None:
        assert ew is None
    else:
        assert ew.shape == tuple(tw.shape)
        np.testing.assert_allclose(ew.numpy(), tw.numpy(), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_self_and_cross_attention(need_weights, average):
    rng = np.random.default_rng(0)
    w = _weights(rng)
    q = rng.standard_normal((L, N, E))
    _run(q, q, q, w, need_weights=need_weights, average_attn_weights=average)
    k, v = rng.standard_normal((S, N, E)), rng.standard_normal((S, N, E))
    _run(q, k, v, w, need_weights=need_weights, average_attn_weights=average)


def test_masks_bias_kv_zero_attn():
    rng = np.random.default_rng(1)
    w = _weights(rng, bias_kv=True)
    q, k, v = (rng.standard_normal((L, N, E)), rng.standard_normal((S, N, E)),
               rng.standard_normal((S, N, E)))
    kpm = np.zeros((N, S), bool)
    kpm[0, -1] = True
    am = np.triu(np.ones((L, S), bool), 2)
    for add_zero in (False, True):
        _run(q, k, v, w, key_padding_mask=kpm, attn_mask=am, add_zero_attn=add_zero)
        _run(q, k, v, w, attn_mask=rng.standard_normal((N * H, L, S)),
             add_zero_attn=add_zero, average_attn_weights=False)
        _run(q, k, v, w, key_padding_mask=rng.standard_normal((N, S)),
             add_zero_attn=add_zero, need_weights=False)


def test_separate_proj_weights_unbatched_and_no_bias():
    rng = np.random.default_rng(2)
    w = _weights(rng, kdim=5, vdim=6)
    q, k, v = (rng.standard_normal((L, N, E)), rng.standard_normal((S, N, 5)),
               rng.standard_normal((S, N, 6)))
    _run(q, k, v, w, use_separate_proj_weight=True)
    _run(q[:, 0], k[:, 0], v[:, 0], w, use_separate_proj_weight=True,
         key_padding_mask=np.array([False, True, False, False]))
    w = _weights(rng, bias=False)
    _run(q, q, q, w)


def test_static_kv():
    rng = np.random.default_rng(3)
    w = _weights(rng)
    q, k = rng.standard_normal((L, N, E)), rng.standard_normal((S, N, E))
    sk, sv = rng.standard_normal((N * H, 5, E // H)), rng.standard_normal((N * H, 5, E // H))
    _run(q, k, k, w, static_k=sk, static_v=sv, add_zero_attn=True,
         key_padding_mask=np.zeros((N, 5), bool))


@pytest.mark.parametrize("batch_first", [False, True])
def test_module_matches_functional_and_torch(batch_first):
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(E, H, batch_first=batch_first, add_bias_kv=True,
                                    kdim=5, vdim=6)
    tm = torch.nn.MultiheadAttention(E, H, batch_first=batch_first, add_bias_kv=True,
                                     kdim=5, vdim=6, dtype=torch.float32)
    tm.load_state_dict({n: torch.tensor(p.numpy()) for n, p in m.state_dict().items()})
    rng = np.random.default_rng(4)
    shp = (N, L) if batch_first else (L, N)
    q = rng.standard_normal(shp + (E,)).astype(np.float32)
    k = rng.standard_normal(shp[:1] + (S,) + (5,) if batch_first else (S, N, 5)).astype(
        np.float32)
    v = rng.standard_normal(k.shape[:-1] + (6,)).astype(np.float32)
    eo, ew = m(*map(ember.tensor, (q, k, v)))
    to, tw = tm(*map(torch.tensor, (q, k, v)))
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), rtol=1e-4,
                               atol=1e-5)


def test_gradients_flow_to_weights():
    rng = np.random.default_rng(5)
    w = {n: ember.tensor(a, requires_grad=True) for n, a in _weights(rng).items()}
    q = ember.tensor(rng.standard_normal((L, N, E)), requires_grad=True)

    def f(q, wi, bi, wo, bo):
        return F.multi_head_attention_forward(q, q, q, E, H, wi, bi, None, None, False, 0.0,
                                              wo, bo, training=False)[0]
    assert ember.autograd.gradcheck(f, (q, w["in_proj_weight"], w["in_proj_bias"],
                                        w["out_proj_weight"], w["out_proj_bias"]))


def test_errors():
    rng = np.random.default_rng(6)
    w = {n: ember.tensor(a) for n, a in _weights(rng).items()}
    q = ember.tensor(rng.standard_normal((L, N, E)))
    args = (E, H, w["in_proj_weight"], w["in_proj_bias"], None, None, False, 0.0,
            w["out_proj_weight"], w["out_proj_bias"])
    with pytest.raises(AssertionError, match="embedding dimension"):
        F.multi_head_attention_forward(q, q, q, 4, H, *args[2:])
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        F.multi_head_attention_forward(q, q, q, *args, is_causal=True)
    with pytest.raises(AssertionError, match="static key"):
        F.multi_head_attention_forward(
            q, q, q, E, H, w["in_proj_weight"], w["in_proj_bias"],
            ember.zeros(1, 1, E), ember.zeros(1, 1, E), False, 0.0, w["out_proj_weight"],
            w["out_proj_bias"], static_k=ember.zeros(N * H, 2, E // H))
