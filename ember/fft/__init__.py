"""``ember.fft``: ``torch.fft`` on the FFT Functions of ``ember/ops/spectral.py``.

Signatures, ``norm`` modes ("backward" default, "ortho", "forward"), ``n``/``s`` padding
and trimming, ``dim`` handling and result dtypes (float32 -> complex64, float64 ->
complex128, integers as the default float) are PyTorch's; gradients flow through every
transform (and the padding/trimming steps).
"""
from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..ops import spectral as _s

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn",
           "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _e():
    import ember
    return ember


_NORMS = frozenset(("backward", "ortho", "forward"))
_COMPLEX_NP = _dtype.COMPLEX_NP
_REAL_NP = frozenset(d for d in _dtype.NATIVE_FLOATING_NP if d.itemsize >= 4)


def _check_norm(norm, fname):
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm


def _as_float(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    if x.is_complex():
        return x
    if not x.is_floating_point():
        return x.to(_dtype.get_default_dtype())
    if x.dtype.itemsize < 4:
        raise RuntimeError(f"Unsupported dtype {x.dtype}")
    return x


def _as_complex(x, fname):
    if type(x) is Tensor and x._data.dtype in _COMPLEX_NP:
        return x
    x = _as_float(x, fname)
    if x.is_complex():
        return x
    return _e().complex(x, _e().zeros_like(x))


def _as_real(x, fname):
    if type(x) is Tensor and x._data.dtype in _REAL_NP:
        return x
    x = _as_float(x, fname)
    if x.is_complex():
        raise RuntimeError(f"{fname} expects a real input tensor, but got {x.dtype}")
    return x


def _resize(x, dim, n):
    """Zero-pad or trim ``x`` to length ``n`` along ``dim`` (PyTorch's n= / s=)."""
    size = x.shape[dim]
    if n == size:
        return x
    if n < size:
        return x.narrow(dim, 0, n)
    shape = list(x.shape)
    shape[dim] = n - size
    return _e().cat([x, _e().zeros(shape, dtype=x.dtype)], dim=dim)


def _wrap(d, nd):
    if nd == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return _wrap_dim(d, nd)


def _one_dim(x, n, dim):
    """(dim, n) of a one-dimensional transform (``n`` is the input's length if None)."""
    d = _wrap(dim, x._data.ndim)
    if n is None:
        n = x._data.shape[d]
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return d, n


def _dims_and_sizes(x, s, dim, fname, default_all):
    nd = x.dim()
    if dim is None:
        if s is not None:
            dims = list(range(nd - len(s), nd))
        else:
            dims = list(range(nd)) if default_all else [nd - 2, nd - 1]
    elif isinstance(dim, int):
        dims = [dim]
    else:
        dims = list(dim)
    dims = [_wrap(d, nd) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        sizes = [x.shape[d] for d in dims]
    else:
        if len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        sizes = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _c2c(x, s, dim, norm, forward, fname, default_all):
    x = _as_complex(x, fname)
    dims, sizes = _dims_and_sizes(x, s, dim, fname, default_all)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    return _s.FftC2C.apply(x, dims=tuple(dims), norm=_check_norm(norm, fname), forward=forward)


def _c2c_1d(x, n, dim, norm, forward, fname):
    """fft / ifft: the one-dimensional case with no list handling (per-call overhead)."""
    x = _as_complex(x, fname)
    d, n = _one_dim(x, n, dim)
    if n != x._data.shape[d]:
        x = _resize(x, d, n)
    return _s.FftC2C.apply(x, dims=(d,), norm=_check_norm(norm, fname), forward=forward)


def _r2c(x, s, dim, norm, fname, default_all, forward=True):
    x = _as_real(x, fname)
    dims, sizes = _dims_and_sizes(x, s, dim, fname, default_all)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    return _s.FftR2C.apply(x, dims=tuple(dims), norm=_check_norm(norm, fname), forward=forward)


def _r2c_1d(x, n, dim, norm, fname, forward=True):
    x = _as_real(x, fname)
    d, n = _one_dim(x, n, dim)
    if n != x._data.shape[d]:
        x = _resize(x, d, n)
    return _s.FftR2C.apply(x, dims=(d,), norm=_check_norm(norm, fname), forward=forward)


def _c2r(x, s, dim, norm, fname, default_all, conj_input=False):
    x = _as_complex(x, fname)
    dims, sizes = _dims_and_sizes(x, s, dim, fname, default_all)
    last = dims[-1]
    if s is None or s[-1] == -1:
        sizes[-1] = 2 * (x.shape[last] - 1)
    return _c2r_run(x, dims, sizes, norm, fname, conj_input)


def _c2r_run(x, dims, sizes, norm, fname, conj_input):
    if sizes[-1] < 1:
        raise RuntimeError(f"Invalid number of data points ({sizes[-1]}) specified")
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = _resize(x, d, n)
    last = dims[-1]
    half = sizes[-1] // 2 + 1
    if half != x._data.shape[last]:
        x = _resize(x, last, half)
    if conj_input:
        x = x.conj()
    norm = _check_norm(norm, fname)
    if conj_input:
        norm = _s.DUAL_NORM[norm]
    return _s.FftC2R.apply(x, dims=tuple(dims), norm=norm, last_size=sizes[-1])


def _c2r_1d(x, n, dim, norm, fname, conj_input=False):
    x = _as_complex(x, fname)
    d = _wrap(dim, x._data.ndim)
    if n is None:
        n = 2 * (x._data.shape[d] - 1)
    return _c2r_run(x, (d,), (n,), norm, fname, conj_input)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_c2c_1d(input, n, dim, norm, True, "fft"), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_c2c_1d(input, n, dim, norm, False, "ifft"), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_c2c(input, s, dim, norm, True, "fft2", False), out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_c2c(input, s, dim, norm, False, "ifft2", False), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_c2c(input, s, dim, norm, True, "fftn", True), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_c2c(input, s, dim, norm, False, "ifftn", True), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_r2c_1d(input, n, dim, norm, "rfft"), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_c2r_1d(input, n, dim, norm, "irfft"), out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_r2c(input, s, dim, norm, "rfft2", False), out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_c2r(input, s, dim, norm, "irfft2", False), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_r2c(input, s, dim, norm, "rfftn", True), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_c2r(input, s, dim, norm, "irfftn", True), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a Hermitian-symmetric signal given by its one-sided half: real output."""
    return _out(_c2r_1d(input, n, dim, norm, "hfft", conj_input=True), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_r2c_1d(input, n, dim, norm, "ihfft", forward=False), out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_c2r(input, s, dim, norm, "hfft2", False, conj_input=True), out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_r2c(input, s, dim, norm, "ihfft2", False, forward=False), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_c2r(input, s, dim, norm, "hfftn", True, conj_input=True), out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_r2c(input, s, dim, norm, "ihfftn", True, forward=False), out)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies [0, 1, ..., n/2-1, -n/2, ..., -1] / (d n)."""
    e = _e()
    half = (n - 1) // 2 + 1
    idx = e.cat([e.arange(0, half), e.arange(-(n // 2), 0)])
    res = (idx.to(dtype or _dtype.get_default_dtype()) / (d * n)).requires_grad_(requires_grad)
    return _out(res, out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    e = _e()
    res = (e.arange(0, n // 2 + 1).to(dtype or _dtype.get_default_dtype()) / (d * n))
    return _out(res.requires_grad_(requires_grad), out)


def _shift_dims(input, dim):
    if dim is None:
        return list(range(input.dim()))
    return [dim] if isinstance(dim, int) else list(dim)


def fftshift(input, dim=None):
    dims = _shift_dims(input, dim)
    return _e().roll(input, [input.shape[d] // 2 for d in dims], dims)


def ifftshift(input, dim=None):
    dims = _shift_dims(input, dim)
    return _e().roll(input, [(input.shape[d] + 1) // 2 for d in dims], dims)


def _out(res, out):
    if out is None:
        return res
    out.copy_(res)
    return out
