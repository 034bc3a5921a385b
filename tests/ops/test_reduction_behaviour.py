"""Behaviour of ember.ops.reduction beyond the sample table: return types, result dtypes,
errors (types and messages vs PyTorch), tie-splitting gradients, gradients with zeros,
double backward, NaN propagation."""
import pickle
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close


def both(data, dtype="float32", requires_grad=False):
    """The same data as an ember tensor and (when installed) a torch tensor."""
    a = np.asarray(data, dtype=dtype)
    e = ember.tensor(a.copy(), requires_grad=requires_grad)
    t = torch.tensor(a.copy(), requires_grad=requires_grad) if torch is not None else None
    return e, t


# ---------------------------------------------------------------------------------------
# return types

@pytest.mark.parametrize("name,call", [
    ("max", lambda x: ember.max(x, 1)), ("min", lambda x: x.min(0)),
    ("sort", lambda x: x.sort()), ("topk", lambda x: ember.topk(x, 2)),
    ("median", lambda x: x.median(1)), ("mode", lambda x: ember.mode(x)),
    ("kthvalue", lambda x: x.kthvalue(1)),
])
def test_named_tuple_results(name, call):
    x = ember.tensor([[3.0, 1.0, 2.0], [0.5, 5.0, 4.0]])
    res = call(x)
    assert isinstance(res, tuple) and len(res) == 2
    assert type(res) is getattr(ember.return_types, name)
    values, indices = res
    assert res.values is values and res.indices is indices
    assert res[0] is values and res[1] is indices
    assert indices.dtype is ember.int64
    assert values.dtype is ember.float32
    assert repr(res).startswith(f"ember.return_types.{name}(\nvalues=tensor(")
    assert "\nindices=tensor(" in repr(res)


def test_aminmax_fields_and_module():
    x = ember.tensor([[3.0, 1.0], [0.5, 5.0]])
    r = ember.aminmax(x)
    assert type(r) is ember.return_types.aminmax
    assert r.min.item() == 0.5 and r.max.item() == 5.0
    r = x.aminmax(dim=1, keepdim=True)
    assert r.min.tolist() == [[1.0], [0.5]] and r.max.tolist() == [[3.0], [5.0]]
    import ember.return_types as rt
    assert rt.max is ember.return_types.max
    m = ember.return_types.max((1, 2))
    assert pickle.loads(pickle.dumps(m)) == m


def test_var_mean_are_plain_tuples():
    x = ember.randn(3, 4)
    v, m = ember.var_mean(x, 1)
    assert v.shape == (3,) and m.shape == (3,)
    s, m2 = ember.std_mean(x)
    assert s.shape == () and np.allclose(m2.item(), m.mean().item(), atol=1e-6)


def test_max_values_match_indices():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.permutation(24).reshape(2, 3, 4).astype("float32"))
    for dim in range(3):
        for fn in (ember.max, ember.min, ember.median):
            v, i = fn(x, dim, keepdim=True)
            assert v.equal(ember.tensor(np.take_along_axis(x.numpy(), i.numpy(), dim)))


def test_max_of_two_tensors_is_maximum():
    a, b = ember.tensor([1.0, 5.0]), ember.tensor([3.0, 2.0])
    assert ember.max(a, b).tolist() == [3.0, 5.0]
    assert a.min(b).tolist() == [1.0, 2.0]
    assert ember.max(a, other=b).tolist() == [3.0, 5.0]


# ---------------------------------------------------------------------------------------
# result dtypes

