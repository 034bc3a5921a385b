"""Table entries for nn.CrossMapLRN2d and F.fractional_max_pool2d/3d (moved from the
private parity tests of tests/nn/test_nn_tail_nn_autograd.py and
tests/nn/test_fractional_pool.py). The fractional pools take their ``_random_samples`` as
an input (uniform [0, 1), same dtype as x), so both libraries pick the same windows;
outputs and indices are compared."""
from ops.table import OpSample, Arr


def _lrn(size):
    return lambda t, x: t.nn.CrossMapLRN2d(size, 1e-1, 0.75, 2.0)(x)


def _frac(n, k, **kw):
    def run(t, x, u):
        f = getattr(t.nn.functional, f"fractional_max_pool{n}d")
        out, idx = f(x, k, return_indices=True, _random_samples=u, **kw)
        with_idx = getattr(t.nn.functional, f"fractional_max_pool{n}d_with_indices")(
            x, k, _random_samples=u, **kw)
        return out, idx, with_idx[1]
    return run


def _u(batch, channels, n):
    return Arr((batch, channels, n), 0.0, 1.0, grad=False)


SAMPLES = [
    OpSample(f"cross_map_lrn2d_size{s}", _lrn(s), [[(2, 7, 3, 3)], [(1, 4, 2, 5)]],
             rtol=1e-4, atol=1e-5, grad=False)
    for s in (1, 3, 4, 8)       # (torch's CrossMapLRN2d backward fails on these shapes;
                                #  ember's gradcheck stays in tests/nn/test_nn_tail_nn_autograd)
] + [
    OpSample("fractional_max_pool2d_size", _frac(2, (2, 3), output_size=(4, 5)),
             [[Arr((2, 3, 7, 9), kind="distinct"), _u(2, 3, 2)]]),
    OpSample("fractional_max_pool2d_unbatched", _frac(2, 3, output_size=1),
             [[Arr((3, 8, 8), kind="distinct"), _u(1, 3, 2)]]),
    OpSample("fractional_max_pool2d_ratio", _frac(2, 2, output_ratio=(0.5, 0.7)),
             [[Arr((1, 2, 10, 6), kind="distinct"), _u(1, 2, 2)]]),
    OpSample("fractional_max_pool3d_size", _frac(3, (2, 3, 2), output_size=(3, 4, 2)),
             [[Arr((2, 2, 6, 7, 5), kind="distinct"), _u(2, 2, 3)]]),
    OpSample("fractional_max_pool3d_unbatched_ratio", _frac(3, 2, output_ratio=(0.5, 0.5, 0.6)),
             [[Arr((2, 5, 6, 7), kind="distinct"), _u(1, 2, 3)]]),
]
