"""Top-level ``torch.*`` linear-algebra names (``torch.det``, ``torch.svd`` with its
legacy ``some=`` return, ``torch.qr``, ``torch.cholesky_solve`` ...), on ember.linalg."""
import collections
import warnings

from . import (cholesky as _cholesky, det, inv, matrix_exp, matrix_power, pinv, qr as _qr,
               slogdet as _slogdet, svd as _svd, lu_solve as _lu_solve,
               cross as _lcross, multi_dot, solve_triangular)
from ..ops.decomposition import lu_unpack_data, pivots_to_permutation

_SlogdetResult = collections.namedtuple("slogdet", ("sign", "logabsdet"))
_QrResult = collections.namedtuple("qr", ("Q", "R"))
_SvdResult = collections.namedtuple("svd", ("U", "S", "V"))
_TriSolveResult = collections.namedtuple("triangular_solve", ("solution", "cloned_coefficient"))

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "qr", "svd", "pinverse", "matrix_power", "matrix_exp",
           "lu_solve", "triangular_solve", "cross", "chain_matmul", "lu_unpack", "geqrf",
           "orgqr", "ormqr", "lu"]

_LuUnpackResult = collections.namedtuple("lu_unpack", ("P", "L", "U"))
_GeqrfResult = collections.namedtuple("geqrf", ("a", "tau"))


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


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``torch.lu_unpack``: ``(P, L, U)`` with ``A = P @ L @ U`` from ``lu_factor``'s packed
    LU and LAPACK's 1-based pivots. L and U are differentiable in ``LU_data``; a part not
    unpacked comes back empty, as in PyTorch."""
    import ember
    if out is not None:
        raise NotImplementedError("lu_unpack: out= is not supported in ember")
    if LU_data.dim() < 2:
        raise RuntimeError("torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(LU_data.shape)} instead")
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (k,):
        raise RuntimeError("torch.lu_unpack: LU_pivots of shape "
                           f"{list(LU_pivots.shape)} does not match LU_data's batch shape and "
                           f"min(m, n) = {k}")
    empty = ember.empty(0, dtype=LU_data.dtype)
    L = U = P = empty
    if unpack_data:
        L, U = lu_unpack_data(LU_data)
    if unpack_pivots:
        P = pivots_to_permutation(LU_pivots._data, m, LU_data.detach())
    return _LuUnpackResult(P, L, U)


def geqrf(input, *, out=None):
    """``torch.geqrf``: LAPACK's packed QR, ``(a, tau)``: R on and above the diagonal of
    ``a``, the Householder vectors below it (for ``orgqr`` / ``ormqr``). Not differentiable,
    as in PyTorch."""
    import ember
    import numpy as np
    if out is not None:
        raise NotImplementedError("geqrf: out= is not supported in ember")
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    arr = input.detach().cpu().numpy()
    m, n = arr.shape[-2:]
    flat = arr.reshape((-1, m, n))
    outs, taus = [], []
    for mat in flat:
        h, tau = np.linalg.qr(mat, mode="raw")    # h is LAPACK's a, transposed
        outs.append(h.T)
        taus.append(tau)
    a = np.stack(outs).reshape(arr.shape).astype(arr.dtype) if flat.size else arr.copy()
    t = (np.stack(taus).reshape(arr.shape[:-2] + (min(m, n),)).astype(arr.dtype)
         if flat.size else np.zeros(arr.shape[:-2] + (min(m, n),), arr.dtype))
    return _GeqrfResult(ember.from_numpy(np.ascontiguousarray(a)).to(input.device),
                        ember.from_numpy(t).to(input.device))


def orgqr(input, tau):
    """``torch.orgqr``: the first n columns of Q from ``geqrf``'s output (an alias of
    ``torch.linalg.householder_product``)."""
    from . import householder_product
    return householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False):
    """``torch.ormqr``: ``Q @ other`` (``left``) or ``other @ Q``, Q (or Q^H with
    ``transpose``) the full m x m orthogonal matrix of ``geqrf``'s Householder vectors."""
    import ember
    from . import householder_product
    m, n = input.shape[-2:]
    if input.shape[-2] < tau.shape[-1]:
        raise RuntimeError("torch.ormqr: input.shape[-2] must be greater than or equal to "
                           "tau.shape[-1]")
    square = input[..., :, :min(m, n)]
    if square.shape[-1] < m:
        pad = ember.zeros(*input.shape[:-2], m, m - square.shape[-1], dtype=input.dtype)
        square = ember.cat([square, pad], -1)
    q = householder_product(square, tau)
    if transpose:
        q = q.transpose(-2, -1).conj()
    return q @ other if left else other @ q


def lu(A, pivot=True, get_infos=False, out=None):
    """``torch.lu`` / ``Tensor.lu`` (deprecated in PyTorch for ``linalg.lu_factor``):
    ``(A_LU, pivots)``, plus ``infos`` with ``get_infos=True``. As PyTorch's, it does not
    raise on a singular matrix either way (a zero pivot shows in ``infos``); PyTorch's
    one-time deprecation warning is not repeated."""
    from . import lu_factor_ex
    res = lu_factor_ex(A, pivot=pivot)
    values = (res.LU, res.pivots, res.info) if get_infos else (res.LU, res.pivots)
    if out is not None:
        for o, r in zip(out, values):
            o.resize_(r.shape)
            o.copy_(r)
        return tuple(out)
    return values
