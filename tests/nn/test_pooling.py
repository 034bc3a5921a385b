"""Pooling: F.max_pool*, avg_pool*, adaptive_*, lp_pool*, max_unpool* and their nn layers
against PyTorch.

Forward values, indices (exact), input gradients, every option (padding, dilation,
ceil_mode edge cases, non-square kernels/strides, count_include_pad, divisor_override,
None in adaptive sizes), ties / NaN / -inf windows, unbatched and non-contiguous inputs,
dtypes, grad_fn names (float64 gradcheck/gradgradcheck: the op table,
tests/ops/samples_pooling.py), reprs and error messages.
float32 tolerances: rtol=1e-5, atol=1e-5 (sums over windows: atol=1e-5).
"""
import numpy as np
import pytest

import ember
import ember.ops.pooling as EF
from helpers import torch, needs_torch, assert_close

if torch is not None:
    import torch.nn.functional as TF

import ember.nn as nn

RTOL, ATOL = 1e-5, 1e-5


def _pair(a, requires_grad=True):
    xe = ember.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")
    xt = torch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")
    return xe, xt


def _first(r):
    return r[0] if isinstance(r, tuple) else r


def check(fe, ft, a, grad=True, rtol=RTOL, atol=ATOL, seed=1):
    """Forward (values, and indices exactly when returned) and input gradient parity."""
    xe, xt = _pair(a, grad)
    re, rt = fe(xe), ft(xt)
    assert isinstance(re, tuple) == isinstance(rt, tuple)
    assert_close(_first(re), _first(rt), rtol, atol)
    if isinstance(rt, tuple):
        assert re[1].dtype == ember.int64
        assert_close(re[1], rt[1])
    if grad and a.dtype.kind == "f":
        ye, yt = _first(re), _first(rt)
        g = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(a.dtype)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        assert_close(xe.grad, xt.grad, rtol, atol)
    return re, rt


def randn(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------------------------
# max pooling

MAX2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1)),
    dict(kernel_size=(2, 3), stride=(1, 3), padding=(0, 1), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, padding=1, dilation=2),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=(4, 2), stride=(3, 2), padding=(2, 0), ceil_mode=True),
    dict(kernel_size=5, stride=1, padding=2),
    dict(kernel_size=1),
    dict(kernel_size=(1, 3), stride=(1, 1)),
    dict(kernel_size=[2, 2], stride=[]),
]


@needs_torch
@pytest.mark.parametrize("opts", MAX2D)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 10), (1, 2, 5, 5)])
@pytest.mark.parametrize("indices", [False, True])
def test_max_pool2d(opts, shape, indices):
    check(lambda x: EF.max_pool2d(x, return_indices=indices, **opts),
          lambda x: TF.max_pool2d(x, return_indices=indices, **opts), randn(*shape))


@needs_torch
@pytest.mark.parametrize("opts", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True),
    dict(kernel_size=4, stride=3, ceil_mode=True), dict(kernel_size=(3,), stride=(1,)),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)])
@pytest.mark.parametrize("shape", [(2, 3, 11), (4, 10)])
@pytest.mark.parametrize("indices", [False, True])
def test_max_pool1d(opts, shape, indices):
    check(lambda x: EF.max_pool1d(x, return_indices=indices, **opts),
          lambda x: TF.max_pool1d(x, return_indices=indices, **opts), randn(*shape))


@needs_torch
@pytest.mark.parametrize("opts", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3, 1), stride=(1, 2, 1), padding=(1, 1, 0), dilation=(2, 1, 1)),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)])
@pytest.mark.parametrize("shape", [(2, 2, 5, 6, 7), (2, 4, 5, 6)])
@pytest.mark.parametrize("indices", [False, True])
def test_max_pool3d(opts, shape, indices):
    check(lambda x: EF.max_pool3d(x, return_indices=indices, **opts),
          lambda x: TF.max_pool3d(x, return_indices=indices, **opts), randn(*shape))


@needs_torch
@pytest.mark.parametrize("L,k,s,p,d", [(5, 2, 2, 0, 1), (6, 3, 2, 1, 1), (7, 3, 3, 1, 1),
                                       (4, 2, 3, 1, 1), (8, 3, 2, 1, 2), (5, 3, 4, 1, 1),
                                       (2, 2, 2, 1, 1), (10, 4, 3, 2, 1)])
