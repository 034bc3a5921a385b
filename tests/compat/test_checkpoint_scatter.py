"""torch.utils.checkpoint and torch.nn.parallel.scatter_gather."""
import numpy as np
import pytest

import ember
from ember.nn.parallel import gather, scatter, scatter_kwargs
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _model():
    ember.manual_seed(0)
    return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Dropout(0.3),
                               ember.nn.Linear(8, 2))


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gives_the_same_gradients(reentrant):
    m = _model()
    x = ember.randn(5, 4, requires_grad=True)
    ember.manual_seed(1)
    checkpoint(m, x, use_reentrant=reentrant).pow(2).sum().backward()
    got = [p.grad.numpy().copy() for p in m.parameters()] + [x.grad.numpy().copy()]
    m.zero_grad()
    x.grad = None
    ember.manual_seed(1)   # dropout draws the same mask: the RNG state is replayed
    m(x).pow(2).sum().backward()
    want = [p.grad.numpy() for p in m.parameters()] + [x.grad.numpy()]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_checkpoint_reaches_parameters_without_grad_inputs_and_sequential():
    m = _model()
    checkpoint(m, ember.randn(3, 4), use_reentrant=True).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    checkpoint_sequential(m, 2, ember.randn(3, 4), use_reentrant=True).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    with ember.no_grad():
        assert checkpoint(m, ember.randn(3, 4), use_reentrant=True).shape == (3, 2)


def test_scatter_gather_roundtrip():
    x = ember.arange(10.0).reshape(5, 2)
    parts = scatter((x, 7, {"a": x}), ["cpu", "cpu"])
    assert [p[0].shape[0] for p in parts] == [3, 2] and parts[1][1] == 7
    np.testing.assert_array_equal(gather([p[0] for p in parts], "cpu").numpy(), x.numpy())
    np.testing.assert_array_equal(gather([{"k": p[2]["a"]} for p in parts], -1)["k"].numpy(),
                                  x.numpy())
    args, kwargs = scatter_kwargs((x,), {"y": x}, ["cpu", "cpu"])
    assert len(args) == len(kwargs) == 2 and kwargs[1]["y"].shape == (2, 2)
