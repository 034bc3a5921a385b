"""``torch.renorm``: each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` is scaled
down to norm ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``, PyTorch's factor); the others are
left as they are. Differentiable through vector_norm and where, norm included (as torch).
"""
from .._tensor import _wrap_dim
from ._common import check_tensor
from . import pointwise as _pw
from . import reduction as _red


def renorm(input, p, dim, maxnorm):
    """``torch.renorm(input, p, dim, maxnorm)``."""
    check_tensor(input, "renorm")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_pw._legacy_name(input) if input.is_floating_point() else _pw._INT_NAMES.get(input.dtype.name, input.dtype.name)}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    nd = input.dim()
    if nd <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    d = _wrap_dim(dim, nd)
    axes = tuple(i for i in range(nd) if i != d)
    norm = _red.vector_norm(input, p, axes, keepdim=True)
    factor = _pw.where(_pw.gt(norm, maxnorm), _pw.mul(_pw.reciprocal(_pw.add(norm, 1e-7)), maxnorm),
                       _pw.scalar_like(1.0, norm).to(norm.dtype))
    return _pw.mul(input, factor)


METHODS = ("renorm",)
__all__ = ["renorm"]
