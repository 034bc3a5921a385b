"""CrossMapLRN2d, F.pdist, nn.utils fusion / skip_init / stateless, against torch."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("size", [1, 3, 4, 8])
def test_cross_map_lrn2d_forward_matches_torch(size):
    x = np.random.default_rng(0).standard_normal((2, 7, 3, 3))
    t = torch.nn.CrossMapLRN2d(size, 1e-1, 0.75, 2.0)
    e = ember.nn.CrossMapLRN2d(size, 1e-1, 0.75, 2.0)
    np.testing.assert_allclose(e(ember.from_numpy(x)).numpy(), t(torch.from_numpy(x)).numpy(),
                               atol=1e-12)
    assert repr(e) == repr(t) and list(e.state_dict()) == []
    with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
        e(ember.randn(2, 3, 3))
    xe = ember.from_numpy(np.ascontiguousarray(x[:, :4])).requires_grad_()
    assert ember.autograd.gradcheck(e, (xe,))


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, float("inf")])
def test_pdist_matches_torch(p):
    x = np.random.default_rng(0).standard_normal((5, 3))
    a = torch.nn.functional.pdist(torch.from_numpy(x), p).numpy()
    b = ember.nn.functional.pdist(ember.from_numpy(x), p).numpy()
    np.testing.assert_allclose(b, a, atol=1e-12)
    if p >= 1:
        xe = ember.from_numpy(x).requires_grad_()
        assert ember.autograd.gradcheck(lambda t: ember.nn.functional.pdist(t, p), (xe,))
    with pytest.raises(RuntimeError, match="2D"):
        ember.nn.functional.pdist(ember.randn(3))


def _bn_pair(lib, n):
    bn = lib.nn.BatchNorm2d(n).double()
    with lib.no_grad():
        bn.running_mean.copy_(lib.arange(n, dtype=lib.float64) * 0.1)
        bn.running_var.copy_(lib.arange(n, dtype=lib.float64) * 0.2 + 0.5)
        bn.weight.copy_(lib.arange(n, dtype=lib.float64) - 1.0)
        bn.bias.copy_(lib.arange(n, dtype=lib.float64) * 0.3)
    return bn.eval()


def test_fuse_conv_bn_eval_matches_torch_and_unfused():
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    w = np.random.default_rng(1).standard_normal((3, 2, 3, 3))
    outs = []
    for lib in (torch, ember):
        conv = lib.nn.Conv2d(2, 3, 3).double().eval()
        with lib.no_grad():
            conv.weight.copy_(lib.from_numpy(w))
            conv.bias.zero_()
        bn = _bn_pair(lib, 3)
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn)
        inp = lib.from_numpy(x)
        np.testing.assert_allclose(fused(inp).detach().numpy(), bn(conv(inp)).detach().numpy(),
                                   atol=1e-12)
        outs.append(fused(inp).detach().numpy())
        lin = lib.nn.Linear(4, 3).double().eval()
        bn1 = lib.nn.BatchNorm1d(3).double().eval()
        fl = lib.nn.utils.fuse_linear_bn_eval(lin, bn1)
        v = lib.ones(2, 4, dtype=lib.float64)
        np.testing.assert_allclose(fl(v).detach().numpy(), bn1(lin(v)).detach().numpy(),
                                   atol=1e-12)
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-12)
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        ember.nn.utils.fuse_conv_bn_eval(ember.nn.Conv2d(2, 3, 3), ember.nn.BatchNorm2d(3))


def test_skip_init_and_stateless():
    lin = ember.nn.utils.skip_init(ember.nn.Linear, 3, 4)
    assert tuple(lin.weight.shape) == (4, 3)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        ember.nn.utils.skip_init(int)
    m = ember.nn.Linear(2, 1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = ember.nn.utils.stateless.functional_call(
            m, {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}, (ember.ones(1, 2),))
    assert out.item() == 2.0 and w[0].category is FutureWarning
