"""dtype objects (``ember.float32`` ...), their NumPy mapping, categories, and PyTorch's
promotion rules.

A dtype is a singleton; ``tensor.dtype is ember.float32`` holds as in PyTorch.
bfloat16, the float8 types and the sub-byte integers (int1/2/4, uint1/2/4) are backed by
ml_dtypes, imported lazily: ``ember.bfloat16`` exists from the start, and ml_dtypes (about
half a second of import) is loaded the first time such a dtype's ``np`` is read, i.e. the
first time a tensor of it is made or converted (``_load_ml_dtypes``). Until then no array
can have such a type, so the NumPy-side sets below leave them out; loading adds them to the
same set objects in place, so every ``from ._dtype import FLOATING_NP`` sees them.
uint16/uint32/uint64 are NumPy's own. Like PyTorch, the float8, sub-byte and uint16/32/64
types are storage types: creation, conversion and printing work, promotion with any other
dtype raises (PyTorch's messages); they are listed in ``_LIMITED``, apart from ``_ALL``.

Categories come from this table, never from NumPy kind letters (ml_dtypes' bfloat16, int4
and float8 all have kind ``'V'``, so ``kind in "fV"`` would call int4 floating point):

- ember-dtype sets ``FLOATING``, ``INTEGRAL`` (bool excluded), ``COMPLEX``,
  ``DIFFERENTIABLE`` (floating and complex: what may require grad), ``QUANTIZED``, with the
  predicates ``is_floating``, ``is_integral(d, include_bool=False)``, ``is_complex``,
  ``is_differentiable``, ``is_quantized``, which accept an ember dtype or a NumPy dtype;
- the same sets over NumPy dtypes, ``*_NP`` (``FLOATING_NP``, ``INTEGRAL_NP``,
  ``EXACT_NP`` = integral and bool, ``COMPLEX_NP``, ``DIFFERENTIABLE_NP``, ``HALF_NP``),
  for the hot path: ``array.dtype in FLOATING_NP`` costs what ``kind in "fV"`` did;
- ``compute_dtype(d)``: the one "float16/bfloat16 compute in float32" policy, for an ember
  or a NumPy dtype (returns the same kind of object).

Quantized dtypes (``qint8``, ``quint8``, ``qint32``, ``quint4x2``) are table entries of
category quantized whose ``np`` is their storage type (int8, uint8, int32, uint8). They
are not in ``NP_TO_DTYPE``: an int8 array is an int8 tensor; ``qmin``/``qmax`` give their
integer range. A quantized tensor is an ``ember._qtensor.QTensor`` (a Tensor subclass
holding the integer storage and its scale/zero_point/axis, whose ``dtype`` is the
quantized dtype). Quantized dtypes do not promote (PyTorch raises the same RuntimeError),
and creation functions and casts refuse them (quantize_per_tensor makes them).
"""
import builtins
import sys

import numpy

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast", "qint8", "quint8", "qint32", "quint4x2",
    "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
    "float8_e5m2fnuz", "float8_e8m0fnu", "int1", "int2", "int4", "uint1", "uint2", "uint4",
]

# Category of a dtype for promotion: bool < integer < floating < complex; quantized apart.
_BOOL, _INT, _FLOAT, _COMPLEX, _QUANT = 0, 1, 2, 3, 4


class dtype:
    """A tensor element type, printed as ``ember.float32`` (PyTorch prints ``torch.float32``)."""

    __slots__ = ("name", "np", "itemsize", "category", "is_floating_point", "is_complex",
                 "is_signed", "_aliases", "qmin", "qmax", "_ml_name")

    def __init__(self, name, np_dtype, category, aliases=(), qrange=(None, None), itemsize=None):
        self.qmin, self.qmax = qrange      # a quantized dtype's integer range (else None)
        self.name = name
        if isinstance(np_dtype, str):      # an ml_dtypes type, resolved on first use of .np
            self._ml_name = np_dtype
            self.itemsize = itemsize
        else:
            self._ml_name = None
            self.np = numpy.dtype(np_dtype)
            self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = not name.startswith(("bool", "uint", "quint")) and name != "float8_e8m0fnu"
        self._aliases = aliases

    def __getattr__(self, attr):
        # Only reached for an unset slot: ``np`` of an ml_dtypes-backed dtype not loaded yet.
        if attr == "np" and self._ml_name is not None:
            _load_ml_dtypes()
            return self.np
        raise AttributeError(f"'ember.dtype' object has no attribute '{attr}'")

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
bfloat16 = dtype("bfloat16", "bfloat16", _FLOAT, itemsize=2)
float32 = dtype("float32", numpy.float32, _FLOAT, ("float",))
float64 = dtype("float64", numpy.float64, _FLOAT, ("double",))
complex64 = dtype("complex64", numpy.complex64, _COMPLEX, ("cfloat",))
complex128 = dtype("complex128", numpy.complex128, _COMPLEX, ("cdouble",))

