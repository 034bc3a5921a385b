"""Table entries for ember.ops.loss (cross-entropy, nll and the element-wise losses).

Each fn runs through ``lib.nn.functional``. Class targets are fixed int64 tensors
(``Const``); float weights and probability targets are non-differentiable inputs
(``Arr(..., grad=False)``), so they follow each run's dtype. The cases were the local
gradcheck table of tests/nn/test_loss.py; the table adds torch parity, gradgradcheck and
the non-contiguous runs.
"""
import numpy as np

from ops.table import OpSample, Arr, Const


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


def _target(values):
    arr = np.asarray(values, dtype=np.int64)
    return Const(lambda lib: lib.tensor(arr))


def _classes(hi, *shape, seed=0):
    return _target(np.random.default_rng(seed).integers(0, hi, shape))


def _weight(n, lo=0.2, hi=2.0):
    return Arr((n,), lo, hi, grad=False)


SAMPLES = [
    OpSample("cross_entropy", _f(lambda F, x, t: F.cross_entropy(x, t)),
             [[(5, 4), _classes(4, 5)]]),
    OpSample("cross_entropy_none_weight_ignore",
             _f(lambda F, x, t, w: F.cross_entropy(x, t, w, reduction="none")),
             [[(5, 4), _target([0, -100, 3, 1, -100]), _weight(4)]]),
    OpSample("cross_entropy_smooth_weight_ignore",
             _f(lambda F, x, t, w: F.cross_entropy(x, t, w, label_smoothing=0.3)),
             [[(5, 4), _target([0, -100, 3, 1, 2]), _weight(4)]]),
    OpSample("cross_entropy_kdim_smooth_sum",
             _f(lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.2, reduction="sum")),
             [[(2, 3, 2, 2), _classes(3, 2, 2, 2)]]),
    OpSample("cross_entropy_probabilities",
             _f(lambda F, x, q, w: F.cross_entropy(x, q, w, label_smoothing=0.1)),
             [[(4, 3), Arr((4, 3), 0, 1), _weight(3, 0.5, 1.0)]]),
    OpSample("cross_entropy_probabilities_none_kdim",
             _f(lambda F, x, q: F.cross_entropy(x, q, reduction="none")),
             [[(2, 3, 2), Arr((2, 3, 2), 0, 1)]]),
    OpSample("nll_loss_weight_ignore", _f(lambda F, x, t, w: F.nll_loss(x, t, w)),
             [[(3, 3), _target([2, -100, 0]), _weight(3, 0.5, 2.0)]]),
    OpSample("mse_loss", _f(lambda F, x, y: F.mse_loss(x, y)), [[(3, 4), (3, 4)]]),
    OpSample("l1_loss_sum", _f(lambda F, x, y: F.l1_loss(x, y, reduction="sum")),
             [[(3, 4), (3, 4)]]),
    OpSample("smooth_l1_loss", _f(lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.7,
                                                                  reduction="none")),
             [[(3, 4), (3, 4)]]),
    OpSample("huber_loss", _f(lambda F, x, y: F.huber_loss(x, y, delta=0.6)),
             [[(3, 4), (3, 4)]]),
    OpSample("binary_cross_entropy", _f(lambda F, p, y: F.binary_cross_entropy(p, y)),
             [[Arr((3, 4), 0.1, 0.9), Arr((3, 4), 0, 1)]]),
    OpSample("binary_cross_entropy_with_logits",
             _f(lambda F, x, y, w, pw: F.binary_cross_entropy_with_logits(x, y, w,
                                                                          pos_weight=pw)),
             [[(3, 4), Arr((3, 4), 0, 1), _weight(4, 0, 1), _weight(4, 0.5, 2)]]),
    OpSample("soft_margin_loss", _f(lambda F, x, y: F.soft_margin_loss(x, y.sign())),
             [[(3, 4), Arr((3, 4), grad=False)]]),
    OpSample("kl_div_batchmean", _f(lambda F, x, y: F.kl_div(x, y, reduction="batchmean")),
             [[(3, 4), Arr((3, 4), 0.1, 1)]]),
    OpSample("kl_div_log_target", _f(lambda F, x, y: F.kl_div(x, y, reduction="sum",
                                                             log_target=True)),
             [[(3, 4), (3, 4)]]),
    OpSample("multi_margin_loss", _f(lambda F, x, t: F.multi_margin_loss(x, t, p=2)),
             [[(3, 4), _classes(4, 3)]]),
    OpSample("gaussian_nll_loss", _f(lambda F, x, y, v: F.gaussian_nll_loss(x, y, v)),
             [[(3, 4), (3, 4), Arr((3, 4), 0.5, 1)]]),
]


# F.linear_cross_entropy (torch 2.14): the reference path (options=None) and the chunked
# op (options given; once-differentiable, so no gradgrad), chunks of 2 rows over 5.
def _chunks(lib, size=2, **kw):
    return lib.nn.LinearCrossEntropyOptions(batch_chunk_size=size, **kw)


SAMPLES += [
    OpSample("linear_cross_entropy",
             lambda lib, x, w, t, b, cw: lib.nn.functional.linear_cross_entropy(
                 x, w, t, linear_bias=b, weight=cw, ignore_index=3, label_smoothing=0.2),
             [[(5, 3), (4, 3), _target([0, 3, 2, 1, 3]), (4,), _weight(4)]]),
    OpSample("linear_cross_entropy_kdim_probabilities",
             lambda lib, x, w, q: lib.nn.functional.linear_cross_entropy(
                 x, w, q, reduction="sum"),
             [[(2, 3), (4, 2, 3), Arr((2, 4, 2), 0, 1, grad=False)],
              [(3,), (4, 3), Arr((4,), 0, 1, grad=False)]]),
    OpSample("linear_cross_entropy_chunked",
             lambda lib, x, w, t, b, cw: lib.nn.functional.linear_cross_entropy(
                 x, w, t, linear_bias=b, weight=cw, ignore_index=3, options=_chunks(lib)),
             [[(5, 3), (4, 3), _target([0, 3, 2, 1, 3]), (4,), _weight(4)]], gradgrad=False),
    OpSample("linear_cross_entropy_chunked_sum_unbatched",
             lambda lib, x, w, t: lib.nn.functional.linear_cross_entropy(
                 x, w, t, reduction="sum", options=_chunks(lib, 1)),
             [[(3,), (4, 3), _target(2)]], gradgrad=False),
    OpSample("linear_cross_entropy_chunked_none",
             lambda lib, x, w, t, b: lib.nn.functional.linear_cross_entropy(
                 x, w, t, linear_bias=b, reduction="none", options=_chunks(lib)),
             [[(5, 3), (4, 3), _target([0, -100, 2, 1, 3]), (4,)]], gradgrad=False),
    OpSample("linear_cross_entropy_chunked_probabilities",
             lambda lib, x, w, q, cw: lib.nn.functional.linear_cross_entropy(
                 x, w, q, weight=cw, options=_chunks(lib)),
             [[(5, 3), (4, 3), Arr((5, 4), 0, 1, grad=False), _weight(4)]], gradgrad=False),
]