def test_result_dtypes():
    i32 = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    u8 = ember.tensor([1, 0, 3], dtype=ember.uint8)
    b = ember.tensor([True, False, True])
    h = ember.tensor([1.0, 2.0, 4.0], dtype=ember.float16)
    bf = ember.tensor([1.0, 2.0, 4.0], dtype=ember.bfloat16)
    assert i32.sum().dtype is ember.int64 and i32.sum(0).dtype is ember.int64
    assert u8.sum().dtype is ember.int64 and b.sum().dtype is ember.int64
    assert b.sum().item() == 2
    assert i32.prod().dtype is ember.int64 and b.prod().dtype is ember.int64
    assert i32.cumsum(0).dtype is ember.int64 and u8.cumprod(0).dtype is ember.int64
    assert ember.cumsum(i32, 1, dtype=ember.int32).dtype is ember.int32
    assert i32.sum(dtype=ember.float32).dtype is ember.float32
    assert ember.nansum(i32).dtype is ember.int64
    for t in (h, bf):
        for r in (t.sum(), t.mean(), t.var(), t.std(), t.norm(), t.logsumexp(0), t.prod(),
                  t.cumsum(0), t.amax(), t.max(0).values, t.sort().values):
            assert r.dtype is t.dtype
    assert h.mean().item() == pytest.approx(7 / 3, rel=1e-3)
    assert i32.argmax().dtype is ember.int64 and h.argmin(0).dtype is ember.int64
    assert i32.max().dtype is ember.int32 and i32.max(1).values.dtype is ember.int32
    assert ember.argsort(h).dtype is ember.int64
    assert ember.all(i32).dtype is ember.bool and ember.any(h, 0).dtype is ember.bool
    assert ember.all(u8).dtype is ember.uint8 and ember.any(u8, 0).dtype is ember.uint8
    assert ember.count_nonzero(h).dtype is ember.int64
    assert ember.logsumexp(i32, 1).dtype is ember.float32
    assert ember.mean(i32, dtype=ember.float64).dtype is ember.float64
    assert ember.norm(ember.randn(3), dtype=ember.float64).dtype is ember.float64


@needs_torch
def test_half_sums_accumulate_in_float32():
    a = np.full(10000, 1.0, dtype=np.float16)
    e, t = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert e.sum().item() == t.sum().item() == 10000.0
    assert e.mean().item() == t.mean().item() == 1.0
    assert e.cumsum(0)[-1].item() == t.cumsum(0)[-1].item()
    bf = ember.ones(5000).bfloat16()
    assert bf.sum().item() == torch.ones(5000).bfloat16().sum().item()


def test_empty_reductions():
    e = ember.zeros(0, 3)
    assert e.sum().item() == 0 and e.prod().item() == 1
    assert np.isnan(e.mean().item())
    assert np.isnan(e.mean(0).numpy()).all() and e.mean(0).shape == (3,)
    assert e.sum(1).shape == (0,) and e.max(1).values.shape == (0,)
    assert ember.all(e).item() is True and ember.any(e).item() is False
    assert e.logsumexp(0).tolist() == [-np.inf] * 3
    assert e.norm().item() == 0.0
    assert np.isnan(ember.median(e).item())


# ---------------------------------------------------------------------------------------
# errors, compared with PyTorch

