"""Optimizer parity with torch.optim: 60 steps from the same parameters and gradients give
the same parameters and state; state_dict structure and round trips (ember -> ember,
torch -> ember, ember -> torch); add_param_group, zero_grad, closures, hooks, errors, repr.

Tolerances: float32 parameters after 60 steps, rtol=1e-5, atol=1e-6 (ember follows each
algorithm's order of operations; the remaining differences are single roundings, e.g.
where PyTorch's kernels use fused multiply-adds).
"""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close, to_numpy

import ember

pytestmark = needs_torch

RTOL, ATOL = 1e-5, 1e-6
SHAPES = [(3, 4), (4,), (2, 3, 2)]
N_STEPS = 60

# (optimizer, constructor kwargs, options of the second parameter group)
CASES = [
    ("SGD", dict(lr=0.05), dict(lr=0.02, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.02)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3), dict(lr=0.02, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), dict(lr=0.02, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1), dict(lr=0.02, weight_decay=0.0)),
    ("SGD", dict(lr=0.05, momentum=0.9, maximize=True), dict(lr=0.02, weight_decay=0.05)),
    ("Adam", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, amsgrad=True), dict(lr=0.005)),
    ("Adam", dict(lr=0.01, weight_decay=0.1), dict(lr=0.005, weight_decay=0.0)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.005)),
    ("Adam", dict(lr=0.01, maximize=True), dict(lr=0.005, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.8)), dict(lr=0.005)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.1), dict(lr=0.005)),
    ("AdamW", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("AdamW", dict(lr=0.01, amsgrad=True), dict(lr=0.005)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(lr=0.005)),
    ("RMSprop", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True), dict(lr=0.005)),
    ("RMSprop", dict(lr=0.01, momentum=0.9), dict(lr=0.005, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1), dict(lr=0.005)),
    ("RMSprop", dict(lr=0.01, maximize=True), dict(lr=0.005, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True), dict(lr=0.005)),
    ("Adagrad", dict(lr=0.05), dict(lr=0.02, weight_decay=0.05)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01), dict(lr=0.02)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.1), dict(lr=0.02, weight_decay=0.0)),
    ("Adagrad", dict(lr=0.05, initial_accumulator_value=0.5, eps=1e-5), dict(lr=0.02)),
    ("Adagrad", dict(lr=0.05, maximize=True), dict(lr=0.02, weight_decay=0.05)),
    ("Adadelta", dict(), dict(lr=0.5, weight_decay=0.05)),
    ("Adadelta", dict(rho=0.5), dict(lr=0.5)),
    ("Adadelta", dict(weight_decay=0.1), dict(lr=0.5, weight_decay=0.0)),
    ("Adadelta", dict(lr=0.5, eps=1e-4, maximize=True), dict(lr=2.0)),
    ("Adamax", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1), dict(lr=0.005)),
    ("Adamax", dict(lr=0.01, maximize=True), dict(lr=0.005, weight_decay=0.05)),
    ("Adamax", dict(lr=0.01, betas=(0.3, 0.5)), dict(lr=0.005)),
    ("NAdam", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), dict(lr=0.005)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.005)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.05), dict(lr=0.005, weight_decay=0.05)),
    ("NAdam", dict(lr=0.01, maximize=True, betas=(0.3, 0.9)), dict(lr=0.005)),
    # RAdam: with beta2=0.999 the first 5 steps are unrectified, the rest rectified;
    # with beta2=0.6, rho_inf=3 and every step stays unrectified.
    ("RAdam", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1), dict(lr=0.005)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.005)),
    ("RAdam", dict(lr=0.01, maximize=True), dict(lr=0.005, weight_decay=0.05)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.6)), dict(lr=0.005)),
    # ASGD: t0=20 so the average starts moving mid-run
    ("ASGD", dict(lr=0.05), dict(lr=0.02, weight_decay=0.05)),
    ("ASGD", dict(lr=0.05, t0=20, lambd=0.01), dict(lr=0.02)),
    ("ASGD", dict(lr=0.05, t0=10, alpha=0.5, maximize=True), dict(lr=0.02, weight_decay=0.1)),
    ("Rprop", dict(lr=0.01), dict(lr=0.005)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05)), dict(lr=0.02)),
    ("Rprop", dict(lr=0.01, maximize=True), dict(lr=0.005)),
    ("Adafactor", dict(lr=0.01), dict(lr=0.005, weight_decay=0.05)),
    ("Adafactor", dict(lr=0.01, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0), dict(lr=0.02)),
    ("Adafactor", dict(lr=0.5, weight_decay=0.1, maximize=True), dict(lr=0.005)),
]
IDS = [f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw, _ in CASES]
NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
         "ASGD", "Rprop", "Adafactor"]


