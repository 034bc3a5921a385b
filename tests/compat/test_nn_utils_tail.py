"""nn.utils.parametrize / parametrizations, legacy weight_norm / spectral_norm, prune:
state_dict keys, values and gradients against PyTorch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
import torch.nn.utils.prune  # noqa: E402,F401,F811

W = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
X = np.random.default_rng(1).normal(size=(2, 6)).astype(np.float32)


def _linear(lib):
    m = lib.nn.Linear(6, 4)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W))
        m.bias.zero_()
    return m


def _np(t):
    return t.detach().numpy()


def test_weight_norm_parametrization_matches_torch():
    out = []
    for lib in (ember, torch):
        m = lib.nn.utils.parametrizations.weight_norm(_linear(lib), dim=0)
        y = m(lib.tensor(X))
        y.pow(2).sum().backward()
        pw = m.parametrizations.weight
        out.append((type(m).__name__, sorted(m.state_dict()), _np(y), _np(pw.original0.grad),
                    _np(pw.original1.grad)))
        m.weight = lib.ones(4, 6)
        out[-1] += (_np(pw.original0),)
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
        out[-1] += (type(m).__name__, sorted(m.state_dict()), _np(m.weight))
    e, t = out
    assert e[0] == t[0] == "ParametrizedLinear" and e[1] == t[1]
    for a, b in zip(e[2:6], t[2:6]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert e[6] == t[6] == "Linear" and e[7] == t[7]
    np.testing.assert_allclose(e[8], t[8], rtol=1e-6)


def test_custom_parametrization_and_cached():
    class Symmetric(ember.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)
    m = ember.nn.Linear(3, 3)
    ember.nn.utils.parametrize.register_parametrization(m, "weight", Symmetric())
    np.testing.assert_allclose(_np(m.weight), _np(m.weight).T)
    assert ember.nn.utils.parametrize.is_parametrized(m, "weight")
    assert ember.nn.utils.parametrize.type_before_parametrizations(m) is ember.nn.Linear
    with ember.nn.utils.parametrize.cached():
        assert m.weight is m.weight
    with pytest.raises(RuntimeError, match="right_inverse"):
        m.weight = ember.ones(3, 3)


def test_spectral_norm_parametrization_with_torch_vectors():
    e = ember.nn.utils.parametrizations.spectral_norm(_linear(ember))
    t = torch.nn.utils.parametrizations.spectral_norm(_linear(torch))
    assert sorted(e.state_dict()) == sorted(t.state_dict())
    with ember.no_grad():   # same power-iteration start as torch's
        e.parametrizations.weight[0]._u.copy_(ember.tensor(_np(t.parametrizations.weight[0]._u)))
        e.parametrizations.weight[0]._v.copy_(ember.tensor(_np(t.parametrizations.weight[0]._v)))
    for _ in range(3):
        np.testing.assert_allclose(_np(e(ember.tensor(X))), _np(t(torch.tensor(X))), rtol=1e-4,
                                   atol=1e-5)
    e.eval()
    t.eval()
    np.testing.assert_allclose(_np(e.weight), _np(t.weight), rtol=1e-4, atol=1e-6)
    sigma = np.linalg.svd(W, compute_uv=False)[0]
    np.testing.assert_allclose(np.linalg.svd(_np(e.weight), compute_uv=False)[0], 1.0, rtol=1e-2)
    assert sigma > 1


def test_legacy_weight_norm_and_spectral_norm():
    for lib in (ember, torch):
        m = lib.nn.utils.weight_norm(_linear(lib))
        assert sorted(m.state_dict()) == ["bias", "weight_g", "weight_v"]
        np.testing.assert_allclose(_np(m(lib.tensor(X))), X @ W.T, rtol=1e-5, atol=1e-5)
        lib.nn.utils.remove_weight_norm(m)
        assert sorted(m.state_dict()) == ["bias", "weight"]
        s = lib.nn.utils.spectral_norm(_linear(lib))
        assert sorted(s.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
        for _ in range(30):
            s(lib.tensor(X))
        np.testing.assert_allclose(np.linalg.svd(_np(s.weight), compute_uv=False)[0], 1.0,
                                   rtol=1e-3)
        lib.nn.utils.remove_spectral_norm(s)
        assert sorted(s.state_dict()) == ["bias", "weight"]


def test_prune_matches_torch():
    res = []
    for lib in (ember, torch):
        P = lib.nn.utils.prune
        m = _linear(lib)
        P.l1_unstructured(m, "weight", amount=0.3)
        keys = sorted(m.state_dict())
        P.l1_unstructured(m, "weight", amount=2)
        P.ln_structured(m, "weight", amount=1, n=2, dim=0)
        mask = _np(m.weight_mask).copy()
        m(lib.tensor(X)).sum().backward()
        grad = _np(m.weight_orig.grad).copy()
        pruned = P.is_pruned(m)
        P.remove(m, "weight")
        a, b = _linear(lib), lib.nn.Linear(3, 2)
        P.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=P.L1Unstructured,
                              amount=5)
        zeros = int((a.weight == 0).sum()) + int((b.weight == 0).sum())
        c = lib.nn.Linear(4, 3)
        P.custom_from_mask(c, "weight", lib.tensor([[1, 0, 1, 0]] * 3))
        res.append((keys, mask, grad, pruned, sorted(m.state_dict()), zeros,
                    int((c.weight == 0).sum())))
    e, t = res
    assert e[0] == t[0] == ["bias", "weight_mask", "weight_orig"]
    np.testing.assert_array_equal(e[1], t[1])
    np.testing.assert_allclose(e[2], t[2], rtol=1e-6)
    assert e[3:] == t[3:]
    with pytest.raises(ValueError, match="has to be pruned"):
        ember.nn.utils.prune.remove(ember.nn.Linear(2, 2), "weight")
