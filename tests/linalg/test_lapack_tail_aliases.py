"""torch.lu_unpack / geqrf / orgqr / ormqr, torch.binomial, torch.pdist / vmap / GradScaler
at top level: parity with torch on the same inputs."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

SHAPES = [(5, 4), (4, 5), (4, 4), (2, 3, 3)]


def _rand(shape, seed=0):
    return np.random.RandomState(seed).randn(*shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_lu_unpack_matches_torch(shape):
    a = _rand(shape)
    lu, piv = torch.linalg.lu_factor(torch.tensor(a))
    got = ember.lu_unpack(ember.tensor(lu.numpy()), ember.tensor(piv.numpy()))
    want = torch.lu_unpack(lu, piv)
    assert type(got).__name__ == "lu_unpack" and got._fields == ("P", "L", "U")
    for g, w in zip(got, want):
        assert g.dtype == ember.float64 and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.numpy(), w.numpy(), atol=1e-12)
    p, l_, u = got
    np.testing.assert_allclose((p @ l_ @ u).numpy(), a, atol=1e-12)


def test_lu_unpack_skips_parts_and_passes_gradients():
    a = _rand((4, 4))
    lu, piv = ember.linalg.lu_factor(ember.tensor(a))
    p, l_, u = ember.lu_unpack(lu, piv, unpack_data=False)
    assert tuple(l_.shape) == (0,) and tuple(u.shape) == (0,) and tuple(p.shape) == (4, 4)
    p, l_, u = ember.lu_unpack(lu, piv, unpack_pivots=False)
    assert tuple(p.shape) == (0,)
    lu_g = lu.clone().requires_grad_()
    assert ember.autograd.gradcheck(lambda x: ember.lu_unpack(x, piv)[1:], (lu_g,))
    with pytest.raises(RuntimeError):
        ember.lu_unpack(lu, piv[:2])


@pytest.mark.parametrize("shape", SHAPES)
def test_geqrf_orgqr_ormqr_match_torch(shape):
    a = _rand(shape)
    ta, tt = torch.geqrf(torch.tensor(a))
    ea, et = ember.geqrf(ember.tensor(a))
    np.testing.assert_allclose(ea.numpy(), ta.numpy(), atol=1e-12)
    np.testing.assert_allclose(et.numpy(), tt.numpy(), atol=1e-12)
    if shape[-2] >= shape[-1]:
        np.testing.assert_allclose(ember.orgqr(ea, et).numpy(), torch.orgqr(ta, tt).numpy(),
                                   atol=1e-12)
    m = shape[-2]
    for left in (True, False):
        other = _rand(shape[:-2] + ((m, 3) if left else (3, m)), 2)
        for transpose in (False, True):
            want = torch.ormqr(ta, tt, torch.tensor(other), left, transpose)
            got = ember.ormqr(ea, et, ember.tensor(other), left, transpose)
            np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)


def test_binomial_draws_in_range_with_torch_dtype_and_errors():
    count = ember.tensor([0.0, 5.0, 10.0, 20.0])
    prob = ember.tensor([0.5, 0.0, 1.0, 0.3])
    x = ember.binomial(count, prob)
    want = torch.binomial(torch.tensor(count.numpy()), torch.tensor(prob.numpy()))
    assert str(x.dtype).split(".")[1] == str(want.dtype).split(".")[1] == "float32"
    v = x.numpy()
    assert v[0] == 0 and v[1] == 0 and v[2] == 10 and 0 <= v[3] <= 20
    with pytest.raises(ValueError, match="floating-point dtypes for count, got: Long"):
        ember.binomial(ember.tensor([1, 2]), ember.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="floating-point dtypes for count, got: Long"):
        torch.binomial(torch.tensor([1, 2]), torch.tensor([0.5, 0.5]))


def test_binomial_moments_follow_the_distribution():
    # 20,000 draws of Binomial(n, p): the sample mean and variance must be within 5
    # standard errors of n*p and n*p*(1-p), and manual_seed makes the draws repeat.
    n, p, draws = 30.0, 0.3, 20000
    ember.manual_seed(0)
    x = ember.binomial(ember.full((draws,), n), ember.full((draws,), p)).numpy()
    ember.manual_seed(0)
    again = ember.binomial(ember.full((draws,), n), ember.full((draws,), p)).numpy()
    np.testing.assert_array_equal(x, again)
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= n
    mean, var = n * p, n * p * (1 - p)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / draws)
    # the sample variance's standard error is about var * sqrt(2 / draws) for a near-normal law
    assert abs(x.var() - var) < 5 * var * np.sqrt(2 / draws)


def test_top_level_aliases():
    assert ember.vmap is ember.func.vmap
    assert ember.GradScaler is ember.amp.GradScaler
    x = _rand((5, 3))
    np.testing.assert_allclose(ember.pdist(ember.tensor(x)).numpy(),
                               torch.pdist(torch.tensor(x)).numpy(), atol=1e-12)
