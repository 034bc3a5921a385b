"""nn.LinearCrossEntropyLoss / F.linear_cross_entropy / nn.LinearCrossEntropyOptions
(torch 2.14) against torch: forward and gradients on both paths (reference and chunked),
repr and state_dict keys, options validation and resolution, warnings, errors, the
consumed-gradient rule of the chunked backward, and the chunked path's peak memory.
The op-table entries (tests/ops/samples_loss.py) add gradcheck and non-contiguous runs."""
import tracemalloc
import warnings

import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close

import ember

pytestmark = needs_torch
RTOL, ATOL = 1e-5, 1e-5


def _opts(lib, **kw):
    return lib.nn.LinearCrossEntropyOptions(**kw)


def _data(n=7, f=5, c=6, seed=0, prob=False, ignore=None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, f)).astype(np.float32)
    w = rng.standard_normal((c, f)).astype(np.float32)
    b = rng.standard_normal(c).astype(np.float32)
    cw = rng.uniform(0.2, 2.0, c).astype(np.float32)
    if prob:
        t = rng.uniform(0, 1, (n, c)).astype(np.float32)
        t /= t.sum(1, keepdims=True)
    else:
        t = rng.integers(0, c, n)
        if ignore is not None:
            t[::3] = ignore
    return x, w, b, cw, t


def _run(lib, arrays, use_bias, use_weight, **kw):
    x, w, b, cw, t = arrays
    xt = lib.tensor(x, requires_grad=True)
    wt = lib.tensor(w, requires_grad=True)
    bt = lib.tensor(b, requires_grad=True) if use_bias else None
    tt = lib.tensor(t)
    loss = lib.nn.functional.linear_cross_entropy(
        xt, wt, tt, linear_bias=bt, weight=lib.tensor(cw) if use_weight else None, **kw)
    g = lib.tensor(np.linspace(0.5, 1.5, loss.numel(), dtype=np.float32).reshape(
        tuple(loss.shape)))
    loss.backward(g)
    return [loss.detach(), xt.grad, wt.grad] + ([bt.grad] if use_bias else [])


CHUNKED = [dict(reduction=r, ignore_index=ig, chunk=c)
           for r in ("mean", "sum", "none") for ig in (None, 2, -100) for c in (1, 3, None)]


@pytest.mark.parametrize("case", CHUNKED, ids=lambda c: "-".join(map(str, c.values())))
@pytest.mark.parametrize("use_bias,use_weight", [(False, False), (True, True)])
def test_chunked_matches_torch(case, use_bias, use_weight):
    arrays = _data(ignore=case["ignore_index"] if case["ignore_index"] is not None else -100)
    kw = dict(reduction=case["reduction"], ignore_index=case["ignore_index"])
    res = [_run(lib, arrays, use_bias, use_weight,
                options=_opts(lib, batch_chunk_size=case["chunk"]), **kw)
           for lib in (ember, torch)]
    assert_close(res[0], res[1], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("chunk", [2, None])
def test_chunked_probability_target_matches_torch(reduction, chunk):
    arrays = _data(prob=True)
    res = [_run(lib, arrays, True, True, reduction=reduction,
                options=_opts(lib, batch_chunk_size=chunk)) for lib in (ember, torch)]
    assert_close(res[0], res[1], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kw", [dict(), dict(reduction="sum", label_smoothing=0.3),
                                dict(reduction="none", ignore_index=1),
                                dict(label_smoothing=0.1, ignore_index=0)])
def test_reference_path_matches_torch(kw):
    arrays = _data(ignore=kw.get("ignore_index"))
    res = [_run(lib, arrays, True, True, **kw) for lib in (ember, torch)]
    assert_close(res[0], res[1], rtol=RTOL, atol=ATOL)