# -- harness -------------------------------------------------------------------------------
def init_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def grad_noise(n=N_STEPS, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(n)]


def build(lib, name, kwargs, group1, arrays):
    params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    groups = [{"params": params[:2]}, dict(group1, params=params[2:])]
    return params, getattr(lib.optim, name)(groups, **kwargs)


def set_grads(lib, params, noise, k):
    """grad = noise + 0.5 * param (so the runs stay coupled to the parameters); the last
    parameter gets no gradient every 7th step (the optimizer must skip it)."""
    for j, (p, g) in enumerate(zip(params, noise[k])):
        if j == len(params) - 1 and k % 7 == 3:
            p.grad = None
        else:
            p.grad = lib.tensor(g + np.float32(0.5) * to_numpy(p).astype(np.float32))


def run(lib, params, opt, noise, start, stop):
    for k in range(start, stop):
        if k == 40:  # a scheduled change of the learning rate is read at the next step
            opt.param_groups[0]["lr"] *= 0.5
        set_grads(lib, params, noise, k)
        opt.step()


def assert_params_close(eps, tps, rtol=RTOL, atol=ATOL, msg=""):
    for i, (e, t) in enumerate(zip(eps, tps)):
        assert_close(e.detach(), t.detach(), rtol=rtol, atol=atol, msg=f"{msg} param {i}")


def assert_values_close(e, t, path=""):
    """Compare one optimizer-state value of ember and torch (tensor, list, number)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: {type(e)} is not a Tensor"
        assert_close(e, t, rtol=RTOL, atol=ATOL, msg=path)
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), path
        for i, (ev, tv) in enumerate(zip(e, t)):
            assert_values_close(ev, tv, f"{path}[{i}]")
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=RTOL, abs=ATOL), path
    else:
        assert e == t, path


def assert_state_dict_matches(esd, tsd):
    assert list(esd) == list(tsd) == ["state", "param_groups"]
    assert len(esd["param_groups"]) == len(tsd["param_groups"])
    for eg, tg in zip(esd["param_groups"], tsd["param_groups"]):
        assert list(eg) == list(tg)
        for k in tg:
            assert_values_close(eg[k], tg[k], f"param_groups.{k}")
    assert list(esd["state"]) == list(tsd["state"])
    for i, ts in tsd["state"].items():
        es = esd["state"][i]
        assert list(es) == list(ts), f"state[{i}] keys"
        for k in ts:
            assert_values_close(es[k], ts[k], f"state[{i}].{k}")
            if k == "step":
                assert es[k].shape == () and es[k].dtype == ember.float32


def convert(obj, to):
    """Recursively turn tensors of one library into tensors of the other (copies)."""
    if isinstance(obj, (ember.Tensor, torch.Tensor)):
        return to.tensor(to_numpy(obj).copy())
    if isinstance(obj, dict):
        return {k: convert(v, to) for k, v in obj.items()}
    if isinstance(obj, list):
        return [convert(v, to) for v in obj]
    if isinstance(obj, tuple):
        return tuple(convert(v, to) for v in obj)
    return obj


def fresh_from(lib, params, name, kwargs, group1):
    """A new optimizer of the same configuration on copies of ``params``' current values."""
    return build(lib, name, kwargs, group1, [to_numpy(p).astype(np.float32) for p in params])


# -- parity --------------------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs,group1", CASES, ids=IDS)
def test_steps_match_torch(name, kwargs, group1):
    arrays, noise = init_arrays(), grad_noise()
    ep, eo = build(ember, name, kwargs, group1, arrays)
    tp, to = build(torch, name, kwargs, group1, arrays)
    run(ember, ep, eo, noise, 0, N_STEPS)
    run(torch, tp, to, noise, 0, N_STEPS)
    assert_params_close(ep, tp, msg=name)
    assert_state_dict_matches(eo.state_dict(), to.state_dict())
    assert not np.allclose(to_numpy(ep[0]), arrays[0], atol=1e-3)   # it really moved


