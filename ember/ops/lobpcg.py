"""``torch.lobpcg``: the k largest (or smallest) eigenpairs of the symmetric positive-definite
generalized problem ``A x = lambda B x`` by the Locally Optimal Block Preconditioned
Conjugate Gradient method, dense (and batched) ``A``/``B``, with PyTorch's signature,
defaults, errors and gradient rules.

The iteration (written for ember from the method's description, [Knyazev2001],
[StathopoulosEtal2002], [DuerschEtal2018]) keeps an n-column block X (n >= k; random
normal when ``X`` is not given), its Ritz values E and residual ``R = A X - B X E``. Each
step builds the search space ``S = [X, W, P]`` from the preconditioned residuals of the
unconverged columns ``W = iK R`` and the previous step's conjugate directions P, then
does Rayleigh-Ritz on S:

- ``method="basic"`` (Knyazev): the Gram matrices ``S^T A S`` and ``S^T B S`` and a
  Cholesky-reduced symmetric eigenproblem; as PyTorch warns, it fails (LinAlgError) when
  ``S^T B S`` is numerically singular;
- ``method="ortho"`` (the default): W and P are first made B-orthogonal to X and
  B-orthonormal themselves (block Gram-Schmidt repeated up to ``ortho_i_max`` times, each
  followed by an SVQB step that drops directions below ``ortho_tol_drop``), so
  Rayleigh-Ritz is one standard symmetric eigenproblem of ``S^T A S``.

Convergence is PyTorch's backward-stable criterion: column j has converged when
``||R_j|| / (||X_j|| (A_norm + |E_j| B_norm)) < tol`` (A_norm, B_norm estimated from the
initial block), counted over a leading run of columns; the run stops when k pairs have
converged, after ``niter`` steps, or when the tracker sets ``bvars["force_stop"]``. As in
PyTorch, ``niter`` counts down from its value and stops at zero, so ``niter=-1`` (and 0)
iterate until convergence. ``tracker(worker)`` is called after every step with a worker
holding ``iparams``/``fparams``/``bparams``, ``ivars`` (``istep``, ``converged_count``),
``fvars``, ``bvars``, ``tvars`` (``rerr``) and the tensors ``A``, ``B``, ``iK``, ``E``,
``X``, ``S``, ``R``.

Gradients (dense A, ``B=None``, real dtypes, as PyTorch): A is symmetrised first,
``(A + A^T) / 2``, so its gradient is symmetric. For the returned pairs (E, U),
``gA = U (diag(gE) + F o (U^T gU)) U^T + sum_j z_j u_j^T`` with ``F_ij = 1/(E_j - E_i)``
and ``z_j`` the solution orthogonal to U of ``(A - E_j) z_j = -(I - U U^T) gU_j`` (a
bordered linear solve per pair). The backward is written with ember ops, so it is
differentiable again. ``B`` with gradients, complex inputs and sparse inputs raise
ValueError in backward, PyTorch's messages.

Where ember differs: the random start block comes from ember's generator (so
eigenvectors agree with PyTorch's up to sign, eigenvalues to the tolerance); an unknown
``method`` raises ValueError (PyTorch silently runs 'basic'); a sparse A is densified.
"""
import math

from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction

__all__ = ["lobpcg"]

_FEPS = {"float32": 1.2e-07, "float64": 2.23e-16}