def test_reference_path_double_backward_matches_torch():
    x, w, b, cw, t = _data()
    out = []
    for lib in (ember, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        loss = lib.nn.functional.linear_cross_entropy(xt, wt, lib.tensor(t))
        gx, = lib.autograd.grad(loss, xt, create_graph=True)
        (gx ** 2).sum().backward()
        out.append([gx.detach(), wt.grad])
    assert_close(out[0], out[1], rtol=RTOL, atol=ATOL)


def test_auto_chunking_matches_torch():
    arrays = _data(n=64, f=4, c=40)
    res = [_run(lib, arrays, True, False, options=_opts(lib)) for lib in (ember, torch)]
    assert_close(res[0], res[1], rtol=RTOL, atol=ATOL)


def _module_pair(**kw):
    kw_e = dict(kw)
    kw_t = dict(kw)
    for k in ("weight",):
        if k in kw:
            kw_e[k], kw_t[k] = ember.tensor(kw[k]), torch.tensor(kw[k])
    if kw.get("options"):
        kw_e["options"], kw_t["options"] = _opts(ember, **kw["options"]), _opts(torch, **kw["options"])
    em = ember.nn.LinearCrossEntropyLoss(5, 6, **kw_e)
    tm = torch.nn.LinearCrossEntropyLoss(5, 6, **kw_t)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return em, tm


MODULES = [dict(), dict(bias=True, out_features=(2, 3)),
           dict(weight=np.linspace(0.5, 1.5, 6).astype(np.float32), reduction="sum",
                ignore_index=1, label_smoothing=0.2),
           dict(bias=True, options=dict(batch_chunk_size=2, allow_retain_graph=True)),
           dict(reduction="none", options=dict(chunking_method="aspect_ratio:2"))]


@pytest.mark.parametrize("kw", MODULES, ids=range(len(MODULES)))
def test_module_matches_torch(kw):
    em, tm = _module_pair(**kw)
    assert repr(em) == repr(tm).replace("torch.", "ember.")
    assert list(em.state_dict()) == list(tm.state_dict())
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    t = rng.integers(0, 6, (4, *kw.get("out_features", ())))
    out = []
    for lib, m in ((ember, em), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        loss = m(xt, lib.tensor(t))
        loss.sum().backward()
        out.append([loss.detach(), xt.grad] + [p.grad for p in m.parameters()])
    assert_close(out[0], out[1], rtol=RTOL, atol=ATOL)


def test_module_constructor_errors_match_torch():
    for kw in (dict(weight=np.ones(3, np.float32)), dict(label_smoothing=1.5)):
        msgs = []
        for lib in (ember, torch):
            kk = dict(kw)
            if "weight" in kk:
                kk["weight"] = lib.tensor(kk["weight"])
            with pytest.raises(RuntimeError) as info:
                lib.nn.LinearCrossEntropyLoss(5, 6, **kk)
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]


def test_options_repr_validation_and_resolution_match_torch():
    assert repr(_opts(ember)) == repr(_opts(torch))
    assert repr(_opts(ember, acc_dtype=ember.float64)).replace("ember", "torch") == \
        repr(_opts(torch, acc_dtype=torch.float64))
    for kw in (dict(acc_policy="x"), dict(chunking_method="foo"),
               dict(chunking_method="aspect_ratio:0"), dict(batch_chunk_size=0),
               dict(batch_chunk_size=2.0)):
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(ValueError) as info:
                _opts(lib, **kw)
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]
    with pytest.raises(ValueError, match="acc_dtype must be one of"):
        _opts(ember, acc_dtype=ember.int32)
    for kw in (dict(), dict(chunking_method="aspect_ratio:4"), dict(batch_chunk_size=5),
               dict(chunking_method=None), dict(acc_policy="accurate")):
        for shape in ((1000, 64, 5000), (100, 64, 50), (7, 3, 3), (1, 1, 1)):
            for dt in ("float32", "bfloat16", "float64"):
                for prob in (False, True):
                    res = []
                    for lib in (ember, torch):
                        r = _opts(lib, **kw)._adjust(*shape, getattr(lib, dt),
                                                     lib.device("cpu"), prob)
                        res.append((r.batch_chunk_size, r.chunking_method, r.acc_policy,
                                    str(r.acc_dtype).split(".")[-1]))
                    assert res[0] == res[1], (kw, shape, dt, prob)
    with pytest.raises(ValueError, match="give different chunk sizes"):
        _opts(ember, batch_chunk_size=3, chunking_method="aspect_ratio")._adjust(
            7, 3, 6, ember.float32, ember.device("cpu"))


def test_fallback_warning_matches_torch():
    x, w, b, cw, t = _data()
    msgs = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            lib.nn.functional.linear_cross_entropy(lib.tensor(x), lib.tensor(w), lib.tensor(t),
                                                   label_smoothing=0.1, options=_opts(lib))
        msgs.append([str(r.message).replace("torch.", "ember.") for r in rec])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


def _errors(fn):
    out = []
    for lib in (ember, torch):
        try:
            fn(lib)
            out.append(None)
        except Exception as e:       # noqa: BLE001 - type and message are compared
            out.append((type(e), str(e)))
    return out


