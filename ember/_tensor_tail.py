"""Tensor methods whose signature differs from their ``ember.linalg`` function form
(``t.qr(some=True)`` is ``torch.qr``'s legacy signature, not ``linalg.qr``'s); bound to
Tensor on first use (ember/_lazy.py, issue 18)."""
from .linalg import _aliases


def logdet(self):
    return _aliases.logdet(self)


def slogdet(self):
    return _aliases.slogdet(self)


def cholesky(self, upper=False):
    from . import linalg
    return linalg.cholesky(self, upper=upper)


def pinverse(self, rcond=1e-15):
    return _aliases.pinverse(self, rcond)


def qr(self, some=True):
    return _aliases.qr(self, some)


def svd(self, some=True, compute_uv=True):
    return _aliases.svd(self, some, compute_uv)


def cross(self, other, dim=None):
    return _aliases.cross(self, other, dim)


def cholesky_inverse(self, upper=False):
    return _aliases.cholesky_inverse(self, upper)


def cholesky_solve(self, input2, upper=False):
    return _aliases.cholesky_solve(self, input2, upper)


def lu_solve(self, LU_data, LU_pivots):
    return _aliases.lu_solve(self, LU_data, LU_pivots)


def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
    return _aliases.triangular_solve(self, A, upper, transpose, unitriangular)


def geqrf(self):
    return _aliases.geqrf(self)


def orgqr(self, input2):
    return _aliases.orgqr(self, input2)


def ormqr(self, input2, input3, left=True, transpose=False):
    return _aliases.ormqr(self, input2, input3, left, transpose)


def lu(self, pivot=True, get_infos=False):
    return _aliases.lu(self, pivot, get_infos)