class _Worker:
    """The iteration state of one (unbatched) problem, the object ``tracker`` receives."""

    def __init__(self, xp, A, B, X, iK, iparams, fparams, bparams, method, tracker):
        self.xp, self._A, self._B, self._iK = xp, A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        m, n = iparams["m"], iparams["n"]
        self._X = X
        self._E = xp.zeros(n, dtype=X.dtype)
        self._R = xp.zeros((m, n), dtype=X.dtype)
        self._S = xp.zeros((m, 3 * n), dtype=X.dtype)
        self._P = None
        self.tvars, self.ivars = {}, {"istep": 0}
        self.fvars, self.bvars = {"_": 0.0}, {"_": False}

    # the tensors a tracker reads (views of the arrays, no copies)
    A = property(lambda self: _make(self._A))
    B = property(lambda self: None if self._B is None else _make(self._B))
    iK = property(lambda self: None if self._iK is None else _make(self._iK))
    X = property(lambda self: _make(self._X))
    E = property(lambda self: _make(self._E))
    R = property(lambda self: _make(self._R))
    S = property(lambda self: _make(self._S))

    def __str__(self):
        return "\n".join(["LOBPCG:"] + [f"  {k}={getattr(self, k)}" for k in (
            "iparams", "fparams", "bparams", "ivars", "fvars", "bvars", "tvars", "A", "B",
            "iK", "X", "E")]) + "\n"

    # -- linear algebra on arrays ------------------------------------------------------
    def _bmul(self, Y):
        return Y if self._B is None else self._B @ Y

    def _ritz(self, S, BS=None):
        """Rayleigh-Ritz on the columns of S: the n wanted (values, coefficients)."""
        xp = self.xp
        n = self.iparams["n"]
        gA = S.T @ (self._A @ S)
        gA = (gA + gA.T) / 2
        if BS is None:                                  # S is B-orthonormal (ortho)
            theta, Z = xp.linalg.eigh(gA)
            C = Z
        else:                                           # basic: Cholesky reduction
            gB = S.T @ BS
            gB = (gB + gB.T) / 2
            try:
                L = xp.linalg.cholesky(gB)
            except Exception as err:  # noqa: BLE001 - numpy and cupy raise their own
                from .decomposition import LinAlgError
                raise LinAlgError("lobpcg (method='basic'): the Gram matrix S^T B S of the "
                                  "search space is not positive definite (Cholesky failed); "
                                  "use method='ortho'") from err
            Linv = xp.linalg.inv(L)
            theta, Z = xp.linalg.eigh(Linv @ gA @ Linv.T)
            C = Linv.T @ Z
        order = xp.arange(theta.shape[0] - 1, -1, -1) if self.bparams["largest"] else \
            xp.arange(theta.shape[0])
        order = order[:n]
        return theta[order], C[:, order]

    def _svqb(self, U):
        """B-orthonormalise the columns of U, dropping numerically dependent ones."""
        xp = self.xp
        BU = self._bmul(U)
        G = U.T @ BU
        G = (G + G.T) / 2
        d = xp.sqrt(xp.abs(xp.diagonal(G)))
        d = xp.where(d > 0, 1 / xp.where(d > 0, d, 1), 0)
        theta, Z = xp.linalg.eigh(G * d[:, None] * d[None, :])
        keep = theta > self.fparams["ortho_tol_drop"] * max(float(xp.abs(theta).max()), 1e-300)
        Z, theta = Z[:, keep], theta[keep]
        return (U * d[None, :]) @ (Z / xp.sqrt(theta)[None, :])

    def _ortho_against(self, U, V):
        """Columns spanning U's part B-orthogonal to the B-orthonormal V, B-orthonormal."""
        xp = self.xp
        BV = self._bmul(V)
        tol = self.fparams["ortho_tol"]
        for _ in range(self.iparams["ortho_i_max"]):
            for _ in range(self.iparams["ortho_j_max"]):
                U = U - V @ (BV.T @ U)
                if U.shape[1] == 0:
                    return U
                U = self._svqb(U)
                if U.shape[1] == 0:
                    return U
                BU = self._bmul(U)
                gram = U.T @ BU
                ortho_err = float(xp.abs(gram - xp.eye(U.shape[1], dtype=U.dtype)).max())
                cross_err = float(xp.abs(BV.T @ U).max())
                if ortho_err < tol and cross_err < tol:
                    return U
        return U

    # -- the iteration -----------------------------------------------------------------
    def _residual(self):
        self._R = self._A @ self._X - self._bmul(self._X) * self._E[None, :]

    def _converged(self):
        xp = self.xp
        rerr = xp.linalg.norm(self._R, axis=0) / (
            xp.linalg.norm(self._X, axis=0)
            * (self.fvars["A_norm"] + xp.abs(self._E) * self.fvars["B_norm"]))
        ok = rerr < self.fparams["tol"]
        count = 0
        for b in backend.to_host(ok).tolist():
            if not b:
                break
            count += 1
        self.ivars["converged_count"] = max(count, self.ivars["converged_count"])
        self.tvars["rerr"] = _make(rerr)
        return ok

    def _first(self):
        xp = self.xp
        x_norm = float(xp.linalg.norm(self._X))
        self.fvars["X_norm"] = x_norm
        self.fvars["A_norm"] = float(xp.linalg.norm(self._A @ self._X)) / x_norm
        self.fvars["B_norm"] = float(xp.linalg.norm(self._bmul(self._X))) / x_norm
        self.ivars["iterations_left"] = self.iparams["niter"]
        self.ivars["converged_count"] = 0
        self.ivars["converged_end"] = 0
        if self.method == "ortho":
            X = self._svqb(self._X)
            if X.shape[1] < self.iparams["n"]:
                raise ValueError("lobpcg: the initial block X is rank deficient")
            self._E, C = self._ritz(X)
        else:
            self._E, C = self._ritz(self._X, self._bmul(self._X))
            X = self._X
        self._X = X @ C
        self._S[:, :self._X.shape[1]] = self._X

    def _step(self):
        xp = self.xp
        n = self.iparams["n"]
        unconverged = ~self._active_mask
        W = self._R[:, unconverged]
        if self._iK is not None:
            W = self._iK @ W
        blocks = [W] if self._P is None else [W, self._P[:, unconverged]]
        if self.method == "ortho":
            extra = self._ortho_against(xp.concatenate(blocks, axis=1), self._X)
            S = xp.concatenate([self._X, extra], axis=1)
            E, C = self._ritz(S)
        else:
            S = xp.concatenate([self._X] + blocks, axis=1)
            E, C = self._ritz(S, self._bmul(S))
        self._S = S
        self._P = S[:, n:] @ C[n:, :]
        self._X = S @ C
        self._E = E

    def update(self):
        if self.ivars["istep"] == 0:
            self._first()
        else:
            self._step()
        self._residual()
        self._active_mask = self._converged()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def stop_iteration(self):
        return (self.bvars.get("force_stop", False) or self.ivars["iterations_left"] == 0
                or self.ivars["converged_count"] >= self.iparams["k"])

    def run(self):
        self.update()
        if self.tracker is not None:
            self.tracker(self)
        while not self.stop_iteration():
            if bool(self._active_mask.all()):          # every column at tolerance
                break
            self.update()
            if self.tracker is not None:
                self.tracker(self)


