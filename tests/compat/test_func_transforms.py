"""torch.autograd.functional and torch.func against PyTorch on the same functions."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X = np.array([1.0, 2.0, 3.0])
Y = np.array([0.5, -1.0, 2.0])
V = np.array([1.0, -1.0, 0.5])


def _both(fn):
    out = []
    for lib in (ember, torch):
        x, y, v = (lib.tensor(a, dtype=lib.float64) for a in (X, Y, V))
        out.append(fn(lib, x, y, v))
    return out


def _np(r):
    if isinstance(r, (tuple, list)):
        return [_np(t) for t in r]
    return r.detach().numpy()


def _same(fn):
    e, t = _both(fn)
    e, t = _np(e), _np(t)

    def cmp(a, b):
        if isinstance(a, list):
            assert len(a) == len(b)
            for p, q in zip(a, b):
                cmp(p, q)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    cmp(e, t)


f_scalar = lambda L, x, y: (x ** 2 * y.sin()).sum() + (x * y).exp().sum()  # noqa: E731
f_vec = lambda L, x: x.exp() * x.sum()  # noqa: E731


@pytest.mark.parametrize("which", ["jacobian", "jacobian2", "hessian", "hessian2", "vjp", "jvp",
                                   "hvp", "vhp"])
def test_autograd_functional(which):
    def run(L, x, y, v):
        F = L.autograd.functional
        if which == "jacobian":
            return F.jacobian(lambda a: f_vec(L, a), x)
        if which == "jacobian2":
            return [list(r) for r in F.jacobian(lambda a, b: (a * b, a + b.exp()), (x, y))]
        if which == "hessian":
            return F.hessian(lambda a: f_scalar(L, a, y), x)
        if which == "hessian2":
            return [list(r) for r in F.hessian(lambda a, b: f_scalar(L, a, b), (x, y))]
        if which == "vjp":
            return list(F.vjp(lambda a: f_vec(L, a), x, v))
        if which == "jvp":
            return list(F.jvp(lambda a: f_vec(L, a), x, v))
        if which == "hvp":
            return list(F.hvp(lambda a: f_scalar(L, a, y), x, v))
        return list(F.vhp(lambda a: f_scalar(L, a, y), x, v))
    _same(run)


@pytest.mark.parametrize("which", ["grad", "grad_argnums", "grad_grad", "grad_and_value",
                                   "jacrev", "jacfwd", "hessian", "vmap", "vmap_grad", "jvp",
                                   "vjp"])
def test_func_transforms(which):
    def run(L, x, y, v):
        F = L.func
        if which == "grad":
            return F.grad(lambda a: f_scalar(L, a, y))(x)
        if which == "grad_argnums":
            return list(F.grad(lambda a, b: f_scalar(L, a, b), argnums=(0, 1))(x, y))
        if which == "grad_grad":
            return F.grad(F.grad(lambda a: a.sin() * a ** 3))(x[1])
        if which == "grad_and_value":
            return list(F.grad_and_value(lambda a: f_scalar(L, a, y))(x))
        if which == "jacrev":
            return F.jacrev(lambda a: f_vec(L, a))(x)
        if which == "jacfwd":
            return list(F.jacfwd(lambda a, b: a * b.exp(), argnums=(0, 1))(x, y))
        if which == "hessian":
            return F.hessian(lambda a: f_scalar(L, a, y))(x)
        if which == "vmap":
            m = L.stack([x, y, v])
            return F.vmap(lambda r, s: (r * s).sum() + r.max(), in_dims=(0, None))(m, y)
        if which == "vmap_grad":
            m = L.stack([x, y, v])
            return F.vmap(F.grad(lambda r: (r.sin() * r).sum()))(m)
        if which == "jvp":
            return list(F.jvp(lambda a: f_vec(L, a), (x,), (v,)))
        out, fn = F.vjp(lambda a: f_vec(L, a), x)
        return [out, fn(v)[0]]
    _same(run)


def test_functional_call_swaps_and_restores():
    m = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    x = ember.randn(5, 3)
    before = m(x).detach().numpy()
    params = {k: v.detach() * 2 for k, v in m.named_parameters()}
    out = ember.func.functional_call(m, params, (x,))
    assert not np.allclose(out.detach().numpy(), before)
    m.eval()
    np.testing.assert_array_equal(m[0].weight.detach().numpy(),
                                  (params["0.weight"] / 2).numpy())
    # gradients flow to the given tensors, not to the module's parameters
    w = m[0].weight.detach().clone().requires_grad_(True)
    ember.func.functional_call(m, {"0.weight": w}, x).sum().backward()
    assert w.grad is not None and m[0].weight.grad is None
    with pytest.raises(RuntimeError, match="missing key"):
        ember.func.functional_call(m, {"0.weight": w}, x, strict=True)


def test_errors():
    with pytest.raises(RuntimeError, match="scalar Tensor"):
        ember.func.grad(lambda a: a * 2)(ember.ones(3))
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        ember.func.vmap(lambda a, b: a + b)(ember.ones(2, 3), ember.ones(3, 3))
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        ember.autograd.functional.jacobian(lambda a: a, [1.0])
