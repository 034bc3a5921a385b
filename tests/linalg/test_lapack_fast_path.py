"""ember._lapack (SciPy's LAPACK drivers for single CPU matrices) against numpy.linalg,
its fallback: same values, dtypes, shapes, C-contiguous results and errors."""
import numpy as np
import pytest

pytest.importorskip("scipy")
from ember import _lapack as L  # noqa: E402

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def _mat(rng, shape, dt):
    a = rng.standard_normal(shape)
    if np.dtype(dt).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dt)


def _tol(dt):
    return 2e-4 if dt in (np.float32, np.complex64) else 1e-10


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(6, 6), (7, 4), (4, 7)])
def test_qr_and_svd_match_numpy(dt, shape):
    a = _mat(np.random.default_rng(0), shape, dt)
    tol = _tol(dt)
    for mode in ("reduced", "complete"):
        for got, want in zip(L.qr(a, mode), np.linalg.qr(a, mode)):
            assert got.shape == want.shape and got.dtype == want.dtype and got.flags.c_contiguous
            np.testing.assert_allclose(got, want, atol=tol, rtol=tol)
    for full in (True, False):
        u, s, vh = L.svd(a, full)
        un, sn, vhn = np.linalg.svd(a, full)
        assert u.shape == un.shape and vh.shape == vhn.shape and s.dtype == sn.dtype
        np.testing.assert_allclose(s, sn, atol=tol, rtol=tol)
        k = len(s)
        np.testing.assert_allclose((u[:, :k] * s) @ vh[:k], a, atol=10 * tol, rtol=10 * tol)
        np.testing.assert_allclose(np.abs(u[:, :k]), np.abs(un[:, :k]), atol=10 * tol)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("order", ["C", "F", "strided"])
def test_square_calls_match_numpy(dt, order):
    rng = np.random.default_rng(1)
    a = _mat(rng, (6, 6), dt) + 4 * np.eye(6, dtype=dt)
    spd = (a @ a.conj().T).astype(dt)
    b = _mat(rng, (6, 3), dt)
    if order == "F":
        a, spd = np.asfortranarray(a), np.asfortranarray(spd)
    elif order == "strided":
        a = np.repeat(a, 2, axis=1)[:, ::2]
        spd = np.repeat(spd, 2, axis=1)[:, ::2]
    tol = _tol(dt)
    for name, args in [("inv", (a,)), ("det", (a,)), ("solve", (a, b)), ("cholesky", (spd,))]:
        got, want = getattr(L, name)(*args), getattr(np.linalg, name)(*args)
        assert np.asarray(got).dtype == np.asarray(want).dtype, name
        np.testing.assert_allclose(got, want, rtol=10 * tol, atol=10 * tol, err_msg=name)
    for uplo in "LU":  # eigenvectors up to sign (LAPACK builds differ in the signs)
        (w, v), (wn, vn) = L.eigh(spd, uplo), np.linalg.eigh(spd, uplo)
        assert w.dtype == wn.dtype and v.dtype == vn.dtype and v.flags.c_contiguous
        np.testing.assert_allclose(w, wn, rtol=50 * tol, atol=50 * tol)
        np.testing.assert_allclose(np.abs(v), np.abs(vn), rtol=50 * tol, atol=50 * tol)


def test_errors_and_fallbacks():
    with pytest.raises(np.linalg.LinAlgError, match="Singular"):
        L.inv(np.zeros((3, 3), np.float32))
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        L.cholesky(-np.eye(3, dtype=np.float32))
    assert L.det(np.zeros((3, 3), np.float32)) == 0
    assert L.det(np.array([[0, 1], [1, 0]], np.float32)) == -1
    batch = np.random.default_rng(2).standard_normal((2, 3, 3)).astype(np.float32)
    np.testing.assert_allclose(L.inv(batch), np.linalg.inv(batch), rtol=1e-5)  # numpy's
    assert L.qr(np.zeros((0, 3), np.float32))[1].shape == (0, 3)
