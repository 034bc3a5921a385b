"""Batch norm's per-channel passes over (N, C, L) views run as (N, C*L) rows against the
channel vector repeated along L (``ops/normalization._by_channel``): the same bits as the
broadcast passes, in training and evaluation, with and without affine parameters."""
import numpy as np
import pytest

import ember
from ember.ops import normalization


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape,dtype", [((6, 5, 7, 3), np.float32), ((4, 3, 10), np.float64),
                                         ((5, 4, 1, 1), np.float32)])
def test_batch_norm_by_channel_rows_are_bit_identical(shape, dtype, train, affine, monkeypatch):
    rng = np.random.default_rng(0)
    x0 = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    g0 = rng.standard_normal(shape).astype(dtype)
    bn_cls = ember.nn.BatchNorm2d if len(shape) == 4 else ember.nn.BatchNorm1d
    expanded = []
    real = normalization._by_channel

    def spy(xp, op, a, v, out=None):
        y = real(xp, op, a, v, out)
        expanded.append(a.ndim == 3 and a.shape[0] >= normalization._EXPAND_MIN_N
                        and getattr(v, "shape", None) == (1, a.shape[1], 1) and a.shape[2] > 1)
        return y
    monkeypatch.setattr(normalization, "_by_channel", spy)

    def run():
        ember.manual_seed(0)
        bn = bn_cls(shape[1], affine=affine).to(ember.float64 if dtype == np.float64 else
                                                ember.float32)
        if affine:
            with ember.no_grad():
                bn.weight.copy_(ember.tensor(rng.standard_normal(shape[1]).astype(dtype)))
                bn.bias.copy_(ember.tensor(rng.standard_normal(shape[1]).astype(dtype)))
        bn.train(train)
        x = ember.tensor(x0, requires_grad=True)
        y = bn(x)
        y.backward(ember.tensor(g0))
        return [y.detach().numpy(), x.grad.numpy()] + (
            [bn.weight.grad.numpy(), bn.bias.grad.numpy()] if affine else [])
    rng = np.random.default_rng(1)
    new = run()
    monkeypatch.setattr(normalization, "_EXPAND_MIN_N", 10 ** 9)
    rng = np.random.default_rng(1)
    old = run()
    assert any(expanded) == (shape[-1] * (shape[2] if len(shape) == 4 else 1) > 1)
    for a, b in zip(new, old):
        np.testing.assert_array_equal(a, b)
