"""The backend's LAPACK fast path: SciPy's LAPACK drivers for single CPU matrices, with
``numpy.linalg`` (CuPy's ``linalg`` on the GPU) as the fallback. Part of the backend
layer (``backend.py`` holds the rest), split out because it is the one place that knows
SciPy's LAPACK wrappers.

``for_(xp)`` returns a namespace with numpy.linalg's signatures (inv, solve, det,
cholesky, qr, svd, eigh). Each call takes the fast path when SciPy is installed and the
input is one 2-D float32/float64/complex64/complex128 NumPy matrix with elements;
anything else (a batch, an empty matrix, CuPy, no SciPy) goes to ``xp.linalg`` unchanged.
The fast path calls the same LAPACK routines torch's CPU build does (getrf/getrs,
potrf, geqrf/orgqr, syevd/heevd, gesdd) in the input's own precision, and returns
C-contiguous results like numpy.linalg.

Why it is faster (256x256 float32, 2-core machine, load ~5, ms, numpy.linalg -> here):
inv 4.9 -> 0.9, solve 1.2 -> 0.4, cholesky 0.8 -> 0.2, qr 7.5 -> 2.5, svd 18 -> 8.9,
eigh 7.6 -> 4.7, det 0.8 -> 0.3. Two things: numpy.linalg's gufunc wrappers copy the
input into Fortran order and back again (the transposed view ``a.T`` is already
Fortran-ordered, so getrf/potrf read it with no copy of their own beyond LAPACK's
work buffer), and thread count. Like small GEMMs (backend's BLAS policy), LAPACK on
matrices up to ``SINGLE_THREAD_MAX_N`` gains nothing from a second OpenBLAS thread on a
quiet machine and loses 2-300x when another process holds a core (measured: getri
356 ms with two threads under load vs 1.1 ms with one), so those calls (and larger ones
while the cores are oversubscribed, backend's load check) run SciPy's OpenBLAS on one
thread and give it back its default thread count afterwards.

Where it differs from numpy.linalg: inv is getrf + getrs against the identity (as
torch), not gesv; results agree to float rounding. Errors keep numpy.linalg's messages
(``LinAlgError('Singular matrix')``, ``'Matrix is not positive definite'``), which the
ops translate into PyTorch's.
"""
import numpy

# Up to this order a LAPACK call runs on one OpenBLAS thread (see the module docstring).
SINGLE_THREAD_MAX_N = 512
_FAST_CHARS = frozenset("fdFD")
_state = {}


def _scipy():
    """(scipy.linalg.lapack.get_lapack_funcs, thread setter or None), or None without SciPy."""
    if "lapack" not in _state:
        try:
            from scipy.linalg.lapack import get_lapack_funcs
        except ImportError:
            _state["lapack"] = None
        else:
            _state["lapack"] = (get_lapack_funcs, _scipy_openblas_threads())
    return _state["lapack"]


def _scipy_openblas_threads():
    """(set_num_threads, default) of the OpenBLAS SciPy loaded (not NumPy's), or None."""
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f
                            if "openblas" in line.lower() and "scipy.libs" in line})
        for path in paths:
            lib = ctypes.CDLL(path)
            for prefix in ("scipy_openblas", "openblas"):
                for suffix in ("", "64_"):
                    setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                    getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                    if setter is not None and getter is not None:
                        return setter, int(getter())
    except Exception:  # noqa: BLE001 - no /proc, MKL or Accelerate: leave threads alone
        pass
    return None


def _fast(a):
    return (type(a) is numpy.ndarray and a.ndim == 2 and a.size
            and a.dtype.char in _FAST_CHARS and _scipy() is not None)


class _OneThread:
    """Run SciPy's OpenBLAS on one thread inside the block for matrices up to order n."""

    __slots__ = ("threads",)

    def __init__(self, n):
        threads = _state["lapack"][1]
        if threads is not None and threads[1] > 1 and n > SINGLE_THREAD_MAX_N:
            from . import backend
            if not backend.oversubscribed():
                threads = None
        self.threads = threads if threads is not None and threads[1] > 1 else None

    def __enter__(self):
        if self.threads is not None:
            self.threads[0](1)

    def __exit__(self, *exc):
        if self.threads is not None:
            self.threads[0](self.threads[1])


def _funcs(names, a):
    return _state["lapack"][0](names, (a,))


