"""ember.fft against torch.fft: values, dtypes, gradients (incl. complex), gradcheck."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _real(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _cplx(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


CASES = [
    ("fft", lambda F, x: F.fft(x), "c", (6,)),
    ("fft_real_in", lambda F, x: F.fft(x), "r", (5,)),
    ("fft_n_pad", lambda F, x: F.fft(x, n=8, norm="ortho"), "c", (2, 5)),
    ("fft_n_trim", lambda F, x: F.fft(x, n=3, dim=0, norm="forward"), "c", (5, 2)),
    ("ifft", lambda F, x: F.ifft(x), "c", (7,)),
    ("ifft_ortho", lambda F, x: F.ifft(x, norm="ortho"), "c", (3, 4)),
    ("fft2", lambda F, x: F.fft2(x), "c", (2, 3, 4)),
    ("ifft2_s", lambda F, x: F.ifft2(x, s=(4, 6)), "c", (3, 4)),
    ("fftn", lambda F, x: F.fftn(x, norm="forward"), "c", (2, 3, 2)),
    ("ifftn_dim", lambda F, x: F.ifftn(x, dim=(0, 2)), "c", (2, 3, 4)),
    ("rfft", lambda F, x: F.rfft(x), "r", (8,)),
    ("rfft_odd", lambda F, x: F.rfft(x, norm="ortho"), "r", (2, 7)),
    ("rfft_n", lambda F, x: F.rfft(x, n=10, dim=0), "r", (6, 2)),
    ("irfft", lambda F, x: F.irfft(x), "c", (5,)),
    ("irfft_n_odd", lambda F, x: F.irfft(x, n=7, norm="forward"), "c", (2, 4)),
    ("rfft2", lambda F, x: F.rfft2(x), "r", (3, 4, 6)),
    ("irfft2", lambda F, x: F.irfft2(x, s=(4, 6)), "c", (4, 4)),
    ("rfftn", lambda F, x: F.rfftn(x, norm="ortho"), "r", (2, 4, 5)),
    ("irfftn", lambda F, x: F.irfftn(x), "c", (2, 3, 4)),
    ("hfft", lambda F, x: F.hfft(x), "c", (5,)),
    ("hfft_n", lambda F, x: F.hfft(x, n=7, norm="ortho"), "c", (2, 4)),
    ("ihfft", lambda F, x: F.ihfft(x), "r", (8,)),
    ("ihfft_ortho", lambda F, x: F.ihfft(x, norm="ortho"), "r", (2, 7)),
    ("fftshift", lambda F, x: F.fftshift(x), "r", (4, 5)),
    ("ifftshift_dim", lambda F, x: F.ifftshift(x, dim=1), "r", (4, 5)),
]


def _lib_fft(lib):
    return lib.fft


@pytest.mark.parametrize("name,fn,kind,shape", CASES, ids=[c[0] for c in CASES])
def test_values_dtypes_and_gradients_match_torch(name, fn, kind, shape):
    arr = _cplx(shape) if kind == "c" else _real(shape)
    e_in = ember.tensor(arr, requires_grad=True)
    t_in = torch.tensor(arr, requires_grad=True)
    e_out, t_out = fn(ember.fft, e_in), fn(torch.fft, t_in)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().resolve_conj().numpy(),
                               atol=1e-10,
                               err_msg=name)
    assert str(e_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    w = _cplx(tuple(t_out.shape), 1) if t_out.is_complex() else _real(tuple(t_out.shape), 1)
    # a real loss of a complex output: sum(real(out * conj(w)))
    if t_out.is_complex():
        (e_out * ember.tensor(w).conj()).real.sum().backward()
        (t_out * torch.tensor(w).conj()).real.sum().backward()
    else:
        (e_out * ember.tensor(w)).sum().backward()
        (t_out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(e_in.grad.numpy(), t_in.grad.resolve_conj().numpy(), atol=1e-10,
                               err_msg=name)


@pytest.mark.parametrize("name", ["fft_n_pad", "rfft_odd", "irfft_n_odd", "rfft2", "hfft_n",
                                  "ihfft_ortho", "fftn"])
def test_gradcheck_and_gradgradcheck(name):
    _, fn, kind, shape = next(c for c in CASES if c[0] == name)
    arr = _real(shape, 3)
    x = ember.tensor(arr, requires_grad=True)

    def real_loss(t):
        inp = ember.complex(t, t * 0.5) if kind == "c" else t
        out = fn(ember.fft, inp)
        return ember.view_as_real(out) if out.is_complex() else out

    assert gradcheck(real_loss, (x,), eps=1e-6, atol=1e-6)
    assert gradgradcheck(real_loss, (x,), eps=1e-6, atol=1e-5)


def test_float32_gives_complex64_and_int_promotes():
    x = ember.tensor(_real((8,)).astype(np.float32))
    assert ember.fft.fft(x).dtype == ember.complex64
    assert ember.fft.rfft(ember.arange(8)).dtype == ember.complex64
    np.testing.assert_allclose(ember.fft.rfft(ember.arange(8)).numpy(),
                               torch.fft.rfft(torch.arange(8)).numpy(), rtol=1e-6, atol=1e-5)
    assert ember.fft.irfft(ember.fft.rfft(x)).dtype == ember.float32


def test_freqs_match_torch():
    for n, d in ((8, 1.0), (7, 0.5)):
        np.testing.assert_allclose(ember.fft.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy())
        np.testing.assert_allclose(ember.fft.rfftfreq(n, d).numpy(), torch.fft.rfftfreq(n, d).numpy())


def test_bad_arguments():
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        ember.fft.fft(ember.ones(4), norm="bad")
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        ember.fft.fft(ember.ones(4), n=0)
    with pytest.raises(RuntimeError, match="real input"):
        ember.fft.rfft(ember.ones(4, dtype=ember.complex64))
    with pytest.raises(RuntimeError, match="unique"):
        ember.fft.fftn(ember.ones(2, 2), dim=(0, 0))
    # out-of-range dims raise torch's IndexError (never wrap around)
    for call in (lambda L: L.fft.fft(L.ones(4), dim=3), lambda L: L.fft.rfft(L.ones(4), dim=-2),
                 lambda L: L.fft.irfft(L.ones(4, dtype=L.complex64), dim=2),
                 lambda L: L.fft.fft2(L.ones(4, 4), dim=(0, 3)),
                 lambda L: L.fft.fft(L.tensor(1.0))):
        with pytest.raises(IndexError) as theirs:
            call(torch)
        with pytest.raises(IndexError) as ours:
            call(ember)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError, match=r"Invalid number of data points \(0\)"):
        ember.fft.irfft(ember.ones(1, dtype=ember.complex64))


def test_complex_tensor_helpers_match_torch():
    arr = _cplx((2, 3))
    e, t = ember.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    for f in (lambda L, z: L.view_as_real(z), lambda L, z: z.real * 2 + z.imag,
              lambda L, z: L.angle(z), lambda L, z: z.abs()):
        eo, to = f(ember, e), f(torch, t)
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), atol=1e-12)
        eo.sum().backward()
        to.sum().backward()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-12)
        e.grad = None
        t.grad = None
    re, im = _real((3,)), _real((3,), 1)
    ec = ember.complex(ember.tensor(re), ember.tensor(im))
    assert ec.dtype == ember.complex128
    assert ember.view_as_complex(ember.view_as_real(ec)).tolist() == ec.tolist()
    vr = ember.view_as_real(ec)
    vr[0, 0] = 5.0                       # a view: writes reach the complex tensor
    assert ec[0].real.item() == 5.0
    assert repr(ec[:1]) == repr(torch.complex(torch.tensor([5.0], dtype=torch.float64),
                                              torch.tensor(im[:1]))).replace("torch", "ember")


LONG_CASES = [
    # long one-axis complex transforms run as the four-step decomposition (fft_kernels)
    ("fft_2x8192", lambda F, x: F.fft(x), (2, 8192)),
    ("ifft_dim0_ortho", lambda F, x: F.ifft(x, dim=0, norm="ortho"), (12288, 2)),
    ("fft_10000_forward", lambda F, x: F.fft(x, norm="forward"), (10000,)),
    ("ifft_mid_axis", lambda F, x: F.ifft(x, dim=1), (2, 9216, 3)),
    ("fft_prime_direct", lambda F, x: F.fft(x), (8209,)),
    ("fft_noncontig", lambda F, x: F.fft(x[::2]), (16384 * 2,)),
    # long real transforms along the last axis run as one complex transform of half length
    ("rfft_long", lambda F, x: F.rfft(x), (2, 16384)),
    ("rfft_long_ortho_noncontig", lambda F, x: F.rfft(x[::2], norm="ortho"), (40000,)),
    ("irfft_long", lambda F, x: F.irfft(x), (16385,)),
    ("irfft_long_n_forward", lambda F, x: F.irfft(x, n=20000, norm="forward"), (2, 9000)),
    ("hfft_long", lambda F, x: F.hfft(x), (3, 8193)),
    ("ihfft_long", lambda F, x: F.ihfft(x, norm="forward"), (16384,)),
    ("irfft_long_odd_direct", lambda F, x: F.irfft(x, n=16385), (8193,)),
]
_REAL_INPUT = ("rfft_long", "rfft_long_ortho_noncontig", "ihfft_long")


@pytest.mark.parametrize("name,fn,shape", LONG_CASES, ids=[c[0] for c in LONG_CASES])
def test_long_transforms_match_torch(name, fn, shape):
    arr = _real(shape, 5) if name in _REAL_INPUT else _cplx(shape, 5)
    e_in = ember.tensor(arr, requires_grad=True)
    t_in = torch.tensor(arr, requires_grad=True)
    e_out, t_out = fn(ember.fft, e_in), fn(torch.fft, t_in)
    ref = t_out.detach().resolve_conj().numpy()
    scale = np.abs(ref).max()
    np.testing.assert_allclose(e_out.detach().numpy(), ref, rtol=0, atol=1e-12 * scale)
    if t_out.is_complex():
        w = _cplx(tuple(t_out.shape), 1)
        (e_out * ember.tensor(w).conj()).real.sum().backward()
        (t_out * torch.tensor(w).conj()).real.sum().backward()
    else:
        w = _real(tuple(t_out.shape), 1)
        (e_out * ember.tensor(w)).sum().backward()
        (t_out * torch.tensor(w)).sum().backward()
    g = t_in.grad.resolve_conj().numpy()
    np.testing.assert_allclose(e_in.grad.numpy(), g, rtol=0, atol=1e-12 * np.abs(g).max())
    # single precision keeps complex64 / float32 and torch's accuracy
    single = np.float32 if name in _REAL_INPUT else np.complex64
    e32 = fn(ember.fft, ember.tensor(arr.astype(single)))
    t32 = fn(torch.fft, torch.tensor(arr.astype(single)))
    assert str(e32.dtype).split(".")[-1] == str(t32.dtype).split(".")[-1]
    np.testing.assert_allclose(e32.numpy(), t32.resolve_conj().numpy(), rtol=0, atol=2e-6 * scale)
