"""Binds ``ember.ops`` functions to Tensor as methods and operators.

Most methods are the op functions themselves (``Tensor.exp is ops.pointwise.exp``), so a
method call costs no extra Python frame. Methods whose signature differs from the
function form (``view(*shape)``, reflected operators) are small adapters here.
"""


def attach(T):
    from .ops import pointwise as pw, reduction as red, shape as sh, indexing as ix
    from .ops import linalg as la, creation as cr

    # -- arithmetic operators ------------------------------------------------------------
    T.__add__ = pw.add
    T.__radd__ = lambda self, other: pw.add(self, other)
    T.__iadd__ = pw.add_
    T.__sub__ = pw.sub
    T.__rsub__ = lambda self, other: pw.rsub(self, other)
    T.__isub__ = pw.sub_
    T.__mul__ = pw.mul
    T.__rmul__ = lambda self, other: pw.mul(self, other)
    T.__imul__ = pw.mul_
    T.__truediv__ = pw.div
    T.__rtruediv__ = lambda self, other: pw.div(pw.scalar_like(other, self), self)
    T.__itruediv__ = pw.div_
    T.__floordiv__ = pw.floor_divide
    T.__rfloordiv__ = lambda self, other: pw.floor_divide(pw.scalar_like(other, self), self)
    T.__ifloordiv__ = pw.floor_divide_
    T.__mod__ = pw.remainder
    T.__rmod__ = lambda self, other: pw.remainder(pw.scalar_like(other, self), self)
    T.__imod__ = pw.remainder_
    T.__pow__ = pw.pow
    T.__rpow__ = lambda self, other: pw.pow(pw.scalar_like(other, self), self)
    T.__ipow__ = pw.pow_
    T.__matmul__ = la.matmul
    T.__rmatmul__ = lambda self, other: la.matmul(other, self)
    T.__neg__ = pw.neg
    T.__pos__ = lambda self: self
    T.__abs__ = pw.abs
    T.__invert__ = pw.bitwise_not
    T.__and__ = pw.bitwise_and
    T.__rand__ = lambda self, other: pw.bitwise_and(self, other)
    T.__iand__ = pw.bitwise_and_
    T.__or__ = pw.bitwise_or
    T.__ror__ = lambda self, other: pw.bitwise_or(self, other)
    T.__ior__ = pw.bitwise_or_
    T.__xor__ = pw.bitwise_xor
    T.__rxor__ = lambda self, other: pw.bitwise_xor(self, other)
    T.__ixor__ = pw.bitwise_xor_
    T.__lshift__ = pw.bitwise_left_shift
    T.__rshift__ = pw.bitwise_right_shift
    T.__eq__ = pw.eq
    T.__ne__ = pw.ne
    T.__lt__ = pw.lt
    T.__le__ = pw.le
    T.__gt__ = pw.gt
    T.__ge__ = pw.ge
    T.__getitem__ = ix.getitem
    T.__setitem__ = ix.setitem
    T.__contains__ = lambda self, item: bool(pw.eq(self, item).any())

    # -- pointwise methods ------------------------------------------------------------------
    for name in pw.METHODS:
        setattr(T, name, getattr(pw, name))
    for name in red.METHODS:
        setattr(T, name, getattr(red, name))
    for name in sh.METHODS:
        setattr(T, name, getattr(sh, name))
    for name in ix.METHODS:
        setattr(T, name, getattr(ix, name))
    for name in la.METHODS:
        setattr(T, name, getattr(la, name))
    for name in cr.METHODS:
        setattr(T, name, getattr(cr, name))
    for name, fn in pw.METHOD_ALIASES.items():
        setattr(T, name, fn)
    from .ops import stft as _stft
    T.stft = _stft.stft
    T.istft = _stft.istft
    # Tensor.where(condition, other) is where(condition, self, other), as in PyTorch.
    T.where = lambda self, condition, other: pw.where(condition, self, other)
    from .ops import activation as act
    for name, fn in act.METHOD_ALIASES.items():
        setattr(T, name, fn)

    # -- complex parts and the numerics tail (issue 17) ------------------------------------
    from .ops import complex as cx
    T.real = property(cx.real)
    T.imag = property(cx.imag)
    T.angle = cx.angle
    from . import linalg as _linalg
    T.det = _linalg.det
    T.inverse = _linalg.inv
    T.logdet = lambda self: _linalg._aliases.logdet(self)
    T.slogdet = lambda self: _linalg._aliases.slogdet(self)
    T.cholesky = lambda self, upper=False: _linalg.cholesky(self, upper=upper)
    T.pinverse = lambda self, rcond=1e-15: _linalg._aliases.pinverse(self, rcond)
    T.matrix_power = _linalg.matrix_power
    T.matrix_exp = _linalg.matrix_exp
    T.qr = lambda self, some=True: _linalg._aliases.qr(self, some)
    T.svd = lambda self, some=True, compute_uv=True: _linalg._aliases.svd(self, some, compute_uv)
    T.cross = lambda self, other, dim=None: _linalg._aliases.cross(self, other, dim)

    # -- the math tail (issue 17, tail-math): element-wise math, cumulative ops, the
    #    in-place tail and aliases (one table, ops/inplace_tail.py) ----------------------
    from .ops import (elementwise_math as _em, cumulative as _cu, matmul_tail as _mmt,
                      renorm as _rn, inplace_tail as _ipt, histograms as _hist,
                      set_ops as _set, combinatorics as _comb, quantiles as _qt,
                      covariance as _cov, predicates as _pred, distance as _dist)
    T.dist = _dist.dist
    T.cholesky_inverse = lambda self, upper=False: _linalg._aliases.cholesky_inverse(self, upper)
    T.cholesky_solve = lambda self, input2, upper=False: _linalg._aliases.cholesky_solve(
        self, input2, upper)
    T.lu_solve = lambda self, LU_data, LU_pivots: _linalg._aliases.lu_solve(self, LU_data,
                                                                            LU_pivots)
    T.triangular_solve = lambda self, A, upper=True, transpose=False, unitriangular=False: (
        _linalg._aliases.triangular_solve(self, A, upper, transpose, unitriangular))
    # the LAPACK-style factorisations' method forms (issue 17, tail17)
    T.geqrf = lambda self: _linalg._aliases.geqrf(self)
    T.orgqr = lambda self, input2: _linalg._aliases.orgqr(self, input2)
    T.ormqr = lambda self, input2, input3, left=True, transpose=False: (
        _linalg._aliases.ormqr(self, input2, input3, left, transpose))
    T.lu = lambda self, pivot=True, get_infos=False: _linalg._aliases.lu(self, pivot, get_infos)
    for _mod in (_em, _cu, _mmt, _rn, _hist, _set, _comb, _qt, _cov, _pred):
        for name in _mod.METHODS:
            setattr(T, name, getattr(_mod, name))
    for name, fn in _ipt.METHOD_TABLE.items():
        setattr(T, name, fn)
    # -- end of the math tail block ----------------------------------------------------------

    T.T = property(sh.numpy_T)
    def _matrix_transpose(self, name="mT"):
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return sh.transpose(self, -2, -1)

    T.mT = property(_matrix_transpose)
    T.mH = property(lambda self: pw.conj(_matrix_transpose(self, "mH")))
    T.H = property(sh.numpy_H)

    # -- tensor structure (issue 17, tail-structure): strided views, storages, interop -------
    from .ops import strided as _st, split_forms as _sf, index_reduce as _ir
    from . import _storage, _interop, _structure_api as _sa, _formats
    for mod in (_st, _sf, _ir, _storage):
        for name in mod.METHODS:
            setattr(T, name, getattr(mod, name))
    T.__dlpack__ = _interop.dlpack
    T.__dlpack_device__ = _interop.dlpack_device
    T.get_device = _sa.get_device
    T.is_inference = _sa.is_inference
    T.is_distributed = _formats.is_distributed
    T.swapaxes_ = _sa.swapaxes_
    T.swapdims_ = _sa.swapdims_
