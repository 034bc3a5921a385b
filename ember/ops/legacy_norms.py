"""``torch.frobenius_norm`` and ``torch.nuclear_norm``: PyTorch's deprecated norm entry
points (kept for JIT compatibility there), as thin calls into ember.linalg that warn as
PyTorch does."""
import warnings


def frobenius_norm(input, dim=(), keepdim=False, *, out=None):
    """``torch.frobenius_norm``: ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.vector_norm(A, 2., dim, keepdim)` instead", UserWarning, stacklevel=2)
    from .reduction import vector_norm
    from ._common import write_out
    dims = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
    return write_out(vector_norm(input, 2, dims if dims else None, keepdim), out)


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """``torch.nuclear_norm``: ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``."""
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    from .. import linalg
    if isinstance(dim, bool):            # nuclear_norm(input, keepdim) overload
        dim, keepdim = None, dim
    return linalg.matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim,
                              out=out)


__all__ = ["frobenius_norm", "nuclear_norm"]