def test_ceil_mode_edges(L, k, s, p, d):
    """Output sizes where ceil_mode adds (or, by PyTorch's rule, drops) a last window."""
    for ceil in (False, True):
        for fe, ft in ((EF.max_pool2d, TF.max_pool2d), (EF.avg_pool2d, TF.avg_pool2d)):
            if fe is EF.avg_pool2d:
                if d != 1:
                    continue
                args = (k, s, p, ceil)
            else:
                args = (k, s, p, d, ceil)
            re, rt = check(lambda x: fe(x, *args), lambda x: ft(x, *args), randn(2, 3, L, L))
            assert re.shape == rt.shape


@needs_torch
def test_max_pool_ties_pick_first():
    """Windows of equal values (ReLU zeros): the index and gradient go to the first one."""
    a = np.zeros((2, 2, 6, 6), np.float32)
    a[0, 0, 1, 1] = a[0, 0, 0, 1] = 1.0
    for opts in MAX2D[:8]:
        check(lambda x: EF.max_pool2d(x, return_indices=True, **opts),
              lambda x: TF.max_pool2d(x, return_indices=True, **opts), a)
    for size in [(3, 2), (4, 5), (1, 1)]:
        check(lambda x: EF.adaptive_max_pool2d(x, size, True),
              lambda x: TF.adaptive_max_pool2d(x, size, True), a)


@pytest.fixture(params=[False, True], ids=["one_thread", "two_threads"])
def batch_split(request, monkeypatch, split_calls):
    """Max pooling with its batch split across two threads forced on (``True``) or off,
    every split counted in the returned list."""
    from ember import backend
    monkeypatch.setattr(backend, "host_threads_free", lambda: request.param)
    monkeypatch.setattr(EF, "POOL_SPLIT_MIN", 0)
    return request.param, split_calls