@pytest.mark.parametrize("name,kwargs,group1", CASES, ids=IDS)
def test_state_dict_round_trips(name, kwargs, group1):
    arrays, noise = init_arrays(), grad_noise()
    half = N_STEPS // 2
    ep, eo = build(ember, name, kwargs, group1, arrays)
    tp, to = build(torch, name, kwargs, group1, arrays)
    run(ember, ep, eo, noise, 0, half)
    run(torch, tp, to, noise, 0, half)

    # ember -> fresh ember optimizer: continues exactly as the uninterrupted run
    ep2, eo2 = fresh_from(ember, ep, name, kwargs, group1)
    eo2.load_state_dict(eo.state_dict())
    # torch -> ember (tensors converted) and ember -> torch
    ep3, eo3 = fresh_from(ember, tp, name, kwargs, group1)
    eo3.load_state_dict(convert(to.state_dict(), ember))
    tp3, to3 = fresh_from(torch, ep, name, kwargs, group1)
    to3.load_state_dict(convert(eo.state_dict(), torch))

    run(ember, ep, eo, noise, half, N_STEPS)
    run(ember, ep2, eo2, noise, half, N_STEPS)
    run(ember, ep3, eo3, noise, half, N_STEPS)
    run(torch, tp, to, noise, half, N_STEPS)
    run(torch, tp3, to3, noise, half, N_STEPS)
    for a, b in zip(ep, ep2):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert_params_close(ep3, tp, msg="torch state -> ember")
    assert_params_close(ep, tp3, msg="ember state -> torch")
    assert_state_dict_matches(eo3.state_dict(), to.state_dict())


def test_loaded_state_is_a_copy():
    ep, eo = build(ember, "Adam", dict(lr=0.1), {}, init_arrays())
    run(ember, ep, eo, grad_noise(), 0, 3)
    sd = eo.state_dict()
    ep2, eo2 = fresh_from(ember, ep, "Adam", dict(lr=0.1), {})
    eo2.load_state_dict(sd)
    before = to_numpy(sd["state"][0]["exp_avg"]).copy()
    run(ember, ep2, eo2, grad_noise(), 3, 5)
    np.testing.assert_array_equal(to_numpy(sd["state"][0]["exp_avg"]), before)


def test_adagrad_state_is_created_eagerly():
    e = ember.optim.Adagrad([ember.zeros(2, 3, requires_grad=True)], initial_accumulator_value=0.25)
    t = torch.optim.Adagrad([torch.zeros(2, 3, requires_grad=True)], initial_accumulator_value=0.25)
    assert_state_dict_matches(e.state_dict(), t.state_dict())
    assert to_numpy(e.state_dict()["state"][0]["sum"]).tolist() == [[0.25] * 3] * 2


def test_sgd_without_momentum_keeps_no_state():
    ep, eo = build(ember, "SGD", dict(lr=0.1), {}, init_arrays())
    tp, to = build(torch, "SGD", dict(lr=0.1), {}, init_arrays())
    run(ember, ep, eo, grad_noise(), 0, 2)
    run(torch, tp, to, grad_noise(), 0, 2)
    assert eo.state_dict()["state"] == to.state_dict()["state"] == {}


