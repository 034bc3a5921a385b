"""Tensor methods and operators whose signature differs from their op's function form:
reflected operators, ``where(condition, other)``, and the properties (``T``, ``mT``,
``real`` ...). Bound to Tensor on first use like every other method (ember/_lazy.py,
issue 18); ``_tensor_methods.LAZY_METHOD_SOURCES`` says which name is which."""
from .ops import pointwise as pw, shape as sh, linalg as la, complex as cx


def radd(self, other):
    return pw.add(self, other)


def rsub(self, other):
    return pw.rsub(self, other)


def rmul(self, other):
    return pw.mul(self, other)


def rtruediv(self, other):
    return pw.div(pw.scalar_like(other, self), self)


def rfloordiv(self, other):
    return pw.floor_divide(pw.scalar_like(other, self), self)


def rmod(self, other):
    return pw.remainder(pw.scalar_like(other, self), self)


def rpow(self, other):
    return pw.pow(pw.scalar_like(other, self), self)


def rmatmul(self, other):
    return la.matmul(other, self)


def pos(self):
    return self


def rand(self, other):
    return pw.bitwise_and(self, other)


def ror(self, other):
    return pw.bitwise_or(self, other)


def rxor(self, other):
    return pw.bitwise_xor(self, other)


def contains(self, item):
    return bool(pw.eq(self, item).any())


def where(self, condition, other):
    """``Tensor.where(condition, other)`` is ``where(condition, self, other)``, as in PyTorch."""
    return pw.where(condition, self, other)


def _matrix_transpose(self, name="mT"):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           f"matrices. Got {self._data.ndim}-D tensor.")
    return sh.transpose(self, -2, -1)


real = property(cx.real)
imag = property(cx.imag)
T = property(sh.numpy_T)
mT = property(_matrix_transpose)
mH = property(lambda self: pw.conj(_matrix_transpose(self, "mH")))
H = property(sh.numpy_H)