class Lobpcg(ArrayFunction):
    """The eigenpairs ``(E, X)`` of dense (batched) A (and B); backward for A when B is
    None (see the module docstring)."""

    node_name = "LOBPCGAutogradFunctionBackward"

    @staticmethod
    def forward(ctx, A, X, B, iK, k, iparams, fparams, bparams, method, tracker):
        xp = backend.get_array_module(A)
        m = A.shape[-1]
        batch = A.shape[:-2]
        count = int(math.prod(batch))
        bA = A.reshape((count, m, m))
        bB = None if B is None else B.reshape((count, m, m))
        bX = X.reshape((count,) + X.shape[-2:])
        Es = xp.empty((count, k), dtype=A.dtype)
        Us = xp.empty((count, m, k), dtype=A.dtype)
        for i in range(count):
            ip = dict(iparams, batch_index=i) if batch else dict(iparams)
            worker = _Worker(xp, bA[i], None if bB is None else bB[i], bX[i].copy(), iK,
                             ip, fparams, bparams, method, tracker)
            worker.run()
            Es[i] = worker._E[:k]
            Us[i] = worker._X[:, :k]
        E, U = Es.reshape(batch + (k,)), Us.reshape(batch + (m, k))
        ctx.has_b = B is not None
        ctx.save_for_backward(A, E, U)
        return E, U

    @staticmethod
    def backward(ctx, gE, gU):
        from .. import linalg
        from .creation import eye, zeros
        from .shape import cat, diag_embed
        A, E, U = ctx.saved_tensors
        if A.is_complex():
            raise ValueError("lobpcg.backward does not support complex input yet. Note that "
                             "lobpcg.forward does though.")
        if ctx.has_b:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        m, k = U.shape[-2], U.shape[-1]
        Ut = U.mT
        core = 0
        if gE is not None:
            core = diag_embed(gE)
        gA_out = None
        if gU is not None:
            diff = E.unsqueeze(-2) - E.unsqueeze(-1)          # E_j - E_i
            off = 1 - eye(k, dtype=A.dtype)
            F = off / (diff + eye(k, dtype=A.dtype))
            core = core + F * (Ut @ gU)
            proj = gU - U @ (Ut @ gU)                         # (I - U U^T) gU
            I_m = eye(m, dtype=A.dtype)
            zero_kk = zeros(A.shape[:-2] + (k, k), dtype=A.dtype)
            terms = []
            for j in range(k):
                top = cat([A - E[..., j].unsqueeze(-1).unsqueeze(-1) * I_m, U], -1)
                bottom = cat([Ut, zero_kk], -1)
                rhs = cat([-proj[..., :, j:j + 1],
                           zeros(A.shape[:-2] + (k, 1), dtype=A.dtype)], -2)
                z = linalg.solve(cat([top, bottom], -2), rhs)[..., :m, :]
                terms.append(z @ U[..., :, j:j + 1].mT)
            gA_out = sum(terms[1:], terms[0])
        gA = U @ core @ Ut if not isinstance(core, int) else None
        if gA is None:
            gA = gA_out
        elif gA_out is not None:
            gA = gA + gA_out
        return gA, None, None, None


