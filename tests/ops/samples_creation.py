"""Table entries for ember.ops.creation: zeros/ones/full/empty (and their *_like forms),
eye, arange, linspace, logspace, and the creation ops that take a tensor (tril/triu are in
samples_shape). Ops without tensor inputs have cases of Const arguments only and no
gradient columns; uninitialised results (empty, empty_like) are compared through
``zero_()`` so only shape, dtype and layout count. linspace's bit-for-bit agreement and
arange's/eye's errors stay in tests/test_creation.py.
"""
from ops.table import OpSample, Const


def _dtype(name):
    return Const(lambda lib: None if name is None else getattr(lib, name))


def _no_grad(name, fn, cases, **kw):
    return OpSample(name, fn, cases, grad=False, gradcheck=False, gradgrad=False, **kw)


_ARANGE = [(5,), (1, 5), (0, 10, 3), (5, 0, -1), (-3, 4, 2), (5.0,), (0, 1, 0.1), (1, 2, 0.3),
           (0, -3, -0.5), (-1.5, 2.5, 0.5), (0, 1, 1 / 3), (1, 2.5), (0, 0.3, 0.1), (0, 1.5, 0.5),
           (2.7, 9.1, 0.7), (0, 5, 1.5), (10 ** 10, 10 ** 10 + 3), (3, 3), (0, 1e-3, 1e-4),
           (-7.3, 10, 0.3)]
_DTYPES = (None, "float64", "int64", "int32")

SAMPLES = [
    _no_grad("zeros_ones_full", lambda lib, s, d: (
        lib.zeros(s, dtype=d), lib.ones(*s, dtype=d) if s else lib.ones(s, dtype=d), lib.full(s, 3, dtype=d),
        lib.full(s, 2.5), lib.full(s, True), lib.empty(s, dtype=d).zero_()),
        [[Const(s), _dtype(d)] for s in ((2, 3), (0,), (), (1, 0, 2))
         for d in (None, "float64", "int64", "bool")]),
    OpSample("like_creation", lambda lib, x: (
        lib.zeros_like(x), lib.ones_like(x), lib.full_like(x, 7), lib.empty_like(x).zero_(),
        lib.zeros_like(x, dtype=lib.int64), lib.full_like(x, 1.5, dtype=lib.float64)),
        [[(2, 3)], [(0, 4)], [()]], grad=False, gradcheck=False, gradgrad=False),
    _no_grad("eye", lambda lib, a, d: lib.eye(*a, dtype=d),
             [[Const(a), _dtype(d)] for a, d in (((3,), None), ((2, 4), None), ((4, 2), None),
                                                 ((0,), None), ((3,), "int64"), ((2, 3), "bool"))]),
    # lengths and dtypes exactly; values within a float32 ulp near zero (PyTorch's AVX
    # kernel adds the step to a vector base, ember computes start + i * step in double).
    # An integer dtype with |step| < 1 truncates the step to 0: torch 2.14 fills the
    # length computed from the float bounds with int(start).
    _no_grad("arange", lambda lib, a, d: lib.arange(*a, dtype=d),
             [[Const(a), _dtype(d)] for a in _ARANGE for d in _DTYPES], rtol=1e-6, atol=1e-6),
    _no_grad("linspace", lambda lib, a, d: lib.linspace(*a, dtype=d),
             [[Const(a), _dtype(d)] for a in ((0, 1, 5), (-2, 3.5, 8), (3, -1, 1), (0, 1, 0))
              for d in (None, "float64")]),
    _no_grad("logspace", lambda lib, a, b: lib.logspace(*a, base=b),
             [[Const(a), Const(b)] for a in ((0, 2, 3), (0, 1, 5), (-1, 2.5, 10), (0, 1, 1),
                                             (0.5, -4, 7)) for b in (10.0, 2.0, 3.5)],
             rtol=0, atol=0),
    _no_grad("logspace_float64", lambda lib, a, b: lib.logspace(*a, base=b, dtype=lib.float64),
             [[Const(a), Const(b)] for a in ((0, 2, 3), (0, 1, 5), (-1, 2.5, 10), (0, 1, 1),
                                             (0.5, -4, 7)) for b in (10.0, 2.0, 3.5)],
             rtol=1e-15, atol=0),   # pow may differ in the last bit
]
