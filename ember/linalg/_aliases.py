"""Top-level ``torch.*`` linear-algebra names (``torch.det``, ``torch.svd`` with its
legacy ``some=`` return, ``torch.qr``, ``torch.cholesky_solve`` ...), on ember.linalg."""
import collections
import warnings

from . import (cholesky as _cholesky, det, inv, matrix_exp, matrix_power, pinv, qr as _qr,
               slogdet as _slogdet, svd as _svd, lu_solve as _lu_solve,
               cross as _lcross, multi_dot, solve_triangular)

_SlogdetResult = collections.namedtuple("slogdet", ("sign", "logabsdet"))
_QrResult = collections.namedtuple("qr", ("Q", "R"))
_SvdResult = collections.namedtuple("svd", ("U", "S", "V"))
_TriSolveResult = collections.namedtuple("triangular_solve", ("solution", "cloned_coefficient"))

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "qr", "svd", "pinverse", "matrix_power", "matrix_exp",
           "lu_solve", "triangular_solve", "cross", "chain_matmul"]


def logdet(input):
    """log det(A); nan for a negative determinant, -inf for a singular matrix."""
    sign, logabs = _slogdet(input)
    import ember
    return ember.where(sign < 0, ember.full_like(logabs, float("nan")),
                       ember.where(sign == 0, ember.full_like(logabs, float("-inf")), logabs))


def slogdet(input):
    return _SlogdetResult(*_slogdet(input))


def inverse(input, *, out=None):
    return inv(input, out=out)


def cholesky(input, upper=False, *, out=None):
    return _cholesky(input, upper=upper, out=out)


def cholesky_solve(B, L, upper=False, *, out=None):
    """Solve A X = B given A's Cholesky factor L (or U with ``upper=True``)."""
    low = L.transpose(-2, -1).conj() if upper else L
    y = solve_triangular(low, B, upper=False)
    x = solve_triangular(low.transpose(-2, -1).conj(), y, upper=True)
    if out is not None:
        out.copy_(x)
        return out
    return x


def cholesky_inverse(L, upper=False, *, out=None):
    import ember
    eye = ember.eye(L.shape[-1], dtype=L.dtype).expand(L.shape)
    return cholesky_solve(eye, L, upper=upper, out=out)


def qr(input, some=True, *, out=None):
    q, r = _qr(input, "reduced" if some else "complete")
    return _QrResult(q, r)


def svd(input, some=True, compute_uv=True, *, out=None):
    """The legacy ``torch.svd``: returns V (not V^H); ``some=False`` gives full U, V;
    ``compute_uv=False`` gives zero-filled U and V, as PyTorch does."""
    import ember
    u, s, vh = _svd(input, full_matrices=not some)
    v = vh.transpose(-2, -1).conj()
    if not compute_uv:
        u, v = ember.zeros_like(u), ember.zeros_like(v)
    return _SvdResult(u, s, v)


def pinverse(input, rcond=1e-15, hermitian=False):
    return pinv(input, rtol=rcond, hermitian=hermitian)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return _lu_solve(LU_data, LU_pivots, b, out=out)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    a = A.transpose(-2, -1) if transpose else A
    x = solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return _TriSolveResult(x, A.clone())


def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: with ``dim=None`` the first dimension of size 3 (deprecated in
    PyTorch, which warns, as here)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                      "The default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), -1)
    return _lcross(input, other, dim=dim, out=out)


def chain_matmul(*matrices, out=None):
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two "
                  "or more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(list(matrices), out=out)