# -- add_param_group, zero_grad, closure, hooks ------------------------------------------
ONE_EACH = [
    ("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.05, initial_accumulator_value=0.3)), ("Adadelta", dict()),
    ("Adamax", dict(lr=0.01)), ("NAdam", dict(lr=0.01)), ("RAdam", dict(lr=0.01)),
]


@pytest.mark.parametrize("name,kwargs", ONE_EACH, ids=[n for n, _ in ONE_EACH])
def test_add_param_group_mid_training(name, kwargs):
    arrays, noise = init_arrays(), grad_noise()
    results = []
    for lib in (ember, torch):
        params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
        opt = getattr(lib.optim, name)(params[:2], **kwargs)
        run(lib, params, opt, noise, 0, 10)   # params[2] is not optimized yet
        opt.add_param_group({"params": params[2], "lr": 0.02})
        assert len(opt.param_groups) == 2 and opt.param_groups[1]["lr"] == 0.02
        run(lib, params, opt, noise, 10, 30)
        results.append((params, opt))
    (ep, eo), (tp, to) = results
    assert_params_close(ep, tp, msg=name)
    assert_state_dict_matches(eo.state_dict(), to.state_dict())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    q = ember.tensor([3.0], requires_grad=True)
    opt = ember.optim.SGD([p, q], lr=0.1)
    (p * p).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad is g and to_numpy(p.grad).tolist() == [0.0, 0.0]
    assert q.grad is None
    (p * p).sum().backward()
    opt.zero_grad()                                      # default: set_to_none=True
    assert p.grad is None


def test_zero_grad_detaches_a_grad_with_history():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    (p ** 3).sum().backward(create_graph=True)
    assert p.grad.requires_grad
    ember.optim.SGD([p]).zero_grad(set_to_none=False)
    assert not p.grad.requires_grad and p.grad.grad_fn is None
    assert to_numpy(p.grad).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name,kwargs", ONE_EACH, ids=[n for n, _ in ONE_EACH])
def test_closure_returns_loss(name, kwargs):
    x_np = np.random.default_rng(3).standard_normal((8, 4)).astype(np.float32)
    out = []
    for lib in (ember, torch):
        w = lib.tensor(init_arrays()[0], requires_grad=True)
        b = lib.tensor(init_arrays()[1][:3], requires_grad=True)
        x = lib.tensor(x_np)
        opt = getattr(lib.optim, name)([w, b], **kwargs)

        def closure():
            opt.zero_grad()
            loss = ((x @ w.t() + b) ** 2).mean()
            assert loss.requires_grad          # the closure runs with grad enabled
            loss.backward()
            return loss

        losses = [opt.step(closure) for _ in range(20)]
        assert all(isinstance(l, lib.Tensor) for l in losses)
        out.append(([float(l.detach()) for l in losses], [w, b]))
    (el, ep), (tl, tp) = out
    np.testing.assert_allclose(el, tl, rtol=RTOL, atol=ATOL)
    assert el[-1] < el[0]
    assert_params_close(ep, tp)


def test_step_without_closure_returns_none_and_skips_params_without_grad():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    for name, kwargs in ONE_EACH:
        opt = getattr(ember.optim, name)([p], **kwargs)
        assert opt.step() is None
        assert to_numpy(p).tolist() == [1.0, 2.0] and len(opt.state.get(p, {})) == (
            2 if name == "Adagrad" else 0)


def test_step_bumps_the_parameter_version():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (p * p).sum()                 # saves p for backward
    y.backward(retain_graph=True)
    for name, kwargs in ONE_EACH:
        opt = getattr(ember.optim, name)([p], **kwargs)
        v = p._version
        opt.step()
        assert p._version > v, name
    with pytest.raises(RuntimeError):
        y.backward()                  # p was modified in place after being saved


def test_step_hooks():
    calls = []
    p = ember.tensor([1.0], requires_grad=True)
    p.grad = ember.tensor([1.0])
    opt = ember.optim.SGD([p], lr=0.5)

    def pre(o, args, kwargs):
        calls.append(("pre", o is opt, args, kwargs))

    def post(o, args, kwargs):
        calls.append(("post", o is opt, args, kwargs))

    h1, h2 = opt.register_step_pre_hook(pre), opt.register_step_post_hook(post)
    opt.step()
    assert calls == [("pre", True, (), {}), ("post", True, (), {})]
    assert to_numpy(p).tolist() == [0.5]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2

    # a pre-hook may replace the arguments: here it supplies a closure
    seen = []
    opt.register_step_pre_hook(lambda o, a, k: ((), {"closure": lambda: seen.append(1) or 7.0}))
    assert opt.step() == 7.0 and seen == [1]


def test_global_step_hooks():
    from ember.optim.optimizer import (register_optimizer_step_pre_hook,
                                       register_optimizer_step_post_hook)
    calls = []
    h1 = register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("pre", type(o).__name__)))
    h2 = register_optimizer_step_post_hook(lambda o, a, k: calls.append(("post", type(o).__name__)))
    try:
        p = ember.tensor([1.0], requires_grad=True)
        p.grad = ember.tensor([1.0])
        ember.optim.RMSprop([p]).step()
        assert calls == [("pre", "RMSprop"), ("post", "RMSprop")]
    finally:
        h1.remove()
        h2.remove()


# -- errors and repr -----------------------------------------------------------------------
BAD_ARGS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-1)), ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1)),
    ("AdamW", dict(lr=-1)), ("AdamW", dict(betas=(0.9, 1.0))),
    ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-1)),
    ("Adagrad", dict(lr=-1)), ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(weight_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
    ("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(rho=-0.1)),
    ("Adadelta", dict(eps=-1)), ("Adadelta", dict(weight_decay=-1)),
    ("Adamax", dict(lr=-1)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(0.9, 1.0))),
    ("Adamax", dict(weight_decay=-1)),
    ("NAdam", dict(lr=-1)), ("NAdam", dict(eps=-1)), ("NAdam", dict(betas=(-0.1, 0.9))),
    ("NAdam", dict(weight_decay=-1)), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(lr=-1)), ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(0.9, 1.5))),
    ("RAdam", dict(weight_decay=-1)),
    ("LBFGS", dict(lr=-1)),
]


def raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
        return e
    raise AssertionError("no exception raised")


def assert_same_error(ember_fn, torch_fn, same_message=True):
    e, t = raised(ember_fn), raised(torch_fn)
    assert type(e) is type(t), (e, t)
    if same_message:
        assert str(e) == str(t)


@pytest.mark.parametrize("name,kwargs", BAD_ARGS, ids=[f"{n}-{k}" for n, k in BAD_ARGS])
def test_invalid_hyperparameters(name, kwargs):
    assert_same_error(lambda: getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], **kwargs),
                      lambda: getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs))


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_parameter_errors(name):
    def both(make):
        assert_same_error(lambda: make(ember), lambda: make(torch))

    both(lambda lib: getattr(lib.optim, name)([]))                              # empty list
    both(lambda lib: getattr(lib.optim, name)([lib.ones(2, requires_grad=True) * 2]))  # non-leaf
    both(lambda lib: getattr(lib.optim, name)([lib.ones(2), 3.0]))              # not a Tensor
    both(lambda lib: getattr(lib.optim, name)([{"params": {lib.ones(2)}}]))     # a set
    assert_same_error(lambda: ember.optim.SGD(ember.ones(2)),                   # a bare Tensor
                      lambda: torch.optim.SGD(torch.ones(2)), same_message=False)
    if name == "LBFGS":
        both(lambda lib: lib.optim.LBFGS([{"params": [lib.ones(2)]}, {"params": [lib.ones(2)]}]))
    else:
        def twice(lib):
            p = lib.ones(2, requires_grad=True)
            return getattr(lib.optim, name)([{"params": [p]}, {"params": [p]}])
        both(twice)

        def added_twice(lib):
            p = lib.ones(2, requires_grad=True)
            getattr(lib.optim, name)([p]).add_param_group({"params": p})
        both(added_twice)
        both(lambda lib: getattr(lib.optim, name)([lib.ones(2)]).add_param_group([lib.ones(2)]))


def test_load_state_dict_errors():
    for lib in (ember, torch):
        p, q = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        sd = lib.optim.Adam([p, q]).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            lib.optim.Adam([{"params": [p]}, {"params": [q]}]).load_state_dict(sd)
        with pytest.raises(ValueError, match="doesn't match the size"):
            lib.optim.Adam([p]).load_state_dict(sd)


def test_differentiable_is_not_supported():
    for name in [n for n in NAMES if n != "Adafactor"]:   # Adafactor has no such argument
        with pytest.raises(NotImplementedError, match="differentiable"):
            getattr(ember.optim, name)([ember.ones(2, requires_grad=True)], differentiable=True)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_repr_and_defaults_match_torch(name):
    e = getattr(ember.optim, name)([ember.ones(2, requires_grad=True)])
    t = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    assert repr(e) == repr(t)
    assert e.defaults == t.defaults
    e.add_param_group({"params": [ember.ones(3, requires_grad=True)], "lr": 0.5}) if name != "LBFGS" else None
    t.add_param_group({"params": [torch.ones(3, requires_grad=True)], "lr": 0.5}) if name != "LBFGS" else None
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_signature_matches_torch(name):
    import inspect
    es = inspect.signature(getattr(ember.optim, name).__init__)
    ts = inspect.signature(getattr(torch.optim, name).__init__)
    assert [(p.name, p.kind, p.default) for p in es.parameters.values()] == \
           [(p.name, p.kind, p.default) for p in ts.parameters.values()]


@pytest.mark.parametrize("name,kwargs", ONE_EACH, ids=[n for n, _ in ONE_EACH])
def test_tensor_learning_rate(name, kwargs):
    arrays, noise = init_arrays(), grad_noise()
    results = []
    for lib in (ember, torch):
        params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
        opt = getattr(lib.optim, name)(params, **dict(kwargs, lr=lib.tensor(0.02)))
        for k in range(10):
            set_grads(lib, params, noise, k)
            opt.step()
        results.append(params)
    assert_params_close(*results, msg=name)
    assert_same_error(
        lambda: getattr(ember.optim, name)([ember.ones(2)], lr=ember.tensor([0.1, 0.2])),
        lambda: getattr(torch.optim, name)([torch.ones(2)], lr=torch.tensor([0.1, 0.2])))
