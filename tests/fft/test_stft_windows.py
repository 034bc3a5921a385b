"""The window functions against torch, stft/istft errors and warnings, and istft's
spectrogram gradient; stft/istft option parity is in the op table (tests/ops/samples_stft.py)."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]
X = np.random.default_rng(0).standard_normal((2, 100))


def _both(f):
    """f(torch) and f(ember) as arrays; when torch raises, ember raises the same type."""
    try:
        a = f(torch)
    except Exception as e:          # noqa: BLE001
        with pytest.raises(type(e)):
            f(ember)
        return None, None
    return a.detach().numpy(), f(ember).detach().numpy()


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_match_torch(name):
    for n in (0, 1, 2, 7, 16):
        for periodic in (True, False):
            a, b = _both(lambda L: getattr(L, name)(n, periodic, dtype=L.float64))
            np.testing.assert_allclose(b, a, atol=1e-12)
    a, b = _both(lambda L: getattr(L, name)(8))
    assert b.dtype == np.float32 and a.dtype == b.dtype
    np.testing.assert_allclose(b, a, atol=1e-6)
    with pytest.raises(RuntimeError, match="floating point"):
        getattr(ember, name)(4, dtype=ember.int64)


def test_stft_errors_and_warnings_follow_torch():
    x = ember.randn(100)
    with pytest.raises(RuntimeError, match="requires the return_complex parameter"):
        ember.stft(x, 16)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        out = ember.stft(x, 16, window=ember.hann_window(16), return_complex=False)
    assert tuple(out.shape) == (9, 26, 2)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(x, 16, return_complex=True)
    with pytest.raises(RuntimeError, match="expected 0 < n_fft < 100"):
        ember.stft(x, 200, center=False, return_complex=True, window=ember.ones(200))
    with pytest.raises(RuntimeError, match="expected hop_length > 0"):
        ember.stft(x, 16, hop_length=0, return_complex=True, window=ember.ones(16))
    with pytest.raises(RuntimeError, match="size equal to win_length=16"):
        ember.stft(x, 16, window=ember.ones(5), return_complex=True)
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        ember.stft(x, 16, pad_mode="bogus", return_complex=True, window=ember.ones(16))
    s = ember.stft(x, 16, window=ember.ones(16), return_complex=True)
    with pytest.raises(TypeError, match="complex-valued input"):
        ember.istft(s.abs(), 16, window=ember.ones(16))
    with pytest.raises(RuntimeError, match="window overlap add min"):
        ember.istft(s, 16, window=ember.zeros(16))
    # the Tensor methods
    np.testing.assert_array_equal(x.stft(16, window=ember.ones(16), return_complex=True).numpy(),
                                  s.numpy())
    assert x.stft(16, window=ember.ones(16), return_complex=True).istft(
        16, window=ember.ones(16), length=100).shape == (100,)


def test_stft_istft_gradcheck():
    w = ember.hann_window(8, dtype=ember.float64)
    x = ember.from_numpy(X[0, :40].copy()).requires_grad_()
    assert ember.autograd.gradcheck(
        lambda t: ember.view_as_real(ember.stft(t, 8, hop_length=2, window=w,
                                                return_complex=True)), (x,))
    # istft's gradient: parity with torch (irfft ignores the imaginary parts of the DC and
    # Nyquist bins, so finite differences in those directions are not a gradcheck target)
    grads = []
    for L in (torch, ember):
        win = L.hann_window(8, dtype=L.float64)
        spec = L.stft(L.from_numpy(X[0, :40].copy()), 8, hop_length=2, window=win,
                      return_complex=True).detach().requires_grad_()
        out = L.istft(spec, 8, hop_length=2, window=win, length=40)
        (out * L.arange(40.0, dtype=L.float64)).sum().backward()
        grads.append(L.view_as_real(spec.grad).numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-12)
