"""Table entries for ember.ops.reduction (broadcasting does not apply to reductions).

Sort-like ops (max/min with dim, sort, topk, median, kthvalue) get distinct values so that
the returned indices and the gradient's destination are unambiguous.
"""
from ops.table import OpSample, Arr, Const


def D(shape):
    """Distinct values: no ties for sort-like ops."""
    return Arr(shape, kind="distinct")


def P(shape, low=0.5, high=1.5):
    return Arr(shape, low, high)


def I(shape, low=-5, high=6, dtype="int64"):  # noqa: E743  (integer samples, as F() floats)
    return Arr(shape, low, high, dtype)


# (shape,) cases: plain, 0-d, 3-d, empty
ALL = [[(3, 4)], [()], [(2, 3, 4)], [(0, 3)]]
DIM = [[(3, 4)], [(2, 3, 4)], [(0, 3)]]
DIST = [[D((3, 4))], [D(())], [D((2, 3, 5))]]


def _flat(*outs):
    """Nested result tuples (return types) as one flat tuple, so every output is checked."""
    flat = []
    for o in outs:
        flat.extend(_flat(*o) if isinstance(o, tuple) else (o,))
    return tuple(flat)


def _ints(a):
    """Distinct float inputs in [-1, 1) as distinct int64 values (spacing > 1)."""
    return (a * 100).long()


def _zero_mask(lib):
    return lib.tensor([[1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]])


