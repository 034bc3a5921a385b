"""Matrix decompositions and inverses: inv, det, slogdet, solve, cholesky, qr, svd, eigh,
eig, matrix_exp -- the Functions behind ``ember.linalg``.

Each forward is one LAPACK call through the backend's LAPACK layer (``ember._lapack``:
SciPy's drivers in the input's precision for a single CPU matrix, else NumPy's or CuPy's
``linalg``, batched over leading dimensions). Each backward is PyTorch's formula written
with ember ops, so it is itself differentiable (double backward through inv, det, solve,
cholesky, qr, eigh and svd works):

- inv: ``gA = -A^-H gX A^-H``; det: ``gA = g det(A) A^-H`` (singular A: the adjugate
  from an SVD, once-differentiable); slogdet: ``gA = g_logabsdet A^-H``;
- solve (``A X = B``): ``gB = A^-H gX``, ``gA = -gB X^H``;
- cholesky: ``gA = L^-H Phi(L^H gL) L^-1``, symmetrised (Phi: lower triangle, half diagonal);
- qr (reduced, m >= n): TensorFlow's / PyTorch's formula with ``R^-H``;
- eigh: ``gA = V (diag(gL) + skew(V^H gV) / E) V^H``, ``E_ij = L_j - L_i``;
- svd (reduced): PyTorch's ``svd_backward`` (skew parts over ``S_j^2 - S_i^2``, plus the
  projections for non-square inputs);
- matrix_exp: the upper-right block of ``exp([[A^H, G], [0, A^H]])``.

Where ember differs: complex inputs are supported in forward; gradients are checked for
real inputs (the formulas are the Hermitian ones). eig's outputs are complex and have
no gradient here (NotImplementedError on backward). Errors on singular or
non-positive-definite inputs are ``ember.linalg.LinAlgError`` (a RuntimeError) with
PyTorch's messages.
"""
from .. import _dtype, _lapack, backend
from .._tensor import _make
from ..autograd.function import ArrayFunction

_gam = backend.get_array_module


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a decomposition failed (singular, not positive
    definite, did not converge)."""


# -- ember-op helpers used by the backward formulas ---------------------------------------

def _mH(t):
    from .pointwise import conj
    tt = t.transpose(-2, -1)
    return conj(tt) if tt.is_complex() else tt


def _mm(a, b):
    from .linalg import matmul
    return matmul(a, b)


def _eye_like(t, n):
    xp = _gam(t._data)
    return _make(xp.eye(n, dtype=t._data.dtype))


def _diag_embed(v):
    from .shape import diag_embed
    return diag_embed(v)


def _diagonal(t):
    from .shape import diagonal
    return diagonal(t, 0, -2, -1)


def _tril(t, k=0):
    from .shape import tril
    return tril(t, k)


def _inv(t):
    return Inv.apply(t)


def _singular_error(fname, arr):
    """PyTorch's message for a singular input, naming the first zero pivot."""
    xp = _gam(arr)
    try:
        import scipy.linalg
        flat = arr.reshape((-1,) + arr.shape[-2:])
        for m in flat:
            lu, _ = scipy.linalg.lu_factor(backend.to_host(m), check_finite=False)
            zeros = [i for i in range(lu.shape[0]) if lu[i, i] == 0]
            if zeros:
                return LinAlgError(f"{fname}: The diagonal element {zeros[0] + 1} is zero, "
                                   "the inversion could not be completed because the input "
                                   "matrix is singular.")
    except Exception:  # noqa: BLE001 - any failure here only degrades the message
        pass
    del xp
    return LinAlgError(f"{fname}: The diagonal element is zero, the inversion could not be "
                       "completed because the input matrix is singular.")


# -- inverse, determinant, solve ----------------------------------------------------------

class Inv(ArrayFunction):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        try:
            out = _lapack.for_(xp).inv(a)
        except Exception as err:  # numpy: LinAlgError("Singular matrix")
            if "ingular" in str(err):
                raise _singular_error("linalg.inv", a) from None
            raise
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        oh = _mH(out)
        return -_mm(oh, _mm(g, oh))