# Quantized dtypes: ``np`` is the storage (integer) type; see the module docstring.
qint8 = dtype("qint8", numpy.int8, _QUANT, qrange=(-128, 127))
quint8 = dtype("quint8", numpy.uint8, _QUANT, qrange=(0, 255))
qint32 = dtype("qint32", numpy.int32, _QUANT, qrange=(-(2 ** 31), 2 ** 31 - 1))
quint4x2 = dtype("quint4x2", numpy.uint8, _QUANT, qrange=(0, 15))   # 4-bit values

# PyTorch's storage-only dtypes (see the module docstring): uint16/32/64 from NumPy, the
# float8 types (floating point, as torch.float8_*.is_floating_point) and the sub-byte
# integers ml_dtypes has (torch.int3/5/6/7 and uint3/5/6/7 have no NumPy type: not here).
uint16 = dtype("uint16", numpy.uint16, _INT)
uint32 = dtype("uint32", numpy.uint32, _INT)
uint64 = dtype("uint64", numpy.uint64, _INT)
float8_e4m3fn = dtype("float8_e4m3fn", "float8_e4m3fn", _FLOAT, itemsize=1)
float8_e5m2 = dtype("float8_e5m2", "float8_e5m2", _FLOAT, itemsize=1)
float8_e4m3fnuz = dtype("float8_e4m3fnuz", "float8_e4m3fnuz", _FLOAT, itemsize=1)
float8_e5m2fnuz = dtype("float8_e5m2fnuz", "float8_e5m2fnuz", _FLOAT, itemsize=1)
float8_e8m0fnu = dtype("float8_e8m0fnu", "float8_e8m0fnu", _FLOAT, itemsize=1)
int1 = dtype("int1", "int1", _INT, itemsize=1)
int2 = dtype("int2", "int2", _INT, itemsize=1)
int4 = dtype("int4", "int4", _INT, itemsize=1)
uint1 = dtype("uint1", "uint1", _INT, itemsize=1)
uint2 = dtype("uint2", "uint2", _INT, itemsize=1)
uint4 = dtype("uint4", "uint4", _INT, itemsize=1)

_ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
        complex64, complex128)
_FLOAT8 = (float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu)
_BARE_UINT = (uint16, uint32, uint64)
_SUB_BYTE = (int1, int2, int4, uint1, uint2, uint4)
_LIMITED = _BARE_UINT + _FLOAT8 + _SUB_BYTE     # no promotion with other dtypes
_QUANTIZED = (qint8, quint8, qint32, quint4x2)
_BY_NAME = {d.name: d for d in _ALL + _LIMITED + _QUANTIZED}
for _d in _ALL:
    for _alias in _d._aliases:
        _BY_NAME[_alias] = _d
_ML_DTYPES = tuple(d for d in _ALL + _LIMITED if d._ml_name is not None)

# -- categories (see the module docstring) ---------------------------------------------------
FLOATING = frozenset(d for d in _ALL + _LIMITED if d.category == _FLOAT)
COMPLEX = frozenset(d for d in _ALL if d.category == _COMPLEX)
INTEGRAL = frozenset(d for d in _ALL + _LIMITED if d.category == _INT)
EXACT = INTEGRAL | {bool}
DIFFERENTIABLE = FLOATING | COMPLEX     # PyTorch lets float8 tensors require grad, too
QUANTIZED = frozenset(_QUANTIZED)
HALF = frozenset((float16, bfloat16) + _FLOAT8)   # compute in float32
_NATIVE = frozenset(d for d in _ALL + _LIMITED if d._ml_name is None)   # NumPy's own types

# The NumPy-side sets and the numpy dtype -> ember dtype map (the Tensor.dtype property is
# one lookup there). Mutable on purpose: ``_load_ml_dtypes`` fills in the ml_dtypes types in
# place; until then only NumPy's own types are in them.
NP_TO_DTYPE = {}
FLOATING_NP, COMPLEX_NP, INTEGRAL_NP, BOOL_NP = set(), set(), set(), set()
EXACT_NP, DIFFERENTIABLE_NP, HALF_NP = set(), set(), set()   # EXACT: integer or bool
# NumPy's own inexact types (bfloat16 and float8 excluded: ml_dtypes types, which NumPy's
# scalar rules widen to float32 instead of keeping, unlike float16).
NATIVE_INEXACT_NP = set()
NATIVE_FLOATING_NP = set()   # float16/32/64: NumPy's own floats
_NP_SETS = ((FLOATING_NP, FLOATING), (COMPLEX_NP, COMPLEX), (INTEGRAL_NP, INTEGRAL),
            (BOOL_NP, {bool}), (EXACT_NP, EXACT), (DIFFERENTIABLE_NP, DIFFERENTIABLE),
            (HALF_NP, HALF), (NATIVE_INEXACT_NP, DIFFERENTIABLE & _NATIVE),
            (NATIVE_FLOATING_NP, FLOATING & _NATIVE))


