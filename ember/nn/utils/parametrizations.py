"""``torch.nn.utils.parametrizations``: weight_norm and spectral_norm as parametrizations.

``weight_norm``: ``weight = g * v / ||v||`` (norm over every dim but ``dim``), stored as
``parametrizations.weight.original0`` (g) and ``original1`` (v), as PyTorch. (PyTorch
also renames old ``weight_g`` / ``weight_v`` keys when loading a state_dict; ember's
Module has no load_state_dict pre-hooks yet, so such files need the keys renamed.)
``spectral_norm``: ``weight / sigma`` with sigma estimated by power iteration on the
weight reshaped to a matrix (``dim`` first); ``_u`` / ``_v`` buffers are updated in
training mode (``n_power_iterations`` per call) and the first estimate runs 15
iterations, as in PyTorch; the random start vectors come from ember's generator.
``orthogonal``: PyTorch's ``_Orthogonal`` parametrization. The weight (or each matrix of
a batch; wide ones transposed) is the image of an unconstrained matrix X under
``orthogonal_map``: ``"matrix_exp"`` (exp of the skew part of tril(X), padded to square),
``"cayley"`` ((I - A/2)^-1 (I + A/2)) or ``"householder"`` (the product of the reflectors
stored below X's diagonal, signs from its diagonal); the default is matrix_exp for square or
complex weights, householder otherwise. With ``use_trivialization=True`` a ``base``
buffer holds an orthogonal matrix the map's result multiplies, and assigning a weight
stores it in ``base`` (made orthogonal by QR with a positive-diagonal R when it is not)
and resets X to -I, as PyTorch does; without it only householder can be assigned (X
becomes the QR reflectors). The random completion of a non-square base comes from
ember's generator.
"""
from ...autograd import no_grad
from ..modules.module import Module
from . import parametrize

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def _norm_except_dim(v, dim):
    """||v|| over every dimension but ``dim`` (all of them for dim=-1), keepdim."""
    if dim == -1:
        return v.norm()
    dim = dim % v.dim()
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    moved = v.movedim(dim, 0) if dim else v
    return moved.reshape(v.shape[dim], -1).norm(dim=1).reshape(shape)


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """``torch.nn.utils.parametrizations.weight_norm``."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        from ...ops.creation import randn
        from ..functional import normalize
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = normalize(randn(h, dtype=weight.dtype), dim=0, eps=self.eps)
            v = normalize(randn(w, dtype=weight.dtype), dim=0, eps=self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.movedim(self.dim, 0)
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        from ..functional import normalize
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(normalize(weight_mat @ self._v, dim=0, eps=self.eps))
                self._v.copy_(normalize(weight_mat.T @ self._u, dim=0, eps=self.eps))

    def forward(self, weight):
        from ..functional import normalize
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u * (mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """``torch.nn.utils.parametrizations.spectral_norm``."""
    from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
    weight = getattr(module, name, None)
    from ..._tensor import Tensor
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name,
                                         _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


def _qr_reflectors(Q):
    """LAPACK's geqrf of ``Q`` (reflectors below the diagonal, R on and above it) and tau."""
    from ... import backend
    from ..._tensor import _make
    xp = backend.get_array_module(Q._data)
    h, tau = xp.linalg.qr(Q._data, mode="raw")
    return _make(xp.ascontiguousarray(xp.swapaxes(h, -1, -2))), _make(tau)


def _make_orthogonal(A):
    """The Q of A's QR decomposition with R's diagonal made positive (unique, as PyTorch's)."""
    from ...linalg import qr
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _is_orthogonal(Q):
    from ...ops.creation import eye
    from ..._typeinfo import finfo
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * finfo(Q.dtype).eps
    return bool((Q.mH @ Q).allclose(eye(k, dtype=Q.dtype, device=Q.device), atol=eps))


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        from ...ops.creation import eye
        from ...linalg import matrix_exp, solve, householder_product
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = _pad_columns(X, n)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = matrix_exp(A)
            else:
                Id = eye(n, dtype=A.dtype, device=A.device)
                Q = solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if getattr(self, "base", None) is not None:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        from ...ops.creation import randn, zeros_like
        from ...ops.shape import cat
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("matrix_exp", "cayley"):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False.")
                A, tau = _qr_reflectors(Q)
                diag = A.diagonal(dim1=-2, dim2=-1)
                diag.copy_(diag.sign())
                diag.copy_(diag.where(tau != 0, -diag))
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_id = zeros_like(Q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def _pad_columns(X, n):
    """X (..., n, k) with zero columns appended up to n."""
    from ...ops.shape import cat
    return cat([X, X.new_zeros(*X.shape[:-1], n - X.shape[-1])], dim=-1)


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """``torch.nn.utils.parametrizations.orthogonal`` (see the module docstring)."""
    from ..._tensor import Tensor
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = ("matrix_exp" if weight.shape[-2] == weight.shape[-1]
                          or weight.is_complex() else "householder")
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
