"""Tensor predicates and the conj/neg-bit queries: ``is_nonzero``, ``is_same_size``,
``is_signed``, ``isreal``, ``is_conj``, ``is_neg``, ``resolve_conj``, ``resolve_neg``.

ember materialises conjugation and negation eagerly (no lazy conj/neg bits), so
``is_conj``/``is_neg`` are always False and ``resolve_conj``/``resolve_neg`` return their
input, which is what PyTorch gives after resolving.
"""
from .. import backend
from ._common import check_tensor, no_grad_op

_gam = backend.get_array_module


def is_nonzero(input):
    """``torch.is_nonzero``: the truth of a one-element tensor."""
    check_tensor(input, "is_nonzero")
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0])


def is_same_size(input, other):
    """``torch.is_same_size``: whether both tensors have the same shape."""
    check_tensor(input, "is_same_size")
    check_tensor(other, "is_same_size", "other", 2)
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input):
    """``torch.is_signed``: whether the dtype is signed (not bool or an unsigned integer)."""
    check_tensor(input, "is_signed")
    return input._data.dtype.kind not in "bu"


Isreal = no_grad_op(__name__, "Isreal", lambda x: (
    _gam(x).imag(x) == 0 if x.dtype.kind == "c" else _gam(x).ones(x.shape, bool)))


def isreal(input):
    """``torch.isreal``: True where the imaginary part is zero (everywhere for real dtypes)."""
    check_tensor(input, "isreal")
    return Isreal.apply(input)


def is_conj(input):
    """``torch.is_conj``: always False (ember has no lazy conjugate bit)."""
    check_tensor(input, "is_conj")
    return False


def is_neg(input):
    """``torch.is_neg``: always False (ember has no lazy negative bit)."""
    check_tensor(input, "is_neg")
    return False


def resolve_conj(input):
    """``torch.resolve_conj``: ``input`` itself (conjugation is never lazy in ember)."""
    check_tensor(input, "resolve_conj")
    return input


def resolve_neg(input):
    """``torch.resolve_neg``: ``input`` itself (negation is never lazy in ember)."""
    check_tensor(input, "resolve_neg")
    return input


METHODS = ("is_nonzero", "is_same_size", "is_signed", "isreal", "is_conj", "is_neg",
           "resolve_conj", "resolve_neg")
__all__ = list(METHODS)