@needs_torch
@pytest.mark.parametrize("shape", [(2, 3, 4, 32), (2, 3, 6, 8), (3, 4, 34)])
@pytest.mark.parametrize("kind", ["ties", "nan", "neginf", "float64", "int"])
def test_max_pool_2x2_pairs_path(shape, kind, batch_split):
    """kernel == stride == 2 on even sizes (ember's whole-array path, both of its row-length
    variants): values, indices and gradients as PyTorch, ties and NaN included, on one
    thread and with the batch split across two (``batch_split``)."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal(shape).astype(np.float32)
    if kind == "ties":
        a = np.maximum(np.round(a), 0)
    elif kind == "nan":
        a[rng.random(a.shape) < 0.2] = np.nan
    elif kind == "neginf":
        a[rng.random(a.shape) < 0.6] = -np.inf
    elif kind == "float64":
        a = np.round(a).astype(np.float64)
    else:
        a = (a * 2).astype(np.int64)
    for indices in (False, True):
        check(lambda x: EF.max_pool2d(x, 2, return_indices=indices),
              lambda x: TF.max_pool2d(x, 2, return_indices=indices), a)
    split, calls = batch_split
    assert bool(calls) == split


def _has_empty_window(L, k, s, p, d, o):
    """A window with no element inside the input (PyTorch then points its index and
    gradient outside the window: not compared)."""
    return any(all(not 0 <= j * s - p + t * d < L for t in range(k)) for j in range(o))


@needs_torch
@pytest.mark.parametrize("kind", ["ties", "nan", "neginf", "int"])
def test_max_pool_fuzz(kind, batch_split):
    """Random shapes and options against PyTorch: values, indices, gradients (one thread,
    and the batch split across two where the geometry allows)."""
    rng = np.random.default_rng({"ties": 1, "nan": 2, "neginf": 3, "int": 4}[kind])
    done = 0
    while done < 60:
        H, W = rng.integers(1, 9, 2)
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
        ceil = bool(rng.integers(0, 2))
        a = rng.standard_normal((2, 2, H, W)).astype(np.float32)
        if kind == "ties":
            a = np.round(a).clip(-1, 0)
        elif kind == "nan":
            a[rng.random(a.shape) < 0.3] = np.nan
        elif kind == "neginf":
            a[rng.random(a.shape) < 0.6] = -np.inf
        else:
            a = (a * 3).astype(np.int64)
        args = (k, s, p, d, ceil, True)
        try:
            out = TF.max_pool2d(torch.tensor(a), *args)[0]
        except RuntimeError as e:
            with pytest.raises(RuntimeError) as info:
                EF.max_pool2d(ember.tensor(a), *args)
            assert str(info.value) == str(e)
            continue
        oh, ow = out.shape[-2:]
        if _has_empty_window(H, k[0], s[0], p[0], d[0], oh) or \
                _has_empty_window(W, k[1], s[1], p[1], d[1], ow):
            continue
        check(lambda x: EF.max_pool2d(x, *args), lambda x: TF.max_pool2d(x, *args), a)
        done += 1


@needs_torch
def test_max_pool_nan_gradient_goes_to_last_nan():
    a = np.array([[[[np.nan, 1.0, np.nan], [2.0, np.nan, 0.0], [np.nan, 5.0, 1.0]]]],
                 np.float32)
    check(lambda x: EF.max_pool2d(x, 2, 1, return_indices=True),
          lambda x: TF.max_pool2d(x, 2, 1, return_indices=True), a)
    check(lambda x: EF.max_pool2d(x, 3, 1, 1, return_indices=True),
          lambda x: TF.max_pool2d(x, 3, 1, 1, return_indices=True), a)


@needs_torch
def test_max_pool_non_contiguous_and_views():
    base = randn(2, 9, 8, 3)
    xe = ember.tensor(base).permute(0, 3, 1, 2)
    xt = torch.tensor(base).permute(0, 3, 1, 2)
    assert_close(EF.max_pool2d(xe, 3, 2, 1), TF.max_pool2d(xt, 3, 2, 1))
    assert_close(EF.avg_pool2d(xe, 2), TF.avg_pool2d(xt, 2))
    # the output never aliases the input, even for kernel 1
    x = ember.tensor(randn(1, 1, 4, 4))
    y = EF.max_pool2d(x, 1)
    y[0, 0, 0, 0] = 100.0
    assert x[0, 0, 0, 0].item() != 100.0


@needs_torch
@pytest.mark.parametrize("dt", ["float64", "float16", "bfloat16"])
def test_pool_dtypes(dt):
    a = randn(2, 3, 7, 6)
    xe = ember.tensor(a).to(getattr(ember, dt))
    xt = torch.tensor(a).to(getattr(torch, dt))
    tol = 1e-7 if dt == "float64" else 1e-2
    for fe, ft in [(lambda x: EF.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1)),
                   (lambda x: EF.avg_pool2d(x, 3, 2, 1), lambda x: TF.avg_pool2d(x, 3, 2, 1)),
                   (lambda x: EF.adaptive_avg_pool2d(x, (3, 4)),
                    lambda x: TF.adaptive_avg_pool2d(x, (3, 4))),
                   (lambda x: EF.adaptive_max_pool2d(x, (3, 4)),
                    lambda x: TF.adaptive_max_pool2d(x, (3, 4)))]:
        assert_close(fe(xe), ft(xt), tol, tol)


@needs_torch
def test_int_pooling():
    a = (randn(2, 3, 7, 6) * 10).astype(np.int64)
    for args in [(3, 2, 1), (2,), (3, 1, 1, 2, True)]:
        check(lambda x: EF.max_pool2d(x, *args, return_indices=True),
              lambda x: TF.max_pool2d(x, *args, return_indices=True), a, grad=False)
    # integer average pooling truncates toward zero, as PyTorch's int64 kernel
    for kw in [dict(), dict(divisor_override=4), dict(count_include_pad=False)]:
        check(lambda x: EF.avg_pool2d(x, 3, 2, 1, **kw),
              lambda x: TF.avg_pool2d(x, 3, 2, 1, **kw), a, grad=False)
    check(lambda x: EF.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2),
          a.astype(np.uint8), grad=False)


# ---------------------------------------------------------------------------------------
# average pooling

AVG2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1), divisor_override=3),
    dict(kernel_size=(2, 4), stride=(3, 1), padding=(1, 2), ceil_mode=True),
    dict(kernel_size=4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=1, stride=2),
]


@needs_torch
@pytest.mark.parametrize("opts", AVG2D)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 10)])
def test_avg_pool2d(opts, shape):
    check(lambda x: EF.avg_pool2d(x, **opts), lambda x: TF.avg_pool2d(x, **opts), randn(*shape))


@needs_torch
@pytest.mark.parametrize("opts", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=(4,), stride=(3,), padding=(2,), ceil_mode=True)])
@pytest.mark.parametrize("shape", [(2, 3, 11), (4, 10)])
def test_avg_pool1d(opts, shape):
    check(lambda x: EF.avg_pool1d(x, **opts), lambda x: TF.avg_pool1d(x, **opts), randn(*shape))


@needs_torch
@pytest.mark.parametrize("opts", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True,
         divisor_override=5)])
def test_avg_pool3d(opts):
    check(lambda x: EF.avg_pool3d(x, **opts), lambda x: TF.avg_pool3d(x, **opts),
          randn(2, 2, 5, 6, 7))
    check(lambda x: EF.avg_pool3d(x, **opts), lambda x: TF.avg_pool3d(x, **opts),
          randn(3, 5, 6, 7))


# ---------------------------------------------------------------------------------------
# adaptive pooling

ADAPT2D = [1, 2, 3, (3, 4), (5, None), (None, 2), (7, 13), (9, 8), (4, 1)]


@needs_torch
@pytest.mark.parametrize("size", ADAPT2D)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 5, 7), (2, 2, 1, 1)])
def test_adaptive_avg_pool2d(size, shape):
    check(lambda x: EF.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size),
          randn(*shape))


@needs_torch
@pytest.mark.parametrize("size", ADAPT2D)
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 5, 7)])
@pytest.mark.parametrize("indices", [False, True])
def test_adaptive_max_pool2d(size, shape, indices):
    check(lambda x: EF.adaptive_max_pool2d(x, size, indices),
          lambda x: TF.adaptive_max_pool2d(x, size, indices), randn(*shape))


@needs_torch
@pytest.mark.parametrize("size", [1, 3, 4, 7, 10, 15, (4,)])
def test_adaptive_pool1d(size):
    for shape in [(2, 3, 10), (3, 7)]:
        check(lambda x: EF.adaptive_avg_pool1d(x, size),
              lambda x: TF.adaptive_avg_pool1d(x, size), randn(*shape))
        check(lambda x: EF.adaptive_max_pool1d(x, size, True),
              lambda x: TF.adaptive_max_pool1d(x, size, True), randn(*shape))


@needs_torch
@pytest.mark.parametrize("size", [1, (2, 3, 4), (None, 3, 2), (6, 7, 5)])
def test_adaptive_pool3d(size):
    for shape in [(2, 2, 4, 5, 6), (2, 4, 5, 6)]:
        check(lambda x: EF.adaptive_avg_pool3d(x, size),
              lambda x: TF.adaptive_avg_pool3d(x, size), randn(*shape))
        check(lambda x: EF.adaptive_max_pool3d(x, size, True),
              lambda x: TF.adaptive_max_pool3d(x, size, True), randn(*shape))


@needs_torch
def test_adaptive_empty_output_and_batch():
    a = randn(2, 3, 5, 4)
    for fe, ft in [(EF.adaptive_avg_pool2d, TF.adaptive_avg_pool2d),
                   (EF.adaptive_max_pool2d, TF.adaptive_max_pool2d)]:
        assert tuple(fe(ember.tensor(a), 0).shape) == tuple(ft(torch.tensor(a), 0).shape)
        assert tuple(fe(ember.tensor(a), (0, 2)).shape) == (2, 3, 0, 2)
        z = randn(0, 3, 5, 4)
        assert_close(fe(ember.tensor(z), 2), ft(torch.tensor(z), 2))
    z = randn(0, 3, 6, 6)
    assert_close(EF.max_pool2d(ember.tensor(z), 2), TF.max_pool2d(torch.tensor(z), 2))
    assert_close(EF.avg_pool2d(ember.tensor(z), 2), TF.avg_pool2d(torch.tensor(z), 2))


@needs_torch
def test_global_average_pool_large():
    """The GEMV path of global pooling (ResNet's head)."""
    check(lambda x: EF.adaptive_avg_pool2d(x, 1), lambda x: TF.adaptive_avg_pool2d(x, 1),
          randn(4, 64, 7, 7))
    check(lambda x: EF.adaptive_avg_pool2d(x, (1, 1)), lambda x: TF.adaptive_avg_pool2d(x, 1),
          randn(64, 7, 7))
    check(lambda x: EF.avg_pool2d(x, 7), lambda x: TF.avg_pool2d(x, 7), randn(2, 8, 7, 7))


# ---------------------------------------------------------------------------------------
# lp pooling, max unpooling


@needs_torch
@pytest.mark.parametrize("p", [1, 2, 3.5, float("inf")])
def test_lp_pool(p):
    a = np.abs(randn(2, 3, 8, 9)) + 0.1
    check(lambda x: EF.lp_pool2d(x, p, 3, 2), lambda x: TF.lp_pool2d(x, p, 3, 2), a)
    check(lambda x: EF.lp_pool2d(x, p, (2, 3), ceil_mode=True),
          lambda x: TF.lp_pool2d(x, p, (2, 3), ceil_mode=True), a)
    check(lambda x: EF.lp_pool1d(x, p, 3, 2), lambda x: TF.lp_pool1d(x, p, 3, 2), a[0])
    check(lambda x: EF.lp_pool3d(x, p, 2), lambda x: TF.lp_pool3d(x, p, 2),
          np.abs(randn(1, 2, 4, 4, 5)) + 0.1)


@needs_torch
@pytest.mark.parametrize("n,opts,shape", [
    (2, dict(kernel_size=2), (2, 3, 8, 8)),
    (2, dict(kernel_size=3, stride=2, padding=1), (2, 3, 9, 7)),
    (1, dict(kernel_size=2, stride=2), (2, 3, 9)),
    (3, dict(kernel_size=2), (1, 2, 4, 4, 6)),
    (2, dict(kernel_size=2), (3, 6, 6))])
def test_max_unpool(n, opts, shape):
    pool_e = getattr(EF, f"max_pool{n}d")
    pool_t = getattr(TF, f"max_pool{n}d")
    unpool_e = getattr(EF, f"max_unpool{n}d")
    unpool_t = getattr(TF, f"max_unpool{n}d")
    a = randn(*shape)
    ye, ie = pool_e(ember.tensor(a), return_indices=True, **opts)
    yt, it = pool_t(torch.tensor(a), return_indices=True, **opts)
    kw = {k: v for k, v in opts.items() if k != "dilation"}
    check(lambda v: unpool_e(v, ie, **kw), lambda v: unpool_t(v, it, **kw), yt.numpy())
    out_size = shape[-n:]
    check(lambda v: unpool_e(v, ie, output_size=out_size, **kw),
          lambda v: unpool_t(v, it, output_size=out_size, **kw), yt.numpy())
    m_e = getattr(nn, f"MaxUnpool{n}d")(**kw)
    m_t = getattr(torch.nn, f"MaxUnpool{n}d")(**kw)
    assert repr(m_e) == repr(m_t)
    assert_close(m_e(ember.tensor(yt.numpy()), ie), m_t(yt, it))


@needs_torch
def test_max_unpool_errors():
    x = ember.tensor(randn(1, 1, 2, 2))
    xt = torch.tensor(randn(1, 1, 2, 2))
    idx_e = ember.tensor(np.array([[[[0, 1], [2, 40]]]]))
    idx_t = torch.tensor(np.array([[[[0, 1], [2, 40]]]]))
    for call in [lambda F, v, i: F.max_unpool2d(v, i, 2, output_size=(9, 9)),
                 lambda F, v, i: F.max_unpool2d(v, i, 2, output_size=(1, 2, 3))]:
        with pytest.raises(ValueError) as te:
            call(TF, xt, idx_t)
        with pytest.raises(ValueError) as ee:
            call(EF, x, idx_e)
        assert str(ee.value) == str(te.value)
    with pytest.raises(RuntimeError, match="invalid max index: 40"):
        EF.max_unpool2d(x, idx_e, 2)
    with pytest.raises(RuntimeError):
        EF.max_unpool2d(x, ember.tensor(np.zeros((1, 1, 2, 2), np.int32)), 2)


# ---------------------------------------------------------------------------------------
# autograd: gradcheck, double backward, grad_fn names

# gradcheck and gradgradcheck of every pooling function: tests/ops/samples_pooling.py


@needs_torch
def test_double_backward_matches_torch():
    a = randn(1, 2, 6, 6, dtype=np.float64)
    for fe, ft in [(lambda x: EF.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1)),
                   (lambda x: EF.avg_pool2d(x, 2), lambda x: TF.avg_pool2d(x, 2))]:
        xe, xt = _pair(a)
        ge, = ember.autograd.grad((fe(xe) ** 2).sum(), xe, create_graph=True)
        gt, = torch.autograd.grad((ft(xt) ** 2).sum(), xt, create_graph=True)
        assert_close(ge, gt)
        ge2, = ember.autograd.grad((ge ** 3).sum(), xe)
        gt2, = torch.autograd.grad((gt ** 3).sum(), xt)
        assert_close(ge2, gt2)


