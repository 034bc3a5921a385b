"""``ember.linalg``: ``torch.linalg`` on the decomposition Functions of
``ember/ops/decomposition.py`` and ember's matmul, reductions and shape ops.

Functions follow ``torch.linalg``'s signatures, batching (leading dimensions), dtype
rules (floating or complex inputs; integer inputs raise as in PyTorch) and errors
(``LinAlgError`` for singular / non-positive-definite inputs; the ``*_ex`` variants
return an ``info`` tensor instead). Everything not a decomposition is a composite of
differentiable ember ops, so gradients (and double backward) follow from the pieces.
"""
import math
import warnings

from .. import backend
from .._tensor import Tensor, _make
from ..ops import decomposition as _d
from ..ops.decomposition import LinAlgError

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal",
           "eig", "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex",
           "ldl_factor", "ldl_factor_ex", "ldl_solve", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "matrix_sqrth", "multi_dot", "norm", "pinv",
           "polar", "qr", "slogdet",
           "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv",
           "tensorsolve", "vander", "vecdot", "vector_norm"]


def _e():
    import ember
    return ember


def _check_square(a, fname, arg="A"):
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{fname}(): argument '{arg}' (position 1) must be Tensor, "
                        f"not {type(a).__name__}")
    if a.dim() < 2:
        raise RuntimeError(f"linalg.{fname}: The input tensor {arg} must have at least 2 "
                           "dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{fname}: {arg} must be batches of square matrices, but "
                           f"they are {a.shape[-2]} by {a.shape[-1]} matrices")
    _check_float(a, fname)


def _check_matrix(a, fname, arg="A"):
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg.{fname}(): argument '{arg}' (position 1) must be Tensor, "
                        f"not {type(a).__name__}")
    if a.dim() < 2:
        raise RuntimeError(f"linalg.{fname}: The input tensor {arg} must have at least 2 "
                           "dimensions.")
    _check_float(a, fname)


def _check_float(a, fname):
    if not (a.is_floating_point() or a.is_complex()) or a.dtype.itemsize < 4 and \
            not a.is_complex():
        name = {"Long": "Long", "Int": "Int"}.get(str(a.dtype), None)
        raise RuntimeError(f"linalg.{fname}: Expected a floating point or complex tensor as "
                           f"input. Got {_type_name(a)}" if name is None else
                           f"linalg.{fname}: Expected a floating point or complex tensor as "
                           f"input. Got {name}")


def _type_name(t):
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
             "uint8": "Byte", "bool": "Bool", "float16": "Half", "bfloat16": "BFloat16"}
    return names.get(str(t.dtype).replace("ember.", ""), str(t.dtype))


def _out(result, out):
    if out is None:
        return result
    if isinstance(result, tuple):
        for o, r in zip(out, result):
            o.resize_(r.shape) if hasattr(o, "resize_") else None
            o.copy_(r)
        return out
    out.copy_(result)
    return out


# -- inverses and determinants ------------------------------------------------------------

def inv(A, *, out=None):
    """``torch.linalg.inv``: the inverse of each square matrix in the batch."""
    _check_square(A, "inv")
    return _out(_d.Inv.apply(A), out)


def inv_ex(A, *, check_errors=False, out=None):
    """``(inverse, info)``; info > 0 marks a singular matrix (its first zero pivot)."""
    _check_square(A, "inv_ex")
    try:
        res = _d.Inv.apply(A)
        info = _e().zeros(A.shape[:-2], dtype=_e().int32)
    except LinAlgError:
        if check_errors:
            raise
        xp = backend.get_array_module(A._data)
        res = _make(xp.full(A._data.shape, xp.nan, dtype=A._data.dtype))
        info = _e().ones(A.shape[:-2], dtype=_e().int32)
    return _out(_named("inv_ex", ("inverse", "info"), (res, info)), out)


def det(A, *, out=None):
    _check_square(A, "det")
    return _out(_d.Det.apply(A), out)


def slogdet(A, *, out=None):
    """``(sign, logabsdet)``: the sign (or phase) and log |det A|."""
    _check_square(A, "slogdet")
    return _out(_named("slogdet", ("sign", "logabsdet"), _d.Slogdet.apply(A)), out)


def _named(name, fields, values):
    from .. import return_types
    name = "linalg_" + name
    cls = getattr(return_types, name, None)
    if cls is None:
        import collections
        cls = collections.namedtuple(name, fields)
    return cls(*values)