@pytest.mark.parametrize("shapes", [((2, 3, 4), (5, 4)), ((3,), (5,)), ((3, 4), (5, 3)),
                                    ((3, 4), (5, 2, 4), "unbatched"),
                                    ((3, 4), (5, 4), "bias")])
def test_shape_errors_match_torch(shapes):
    def go(lib):
        xs, ws = shapes[0], shapes[1]
        x = lib.zeros(xs[1:] if len(shapes) > 2 and shapes[2] == "unbatched" else xs)
        b = lib.zeros(3) if len(shapes) > 2 and shapes[2] == "bias" else None
        lib.nn.functional.linear_cross_entropy(x, lib.zeros(ws), lib.zeros(3, dtype=lib.int64),
                                               linear_bias=b)
    e, t = _errors(go)
    assert e == t and e is not None


def test_target_errors_match_torch():
    def prob_ignore(lib):
        lib.nn.functional.linear_cross_entropy(lib.zeros(3, 4), lib.zeros(5, 4),
                                               lib.zeros(3, 5), ignore_index=1)

    def out_of_range(lib):
        lib.nn.functional.linear_cross_entropy(lib.zeros(3, 4), lib.zeros(5, 4),
                                               lib.tensor([0, 7, 1]), options=_opts(lib))
    for fn in (prob_ignore, out_of_range):
        e, t = _errors(fn)
        assert e == t and e is not None


def test_chunked_backward_consumes_gradients_unless_allowed():
    x, w, b, cw, t = _data()
    for allow in (False, True):
        res = []
        for lib in (ember, torch):
            xt = lib.tensor(x, requires_grad=True)
            loss = lib.nn.functional.linear_cross_entropy(
                xt, lib.tensor(w), lib.tensor(t),
                options=_opts(lib, batch_chunk_size=2, allow_retain_graph=allow))
            loss.backward(retain_graph=True)
            first = xt.grad.clone()
            try:
                loss.backward()
                res.append((first, xt.grad))
            except RuntimeError as e:
                res.append(str(e))
        if allow:
            assert_close(res[0], res[1], rtol=RTOL, atol=ATOL)
            assert_close(res[0][1], 2 * res[0][0], rtol=RTOL, atol=ATOL)
        else:
            assert res[0] == res[1] and "called twice" in res[0]


def test_chunked_is_once_differentiable_and_half_accumulator_not_supported():
    x, w, b, cw, t = _data()
    xt = ember.tensor(x, requires_grad=True)
    loss = ember.nn.functional.linear_cross_entropy(xt, ember.tensor(w), ember.tensor(t),
                                                    options=_opts(ember, batch_chunk_size=2))
    with pytest.raises(RuntimeError, match="not differentiable twice"):
        ember.autograd.grad(loss, xt, create_graph=True)
    with pytest.raises(NotImplementedError, match="acc_dtype"):
        ember.nn.functional.linear_cross_entropy(
            ember.tensor(x).half(), ember.tensor(w).half(), ember.tensor(t),
            options=_opts(ember, acc_dtype=ember.float16))


def test_float16_chunked_accumulates_in_float32_like_torch():
    x, w, b, cw, t = _data()
    res = []
    for lib in (ember, torch):
        xt = lib.tensor(x).half().requires_grad_()
        wt = lib.tensor(w).half().requires_grad_()
        loss = lib.nn.functional.linear_cross_entropy(xt, wt, lib.tensor(t),
                                                      options=_opts(lib, batch_chunk_size=2))
        loss.backward()
        res.append([loss.detach(), xt.grad, wt.grad])
    assert_close(res[0], res[1], rtol=2e-3, atol=2e-3)


def _peak(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def test_chunked_path_never_materialises_the_logits():
    """N=512 rows, C=4096 classes, F=8: the (N, C) float32 logits are 8 MiB; chunks of 32
    rows hold 0.5 MiB of logits. The chunked forward+backward peaks well under one logits
    matrix; the reference path needs several."""
    n, f, c = 512, 8, 4096
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((n, f)).astype(np.float32), requires_grad=True)
    w = ember.tensor(rng.standard_normal((c, f)).astype(np.float32) * 0.1, requires_grad=True)
    t = ember.tensor(rng.integers(0, c, n))
    logits_bytes = n * c * 4

    def run(options):
        loss = ember.nn.functional.linear_cross_entropy(x, w, t, options=options)
        loss.backward()
    chunked = _peak(lambda: run(_opts(ember, batch_chunk_size=32)))
    reference = _peak(lambda: run(None))
    assert chunked < logits_bytes / 4, (chunked, logits_bytes)
    assert reference > logits_bytes
