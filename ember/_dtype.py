"""dtype objects (``ember.float32`` ...), their NumPy mapping, and PyTorch's promotion rules.

A dtype is a singleton; ``tensor.dtype is ember.float32`` holds as in PyTorch.
bfloat16 is backed by ``ml_dtypes.bfloat16``.
"""
import builtins

import ml_dtypes
import numpy

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast",
]

# Category of a dtype for promotion: bool < integer < floating < complex.
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, printed as ``ember.float32`` (PyTorch prints ``torch.float32``)."""

    __slots__ = ("name", "np", "itemsize", "category", "is_floating_point", "is_complex",
                 "is_signed", "_aliases")

    def __init__(self, name, np_dtype, category, aliases=()):
        self.name = name
        self.np = numpy.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name not in ("bool", "uint8")
        self._aliases = aliases

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        # dtypes are singletons: unpickle to the module attribute.
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float32": complex64, "float64": complex128, "float16": complex64,
                "bfloat16": complex64}.get(self.name, self)


bool = dtype("bool", numpy.bool_, _BOOL)
uint8 = dtype("uint8", numpy.uint8, _INT)
int8 = dtype("int8", numpy.int8, _INT)
int16 = dtype("int16", numpy.int16, _INT, ("short",))
int32 = dtype("int32", numpy.int32, _INT, ("int",))
int64 = dtype("int64", numpy.int64, _INT, ("long",))
float16 = dtype("float16", numpy.float16, _FLOAT, ("half",))
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT)
float32 = dtype("float32", numpy.float32, _FLOAT, ("float",))
float64 = dtype("float64", numpy.float64, _FLOAT, ("double",))
complex64 = dtype("complex64", numpy.complex64, _COMPLEX, ("cfloat",))
complex128 = dtype("complex128", numpy.complex128, _COMPLEX, ("cdouble",))

_ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
        complex64, complex128)
_BY_NAME = {d.name: d for d in _ALL}
for _d in _ALL:
    for _alias in _d._aliases:
        _BY_NAME[_alias] = _d

# numpy dtype -> ember dtype; the Tensor.dtype property is one lookup here.
NP_TO_DTYPE = {d.np: d for d in _ALL}
# Types NumPy produces that PyTorch does not have are mapped to the nearest PyTorch dtype
# when a tensor is created from them.
_NP_FALLBACK = {numpy.dtype(numpy.uint16): int32, numpy.dtype(numpy.uint32): int64,
                numpy.dtype(numpy.uint64): int64, numpy.dtype(numpy.longdouble): float64}

_default = [float32]


def _dtype_by_name(name):
    return _BY_NAME[name]


def get_default_dtype():
    """Return the default floating point dtype (``ember.float32`` unless changed)."""
    return _default[0]


def set_default_dtype(d):
    """Set the default floating point dtype; like PyTorch, only float32/float64/float16/bfloat16."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype; TypeError for types PyTorch cannot hold."""
    d = NP_TO_DTYPE.get(np_dtype)
    if d is not None:
        return d
    np_dtype = numpy.dtype(np_dtype)
    d = NP_TO_DTYPE.get(np_dtype) or _NP_FALLBACK.get(np_dtype)
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.")
    return d


def to_dtype(d):
    """Accept an ember dtype, a NumPy dtype, a Python type or a name and return an ember dtype."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return _default[0]
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex64 if _default[0] is not float64 else complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d[6:] if d.startswith("ember.") else d
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"invalid dtype {d!r}")
    try:
        return from_numpy_dtype(numpy.dtype(d))
    except TypeError:
        raise TypeError(f"invalid dtype object: {d!r}") from None


def _promote_same_category(a, b):
    if a is b:
        return a
    cat = a.category
    if cat == _INT:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            if other is uint8:
                return uint8
            # uint8 with a signed type: the smallest signed type holding both.
            return int16 if other is int8 else other
        return a if a.itemsize >= b.itemsize else b
    if cat == _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if cat == _COMPLEX:
        return a if a.itemsize >= b.itemsize else b
    return a


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both ``a`` and ``b`` cast to safely."""
    if a is b:
        return a
    if a.category == b.category:
        return _promote_same_category(a, b)
    hi, lo = (a, b) if a.category > b.category else (b, a)
    if hi.category == _COMPLEX and lo.category == _FLOAT and lo is float64:
        return complex128
    return hi


def _scalar_dtype(value):
    t = type(value)
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _default[0]
    if t is builtins.complex:
        return complex128 if _default[0] is float64 else complex64
    # numpy scalars behave like Python scalars of their kind in PyTorch's rules.
    if isinstance(value, numpy.generic):
        return _scalar_dtype(value.item())
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type(*operands):
    """PyTorch's ``result_type`` for a mix of Tensors and Python scalars.

    Tensors with dimensions decide the dtype; a 0-d tensor only wins when its category
    (bool < int < float < complex) is higher, and a Python scalar only lifts the category,
    to the default dtype of that category (int + 2.5 -> float32, not float64).
    """
    dim_t = zero_t = scalar = None
    for op in operands:
        data = getattr(op, "_data", None)
        if data is not None:
            d = NP_TO_DTYPE[data.dtype]
            if data.ndim:
                dim_t = d if dim_t is None else promote_types(dim_t, d)
            else:
                zero_t = d if zero_t is None else promote_types(zero_t, d)
        else:
            d = _scalar_dtype(op)
            scalar = d if scalar is None else promote_types(scalar, d)
    result = dim_t
    if zero_t is not None:
        if result is None:
            result = zero_t
        elif zero_t.category > result.category:
            # A 0-d complex tensor makes a float tensor complex of the float's own width.
            result = result.to_complex() if (zero_t.category == _COMPLEX and
                                             result.category == _FLOAT) else zero_t
    if scalar is not None:
        if result is None:
            result = scalar
        elif scalar.category > result.category:
            if scalar.category == _FLOAT:
                result = _default[0]
            elif scalar.category == _COMPLEX:
                result = promote_types(result, scalar)
            else:
                result = int64 if scalar.category == _INT else bool
    return result


def can_cast(from_, to):
    """``torch.can_cast``: False only when casting lowers the category (float -> int ...)."""
    return from_.category <= to.category