class Det(ArrayFunction):
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        out = _lapack.for_(xp).det(a)
        ctx.save_for_backward(a, out)
        return xp.asarray(out)

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        xp = _gam(det._data)
        scale = (g * det).unsqueeze(-1).unsqueeze(-1)
        if bool(xp.all(det._data != 0)):
            return scale * _mH(_inv(a))
        # singular: d det / dA is the adjugate's (conjugate) transpose, a constant here
        return g.unsqueeze(-1).unsqueeze(-1) * _make(_adjugate_t(a._data))


def _adjugate_t(a):
    """adj(A)^H for possibly singular A, from the SVD: d det(A) / dA (a constant)."""
    xp = _gam(a)
    u, s, vh = xp.linalg.svd(a)
    n = s.shape[-1]
    prods = []
    for i in range(n):
        mask = [j for j in range(n) if j != i]
        prods.append(xp.prod(s[..., mask], axis=-1))
    c = xp.stack(prods, axis=-1)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    adj = (xp.conj(vh).swapaxes(-1, -2) * c[..., None, :]) @ xp.conj(u).swapaxes(-1, -2)
    adj = adj * sign[..., None, None]
    return xp.conj(adj).swapaxes(-1, -2)


class Slogdet(ArrayFunction):
    node_name = "LinalgSlogdetBackward0"
    differentiable_outputs = (1,)

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        sign, logabs = xp.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return xp.asarray(sign), xp.asarray(logabs)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (a,) = ctx.saved_tensors
        if g_logabs is None:
            return None
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * _mH(_inv(a))


class Solve(ArrayFunction):
    """``A X = B`` with B a matrix batch (vector right-hand sides are given as (..., n, 1)
    by the public function)."""

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b):
        xp = _gam(a)
        try:
            x = _lapack.for_(xp).solve(a, b)
        except Exception as err:
            if "ingular" in str(err):
                raise _singular_error("linalg.solve", a) from None
            raise
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = Solve.apply(_mH(a), g)
        need = ctx.needs_input_grad
        ga = -_mm(gb, _mH(x)) if need[0] else None
        return ga, gb


# -- Cholesky, QR ------------------------------------------------------------------------

def _not_pd_error(fname, a):
    xp = _gam(a)
    flat = a.reshape((-1,) + a.shape[-2:])
    n = a.shape[-1]
    for m in flat:
        for k in range(1, n + 1):
            try:
                xp.linalg.cholesky(m[:k, :k])
            except Exception:  # noqa: BLE001 - the first failing leading minor
                return LinAlgError(f"{fname}: The factorization could not be completed "
                                   "because the input is not positive-definite (the leading "
                                   f"minor of order {k} is not positive-definite).")
    return LinAlgError(f"{fname}: The factorization could not be completed because the "
                       "input is not positive-definite.")


class Cholesky(ArrayFunction):
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        try:
            low = _lapack.for_(xp).cholesky(a)
        except Exception as err:
            if "definite" in str(err):
                raise _not_pd_error("linalg.cholesky", a) from None
            raise
        ctx.save_for_backward(low)
        return low

    @staticmethod
    def backward(ctx, g):
        (low,) = ctx.saved_tensors
        phi = _tril(_mm(_mH(low), g))
        phi = phi - 0.5 * _diag_embed(_diagonal(phi))
        linv = _inv(low)
        ga = _mm(_mH(linv), _mm(phi, linv))
        return 0.5 * (ga + _mH(ga))


