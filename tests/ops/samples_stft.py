"""Table entries for torch.stft / torch.istft (moved from tests/fft/test_stft_windows.py's
private parity): every option set of stft on batched and unbatched signals (through
view_as_real), stft -> istft round trips. istft's gradient with respect to a spectrogram stays in
tests/fft/test_stft_windows.py (parity only: irfft ignores the imaginary parts of the DC
and Nyquist bins, so finite differences there are no gradcheck target)."""
import warnings

from ops.table import OpSample

_OPTIONS = [{}, {"hop_length": 5}, {"win_length": 10}, {"center": False},
            {"pad_mode": "constant"}, {"pad_mode": "replicate"}, {"pad_mode": "circular"},
            {"normalized": True}, {"onesided": False}, {"return_complex": False}]
_SIGNALS = [[(2, 100)], [(100,)]]
_ISTFT_KEYS = ("hop_length", "win_length", "center", "normalized", "onesided")


def _name(opts):
    return "_".join(f"{k}_{v}" for k, v in opts.items()) or "default"


def _spec(t, x, opts):
    kw = {"return_complex": True, **opts}
    w = t.hann_window(opts.get("win_length", 16), dtype=x.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)    # return_complex=False is deprecated
        return t.stft(x, 16, window=w, **kw), w


def _stft(opts):
    def run(t, x):
        s, _ = _spec(t, x, opts)
        return t.view_as_real(s) if s.is_complex() else s
    return run


def _roundtrip(opts):
    def run(t, x):
        s, w = _spec(t, x, opts)
        ikw = {k: v for k, v in opts.items() if k in _ISTFT_KEYS}
        ikw["return_complex"] = opts.get("onesided") is False
        r = t.istft(s, 16, window=w, length=x.shape[-1] if opts.get("center", True) else None,
                    **ikw)
        return t.view_as_real(r) if r.is_complex() else r
    return run


_TOL = dict(rtol=1e-4, atol=1e-4, noncontig=False)
SAMPLES = [
    OpSample(f"stft_{_name(o)}", _stft(o), _SIGNALS, **_TOL) for o in _OPTIONS
] + [
    OpSample(f"istft_roundtrip_{_name(o)}", _roundtrip(o), _SIGNALS, **_TOL)
    for o in _OPTIONS if "pad_mode" not in o and o.get("return_complex", True)
    and o.get("center") is not False
]
