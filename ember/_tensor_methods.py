"""Binds ``ember.ops`` functions to Tensor as methods and operators.

Most methods are the op functions themselves (``Tensor.exp is ops.pointwise.exp``), so a
method call costs no extra Python frame. Methods whose signature differs from the
function form (reflected operators, properties) are small adapters in
ember/_tensor_operators.py. Each is bound on first use (import time, issue 18): the class
holds a ``LazyMethod`` that imports the op module and puts the function itself in its
place, so every later call is exactly as fast as an eager binding.
"""


def attach(T):
    """Every method and operator is a ``LazyMethod`` until first used (ember/_lazy.py)."""
    from ._lazy import attach_methods
    from ._lazy_tables import TENSOR_METHODS
    attach_methods(T, TENSOR_METHODS)


# Tensor methods whose modules load on first use, in binding order (a later source wins
# over an earlier one). Kinds: "names" binds the listed
# attributes (``attr=name`` binds ``attr`` as method ``name``); "list" binds every name
# of the module's list attribute (``METHODS``); "dict" binds the items of a dict attribute.
# ``python -m tools.lazy_tables --write`` expands this into ember/_lazy_tables.py.
LAZY_METHOD_SOURCES = (
    # -- arithmetic operators
    ("ember.ops.pointwise", "names",
     "add=__add__ add_=__iadd__ sub=__sub__ sub_=__isub__ mul=__mul__ mul_=__imul__ "
     "div=__truediv__ div_=__itruediv__ floor_divide=__floordiv__ "
     "floor_divide_=__ifloordiv__ remainder=__mod__ remainder_=__imod__ pow=__pow__ "
     "pow_=__ipow__"),
    ("ember._tensor_operators", "names",
     "radd=__radd__ rsub=__rsub__ rmul=__rmul__ rtruediv=__rtruediv__ "
     "rfloordiv=__rfloordiv__ rmod=__rmod__ rpow=__rpow__ rmatmul=__rmatmul__ pos=__pos__ "
     "rand=__rand__ ror=__ror__ rxor=__rxor__ contains=__contains__"),
    ("ember.ops.linalg", "names", "matmul=__matmul__"),
    ("ember.ops.pointwise", "names",
     "neg=__neg__ abs=__abs__ bitwise_not=__invert__ bitwise_and=__and__ "
     "bitwise_and_=__iand__ bitwise_or=__or__ bitwise_or_=__ior__ bitwise_xor=__xor__ "
     "bitwise_xor_=__ixor__ bitwise_left_shift=__lshift__ bitwise_right_shift=__rshift__ "
     "eq=__eq__ ne=__ne__ lt=__lt__ le=__le__ gt=__gt__ ge=__ge__"),
    ("ember.ops.indexing", "names", "getitem=__getitem__ setitem=__setitem__"),
    # -- the core families' methods
    ("ember.ops.pointwise", "list", "METHODS"),
    ("ember.ops.reduction", "list", "METHODS"),
    ("ember.ops.shape", "list", "METHODS"),
    ("ember.ops.indexing", "list", "METHODS"),
    ("ember.ops.linalg", "list", "METHODS"),
    ("ember.ops.creation", "list", "METHODS"),
    ("ember.ops.pointwise", "dict", "METHOD_ALIASES"),
    ("ember.ops.stft", "names", "stft istft"),
    ("ember._tensor_operators", "names", "where"),
    ("ember.ops.activation", "dict", "METHOD_ALIASES"),
    # -- complex parts (issue 17)
    ("ember._tensor_operators", "names", "real imag"),
    ("ember.ops.complex", "names", "angle"),
    # -- the numerics tail (issue 17): linalg methods
    ("ember.linalg", "names", "det inv=inverse matrix_power matrix_exp"),
    # every function of ember/_tensor_tail.py (logdet, qr, svd, lu, geqrf ...)
    ("ember._tensor_tail", "star", ""),
    ("ember.ops.distance", "names", "dist"),
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
    ("ember._tensor_operators", "names", "T mT mH H"),
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