def _check_dense(name, t):
    if t is not None and not isinstance(t, Tensor):
        raise TypeError(f"lobpcg(): argument '{name}' must be Tensor or None, not "
                        f"{type(t).__name__}")
    if t is not None and t.is_sparse:
        return t.to_dense()
    return t


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
           method=None, tracker=None, ortho_iparams=None, ortho_fparams=None,
           ortho_bparams=None):
    """``torch.lobpcg``: ``(E, X)``, the k largest (``largest=True``, the default) or
    smallest eigenvalues (*, k) and eigenvectors (*, m, k) of the symmetric
    positive-definite problem ``A x = lambda B x`` (B = I when None); see the module
    docstring for the algorithm and where ember differs."""
    from .. import randn
    A = _check_dense("A", A)
    B = _check_dense("B", B)
    X = _check_dense("X", X)
    iK = _check_dense("iK", iK)
    if A is None:
        raise TypeError("lobpcg() missing required argument 'A'")
    if A.dim() < 2 or A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype = A.dtype if A.dtype in _float_dtypes() else _default_float()
    if tol is None:
        tol = _FEPS[str(dtype).replace("ember.", "")] ** 0.5 if str(dtype).replace(
            "ember.", "") in _FEPS else _FEPS["float32"] ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else int(k)
    n = (k if n is None else int(n)) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m})"
                         f" is smaller than 3 x the number of requested eigenpairs (={n})")
    if k > n:
        raise ValueError(f"lobpcg: k (={k}) must not exceed the number of columns of X (={n})")
    method = "ortho" if method is None else method
    if method not in ("ortho", "basic"):
        raise ValueError(f"lobpcg: method must be 'ortho' or 'basic', got {method!r}")
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else int(niter)}
    fparams = {"tol": float(tol)}
    bparams = {"largest": True if largest is None else bool(largest)}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        fparams.setdefault("ortho_tol", tol)
        fparams.setdefault("ortho_tol_drop", tol)
        fparams.setdefault("ortho_tol_replace", tol)
        bparams.setdefault("ortho_use_drop", False)
    if X is None:
        X = randn(A.shape[:-2] + (m, n), dtype=dtype, device=A.device)
    else:
        want = (m, n)
        if tuple(X.shape[-2:]) != want or (A.dim() == 2 and X.dim() != 2):
            raise AssertionError(f"X shape mismatch: got {X.shape}, expected {want}")
        if A.dim() > 2 and tuple(X.shape[:-2]) != tuple(A.shape[:-2]):
            X = X.expand(A.shape[:-2] + want)
        X = X.detach().to(dtype)
    if A.requires_grad or (B is not None and B.requires_grad):
        A = (A + A.mT) / 2          # PyTorch's symmetrisation: a symmetric A.grad
        B = (B + B.mT) / 2 if B is not None else None
    if A.dtype != dtype:
        A = A.to(dtype)
    return Lobpcg.apply(A, X, B, iK.detach() if iK is not None else None, k=k,
                        iparams=iparams, fparams=fparams, bparams=bparams, method=method,
                        tracker=tracker)


def _float_dtypes():
    from .. import float32, float64
    return (float32, float64)


def _default_float():
    from .. import get_default_dtype
    return get_default_dtype()
