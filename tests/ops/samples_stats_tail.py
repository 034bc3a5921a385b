"""Table entries for the statistics/search tail (issue 17): ops/histograms.py,
searching.py, set_ops.py, combinatorics.py, quantiles.py, covariance.py, integration.py,
predicates.py and cdist/dist of distance.py."""
from ops.table import OpSample, Arr, Const


def _ints(shape, low=0, high=6):
    return Arr(shape, low, high, dtype="int64")


def _sorted(shape):
    return Arr(shape, -2, 2, kind="distinct", grad=False)


def _t(values, **kw):
    return Const(lambda lib: lib.tensor(values, **kw))


NAN = float("nan")
MODES = ("linear", "lower", "higher", "midpoint", "nearest")

SAMPLES = [
    # histograms
    OpSample("histc", lambda t, a: t.histc(a, bins=7, min=-1, max=1), [[(20,)], [(0,)], [(3, 4)]],
             grad=False),
    OpSample("histc_auto_range", lambda t, a: a.histc(5), [[(20,)], [Arr((4,), 1, 1)]], grad=False),
    OpSample("histogram_int", lambda t, a: t.histogram(a, 4), [[(20,)]], grad=False),
    OpSample("histogram_range_weight_density",
             lambda t, a, w: t.histogram(a, 5, range=(-1.0, 2.0), weight=w, density=True),
             [[(20,), Arr((20,), 0, 1)]], grad=False),
    OpSample("histogram_edges", lambda t, a: t.histogram(a, t.tensor([-1.0, 0.0, 0.5, 2.0])),
             [[(30,)]], grad=False),
    OpSample("bincount", lambda t, a: t.bincount(a), [[_ints((10,))], [_ints((0,))]], grad=False),
    OpSample("bincount_weights_minlength", lambda t, a, w: a.bincount(w, minlength=9),
             [[_ints((10,)), (10,)]], grad=False),
    # search
    OpSample("searchsorted", lambda t, s, v: t.searchsorted(t.sort(s).values, v),
             [[_sorted((6,)), (3, 4)], [_sorted((6,)), ()]], grad=False),
    OpSample("searchsorted_batched_right",
             lambda t, s, v: t.searchsorted(t.sort(s).values, v, right=True, out_int32=True),
             [[_sorted((2, 6)), (2, 3)]], grad=False),
    OpSample("searchsorted_side_sorter",
             lambda t, s, v: t.searchsorted(s, v, side="right", sorter=t.argsort(s)),
             [[_sorted((7,)), (4,)]], grad=False),
    OpSample("searchsorted_scalar_ties", lambda t: (t.searchsorted(t.tensor([1, 3, 3, 5]), 3),
                                                    t.searchsorted(t.tensor([1, 3, 3, 5]), 3,
                                                                   right=True)), [[]]),
    OpSample("bucketize", lambda t, v: (t.bucketize(v, t.tensor([-1.0, 0.0, 1.0])),
                                        t.bucketize(v, t.tensor([-1.0, 0.0, 1.0]), right=True)),
             [[(3, 4)], [()], [_t([-1.0, 0.0, 1.0])]], grad=False),
    # sets
    OpSample("isin", lambda t, a, b: (t.isin(a, b), t.isin(a, b, invert=True), t.isin(a, 2),
                                      t.isin(3, b)), [[_ints((3, 4)), _ints((5,))]], grad=False),
    OpSample("unique", lambda t, a: t.unique(a, return_inverse=True, return_counts=True),
             [[_ints((3, 4))], [_ints((0,))], [_ints(())]], grad=False),
    OpSample("unique_dim", lambda t, a: a.unique(dim=1, return_inverse=True, return_counts=True),
             [[_ints((2, 6), 0, 2)]], grad=False),
    OpSample("unique_consecutive", lambda t, a: t.unique_consecutive(
        a, return_inverse=True, return_counts=True), [[_ints((12,), 0, 3)], [_ints((0,))]],
             grad=False),
    OpSample("unique_consecutive_dim", lambda t, a: a.unique_consecutive(dim=0,
                                                                         return_counts=True),
             [[_t([[1, 2], [1, 2], [3, 4], [1, 2]])]], grad=False),
    # combinatorics
    OpSample("meshgrid_ij", lambda t, a, b: t.meshgrid(a, b, indexing="ij"), [[(3,), (4,)],
                                                                            [(), (2,)]]),
    OpSample("meshgrid_xy", lambda t, a, b, c: t.meshgrid([a, b, c], indexing="xy"),
             [[(3,), (4,), (2,)]], gradgrad=False),
    OpSample("cartesian_prod", lambda t, a, b: t.cartesian_prod(a, b), [[(3,), (2,)]]),
    OpSample("cartesian_prod_one", lambda t, a: t.cartesian_prod(a), [[(3,)]]),
    OpSample("combinations", lambda t, a: (t.combinations(a), t.combinations(a, 3)), [[(4,)]]),
    OpSample("combinations_replacement", lambda t, a: t.combinations(a, 2, with_replacement=True),
             [[(3,)]]),
    OpSample("combinations_empty", lambda t, a: (t.combinations(a, 4), t.combinations(a, 0)),
             [[(3,)]], grad=False),
    OpSample("block_diag", lambda t, a, b, c: t.block_diag(a, b, c), [[(), (2,), (2, 3)]]),
    OpSample("block_diag_promote", lambda t, a: t.block_diag(a, t.tensor([[1, 2]])), [[(2, 2)]]),
    OpSample("diagflat", lambda t, a: (t.diagflat(a), a.diagflat(-1)), [[(2, 2)], [(3,)]]),
    # (torch's own vander backward raises an in-place error: forward parity only)
    OpSample("vander", lambda t, a: (t.vander(a), t.vander(a, 4, increasing=True)), [[(3,)]],
             grad=False),
    OpSample("vander_int", lambda t, a: t.vander(a, 3), [[_ints((4,))]], grad=False),
    OpSample("rot90", lambda t, a: (t.rot90(a), a.rot90(2), t.rot90(a, -1, [1, 0]),
                                    t.rot90(a, 3, (0, 2)), t.rot90(a, 4)), [[(2, 3, 4)]]),
    OpSample("tril_triu_indices", lambda t: (t.tril_indices(3, 4, 1), t.triu_indices(3, 2, -1),
                                             t.tril_indices(0, 3), t.triu_indices(4, 4,
                                                                                  dtype=t.int32)),
             [[]]),
    OpSample("unravel_index", lambda t, a: t.unravel_index(a, (2, 3, 4)), [[_ints((5,), 0, 24)],
                                                                          [_ints((), 0, 24)]],
             grad=False),
    # quantiles
    *[OpSample(f"quantile_{m}", (lambda m: lambda t, a: (
        t.quantile(a, 0.3, dim=1, interpolation=m),
        t.quantile(a, t.tensor([0.0, 0.25, 1.0], dtype=a.dtype), dim=0, keepdim=True, interpolation=m),
        a.quantile(0.7, interpolation=m)))(m), [[Arr((4, 5), kind="distinct")]],
               gradgrad=m == "linear") for m in MODES],
    OpSample("quantile_nan", lambda t: t.quantile(t.tensor([[1.0, NAN, 3.0], [1.0, 2.0, 3.0]]),
                                                  0.5, dim=1), [[]]),
    OpSample("nanquantile", lambda t: (t.nanquantile(t.tensor([[1.0, NAN, 3.0], [NAN, NAN, NAN],
                                                               [4.0, 2.0, 3.0]]), 0.4, dim=1),
                                       t.nanquantile(t.tensor([1.0, NAN, 3.0, 5.0]),
                                                     t.tensor([0.1, 0.9]))), [[]]),
    OpSample("nanquantile_grad", lambda t, a: t.nanquantile(a, t.tensor([0.2, 0.8],
                                                                      dtype=a.dtype), 1),
             [[Arr((3, 5), kind="distinct")]]),
    OpSample("nanmedian", lambda t, a: (t.nanmedian(a), t.nanmedian(a, -1), a.nanmedian(0, True)),
             [[Arr((4, 5), kind="distinct")], [Arr((5,), kind="distinct")]]),
    OpSample("nanmedian_nan", lambda t: (t.nanmedian(t.tensor([[1.0, NAN, 3.0, 2.0],
                                                               [NAN, 5.0, NAN, 4.0]]), 1),
                                         t.nanmedian(t.tensor([NAN, 2.0, 1.0]))), [[]]),
    # covariance
    OpSample("cov", lambda t, a: (t.cov(a), a.cov(correction=0)), [[(3, 6)], [(6,)]]),
    OpSample("cov_weights", lambda t, a, fw, aw: t.cov(a, fweights=fw, aweights=aw),
             [[(3, 6), _ints((6,), 1, 4), Arr((6,), 0.2, 1.0)]]),
    OpSample("cov_int", lambda t, a: t.cov(a), [[_ints((2, 5))]], grad=False),
    OpSample("corrcoef", lambda t, a: (t.corrcoef(a), a.corrcoef()), [[(3, 6)], [(6,)]],
             gradgrad=False),
    # integration
    OpSample("trapezoid", lambda t, y: (t.trapezoid(y), t.trapezoid(y, dx=0.5, dim=0),
                                        t.trapz(y, dim=0)), [[(3, 5)], [(0,)]]),
    OpSample("trapezoid_x", lambda t, y, x: (t.trapezoid(y, x), t.trapz(y, x),
                                             t.cumulative_trapezoid(y, x)), [[(3, 5), (5,)],
                                                                             [(3, 5), (3, 5)]],
             gradgrad=False),
    OpSample("cumulative_trapezoid", lambda t, y: (t.cumulative_trapezoid(y),
                                                   t.cumulative_trapezoid(y, dx=2.0, dim=0)),
             [[(3, 5)]]),
    OpSample("trapezoid_int", lambda t, y: t.trapezoid(y), [[_ints((4,))]], grad=False),
    # distances
    OpSample("cdist", lambda t, a, b: (t.cdist(a, b), t.cdist(a, b, p=1.0),
                                       t.cdist(a, b, p=3.0, compute_mode="use_mm_for_euclid_dist")),
             [[(4, 3), (5, 3)], [(2, 3, 2), (2, 4, 2)], [(2, 3, 2), (4, 2)]], atol=1e-4,
             rtol=1e-4, gradgrad=False),   # (double backward: vector_norm's own samples)
    OpSample("cdist_inf_p0", lambda t, a, b: (t.cdist(a, b, p=float("inf")), t.cdist(a, b, p=0)),
             [[(4, 3), (5, 3)]], gradgrad=False),
    OpSample("dist", lambda t, a, b: (t.dist(a, b), a.dist(b, 1), t.dist(a, b, float("inf"))),
             [[(3, 4), (4,)]], gradgrad=False),
    OpSample("pairwise_distance_top", lambda t, a, b: t.pairwise_distance(a, b), [[(3, 4), (3, 4)]]),
    # predicates
    OpSample("isreal", lambda t, a: (t.isreal(a), a.isreal(), t.isreal(t.complex(a, a * 0))),
             [[(3,)]], grad=False),
    OpSample("resolve", lambda t, a: (t.resolve_conj(a), a.resolve_neg(), t.conj_physical(a),
                                      a.conj_physical()), [[(3,)]]),
]

