"""Table entries for the math tail (issue 17): ops/elementwise_math.py, ops/cumulative.py,
ops/matmul_tail.py, ops/renorm.py and the in-place tail of ops/inplace_tail.py."""
from ops.table import OpSample, Arr

B = [[(3, 4), (3, 4)], [(3, 4), (4,)], [(), (3,)], [(0, 3), (3,)]]
U = [[(3, 4)], [()], [(0, 2)], [(2, 3, 4)]]


def _ints(shape, low=-20, high=20):
    return Arr(shape, low, high, dtype="int64")


def _inplace(name, *args):
    """``x.clone().<name>(*args)``: the in-place form on a non-leaf (gradients flow back)."""
    return lambda t, a: getattr(a.clone(), name)(*args)


SAMPLES = [
    OpSample("copysign", lambda t, a, b: t.copysign(a, b), B, gradgrad=False),
    OpSample("copysign_scalar", lambda t, a: t.copysign(a, -1.5), U, gradgrad=False),
    OpSample("copysign_int", lambda t, a, b: t.copysign(a, b), [[_ints((5,)), _ints((5,))]],
             grad=False),
    OpSample("hypot", lambda t, a, b: t.hypot(a, b), B[:3]),
    OpSample("nextafter", lambda t, a, b: t.nextafter(a, b), B, gradcheck=False),
    OpSample("logaddexp", lambda t, a, b: t.logaddexp(a, b), B),
    OpSample("logaddexp2", lambda t, a, b: t.logaddexp2(a, b), B),
    OpSample("logaddexp_inf", lambda t: t.logaddexp(
        t.tensor([float("inf"), -float("inf"), 1.0]), t.tensor([float("inf"), -float("inf"),
                                                                 -float("inf")])), [[]]),
    OpSample("heaviside", lambda t, a, b: t.heaviside(t.round(a), b), [[(3, 4), (3, 4)],
                                                                      [(3, 4), ()]],
             grad=False),
    OpSample("gcd", lambda t, a, b: t.gcd(a, b), [[_ints((3, 4)), _ints((4,))], [_ints(()), _ints(())]]),
    OpSample("lcm", lambda t, a, b: t.lcm(a, b), [[_ints((3, 4)), _ints((4,))]]),
    OpSample("frexp", lambda t, a: t.frexp(a * 100), U),
    OpSample("ldexp", lambda t, a, b: t.ldexp(a, b), [[(3, 4), Arr((4,), -3, 3)]]),
    OpSample("ldexp_int", lambda t, a, b: t.ldexp(a, b), [[(3, 4), _ints((4,), -3, 3)]]),
    OpSample("deg2rad", lambda t, a: t.deg2rad(a), U),
    OpSample("rad2deg", lambda t, a: a.rad2deg(), U, rtol=1e-4),
    OpSample("deg2rad_int", lambda t, a: t.deg2rad(a), [[_ints((3,))]]),
    OpSample("positive", lambda t, a: t.positive(a), U),
    OpSample("cummax", lambda t, a: t.cummax(a, 1), [[(3, 4)], [Arr((2, 5), 0, 3, "int64")]]),
    OpSample("cummax_0d", lambda t, a: t.cummax(a, 0), [[()], [(0, 3)]]),
    OpSample("cummin", lambda t, a: a.cummin(-1), [[(3, 4)], [(2, 3, 4)]]),
    OpSample("cummax_ties", lambda t: t.cummax(t.tensor([1.0, 1.0, 0.0, float("nan"), 3.0,
                                                       float("nan")]), 0), [[]]),
    OpSample("logcumsumexp", lambda t, a: t.logcumsumexp(a, 1), [[(3, 4)], [(2, 3, 4)]],
             gradgrad=False),
    OpSample("logcumsumexp_0d", lambda t, a: a.logcumsumexp(0), [[()], [(0, 3)]], gradgrad=False),
    OpSample("logcumsumexp_wide", lambda t, a: t.logcumsumexp(a * 500, 0), [[(6,)]],
             gradcheck=False, gradgrad=False, rtol=1e-4),
    OpSample("diff", lambda t, a: t.diff(a), U[:1] + U[3:]),
    OpSample("diff_n2_dim0", lambda t, a: a.diff(n=2, dim=0), [[(4, 3)]]),
    OpSample("diff_prepend_append", lambda t, a, p, q: t.diff(a, 1, 1, p, q),
             [[(3, 4), (3, 2), (3, 1)]]),
    OpSample("diff_bool", lambda t, a: t.diff(a), [[Arr((6,), dtype="bool")]], grad=False),
    OpSample("diff_n_large", lambda t, a: t.diff(a, n=5), [[(3,)]]),
    OpSample("addr", lambda t, a, b, c: t.addr(a, b, c, beta=0.5, alpha=2.0),
             [[(3, 4), (3,), (4,)], [(4,), (3,), (4,)]]),
    OpSample("addr_beta0", lambda t, a, b, c: t.addr(a, b, c, beta=0), [[(3, 4), (3,), (4,)]]),
    OpSample("addbmm", lambda t, a, b, c: t.addbmm(a, b, c, beta=0.5, alpha=2.0),
             [[(3, 4), (2, 3, 5), (2, 5, 4)], [(4,), (2, 3, 5), (2, 5, 4)]]),
    OpSample("addr_", lambda t, a, b, c: a.clone().addr_(b, c), [[(3, 4), (3,), (4,)]]),
    OpSample("addbmm_", lambda t, a, b, c: a.clone().addbmm_(b, c, alpha=0.5),
             [[(3, 4), (2, 3, 5), (2, 5, 4)]]),
    OpSample("renorm", lambda t, a: t.renorm(a * 2, 2, 0, 1.0), [[(3, 4)], [(2, 3, 4)]]),
    OpSample("renorm_p1_dim1", lambda t, a: a.renorm(1, 1, 0.5), [[(3, 4)]]),
    # the in-place tail: one mechanism, sampled across its kinds
    OpSample("acos_", _inplace("acos_"), [[Arr((3, 4), -0.9, 0.9)]]),
    OpSample("arcsinh_", _inplace("arcsinh_"), U[:2], grad=False),   # torch: no derivative
    OpSample("tan_", _inplace("tan_"), [[Arr((3, 4), -1, 1)]]),
    OpSample("erfinv_", _inplace("erfinv_"), [[Arr((3, 4), -0.9, 0.9)]]),
    OpSample("lgamma_", _inplace("lgamma_"), [[Arr((3, 4), 0.5, 3)]]),
    OpSample("polygamma_", _inplace("polygamma_", 1), [[Arr((3, 4), 0.5, 3)]], gradgrad=False),
    OpSample("xlogy_", lambda t, a, b: a.clone().xlogy_(b), [[(3, 4), Arr((4,), 0.5, 2)]]),
    OpSample("logit_", _inplace("logit_", 1e-3), [[Arr((3, 4), 0.1, 0.9)]]),
    OpSample("sinc_", _inplace("sinc_"), U[:2]),
    OpSample("deg2rad_", _inplace("deg2rad_"), U[:2]),
    OpSample("hypot_", lambda t, a, b: a.clone().hypot_(b), B[:2]),
    OpSample("subtract_alpha_", lambda t, a, b: a.clone().subtract_(b, alpha=2), B[:2]),
    OpSample("divide_floor_", lambda t, a, b: a.clone().divide_(b, rounding_mode="floor"),
             B[:2], grad=False),
    OpSample("logical_and_", lambda t, a, b: a.clone().logical_and_(b), B[:2], grad=False),
    OpSample("less_equal_", lambda t, a, b: a.clone().less_equal_(b), B[:2], grad=False),
    OpSample("tril_", lambda t, a: a.clone().tril_(-1), [[(4, 4)], [(2, 3, 4)]]),
    OpSample("triu_", lambda t, a: a.clone().triu_(1), [[(4, 4)]]),
    OpSample("t_", lambda t, a: a.clone().t_() * 1, [[(3, 4)], [(3,)]]),
    OpSample("transpose_", lambda t, a: a.clone().transpose_(0, 2) * 1, [[(2, 3, 4)]]),
    OpSample("swapaxes_", lambda t, a: a.clone().swapaxes_(0, 1) * 1, [[(2, 3)]]),
    OpSample("squeeze_", lambda t, a: a.clone().squeeze_() * 1, [[(1, 3, 1)]]),
    OpSample("unsqueeze_", lambda t, a: a.clone().unsqueeze_(1) * 1, [[(2, 3)]]),
    OpSample("torch_sin_", lambda t, a: t.sin_(a.clone()), U[:2]),
    OpSample("torch_arctan_", lambda t, a: t.arctan_(a.clone()), U[:2]),
    OpSample("torch_fix_", lambda t, a: t.fix_(a.clone() * 3), U[:2]),
    OpSample("float_power_", lambda t, a: a.clone().double().float_power_(2), U[:2]),
    OpSample("aliases", lambda t, a: (t.arccos(a), a.arcsin(), t.arctanh(a), a.arccosh() * 0 + 1
                                      if False else a.arctan()),
             [[Arr((3, 4), -0.9, 0.9)]]),
    OpSample("special_methods", lambda t, a: (a.erfc(), a.digamma(), a.i0(), a.sinc(),
                                              a.mvlgamma(2)), [[Arr((3, 4), 1.0, 3.0)]],
             gradgrad=False),
    OpSample("igamma", lambda t, a, b: (a.igamma(b), a.igammac(b)),
             [[Arr((3, 4), 0.5, 3.0), Arr((3, 4), 0.5, 3.0)]], grad=False),
]
