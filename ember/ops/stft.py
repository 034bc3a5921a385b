"""Short-time Fourier transforms (``torch.stft`` / ``torch.istft``) and the window functions.

``stft`` follows PyTorch's algorithm and checks: with ``center`` the signal is padded by
``n_fft // 2`` on both sides (``pad_mode`` as ``F.pad``), the window (ones when None, with
PyTorch's warning) is zero-padded to ``n_fft`` in the middle, frames ``hop_length`` apart
are taken with one gather, multiplied by the window and transformed by ``fft.rfft``
(``onesided``) or ``fft.fft``; ``normalized`` scales by ``n_fft ** -0.5``. Output
``(batch?, freq, frames)``; ``return_complex=False`` returns ``view_as_real`` of it with
PyTorch's deprecation warning, and a real input without ``return_complex`` raises as in
PyTorch. ``istft`` inverts it: inverse FFT of each frame, window, overlap-add (one
``index_add``), division by the summed squared window (PyTorch's RuntimeError when that
envelope is ~0), then ``center`` / ``length`` trimming or zero padding. Both are built from
differentiable ember ops, so gradients (and double backward) come with them.
``align_to_window=True`` raises NotImplementedError.

Windows (``hann_window``, ``hamming_window``, ``blackman_window``, ``bartlett_window``,
``kaiser_window``) follow PyTorch's formulas and ``periodic`` convention (a window of
length N+1 without its last sample), computed in float64 and cast to ``dtype``.
"""
import math
import warnings

from .. import backend
from .._tensor import Tensor, _make
from .._dtype import get_default_dtype, to_dtype

__all__ = ["stft", "istft", "hann_window", "hamming_window", "blackman_window",
           "bartlett_window", "kaiser_window"]


# -- windows ------------------------------------------------------------------------------

def _window(name, window_length, periodic, dtype, layout, device, requires_grad, formula):
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    from .creation import ones, zeros
    if window_length == 0:
        return zeros(0, dtype=dt, device=device, requires_grad=requires_grad)
    if window_length == 1:
        return ones(1, dtype=dt, device=device, requires_grad=requires_grad)
    import numpy as np
    n = window_length + 1 if periodic else window_length
    arr = formula(np.arange(n, dtype=np.float64), n)[:window_length]
    from .creation import tensor as _tensor
    return _tensor(arr, dtype=dt, device=device, requires_grad=requires_grad)


def _cos_terms(*coefs):
    import numpy as np

    def formula(k, n):
        out = np.zeros_like(k)
        for j, c in enumerate(coefs):
            out = out + ((-1) ** j) * c * np.cos(2 * math.pi * j * k / (n - 1))
        return out
    return formula


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, layout, device,
                   requires_grad, _cos_terms(0.5, 0.5))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    return _window("hamming_window", window_length, periodic, dtype, layout, device,
                   requires_grad, _cos_terms(alpha, beta))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return _window("blackman_window", window_length, periodic, dtype, layout, device,
                   requires_grad, _cos_terms(0.42, 0.5, 0.08))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    import numpy as np
    return _window("bartlett_window", window_length, periodic, dtype, layout, device,
                   requires_grad, lambda k, n: 1.0 - np.abs(2.0 * k / (n - 1) - 1.0))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    import numpy as np
    return _window("kaiser_window", window_length, periodic, dtype, layout, device,
                   requires_grad, lambda k, n: np.i0(
                       beta * np.sqrt(np.clip(1.0 - (2.0 * k / (n - 1) - 1.0) ** 2, 0, None)))
                   / np.i0(beta))


# -- stft / istft ---------------------------------------------------------------------------

def _call(name, input, n_fft, hop_length, win_length, window, normalized, onesided,
          return_complex, extra=""):
    w = "None" if window is None else f"{window.type()}{{{list(window.shape)}}}"
    return (f"{name}({input.type()}{list(input.shape)}, n_fft={n_fft}, hop_length={hop_length}"
            f", win_length={win_length}, window={w}, {extra}normalized={int(bool(normalized))}, "
            f"onesided={onesided}, ")


def _frame_index(n_frames, n_fft, hop, like):
    xp = backend.get_array_module(like._data)
    idx = xp.arange(n_frames)[:, None] * hop + xp.arange(n_fft)[None, :]
    return _make(idx.astype(xp.int64))


