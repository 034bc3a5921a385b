"""``nn.utils.flat_views``: tensors laid end to end in one buffer, each a view of its slice."""
import numpy as np
import pytest

import ember
from ember import nn


def _params():
    return [nn.Parameter(ember.arange(6.0).reshape(2, 3)), nn.Parameter(ember.tensor([7.0])),
            nn.Parameter(ember.ones(2, 2))]


def test_data_views_share_memory_both_ways():
    ps = _params()
    flat = nn.utils.flat_views(ps)
    assert flat.buffer.shape == (11,) and flat.offsets == [0, 6, 7]
    assert flat.buffer.tolist() == [0, 1, 2, 3, 4, 5, 7, 1, 1, 1, 1]
    assert [tuple(p.shape) for p in ps] == [(2, 3), (1,), (2, 2)]
    flat.buffer.mul_(2)
    assert ps[1].item() == 14.0
    with ember.no_grad():
        ps[0].add_(1)
    assert flat.buffer[:6].tolist() == [1, 3, 5, 7, 9, 11]
    assert flat.is_bound()


def test_optimizer_step_keeps_the_views():
    ps = _params()
    flat = nn.utils.flat_views(ps)
    opt = ember.optim.SGD(ps, lr=0.5, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        sum((p * p).sum() for p in ps).backward()
        opt.step()
    assert flat.is_bound()
    expected = np.concatenate([p.detach().numpy().ravel() for p in ps])
    np.testing.assert_array_equal(flat.buffer.numpy(), expected)


def test_grad_views_collect_backward_accumulation():
    ps = _params()
    flat = nn.utils.flat_views(ps, kind="grad")
    assert flat.buffer.tolist() == [0.0] * 11 and ps[0].grad.shape == (2, 3)
    grad0 = ps[0].grad
    sum((p * 2).sum() for p in ps).backward()
    sum((p * 3).sum() for p in ps).backward()
    assert ps[0].grad is grad0
    assert flat.buffer.tolist() == [5.0] * 11
    flat.buffer.div_(5)
    assert ps[2].grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    # zero_grad(set_to_none=True) drops the views; rebind restores them with zeros
    ember.optim.SGD(ps, lr=0.1).zero_grad()
    assert not flat.is_bound()
    flat.rebind()
    assert flat.is_bound() and ps[1].grad.tolist() == [0.0]


def test_rebind_copies_replaced_data_back():
    ps = _params()
    flat = nn.utils.flat_views(ps)
    ps[1].data = ember.tensor([42.0])
    assert not flat.is_bound()
    flat.rebind()
    assert flat.is_bound() and flat.buffer[6].item() == 42.0


def test_views_and_repr():
    flat = nn.utils.flat_views(_params())
    vs = flat.views()
    assert [tuple(v.shape) for v in vs] == [(2, 3), (1,), (2, 2)]
    vs[2].fill_(0)
    assert flat.buffer[7:].tolist() == [0.0] * 4
    assert repr(flat) == "FlatView(kind='data', tensors=3, numel=11, dtype=ember.float32)"


def test_bad_input():
    with pytest.raises(TypeError, match="one dtype and device"):
        nn.utils.flat_views([ember.ones(2), ember.ones(2, dtype=ember.float64)])
    with pytest.raises(ValueError, match="kind"):
        nn.utils.flat_views([ember.ones(2)], kind="weights")
    with pytest.raises(ValueError, match="non-empty"):
        nn.utils.flat_views([])
    with pytest.raises(TypeError, match="element 0"):
        nn.utils.flat_views([np.ones(2)])
