"""ember.distributions against torch.distributions: log_prob, entropy, mean, variance,
kl_divergence on the same parameters; rsample gradients; validation errors."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
POS = RNG.uniform(0.5, 3.0, (3,))
POS2 = RNG.uniform(0.5, 3.0, (3,))
LOC = RNG.normal(size=(3,))
PROB = RNG.uniform(0.1, 0.9, (3,))
LOGITS = RNG.normal(size=(2, 4))
SIMPLEX = RNG.dirichlet([1.0, 2.0, 3.0], size=2)
A = RNG.normal(size=(3, 3))
COV = A @ A.T + 3 * np.eye(3)


def _t(lib, x, dtype=None):
    return lib.tensor(np.asarray(x), dtype=dtype or lib.float64)


# name -> (constructor(lib), values to score)
CASES = {
    "Normal": (lambda L: L.distributions.Normal(_t(L, LOC), _t(L, POS)), RNG.normal(size=(3,))),
    "Uniform": (lambda L: L.distributions.Uniform(_t(L, LOC), _t(L, LOC + POS)),
                LOC + 0.3 * POS),
    "Bernoulli": (lambda L: L.distributions.Bernoulli(probs=_t(L, PROB)), [1.0, 0.0, 1.0]),
    "BernoulliLogits": (lambda L: L.distributions.Bernoulli(logits=_t(L, LOC)), [0.0, 1.0, 1.0]),
    "Categorical": (lambda L: L.distributions.Categorical(logits=_t(L, LOGITS)), None),
    "CategoricalProbs": (lambda L: L.distributions.Categorical(probs=_t(L, np.exp(LOGITS))), None),
    "Gamma": (lambda L: L.distributions.Gamma(_t(L, POS), _t(L, POS2)), RNG.uniform(0.1, 3, (3,))),
    "Exponential": (lambda L: L.distributions.Exponential(_t(L, POS)), RNG.uniform(0.1, 3, (3,))),
    "Beta": (lambda L: L.distributions.Beta(_t(L, POS), _t(L, POS2)), RNG.uniform(0.1, 0.9, (3,))),
    "Dirichlet": (lambda L: L.distributions.Dirichlet(_t(L, POS)), SIMPLEX),
    "MVNcov": (lambda L: L.distributions.MultivariateNormal(_t(L, LOC), _t(L, COV)),
               RNG.normal(size=(4, 3))),
    "MVNtril": (lambda L: L.distributions.MultivariateNormal(
        _t(L, LOC), scale_tril=_t(L, np.linalg.cholesky(COV))), RNG.normal(size=(2, 3))),
    "MVNprec": (lambda L: L.distributions.MultivariateNormal(
        _t(L, LOC), precision_matrix=_t(L, np.linalg.inv(COV))), RNG.normal(size=(2, 3))),
    "Independent": (lambda L: L.distributions.Independent(
        L.distributions.Normal(_t(L, LOC), _t(L, POS)), 1), RNG.normal(size=(2, 3))),
}


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_entropy_moments_match_torch(name):
    make, values = CASES[name]
    e, t = make(ember), make(torch)
    if values is None:
        values = np.array([[0, 3, 1, 2], [1, 1, 0, 3]]).T[:, :2]
        ev, tv = ember.tensor(values), torch.tensor(values)
    else:
        ev, tv = _t(ember, values), _t(torch, values)
    np.testing.assert_allclose(_np(e.log_prob(ev)), _np(t.log_prob(tv)), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(_np(e.entropy()), _np(t.entropy()), rtol=1e-9, atol=1e-10)
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    for attr in ("mean", "variance"):
        if name.startswith("Categorical"):
            continue
        np.testing.assert_allclose(_np(getattr(e, attr)), _np(getattr(t, attr)), rtol=1e-9)
    s = e.sample((5,))
    assert tuple(s.shape) == tuple(t.sample((5,)).shape)
    assert bool(e.support.check(s).all())
    assert repr(e).replace("ember", "torch").split("(")[0] == repr(t).split("(")[0]


KL_PAIRS = [("Normal", "Normal"), ("Bernoulli", "BernoulliLogits"), ("Gamma", "Gamma"),
            ("Beta", "Beta"), ("Dirichlet", "Dirichlet"), ("MVNcov", "MVNtril"),
            ("Exponential", "Exponential"), ("Independent", "Independent")]


@pytest.mark.parametrize("p,q", KL_PAIRS)
def test_kl_divergence_matches_torch(p, q):
    def pair(L):
        a = CASES[p][0](L)
        b = CASES[q][0](L)
        if p == q:   # a different second distribution of the same family
            b = b.expand(b.batch_shape)
            if p in ("Normal",):
                b = L.distributions.Normal(_t(L, LOC[::-1].copy()), _t(L, POS2))
            elif p in ("Gamma", "Beta"):
                b = type(a)(_t(L, POS2), _t(L, POS))
            elif p == "Dirichlet":
                b = L.distributions.Dirichlet(_t(L, POS2))
            elif p == "Exponential":
                b = L.distributions.Exponential(_t(L, POS2))
            elif p == "Independent":
                b = L.distributions.Independent(L.distributions.Normal(_t(L, LOC), _t(L, POS2)), 1)
        return L.distributions.kl_divergence(a, b)
    np.testing.assert_allclose(_np(pair(ember)), _np(pair(torch)), rtol=1e-8, atol=1e-10)
    e = ember.distributions
    c1 = e.Categorical(logits=_t(ember, LOGITS))
    c2 = e.Categorical(logits=_t(ember, LOGITS[::-1].copy()))
    tc = torch.distributions
    np.testing.assert_allclose(
        _np(e.kl_divergence(c1, c2)),
        _np(tc.kl_divergence(tc.Categorical(logits=_t(torch, LOGITS)),
                             tc.Categorical(logits=_t(torch, LOGITS[::-1].copy())))), rtol=1e-9)


def test_kl_unregistered_pair_raises():
    with pytest.raises(NotImplementedError, match="No KL"):
        ember.distributions.kl_divergence(ember.distributions.Normal(0.0, 1.0),
                                          ember.distributions.Gamma(1.0, 1.0))


def test_rsample_gradients():
    # Normal: d/dloc sum(x) = n, d/dscale sum(x) = sum(eps)
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([1.0, 2.0], requires_grad=True)
    x = ember.distributions.Normal(loc, scale).rsample((1000,))
    x.sum().backward()
    eps = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(loc.grad.numpy(), [1000, 1000])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-4)
    # Gamma: the implicit gradient for the same sample equals torch's
    pytest.importorskip("scipy")
    alpha = np.array([0.7, 2.5, 9.0])
    ea = ember.tensor(alpha, requires_grad=True)
    xe = ember.distributions.Gamma(ea, ember.ones(3, dtype=ember.float64)).rsample()
    xe.sum().backward()
    ta = torch.tensor(alpha, requires_grad=True)
    expected = torch._standard_gamma_grad(ta, torch.tensor(xe.detach().numpy()))
    np.testing.assert_allclose(ea.grad.numpy(), expected.detach().numpy(), rtol=1e-4)
    # MultivariateNormal: gradients reach the location and the covariance
    locm = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    cov = ember.tensor([[2.0, 0.3], [0.3, 1.0]], dtype=ember.float64, requires_grad=True)
    mvn = ember.distributions.MultivariateNormal(locm, cov)
    mvn.log_prob(ember.tensor([0.3, -0.2], dtype=ember.float64)).backward()
    tl = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    tcov = torch.tensor([[2.0, 0.3], [0.3, 1.0]], dtype=torch.float64, requires_grad=True)
    torch.distributions.MultivariateNormal(tl, tcov).log_prob(
        torch.tensor([0.3, -0.2], dtype=torch.float64)).backward()
    np.testing.assert_allclose(locm.grad.numpy(), tl.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(cov.grad.numpy(), tcov.grad.numpy(), rtol=1e-7, atol=1e-10)


def test_sampling_statistics():
    ember.manual_seed(0)
    c = ember.distributions.Categorical(probs=ember.tensor([0.2, 0.3, 0.5]))
    counts = np.bincount(c.sample((20000,)).numpy(), minlength=3) / 20000
    np.testing.assert_allclose(counts, [0.2, 0.3, 0.5], atol=0.02)
    g = ember.distributions.Gamma(ember.tensor(3.0), ember.tensor(2.0)).sample((20000,))
    assert abs(float(g.mean()) - 1.5) < 0.05
    d = ember.distributions.Dirichlet(ember.tensor([1.0, 2.0, 3.0])).sample((5000,))
    np.testing.assert_allclose(d.mean(0).numpy(), [1 / 6, 2 / 6, 3 / 6], atol=0.02)


def test_validation_messages():
    D = ember.distributions
    with pytest.raises(ValueError, match=r"Expected parameter scale \(Tensor of shape \(\)\) of "
                                         r"distribution Normal\(loc: tensor\(0\.\), scale: "
                                         r"tensor\(-1\.\)\) to satisfy the constraint "
                                         r"GreaterThan\(lower_bound=0\.0\)"):
        D.Normal(0.0, -1.0)
    D.Normal(0.0, -1.0, validate_args=False)
    with pytest.raises(ValueError, match="to be within the support"):
        D.Bernoulli(probs=ember.tensor([0.5])).log_prob(ember.tensor([2.0]))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        D.Categorical()
    with pytest.raises(ValueError, match="Exactly one of"):
        D.MultivariateNormal(ember.zeros(2))


def test_reinforce_style_loss_backward():
    logits = ember.randn(4, 3, requires_grad=True)
    m = ember.distributions.Categorical(logits=logits)
    a = m.sample()
    (-m.log_prob(a).sum()).backward()
    assert logits.grad.shape == (4, 3)
