"""A complex gradient reaching a real input: the engine keeps its real part (PyTorch's
``handle_r_to_c``), differentiably and without a ComplexWarning, so first and second
derivatives of real losses through complex computations on real inputs match torch."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

_A = np.random.default_rng(0).standard_normal((4, 3))
_B = np.random.default_rng(1).standard_normal((4, 3))
_W = np.random.default_rng(2).standard_normal((4, 3))


def _hpd(L, x, y):
    z = L.complex(x, y)[:3]
    return z @ z.mH + 3 * L.eye(3, dtype=z.dtype)


LOSSES = {
    # real -> complex by a cast (ToCopy) and by complex(x, y)
    "cast_mul_abs": lambda L, x, y: ((x.to(L.complex128) * (1 + 2j) + y) ** 2).abs().sum(),
    "holomorphic_unary": lambda L, x, y: sum(
        (f(L.complex(x, y)) * (0.5 - 1j)).real.sum() for f in (
            L.exp, L.sin, L.tanh, L.sqrt, L.log, L.acosh, L.square, L.reciprocal)),
    "complex_abs": lambda L, x, y: L.complex(x, y).abs().sum(),
    "polar_abs": lambda L, x, y: sum(p.abs().pow(2).sum() for p in L.linalg.polar(
        L.complex(x, y))),
    "polar_parts": lambda L, x, y: sum((p.real * p.imag).sum() for p in L.linalg.polar(
        L.complex(x, y))),
    "matrix_sqrth_parts": lambda L, x, y: (lambda s: (s.real ** 2 + s.imag).sum())(
        L.linalg.matrix_sqrth(_hpd(L, x, y))),
    "fft_of_real": lambda L, x, y: (L.fft.fft(x * y) * L.fft.fft(y)).abs().sum(),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_grad_and_double_grad_match_torch_without_warning(name):
    loss = LOSSES[name]
    ex, ey = (ember.tensor(a, requires_grad=True) for a in (_A, _B))
    tx, ty = (torch.tensor(a, requires_grad=True) for a in (_A, _B))
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no ComplexWarning on the way
        eg = ember.autograd.grad(loss(ember, ex, ey), (ex, ey), create_graph=True)
        tg = torch.autograd.grad(loss(torch, tx, ty), (tx, ty), create_graph=True)
        for e, t in zip(eg, tg):
            assert e.dtype == ember.float64
            np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), atol=1e-10)
        egg = ember.autograd.grad(sum((g * ember.tensor(_W)).sum() for g in eg), (ex, ey))
        tgg = torch.autograd.grad(sum((g * torch.tensor(_W)).sum() for g in tg), (tx, ty))
    for e, t in zip(egg, tgg):
        assert e.dtype == ember.float64
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-9)


def test_leaf_grad_is_real_and_gradgradcheck_passes():
    x = ember.tensor(_A, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x.to(ember.complex128) * 1j).exp().real.sum().backward()
    assert x.grad.dtype == ember.float64
    t = torch.tensor(_A, requires_grad=True)
    (t.to(torch.complex128) * 1j).exp().real.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-12)

    def parts(a, b):
        u, h = ember.linalg.polar(ember.complex(a, b))
        return u.real, u.imag, h.real, h.imag

    a, b = (ember.tensor(v, requires_grad=True) for v in (_A, _B))
    assert gradcheck(parts, (a, b))
    assert gradgradcheck(parts, (a, b))


def test_complex_abs_double_backward_at_zero_is_finite():
    z = ember.tensor(np.array([0j, 3 + 4j]), requires_grad=True)
    (g,) = ember.autograd.grad(z.abs().sum(), (z,), create_graph=True)
    (gg,) = ember.autograd.grad(g.abs().sum(), (z,))
    tz = torch.tensor(np.array([0j, 3 + 4j]), requires_grad=True)
    (tg,) = torch.autograd.grad(tz.abs().sum(), (tz,), create_graph=True)
    (tgg,) = torch.autograd.grad(tg.abs().sum(), (tz,))
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), atol=1e-12)