def _padded_window(window, win_length, n_fft, like):
    from .creation import ones
    from . import padding as _pad
    if window is None:
        window = ones(win_length, dtype=like.dtype if like.is_floating_point()
                      else like.real.dtype, device=like.device)
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = _pad.pad(window, (left, n_fft - win_length - left))
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """``torch.stft`` (see the module docstring)."""
    from .. import fft as _fft
    from .complex import view_as_real
    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): argument 'input' must be Tensor, not {type(input).__name__}")
    if return_complex is None:
        if not (input.is_complex() or (window is not None and window.is_complex())):
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in "
                               "a future PyTorch release.")
        return_complex = True
    if align_to_window:
        raise NotImplementedError("ember: stft(align_to_window=True) is not implemented")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which "
                      "is known to cause spectral leakage. Other windows such as "
                      "torch.hann_window or torch.hamming_window are recommended to reduce "
                      "spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.\nNote: you can still call "
                      "torch.view_as_real on the complex output to recover the old return "
                      "format.", UserWarning, stacklevel=2)
    if input.dim() not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.dim()}D tensor")
    x = input
    if center:
        from . import padding as _pad
        if pad_mode not in ("constant", "reflect", "replicate", "circular"):
            raise NotImplementedError(f"Unrecognised padding mode {pad_mode}")
        p = n_fft // 2
        x = _pad.pad(x.reshape((1,) * (3 - x.dim()) + tuple(x.shape)), (p, p),
                     mode=pad_mode).reshape(tuple(x.shape[:-1]) + (x.shape[-1] + 2 * p,))
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    length = x.shape[-1]
    head = _call("stft", x, n_fft, hop, win, window, normalized, onesided, return_complex)
    tail = f"return_complex={int(bool(return_complex))}, align_to_window={align_to_window}) : "
    if not 0 < n_fft <= length:
        raise RuntimeError(f"{head}{tail}expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{head}{tail}expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{head}{tail}expected 0 < win_length <= n_fft, but got "
                           f"win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(f"{head}{tail}expected a 1D window tensor of size equal to "
                           f"win_length={win}, but got window with size {list(window.shape)}")
    w = _padded_window(window, win, n_fft, x)
    n_frames = 1 + (length - n_fft) // hop
    frames = x[..., _frame_index(n_frames, n_fft, hop, x)] * w
    complex_in = x.is_complex() or w.is_complex()
    if onesided is None:
        onesided = not complex_in
    if onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spec = _fft.rfft(frames, norm=norm) if onesided else _fft.fft(frames, norm=norm)
    spec = spec.transpose(-1, -2)
    return spec if return_complex else view_as_real(spec)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """``torch.istft`` (see the module docstring)."""
    from .. import fft as _fft
    from .creation import zeros
    if not isinstance(input, Tensor) or not input.is_complex():
        raise TypeError("istft requires a complex-valued input tensor matching the output "
                        "from stft with return_complex=True.")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please "
                      "provide the same window used by stft to make the inversion lossless.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex "
                           f"dtype, but got {input.dim()}D")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    n_freq, n_frames = input.shape[-2], input.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    head = _call("istft", input, n_fft, hop, win, window, normalized, onesided, return_complex,
                 extra=f"center={int(bool(center))}, ")
    tail = f"length={length}, return_complex={int(bool(return_complex))}) "
    expected = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != expected:
        raise RuntimeError(f"{head}{tail}: expected the frequency dimension (3rd to the last) "
                           f"of the input tensor to match n_fft / 2 + 1 when onesided=True, "
                           f"but got {n_freq}" if onesided else
                           f"{head}{tail}: expected the frequency dimension (3rd to the last) of "
                           f"the input tensor to match n_fft when onesided=False, but got "
                           f"{n_freq}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{head}{tail}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(f"{head}{tail}: Invalid window shape. window has to be 1D and "
                           f"length of `win_length`")
    if onesided and return_complex:
        raise RuntimeError("cannot have onesided output if window or input is complex")
    frames = input.transpose(-1, -2)
    norm = "ortho" if normalized else "backward"
    if onesided:
        frames = _fft.irfft(frames, n=n_fft, norm=norm)
    else:
        frames = _fft.ifft(frames, norm=norm)
        if not return_complex:
            if window is not None and window.is_complex():
                raise RuntimeError("istft: complex windows need return_complex=True")
            frames = frames.real
    w = _padded_window(window, win, n_fft, frames)
    frames = frames * w
    batch = tuple(frames.shape[:-2])
    total = n_fft + hop * (n_frames - 1)
    idx = _frame_index(n_frames, n_fft, hop, frames).reshape(-1)
    flat = frames.reshape(batch + (n_frames * n_fft,))
    y = zeros(batch + (total,), dtype=frames.dtype, device=frames.device).index_add(
        -1, idx, flat)
    wsq = (w * w.conj()).real if w.is_complex() else w * w
    env = zeros(total, dtype=wsq.dtype, device=wsq.device).index_add(
        0, idx, wsq.expand(n_frames, n_fft).reshape(-1))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    end = min(end, total)
    y = y[..., start:end]
    env = env[start:end]
    if env.numel() and bool((env.abs() < 1e-11).any()):
        raise RuntimeError(f"{head}{tail}window overlap add min: {float(env.abs().min())}")
    y = y / env
    if length is not None and y.shape[-1] < length:
        from . import padding as _pad
        y = _pad.pad(y, (0, length - y.shape[-1]))
    return y
