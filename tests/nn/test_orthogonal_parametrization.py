"""parametrizations.orthogonal against torch: values, gradients, state_dict keys, assignment;
nn.init's deprecated aliases."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(shape, seed=0):
    w = np.random.default_rng(seed).standard_normal(shape)
    tl, el = torch.nn.Linear(shape[1], shape[0]).double(), ember.nn.Linear(shape[1], shape[0]).double()
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(w))
        tl.bias.zero_()
    with ember.no_grad():
        el.weight.copy_(ember.from_numpy(w))
        el.bias.zero_()
    return w, tl, el


@pytest.mark.parametrize("shape", [(5, 5), (6, 3), (3, 6)])
@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder", None])
@pytest.mark.parametrize("triv", [True, False])
def test_orthogonal_matches_torch(shape, orthogonal_map, triv):
    w, tl, el = _pair(shape)
    torch.nn.utils.parametrizations.orthogonal(tl, orthogonal_map=orthogonal_map,
                                               use_trivialization=triv)
    ember.nn.utils.parametrizations.orthogonal(el, orthogonal_map=orthogonal_map,
                                               use_trivialization=triv)
    assert sorted(tl.state_dict()) == sorted(el.state_dict())
    if triv and shape[0] != shape[1]:      # the base's random completion: take torch's
        with ember.no_grad():
            el.parametrizations.weight[0].base.copy_(
                ember.from_numpy(tl.parametrizations.weight[0].base.numpy()))
    np.testing.assert_allclose(el.weight.detach().numpy(), tl.weight.detach().numpy(),
                               atol=1e-12)
    x = np.random.default_rng(1).standard_normal((2, shape[1]))
    tl(torch.from_numpy(x)).pow(2).sum().backward()
    el(ember.from_numpy(x)).pow(2).sum().backward()
    np.testing.assert_allclose(el.parametrizations.weight.original.grad.numpy(),
                               tl.parametrizations.weight.original.grad.numpy(), atol=1e-12)
    if not triv and orthogonal_map != "householder" and not (
            orthogonal_map is None and shape[0] != shape[1]):
        with pytest.raises(NotImplementedError, match="use_trivialization=False"):
            el.weight = ember.from_numpy(w)
    elif not (triv and shape[0] != shape[1]):
        tl.weight = torch.from_numpy(w)
        el.weight = ember.from_numpy(w)
        np.testing.assert_allclose(el.weight.detach().numpy(), tl.weight.detach().numpy(),
                                   atol=1e-12)


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices"):
        ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of'):
        ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(3, 3), orthogonal_map="x")


def test_init_deprecated_aliases_warn_like_torch():
    for name in ("eye", "dirac", "sparse", "uniform", "normal"):
        assert callable(getattr(ember.nn.init, name))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.nn.init.eye(ember.empty(2, 2))
    assert w[0].category is FutureWarning
    assert str(w[0].message) == "`nn.init.eye` is now deprecated in favor of `nn.init.eye_`."