@needs_torch
def test_grad_fn_names():
    x = ember.tensor(randn(1, 2, 4, 4), requires_grad=True)
    assert EF.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert EF.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert EF.adaptive_avg_pool2d(x, 3).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    assert EF.adaptive_max_pool2d(x, 3).grad_fn.name() == "AdaptiveMaxPool2DBackward0"
    y, i = EF.max_pool2d(x, 2, return_indices=True)
    assert y.requires_grad and not i.requires_grad


# ---------------------------------------------------------------------------------------
# layers


@needs_torch
@pytest.mark.parametrize("name,args,kwargs", [
    ("MaxPool1d", (3,), {}), ("MaxPool1d", (3, 2, 1), dict(ceil_mode=True)),
    ("MaxPool2d", (2,), {}), ("MaxPool2d", ((3, 2), (2, 1), 1, 2), dict(ceil_mode=True)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, return_indices=True)),
    ("MaxPool3d", (2,), {}), ("MaxPool3d", (3, 2, 1), {}),
    ("AvgPool1d", (3,), {}), ("AvgPool1d", (3, 2, 1, True, False), {}),
    ("AvgPool2d", (2,), {}), ("AvgPool2d", ((3, 2), 1, (1, 0)), dict(divisor_override=2)),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("AvgPool3d", (2,), {}),
    ("AdaptiveAvgPool1d", (3,), {}), ("AdaptiveAvgPool2d", ((5, None),), {}),
    ("AdaptiveAvgPool2d", (1,), {}), ("AdaptiveAvgPool3d", ((2, 3, None),), {}),
    ("AdaptiveMaxPool1d", (3,), {}), ("AdaptiveMaxPool2d", ((2, 3),), dict(return_indices=True)),
    ("AdaptiveMaxPool3d", (2,), {}),
    ("LPPool1d", (2, 3), {}), ("LPPool2d", (2.5, (2, 3), 1), dict(ceil_mode=True)),
    ("LPPool3d", (1, 2), {}),
])
def test_layers(name, args, kwargs):
    m_e = getattr(nn, name)(*args, **kwargs)
    m_t = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == list(m_t.state_dict()) == []
    n = int(name[-2])
    shape = {1: (2, 3, 12), 2: (2, 3, 9, 8), 3: (2, 2, 6, 7, 5)}[n]
    a = np.abs(randn(*shape)) + 0.1
    for mode in ("train", "eval"):
        getattr(m_e, mode)()
        getattr(m_t, mode)()
        check(m_e, m_t, a)
        check(m_e, m_t, a[0])     # unbatched