def _fortran(a):
    """(matrix LAPACK should read, whether it is a's transpose): the transposed view of a
    C-contiguous matrix is Fortran-ordered, so LAPACK takes it without a copy."""
    if a.flags.c_contiguous:
        return a.T, True
    if a.flags.f_contiguous:
        return a, False
    return numpy.ascontiguousarray(a).T, True


def _check(info, name):
    if info < 0:
        raise ValueError(f"illegal value in argument {-info} of internal {name}")


def _lu(a, name):
    """getrf of A^T when a is C-contiguous: (lu, piv, transposed)."""
    (getrf,) = _funcs(("getrf",), a)
    m, transposed = _fortran(a)
    lu, piv, info = getrf(m)
    _check(info, name)
    if info > 0:
        raise numpy.linalg.LinAlgError("Singular matrix")
    return lu, piv, transposed


def inv(a):
    if not _fast(a) or a.shape[0] != a.shape[1]:
        return numpy.linalg.inv(a)
    with _OneThread(a.shape[0]):
        lu, piv, transposed = _lu(a, "getrf")
        (getrs,) = _funcs(("getrs",), a)
        # transposed: lu factors A^T, so this is inv(A^T) in Fortran order = inv(A) in C
        x, info = getrs(lu, piv, numpy.eye(a.shape[0], dtype=a.dtype), overwrite_b=1)
    _check(info, "getrs")
    return x.T if transposed else numpy.ascontiguousarray(x)


def solve(a, b):
    if not (_fast(a) and type(b) is numpy.ndarray and b.ndim == 2 and b.size
            and b.dtype == a.dtype and a.shape[0] == a.shape[1] == b.shape[0]):
        return numpy.linalg.solve(a, b)
    with _OneThread(a.shape[0]):
        lu, piv, transposed = _lu(a, "getrf")
        (getrs,) = _funcs(("getrs",), a)
        x, info = getrs(lu, piv, b, trans=int(transposed))
    _check(info, "getrs")
    return numpy.ascontiguousarray(x)


def det(a):
    if not _fast(a) or a.shape[0] != a.shape[1]:
        return numpy.linalg.det(a)
    with _OneThread(a.shape[0]):
        try:
            lu, piv, _ = _lu(a, "getrf")
        except numpy.linalg.LinAlgError:  # an exactly zero pivot: det is 0
            return numpy.zeros((), a.dtype)
    swaps = numpy.count_nonzero(piv != numpy.arange(piv.shape[0], dtype=piv.dtype))
    out = numpy.multiply.reduce(numpy.diagonal(lu))
    return -out if swaps % 2 else out


def cholesky(a):
    """Lower factor L (L L^H = A, A's lower triangle read, as numpy and torch)."""
    if not _fast(a) or a.shape[0] != a.shape[1]:
        return numpy.linalg.cholesky(a)
    (potrf,) = _funcs(("potrf",), a)
    m, transposed = _fortran(a)
    # A^T's upper triangle is A's lower one; its upper factor U is then L^T (real) or
    # L^T as well for Hermitian A, since A^T = conj(A) = conj(L) conj(L)^H.
    with _OneThread(a.shape[0]):
        c, info = potrf(m, lower=0 if transposed else 1, clean=1)
    _check(info, "potrf")
    if info > 0:
        raise numpy.linalg.LinAlgError("Matrix is not positive definite")
    return c.T if transposed else numpy.ascontiguousarray(c)


def qr(a, mode="reduced"):
    if not _fast(a) or mode not in ("reduced", "complete"):
        return numpy.linalg.qr(a, mode=mode)
    m, n = a.shape
    k = min(m, n)
    cols = m if mode == "complete" else k
    geqrf, orgqr = _funcs(("geqrf", "orgqr" if a.dtype.char in "fd" else "ungqr"), a)
    with _OneThread(max(m, n)):
        qr_, tau, _, info = geqrf(a, lwork=_lwork(geqrf, a.dtype.char, m, n))
        _check(info, "geqrf")
        r = numpy.triu(qr_[:cols, :])
        if cols > n:  # complete Q of a tall matrix: m x m from n reflectors
            basis = numpy.zeros((m, cols), a.dtype, order="F")
            basis[:, :n] = qr_
        else:
            basis = qr_[:, :cols]
        q, _, info = orgqr(basis, tau, lwork=_lwork(orgqr, a.dtype.char, m, cols, tau),
                           overwrite_a=1)
    _check(info, "orgqr")
    return numpy.ascontiguousarray(q), r


