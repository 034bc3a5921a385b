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
    # Tensor.where(condition, other) is where(condition, self, other), as in PyTorch.
    T.where = lambda self, condition, other: pw.where(condition, self, other)

    # -- complex parts (issue 17) -------------------------------------------------------------
    from .ops import complex as cx
    T.real = property(cx.real)
    T.imag = property(cx.imag)
    T.angle = cx.angle

    # -- methods of the tail modules: bound on first use (ember/_lazy.py, issue 18) ----------
    from ._lazy import attach_methods
    from ._lazy_tables import TENSOR_METHODS
    attach_methods(T, TENSOR_METHODS)

    T.T = property(sh.numpy_T)
    def _matrix_transpose(self, name="mT"):
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return sh.transpose(self, -2, -1)

    T.mT = property(_matrix_transpose)
    T.mH = property(lambda self: pw.conj(_matrix_transpose(self, "mH")))
    T.H = property(sh.numpy_H)


# Tensor methods whose modules load on first use, in binding order (a later source wins
# over an earlier one and over the core bindings above). Kinds: "names" binds the listed
# attributes (``attr=name`` binds ``attr`` as method ``name``); "list" binds every name
# of the module's list attribute (``METHODS``); "dict" binds the items of a dict attribute.
# ``python -m tools.lazy_tables --write`` expands this into ember/_lazy_tables.py.
LAZY_METHOD_SOURCES = (
    ("ember.ops.stft", "names", "stft istft"),
    ("ember.ops.activation", "dict", "METHOD_ALIASES"),
    # -- the numerics tail (issue 17): linalg methods
    ("ember.linalg", "names", "det inv=inverse matrix_power matrix_exp"),
    ("ember._tensor_tail", "names", "logdet slogdet cholesky pinverse qr svd cross"),
    ("ember.ops.distance", "names", "dist"),
    ("ember._tensor_tail", "names", "cholesky_inverse cholesky_solve lu_solve triangular_solve"),
    # -- the math tail (issue 17, tail-math): element-wise math, cumulative ops, the
    #    in-place tail and aliases (one table, ops/inplace_tail.py)
    ("ember.ops.elementwise_math", "list", "METHODS"),
    ("ember.ops.cumulative", "list", "METHODS"),
    ("ember.ops.matmul_tail", "list", "METHODS"),
    ("ember.ops.renorm", "list", "METHODS"),
    ("ember.ops.histograms", "list", "METHODS"),
    ("ember.ops.set_ops", "list", "METHODS"),
    ("ember.ops.combinatorics", "list", "METHODS"),
    ("ember.ops.quantiles", "list", "METHODS"),
    ("ember.ops.covariance", "list", "METHODS"),
    ("ember.ops.predicates", "list", "METHODS"),
    ("ember.ops.inplace_tail", "dict", "METHOD_TABLE"),
    # -- tensor structure (issue 17, tail-structure): strided views, storages, interop
    ("ember.ops.strided", "list", "METHODS"),
    ("ember.ops.split_forms", "list", "METHODS"),
    ("ember.ops.index_reduce", "list", "METHODS"),
    ("ember._storage", "list", "METHODS"),
    ("ember._interop", "names", "dlpack=__dlpack__ dlpack_device=__dlpack_device__"),
    ("ember._structure_api", "names", "get_device is_inference"),
    ("ember._formats", "names", "is_distributed"),
    ("ember._structure_api", "names", "swapaxes_ swapdims_"),
)
