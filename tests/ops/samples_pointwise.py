"""Table entries for ember.ops.pointwise."""
from ops.table import OpSample, Arr

B = [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)], [(), (3,)], [(0, 3), (3,)], [(), ()]]
U = [[(3, 4)], [()], [(0, 2)], [(2, 3, 4)]]


def _pos(shape, low=0.5, high=2.0):
    return Arr(shape, low, high)


def _unit(shape):
    return Arr(shape, -0.9, 0.9)


def _cases_with(make):
    return [[make((3, 4))], [make(())], [make((0, 2))], [make((2, 3, 4))]]


SAMPLES = [
    OpSample("add", lambda t, a, b: a + b, B),
    OpSample("add_alpha", lambda t, a, b: t.add(a, b, alpha=2.5), B[:3]),
    OpSample("sub", lambda t, a, b: a - b, B),
    OpSample("mul", lambda t, a, b: a * b, B),
    OpSample("div", lambda t, a, b: a / b, [[(3, 4), _pos((4,))], [(2, 3), _pos(())],
                                          [_pos(()), _pos((3,))]]),
    OpSample("pow_tensor", lambda t, a, b: a ** b, [[_pos((3, 4)), (3, 4)], [_pos((2, 3)), (3,)]]),
    OpSample("pow_scalar", lambda t, a: a ** 3, U),
    OpSample("pow_frac", lambda t, a: a ** 0.5, _cases_with(_pos)),
    OpSample("rpow", lambda t, a: 2.0 ** a, U),
    OpSample("radd_scalar", lambda t, a: 2 + a, U),
    OpSample("rsub_scalar", lambda t, a: 2 - a, U),
    OpSample("rmul_scalar", lambda t, a: 3.5 * a, U),
    OpSample("rdiv_scalar", lambda t, a: 2 / a, _cases_with(_pos)),
    OpSample("neg", lambda t, a: -a, U),
    OpSample("abs", lambda t, a: t.abs(a), U),
    OpSample("exp", lambda t, a: t.exp(a), U),
    OpSample("exp2", lambda t, a: t.exp2(a), U),
    OpSample("expm1", lambda t, a: t.expm1(a), U),
    OpSample("log", lambda t, a: t.log(a), _cases_with(_pos)),
    OpSample("log2", lambda t, a: t.log2(a), _cases_with(_pos)),
    OpSample("log10", lambda t, a: t.log10(a), _cases_with(_pos)),
    OpSample("log1p", lambda t, a: t.log1p(a), _cases_with(_pos)),
    OpSample("sqrt", lambda t, a: t.sqrt(a), _cases_with(_pos)),
    OpSample("rsqrt", lambda t, a: t.rsqrt(a), _cases_with(_pos)),
    OpSample("square", lambda t, a: t.square(a), U),
    OpSample("sin", lambda t, a: t.sin(a), U),
    OpSample("cos", lambda t, a: t.cos(a), U),
    OpSample("tan", lambda t, a: t.tan(a), _cases_with(_unit)),
    OpSample("asin", lambda t, a: t.asin(a), _cases_with(_unit)),
    OpSample("acos", lambda t, a: t.acos(a), _cases_with(_unit)),
    OpSample("atan", lambda t, a: t.atan(a), U),
    OpSample("sinh", lambda t, a: t.sinh(a), U),
    OpSample("cosh", lambda t, a: t.cosh(a), U),
    OpSample("tanh", lambda t, a: t.tanh(a), U),
    OpSample("asinh", lambda t, a: t.asinh(a), U),
    OpSample("acosh", lambda t, a: t.acosh(a), _cases_with(lambda s: Arr(s, 1.5, 3.0))),
    OpSample("atanh", lambda t, a: t.atanh(a), _cases_with(_unit)),
    OpSample("sigmoid", lambda t, a: t.sigmoid(a), U),
    OpSample("relu", lambda t, a: t.relu(a), U),
    OpSample("erf", lambda t, a: t.erf(a), U),
    OpSample("reciprocal", lambda t, a: t.reciprocal(a), _cases_with(_pos)),
    OpSample("atan2", lambda t, a, b: t.atan2(a, b), B[:4]),
    OpSample("maximum", lambda t, a, b: t.maximum(a, b), B[:4]),
    OpSample("minimum", lambda t, a, b: t.minimum(a, b), B[:4]),
    OpSample("clamp_scalar", lambda t, a: t.clamp(a, -0.5, 0.5), U),
    OpSample("clamp_min_only", lambda t, a: t.clamp(a, min=0.1), U),
    OpSample("clamp_tensor", lambda t, a, lo, hi: t.clamp(a, lo, hi),
             [[(3, 4), Arr((4,), -1, -0.2), Arr((3, 1), 0.2, 1)]]),
    OpSample("where", lambda t, c, a, b: t.where(c, a, b),
             [[Arr((3, 4), dtype="bool"), (3, 4), (4,)], [Arr((3, 1), dtype="bool"), (), (1, 4)]]),
    OpSample("where_scalar", lambda t, c, a: t.where(c, a, 0.0), [[Arr((3, 4), dtype="bool"), (3, 4)]]),
    OpSample("lerp", lambda t, a, b: t.lerp(a, b, 0.3), B[:3]),
    OpSample("lerp_tensor_weight", lambda t, a, b, w: t.lerp(a, b, w), [[(3, 4), (3, 4), (4,)]]),
    OpSample("floor", lambda t, a: t.floor(a * 3), U),
    OpSample("ceil", lambda t, a: t.ceil(a * 3), U),
    OpSample("round", lambda t, a: t.round(a * 3), U),
    OpSample("round_decimals", lambda t, a: t.round(a * 3, decimals=2), U[:2]),
    OpSample("trunc", lambda t, a: t.trunc(a * 3), U),
    OpSample("frac", lambda t, a: t.frac(a * 3), U),
    OpSample("sign", lambda t, a: t.sign(a), U),
    OpSample("remainder", lambda t, a, b: t.remainder(a, b), [[(3, 4), _pos((4,))]], gradcheck=False),
    OpSample("fmod", lambda t, a, b: t.fmod(a, b), [[(3, 4), _pos((4,))]], gradcheck=False),
    OpSample("floor_divide", lambda t, a, b: a // b, [[(3, 4), _pos((4,))]], grad=False),
    OpSample("nan_to_num", lambda t, a: t.nan_to_num(t.log(a)), [[Arr((3, 4), -1, 1)]], gradcheck=False),
    OpSample("addcmul", lambda t, a, b, c: t.addcmul(a, b, c, value=0.5), [[(3, 4), (3, 4), (4,)]]),
    OpSample("addcdiv", lambda t, a, b, c: t.addcdiv(a, b, c, value=0.5), [[(3, 4), (3, 4), _pos((4,))]]),
    # comparisons, logical and bitwise: no gradient, exact results
    OpSample("eq", lambda t, a, b: a == b, [[Arr((3, 4), 0, 3, "int64"), Arr((4,), 0, 3, "int64")]], grad=False),
    OpSample("lt", lambda t, a, b: a < b, B[:4], grad=False),
    OpSample("ge_scalar", lambda t, a: a >= 0.1, U, grad=False),
    OpSample("logical_and", lambda t, a, b: t.logical_and(a, b),
             [[Arr((3, 4), dtype="bool"), Arr((4,), dtype="bool")]], grad=False),
    OpSample("logical_not", lambda t, a: t.logical_not(a), [[Arr((3, 4), dtype="bool")]], grad=False),
    OpSample("bitwise_ops", lambda t, a, b: ((a & b) | (a ^ 3), ~a, a << 1, a >> 1),
             [[Arr((3, 4), 0, 16, "int64"), Arr((4,), 0, 16, "int64")]], grad=False),
    OpSample("isnan_isinf", lambda t, a: (t.isnan(t.log(a)), t.isinf(t.log(a * 0)), t.isfinite(a)),
             [[(3, 4)]], grad=False),
    # dtype promotion
    OpSample("int_plus_float_scalar", lambda t, a: a + 2.5, [[Arr((3,), 0, 9, "int64")]], grad=False),
    OpSample("int_div_int", lambda t, a, b: a / b, [[Arr((3,), 0, 9, "int64"), Arr((3,), 1, 9, "int32")]], grad=False),
    OpSample("int_floordiv", lambda t, a, b: a // b, [[Arr((3,), -9, 9, "int64"), Arr((3,), 1, 4, "int64")]], grad=False),
    OpSample("int_mod", lambda t, a, b: a % b, [[Arr((3,), -9, 9, "int64"), Arr((3,), 1, 4, "int64")]], grad=False),
    OpSample("uint8_plus_int8", lambda t, a, b: a + b, [[Arr((3,), 0, 9, "uint8"), Arr((3,), -5, 5, "int8")]], grad=False),
    OpSample("float_plus_0d_double", lambda t, a, b: a + b.double(), [[(3,), ()]]),
    OpSample("int_plus_0d_double", lambda t, a, b: a + b.double(), [[Arr((3,), 0, 9, "int64"), ()]]),
    OpSample("bool_plus_int_scalar", lambda t, a: a + 1, [[Arr((3,), dtype="bool")]], grad=False),
    OpSample("int_exp", lambda t, a: t.exp(a), [[Arr((3,), 0, 5, "int64")]], grad=False),
    OpSample("half_ops", lambda t, a, b: (a.half() * b.half(), (a.half() + 1).float()), [[(3, 4), (4,)]],
             grad=False, rtol=1e-3, atol=1e-3),
    OpSample("bfloat16_ops", lambda t, a, b: (a.bfloat16() * b.bfloat16()).float(), [[(3, 4), (4,)]],
             rtol=1e-2, atol=1e-2, gradcheck=False),
    OpSample("to_double_backward", lambda t, a: (a.double() * 2).sum(), U[:2]),
]
