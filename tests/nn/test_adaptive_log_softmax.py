"""AdaptiveLogSoftmaxWithLoss: torch's state_dict gives torch's outputs, loss, gradients,
log_prob and predict."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def test_adaptive_log_softmax_matches_torch():
    torch.manual_seed(0)
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0,
                                            head_bias=True).double()
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0,
                                            head_bias=True).double()
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 16))
    y = np.array([0, 5, 12, 19, 3, 11])
    ot = t(torch.from_numpy(x), torch.from_numpy(y))
    oe = e(ember.from_numpy(x), ember.from_numpy(y))
    assert oe._fields == ("output", "loss")
    np.testing.assert_allclose(oe.output.detach().numpy(), ot.output.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(oe.loss.item(), ot.loss.item(), atol=1e-12)
    ot.loss.backward()
    oe.loss.backward()
    for p, q in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(e.log_prob(ember.from_numpy(x)).detach().numpy(),
                               t.log_prob(torch.from_numpy(x)).detach().numpy(), atol=1e-12)
    np.testing.assert_array_equal(e.predict(ember.from_numpy(x)).numpy(),
                                  t.predict(torch.from_numpy(x)).numpy())
    assert e(ember.from_numpy(x[0]), ember.tensor(5)).output.shape == ()
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 19\]"):
        e(ember.from_numpy(x), ember.from_numpy(np.array([0, 1, 2, 3, 4, 25])))
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique"):
        ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [10, 4])