@needs_torch
def test_layer_reprs_exact():
    assert repr(nn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 2)) == "AvgPool2d(kernel_size=3, stride=2, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    assert repr(nn.MaxUnpool2d(2)) == \
        "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    seq_e = nn.Sequential(nn.MaxPool2d(3, 2, 1), nn.AdaptiveAvgPool2d(1))
    seq_t = torch.nn.Sequential(torch.nn.MaxPool2d(3, 2, 1), torch.nn.AdaptiveAvgPool2d(1))
    assert repr(seq_e) == repr(seq_t)


# ---------------------------------------------------------------------------------------
# errors: same exception type and message as PyTorch

x4 = randn(2, 3, 5, 5)
x3 = randn(3, 5, 9)

ERRORS = [
    ("mp2_2d", lambda F, T: F.max_pool2d(T(randn(5, 5)), 2)),
    ("mp2_5d", lambda F, T: F.max_pool2d(T(randn(1, 2, 3, 5, 5)), 2)),
    ("mp2_pad_big", lambda F, T: F.max_pool2d(T(x4), 2, padding=2)),
    ("mp2_pad_old_rule", lambda F, T: F.max_pool2d(T(randn(1, 1, 9, 9)), 3, dilation=2,
                                                   padding=2)),
    ("mp2_pad_eff", lambda F, T: F.max_pool2d(T(randn(1, 1, 9, 9)), 3, dilation=2,
                                              padding=3)),
    ("mp2_k0", lambda F, T: F.max_pool2d(T(x4), 0)),
    ("mp2_k0_s1", lambda F, T: F.max_pool2d(T(x4), (0, 2), 1)),
    ("mp2_neg_k", lambda F, T: F.max_pool2d(T(x4), -2, 1)),
    ("mp2_stride0", lambda F, T: F.max_pool2d(T(x4), 2, stride=0)),
    ("mp2_neg_stride", lambda F, T: F.max_pool2d(T(x4), 2, -1)),
    ("mp2_dil0", lambda F, T: F.max_pool2d(T(x4), 2, dilation=0)),
    ("mp2_neg_pad", lambda F, T: F.max_pool2d(T(x4), 2, padding=-1)),
    ("mp2_too_small", lambda F, T: F.max_pool2d(T(x4), 6)),
    ("mp2_k3tuple", lambda F, T: F.max_pool2d(T(x4), (2, 2, 2))),
    ("mp2_s3tuple", lambda F, T: F.max_pool2d(T(x4), 2, (1, 1, 1))),
    ("mp2_p3tuple", lambda F, T: F.max_pool2d(T(x4), 2, 2, (0, 0, 0))),
    ("mp2_d3tuple", lambda F, T: F.max_pool2d(T(x4), 2, 2, 0, (1, 1, 1))),
    ("mp2_empty_chan", lambda F, T: F.max_pool2d(T(randn(2, 0, 4, 4)), 2)),
    ("mp2_float_k", lambda F, T: F.max_pool2d(T(x4), 2.0)),
    ("mp2_bool", lambda F, T: F.max_pool2d(T(x4 > 0), 2)),
    ("mp1_1d", lambda F, T: F.max_pool1d(T(randn(5)), 2)),
    ("mp1_4d", lambda F, T: F.max_pool1d(T(x4), 2)),
    ("mp1_pad", lambda F, T: F.max_pool1d(T(x3), 2, padding=2)),
    ("mp1_k0", lambda F, T: F.max_pool1d(T(x3), 0)),
    ("mp1_small", lambda F, T: F.max_pool1d(T(x3), 10)),
    ("mp1_stride0", lambda F, T: F.max_pool1d(T(x3), 2, 0)),
    ("mp1_dil0", lambda F, T: F.max_pool1d(T(x3), 2, dilation=0)),
    ("mp1_neg_pad", lambda F, T: F.max_pool1d(T(x3), 2, padding=-1)),
    ("mp1_k2tuple", lambda F, T: F.max_pool1d(T(x3), (2, 2))),
    ("mp1_s2tuple", lambda F, T: F.max_pool1d(T(x3), 2, (1, 1))),
    ("mp1_empty", lambda F, T: F.max_pool1d(T(randn(2, 0, 4)), 2)),
    ("mp1_int", lambda F, T: F.max_pool1d(T(x3.astype(np.int64)), 2)),
    ("mp1_ri_small", lambda F, T: F.max_pool1d(T(x3), 10, return_indices=True)),
    ("mp1_ri_pad", lambda F, T: F.max_pool1d(T(x3), 2, padding=2, return_indices=True)),
    ("mp1_ri_k2tuple", lambda F, T: F.max_pool1d(T(x3), (2, 2), return_indices=True)),
    ("mp3_3d", lambda F, T: F.max_pool3d(T(x3), 2)),
    ("mp3_pad", lambda F, T: F.max_pool3d(T(randn(1, 1, 4, 4, 4)), 2, padding=2)),
    ("mp3_small", lambda F, T: F.max_pool3d(T(randn(1, 1, 4, 4, 4)), 5)),
    ("mp3_k0", lambda F, T: F.max_pool3d(T(randn(1, 1, 4, 4, 4)), 0, 1)),
    ("mp3_empty", lambda F, T: F.max_pool3d(T(randn(1, 0, 4, 4, 4)), 2)),
    ("mp3_k2tuple", lambda F, T: F.max_pool3d(T(randn(1, 1, 4, 4, 4)), (2, 2))),
    ("ap2_2d", lambda F, T: F.avg_pool2d(T(randn(5, 5)), 2)),
    ("ap2_5d", lambda F, T: F.avg_pool2d(T(randn(1, 1, 1, 4, 4)), 2)),
    ("ap2_pad", lambda F, T: F.avg_pool2d(T(x4), 2, padding=2)),
    ("ap2_k0", lambda F, T: F.avg_pool2d(T(x4), 0)),
    ("ap2_stride0", lambda F, T: F.avg_pool2d(T(x4), 2, 0)),
    ("ap2_div0", lambda F, T: F.avg_pool2d(T(x4), 2, divisor_override=0)),
    ("ap2_small", lambda F, T: F.avg_pool2d(T(x4), 6)),
    ("ap2_k3tuple", lambda F, T: F.avg_pool2d(T(x4), (2, 2, 2))),
    ("ap2_int32", lambda F, T: F.avg_pool2d(T(x4.astype(np.int32)), 2)),
    ("ap1_1d", lambda F, T: F.avg_pool1d(T(randn(5)), 2)),
    ("ap1_pad", lambda F, T: F.avg_pool1d(T(x3), 2, padding=2)),
    ("ap1_small", lambda F, T: F.avg_pool1d(T(x3), 10)),
    ("ap1_k2tuple", lambda F, T: F.avg_pool1d(T(x3), (2, 2))),
    ("ap1_s2tuple", lambda F, T: F.avg_pool1d(T(x3), 2, (1, 1))),
    ("ap3_3d", lambda F, T: F.avg_pool3d(T(x3), 2)),
    ("ap3_small", lambda F, T: F.avg_pool3d(T(randn(1, 1, 4, 4, 4)), 5)),
    ("aap2_2d", lambda F, T: F.adaptive_avg_pool2d(T(randn(5, 5)), 2)),
    ("aap2_neg", lambda F, T: F.adaptive_avg_pool2d(T(x4), -1)),
    ("aap2_3tuple", lambda F, T: F.adaptive_avg_pool2d(T(x4), (1, 2, 3))),
    ("aap2_empty", lambda F, T: F.adaptive_avg_pool2d(T(randn(2, 3, 0, 4)), 2)),
    ("aap2_long", lambda F, T: F.adaptive_avg_pool2d(T(x4.astype(np.int64)), 2)),
    ("aap1_1d", lambda F, T: F.adaptive_avg_pool1d(T(randn(5)), 2)),
    ("aap1_4d", lambda F, T: F.adaptive_avg_pool1d(T(x4), 2)),
    ("aap1_2tuple", lambda F, T: F.adaptive_avg_pool1d(T(x3), (2, 2))),
    ("aap1_empty", lambda F, T: F.adaptive_avg_pool1d(T(randn(2, 3, 0)), 2)),
    ("amp2_2d", lambda F, T: F.adaptive_max_pool2d(T(randn(5, 5)), 2)),
    ("amp2_neg", lambda F, T: F.adaptive_max_pool2d(T(x4), -2)),
    ("amp2_3tuple", lambda F, T: F.adaptive_max_pool2d(T(x4), (2, 2, 2))),
    ("amp2_empty", lambda F, T: F.adaptive_max_pool2d(T(randn(2, 3, 0, 4)), 2)),
    ("amp1_1d", lambda F, T: F.adaptive_max_pool1d(T(randn(5)), 2)),
    ("amp1_2tuple", lambda F, T: F.adaptive_max_pool1d(T(x3), (2, 2))),
    ("amp1_empty", lambda F, T: F.adaptive_max_pool1d(T(randn(2, 3, 0)), 2)),
    ("aap3_2d", lambda F, T: F.adaptive_avg_pool3d(T(randn(2, 2)), 2)),
    ("amp3_2d", lambda F, T: F.adaptive_max_pool3d(T(randn(2, 2)), 2)),
    ("aap3_empty", lambda F, T: F.adaptive_avg_pool3d(T(randn(2, 0, 2, 2)), 2)),
]


@needs_torch
@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, call):
    with pytest.raises(Exception) as t_err:
        call(TF, torch.tensor)
    with pytest.raises(Exception) as e_err:
        call(EF, ember.tensor)
    assert type(e_err.value) is type(t_err.value)
    assert str(e_err.value) == str(t_err.value)