ERRORS = [
    ("sum_dim_range", lambda L, x: L.sum(x, 2)),
    ("sum_dup_dims", lambda L, x: L.sum(x, (0, -2))),
    ("mean_int", lambda L, x: L.mean(x.long())),
    ("mean_int_dtype", lambda L, x: L.mean(x, dtype=L.int64)),
    ("max_dim_range", lambda L, x: L.max(x, -3)),
    ("max_empty", lambda L, x: L.max(L.zeros(0, 3))),
    ("min_empty_dim", lambda L, x: L.min(L.zeros(0, 3), 0)),
    ("amax_empty", lambda L, x: L.amax(L.zeros(0, 3))),
    ("amax_empty_dim", lambda L, x: L.amax(L.zeros(2, 0), 1)),
    ("amin_dup", lambda L, x: L.amin(x, (1, 1))),
    ("argmax_empty", lambda L, x: L.argmax(L.zeros(0, 3))),
    ("argmax_empty_dim", lambda L, x: L.argmax(L.zeros(0, 3), 0)),
    ("argmax_bool", lambda L, x: L.argmax(x > 0)),
    ("argmax_range", lambda L, x: L.argmax(x, 2)),
    ("median_empty_dim", lambda L, x: L.median(L.zeros(0, 3), 0)),
    ("topk_k", lambda L, x: L.topk(x, 5)),
    ("topk_neg_k", lambda L, x: L.topk(x, -1)),
    ("kthvalue_k", lambda L, x: L.kthvalue(x, 0)),
    ("kthvalue_k_big", lambda L, x: L.kthvalue(x, 5)),
    ("sort_range", lambda L, x: L.sort(x, 2)),
    ("cumsum_range", lambda L, x: L.cumsum(x, 2)),
    ("cumprod_range", lambda L, x: L.cumprod(x, -3)),
    ("var_int", lambda L, x: L.var(x.long())),
    ("std_int", lambda L, x: L.std(x.int(), 0)),
    ("norm_int", lambda L, x: L.norm(x.long())),
    ("norm_bad_order", lambda L, x: L.norm(x, "abc")),
    ("norm_inf_empty", lambda L, x: L.norm(L.zeros(0, 3), float("inf"))),
    ("norm_inf_empty_dim", lambda L, x: L.norm(L.zeros(0, 3), float("inf"), dim=0)),
    ("norm_fro_3dims", lambda L, x: L.norm(x.reshape(1, 3, 4), "fro", dim=(0, 1, 2))),
    ("aminmax_empty", lambda L, x: L.aminmax(L.zeros(0, 3))),
    ("prod_tuple_dim", lambda L, x: L.prod(x, (0, 1))),
    ("argmax_tuple_dim", lambda L, x: L.argmax(x, (0,))),
    ("logsumexp_range", lambda L, x: L.logsumexp(x, 3)),
    ("count_nonzero_dup", lambda L, x: L.count_nonzero(x, (0, 0))),
    ("all_range", lambda L, x: L.all(x, 4)),
]


@needs_torch
@pytest.mark.parametrize("name,call", ERRORS, ids=[n for n, _ in ERRORS])
def test_errors_match_torch(name, call):
    xe, xt = both(np.arange(12.0).reshape(3, 4) - 5)
    with pytest.raises(Exception) as theirs:
        call(torch, xt)
    with pytest.raises(type(theirs.value)) as ours:
        call(ember, xe)
    if type(theirs.value) is not TypeError:     # TypeErrors: torch's text lists overloads
        assert str(ours.value) == str(theirs.value).split("\n")[0]


