"""optim.Muon parity with torch.optim.Muon (2.14): the same 2-D parameters trained by
the same gradients for N steps give the same parameters (float32 and float64), every
option, state_dict layout and torch -> ember round trip, closures, checks and errors.

Tolerances: Muon's Newton-Schulz runs in bfloat16 in both libraries; ember reproduces
each bfloat16 rounding, and the rare one-ulp difference (float32 summation order in the
GEMMs) moves a parameter by about lr * 2**-8 in that step, so parameters after 30 steps
are compared with atol=1e-3 (lr=0.02: about a dozen such one-ulp steps); the NS kernel alone is compared element by element (one-ulp differences counted).
"""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close, to_numpy

import ember
from ember.optim._newton_schulz import zeropower_via_newtonschulz, round_to_bfloat16_

pytestmark = needs_torch

SHAPES = [(6, 4), (4, 7), (5, 5)]
N_STEPS = 30
ATOL = 1e-3

CASES = [
    dict(lr=0.02),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.02, momentum=0.5, weight_decay=0.0),
    dict(lr=0.02, weight_decay=0.3, adjust_lr_fn="match_rms_adamw"),
    dict(lr=0.02, adjust_lr_fn="spectral_unclamped", ns_steps=3),
    dict(lr=0.02, adjust_lr_fn="original", eps=1e-3, ns_coefficients=(2.0, -1.5, 0.5)),
]


def _arrays(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _noise(dtype, n=N_STEPS, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(n)]


def _build(lib, arrays, kwargs, group1=None):
    params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    groups = [{"params": params[:2]}, dict(group1 or {"lr": 0.01}, params=params[2:])]
    return params, lib.optim.Muon(groups, **kwargs)


def _run(lib, params, opt, noise, start, stop):
    for k in range(start, stop):
        for j, (p, g) in enumerate(zip(params, noise[k])):
            if j == 2 and k % 7 == 3:
                p.grad = None                      # skipped this step
            else:
                p.grad = lib.tensor(g + 0.5 * to_numpy(p).astype(g.dtype))
        opt.step()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_steps_match_torch(kwargs, dtype):
    arrays, noise = _arrays(dtype), _noise(dtype)
    ep, eo = _build(ember, arrays, kwargs)
    tp, to = _build(torch, arrays, kwargs)
    _run(ember, ep, eo, noise, 0, N_STEPS)
    _run(torch, tp, to, noise, 0, N_STEPS)
    for e, t in zip(ep, tp):
        assert e.dtype == getattr(ember, np.dtype(dtype).name)
        assert_close(e.detach(), t.detach(), rtol=0, atol=ATOL)
    for e, t in zip(eo.state.values(), to.state.values()):
        assert list(e) == list(t) == ["momentum_buffer"]
        assert_close(e["momentum_buffer"], t["momentum_buffer"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(8, 5), (5, 8), (32, 64), (40, 30), (3, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_newton_schulz_matches_torch(shape, dtype):
    """Bit-identical but for float32 summation order in the GEMMs: at most 0.5% of the
    entries may differ, each by one bfloat16 ulp."""
    from torch.optim._muon import _zeropower_via_newtonschulz
    g = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    ours = zeropower_via_newtonschulz(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
    theirs = _zeropower_via_newtonschulz(torch.tensor(g), (3.4445, -4.7750, 2.0315), 5, 1e-7)
    theirs = theirs.float().numpy()
    assert ours.shape == shape and ours.dtype == np.float32
    differ = ours != theirs
    assert differ.mean() <= 0.005
    ulp = 2.0 ** (np.floor(np.log2(np.abs(theirs[differ]))) - 7)
    assert np.all(np.abs(ours - theirs)[differ] <= ulp)


def test_round_to_bfloat16_matches_torch():
    x = np.concatenate([np.random.default_rng(0).standard_normal(1000) * 10.0 ** k
                        for k in range(-30, 31, 5)])
    x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, 1 + 2 ** -8, 1 + 3 * 2 ** -8]])
    for dt in (np.float32, np.float64):
        ours = round_to_bfloat16_(x.astype(dt))
        theirs = torch.tensor(x.astype(dt)).bfloat16().to(getattr(torch, np.dtype(dt).name))
        np.testing.assert_array_equal(ours, theirs.numpy())


def test_torch_state_dict_loads_and_steps_identically():
    arrays, noise = _arrays(np.float32), _noise(np.float32)
    kwargs = dict(lr=0.02, weight_decay=0.05)
    tp, to = _build(torch, arrays, kwargs)
    _run(torch, tp, to, noise, 0, 10)
    tsd = to.state_dict()
    ep, eo = _build(ember, [p.detach().numpy() for p in tp], kwargs)
    esd_in = {"state": {i: {k: ember.tensor(v.numpy()) for k, v in s.items()}
                        for i, s in tsd["state"].items()},
              "param_groups": tsd["param_groups"]}
    eo.load_state_dict(esd_in)
    esd = eo.state_dict()
    assert list(esd) == ["state", "param_groups"]
    assert [list(g) for g in esd["param_groups"]] == [list(g) for g in tsd["param_groups"]]
    assert esd["param_groups"][1]["lr"] == 0.01
    _run(torch, tp, to, noise, 10, 20)
    _run(ember, ep, eo, noise, 10, 20)
    for e, t in zip(ep, tp):
        assert_close(e.detach(), t.detach(), rtol=0, atol=ATOL)


def test_state_dict_layout_and_repr_match_torch():
    arrays = _arrays(np.float32)
    outs = []
    for lib in (ember, torch):
        params, opt = _build(lib, arrays, dict(lr=0.02))
        for p in params:
            p.grad = lib.ones_like(p)
        opt.step()
        sd = opt.state_dict()
        outs.append((sd["param_groups"], {i: list(s) for i, s in sd["state"].items()},
                     repr(opt)))
    assert outs[0] == outs[1]


def test_closure_and_tensor_lr():
    for lib in (ember, torch):
        w = lib.tensor(_arrays(np.float32)[0], requires_grad=True)
        opt = lib.optim.Muon([w], lr=lib.tensor(0.02))

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss
        loss = opt.step(closure)
        assert float(loss.detach()) == pytest.approx(float((_arrays(np.float32)[0] ** 2).sum()), rel=1e-5)
        if lib is ember:
            ew = w
        else:
            assert_close(ew.detach(), w.detach(), rtol=0, atol=1e-6)
    assert ember.optim.Muon([ember.zeros(2, 2, requires_grad=True)]).step() is None


def _err(fn):
    try:
        fn()
    except Exception as e:          # noqa: BLE001 - the type is what is compared
        return type(e), str(e).replace("torch.", "").replace("ember.", "")
    return None


@pytest.mark.parametrize("kwargs", [dict(lr=-1.0), dict(momentum=-0.5),
                                    dict(weight_decay=-1.0), dict(adjust_lr_fn="cosine")])
def test_invalid_hyperparameters(kwargs):
    e = _err(lambda: ember.optim.Muon([ember.zeros(2, 2, requires_grad=True)], **kwargs))
    t = _err(lambda: torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)], **kwargs))
    assert e == t and e is not None


