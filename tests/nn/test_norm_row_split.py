"""Layer, group, instance and RMS norm split their rows across two threads
(``ops/normalization._split_rows``): the outputs and input gradients keep the one-thread
bits (every row's statistics are the same sums), the weight and bias gradients add the two
halves' sums; batch norm, whose statistics span the batch, never splits. Checked against
the one-thread path and PyTorch."""
import numpy as np
import pytest

import ember
from ember import backend
from ember.ops import normalization

CASES = [
    ("layer_norm", (6, 5, 12), lambda F, x, w, b: F.layer_norm(x, (12,), w, b), (12,)),
    ("layer_norm 2-d", (5, 4, 3, 6), lambda F, x, w, b: F.layer_norm(x, (3, 6), w, b), (3, 6)),
    ("group_norm", (6, 8, 5, 4), lambda F, x, w, b: F.group_norm(x, 4, w, b), (8,)),
    ("instance_norm", (6, 3, 7, 5), lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
     (3,)),
    ("rms_norm", (7, 10), lambda F, x, w, b: F.rms_norm(x, (10,), w), (10,)),
]


def _run(fn, shape, wshape, free, monkeypatch, dtype=np.float32):
    monkeypatch.setattr(backend, "host_threads_free", lambda: free)
    rng = np.random.default_rng(0)
    x = ember.tensor((rng.standard_normal(shape) * 2 + 0.5).astype(dtype), requires_grad=True)
    w = ember.tensor(rng.standard_normal(wshape).astype(dtype), requires_grad=True)
    b = ember.tensor(rng.standard_normal(wshape).astype(dtype), requires_grad=True)
    y = fn(ember.nn.functional, x, w, b)
    y.backward(ember.tensor(rng.standard_normal(shape).astype(dtype)))
    return [y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy() if
            b.grad is not None else None]


@pytest.mark.parametrize("name,shape,fn,wshape", CASES, ids=[c[0] for c in CASES])
def test_row_split_matches_one_thread_and_torch(name, shape, fn, wshape, monkeypatch,
                                                split_calls):
    monkeypatch.setattr(normalization, "HOST_THREADS_MIN", 1)
    one = _run(fn, shape, wshape, False, monkeypatch)
    assert not split_calls
    two = _run(fn, shape, wshape, True, monkeypatch)
    assert len(split_calls) == 2                    # the forward and the backward
    for i, (a, b) in enumerate(zip(two, one)):
        if a is None:
            continue
        if i < 2:
            np.testing.assert_array_equal(a, b)     # output and input gradient: same bits
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = torch.tensor((rng.standard_normal(shape) * 2 + 0.5).astype(np.float32),
                     requires_grad=True)
    w = torch.tensor(rng.standard_normal(wshape).astype(np.float32), requires_grad=True)
    b = torch.tensor(rng.standard_normal(wshape).astype(np.float32), requires_grad=True)
    y = fn(torch.nn.functional, x, w, b)
    y.backward(torch.tensor(rng.standard_normal(shape).astype(np.float32)))
    want = [y.detach().numpy(), x.grad.numpy(), w.grad.numpy(),
            None if b.grad is None else b.grad.numpy()]
    for a, t in zip(two, want):
        if a is not None and t is not None:
            np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4)


def test_batch_norm_never_splits(monkeypatch, split_calls):
    monkeypatch.setattr(normalization, "HOST_THREADS_MIN", 1)
    _run(lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True), (6, 3, 5, 4),
         (3,), True, monkeypatch)
    assert not split_calls


def test_half_precision_row_split_keeps_its_dtype(monkeypatch, split_calls):
    """float16 is normalized in float32 (a converted copy, written in place per half)."""
    monkeypatch.setattr(normalization, "HOST_THREADS_MIN", 1)
    fn = CASES[0][2]
    one = _run(fn, (6, 5, 12), (12,), False, monkeypatch, np.float16)
    two = _run(fn, (6, 5, 12), (12,), True, monkeypatch, np.float16)
    assert split_calls and two[0].dtype == np.float16
    np.testing.assert_array_equal(two[0], one[0])
    np.testing.assert_array_equal(two[1], one[1])
