"""``ember.signal.windows``: PyTorch's ``torch.signal.windows`` (SciPy-style windows).

Same names, keyword-only options and checks as PyTorch: ``sym=False`` gives the periodic
window (the first M points of the M + 1 symmetric one), M = 0 gives an empty tensor and
M = 1 a single one; dtypes float32 / float64 only (the default dtype when None). The values
are computed in float64 on the host and cast, so float32 windows may differ from
PyTorch's (computed in float32) in the last bit.
"""
import math

import numpy as np

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype, layout):
    from ... import _dtype
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)):
        raise TypeError(f"{name}: window length M must be an int, got {type(M).__name__}")
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if dt.name not in ("float32", "float64"):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def _make(name, M, sym, dtype, layout, device, requires_grad, formula):
    """Check, then build the window from ``formula(n, M, sym)`` over n = 0..M-1."""
    from ...ops.creation import tensor
    dt = _checks(name, M, dtype, layout)
    if M <= 1:
        arr = np.ones(M)
    else:
        arr = formula(np.arange(M, dtype=np.float64), M, sym)
    return tensor(arr, dtype=dt, device=device, requires_grad=requires_grad)


def _span(M, sym):
    """The denominator of the window's phase: M - 1 (symmetric) or M (periodic)."""
    return M - 1 if sym else M


def _cos_sum(a):
    def formula(n, M, sym):
        phase = 2 * math.pi * n / _span(M, sym)
        return sum(((-1) ** i) * c * np.cos(i * phase) for i, c in enumerate(a))
    return formula


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))`` (M instead of M - 1 when periodic)."""
    if not isinstance(a, (list, tuple)):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    return _make("general_cosine", M, sym, dtype, layout, device, requires_grad,
                 _cos_sum([float(c) for c in a]))


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``general_cosine`` with ``a = [alpha, 1 - alpha]``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """``1 - |2 n / (M - 1) - 1|`` (M instead of M - 1 when periodic)."""
    return _make("bartlett", M, sym, dtype, layout, device, requires_grad,
                 lambda n, M, sym: 1.0 - np.abs(2.0 * n / _span(M, sym) - 1.0))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """``sin(pi (n + 1/2) / M)`` (M + 1 when periodic)."""
    return _make("cosine", M, sym, dtype, layout, device, requires_grad,
                 lambda n, M, sym: np.sin(math.pi * (n + 0.5) / (M if sym else M + 1)))


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    """``exp(-|n - center| / tau)``; ``center`` defaults to the window's middle and must be
    None for symmetric windows."""
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")

    def formula(n, M, sym):
        c = _span(M, sym) / 2.0 if center is None else float(center)
        return np.exp(-np.abs(n - c) / tau)
    return _make("exponential", M, sym, dtype, layout, device, requires_grad, formula)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``exp(-(n - c)^2 / (2 std^2))`` with c the window's middle."""
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    return _make("gaussian", M, sym, dtype, layout, device, requires_grad,
                 lambda n, M, sym: np.exp(-((n - _span(M, sym) / 2.0) ** 2) / (2 * std ** 2)))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    """``I0(beta sqrt(1 - ((n - c) / c)^2)) / I0(beta)`` with c the window's middle."""
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")

    def formula(n, M, sym):
        c = _span(M, sym) / 2.0
        return np.i0(beta * np.sqrt(np.clip(1.0 - ((n - c) / c) ** 2, 0.0, None))) / np.i0(beta)
    return _make("kaiser", M, sym, dtype, layout, device, requires_grad, formula)