_X5 = Const(lambda lib: lib.tensor([0.0, 1.0, 1.5, 3.5, 4.0], dtype=lib.float64))

SAMPLES += [
    # finite differences
    OpSample("gradient", lambda t, a: (t.gradient(a), t.gradient(a, spacing=2.0, dim=1),
                                       t.gradient(a, spacing=[0.5, 2.0], edge_order=2)),
             [[(4, 5)]], gradgrad=False),   # (linear in input: second derivative 0)
    OpSample("gradient_1d", lambda t, a: t.gradient(a, edge_order=2), [[(3,)]]),
    OpSample("gradient_coordinates", lambda t, a, x: (t.gradient(a, spacing=(x,), dim=1),
                                                      t.gradient(a, spacing=(x,), dim=1,
                                                                 edge_order=2)),
             [[(3, 5), _X5]], check_dtype=True),
    OpSample("gradient_int", lambda t, a: t.gradient(a), [[_ints((5,))]], grad=False),
    # fill_diagonal_, histogramdd, the deprecated norms, the linalg methods
    OpSample("fill_diagonal_", lambda t, a: (a.clone().fill_diagonal_(2.5),
                                             a.clone()[:2].fill_diagonal_(-1.0)), [[(3, 3)]],
             gradgrad=False),   # (the write through a view: CopySlices is once-differentiable)
    OpSample("fill_diagonal_wrap", lambda t, a: a.clone().fill_diagonal_(7.0, wrap=True),
             [[(7, 3)], [(2, 2, 2)]]),
    OpSample("histogramdd", lambda t, a, w: (t.histogramdd(a, [3, 4], weight=w),
                                             t.histogramdd(a, 2, range=[-1.0, 1.0, 0.0, 2.0],
                                                           density=True),
                                             t.histogramdd(a, [t.tensor([-1.0, 0.0, 1.0]),
                                                               t.tensor([-2.0, 2.0])])),
             [[(10, 2), Arr((10,), 0, 1)]], grad=False),
    OpSample("frobenius_nuclear_norm", lambda t, a: (t.frobenius_norm(a, dim=(0, 1)),
                                                     t.nuclear_norm(a)), [[(3, 4)]],
             gradgrad=False, atol=1e-4, rtol=1e-4),
    OpSample("triangular_solve_method", lambda t, b, a: b.triangular_solve(
        t.triu(a) + 3 * t.eye(3), upper=True), [[(3, 2), (3, 3)]], gradgrad=False, atol=1e-4,
             rtol=1e-4),
]
