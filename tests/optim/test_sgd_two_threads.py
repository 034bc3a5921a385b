"""SGD's two-thread update of large parameters (the halves of their flat views on two
threads, ``optim/sgd.py``) gives the bits of the one-thread update, for every option, and
PyTorch's numbers; small and non-contiguous gradients take the one-thread path."""
import numpy as np
import pytest

import ember
from ember import backend
from ember.ops import _host_threads

CONFIGS = [
    dict(lr=0.05),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    dict(lr=1.0, momentum=0.5, maximize=True),
]
SHAPE = (_host_threads.HOST_THREADS_MIN // 64 + 3, 64)       # just over the threshold


def _run(cfg, free, monkeypatch, steps=3):
    monkeypatch.setattr(backend, "host_threads_free", lambda: free)
    rng = np.random.default_rng(0)
    p = ember.tensor(rng.standard_normal(SHAPE, dtype=np.float32), requires_grad=True)
    opt = ember.optim.SGD([p], **cfg)
    grads = [rng.standard_normal(SHAPE, dtype=np.float32) for _ in range(steps)]
    for g in grads:
        p.grad = ember.tensor(g)
        opt.step()
    return p.detach().numpy(), grads


@pytest.mark.parametrize("cfg", CONFIGS)
def test_sgd_split_update_is_bit_identical(cfg, monkeypatch, split_calls):
    one, grads = _run(cfg, False, monkeypatch)
    assert not split_calls
    two, _ = _run(cfg, True, monkeypatch)
    steps_with_buffer = len(grads) - 1 if cfg.get("momentum") else len(grads)
    assert len(split_calls) == steps_with_buffer      # the first momentum step stays whole
    np.testing.assert_array_equal(two, one)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    tp = torch.tensor(rng.standard_normal(SHAPE, dtype=np.float32), requires_grad=True)
    topt = torch.optim.SGD([tp], **cfg)
    for g in grads:
        tp.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(two, tp.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_sgd_non_contiguous_grad_stays_on_one_thread(monkeypatch, split_calls):
    monkeypatch.setattr(backend, "host_threads_free", lambda: True)
    rng = np.random.default_rng(1)
    p = ember.tensor(rng.standard_normal(SHAPE[::-1], dtype=np.float32), requires_grad=True)
    g = rng.standard_normal(SHAPE, dtype=np.float32)
    p.grad = ember.tensor(g).t()                    # a transposed view
    expect = p.detach().numpy() - np.float32(0.1) * g.T
    ember.optim.SGD([p], lr=0.1).step()
    assert not split_calls
    np.testing.assert_array_equal(p.detach().numpy(), expect)