def test_tensor_lr_must_have_one_element():
    e = _err(lambda: ember.optim.Muon([ember.zeros(2, 2, requires_grad=True)],
                                      lr=ember.tensor([0.1, 0.2])))
    t = _err(lambda: torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)],
                                      lr=torch.tensor([0.1, 0.2])))
    assert e == t and e is not None


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4), ()])
def test_non_2d_parameters_are_rejected(shape):
    e = _err(lambda: ember.optim.Muon([ember.zeros(shape, requires_grad=True)]))
    t = _err(lambda: torch.optim.Muon([torch.zeros(shape, requires_grad=True)]))
    assert e == t and e[0] is ValueError and "2D parameters" in e[1]


@pytest.mark.parametrize("kwargs", [dict(ns_steps=100), dict(ns_coefficients=(1.0, 2.0))])
def test_step_errors(kwargs):
    def go(lib):
        w = lib.zeros(3, 2, requires_grad=True)
        opt = lib.optim.Muon([w], **kwargs)
        w.grad = lib.ones(3, 2)
        opt.step()
    e, t = _err(lambda: go(ember)), _err(lambda: go(torch))
    assert e == t and e is not None


def test_param_group_added_later_with_3d_param_fails_at_step():
    def go(lib):
        opt = lib.optim.Muon([lib.zeros(3, 2, requires_grad=True)])
        v = lib.zeros(2, 2, 2, requires_grad=True)
        opt.add_param_group({"params": [v]})
        v.grad = lib.ones(2, 2, 2)
        opt.step()
    e, t = _err(lambda: go(ember)), _err(lambda: go(torch))
    assert e == t and e[0] is ValueError


def test_complex_parameters_are_rejected():
    def go(lib):
        w = lib.zeros(2, 2, dtype=lib.complex64, requires_grad=True)
        opt = lib.optim.Muon([w])
        w.grad = lib.ones(2, 2, dtype=lib.complex64)
        opt.step()
    e, t = _err(lambda: go(ember)), _err(lambda: go(torch))
    assert e == t and e[0] is RuntimeError


def test_signature_and_defaults_match_torch():
    import inspect
    es = inspect.signature(ember.optim.Muon.__init__)
    ts = inspect.signature(torch.optim.Muon.__init__)
    assert list(es.parameters) == list(ts.parameters)
    for k in ts.parameters:
        assert es.parameters[k].default == ts.parameters[k].default, k
    assert ember.optim.Muon([ember.zeros(2, 2, requires_grad=True)]).defaults == \
        torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)]).defaults