def _lwork(fn, char, m, n, tau=None):
    """LAPACK's optimal work size for geqrf/orgqr on an m x n matrix, asked once per shape."""
    key = (fn.typecode if hasattr(fn, "typecode") else char, fn.__name__, m, n,
           None if tau is None else tau.shape[0])
    size = _lwork_cache.get(key)
    if size is None:
        probe = numpy.zeros((m, n), numpy.dtype(char), order="F")
        out = fn(probe, lwork=-1) if tau is None else fn(probe, tau, lwork=-1)
        size = _lwork_cache[key] = max(1, int(numpy.real(out[-2][0])))
    return size


_lwork_cache = {}


def eigh(a, UPLO="L"):
    """Eigenvalues ascending and eigenvectors (columns), syevd / heevd as numpy and torch
    on the same column-major matrix, so eigenvector signs match theirs."""
    if not _fast(a) or a.shape[0] != a.shape[1]:
        return numpy.linalg.eigh(a, UPLO=UPLO)
    (evd,) = _funcs(("syevd" if a.dtype.char in "fd" else "heevd",), a)
    with _OneThread(a.shape[0]):
        w, v, info = evd(a, compute_v=1, lower=int(UPLO == "L"))
    _check(info, "syevd")
    if info > 0:
        raise numpy.linalg.LinAlgError("Eigenvalues did not converge")
    return w, numpy.ascontiguousarray(v)


def svd(a, full_matrices=True):
    """U, S, Vh from gesdd (divide and conquer, torch's CPU default driver)."""
    if not _fast(a):
        return numpy.linalg.svd(a, full_matrices=full_matrices)
    (gesdd,) = _funcs(("gesdd",), a)
    with _OneThread(max(a.shape)):
        u, s, vt, info = gesdd(a, compute_uv=1, full_matrices=int(bool(full_matrices)))
    _check(info, "gesdd")
    if info > 0:
        raise numpy.linalg.LinAlgError("SVD did not converge")
    return numpy.ascontiguousarray(u), s, numpy.ascontiguousarray(vt)


class _Namespace:
    __slots__ = ()
    inv = staticmethod(inv)
    solve = staticmethod(solve)
    det = staticmethod(det)
    cholesky = staticmethod(cholesky)
    qr = staticmethod(qr)
    eigh = staticmethod(eigh)
    svd = staticmethod(svd)


_NUMPY = _Namespace()


def for_(xp):
    """The linalg namespace ember's decompositions call for backend ``xp``."""
    return _NUMPY if xp is numpy else xp.linalg


def lu_factor(a):
    """Partial-pivoting LU (getrf) of every matrix of the host array ``a`` (..., m, n),
    square or not: ``(LU, pivots, info)`` as PyTorch's ``linalg.lu_factor_ex`` returns
    them (L's unit diagonal implied below U in LU; LAPACK's 1-based row interchanges as
    int32; ``info`` the 1-based index of the first zero pivot, 0 if none, int32). A zero
    pivot is reported in ``info``, never raised. Needs SciPy (CuPy has no pivoted LU:
    the ops run it on a host copy)."""
    lapack = _scipy()
    if lapack is None:
        raise ImportError("ember.linalg.lu / lu_factor / lu_solve need SciPy: "
                          "pip install 'ember[scipy]'")
    m, n = a.shape[-2:]
    k = min(m, n)
    lead = a.shape[:-2]
    count = 1
    for s in lead:
        count *= s
    flat = a.reshape((count, m, n))
    lu = numpy.empty_like(flat)
    piv = numpy.zeros((flat.shape[0], k), dtype=numpy.int32)
    info = numpy.zeros(flat.shape[0], dtype=numpy.int32)
    if k == 0:
        lu[...] = flat
    elif flat.shape[0]:
        (getrf,) = lapack[0](("getrf",), (flat[0],))
        with _OneThread(max(m, n)):
            for i, mat in enumerate(flat):
                lu[i], p, inf = getrf(mat)
                _check(inf, "getrf")
                piv[i] = p + 1          # SciPy's wrapper gives 0-based interchanges
                info[i] = inf
    return lu.reshape(a.shape), piv.reshape(lead + (k,)), info.reshape(lead)