class Qr(ArrayFunction):
    """Reduced (``mode='reduced'``) or complete QR; backward for reduced with m >= n."""

    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        xp = _gam(a)
        q, r = _lapack.for_(xp).qr(a, mode="complete" if mode == "complete" else "reduced")
        ctx.mode = mode
        ctx.shape = a.shape
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        m, n = ctx.shape[-2], ctx.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise NotImplementedError("The derivative of linalg.qr depends on Q, which is not "
                                      "computed when mode='r' or for mode='complete' with "
                                      "m > n. Please use linalg.qr(A, mode='reduced').")
        if m < n:
            raise NotImplementedError("linalg.qr backward for wide inputs (m < n) is not "
                                      "implemented in ember")
        if gq is None:
            gq = q * 0
        if gr is None:
            gr = r * 0
        qdq = _mm(_mH(q), gq)
        rdr = _mm(r, _mH(gr))
        low = _tril(qdq - _mH(qdq) + rdr - _mH(rdr))
        rinv_h = _mH(_inv(r))
        return _mm(q, gr + _mm(low, rinv_h)) + _mm(gq - _mm(q, qdq), rinv_h)


# -- eigen and singular value decompositions ----------------------------------------------

class Eigh(ArrayFunction):
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, upper=False):
        xp = _gam(a)
        w, v = _lapack.for_(xp).eigh(a, UPLO="U" if upper else "L")
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        w, v = ctx.saved_tensors
        n = w.shape[-1]
        if gv is not None:
            vhgv = _mm(_mH(v), gv)
            vhgv = 0.5 * (vhgv - _mH(vhgv))
            e = w.unsqueeze(-2) - w.unsqueeze(-1)
            e = e + _eye_like(e, n)          # the diagonal divides by 1, then is replaced
            core = vhgv / e
            core = core - _diag_embed(_diagonal(core))
        else:
            core = None
        if gl is not None:
            core = _diag_embed(gl) if core is None else core + _diag_embed(gl)
        return _mm(v, _mm(core, _mH(v)))


class Svd(ArrayFunction):
    """Reduced SVD (``full_matrices=False``) with PyTorch's backward."""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices=False):
        xp = _gam(a)
        u, s, vh = _lapack.for_(xp).svd(a, full_matrices=full_matrices)
        ctx.full = full_matrices
        ctx.shape = a.shape
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        m, n = ctx.shape[-2], ctx.shape[-1]
        k = s.shape[-1]
        if ctx.full and (gu is not None or gvh is not None) and m != n:
            raise NotImplementedError("linalg.svd: the derivative of U or Vh with "
                                      "full_matrices=True is not defined; use "
                                      "full_matrices=False")
        if gu is None and gvh is None:
            return _mm(u[..., :, :k] * gs.unsqueeze(-2), vh[..., :k, :])
        if ctx.full:
            u, vh = u[..., :, :k], vh[..., :k, :]
            gu = gu[..., :, :k] if gu is not None else None
            gvh = gvh[..., :k, :] if gvh is not None else None
        v = _mH(vh)
        gv = _mH(gvh) if gvh is not None else None
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        e = e + _eye_like(e, k)
        ga = None
        if gu is not None:
            uhgu = _mm(_mH(u), gu)
            part = (uhgu - _mH(uhgu)) / e
            part = part - _diag_embed(_diagonal(part))
            ga = part * s.unsqueeze(-2)
        if gv is not None:
            vhgv = _mm(_mH(v), gv)
            part = (vhgv - _mH(vhgv)) / e
            part = part - _diag_embed(_diagonal(part))
            term = s.unsqueeze(-1) * part
            ga = term if ga is None else ga + term
        if gs is not None:
            ga = ga + _diag_embed(gs)
        if m > k and gu is not None:
            ga = _mm(u, ga)
            gus = gu / s.unsqueeze(-2)
            ga = ga + gus - _mm(u, _mm(_mH(u), gus))
            return _mm(ga, vh)
        if n > k and gv is not None:
            ga = _mm(ga, vh)
            gvs = gv / s.unsqueeze(-2)
            ga = ga + _mH(gvs) - _mm(_mm(_mH(gvs), v), vh)
            return _mm(u, ga)
        return _mm(u, _mm(ga, vh))


