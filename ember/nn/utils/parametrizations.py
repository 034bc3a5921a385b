"""``torch.nn.utils.parametrizations``: weight_norm and spectral_norm as parametrizations.

``weight_norm``: ``weight = g * v / ||v||`` (norm over every dim but ``dim``), stored as
``parametrizations.weight.original0`` (g) and ``original1`` (v), as PyTorch. (PyTorch
also renames old ``weight_g`` / ``weight_v`` keys when loading a state_dict; ember's
Module has no load_state_dict pre-hooks yet, so such files need the keys renamed.)
``spectral_norm``: ``weight / sigma`` with sigma estimated by power iteration on the
weight reshaped to a matrix (``dim`` first); ``_u`` / ``_v`` buffers are updated in
training mode (``n_power_iterations`` per call) and the first estimate runs 15
iterations, as in PyTorch; the random start vectors come from ember's generator.
``orthogonal`` is not implemented yet (NotImplementedError).
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


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    raise NotImplementedError("torch.nn.utils.parametrizations.orthogonal is not implemented "
                              "in ember yet (it needs matrix_exp / householder_product)")