SAMPLES = [
    # -- sum / mean / nansum / nanmean / prod ---------------------------------------------
    OpSample("sum", lambda t, a: t.sum(a), ALL),
    OpSample("sum_dim", lambda t, a: a.sum(1), DIM),
    OpSample("sum_dim_keepdim", lambda t, a: t.sum(a, -1, keepdim=True), DIM + [[()]]),
    OpSample("sum_dims_tuple", lambda t, a: t.sum(a, (0, 2)), [[(2, 3, 4)]]),
    OpSample("sum_dims_list_keepdim", lambda t, a: a.sum([-1, 0], keepdim=True),
             [[(2, 3, 4)], [(0, 3)]]),
    OpSample("sum_keepdim_all", lambda t, a: t.sum(a, dim=None, keepdim=True), [[(2, 3)]]),
    OpSample("sum_empty_dims", lambda t, a: a.sum(()), [[(2, 3)]]),
    OpSample("sum_0d_dim", lambda t, a: _flat(a.sum(0), a.sum(-1, keepdim=True)), [[()]]),
    OpSample("sum_dtype_float64", lambda t, a: t.sum(a, 1, dtype=t.float64), [[(3, 4)]]),
    OpSample("sum_int_to_int64", lambda t, a: _flat(a.sum(), a.sum(0), t.sum(a, dtype=t.float32)),
             [[I((3, 4), dtype="int32")], [I((3, 4), 0, 9, "uint8")]], grad=False),
    OpSample("sum_bool", lambda t, a: _flat(a.sum(), a.sum(1)), [[Arr((3, 4), dtype="bool")]],
             grad=False),
    OpSample("sum_half", lambda t, a: _flat(a.half().sum(1), a.bfloat16().sum(), a.half().sum()),
             [[(8, 50)]], rtol=1e-2, atol=1e-2, gradcheck=False),
    OpSample("mean", lambda t, a: t.mean(a), ALL),
    OpSample("mean_dim", lambda t, a: a.mean(0), DIM),
    OpSample("mean_dims_keepdim", lambda t, a: t.mean(a, (-1, 1), keepdim=True), [[(2, 3, 4)]]),
    OpSample("mean_0d_dim", lambda t, a: a.mean(0), [[()]]),
    OpSample("mean_dtype", lambda t, a: t.mean(a, 1, dtype=t.float64), [[(3, 4)]]),
    OpSample("mean_int_with_dtype", lambda t, a: t.mean(a, dtype=t.float32), [[I((3, 4))]],
             grad=False),
    OpSample("mean_half", lambda t, a: _flat(a.half().mean(), a.bfloat16().mean(0)), [[(8, 50)]],
             rtol=1e-2, atol=1e-2, gradcheck=False),
    OpSample("nansum", lambda t, a: _flat(t.nansum(t.log(a)), t.log(a).nansum(1, keepdim=True)),
             [[(3, 4)], [(2, 0)]]),
    OpSample("nansum_int", lambda t, a: t.nansum(a, 0), [[I((3, 4))]], grad=False),
    OpSample("nanmean", lambda t, a: _flat(t.nanmean(t.log(a)), t.log(a).nanmean(0)), [[(4, 5)]]),
    OpSample("prod", lambda t, a: t.prod(a), [[(3, 4)], [()], [(0, 3)], [P((2, 3, 4))]]),
    OpSample("prod_dim", lambda t, a: _flat(a.prod(1), t.prod(a, -1, keepdim=True)),
             [[(3, 4)], [(0, 3)], [P((2, 3, 4))]]),
    OpSample("prod_0d_dim", lambda t, a: a.prod(0), [[()]]),
    OpSample("prod_with_zeros", lambda t, a, m: _flat(t.prod(a * m, 1), (a * m).prod()),
             [[(3, 4), Const(_zero_mask)]]),
    OpSample("prod_int", lambda t, a: _flat(a.prod(), a.prod(0), t.prod(a, 1, dtype=t.float64)),
             [[I((3, 4), -3, 4)], [Arr((3, 4), dtype="bool")]], grad=False),
    # -- max / min / amax / amin / aminmax / argmax / argmin ------------------------------
    OpSample("max", lambda t, a: t.max(a), DIST),
    OpSample("min", lambda t, a: a.min(), DIST),
    OpSample("max_dim", lambda t, a: t.max(a, 1),
             [DIST[0], DIST[2], [Arr((0, 3), kind="distinct")]]),
    OpSample("max_dim_keepdim", lambda t, a: a.max(-1, keepdim=True), DIST),
    OpSample("max_dim_0d", lambda t, a: _flat(t.max(a, 0), a.max(-1, True)), [[()]]),
    OpSample("min_dim", lambda t, a: t.min(a, dim=0), DIST),
    OpSample("min_dim_keepdim", lambda t, a: t.min(a, 0, True), DIST),
    OpSample("max_binary", lambda t, a, b: _flat(t.max(a, b), a.min(b)), [[(3, 4), (4,)]]),
    OpSample("max_int", lambda t, a: _flat(_ints(a).max(), _ints(a).max(1), _ints(a).amin(0)),
             [[D((3, 4))]], grad=False),
    OpSample("amax", lambda t, a: _flat(t.amax(a), t.amin(a)), DIST),
    OpSample("amax_dims", lambda t, a: _flat(t.amax(a, (0, 2)), a.amin([-1, 1], keepdim=True)),
             [[D((2, 3, 5))]]),
    OpSample("amax_dim", lambda t, a: _flat(t.amax(a, 1), t.amin(a, -1, True)),
             DIST[:1] + [[(0, 3)]]),
    OpSample("aminmax", lambda t, a: _flat(t.aminmax(a), t.aminmax(a, dim=1),
                                     a.aminmax(dim=0, keepdim=True)), [[D((3, 4))]]),
    OpSample("argmax", lambda t, a: _flat(t.argmax(a), a.argmin(), t.argmax(a, 1),
                                        a.argmin(-1, True),
                                     t.argmax(a, keepdim=True)),
             [[D((3, 4))], [D((2, 3, 5))]], grad=False),
    OpSample("argmax_0d", lambda t, a: _flat(t.argmax(a), a.argmin(0), t.argmax(a, -1, True)),
             [[()]], grad=False),
    OpSample("argmax_empty_other_dim", lambda t, a: _flat(t.argmax(a, 1), t.argmin(a, 1, True)),
             [[(0, 3)]], grad=False),
    OpSample("argmax_int_half", lambda t, a: _flat(t.argmax(_ints(a), 0), a.half().argmax(1),
                                              a.bfloat16().argmin()),
             [[D((3, 4))]], grad=False),
    # -- var / std / var_mean / std_mean ----------------------------------------------------
    OpSample("var", lambda t, a: _flat(t.var(a), a.std()), [[(3, 4)], [(2, 3, 4)]], rtol=1e-4),
    OpSample("var_dim", lambda t, a: _flat(t.var(a, 1), t.std(a, 0, keepdim=True)),
             [[(3, 4)], [(2, 3, 4)]], rtol=1e-4),
    OpSample("var_unbiased", lambda t, a: _flat(t.var(a, 1, False), a.std(unbiased=False),
                                           t.var(a, False), t.std(a, 1, True, True)),
             [[(3, 4)]], rtol=1e-4),
    OpSample("var_correction", lambda t, a: _flat(t.var(a, correction=0), t.std(a, 1, correction=2),
                                             a.var((0, 2), keepdim=True, correction=0.5)),
             [[(2, 3, 4)]], rtol=1e-4),
    OpSample("var_0d", lambda t, a: _flat(t.var(a, correction=0), t.std(a, 0, correction=0)),
             [[()]], rtol=1e-4, gradgrad=False),   # std at 0: nan 2nd derivative (torch too)
    OpSample("var_empty_dim", lambda t, a: _flat(t.var(a, 1), t.std(a, 1, keepdim=True)),
             [[(0, 3)]]),
    OpSample("var_mean", lambda t, a: _flat(t.var_mean(a), t.std_mean(a, 1),
                                       t.var_mean(a, (0,), keepdim=True, correction=0)),
             [[(3, 4)]], rtol=1e-4),
    OpSample("var_half", lambda t, a: _flat(a.half().var(1), a.bfloat16().std()), [[(8, 50)]],
             rtol=2e-2, atol=2e-2, gradcheck=False),
    # -- norm ----------------------------------------------------------------------------------
    OpSample("norm", lambda t, a: t.norm(a), [[(3, 4)], [()], [(0, 3)], [(2, 3, 4)]], rtol=1e-4),
    OpSample("norm_p", lambda t, a: _flat(t.norm(a, 1), a.norm(3), t.norm(a, 0.5), t.norm(a, -1.5),
                                     t.norm(a, float("inf")), t.norm(a, float("-inf")),
                                     t.norm(a, 0)),
             [[(3, 4)], [()]], rtol=1e-4),
    OpSample("norm_dim", lambda t, a: _flat(t.norm(a, dim=1), t.norm(a, 2, -1, keepdim=True),
                                       t.norm(a, 1, (0, 2)), t.norm(a, float("inf"), 0),
                                       t.norm(a, 3, 1, True)),
             [[(2, 3, 4)]], rtol=1e-4),
    OpSample("norm_fro", lambda t, a: _flat(t.norm(a, "fro"), t.norm(a, "fro", dim=(0, 1)),
                                       t.norm(a, p="fro", dim=1, keepdim=True)),
             [[(3, 4)]], rtol=1e-4),
    OpSample("norm_dtype", lambda t, a: t.norm(a, dim=1, dtype=t.float64), [[(3, 4)]]),
    OpSample("norm_empty_dim", lambda t, a: _flat(t.norm(a, dim=1), t.norm(a, float("inf"), dim=1)),
             [[(0, 3)]]),
    OpSample("norm_with_zero_rows",
             lambda t, a, m: _flat(t.norm(a * m, dim=0), t.norm(a * m, 3, 0)),
             [[(3, 4), Const(lambda lib: lib.tensor([1.0, 1.0, 0.0, 1.0]))]], rtol=1e-4,
             gradgrad=False),      # the norm's gradient is not differentiable at 0 (torch too)
    OpSample("norm_half", lambda t, a: _flat(a.half().norm(), a.bfloat16().norm(dim=1)),
             [[(8, 50)]],
             rtol=2e-2, atol=2e-2, gradcheck=False),
    # -- logsumexp ---------------------------------------------------------------------------
    OpSample("logsumexp", lambda t, a: _flat(t.logsumexp(a, 1), a.logsumexp(-1, keepdim=True)),
             [[(3, 4)], [(2, 3, 4)], [(0, 3)]], rtol=1e-4),
    OpSample("logsumexp_dims",
             lambda t, a: _flat(t.logsumexp(a, (0, 2)), t.logsumexp(a, [1], True)),
             [[(2, 3, 4)]], rtol=1e-4),
    OpSample("logsumexp_large", lambda t, a: t.logsumexp(a * 200, 1), [[(3, 4)]], rtol=1e-4),
    OpSample("logsumexp_0d", lambda t, a: t.logsumexp(a, 0), [[()]]),
    OpSample("logsumexp_empty_dim", lambda t, a: t.logsumexp(a, 0), [[(0, 3)]]),
    OpSample("logsumexp_int", lambda t, a: t.logsumexp(a, 1), [[I((3, 4))]], grad=False,
             rtol=1e-4),
    OpSample("logsumexp_half", lambda t, a: a.half().logsumexp(1), [[(8, 50)]], rtol=1e-2,
             atol=1e-2, gradcheck=False),
    # -- cumsum / cumprod ----------------------------------------------------------------------
    OpSample("cumsum", lambda t, a: _flat(t.cumsum(a, 0), a.cumsum(-1)),
             [[(3, 4)], [(2, 3, 4)], [(0, 3)]],
             rtol=1e-4),
    OpSample("cumsum_0d", lambda t, a: t.cumsum(a, 0), [[()]]),
    OpSample("cumsum_dtype", lambda t, a: t.cumsum(a, 1, dtype=t.float64), [[(3, 4)]]),
    OpSample("cumsum_int", lambda t, a: _flat(a.cumsum(0), t.cumsum(a, 1, dtype=t.int32),
                                         t.cumprod(a, 1)),
             [[I((3, 4), -3, 4)], [I((3, 4), 0, 4, "uint8")], [Arr((3, 4), dtype="bool")]],
             grad=False),
    OpSample("cumsum_half", lambda t, a: a.half().cumsum(1), [[(4, 50)]], rtol=1e-2, atol=5e-2,
             gradcheck=False),
    OpSample("cumprod", lambda t, a: _flat(t.cumprod(a, 1), a.cumprod(0)),
             [[(3, 4)], [P((2, 3, 4))], [(0, 3)]], rtol=1e-4),
    OpSample("cumprod_0d", lambda t, a: t.cumprod(a, -1), [[()]]),
    OpSample("cumprod_dtype", lambda t, a: t.cumprod(a, 0, dtype=t.float64), [[(3, 4)]]),
    OpSample("cumprod_with_zeros", lambda t, a, m: _flat(t.cumprod(a * m, 1), t.cumprod(a * m, 0)),
             [[(3, 4), Const(_zero_mask)]], rtol=1e-4),
    # -- all / any / count_nonzero ----------------------------------------------------------
    OpSample("all_any", lambda t, a: _flat(t.all(a), a.any(), t.all(a, 1), a.any(0, keepdim=True),
                                      t.all(a, (0, 1)), a.any(()), t.all(a, -1, True)),
             [[Arr((3, 4), dtype="bool")], [(3, 4)], [I((3, 4), 0, 2)], [I((3, 4), 0, 2, "uint8")],
              [Arr((0, 3), dtype="bool")]], grad=False),
    OpSample("all_any_0d", lambda t, a: _flat(t.all(a), t.any(a, 0), a.all(-1, True), t.any(a > 0),
                                         (a > 0).all(0)), [[()]], grad=False),
    OpSample("count_nonzero", lambda t, a: _flat(t.count_nonzero(a), t.count_nonzero(a, 0),
                                            a.count_nonzero((0, 1)), a.count_nonzero(())),
             [[I((3, 4), 0, 3)], [Arr((3, 4), dtype="bool")], [I((0, 3))]], grad=False),
    # -- median / mode / kthvalue --------------------------------------------------------------
    OpSample("median", lambda t, a: t.median(a), DIST + [[D((4, 4))]]),
    OpSample("median_dim", lambda t, a: _flat(t.median(a, 1), a.median(0, keepdim=True)),
             [[D((3, 4))], [D((5, 3))], [D((2, 3, 5))]]),
    OpSample("median_dim_0d", lambda t, a: t.median(a, 0), [[()]]),
    OpSample("median_int", lambda t, a: _flat(t.median(_ints(a)), _ints(a).median(1)),
             [[D((3, 5))]],
             grad=False),
    OpSample("median_empty", lambda t, a: _flat(t.median(a), t.median(a, 1)), [[(0, 3)]],
             grad=False),
    OpSample("mode", lambda t, a: _flat(t.mode(a), a.mode(0, keepdim=True)), [[I((4, 9), 0, 3)]],
             grad=False),
    OpSample("mode_float", lambda t, a: _flat(t.mode(t.round(a * 2), 1), t.mode(a, 0)), [[(6, 5)]]),
    OpSample("kthvalue", lambda t, a: _flat(t.kthvalue(a, 2), a.kthvalue(1, 0, keepdim=True),
                                       t.kthvalue(a, 3, dim=-1)), [[D((3, 4))], [D((2, 3, 5))]]),
    OpSample("kthvalue_0d", lambda t, a: t.kthvalue(a, 1), [[()]]),
    # -- sort / argsort / msort / topk ---------------------------------------------------------
    OpSample("sort", lambda t, a: _flat(t.sort(a), a.sort(0, descending=True)),
             [[D((3, 4))], [D((2, 3, 5))], [Arr((0, 3), kind="distinct")]]),
    OpSample("sort_0d", lambda t, a: _flat(t.sort(a), t.sort(a, 0, True)), [[()]]),
    OpSample("sort_stable_ties", lambda t, a: _flat(t.sort(a, stable=True),
                                               t.sort(a, dim=0, descending=True, stable=True),
                                               t.argsort(a, dim=1, stable=True),
                                               t.argsort(a, dim=0, descending=True, stable=True)),
             [[I((4, 9), 0, 3)], [Arr((4, 9), dtype="bool")]], grad=False),
    OpSample("sort_ties_float_values", lambda t, a: _flat(t.sort(t.round(a * 2), 1).values,
                                                     t.sort(t.round(a), descending=True).values),
             [[(4, 9)]], grad=False),
    OpSample("argsort", lambda t, a: _flat(t.argsort(a), a.argsort(0, descending=True)),
             [[D((3, 4))], [D((2, 3, 5))]], grad=False),
    OpSample("msort", lambda t, a: t.msort(a), [[D((3, 4))], [D(())]]),
    OpSample("topk", lambda t, a: _flat(t.topk(a, 2), a.topk(1, 0), t.topk(a, 3, largest=False),
                                   t.topk(a, k=2, dim=0, largest=True, sorted=True)),
             [[D((3, 4))], [D((4, 3, 5))]]),
    OpSample("topk_k0_and_all", lambda t, a: _flat(t.topk(a, 0), t.topk(a, 4, largest=False)),
             [[D((3, 4))]]),
    OpSample("topk_0d", lambda t, a: _flat(t.topk(a, 1), t.topk(a, 0)), [[()]]),
    OpSample("topk_int", lambda t, a: _flat(t.topk(_ints(a), 2, 1), t.sort(_ints(a).int(), 0)),
             [[D((3, 5))]], grad=False),
]