def test_error_messages_name_the_problem():
    x = ember.randn(3, 4)
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        x.sum(2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        x.amax((0, 0))
    with pytest.raises(RuntimeError, match="Got: Long"):
        ember.arange(3).mean()
    with pytest.raises(NotImplementedError, match="nuc"):
        ember.norm(x, "nuc")


def test_degrees_of_freedom_warning():
    x = ember.tensor([1.0])
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        v = x.var()
    assert np.isnan(v.item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.var(correction=0).item() == 0.0


# ---------------------------------------------------------------------------------------
# gradients: ties, zeros, NaN

@needs_torch
@pytest.mark.parametrize("fn", [
    lambda L, x: L.amax(x), lambda L, x: L.amin(x), lambda L, x: L.max(x), lambda L, x: x.min(),
    lambda L, x: L.amax(x, 1), lambda L, x: L.amin(x, (0, 1), keepdim=True),
    lambda L, x: L.median(x), lambda L, x: L.max(x, 1).values, lambda L, x: L.min(x, 0).values,
    lambda L, x: L.norm(x, float("inf"), 1), lambda L, x: L.norm(x, float("-inf")),
    lambda L, x: L.sort(x, dim=1, descending=True, stable=True).values,
    lambda L, x: L.aminmax(x).max,
])
def test_gradients_with_ties_match_torch(fn):
    data = [[3.0, -3.0, 1.0, 3.0], [2.0, 2.0, 0.5, -2.0], [1.0, 1.0, 1.0, 1.0]]
    xe, xt = both(data, requires_grad=True)
    oe, ot = fn(ember, xe), fn(torch, xt)
    assert_close(oe, ot)
    w = np.arange(1.0, 1.0 + oe.numel(), dtype="float32").reshape(tuple(oe.shape))
    (oe * ember.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    assert_close(xe.grad, xt.grad)


def test_full_max_splits_gradient_among_ties():
    x = ember.tensor([1.0, 4.0, 4.0, 4.0, 2.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == pytest.approx([0, 1 / 3, 1 / 3, 1 / 3, 0])
    x.grad = None
    x.max(0).values.backward()      # with dim: the selected (first) index gets it all
    assert x.grad.tolist() == [0, 1, 0, 0, 0]


@needs_torch
@pytest.mark.parametrize("data", [
    [[2.0, 0.0, 3.0, 1.5], [0.0, 0.0, 2.0, 1.0], [1.0, 2.0, -1.0, 0.5]],   # one/two zeros per row
    [[0.0, 2.0, 3.0], [2.0, 3.0, 0.0], [1.0, 0.0, 0.0]],
])
@pytest.mark.parametrize("fn", [
    lambda L, x: L.prod(x), lambda L, x: L.prod(x, 1), lambda L, x: L.prod(x, 0, keepdim=True),
    lambda L, x: L.cumprod(x, 1), lambda L, x: L.cumprod(x, 0),
])
def test_gradients_with_zeros_match_torch(data, fn):
    xe, xt = both(data, requires_grad=True)
    oe, ot = fn(ember, xe), fn(torch, xt)
    assert_close(oe, ot)
    w = np.linspace(0.5, 2.0, oe.numel(), dtype="float32").reshape(tuple(oe.shape))
    ge, = ember.autograd.grad((oe * ember.tensor(w)).sum(), xe, create_graph=True)
    gt, = torch.autograd.grad((ot * torch.tensor(w)).sum(), xt, create_graph=True)
    assert_close(ge, gt, rtol=1e-5, atol=1e-6)
    # second order through the zero path
    (gge,) = ember.autograd.grad((ge * ge).sum(), xe)
    (ggt,) = torch.autograd.grad((gt * gt).sum(), xt)
    assert_close(gge, ggt, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("p", [2, 3, 1.5, 1, 0.5, float("inf"), 0])
def test_norm_gradient_at_zero_is_zero(p):
    xe, xt = both([[0.0, 0.0, 0.0], [1.0, 0.0, -2.0]], requires_grad=True)
    ember.norm(xe, p, dim=1).sum().backward()
    torch.norm(xt, p, dim=1).sum().backward()
    if p == 0:      # PyTorch leaves the gradient of the 0-"norm" undefined
        assert xe.grad is None and xt.grad is None
        return
    assert_close(xe.grad, xt.grad)
    assert xe.grad[0].tolist() == [0.0, 0.0, 0.0]


@needs_torch
def test_std_gradient_of_constant_is_zero():
    xe, xt = both([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], requires_grad=True)
    ember.std(xe, 1).sum().backward()
    torch.std(xt, 1).sum().backward()
    assert_close(xe.grad, xt.grad)
    assert xe.grad[0].tolist() == [0.0, 0.0, 0.0]


@needs_torch
def test_nan_propagation_matches_torch():
    nan = float("nan")
    xe, xt = both([[1.0, nan, 3.0, 0.0], [1.0, 2.0, 3.0, 4.0]])
    for fn in (lambda L, x: L.max(x), lambda L, x: L.max(x, 1), lambda L, x: L.min(x, 1),
               lambda L, x: L.argmax(x), lambda L, x: L.argmin(x, 1), lambda L, x: L.amax(x, 1),
               lambda L, x: L.median(x), lambda L, x: L.median(x, 1),
               lambda L, x: L.sort(x, 1), lambda L, x: L.sort(x, 1, descending=True),
               lambda L, x: L.topk(x, 2), lambda L, x: L.nansum(x, 1),
               lambda L, x: L.nanmean(x), lambda L, x: L.logsumexp(x, 1), lambda L, x: L.sum(x, 1)):
        assert_close(tuple(fn(ember, xe)) if isinstance(fn(torch, xt), tuple) else fn(ember, xe),
                     fn(torch, xt))


@needs_torch
def test_logsumexp_infinities():
    inf = float("inf")
    xe, xt = both([[-inf, -inf], [inf, 1.0], [-inf, 0.0], [1000.0, 1000.0]])
    assert_close(ember.logsumexp(xe, 1), torch.logsumexp(xt, 1))


def test_median_is_lower_median():
    assert ember.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0
    v, i = ember.tensor([[4.0, 1.0, 3.0, 2.0]]).median(1)
    assert v.tolist() == [2.0] and i.tolist() == [3]


@needs_torch
def test_mode_ties_follow_torch():
    data = [[1, 2, 2, 3, 3], [4, 4, 1, 1, 0], [3, 3, 1, 1, 2], [1, 3, 3, 1, 2]]
    xe, xt = both(data, dtype="int64")
    assert_close(tuple(ember.mode(xe, 1)), tuple(torch.mode(xt, 1)))


# ---------------------------------------------------------------------------------------
# double backward

@pytest.mark.parametrize("fn", [
    lambda x: x.sum(1) ** 2, lambda x: x.mean() ** 2, lambda x: x.var(1), lambda x: x.std(0),
    lambda x: ember.norm(x), lambda x: ember.norm(x, 3, 1), lambda x: ember.norm(x, 1.5),
    lambda x: ember.logsumexp(x, 1), lambda x: x.prod(1), lambda x: x.cumprod(1),
    lambda x: x.cumsum(0) ** 2, lambda x: x.sort(1).values ** 2, lambda x: x.topk(2).values ** 2,
    lambda x: x.max(1).values ** 2, lambda x: x.amax(0) ** 2, lambda x: x.median(0).values ** 2,
    lambda x: x.median() ** 2, lambda x: ember.nansum(x ** 3),
])
def test_gradgradcheck(fn):
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.permutation(12).reshape(3, 4) / 6.0 - 0.9, dtype=ember.float64,
                     requires_grad=True)
    assert ember.autograd.gradgradcheck(fn, (x,))


# ---------------------------------------------------------------------------------------
# grad_fn names, methods, out=, in-place

@needs_torch
def test_grad_fn_names_match_torch():
    calls = [lambda L, x: x.sum(), lambda L, x: x.sum(1), lambda L, x: x.mean(),
             lambda L, x: x.mean(0), lambda L, x: x.max(), lambda L, x: x.max(1).values,
             lambda L, x: x.amax(1), lambda L, x: x.sort().values, lambda L, x: x.topk(1).values,
             lambda L, x: x.median(), lambda L, x: x.median(1).values, lambda L, x: x.var(),
             lambda L, x: x.std(), lambda L, x: L.norm(x), lambda L, x: L.logsumexp(x, 1),
             lambda L, x: x.prod(), lambda L, x: x.prod(1), lambda L, x: x.cumsum(1),
             lambda L, x: x.cumprod(1), lambda L, x: x.kthvalue(1).values,
             lambda L, x: x.mode().values, lambda L, x: L.nansum(x)]
    xe, xt = both(np.arange(12.0).reshape(3, 4), requires_grad=True)
    for c in calls:
        assert c(ember, xe).grad_fn.name() == c(torch, xt).grad_fn.name()


def test_tensor_methods_exist():
    for name in ("sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin",
                 "aminmax", "argmax", "argmin", "var", "std", "norm", "logsumexp", "cumsum",
                 "cumprod", "all", "any", "count_nonzero", "median", "mode", "kthvalue", "topk",
                 "sort", "argsort", "msort", "cumsum_", "cumprod_"):
        assert callable(getattr(ember.Tensor, name)), name
    for name in ("var_mean", "std_mean", "sum", "amax", "topk", "msort"):
        assert callable(getattr(ember, name)), name


def test_out_and_inplace():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = ember.empty(2)
    assert ember.sum(x, 1, out=out) is out and out.tolist() == [3.0, 7.0]
    y = x.clone()
    assert y.cumsum_(1) is y and y.tolist() == [[1.0, 3.0], [3.0, 7.0]]


def test_sum_backward_shapes_and_dtypes():
    x = ember.randn(2, 3, 4, requires_grad=True)
    x.sum((0, 2), keepdim=False).sum(dtype=ember.float64).backward()
    assert x.grad.shape == (2, 3, 4) and x.grad.dtype is ember.float32
    assert (x.grad.numpy() == 1).all()
    x.grad = None
    x.mean(-1).sum().backward()
    assert np.allclose(x.grad.numpy(), 0.25)