def _register_np(dtypes):
    for d in dtypes:
        NP_TO_DTYPE[d.np] = d
        for np_set, table in _NP_SETS:
            if d in table:
                np_set.add(d.np)


_register_np(d for d in _ALL + _LIMITED if d._ml_name is None)


def _load_ml_dtypes():
    """Import ml_dtypes and resolve bfloat16, float8 and the sub-byte integers (once)."""
    if _ML_DTYPES[0]._ml_name is None:
        return
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError("bfloat16, float8 and int1/2/4 tensors need ml_dtypes: "
                          "pip install ml_dtypes") from None
    for d in _ML_DTYPES:
        if d._ml_name is not None:
            d.np = numpy.dtype(getattr(ml_dtypes, d._ml_name))
    _register_np(_ML_DTYPES)
    for d in _ML_DTYPES[::-1]:   # bfloat16 (first) last: it marks the whole set loaded
        d._ml_name = None


# c10's ScalarType names, which PyTorch's promotion messages print.
_SCALAR_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
    "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}


def scalar_type_name(d):
    """``d``'s name as c10 prints it (``Float``, ``Float8_e4m3fn``, ``UInt16`` ...)."""
    return _SCALAR_TYPE_NAMES.get(d.name) or d.name[0].upper() + d.name[1:]

_F32_NP = float32.np


def _np_or_table(d, table_set, np_set):
    if type(d) is dtype:
        return d in table_set
    if d in np_set:
        return True
    if getattr(d, "kind", None) == "V" and _ML_DTYPES[0]._ml_name is not None:
        _load_ml_dtypes()    # an ml_dtypes type the caller made before ember needed one
        return d in np_set
    return False


def is_floating(d):
    """``d`` (an ember or NumPy dtype) is a floating point type: float16/bfloat16/32/64."""
    return _np_or_table(d, FLOATING, FLOATING_NP)


def is_complex(d):
    """``d`` is complex64 or complex128."""
    return _np_or_table(d, COMPLEX, COMPLEX_NP)


def is_integral(d, include_bool=False):
    """``d`` is an integer type (PyTorch's ``isIntegralType``); bool only if asked."""
    if include_bool:
        return _np_or_table(d, EXACT, EXACT_NP)
    return _np_or_table(d, INTEGRAL, INTEGRAL_NP)


def is_differentiable(d):
    """``d`` may require grad: floating or complex."""
    return _np_or_table(d, DIFFERENTIABLE, DIFFERENTIABLE_NP)


def is_quantized(d):
    """``d`` is a quantized dtype (``ember.qint8`` ...); NumPy dtypes never are."""
    return type(d) is dtype and d in QUANTIZED


def compute_dtype(d):
    """The dtype arithmetic on ``d`` runs in: float32 for float16/bfloat16 (PyTorch's CPU
    kernels accumulate half types in float), ``d`` itself otherwise. Takes and returns an
    ember dtype, or takes and returns a NumPy dtype."""
    if type(d) is dtype:
        return float32 if d in HALF else d
    return _F32_NP if d in HALF_NP else d


# Types NumPy produces that PyTorch does not have are mapped to the nearest PyTorch dtype
# when a tensor is created from them.
_NP_FALLBACK = {numpy.dtype(numpy.longdouble): float64}

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
    if np_dtype.kind == "V" and "ml_dtypes" in sys.modules:
        _load_ml_dtypes()     # an ml_dtypes array made by the caller: resolve its dtype
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


_LIMITED_SET = frozenset(_LIMITED)


def _promote_limited(a, b):
    # PyTorch's rules for its storage-only types: float8 promotes with nothing else, a
    # uint16/32/64 only to a floating type, the sub-byte integers not at all.
    if a in _FLOAT8 or b in _FLOAT8:
        raise RuntimeError("Promotion for Float8 Types is not supported, attempted to promote "
                           f"{scalar_type_name(a)} and {scalar_type_name(b)}")
    if a in _BARE_UINT or b in _BARE_UINT:
        for d in (a, b):
            if d.category == _FLOAT and d not in _LIMITED_SET:
                return d
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {scalar_type_name(a)} and {scalar_type_name(b)}")
    raise RuntimeError("Promotion for int1-int7 and uint1-uint7 types is not supported, "
                       f"attempted to promote {scalar_type_name(a)} and {scalar_type_name(b)}")


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both ``a`` and ``b`` cast to safely."""
    if a is b:
        return a
    if a.category == _QUANT or b.category == _QUANT:
        raise RuntimeError(f"Promotion for Quantized types is not supported, attempted to "
                           f"promote {a.name} and {b.name}")
    if a in _LIMITED_SET or b in _LIMITED_SET:
        return _promote_limited(a, b)
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