class Eig(ArrayFunction):
    """General eigendecomposition: complex eigenvalues and eigenvectors (no gradient)."""

    node_name = "LinalgEigBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        w, v = xp.linalg.eig(a)
        cdt = xp.complex128 if a.dtype in (xp.float64, xp.complex128) else xp.complex64
        return w.astype(cdt, copy=False), v.astype(cdt, copy=False)

    @staticmethod
    def backward(ctx, gw, gv):
        raise NotImplementedError("linalg.eig: gradients of the general eigendecomposition "
                                  "are not implemented in ember (use eigh for symmetric "
                                  "inputs)")


class MatrixExp(ArrayFunction):
    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        from .shape import cat
        n = a.shape[-1]
        ah = _mH(a)
        zero = ah * 0
        top = cat([ah, g], dim=-1)
        bottom = cat([zero, ah], dim=-1)
        big = MatrixExp.apply(cat([top, bottom], dim=-2))
        return big[..., :n, n:]


def _expm(a):
    """exp(A) by scaling and squaring with a degree-18 Taylor polynomial, computed in
    float64 (complex128) and cast back; accurate to a few ulps for the norms that fit."""
    xp = _gam(a)
    work = a.astype(xp.complex128 if xp.iscomplexobj(a) else xp.float64)
    norm = xp.abs(work).sum(axis=-2).max(axis=-1) if work.size else xp.zeros(work.shape[:-2])
    top = float(xp.max(norm)) if work.size else 0.0
    squarings = max(0, int(xp.ceil(xp.log2(top))) + 1) if top > 0.5 else 0
    work = work / (2.0 ** squarings)
    n = a.shape[-1]
    eye = xp.broadcast_to(xp.eye(n, dtype=work.dtype), work.shape)
    result = eye.copy()
    term = eye.copy()
    for k in range(1, 19):
        term = term @ work / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result.astype(a.dtype, copy=False)


# -- LU -----------------------------------------------------------------------------------

class LuFactor(ArrayFunction):
    """Partial-pivoting LU, ``(LU, pivots, info)`` as ``linalg.lu_factor_ex`` (square,
    wide or tall; ``_lapack.lu_factor`` on a host copy). Pivots and info are integers, so
    not differentiable; LU's backward is PyTorch's ``lu_factor_ex_backward``: unpack L and
    U and apply ``lu_backward`` with L's gradient the first min(m, n) columns of LU's and
    U's the first min(m, n) rows."""

    node_name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = _gam(a)
        lu, piv, info = _lapack.lu_factor(backend.to_host(a))
        lu, piv, info = (backend.on(xp, t) for t in (lu, piv, info))
        ctx.piv = piv
        ctx.save_for_backward(lu)
        return lu, piv, info

    @staticmethod
    def backward(ctx, g, g_piv=None, g_info=None):
        (lu,) = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        p = pivots_to_permutation(ctx.piv, m, lu)
        low, up = lu_unpack_data(lu)
        return lu_backward(g[..., :, :k], g[..., :k, :], p, low, up)


def pivots_to_permutation(piv, m, like):
    """The permutation matrix P (A = P L U) of LAPACK's 1-based row interchanges ``piv``
    (..., k), as a constant Tensor of ``like``'s dtype and device: row i was swapped with
    row piv[i] - 1, in order. The swaps are replayed on the host (a host sync, as their
    order needs them), then P's rows are picked from an identity on ``like``'s device."""
    from .creation import tensor
    k = piv.shape[-1]
    lead = tuple(piv.shape[:-1])
    count = 1
    for s in lead:
        count *= s
    orders = []
    for swaps in backend.to_host(piv).reshape(count, k).tolist():
        order = list(range(m))
        for i, j in enumerate(swaps):
            if not 1 <= j <= m:
                raise RuntimeError("torch.lu_unpack: pivots out of the range [1, m]")
            order[i], order[j - 1] = order[j - 1], order[i]
        orders.append(order)
    xp = _gam(like._data)
    index = backend.on(xp, tensor(orders, dtype=_dtype.int64)._data.reshape(count, m))
    perm = xp.swapaxes(xp.eye(m, dtype=like._data.dtype)[index], -1, -2)  # P^T A = A[order]
    return _make(xp.ascontiguousarray(perm.reshape(lead + (m, m))))


