"""ember.signal.windows: parity with torch.signal.windows."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [
    ("bartlett", {}), ("blackman", {}), ("cosine", {}), ("exponential", {}),
    ("exponential", {"tau": 2.5}), ("gaussian", {}), ("gaussian", {"std": 0.7}),
    ("general_cosine", {"a": [0.46, 0.23, 0.31]}), ("general_hamming", {}),
    ("general_hamming", {"alpha": 0.6}), ("hamming", {}), ("hann", {}), ("kaiser", {}),
    ("kaiser", {"beta": 3.0}), ("nuttall", {}),
]


@pytest.mark.parametrize("name,kw", CASES)
@pytest.mark.parametrize("M", [0, 1, 2, 7, 10])
@pytest.mark.parametrize("sym", [True, False])
def test_parity(name, kw, M, sym):
    e = getattr(ember.signal.windows, name)(M, sym=sym, **kw)
    t = getattr(torch.signal.windows, name)(M, sym=sym, **kw)
    assert e.dtype == ember.float32 and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    e = getattr(ember.signal.windows, name)(M, sym=sym, dtype=ember.float64, **kw)
    t = getattr(torch.signal.windows, name)(M, sym=sym, dtype=torch.float64, **kw)
    assert e.dtype == ember.float64
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12, atol=1e-13)


def test_exponential_center_and_requires_grad():
    e = ember.signal.windows.exponential(6, center=1.5, sym=False, requires_grad=True)
    t = torch.signal.windows.exponential(6, center=1.5, sym=False)
    assert e.requires_grad
    np.testing.assert_allclose(e.detach().numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda w: w.hann(-1), ValueError, "requires non-negative window length, got M=-1"),
    (lambda w: w.hann(3, dtype=ember.int64), ValueError, "expects float32 or float64"),
    (lambda w: w.gaussian(4, std=0), ValueError, "Standard deviation must be positive"),
    (lambda w: w.exponential(4, tau=0), ValueError, "Tau must be positive"),
    (lambda w: w.exponential(4, center=1), ValueError, "Center must be None for symmetric"),
    (lambda w: w.kaiser(4, beta=-1), ValueError, "beta must be non-negative"),
    (lambda w: w.general_cosine(4, a=5), TypeError, "Coefficients must be a list/tuple"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(ember.signal.windows)
