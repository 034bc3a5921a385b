"""ember.special against torch.special: every function's values and dtype, gradients where
PyTorch has them, float64 gradcheck, and errors where it has none."""
import numpy as np
import pytest

import ember
import ember.special as S
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")

POS = (0.2, 3.0)       # domain of functions defined for positive inputs
ANY = (-2.5, 2.5)
UNIT = (0.05, 0.95)

# name, domain, differentiable in torch
UNARY = [
    ("erfc", ANY, True), ("erfinv", (-0.9, 0.9), True), ("erfcx", ANY, True),
    ("gammaln", POS, True), ("digamma", POS, True), ("psi", POS, True),
    ("i0", ANY, True), ("i0e", ANY, True), ("i1", ANY, True), ("i1e", ANY, True),
    ("ndtr", ANY, True), ("ndtri", UNIT, True), ("log_ndtr", ANY, True),
    ("sinc", ANY, True), ("entr", POS, True), ("expit", ANY, True), ("exp2", ANY, True),
    ("expm1", ANY, True), ("log1p", POS, True), ("erf", ANY, True),
    ("bessel_j0", ANY, False), ("bessel_j1", ANY, False), ("bessel_y0", POS, False),
    ("bessel_y1", POS, False), ("modified_bessel_i0", ANY, False),
    ("modified_bessel_i1", ANY, False), ("modified_bessel_k0", POS, False),
    ("modified_bessel_k1", POS, False), ("scaled_modified_bessel_k0", POS, False),
    ("scaled_modified_bessel_k1", POS, False), ("spherical_bessel_j0", ANY, False),
    ("airy_ai", ANY, False),
]


LOOSE = {"airy_ai": 1e-4}


def _x(domain, n=11, seed=0):
    lo, hi = domain
    return np.random.default_rng(seed).uniform(lo, hi, n)


@pytest.mark.parametrize("name,domain,diff", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_unary_values_and_gradients_match_torch(name, domain, diff, dtype):
    arr = _x(domain).astype(dtype)
    e = ember.tensor(arr, requires_grad=diff)
    t = torch.tensor(arr, requires_grad=diff)
    eo, to = getattr(S, name)(e), getattr(torch.special, name)(t)
    tol = 1e-12 if dtype == "float64" else 2e-6
    # torch's own airy_ai is a coarser approximation than SciPy's (3e-5 relative near 2.2)
    rtol = LOOSE.get(name, tol * 10)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=rtol,
                               atol=tol, err_msg=name)
    assert str(eo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    if diff:
        eo.sum().backward()
        to.sum().backward()
        # torch's trigamma (digamma's derivative) is a short series: 5e-10 relative
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=max(tol * 100, 2e-9),
                                   atol=tol,
                                   err_msg=name)


@pytest.mark.parametrize("name,domain", [(u[0], u[1]) for u in UNARY if u[2]])
def test_unary_gradcheck(name, domain):
    x = ember.tensor(_x(domain, 5, 1), requires_grad=True)
    assert gradcheck(getattr(S, name), (x,), eps=1e-6, atol=1e-5)


def test_no_derivative_raises_like_torch():
    x = ember.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="derivative"):
        S.bessel_j0(x).sum().backward()


@pytest.mark.parametrize("name,args", [
    ("xlogy", ((0.0, 1.0, 2.0, -1.0), (2.0, 0.5, 3.0, 4.0))),
    ("xlog1py", ((0.0, 1.0, 2.0), (2.0, 0.5, -0.5))),
    ("zeta", ((2.0, 3.0, 4.5), (1.0, 2.0, 0.5))),
    ("gammainc", ((0.5, 2.0, 3.0), (1.0, 0.5, 4.0))),
    ("gammaincc", ((0.5, 2.0, 3.0), (1.0, 0.5, 4.0))),
])
def test_binary_functions_match_torch(name, args):
    a, b = (np.array(v) for v in args)
    ea, eb = ember.tensor(a), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a), torch.tensor(b, requires_grad=True)
    eo, to = getattr(S, name)(ea, eb), getattr(torch.special, name)(ta, tb)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-10)
    eo.sum().backward()
    to.sum().backward()
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-8)


def test_polygamma_multigammaln_logit_and_polynomials():
    x = _x(POS, 6)
    for n in (0, 1, 2, 3):
        np.testing.assert_allclose(S.polygamma(n, ember.tensor(x)).numpy(),
                                   torch.special.polygamma(n, torch.tensor(x)).numpy(),
                                   rtol=2e-9)      # torch's trigamma series: 5e-10
    e = ember.tensor(x + 2, requires_grad=True)
    t = torch.tensor(x + 2, requires_grad=True)
    S.multigammaln(e, 3).sum().backward()
    torch.special.multigammaln(t, 3).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-10)
    u = _x(UNIT, 6)
    np.testing.assert_allclose(S.logit(ember.tensor(u), eps=0.1).numpy(),
                               torch.special.logit(torch.tensor(u), eps=0.1).numpy())
    pts = np.linspace(-0.9, 0.9, 7)
    for name in ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
                 "chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
                 "laguerre_polynomial_l", "legendre_polynomial_p",
                 "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
                 "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w"):
        for n in (0, 1, 4):
            ours = getattr(S, name)(ember.tensor(pts), n).numpy()
            theirs = getattr(torch.special, name)(torch.tensor(pts), n).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=f"{name} {n}")


def test_integer_inputs_promote_and_top_level_aliases():
    assert S.erfc(ember.arange(3)).dtype == ember.float32
    assert torch.special.erfc(torch.arange(3)).dtype == torch.float32
    x = _x(POS, 4)
    np.testing.assert_allclose(ember.lgamma(ember.tensor(x)).numpy(), torch.lgamma(torch.tensor(x)).numpy())
    np.testing.assert_allclose(ember.xlogy(ember.tensor(x), 2.0).numpy(),
                               torch.xlogy(torch.tensor(x), 2.0).numpy())
    np.testing.assert_allclose(S.softmax(ember.tensor(x), 0).numpy(),
                               torch.special.softmax(torch.tensor(x), 0).numpy())
    with pytest.raises(TypeError):
        S.erfc([1.0])


def test_namespace_is_complete():
    public = {n for n in dir(torch.special) if not n.startswith("_")} - {"torch", "Tensor",
                                                                         "common_args",
                                                                         "multi_dim_common"}
    missing = sorted(n for n in public if not hasattr(S, n))
    assert missing == []
