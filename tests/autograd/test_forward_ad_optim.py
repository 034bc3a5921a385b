"""Forward-mode AD through optimizer steps and ``.data`` against torch 2.14: a dual
parameter updated by ``step()`` leaves with torch's tangent (kept, or scaled by the
decoupled / SGD weight decay), a dual gradient of plain SGD moves the tangent by
``-lr * t_grad``; where torch's tangent would flow into optimizer state ember raises
NotImplementedError. ``.data`` reads and assignments treat tangents as torch does."""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close

import ember

pytestmark = needs_torch

P0 = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
T0 = np.array([[3.0, 4.0], [-2.0, 0.5]], np.float32)
G = np.array([[0.5, -0.5], [0.25, 1.0]], np.float32)
TG = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)


def _fw(lib):
    return lib.autograd.forward_ad


def _steps(lib, name, kw, dual_param, dual_grad, n=3):
    fw = _fw(lib)
    with fw.dual_level():
        p = lib.tensor(P0)
        if dual_param:
            p = fw.make_dual(p, lib.tensor(T0))
        opt = getattr(lib.optim, name)([p], **kw)
        for k in range(n):
            g = lib.tensor(G * (k + 1))
            p.grad = fw.make_dual(g, lib.tensor(TG)) if dual_grad else g
            opt.step()
        primal, tangent = fw.unpack_dual(p)
        return primal.clone(), None if tangent is None else tangent.clone()


SUPPORTED = [
    ("SGD", dict(lr=0.1), True, False), ("SGD", dict(lr=0.1, weight_decay=0.5), True, False),
    ("SGD", dict(lr=0.1, weight_decay=0.5), True, True),
    ("SGD", dict(lr=0.1, maximize=True), False, True),
    ("SGD", dict(lr=0.1, momentum=0.9), True, False),
    ("Adam", dict(lr=0.1), True, False), ("AdamW", dict(lr=0.1, weight_decay=0.3), True, False),
    ("Adam", dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True), True, False),
    ("NAdam", dict(lr=0.1), True, False), ("RAdam", dict(lr=0.1), True, False),
    ("Adagrad", dict(lr=0.1), True, False), ("RMSprop", dict(lr=0.01), True, False),
    ("Adadelta", dict(), True, False), ("Adamax", dict(lr=0.1), True, False),
    ("Rprop", dict(lr=0.1), True, False), ("Muon", dict(lr=0.1, weight_decay=0.5), True, False),
    ("Adafactor", dict(lr=0.1, weight_decay=0.2), True, False),
]


@pytest.mark.parametrize("name,kw,dual_param,dual_grad", SUPPORTED,
                         ids=[f"{n}-{kw}-{dp}-{dg}" for n, kw, dp, dg in SUPPORTED])
def test_tangents_through_step_match_torch(name, kw, dual_param, dual_grad):
    e = _steps(ember, name, kw, dual_param, dual_grad)
    t = _steps(torch, name, kw, dual_param, dual_grad)
    assert_close(e[0], t[0], rtol=1e-5, atol=1e-6)
    assert t[1] is not None and e[1] is not None
    assert_close(e[1], t[1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,kw,dual_param,dual_grad", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1), True, False),
    ("SGD", dict(lr=0.1, momentum=0.9), False, True),
    ("Adam", dict(lr=0.1, weight_decay=0.1), True, False),
    ("Adam", dict(lr=0.1), False, True), ("ASGD", dict(lr=0.1), True, False),
    ("Muon", dict(lr=0.1), False, True)])
def test_tangents_into_optimizer_state_raise(name, kw, dual_param, dual_grad):
    with pytest.raises(NotImplementedError, match=f"forward-mode AD through {name}.step"):
        _steps(ember, name, kw, dual_param, dual_grad, n=1)
    # nothing moved before the error
    fw = _fw(ember)
    with fw.dual_level():
        p = fw.make_dual(ember.tensor(P0), ember.tensor(T0)) if dual_param else ember.tensor(P0)
        opt = getattr(ember.optim, name)([p], **kw)
        p.grad = fw.make_dual(ember.tensor(G), ember.tensor(TG)) if dual_grad else ember.tensor(G)
        with pytest.raises(NotImplementedError):
            opt.step()
        assert np.array_equal(fw.unpack_dual(p).primal.numpy(), P0)


def test_plain_parameters_untouched_by_a_level():
    e = _steps(ember, "Adam", dict(lr=0.1, weight_decay=0.1), False, False)
    t = _steps(torch, "Adam", dict(lr=0.1, weight_decay=0.1), False, False)
    assert e[1] is None and t[1] is None
    assert_close(e[0], t[0], rtol=1e-5, atol=1e-6)


def _data_cases(lib):
    fw = _fw(lib)
    out = {}
    with fw.dual_level():
        def dual():
            return fw.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0]))

        def unpack(t):
            pr, tg = fw.unpack_dual(t)
            return pr.tolist(), None if tg is None else tg.tolist()
        d = dual()
        out["dual.data"] = unpack(d.data)
        out["dual.detach()"] = unpack(d.detach())
        t = lib.tensor([5.0, 6.0])
        t.data = dual()
        out["t.data = dual"] = unpack(t)
        d = dual()
        d.data = lib.tensor([7.0, 8.0])
        out["dual.data = plain"] = unpack(d)
        d = dual()
        d.data = fw.make_dual(lib.tensor([7.0, 8.0]), lib.tensor([9.0, 9.0]))
        out["dual.data = dual"] = unpack(d)
        d = dual()
        d.data.mul_(2)
        out["dual.data.mul_"] = unpack(d)
        out["Parameter(dual)"] = unpack(lib.nn.Parameter(dual()))
    return out


def test_data_reads_and_assignments_match_torch():
    assert _data_cases(ember) == _data_cases(torch)