def lu_unpack_data(lu):
    """(L, U) of a packed LU Tensor (..., m, n): L (..., m, k) unit lower and U (..., k, n)
    upper, k = min(m, n), differentiable in ``lu``."""
    from .shape import tril, triu
    m, n = lu.shape[-2:]
    k = min(m, n)
    eye = _make(_gam(lu._data).eye(m, k, dtype=lu._data.dtype))
    return tril(lu, -1)[..., :, :k] + eye, triu(lu)[..., :k, :]


def _solve_tri(a, b, upper, left=True, unit=False):
    """Solve with the upper or lower triangle of ``a`` (its diagonal replaced by ones with
    ``unit``): ``a X = b``, or ``X a = b`` with ``left=False``; differentiable (Solve)."""
    from .shape import tril, triu
    tri = triu(a) if upper else tril(a)
    if unit:
        n = a.shape[-1]
        tri = tri - _diag_embed(_diagonal(tri)) + _eye_like(a, n)
    if left:
        return Solve.apply(tri, b)
    return _mH(Solve.apply(_mH(tri), _mH(b)))


def lu_backward(g_low, g_up, p, low, up):
    """PyTorch's ``linalg_lu_backward`` (A = P L U, L (m, k), U (k, n)) with ember ops, so
    double backward works. Square: ``gA = P L^-H [L^H gL o 1_L + gU U^H o 1_U] U^-H`` (1_L
    strictly lower, 1_U upper triangle); wide and tall add the parts of U (L) past the
    first k columns (rows) as PyTorch does. Either gradient may be None."""
    from .shape import cat, tril, triu
    m, n = low.shape[-2], up.shape[-1]
    k = min(m, n)
    if g_low is None and g_up is None:
        return None
    if m == n:
        ga = None
        if g_low is not None:
            ga = tril(_mm(_mH(low), g_low), -1)
        if g_up is not None:
            t = triu(_mm(g_up, _mH(up)))
            ga = t if ga is None else ga + t
        ga = _solve_tri(_mH(up), ga, upper=False, left=False)
        ga = _solve_tri(_mH(low), ga, upper=True, unit=True)
        return _mm(p, ga)
    if m < n:                                          # wide: U = [U1 U2], U1 (k, k)
        up1 = up[..., :, :k]
        ga = None
        if g_low is not None:
            ga = _mm(_mH(low), g_low)
        if g_up is not None:
            t = _mm(triu(g_up), _mH(up))
            ga = -t if ga is None else ga - t
        ga = _solve_tri(_mH(up1), tril(ga, -1), upper=False, left=False)
        if g_up is not None:
            ga = cat([ga + triu(g_up[..., :, :k]), g_up[..., :, k:]], dim=-1)
        ga = _solve_tri(_mH(low), ga, upper=True, unit=True)
        if g_up is None:
            xp = _gam(up._data)
            ga = cat([ga, _make(xp.zeros(up.shape[:-1] + (n - k,), dtype=up._data.dtype))],
                     dim=-1)
        return _mm(p, ga)
    low1 = low[..., :k, :]                             # tall: L = [L1; L2], L1 (k, k)
    if g_low is not None:
        g_low = tril(g_low, -1)     # L's own entries only (LU's packed gradient has U's too)
    ga = None
    if g_up is not None:
        ga = _mm(g_up, _mH(up))
    if g_low is not None:
        t = _mm(_mH(low), g_low)
        ga = -t if ga is None else ga - t
    ga = _solve_tri(_mH(low1), triu(ga), upper=True, unit=True)
    if g_low is not None:
        ga = cat([ga + tril(g_low[..., :k, :], -1), g_low[..., k:, :]], dim=-2)
    ga = _solve_tri(_mH(up), ga, upper=False, left=False)
    if g_low is None:
        xp = _gam(low._data)
        ga = cat([ga, _make(xp.zeros(low.shape[:-2] + (m - k, n), dtype=low._data.dtype))],
                 dim=-2)
    return _mm(p, ga)