# -- solving ------------------------------------------------------------------------------

def _is_vector_rhs(A, B):
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A, B, *, left=True, out=None):
    """``torch.linalg.solve``: X with A X = B (``left=False``: X A = B). B is a batch of
    vectors when it has one dimension fewer than A and matches A's leading shape."""
    _check_square(A, "solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_type_name(A)} and B of type {_type_name(B)} instead")
    if not left:
        return _out(_mH(solve(_mH(A), _mH(B))), out)
    vector = _is_vector_rhs(A, B)
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A.shape[-2]}x{A.shape[-1]} and "
                           f"{rhs.shape[-2]}x{rhs.shape[-1]})")
    batch = _broadcast_batch(A.shape[:-2], rhs.shape[:-2])
    a = A.expand(*batch, *A.shape[-2:]) if tuple(A.shape[:-2]) != batch else A
    b = rhs.expand(*batch, *rhs.shape[-2:]) if tuple(rhs.shape[:-2]) != batch else rhs
    x = _d.Solve.apply(a, b)
    return _out(x.squeeze(-1) if vector else x, out)


def _broadcast_batch(sa, sb):
    import numpy as np
    return tuple(np.broadcast_shapes(tuple(sa), tuple(sb)))


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    try:
        res = solve(A, B, left=left)
        info = _e().zeros(A.shape[:-2], dtype=_e().int32)
    except LinAlgError:
        if check_errors:
            raise
        res = _e().full(B.shape, float("nan"), dtype=B.dtype)
        info = _e().ones(A.shape[:-2], dtype=_e().int32)
    return _out(_named("solve_ex", ("result", "info"), (res, info)), out)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """``torch.linalg.solve_triangular``: solve with the upper or lower triangle of A."""
    _check_square(A, "solve_triangular")
    tri = _e().triu(A) if upper else _e().tril(A)
    if unitriangular:
        n = A.shape[-1]
        eye = _e().eye(n, dtype=A.dtype)
        tri = tri * (1 - eye) + eye
    return _out(solve(tri, B, left=left), out)


def lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq`` -> (solution, residuals, rank, singular_values), computed
    through the pseudo-inverse (the ``gelsd`` driver's answer). ``residuals`` is filled
    for tall, full-rank A (squared residual norms per column), as PyTorch does."""
    _check_matrix(A, "lstsq")
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss), but got {driver}")
    vector = B.dim() == A.dim() - 1
    rhs = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if rcond is None:
        rcond = _e().finfo(A.dtype).eps * max(m, n)
    s = svdvals(A)
    solution = _e().matmul(pinv(A, rtol=rcond), rhs)
    rank = (s > rcond * s.amax(-1, keepdim=True)).sum(-1)
    if m > n and bool((rank == n).all()):
        resid = (_e().matmul(A, solution) - rhs).abs().pow(2).sum(-2)
    else:
        resid = _e().empty(0, dtype=A.dtype)
    if vector:
        solution = solution.squeeze(-1)
    with_rank = driver in (None, "gelsy", "gelsd", "gelss")
    with_sv = driver in ("gelsd", "gelss") or driver is None
    return _named("lstsq", ("solution", "residuals", "rank", "singular_values"),
                  (solution, resid, rank if with_rank else _e().empty(0, dtype=_e().int64),
                   s if with_sv else _e().empty(0, dtype=s.dtype)))


# -- factorizations -----------------------------------------------------------------------

def cholesky(A, *, upper=False, out=None):
    _check_square(A, "cholesky")
    low = _d.Cholesky.apply(A)
    return _out(_mH(low) if upper else low, out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    try:
        res = cholesky(A, upper=upper)
        info = _e().zeros(A.shape[:-2], dtype=_e().int32)
    except LinAlgError as err:
        if check_errors:
            raise
        import re
        m = re.search(r"order (\d+)", str(err))
        res = _e().zeros_like(A)
        info = _e().full(A.shape[:-2], int(m.group(1)) if m else 1, dtype=_e().int32)
    return _out(_named("cholesky_ex", ("L", "info"), (res, info)), out)


def qr(A, mode="reduced", *, out=None):
    """``torch.linalg.qr``: mode 'reduced', 'complete' or 'r' (Q empty)."""
    _check_matrix(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = _d.Qr.apply(A, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = _e().empty(0, dtype=A.dtype)
    return _out(_named("qr", ("Q", "R"), (q, r)), out)


def _lu_scipy():
    try:
        import scipy.linalg
    except ImportError as err:
        raise ImportError("ember.linalg.lu / lu_factor / lu_solve need SciPy: "
                          "pip install 'ember[scipy]'") from err
    return scipy.linalg


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)`` with LAPACK's 1-based pivots, as PyTorch returns them."""
    res = lu_factor_ex(A, pivot=pivot)
    _check_lu_info(res.info, "torch.linalg.lu_factor")
    return _out(_named("lu_factor", ("LU", "pivots"), (res.LU, res.pivots)), out)


def _check_lu_info(info, fname):
    """PyTorch's error for a zero pivot (the first batch element that has one)."""
    if not bool((info > 0).any()):
        return
    flat = info.reshape(-1).tolist()
    b = next(i for i, v in enumerate(flat) if v > 0)
    where = f"(Batch element {b}): " if info.dim() else ""
    raise LinAlgError(f"{fname}: {where}U[{flat[b]},{flat[b]}] is zero and using it on "
                      "lu_solve would result in a division by zero. If you still want to "
                      "perform the factorization, consider calling linalg.lu(A, pivot) or "
                      "linalg.lu_factor_ex(A, pivot)")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``(LU, pivots, info)``: LAPACK's packed LU with 1-based pivots; differentiable in LU
    (PyTorch's formula, square, wide and tall), pivots and info are integers."""
    _check_matrix(A, "lu_factor_ex")
    if not pivot:
        raise NotImplementedError("linalg.lu_factor: pivot=False is not implemented on the "
                                  "CPU (as in PyTorch)")
    lu_t, piv_t, info = _d.LuFactor.apply(A)
    if check_errors:
        _check_lu_info(info, "torch.linalg.lu_factor_ex")
    return _out(_named("lu_factor_ex", ("LU", "pivots", "info"), (lu_t, piv_t, info)), out)


def lu(A, *, pivot=True, out=None):
    """``(P, L, U)`` with A = P L U: ``lu_factor_ex`` unpacked, so L and U are
    differentiable (PyTorch's ``linalg_lu_backward``, square, wide and tall)."""
    from ._aliases import lu_unpack
    _check_matrix(A, "lu")
    res = lu_factor_ex(A, pivot=pivot)
    return _out(_named("lu", ("P", "L", "U"), lu_unpack(res.LU, res.pivots)), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B from ``lu_factor``'s output (square A)."""
    import numpy as np
    sl = _lu_scipy()
    lu_ = backend.to_host(LU.detach()._data)
    piv = backend.to_host(pivots.detach()._data) - 1
    b = backend.to_host(B.detach()._data)
    flat_lu = lu_.reshape((-1,) + lu_.shape[-2:])
    flat_piv = piv.reshape((-1, piv.shape[-1]))
    flat_b = np.broadcast_to(b, lu_.shape[:-2] + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    trans = 2 if adjoint and np.iscomplexobj(lu_) else (1 if adjoint else 0)
    if not left:
        raise NotImplementedError("ember.linalg.lu_solve: left=False")
    res = np.stack([sl.lu_solve((m, p), rhs, trans=trans) for m, p, rhs in
                    zip(flat_lu, flat_piv, flat_b)])
    return _out(_like(_e().from_numpy(res.reshape(lu_.shape[:-2] + b.shape[-2:])
                                      .astype(b.dtype)), B), out)


def _like(t, ref):
    """A result computed on the host (SciPy's LU), on ``ref``'s device."""
    return t if not ref.is_cuda else t.to(ref.device)


def ldl_factor(A, *, hermitian=False, out=None):
    raise NotImplementedError("ember.linalg.ldl_factor is not implemented")


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    raise NotImplementedError("ember.linalg.ldl_factor_ex is not implemented")


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    raise NotImplementedError("ember.linalg.ldl_solve is not implemented")


# -- spectral -----------------------------------------------------------------------------

def eigh(A, UPLO="L", *, out=None):
    """``(eigenvalues, eigenvectors)`` of a Hermitian matrix, ascending, from the lower
    (``UPLO='L'``) or upper triangle."""
    _check_square(A, "eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _out(_named("eigh", ("eigenvalues", "eigenvectors"),
                       _d.Eigh.apply(A, upper=UPLO == "U")), out)


def eigvalsh(A, UPLO="L", *, out=None):
    return _out(eigh(A, UPLO)[0], out)


def eig(A, *, out=None):
    _check_square(A, "eig")
    return _out(_named("eig", ("eigenvalues", "eigenvectors"), _d.Eig.apply(A)), out)


def eigvals(A, *, out=None):
    return _out(eig(A)[0], out)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """``(U, S, Vh)``; gradients need ``full_matrices=False`` (as PyTorch's)."""
    _check_matrix(A, "svd")
    return _out(_named("svd", ("U", "S", "Vh"), _d.Svd.apply(A, full_matrices=full_matrices)),
                out)


def svdvals(A, *, driver=None, out=None):
    _check_matrix(A, "svdvals")
    return _out(_d.Svd.apply(A, full_matrices=False)[1], out)


def matrix_sqrth(A):
    """``torch.linalg.matrix_sqrth``: the principal square root of Hermitian positive-
    definite matrices (``ember/ops/matrix_sqrth.py``)."""
    from ..ops.matrix_sqrth import matrix_sqrth as _sqrth
    return _sqrth(A)


def polar(A, *, out=None):
    """``torch.linalg.polar``: the named tuple ``(U, H)`` with ``A = U H``
    (``ember/ops/polar.py``)."""
    from ..ops.polar import polar as _polar
    return _out(_named("polar", ("U", "H"), _polar(A)), out)


def matrix_exp(A):
    _check_square(A, "matrix_exp")
    return _d.MatrixExp.apply(A)


# -- composites ---------------------------------------------------------------------------

def _mH(t):
    tt = t.transpose(-2, -1)
    return tt.conj() if tt.is_complex() else tt


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse; singular values at or below
    ``max(atol, rtol * sigma_max)`` are treated as zero (``rtol`` defaults to
    ``eps * max(m, n)`` when neither is given, as PyTorch's)."""
    _check_matrix(A, "pinv")
    m, n = A.shape[-2], A.shape[-1]
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _e().finfo(A.dtype).eps * max(m, n)
    atol = 0.0 if atol is None else atol
    if hermitian:
        w, v = eigh(A)
        tol = _tol(w.abs().amax(-1, keepdim=True), atol, rtol)
        keep = w.abs() > tol
        winv = _e().where(keep, 1.0 / _e().where(keep, w, _e().ones_like(w)),
                          _e().zeros_like(w))
        return _out(_e().matmul(v * winv.unsqueeze(-2), _mH(v)), out)
    u, s, vh = _d.Svd.apply(A, full_matrices=False)
    tol = _tol(s.amax(-1, keepdim=True) if s.shape[-1] else s, atol, rtol)
    keep = s > tol
    sinv = _e().where(keep, 1.0 / _e().where(keep, s, _e().ones_like(s)), _e().zeros_like(s))
    return _out(_e().matmul(_mH(vh) * sinv.unsqueeze(-2), _mH(u)), out)


def _tol(smax, atol, rtol):
    if isinstance(atol, Tensor) or isinstance(rtol, Tensor):
        return _e().maximum(_e().as_tensor(atol).unsqueeze(-1) if isinstance(atol, Tensor)
                            else _e().tensor(float(atol)),
                            (rtol.unsqueeze(-1) if isinstance(rtol, Tensor) else rtol) * smax)
    return _e().clamp(smax * rtol, min=atol)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    _check_matrix(A, "matrix_rank")
    m, n = A.shape[-2], A.shape[-1]
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _e().finfo(A.dtype).eps * max(m, n)
    atol = 0.0 if atol is None else atol
    s = eigvalsh(A).abs() if hermitian else svdvals(A)
    tol = _tol(s.amax(-1, keepdim=True), atol, rtol)
    return _out((s > tol).sum(-1), out)


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring; n < 0 inverts first; n = 0 gives the identity."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2] if A.dim() > 1 else 1} by "
                           f"{A.shape[-1]} matrices")
    if n == 0:
        eye = _e().eye(A.shape[-1], dtype=A.dtype)
        return _out(eye.expand(A.shape).clone(), out)
    base = inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else _e().matmul(result, base)
        n >>= 1
        if n:
            base = _e().matmul(base, base)
    return _out(result, out)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    from ..ops.reduction import vector_norm as _vn
    return _out(_vn(x, ord, dim, keepdim, dtype=dtype), out)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, and the induced 1, -1, 2, -2, inf, -inf norms."""
    _check_matrix(A, "matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.dim() for d in dim)
    if ord == "fro":
        res = A.abs().pow(2).sum(dim=(d0, d1), keepdim=keepdim).sqrt()
    elif ord == "nuc" or ord in (2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        res = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            res = res.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
    elif ord in (1, -1, math.inf, -math.inf):
        red, keep_axis = (d0, d1) if ord in (1, -1) else (d1, d0)
        col = A.abs().sum(dim=red, keepdim=True)
        agg = col.amax(dim=keep_axis, keepdim=True) if ord > 0 else col.amin(dim=keep_axis,
                                                                             keepdim=True)
        res = agg if keepdim else agg.squeeze((d0, d1) if d0 < d1 else (d1, d0))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return _out(res, out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.norm``: vector norm for 1-D (or ``dim`` an int), matrix norm for
    2-D (or ``dim`` a pair); ``ord=None``: 2-norm of the flattened input / Frobenius."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 2 or \
            dim is None and ord is not None and A.dim() == 2:
        return matrix_norm(A, "fro" if ord is None else ord,
                           (-2, -1) if dim is None else dim, keepdim, dtype=dtype, out=out)
    if dim is None and ord is not None and A.dim() != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                           f"must be 1D or 2D. Got {A.dim()}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a number for ord, got '{ord}'")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    """Condition number: the singular-value ratio for p in (None, 2, -2); otherwise
    ``norm(A, p) * norm(inv(A), p)``."""
    _check_matrix(A, "cond")
    if p is None or p in (2, -2):
        s = svdvals(A)
        res = s.amax(-1) / s.amin(-1) if p != -2 else s.amin(-1) / s.amax(-1)
    else:
        res = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return _out(res, out)


def cross(input, other, *, dim=-1, out=None):
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    a0, a1, a2 = input.unbind(dim)
    b0, b1, b2 = other.unbind(dim)
    res = _e().stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim=dim)
    return _out(res, out)


def multi_dot(tensors, *, out=None):
    """Chained matrix product (first/last may be vectors), multiplied left to right."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec, last_vec = tensors[0].dim() == 1, tensors[-1].dim() == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i, t in enumerate(mats):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    res = mats[0]
    for t in mats[1:]:
        res = _e().mm(res, t)
    if first_vec:
        res = res.squeeze(0)
    if last_vec:
        res = res.squeeze(-1)
    return _out(res, out)


def vecdot(x, y, *, dim=-1, out=None):
    prod = (x.conj() if x.is_complex() else x) * y
    return _out(prod.sum(dim), out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _e().diagonal(A, offset, dim1, dim2)


def matmul(input, other, *, out=None):
    return _e().matmul(input, other, out=out)


def vander(x, *, N=None):
    """Columns x^0, x^1, ..., x^(N-1) (increasing powers, as torch.linalg.vander)."""
    n = x.shape[-1] if N is None else N
    if n <= 0:
        raise RuntimeError("N must be greater than 1.")
    cols = [_e().ones_like(x)]
    for _ in range(1, n):
        cols.append(cols[-1] * x)
    return _e().stack(cols, dim=-1)


def householder_product(A, tau, *, out=None):
    """Q = H_1 ... H_k with H_i = I - tau_i v_i v_i^H, v_i the i-th column of A below the
    diagonal with an implicit 1 on it (LAPACK's orgqr)."""
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    eye = _e().eye(m, dtype=A.dtype)
    q = eye.expand(*A.shape[:-2], m, m)
    rows = _e().arange(m)
    for i in range(k):
        below = (rows > i).to(A.dtype)
        at = (rows == i).to(A.dtype)
        v = A[..., :, i] * below + at
        vv = v.unsqueeze(-1) * (v.conj() if v.is_complex() else v).unsqueeze(-2)
        h = eye - tau[..., i].unsqueeze(-1).unsqueeze(-1) * vv
        q = _e().matmul(q, h)
    return _out(q[..., :, :n], out)


def tensorinv(A, ind=2, *, out=None):
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape = tuple(A.shape[ind:]) + tuple(A.shape[:ind])
    rows = math.prod(A.shape[:ind])
    cols = math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) "
                           f"== prod(self.shape[:ind]), but got {cols} != {rows}")
    return _out(inv(A.reshape(rows, cols)).reshape(out_shape), out)


def tensorsolve(A, B, dims=None, *, out=None):
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        rest = [d for d in range(A.dim()) if d not in dims]
        A = A.permute(*rest, *dims)
    res_shape = tuple(A.shape[B.dim():])
    n = math.prod(res_shape)
    x = solve(A.reshape(-1, n), B.reshape(-1))
    return _out(x.reshape(res_shape), out)
