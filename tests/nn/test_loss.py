"""Losses: F.* and nn.*Loss against PyTorch.

Forward values and gradients (input, target where PyTorch differentiates it, and the
probability-target cross entropy's weight) for every loss, reduction and option; K-dim,
unbatched, ignore_index (all ignored: nan) and label smoothing for cross entropy / nll;
float16/bfloat16; numerical edges (p = 0/1 in BCE, huge logits) (float64 gradcheck and
gradgradcheck: the op table, tests/ops/samples_loss.py); the deprecated size_average/reduce arguments; module
reprs, state_dicts and outputs; errors (type and message) against PyTorch.
float32 tolerances: rtol=1e-5, atol=1e-5 unless a test says otherwise.
"""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as EF
from ember.autograd import gradcheck
from helpers import torch, needs_torch, assert_close

if torch is not None:
    import torch.nn.functional as TF

RTOL, ATOL = 1e-5, 1e-5
REDUCTIONS = ["none", "mean", "sum"]


# ---------------------------------------------------------------------------------------
# helpers

def _tensors(lib, arrays, grads):
    return [lib.tensor(a, requires_grad=bool(g) and a.dtype.kind == "f")
            for a, g in zip(arrays, grads)]


def check_parity(fn, arrays, grads=None, rtol=RTOL, atol=ATOL, seed=1):
    """Run ``fn(F, lib, *tensors)`` with ember and torch on the same arrays; compare the
    outputs, then backward a random upstream gradient and compare every input's grad."""
    grads = [True] * len(arrays) if grads is None else grads
    te, tt = _tensors(ember, arrays, grads), _tensors(torch, arrays, grads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oe = fn(EF, ember, *te)
        ot = fn(TF, torch, *tt)
    assert_close(oe, ot, rtol, atol, msg="forward")
    if not ot.requires_grad:
        assert not oe.requires_grad
        return oe, ot
    go = np.random.default_rng(seed).standard_normal(tuple(ot.shape)).astype(
        str(ot.dtype).split(".")[-1] if ot.dtype != torch.bfloat16 else np.float32)
    oe.backward(ember.tensor(go).to(oe.dtype))
    ot.backward(torch.tensor(go).to(ot.dtype))
    for i, (e, t) in enumerate(zip(te, tt)):
        if t.grad is None:
            assert e.grad is None, f"input {i}: ember has a grad, torch has none"
        else:
            assert e.grad is not None, f"input {i}: no ember grad"
            assert_close(e.grad, t.grad, rtol, atol, msg=f"grad of input {i}")
    return oe, ot


def rnd(*shape, seed=0, scale=1.0, dtype=np.float32):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def uni(*shape, lo=0.0, hi=1.0, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


def ints(hi, *shape, seed=0, lo=0):
    return np.random.default_rng(seed).integers(lo, hi, shape).astype(np.int64)


def signs(*shape, seed=0, dtype=np.float32):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1, 1).astype(dtype)


def same_error(fn, exc=None):
    """``fn(F, lib)`` raises the same exception type and message with ember and torch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as et:
            fn(TF, torch)
        with pytest.raises(Exception) as ee:
            fn(EF, ember)
    assert type(ee.value) is type(et.value), (ee.value, et.value)
    assert str(ee.value) == str(et.value).replace("torch.", "ember."), (ee.value, et.value)
    if exc is not None:
        assert isinstance(ee.value, exc)


# ---------------------------------------------------------------------------------------
# parity of every loss, reduction and option

# name -> (fn(F, lib, *tensors, reduction), arrays, which arrays get grads)
X, Y = rnd(4, 5), rnd(4, 5, seed=1)
P, Q = uni(4, 5, lo=0.02, hi=0.98, seed=2), uni(4, 5, seed=3)
W5 = uni(5, lo=0.2, hi=2.0, seed=4)
CASES = {
    "mse": (lambda F, L, x, y, r: F.mse_loss(x, y, reduction=r), [X, Y], [1, 1]),
    "mse_broadcast": (lambda F, L, x, y, r: F.mse_loss(x, y, reduction=r), [X, Y[0]], [1, 1]),
    "mse_weight": (lambda F, L, x, y, w, r: F.mse_loss(x, y, reduction=r, weight=w),
                   [X, Y, uni(4, 5, seed=5)], [1, 1, 1]),
    "mse_int_target": (lambda F, L, x, y, r: F.mse_loss(x, y.long(), reduction=r),
                       [X, ints(3, 4, 5)], [1, 0]),
    "l1": (lambda F, L, x, y, r: F.l1_loss(x, y, reduction=r), [X, Y], [1, 1]),
    "l1_weight": (lambda F, L, x, y, w, r: F.l1_loss(x, y, reduction=r, weight=w),
                  [X, Y, uni(4, 5, seed=5)], [1, 1, 1]),
    "smooth_l1": (lambda F, L, x, y, r: F.smooth_l1_loss(x, y, reduction=r), [X * 2, Y], [1, 1]),
    "smooth_l1_beta": (lambda F, L, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.3),
                       [X, Y], [1, 1]),
    "smooth_l1_beta0": (lambda F, L, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
                        [X, Y], [1, 1]),
    "huber": (lambda F, L, x, y, r: F.huber_loss(x, y, reduction=r), [X * 2, Y], [1, 1]),
    "huber_delta": (lambda F, L, x, y, r: F.huber_loss(x, y, reduction=r, delta=0.4),
                    [X, Y], [1, 1]),
    "huber_weight": (lambda F, L, x, y, w, r: F.huber_loss(x, y, reduction=r, delta=0.5,
                                                           weight=w),
                     [X, Y, uni(4, 5, seed=5)], [1, 1, 1]),
    "bce": (lambda F, L, p, q, r: F.binary_cross_entropy(p, q, reduction=r), [P, Q], [1, 1]),
    "bce_weight": (lambda F, L, p, q, w, r: F.binary_cross_entropy(p, q, w, reduction=r),
                   [P, Q, W5], [1, 1, 0]),
    "bce_weight_2d": (lambda F, L, p, q, w, r: F.binary_cross_entropy(p, q, w, reduction=r),
                      [P, Q, uni(4, 1, seed=6)], [1, 1, 0]),
    "bce_logits": (lambda F, L, x, q, r: F.binary_cross_entropy_with_logits(x, q, reduction=r),
                   [X * 3, Q], [1, 1]),
    "bce_logits_weights": (
        lambda F, L, x, q, w, pw, r: F.binary_cross_entropy_with_logits(
            x, q, w, reduction=r, pos_weight=pw),
        [X * 3, Q, W5, uni(5, lo=0.5, hi=3, seed=7)], [1, 1, 0, 0]),
    "bce_logits_pos_weight_col": (
        lambda F, L, x, q, pw, r: F.binary_cross_entropy_with_logits(x, q, reduction=r,
                                                                     pos_weight=pw),
        [X, Q, uni(4, 1, lo=0.5, hi=3, seed=7)], [1, 1, 0]),
    "soft_margin": (lambda F, L, x, y, r: F.soft_margin_loss(x, y, reduction=r),
                    [X * 2, signs(4, 5)], [1, 0]),
    "kl": (lambda F, L, x, t, r: F.kl_div(x, t, reduction=r),
           [np.log(uni(4, 5, lo=0.05, seed=8)), np.where(Q < 0.2, 0, Q).astype(np.float32)],
           [1, 0]),
    "kl_target_grad": (lambda F, L, x, t, r: F.kl_div(x, t, reduction=r), [X, P], [1, 1]),
    "kl_log_target": (lambda F, L, x, t, r: F.kl_div(x, t, reduction=r, log_target=True),
                      [X, Y], [1, 1]),
    "poisson": (lambda F, L, x, y, r: F.poisson_nll_loss(x, y, reduction=r),
                [X, uni(4, 5, hi=4, seed=9)], [1, 1]),
    "poisson_full": (lambda F, L, x, y, r: F.poisson_nll_loss(x, y, full=True, reduction=r),
                     [X, uni(4, 5, hi=4, seed=9)], [1, 1]),
    "poisson_nolog": (lambda F, L, x, y, r: F.poisson_nll_loss(x, y, log_input=False,
                                                               full=True, eps=1e-3,
                                                               reduction=r),
                      [P * 3, uni(4, 5, hi=4, seed=9)], [1, 1]),
    "gaussian": (lambda F, L, x, y, v, r: F.gaussian_nll_loss(x, y, v, reduction=r),
                 [X, Y, uni(4, 5, lo=0.1, hi=2, seed=10)], [1, 1, 1]),
    "gaussian_full_short_var": (
        lambda F, L, x, y, v, r: F.gaussian_nll_loss(x, y, v, full=True, reduction=r),
        [X, Y, uni(4, lo=0.1, hi=2, seed=10)], [1, 1, 1]),
    "gaussian_bcast_var": (
        lambda F, L, x, y, v, r: F.gaussian_nll_loss(x, y, v, eps=0.3, reduction=r),
        [X, Y, uni(4, 1, lo=0.1, hi=2, seed=10)], [1, 1, 1]),
    "gaussian_float_var": (lambda F, L, x, y, r: F.gaussian_nll_loss(x, y, 0.7, reduction=r),
                           [X, Y], [1, 1]),
    "margin_ranking": (lambda F, L, a, b, y, r: F.margin_ranking_loss(a, b, y, margin=0.2,
                                                                      reduction=r),
                       [X[0], Y[0], signs(5)], [1, 1, 1]),
    "hinge_embedding": (lambda F, L, x, y, r: F.hinge_embedding_loss(x, y, margin=0.5,
                                                                     reduction=r),
                        [X, signs(4, 5)], [1, 1]),
    "soft_margin_2d": (lambda F, L, x, y, r: F.soft_margin_loss(x, y, reduction=r),
                       [X[:, :1], signs(4, 1)], [1, 0]),
    "cosine_embedding": (
        lambda F, L, a, b, y, r: F.cosine_embedding_loss(a, b, y, margin=0.1, reduction=r),
        [rnd(6, 3), rnd(6, 3, seed=1), signs(6, dtype=np.int64)], [1, 1, 0]),
    "cosine_embedding_1d": (
        lambda F, L, a, b, y, r: F.cosine_embedding_loss(a, b, y, reduction=r),
        [rnd(3), rnd(3, seed=1), np.array(-1.0, np.float32)], [1, 1, 0]),
    "triplet": (lambda F, L, a, p, n, r: F.triplet_margin_loss(a, p, n, reduction=r),
                [rnd(5, 4), rnd(5, 4, seed=1), rnd(5, 4, seed=2)], [1, 1, 1]),
    "triplet_opts": (
        lambda F, L, a, p, n, r: F.triplet_margin_loss(a, p, n, margin=2.0, p=1, eps=1e-3,
                                                       swap=True, reduction=r),
        [rnd(5, 4), rnd(5, 4, seed=1), rnd(5, 4, seed=2)], [1, 1, 1]),
    "triplet_1d": (lambda F, L, a, p, n, r: F.triplet_margin_loss(a, p, n, margin=3.0,
                                                                  reduction=r),
                   [rnd(4), rnd(4, seed=1), rnd(4, seed=2)], [1, 1, 1]),
    "triplet_distance": (
        lambda F, L, a, p, n, r: F.triplet_margin_with_distance_loss(a, p, n, margin=1.5,
                                                                     reduction=r),
        [rnd(5, 4), rnd(5, 4, seed=1), rnd(5, 4, seed=2)], [1, 1, 1]),
    "triplet_distance_custom": (
        lambda F, L, a, p, n, r: F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), swap=True,
            margin=2.0, reduction=r),
        [rnd(5, 4), rnd(5, 4, seed=1), rnd(5, 4, seed=2)], [1, 1, 1]),
    "multilabel_soft_margin": (
        lambda F, L, x, y, r: F.multilabel_soft_margin_loss(x, y, reduction=r),
        [X * 3, (Q > 0.5).astype(np.float32)], [1, 1]),
    "multilabel_soft_margin_weight": (
        lambda F, L, x, y, w, r: F.multilabel_soft_margin_loss(x, y, w, reduction=r),
        [X * 3, Q, W5], [1, 1, 1]),
    "multi_margin": (lambda F, L, x, t, r: F.multi_margin_loss(x, t, reduction=r),
                     [X, ints(5, 4)], [1, 0]),
    "multi_margin_p2_weight": (
        lambda F, L, x, t, w, r: F.multi_margin_loss(x, t, p=2, margin=0.7, weight=w,
                                                     reduction=r),
        [X, ints(5, 4), W5], [1, 0, 0]),
    "multi_margin_1d": (lambda F, L, x, t, r: F.multi_margin_loss(x, t, reduction=r),
                        [X[0], np.array(2)], [1, 0]),
    "multilabel_margin": (
        lambda F, L, x, t, r: F.multilabel_margin_loss(x, t, reduction=r),
        [X, np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [4, -1, 0, 0, 0], [-1, 1, 1, 1, 1]])],
        [1, 0]),
    "multilabel_margin_1d": (
        lambda F, L, x, t, r: F.multilabel_margin_loss(x, t, reduction=r),
        [X[0], np.array([2, 4, -1, 0, 1])], [1, 0]),
}


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_parity(name, reduction):
    fn, arrays, grads = CASES[name]
    check_parity(lambda F, L, *ts: fn(F, L, *ts, reduction), arrays, grads)


@needs_torch
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean(log_target):
    t = np.log(P) if log_target else P
    check_parity(lambda F, L, x, y: F.kl_div(x, y, reduction="batchmean",
                                             log_target=log_target), [X, t], [1, 1])
    check_parity(lambda F, L, x, y: F.kl_div(x, y, reduction="batchmean"),
                 [X[0, 0], P[0, 0]], [1, 1])


# ---------------------------------------------------------------------------------------
# cross entropy and nll

def _ce(F, L, x, t, w=None, **kw):
    return F.cross_entropy(x, t, w, **kw)


CE_CASES = {
    # name: (input shape, target kind, kwargs, with weight)
    "2d": ((6, 5), "idx", {}, False),
    "2d_weight": ((6, 5), "idx", {}, True),
    "2d_ignore": ((6, 5), "ignore", {}, False),
    "2d_ignore_weight": ((6, 5), "ignore", {}, True),
    "2d_ignore_index_valid_class": ((6, 5), "idx", {"ignore_index": 2}, True),
    "2d_smooth": ((6, 5), "idx", {"label_smoothing": 0.2}, False),
    "2d_smooth_weight": ((6, 5), "idx", {"label_smoothing": 0.3}, True),
    "2d_smooth_weight_ignore": ((6, 5), "ignore", {"label_smoothing": 0.15}, True),
    "2d_smooth_ignore": ((6, 5), "ignore", {"label_smoothing": 0.15}, False),
    "2d_smooth_one": ((6, 5), "idx", {"label_smoothing": 1.0}, True),
    "2d_smooth_negative_ignored": ((6, 5), "idx", {"label_smoothing": -0.5}, False),
    "3d": ((3, 4, 5), "idx", {}, False),
    "3d_weight_ignore_smooth": ((3, 4, 5), "ignore", {"label_smoothing": 0.1}, True),
    "4d": ((2, 3, 4, 5), "idx", {}, True),
    "4d_ignore": ((2, 3, 4, 5), "ignore", {}, False),
    "5d_smooth": ((2, 3, 2, 3, 2), "idx", {"label_smoothing": 0.25}, True),
    "unbatched": ((5,), "idx", {}, True),
    "unbatched_smooth": ((5,), "idx", {"label_smoothing": 0.1}, False),
    "unbatched_1elem_target": ((5,), "idx1", {}, False),
    "unbatched_ignored": ((5,), "ignore_all", {}, False),
    "uint8_target": ((6, 5), "uint8", {}, True),
    "prob": ((6, 5), "prob", {}, False),
    "prob_weight": ((6, 5), "prob", {}, True),
    "prob_smooth_weight": ((6, 5), "prob", {"label_smoothing": 0.2}, True),
    "prob_kdim": ((2, 3, 4), "prob", {"label_smoothing": 0.1}, True),
    "prob_unbatched": ((5,), "prob", {}, True),
    "big_logits": ((6, 5), "idx", {"label_smoothing": 0.1}, False),
    "empty_batch": ((0, 5), "idx", {}, False),
    "kdim_size1": ((3, 4, 1), "idx", {"label_smoothing": 0.1}, True),
    "kdim_empty": ((3, 4, 0), "idx", {}, False),
    "kdim_empty_batch": ((0, 4, 2), "ignore", {}, True),
}


def _ce_arrays(shape, kind, seed=0):
    x = rnd(*shape, seed=seed, scale=2.0)
    n_cls = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    if kind == "prob":
        t = np.random.default_rng(seed + 1).random(shape).astype(np.float32)
        return x, t / t.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    t = ints(n_cls, *tshape, seed=seed + 1)
    if kind == "ignore":
        t.reshape(-1)[::3] = -100
    elif kind == "ignore_all":
        t = np.full(tshape, -100)
    elif kind == "idx1":
        t = t.reshape(1)
    elif kind == "uint8":
        t = t.astype(np.uint8)
    return x, t


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CE_CASES))
def test_cross_entropy_parity(name, reduction):
    shape, kind, kw, weighted = CE_CASES[name]
    x, t = _ce_arrays(shape, kind)
    if name == "big_logits":
        x = x * 1000
        x[0] -= 5000     # a row far below the others (per-row shift needed)
    # PyTorch's backward fails for a (C,) input with a (1,) target: forward only there
    arrays, grads = [x, t], [int(kind != "idx1"), 1]
    if weighted:
        arrays.append(uni(shape[1] if len(shape) > 1 else shape[0], lo=0.1, hi=2, seed=5))
        grads.append(1 if kind == "prob" else 0)
    check_parity(lambda F, L, *ts: _ce(F, L, *ts, reduction=reduction, **kw), arrays, grads)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["2d", "2d_weight", "2d_ignore_weight", "3d", "4d_ignore",
                                  "unbatched", "unbatched_1elem_target", "uint8_target"])
def test_nll_loss_parity(name, reduction):
    shape, kind, kw, weighted = CE_CASES[name]
    x, t = _ce_arrays(shape, kind)
    arrays, grads = [x, t], [int(kind != "idx1"), 0]
    if weighted:
        arrays.append(uni(shape[1] if len(shape) > 1 else shape[0], lo=0.1, hi=2, seed=5))
        grads.append(0)
    check_parity(lambda F, L, x, t, *w: F.nll_loss(x, t, *w, reduction=reduction, **kw),
                 arrays, grads)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_noncontiguous_inputs(reduction):
    t2, t4 = ints(5, 6), ints(5, 2, 3, 4)
    cases = [
        (lambda F, L, x: F.cross_entropy(x.t(), L.tensor(t2), reduction=reduction), [rnd(5, 6)]),
        (lambda F, L, x: F.cross_entropy(x.t(), L.tensor(t2), reduction=reduction,
                                         label_smoothing=0.2), [rnd(5, 6)]),
        (lambda F, L, x: F.cross_entropy(x.permute(0, 3, 1, 2), L.tensor(t4),
                                         reduction=reduction), [rnd(2, 3, 4, 5)]),
        # (PyTorch's nll_loss2d backward refuses a non-contiguous input: made contiguous there)
        (lambda F, L, x: F.nll_loss(x.permute(0, 3, 1, 2) if L is ember else
                                    x.permute(0, 3, 1, 2).contiguous(), L.tensor(t4),
                                    reduction=reduction), [rnd(2, 3, 4, 5)]),
        (lambda F, L, x, q: F.cross_entropy(x.t(), q.t(), reduction=reduction),
         [rnd(5, 6), uni(5, 6)]),
        (lambda F, L, x, y: F.mse_loss(x.t(), y[::2], reduction=reduction),
         [rnd(5, 6), rnd(12, 5)]),
        (lambda F, L, x, y: F.binary_cross_entropy_with_logits(x.t(), y.t(),
                                                               reduction=reduction),
         [rnd(5, 6), uni(5, 6)]),
    ]
    for fn, arrays in cases:
        check_parity(fn, arrays)


@needs_torch
def test_cross_entropy_all_ignored_is_nan():
    x = rnd(4, 5)
    t = np.full(4, -100)
    for kw in ({}, {"label_smoothing": 0.2}, {"weight": W5}):
        kw_e = {k: (ember.tensor(v) if k == "weight" else v) for k, v in kw.items()}
        kw_t = {k: (torch.tensor(v) if k == "weight" else v) for k, v in kw.items()}
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        le = EF.cross_entropy(xe, ember.tensor(t), **kw_e)
        lt = TF.cross_entropy(xt, torch.tensor(t), **kw_t)
        assert np.isnan(le.item()) and np.isnan(lt.item())
        le.backward()
        lt.backward()
        assert_close(xe.grad, xt.grad)   # nan * 0 gradients, as PyTorch
        s = EF.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="sum", **kw_e)
        assert s.item() == 0.0
        n = EF.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="none", **kw_e)
        assert (n.numpy() == 0).all()


@needs_torch
def test_cross_entropy_nan_row_stays_in_its_row():
    x = rnd(4, 5)
    x[1, 2] = np.nan
    t = ints(5, 4)
    check_parity(lambda F, L, x, t: F.cross_entropy(x, t, reduction="none"), [x, t], [1, 0])
    out = EF.cross_entropy(ember.tensor(x), ember.tensor(t), reduction="none").numpy()
    assert np.isnan(out[1]) and np.isfinite(out[[0, 2, 3]]).all()


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_cross_entropy_dtypes(dtype):
    x, t = _ce_arrays((8, 6), "idx")
    w = uni(6, lo=0.5, hi=1.5, seed=3)
    tol = 1e-7 if dtype == "float64" else 2e-2
    for kw in ({}, {"label_smoothing": 0.1}):
        xe = ember.tensor(x).to(getattr(ember, dtype)).requires_grad_()
        xt = torch.tensor(x).to(getattr(torch, dtype)).requires_grad_()
        we = ember.tensor(w).to(getattr(ember, dtype))
        wt = torch.tensor(w).to(getattr(torch, dtype))
        le = EF.cross_entropy(xe, ember.tensor(t), we, **kw)
        lt = TF.cross_entropy(xt, torch.tensor(t), wt, **kw)
        assert_close(le, lt, tol, tol)
        le.backward()
        lt.backward()
        assert_close(xe.grad, xt.grad, tol, tol)
    # probabilities in float32 with a half input: promoted, as PyTorch
    q = _ce_arrays((8, 6), "prob")[1]
    if dtype != "float64":
        check_parity(lambda F, L, x, q: F.cross_entropy(x.to(getattr(L, dtype)), q),
                     [x, q], [1, 1], rtol=2e-2, atol=2e-2)


@needs_torch
def test_half_losses_compute_in_float32():
    x, y = rnd(16, 8), rnd(16, 8, seed=1)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                 "binary_cross_entropy_with_logits"):
        xs = x if name != "binary_cross_entropy_with_logits" else x
        ys = y if name != "binary_cross_entropy_with_logits" else uni(16, 8)
        for dt in ("float16", "bfloat16"):
            check_parity(lambda F, L, a, b: getattr(F, name)(a.to(getattr(L, dt)),
                                                               b.to(getattr(L, dt))),
                         [xs, ys], [1, 1], rtol=2e-2, atol=2e-2)


@needs_torch
def test_numerical_edges():
    # BCE: log clamped at -100, gradient denominator clamped at 1e-12
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    q = np.array([1.0, 0.0, 0.0, 1.0, 0.3], np.float32)
    check_parity(lambda F, L, p, q: F.binary_cross_entropy(p, q, reduction="none"), [p, q],
                 [1, 0])
    # BCE with logits and soft margin: huge logits stay finite
    x = np.array([-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0], np.float32)
    pw = np.float32(2.5) * np.ones(7, np.float32)
    check_parity(lambda F, L, x, y, pw: F.binary_cross_entropy_with_logits(
        x, y, reduction="none", pos_weight=pw), [x, y, pw], [1, 1, 0])
    ys = np.sign(y - 0.25).astype(np.float32)
    check_parity(lambda F, L, x, y: F.soft_margin_loss(x[2:-2], y[2:-2], reduction="none"),
                 [x, ys], [1, 0])
    out = EF.soft_margin_loss(ember.tensor(x), ember.tensor(ys), reduction="none").numpy()
    assert np.isfinite(out).all()     # PyTorch's log1p(exp(.)) overflows to inf here
    # cross entropy: logits of any size
    for scale in (1e3, 1e5, -1e5):
        xl = rnd(3, 4) * scale
        check_parity(lambda F, L, x, t: F.cross_entropy(x, t, reduction="none"),
                     [xl, ints(4, 3)], [1, 0], rtol=1e-5, atol=1e-2)


@needs_torch
def test_cross_entropy_retain_graph_twice():
    x, t = _ce_arrays((6, 5), "idx")
    for kw in ({}, {"label_smoothing": 0.3, "weight": W5}):
        kwe = {k: ember.tensor(v) if k == "weight" else v for k, v in kw.items()}
        kwt = {k: torch.tensor(v) if k == "weight" else v for k, v in kw.items()}
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        le = EF.cross_entropy(xe, ember.tensor(t), **kwe)
        lt = TF.cross_entropy(xt, torch.tensor(t), **kwt)
        le.backward(retain_graph=True)
        le.backward()
        lt.backward(retain_graph=True)
        lt.backward()
        assert_close(xe.grad, xt.grad)


@needs_torch
@pytest.mark.parametrize("case", ["ce", "ce_smooth_weight_ignore", "ce_kdim", "ce_prob",
                                  "nll", "mse", "bce_logits", "kl", "bce", "huber"])
def test_double_backward_parity(case):
    """grad of (sum of squared first-order grads) against PyTorch."""
    x, t = _ce_arrays((5, 4), "ignore" if "ignore" in case else "idx")
    fns = {
        "ce": (lambda F, L, x: F.cross_entropy(x, L.tensor(t)), [x]),
        "ce_smooth_weight_ignore": (
            lambda F, L, x: F.cross_entropy(x, L.tensor(t), L.tensor(W5[:4]),
                                            label_smoothing=0.2), [x]),
        "ce_kdim": (lambda F, L, x: F.cross_entropy(x.reshape(1, 5, 4).transpose(1, 2),
                                                    L.tensor(t[None, :] % 4)), [x]),
        "ce_prob": (lambda F, L, x, q: F.cross_entropy(x, q, label_smoothing=0.1),
                    [x, _ce_arrays((5, 4), "prob")[1]]),
        "nll": (lambda F, L, x, y: F.nll_loss(x * y, L.tensor(t), reduction="sum"),
                [x, rnd(5, 4, seed=4)]),
        "mse": (lambda F, L, x, y: F.mse_loss(x, y), [x, rnd(5, 4, seed=3)]),
        "bce_logits": (lambda F, L, x, y: F.binary_cross_entropy_with_logits(
            x, y, pos_weight=L.tensor(W5[:4])), [x, uni(5, 4)]),
        "kl": (lambda F, L, x, y: F.kl_div(x, y, reduction="batchmean"),
               [x, uni(5, 4, lo=0.1)]),
        "bce": (lambda F, L, p, y: F.binary_cross_entropy(p, y), [uni(5, 4, lo=0.1, hi=0.9),
                                                                  uni(5, 4)]),
        "huber": (lambda F, L, x, y: F.huber_loss(x, y, delta=0.5), [x, rnd(5, 4, seed=2)]),
    }
    fn, arrays = fns[case]
    results = []
    for F, L in ((EF, ember), (TF, torch)):
        ts = [L.tensor(a, requires_grad=True) for a in arrays]
        loss = fn(F, L, *ts)
        gs = L.autograd.grad(loss, ts, create_graph=True)
        total = sum((g * g).sum() for g in gs)
        results.append(L.autograd.grad(total, ts))
    for ge, gt in zip(*results):
        assert_close(ge, gt, 1e-4, 1e-5)


# float64 gradcheck and gradgradcheck of the losses: the op table, tests/ops/samples_loss.py


# ---------------------------------------------------------------------------------------
# grad_fn names, reduction arguments, warnings

@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_grad_fn_names(reduction):
    x, t = _ce_arrays((4, 5), "idx")
    calls = [
        lambda F, L, x: F.cross_entropy(x, L.tensor(t), reduction=reduction),
        lambda F, L, x: F.cross_entropy(x, L.tensor(t), reduction=reduction,
                                        label_smoothing=0.1),
        lambda F, L, x: F.cross_entropy(x, x.detach().softmax(1), reduction=reduction),
        lambda F, L, x: F.nll_loss(x, L.tensor(t), reduction=reduction),
        lambda F, L, x: F.nll_loss(x.reshape(2, 5, 2, 1), L.tensor(t).reshape(2, 2, 1),
                                   reduction=reduction),
        lambda F, L, x: F.mse_loss(x, x.detach() * 2, reduction=reduction),
        lambda F, L, x: F.l1_loss(x, x.detach() * 2, reduction=reduction),
        lambda F, L, x: F.smooth_l1_loss(x, x.detach() * 2, reduction=reduction),
        lambda F, L, x: F.huber_loss(x, x.detach() * 2, reduction=reduction),
        lambda F, L, x: F.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid(),
                                               reduction=reduction),
        lambda F, L, x: F.binary_cross_entropy_with_logits(x, x.detach().sigmoid(),
                                                           reduction=reduction),
        lambda F, L, x: F.soft_margin_loss(x, x.detach().sign(), reduction=reduction),
    ]
    for i, c in enumerate(calls):
        ne = c(EF, ember, ember.tensor(x, requires_grad=True)).grad_fn.name()
        nt = c(TF, torch, torch.tensor(x, requires_grad=True)).grad_fn.name()
        assert ne == nt, (i, ne, nt)


@needs_torch
@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True),
                                                 (False, True), (True, None), (None, True)])
def test_legacy_reduction_args(size_average, reduce):
    x, y = rnd(3, 4), rnd(3, 4, seed=1)
    t = ints(4, 3)
    for fn in (lambda F, L, a, b: F.mse_loss(a, b, size_average, reduce),
               lambda F, L, a, b: F.l1_loss(a, b, size_average, reduce),
               lambda F, L, a, b: F.cross_entropy(a, L.tensor(t), None, size_average,
                                                  reduce=reduce),
               lambda F, L, a, b: F.kl_div(a, b.abs(), size_average, reduce),
               lambda F, L, a, b: F.margin_ranking_loss(a, b, b.sign(), 0.1, size_average,
                                                        reduce)):
        check_parity(fn, [x, y], [1, 1])
    with pytest.warns(UserWarning) as rec:
        EF.mse_loss(ember.tensor(x), ember.tensor(y), size_average, reduce)
    with pytest.warns(UserWarning) as rect:
        TF.mse_loss(torch.tensor(x), torch.tensor(y), size_average, reduce)
    assert str(rec[0].message) == str(rect[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        me = nn.MSELoss(size_average, reduce)
        mt = torch.nn.MSELoss(size_average, reduce)
    assert me.reduction == mt.reduction


@needs_torch
def test_warnings_as_torch():
    x = ember.tensor(rnd(2, 3))
    for call_e, call_t in [
        (lambda: EF.kl_div(x, x.exp()), lambda: TF.kl_div(torch.tensor(x.numpy()),
                                                          torch.tensor(x.numpy()).exp())),
        (lambda: EF.mse_loss(x, x[0]), lambda: TF.mse_loss(torch.tensor(x.numpy()),
                                                           torch.tensor(x.numpy()[0]))),
        (lambda: EF.l1_loss(x, ember.tensor(rnd(1, 3))),
         lambda: TF.l1_loss(torch.tensor(x.numpy()), torch.tensor(rnd(1, 3)))),
        (lambda: EF.mse_loss(x, x, reduction="elementwise_mean"),
         lambda: TF.mse_loss(torch.tensor(x.numpy()), torch.tensor(x.numpy()),
                             reduction="elementwise_mean")),
    ]:
        with pytest.warns(UserWarning) as re_:
            call_e()
        with pytest.warns(UserWarning) as rt:
            call_t()
        assert [str(w.message).replace("torch.", "ember.") for w in rt] == \
            [str(w.message) for w in re_]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EF.kl_div(x, x.exp(), reduction="batchmean")   # no warning
        EF.mse_loss(x, x)


# ---------------------------------------------------------------------------------------
# errors

ERRORS = [
    # cross entropy / nll: target dtype and shape, weight, bounds, options
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 4]).int()),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1.0, 0, 4])),
    lambda F, L: F.nll_loss(L.randn(3, 5), L.tensor([1, 0, 4], dtype=L.bool)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 5])),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, -100, -1])),
    lambda F, L: F.nll_loss(L.randn(3, 5), L.tensor([1, 0, -5])),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 9, 0]), label_smoothing=0.2),
    lambda F, L: F.cross_entropy(L.randn(2, 5, 3), L.tensor([[1, 1, 1], [1, 7, 1]])),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0])),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]), weight=L.ones(4)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]), weight=L.ones(5, 1)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]),
                                 weight=L.ones(5, dtype=L.float64)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]), label_smoothing=1.5),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.rand(3, 5), label_smoothing=1.5),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]), reduction="foo"),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.zeros(3, 5, dtype=L.long)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.rand(3, 5), ignore_index=1),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.rand(3, 4)),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.rand(3, 5), weight=L.rand(4)),
    lambda F, L: F.cross_entropy(L.randn(2, 3, 4, 4), L.zeros(2, 4, 5, dtype=L.long)),
    lambda F, L: F.cross_entropy(L.randn(2, 3, 4, 4), L.zeros(2, 4, dtype=L.long)),
    lambda F, L: F.cross_entropy(L.randn(2, 3, 4), L.zeros(2, 5, dtype=L.long)),
    lambda F, L: F.cross_entropy(L.randn(2, 3, 4, 4, 2), L.zeros(2, 4, 4, 3, dtype=L.long)),
    lambda F, L: F.nll_loss(L.randn(2, 3, 4), L.zeros(2, 4, dtype=L.uint8)),
    lambda F, L: F.nll_loss(L.randn(2, 3, 4, 4), L.zeros(2, 4, 4, dtype=L.int32)),
    lambda F, L: F.nll_loss(L.randn(3, 5, 2), L.zeros(4, 2, dtype=L.long)),
    lambda F, L: F.nll_loss(L.randn(3, 5, 2, 2), L.zeros(3, 2, 2, dtype=L.long),
                            weight=L.rand(4)),
    lambda F, L: F.nll_loss(L.randn(3, 5), L.zeros(3, 5, dtype=L.long)),
    lambda F, L: F.nll_loss(L.randn(5), L.tensor([1, 2])),
    lambda F, L: F.nll_loss(L.randn(3, 5), L.tensor(1)),
    lambda F, L: F.cross_entropy(L.tensor(1.0), L.tensor(1)),
    lambda F, L: F.nll_loss(L.tensor(1.0), L.tensor(1)),
    lambda F, L: F.cross_entropy(L.randn(3, 5).int(), L.tensor([1, 0, 1])),
    lambda F, L: F.cross_entropy(L.randn(3, 5), L.tensor([1, 0, 1]),
                                 weight=L.rand(5, requires_grad=True)),
    # binary cross entropy
    lambda F, L: F.binary_cross_entropy(L.rand(3), L.rand(4)),
    lambda F, L: F.binary_cross_entropy(L.tensor([1.5, 0.2]), L.rand(2)),
    lambda F, L: F.binary_cross_entropy(L.tensor([float("nan"), 0.2]), L.rand(2)),
    lambda F, L: F.binary_cross_entropy(L.rand(2, 3), L.rand(2, 3).double()),
    lambda F, L: F.binary_cross_entropy(L.rand(2, 3), L.rand(2, 3), weight=L.rand(4)),
    lambda F, L: F.binary_cross_entropy(L.rand(2, 3), L.rand(2, 3), weight=L.rand(3, 1, 3)),
    lambda F, L: F.binary_cross_entropy(L.rand(2, 3), L.rand(2, 3),
                                        weight=L.rand(3, requires_grad=True)),
    lambda F, L: F.binary_cross_entropy_with_logits(L.rand(2, 3), L.rand(2, 4)),
    lambda F, L: F.binary_cross_entropy_with_logits(L.rand(2, 3), L.rand(2, 3),
                                                    pos_weight=L.rand(4)),
    lambda F, L: F.binary_cross_entropy_with_logits(L.rand(2, 3), L.rand(2, 3),
                                                    weight=L.rand(4)),
    lambda F, L: F.binary_cross_entropy_with_logits(L.rand(2, 3), L.rand(2, 3),
                                                    pos_weight=L.rand(2, 3, 1)),
    lambda F, L: F.binary_cross_entropy_with_logits(L.rand(2, 3), L.rand(2, 3),
                                                    pos_weight=L.rand(3, requires_grad=True)),
    # regression
    lambda F, L: F.mse_loss(L.rand(2, 3), L.rand(4)),
    lambda F, L: F.mse_loss(L.rand(2, 3), L.rand(2, 3), weight=L.rand(3)),
    lambda F, L: F.l1_loss(L.rand(2, 3), L.rand(2, 3), weight=L.rand(3)),
    lambda F, L: F.smooth_l1_loss(L.rand(2, 3), L.rand(2, 3), beta=-1),
    lambda F, L: F.huber_loss(L.rand(2, 3), L.rand(2, 3), delta=0),
    lambda F, L: F.mse_loss(L.rand(2, 3), L.rand(2, 3), reduction="batchmean"),
    lambda F, L: F.kl_div(L.rand(2, 3), L.rand(2, 3), reduction="foo"),
    lambda F, L: F.soft_margin_loss(L.rand(3), L.rand(4)),
    lambda F, L: F.soft_margin_loss(L.rand(3), L.rand(3, requires_grad=True)),
    # margin / embedding losses
    lambda F, L: F.margin_ranking_loss(L.rand(3), L.rand(3), L.rand(2, 3)),
    lambda F, L: F.margin_ranking_loss(L.rand(3), L.rand(3), L.rand(4)),
    lambda F, L: F.hinge_embedding_loss(L.rand(3), L.rand(4)),
    lambda F, L: F.cosine_embedding_loss(L.rand(3, 4), L.rand(3, 4), L.rand(3, 1)),
    lambda F, L: F.cosine_embedding_loss(L.rand(4), L.rand(4), L.tensor([1.0])),
    lambda F, L: F.cosine_embedding_loss(L.rand(2, 3, 4), L.rand(2, 3, 4), L.rand(2)),
    lambda F, L: F.cosine_embedding_loss(L.rand(3, 4), L.rand(3, 5), L.rand(3)),
    lambda F, L: F.triplet_margin_loss(L.rand(3, 4), L.rand(3, 4), L.rand(3)),
    lambda F, L: F.triplet_margin_loss(L.rand(3, 4), L.rand(3, 4), L.rand(3, 4), margin=0),
    lambda F, L: F.triplet_margin_with_distance_loss(L.rand(3, 4), L.rand(3, 4),
                                                     L.rand(3, 4), margin=-1),
    lambda F, L: F.triplet_margin_with_distance_loss(L.rand(3, 4), L.rand(3, 4),
                                                     L.rand(3, 4), reduction="foo"),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 4])),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 3]).int()),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2])),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 3]), p=3),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 3]), weight=L.rand(3)),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 3]), weight=L.rand(3, 4)),
    lambda F, L: F.multi_margin_loss(L.rand(2, 3, 4), L.tensor([1, 2])),
    lambda F, L: F.multi_margin_loss(L.rand(3, 4), L.tensor([1, 2, 3]),
                                     weight=L.rand(4, requires_grad=True)),
    lambda F, L: F.multilabel_margin_loss(L.rand(3, 4), L.tensor([[1, 2, 4, 0]] * 3)),
    lambda F, L: F.multilabel_soft_margin_loss(L.rand(3, 4), L.rand(3, 5)),
    lambda F, L: F.multilabel_soft_margin_loss(L.rand(3, 4), L.rand(3, 4), reduction="foo"),
    lambda F, L: F.poisson_nll_loss(L.rand(3, 4), L.rand(3, 4), reduction="foo"),
    lambda F, L: F.gaussian_nll_loss(L.rand(3, 4), L.rand(3, 4), L.rand(3, 2)),
    lambda F, L: F.gaussian_nll_loss(L.rand(3, 4), L.rand(3, 4), -L.rand(3, 4)),
    lambda F, L: F.gaussian_nll_loss(L.rand(3, 4), L.rand(3, 4), -1.0),
    lambda F, L: F.gaussian_nll_loss(L.rand(3, 4), L.rand(3, 4), 1.0, reduction="foo"),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_as_torch(i):
    same_error(ERRORS[i])


MODULE_ERRORS = [
    lambda nn, L: nn.MultiMarginLoss(p=3),
    lambda nn, L: nn.MultiMarginLoss(weight=L.ones(2, 2)),
    lambda nn, L: nn.TripletMarginLoss(margin=0),
    lambda nn, L: nn.TripletMarginWithDistanceLoss(margin=-0.5),
    lambda nn, L: nn.HuberLoss(delta="1"),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(MODULE_ERRORS)))
def test_module_errors_as_torch(i):
    same_error(lambda F, L: MODULE_ERRORS[i](nn if L is ember else torch.nn, L))


# ---------------------------------------------------------------------------------------
# CTC

def _ctc_inputs(t_max=7, n=4, n_cls=5, seed=0):
    """log_probs (T, N, C) and padded targets with repeats (blank 0 never a target)."""
    x = rnd(t_max, n, n_cls, seed=seed)
    lp = x - np.log(np.exp(x).sum(2, keepdims=True))
    targets = np.array([[1, 1, 2], [3, 4, 0], [2, 0, 0], [4, 4, 4]])[:n]
    return lp.astype(np.float32), targets


CTC_CASES = {
    # name: (input_lengths, target_lengths, kwargs, targets form)
    "padded": ([7, 6, 5, 7], [3, 2, 1, 3], {}, "padded"),
    "concatenated": ([7, 6, 5, 7], [3, 2, 1, 3], {}, "concat"),
    "blank_last": ([7, 7, 3, 7], [3, 2, 1, 2], {"blank": 0}, "padded"),
    "empty_target": ([7, 4, 5, 6], [3, 0, 1, 2], {}, "padded"),
    "zero_length_input": ([7, 0, 5, 0], [3, 0, 1, 2], {"zero_infinity": True}, "padded"),
    "impossible": ([7, 6, 1, 4], [3, 2, 1, 3], {}, "padded"),
    "impossible_zero_inf": ([7, 6, 1, 4], [3, 2, 1, 3], {"zero_infinity": True}, "padded"),
    "tuples": ((7, 6, 5, 7), (3, 2, 1, 3), {}, "padded"),
}


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CTC_CASES))
def test_ctc_loss_parity(name, reduction):
    il, tl, kw, form = CTC_CASES[name]
    lp, targets = _ctc_inputs()
    if kw.get("blank") == 0 and name == "blank_last":
        lp, targets = lp[:, :, ::-1].copy(), 4 - targets     # blank is the last class
        kw = {"blank": 4}
    if form == "concat":
        targets = np.concatenate([targets[i, :k] for i, k in enumerate(tl)])

    def fn(F, L, x, t):
        lens = (L.tensor(il), L.tensor(tl)) if isinstance(il, list) else (il, tl)
        return F.ctc_loss(x, t, *lens, reduction=reduction, **kw)
    check_parity(fn, [lp, targets], [1, 0], rtol=1e-5, atol=1e-5)


@needs_torch
def test_ctc_loss_unbatched():
    lp, targets = _ctc_inputs(n=1)
    for reduction in REDUCTIONS:
        check_parity(lambda F, L, x, t: F.ctc_loss(x[:, 0], t[0], L.tensor(7), L.tensor(3),
                                                   reduction=reduction), [lp, targets], [1, 0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_gradcheck_through_log_softmax(reduction):
    # The gradient w.r.t. log_probs is PyTorch's exp(lp) - posterior: exact through
    # log_softmax (which is how CTC is used and how PyTorch checks it).
    x = rnd(5, 2, 4, seed=3).astype(np.float64)
    tgt = ember.tensor(np.array([[1, 1], [2, 3]]))
    assert gradcheck(lambda v: EF.ctc_loss(v.log_softmax(2), tgt, ember.tensor([5, 4]),
                                           ember.tensor([2, 1]), reduction=reduction),
                     (ember.tensor(x, requires_grad=True),), eps=1e-6, atol=1e-5, rtol=1e-4)


CTC_ERRORS = [
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([3, 2, 4, 1])),
    lambda F, L, lp: F.ctc_loss(lp[:2], L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 3),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 3)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7.0] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4), blank=5),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7, -1, 7, 7]),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1, -1, 1, 1])),
    lambda F, L, lp: F.ctc_loss(lp[None], L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[[1, 2, 2]]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([1, 2, 2]), L.tensor([7] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp.half(), L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4)),
    lambda F, L, lp: F.ctc_loss(lp, L.tensor([[1, 2, 2]] * 4), L.tensor([7] * 4),
                                L.tensor([1] * 4), reduction="foo"),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(CTC_ERRORS)))
def test_ctc_errors_as_torch(i):
    lp = _ctc_inputs()[0]
    same_error(lambda F, L: CTC_ERRORS[i](F, L, L.tensor(lp)))


def test_ctc_double_backward_is_a_clear_error():
    x = ember.randn(5, 2, 4, requires_grad=True)
    loss = EF.ctc_loss(x.log_softmax(2), ember.tensor([[1, 2], [2, 3]]), ember.tensor([5, 5]),
                       ember.tensor([2, 2]))
    with pytest.raises(RuntimeError, match="once_differentiable"):
        ember.autograd.grad(loss, x, create_graph=True)


def test_ctc_targets_out_of_range_is_an_error():
    lp = ember.tensor(_ctc_inputs()[0])
    with pytest.raises(RuntimeError, match="targets must be class indices"):
        EF.ctc_loss(lp, ember.tensor([[1, 7, 2]] * 4), ember.tensor([7] * 4),
                    ember.tensor([3] * 4))


# ---------------------------------------------------------------------------------------
# modules: repr, state_dict, forward/backward

def _w(lib, n=5, seed=4):
    return lib.tensor(uni(n, lo=0.2, hi=2.0, seed=seed))


MODULES = [
    # (class name, kwargs(lib), inputs: arrays, grads)
    ("L1Loss", lambda L: {}, [X, Y], [1, 1]),
    ("L1Loss", lambda L: {"reduction": "sum"}, [X, Y], [1, 1]),
    ("MSELoss", lambda L: {}, [X, Y], [1, 1]),
    ("MSELoss", lambda L: {"reduction": "none"}, [X, Y], [1, 1]),
    ("SmoothL1Loss", lambda L: {"beta": 0.5}, [X, Y], [1, 1]),
    ("HuberLoss", lambda L: {"delta": 0.3, "reduction": "sum"}, [X, Y], [1, 1]),
    ("CrossEntropyLoss", lambda L: {}, [X, ints(5, 4)], [1, 0]),
    ("CrossEntropyLoss", lambda L: {"weight": _w(L), "ignore_index": 1,
                                    "label_smoothing": 0.1}, [X, ints(5, 4)], [1, 0]),
    ("CrossEntropyLoss", lambda L: {"reduction": "none"}, [X, Q], [1, 1]),
    ("NLLLoss", lambda L: {"weight": _w(L), "reduction": "sum"}, [X, ints(5, 4)], [1, 0]),
    ("NLLLoss", lambda L: {"ignore_index": 0}, [X, ints(5, 4)], [1, 0]),
    ("BCELoss", lambda L: {"weight": _w(L)}, [P, Q], [1, 1]),
    ("BCEWithLogitsLoss", lambda L: {"weight": _w(L), "pos_weight": _w(L, seed=9)}, [X, Q],
     [1, 1]),
    ("BCEWithLogitsLoss", lambda L: {}, [X, Q], [1, 1]),
    ("KLDivLoss", lambda L: {"reduction": "batchmean", "log_target": True}, [X, Y], [1, 1]),
    ("PoissonNLLLoss", lambda L: {"log_input": False, "full": True, "eps": 1e-4},
     [P, uni(4, 5, hi=3)], [1, 1]),
    ("GaussianNLLLoss", lambda L: {"full": True, "eps": 1e-3},
     [X, Y, uni(4, 5, lo=0.1)], [1, 1, 1]),
    ("HingeEmbeddingLoss", lambda L: {"margin": 0.5}, [X, signs(4, 5)], [1, 0]),
    ("MultiLabelMarginLoss", lambda L: {}, [X, np.array([[0, 1, -1, 0, 0]] * 4)], [1, 0]),
    ("SoftMarginLoss", lambda L: {}, [X, signs(4, 5)], [1, 0]),
    ("MultiLabelSoftMarginLoss", lambda L: {"weight": _w(L)}, [X, Q], [1, 1]),
    ("CosineEmbeddingLoss", lambda L: {"margin": 0.2}, [X, Y, signs(4)], [1, 1, 0]),
    ("MarginRankingLoss", lambda L: {"margin": 0.1}, [X[0], Y[0], signs(5)], [1, 1, 1]),
    ("MultiMarginLoss", lambda L: {"p": 2, "margin": 0.5, "weight": _w(L)}, [X, ints(5, 4)],
     [1, 0]),
    ("TripletMarginLoss", lambda L: {"margin": 0.5, "p": 1.0, "swap": True},
     [X, Y, rnd(4, 5, seed=3)], [1, 1, 1]),
    ("TripletMarginWithDistanceLoss", lambda L: {"margin": 0.7},
     [X, Y, rnd(4, 5, seed=3)], [1, 1, 1]),
    ("CTCLoss", lambda L: {"blank": 2, "zero_infinity": True},
     [_ctc_inputs()[0], np.array([[1, 1, 3], [3, 4, 0], [4, 1, 0], [1, 4, 4]]),
      np.array([7, 2, 5, 7]), np.array([3, 2, 2, 3])], [1, 0, 0, 0]),
    ("CTCLoss", lambda L: {}, [_ctc_inputs()[0], _ctc_inputs()[1], np.array([7, 6, 5, 7]),
                               np.array([3, 2, 1, 3])], [1, 0, 0, 0]),
]


@needs_torch
@pytest.mark.parametrize("k", range(len(MODULES)))
def test_module_parity(k):
    name, kwargs, arrays, grads = MODULES[k]
    me, mt = getattr(nn, name)(**kwargs(ember)), getattr(torch.nn, name)(**kwargs(torch))
    assert repr(me) == repr(mt)
    sde, sdt = me.state_dict(), mt.state_dict()
    assert list(sde) == list(sdt)
    for key in sdt:
        assert_close(sde[key], sdt[key])
    for attr in ("reduction", "ignore_index", "label_smoothing", "margin", "p", "eps", "swap",
                 "beta", "delta", "log_input", "full", "log_target", "blank", "zero_infinity"):
        assert getattr(me, attr, None) == getattr(mt, attr, None), attr
    if arrays is not None:
        check_parity(lambda F, L, *ts: (me if L is ember else mt)(*ts), arrays, grads)


@needs_torch
def test_module_buffers_follow_to_and_load():
    me = nn.CrossEntropyLoss(weight=ember.ones(3))
    assert [n for n, _ in me.named_buffers()] == ["weight"]
    md = me.to(ember.float64)
    assert md.weight.dtype == ember.float64
    m2 = nn.BCEWithLogitsLoss(pos_weight=ember.ones(4))
    m2.load_state_dict({"pos_weight": ember.full((4,), 2.0)})
    assert m2.pos_weight.tolist() == [2.0] * 4
    assert nn.BCEWithLogitsLoss().state_dict() == {} or list(nn.BCEWithLogitsLoss()
                                                             .state_dict()) == []


@needs_torch
def test_nllloss2d_deprecated():
    with pytest.warns(FutureWarning):
        m = nn.NLLLoss2d()
    with pytest.warns(FutureWarning):
        mt = torch.nn.NLLLoss2d()
    assert repr(m) == repr(mt) == "NLLLoss2d()"


@needs_torch
def test_functional_namespace_complete():
    names = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
             "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div", "nll_loss",
             "cross_entropy", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
             "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
             "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
             "multi_margin_loss", "multilabel_margin_loss", "ctc_loss"]
    import inspect
    for n in names:
        fe, ft = getattr(EF, n), getattr(TF, n)
        pe = list(inspect.signature(fe).parameters.items())
        pt = list(inspect.signature(ft).parameters.items())
        assert [(k, v.default, v.kind) for k, v in pe] == \
            [(k, v.default, v.kind) for k, v in pt], n
    for cls in nn.modules.loss.__all__:
        se = inspect.signature(getattr(nn, cls).__init__).parameters
        st = inspect.signature(getattr(torch.nn, cls).__init__).parameters
        assert [(k, v.default) for k, v in se.items()] == \
            [(k, v.default) for k, v in st.items()], cls


@pytest.mark.parametrize("shape", [(600, 2000), (40, 300, 100)])
def test_cross_entropy_threaded_exp_matches_one_thread(monkeypatch, split_calls, shape):
    """On a quiet machine a large score array's exp and its softmax gradient run in two
    threads (split by rows): loss and gradient are bit for bit those of the one-thread
    path, 2-D and N-D."""
    from ember import backend
    from ember.ops import _host_threads as ht
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32) * 3
    t = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    assert x.size >= ht.HOST_THREADS_MIN

    def run():
        xe = ember.tensor(x, requires_grad=True)
        loss = EF.cross_entropy(xe, ember.tensor(t))
        loss.backward()
        return loss.detach().numpy(), xe.grad.numpy()
    monkeypatch.setattr(backend, "host_threads_free", lambda: False)
    one = run()
    monkeypatch.setattr(backend, "host_threads_free", lambda: True)
    two = run()
    assert len(split_calls) == 2, "the exp and the softmax gradient did not both split"
    for a, b in zip(one, two):
        assert a.tobytes() == b.tobytes()

