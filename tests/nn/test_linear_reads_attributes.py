"""nn.Linear.forward reads its parameter table directly when that is what ``self.weight``
and ``self.bias`` resolve to; every other way of replacing them still takes effect."""
import numpy as np

import ember
import ember.nn.functional as F
from ember import nn
from ember.nn.utils import parametrize, prune


def _expected(m, x):
    return F.linear(x, m.weight, m.bias)


def _check(m, x):
    np.testing.assert_array_equal(m(x).detach().numpy(), _expected(m, x).detach().numpy())


def _layer():
    ember.manual_seed(0)
    return nn.Linear(4, 3), ember.randn(2, 4)


def test_table_entry_replaced():
    m, x = _layer()
    m._parameters["weight"] = nn.Parameter(ember.ones(3, 4))
    out = m(x)
    np.testing.assert_allclose(out.detach().numpy(),
                               (x.sum(1, keepdim=True) + m.bias).detach().numpy(), rtol=1e-6)


def test_instance_attribute_shadows_the_table():
    m, x = _layer()
    m.__dict__["bias"] = ember.full((3,), 5.0)     # found before __getattr__, as in PyTorch
    _check(m, x)
    assert np.allclose(m(x).detach().numpy() - (x @ m._parameters["weight"].T).detach().numpy(), 5.0)


def test_no_bias_and_bias_set_to_none():
    ember.manual_seed(0)
    m, x = nn.Linear(4, 3, bias=False), ember.randn(2, 4)
    _check(m, x)
    m2, _ = _layer()
    m2.bias = None
    _check(m2, x)


def test_pruned_weight():
    m, x = _layer()
    prune.l1_unstructured(m, "weight", amount=0.5)
    assert "weight" not in m._parameters
    _check(m, x)
    assert (m.weight == 0).sum().item() == 6


class _Double(nn.Module):
    def forward(self, w):
        return w * 2


def test_parametrized_weight():
    m, x = _layer()
    w0 = m.weight.detach().clone()
    parametrize.register_parametrization(m, "weight", _Double())
    np.testing.assert_allclose(m(x).detach().numpy(),
                               F.linear(x, w0 * 2, m.bias).detach().numpy(), rtol=1e-6)


def test_functional_call_swaps_parameters():
    m, x = _layer()
    w = ember.zeros(3, 4)
    out = ember.func.functional_call(m, {"weight": w}, (x,))
    np.testing.assert_array_equal(out.detach().numpy(), np.broadcast_to(m.bias.detach().numpy(), (2, 3)))
