"""``torch.linalg.polar``: the polar decomposition ``A = U H`` of (*, m, n) matrices with
m >= n: U (*, m, n) with orthonormal columns (the closest such matrix to A in the
Frobenius norm), H (*, n, n) Hermitian positive-semidefinite.

Forward is PyTorch's CPU path: one reduced SVD ``A = W diag(S) Vh`` (``ember._lapack``'s
gesdd), ``U = W Vh`` and ``H = Vh^H diag(S) Vh``. (PyTorch's CUDA path may use QDWH via
cuSOLVER; ember's CuPy path is the same SVD.)

Backward, from ``H^2 = A^H A`` and ``U = A H^-1`` (defined where A has full column
rank, as PyTorch documents):
``K = sylvester_H(gH - U^H gU H^-1)``, ``gA = gU H^-1 + A (K + K^H)``, where
``sylvester_H(M)`` solves ``H K + K H = M`` in H's eigenbasis
(``ember.ops.matrix_sqrth.solve_sylvester_eigbasis``). The eigenbasis comes from ``Eigh``
of the output H, so the backward is differentiable ember ops (double backward works).
Unlike a composite of ``svd``, this needs no distinct singular values: an orthogonal A
(all singular values 1) has a finite gradient, as in PyTorch.
"""
from .. import _lapack, backend
from ..autograd.function import ArrayFunction
from .decomposition import Eigh, _mH, _mm
from .matrix_sqrth import check_linalg_input, solve_sylvester_eigbasis

__all__ = ["polar"]


class Polar(ArrayFunction):
    node_name = "LinalgPolarBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = backend.get_array_module(a)
        m, n = a.shape[-2:]
        if a.size == 0:                               # empty batch, or n = 0
            u = xp.zeros(a.shape, dtype=a.dtype)
            h = xp.zeros(a.shape[:-2] + (n, n), dtype=a.dtype)
        else:
            w, s, vh = _lapack.for_(xp).svd(a, full_matrices=False)
            u = xp.ascontiguousarray(xp.matmul(w, vh)).astype(a.dtype, copy=False)
            vhh = xp.conj(xp.swapaxes(vh, -1, -2))
            h = xp.matmul(vhh * s.astype(vh.real.dtype)[..., None, :], vh)
            h = xp.ascontiguousarray(h).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, u, h)
        return u, h

    @staticmethod
    def backward(ctx, gu, gh):
        a, u, h = ctx.saved_tensors
        if a.numel() == 0:
            return a * 0
        w, v = Eigh.apply(h)
        h_inv = _mm(v / w.unsqueeze(-2), _mH(v))
        ga, rhs = None, gh
        if gu is not None:
            ga = _mm(gu, h_inv)
            rhs = -_mm(_mH(u), ga) if gh is None else gh - _mm(_mH(u), ga)
        k = solve_sylvester_eigbasis(v, w, rhs)
        term = _mm(a, k + _mH(k))
        return term if ga is None else ga + term


def polar(A):
    """The factors ``(U, H)`` of ``torch.linalg.polar`` for (*, m, n) ``A`` with m >= n
    (``ember.linalg.polar`` names the tuple and handles ``out=``)."""
    check_linalg_input(A, "polar", square=False, low_precision="kernel")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError("linalg.polar: input must have at least as many rows as columns, "
                           f"but got {A.shape[-2]} by {A.shape[-1]} matrices")
    return Polar.apply(A)
