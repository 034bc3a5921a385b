"""ember.optim.lr_scheduler against torch.optim.lr_scheduler, driven side by side.

Every schedule is run on an ember and a torch optimizer with two param groups of different
lr; after construction and after each ``optimizer.step(); scheduler.step()`` the lrs (and the
momentum / betas a scheduler cycles) must agree to rtol 1e-12 (Python floats).
"""
import copy
import math
import warnings

import numpy as np
import pytest

from helpers import needs_torch, torch

import ember
from ember.optim import lr_scheduler as ember_sched

pytestmark = needs_torch

RTOL = 1e-12
STEPS = 60


# -- side-by-side driver ----------------------------------------------------------------------
def make_optimizer(lib, kind="sgd", lrs=(0.1, 0.05)):
    """Two param groups with different lr and a gradient, so that step() really updates."""
    params = []
    for n in (3, 2):
        p = lib.nn.Parameter(lib.linspace(-1.0, 1.0, n, dtype=lib.float64))
        p.grad = lib.full((n,), 0.5, dtype=lib.float64)
        params.append(p)
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": lrs[1]}]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == "adam":
        return lib.optim.Adam(groups, lr=lrs[0], betas=(0.9, 0.99))
    if kind == "plain":
        return make_plain_optimizer(lib, groups, lrs[0])
    raise ValueError(kind)


def make_plain_optimizer(lib, groups, lr):
    """An optimizer with neither momentum nor betas (for the cycle_momentum errors)."""
    class Plain(lib.optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            return None

    return Plain(groups, lr)


def group_values(opt):
    """lr, momentum and beta1 of every group (None where absent)."""
    return [(g["lr"], g.get("momentum"), g["betas"][0] if "betas" in g else None)
            for g in opt.param_groups]


def assert_floats(ours, theirs, msg=""):
    assert len(ours) == len(theirs), msg
    for a, b in zip(ours, theirs):
        if a is None or b is None:
            assert a is None and b is None, msg
        else:
            assert isinstance(a, (int, float)), f"{msg}: {type(a)}"
            assert math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0), f"{msg}: {a} != {b}"


def assert_same_state(e_opt, e_s, t_opt, t_s, msg):
    assert_floats(e_s.get_last_lr(), t_s.get_last_lr(), f"{msg} get_last_lr")
    for i, (eg, tg) in enumerate(zip(group_values(e_opt), group_values(t_opt))):
        assert_floats(eg, tg, f"{msg} group {i} (lr, momentum, beta1)")


def trace(lib, make_sched, kind, steps, step_args):
    """States after construction and after every step, and the warnings raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt = make_optimizer(lib, kind)
        sched = make_sched(lib, opt)
        states = [(list(sched.get_last_lr()), group_values(opt))]
        for i in range(steps):
            opt.step()
            if step_args is None:
                sched.step()
            else:
                sched.step(*step_args(i))
            states.append((list(sched.get_last_lr()), group_values(opt)))
    return opt, sched, states, [str(w.message) for w in caught]


def run_pair(make_sched, kind="sgd", steps=STEPS, step_args=None):
    """Run ember and torch; lrs/momenta must agree at construction and after every step, and
    both must raise the same warnings. Returns the ember optimizer, scheduler and warnings."""
    e_opt, e_s, e_states, e_warn = trace(ember, make_sched, kind, steps, step_args)
    _, t_s, t_states, t_warn = trace(torch, make_sched, kind, steps, step_args)
    for i, ((e_lr, e_groups), (t_lr, t_groups)) in enumerate(zip(e_states, t_states)):
        assert_floats(e_lr, t_lr, f"step {i} get_last_lr")
        for j, (eg, tg) in enumerate(zip(e_groups, t_groups)):
            assert_floats(eg, tg, f"step {i} group {j} (lr, momentum, beta1)")
    assert getattr(e_s, "last_epoch", None) == getattr(t_s, "last_epoch", None)
    assert e_warn == t_warn
    return e_opt, e_s, e_warn


def S(lib):
    return lib.optim.lr_scheduler


class Halving:
    """A callable object: its state (``__dict__``) is saved by state_dict."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor ** (epoch // 10)


SCHEDULES = {
    "lambda": lambda L, o: S(L).LambdaLR(o, lambda e: 0.97 ** e),
    "lambda_list": lambda L, o: S(L).LambdaLR(o, [lambda e: 1.0 / (e + 1), Halving()]),
    "multiplicative": lambda L, o: S(L).MultiplicativeLR(o, lambda e: 0.95 if e % 3 else 1.01),
    "step": lambda L, o: S(L).StepLR(o, step_size=7),
    "step_gamma": lambda L, o: S(L).StepLR(o, step_size=3, gamma=0.7),
    "multistep": lambda L, o: S(L).MultiStepLR(o, milestones=[5, 5, 20, 33], gamma=0.5),
    "multistep_unsorted": lambda L, o: S(L).MultiStepLR(o, milestones=[40, 10], gamma=0.3),
    "constant": lambda L, o: S(L).ConstantLR(o),
    "constant_half": lambda L, o: S(L).ConstantLR(o, factor=0.5, total_iters=10),
    "linear": lambda L, o: S(L).LinearLR(o),
    "linear_custom": lambda L, o: S(L).LinearLR(o, start_factor=0.1, end_factor=0.9,
                                                total_iters=20),
    "linear_down": lambda L, o: S(L).LinearLR(o, start_factor=1.0, end_factor=0.0,
                                              total_iters=40),
    "exponential": lambda L, o: S(L).ExponentialLR(o, gamma=0.93),
    "polynomial": lambda L, o: S(L).PolynomialLR(o),
    "polynomial_pow": lambda L, o: S(L).PolynomialLR(o, total_iters=30, power=2.0),
    "cosine": lambda L, o: S(L).CosineAnnealingLR(o, T_max=10),
    "cosine_eta": lambda L, o: S(L).CosineAnnealingLR(o, T_max=25, eta_min=0.001),
    "warm_restarts": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=5),
    "warm_restarts_mult": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                        eta_min=0.002),
    "cyclic": lambda L, o: S(L).CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=4),
    "cyclic_tri2": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5,
                                              mode="triangular2"),
    "cyclic_exp": lambda L, o: S(L).CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=5,
                                             mode="exp_range", gamma=0.97,
                                             base_momentum=[0.7, 0.75], max_momentum=0.95),
    "cyclic_scale_fn": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                  scale_fn=lambda x: 1 / (1 + 0.05 * x),
                                                  scale_mode="iterations"),
    "cyclic_scale_fn_cycle": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                        scale_fn=lambda x: 0.8 ** x),
    "cyclic_no_momentum": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                     cycle_momentum=False),
    "onecycle": lambda L, o: S(L).OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "onecycle_linear": lambda L, o: S(L).OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=70,
                                                    anneal_strategy="linear", pct_start=0.25),
    "onecycle_three": lambda L, o: S(L).OneCycleLR(o, max_lr=0.4, epochs=6, steps_per_epoch=10,
                                                   three_phase=True, div_factor=10.0,
                                                   final_div_factor=100.0),
    "onecycle_no_momentum": lambda L, o: S(L).OneCycleLR(o, max_lr=0.5, total_steps=80,
                                                         cycle_momentum=False),
    "onecycle_momentum": lambda L, o: S(L).OneCycleLR(o, max_lr=0.5, total_steps=65,
                                                      base_momentum=[0.8, 0.7],
                                                      max_momentum=(0.9, 0.99)),
    "sequential": lambda L, o: S(L).SequentialLR(
        o, [S(L).LinearLR(o, start_factor=0.2, total_iters=5), S(L).ExponentialLR(o, 0.9)],
        milestones=[5]),
    "sequential_three": lambda L, o: S(L).SequentialLR(
        o, [S(L).ConstantLR(o, factor=0.5, total_iters=4), S(L).CosineAnnealingLR(o, T_max=12),
            S(L).StepLR(o, step_size=4, gamma=0.5)],
        milestones=[8, 30]),
    "sequential_lambda": lambda L, o: S(L).SequentialLR(
        o, [S(L).LambdaLR(o, lambda e: (e + 1) / 10), S(L).MultiStepLR(o, [10, 20])],
        milestones=[10]),
    "chained": lambda L, o: S(L).ChainedScheduler(
        [S(L).ConstantLR(o, factor=0.1, total_iters=4), S(L).ExponentialLR(o, gamma=0.9)]),
    "chained_optimizer_arg": lambda L, o: S(L).ChainedScheduler(
        [S(L).StepLR(o, 5, 0.5), S(L).CosineAnnealingLR(o, T_max=20)], optimizer=o),
    "chained_in_sequential": lambda L, o: S(L).SequentialLR(
        o, [S(L).ChainedScheduler([S(L).ExponentialLR(o, 0.95), S(L).StepLR(o, 4, 0.5)]),
            S(L).LinearLR(o, start_factor=0.25, total_iters=6)],
        milestones=[15]),
}

ADAM_SCHEDULES = ["cyclic", "cyclic_exp", "onecycle", "onecycle_three", "onecycle_momentum",
                  "cosine", "sequential"]


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch_sgd(name):
    run_pair(SCHEDULES[name], "sgd")


@pytest.mark.parametrize("name", ADAM_SCHEDULES)
def test_schedule_matches_torch_adam(name):
    run_pair(SCHEDULES[name], "adam")


def test_momentum_and_betas_really_cycle():
    e_opt, _, _ = run_pair(SCHEDULES["cyclic"], "sgd", steps=2)
    assert e_opt.param_groups[0]["momentum"] != 0.9
    e_opt, _, _ = run_pair(SCHEDULES["onecycle"], "adam", steps=5)
    beta1, beta2 = e_opt.param_groups[1]["betas"]
    assert beta1 < 0.95 and beta2 == 0.99


def test_onecycle_sets_group_bounds():
    opt = make_optimizer(ember)
    ember_sched.OneCycleLR(opt, max_lr=[0.5, 0.25], total_steps=10, div_factor=5.0,
                           final_div_factor=2.0)
    g = opt.param_groups[1]
    assert (g["max_lr"], g["initial_lr"], g["min_lr"]) == (0.25, 0.05, 0.025)
    assert (g["max_momentum"], g["base_momentum"], g["momentum"]) == (0.95, 0.85, 0.95)


def test_cyclic_after_another_scheduler_keeps_torch_quirk():
    """An earlier scheduler's initial_lr is used for CyclicLR's first lr (as in torch)."""
    def make(L, o):
        S(L).StepLR(o, 3)
        return S(L).CyclicLR(o, 0.01, 0.1, step_size_up=4)
    _, s, _ = run_pair(make, steps=10)
    assert s.base_lrs == [0.01, 0.01]


# -- deprecated step(epoch) and fractional epochs ---------------------------------------------
CLOSED_FORM = ["step", "multistep", "constant_half", "linear_custom", "exponential",
               "polynomial_pow", "cosine_eta", "lambda"]


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_step_with_epoch_uses_closed_form(name):
    epochs = [3, 4, 4, 10, 7, 25, 1, 40, 22, 22, 50, 0, 31]
    *_, caught = run_pair(SCHEDULES[name], steps=len(epochs), step_args=lambda i: (epochs[i],))
    assert caught == [ember_sched.EPOCH_DEPRECATION_WARNING] * len(epochs)


def test_warm_restarts_fractional_epochs():
    iters = 7

    def frac(i):
        return (i // iters + (i % iters) / iters,)

    for name in ("warm_restarts", "warm_restarts_mult"):
        _, s, caught = run_pair(SCHEDULES[name], steps=80, step_args=frac)
        assert caught == []  # fractional epochs are not deprecated here
        assert s.last_epoch == math.floor(79 / iters)


def test_warm_restarts_jump_to_epoch():
    epochs = [0, 4, 50.5, 3, 21, 100, 9.25]
    run_pair(SCHEDULES["warm_restarts_mult"], steps=len(epochs), step_args=lambda i: (epochs[i],))


# -- ReduceLROnPlateau ------------------------------------------------------------------------
METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.9, 0.89999, 0.96, 0.97, 0.5, 0.5, 0.5, 0.5, 0.5,
           0.6, 0.7, 0.8, 0.49, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48, 0.48,
           0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
PLATEAU = {
    "default": {},
    "patience": dict(patience=2, factor=0.5),
    "cooldown": dict(patience=1, cooldown=3, factor=0.5),
    "abs": dict(patience=1, threshold=0.05, threshold_mode="abs", factor=0.3),
    "max": dict(mode="max", patience=2, factor=0.5),
    "max_abs": dict(mode="max", threshold_mode="abs", threshold=0.01, patience=0),
    "min_lr": dict(patience=0, factor=0.5, min_lr=[0.02, 0.001]),
    "min_lr_scalar": dict(patience=0, factor=0.2, min_lr=0.004),
    "eps": dict(patience=0, factor=0.9, eps=0.003),
}


@pytest.mark.parametrize("name", sorted(PLATEAU))
def test_reduce_on_plateau_matches_torch(name):
    kwargs = PLATEAU[name]
    pairs = []
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        pairs.append((opt, S(lib).ReduceLROnPlateau(opt, **kwargs)))
    (e_opt, e_s), (t_opt, t_s) = pairs
    for i, metric in enumerate(METRICS + METRICS[::-1]):
        for opt, s in pairs:
            opt.step()
            s.step(metric)
        assert_same_state(e_opt, e_s, t_opt, t_s, f"step {i}")
        for attr in ("best", "num_bad_epochs", "cooldown_counter", "in_cooldown", "last_epoch"):
            assert getattr(e_s, attr) == getattr(t_s, attr), f"step {i}: {attr}"


def test_reduce_on_plateau_accepts_tensor_metric_and_epoch():
    opt = make_optimizer(ember)
    s = ember_sched.ReduceLROnPlateau(opt, patience=0)
    s.step(ember.tensor(1.0))
    with pytest.warns(UserWarning, match="The epoch parameter"):
        s.step(ember.tensor(2.0), epoch=7)
    assert s.last_epoch == 7 and s.get_last_lr() == [0.1 * 0.1, 0.05 * 0.1]


def test_reduce_on_plateau_new_param_group():
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        s = S(lib).ReduceLROnPlateau(opt, patience=0, min_lr=0.001)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))], "lr": 0.2})
        s.step(1.0)
        s.step(2.0)
        assert s.min_lrs == [0.001] * 3
        assert math.isclose(opt.param_groups[2]["lr"], 0.02, rel_tol=RTOL)
    assert_same_error(lambda L: _plateau_list_min_lr_new_group(L))


def _plateau_list_min_lr_new_group(lib):
    opt = make_optimizer(lib)
    s = S(lib).ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
    opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})
    s.step(1.0)
    s.step(2.0)


# -- state_dict -------------------------------------------------------------------------------
ROUND_TRIP = ["lambda_list", "multiplicative", "step", "multistep", "constant_half", "linear",
              "polynomial_pow", "cosine", "warm_restarts_mult", "cyclic_exp", "cyclic_scale_fn",
              "onecycle_three", "sequential_three", "chained", "chained_in_sequential"]


def lr_trace(opt, sched, steps):
    out = []
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append((list(sched.get_last_lr()), group_values(opt)))
    return out


@pytest.mark.filterwarnings("ignore:Detected call of")  # chained_in_sequential, as torch
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_state_dict_round_trip(name):
    make = SCHEDULES[name]
    opt = make_optimizer(ember)
    expected = lr_trace(opt, make(ember, opt), 50)

    opt = make_optimizer(ember)
    sched = make(ember, opt)
    lr_trace(opt, sched, 20)
    opt_state = copy.deepcopy(opt.state_dict())
    sched_state = copy.deepcopy(sched.state_dict())
    assert "optimizer" not in sched_state
    for key in ("lr_lambdas", "_schedulers"):
        if key in sched_state:  # lambdas are saved as None, callable objects by __dict__
            assert all(v is None or isinstance(v, dict) for v in sched_state[key])

    opt2 = make_optimizer(ember)
    sched2 = make(ember, opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    assert getattr(sched2, "last_epoch", None) == getattr(sched, "last_epoch", None)
    resumed = lr_trace(opt2, sched2, 30)
    for (lr_a, g_a), (lr_b, g_b) in zip(resumed, expected[20:]):
        assert_floats(lr_a, lr_b, "get_last_lr")
        for a, b in zip(g_a, g_b):
            assert_floats(a, b, "group")


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_keys_match_torch(name):
    states = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # chained_in_sequential warns in both (torch quirk)
            opt = make_optimizer(lib)
            sched = SCHEDULES[name](lib, opt)
        opt.step()
        sched.step()
        states.append(sched.state_dict())
    ours, theirs = states
    assert list(ours) == list(theirs)
    if "_schedulers" in ours:
        for a, b in zip(ours["_schedulers"], theirs["_schedulers"]):
            assert set(a) == set(b)


def test_reduce_on_plateau_state_dict_round_trip():
    opt = make_optimizer(ember)
    s = ember_sched.ReduceLROnPlateau(opt, mode="max", patience=1, cooldown=2, factor=0.5)
    for m in METRICS[:20]:
        s.step(-m)
    state = copy.deepcopy(s.state_dict())
    t_opt = make_optimizer(torch)
    t_state = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, mode="max").state_dict()
    assert set(state) == set(t_state)
    opt_state = copy.deepcopy(opt.state_dict())
    opt2 = make_optimizer(ember)
    s2 = ember_sched.ReduceLROnPlateau(opt2)
    opt2.load_state_dict(opt_state)
    s2.load_state_dict(state)
    for m in METRICS[20:]:
        s.step(-m)
        s2.step(-m)
        assert s.get_last_lr() == s2.get_last_lr()
        assert (s.best, s.num_bad_epochs, s.cooldown_counter) == \
            (s2.best, s2.num_bad_epochs, s2.cooldown_counter)


def test_lambda_state_dict_saves_callable_objects_only():
    opt = make_optimizer(ember)
    fn = Halving()
    s = ember_sched.LambdaLR(opt, [lambda e: 1.0, fn])
    state = s.state_dict()
    assert state["lr_lambdas"] == [None, {"factor": 0.5}]
    fn.factor = 0.1
    state["lr_lambdas"][1] = {"factor": 0.25}
    s.load_state_dict(state)
    assert fn.factor == 0.25 and "lr_lambdas" in state


def test_cyclic_state_dict_drops_functions():
    opt = make_optimizer(ember)
    s = ember_sched.CyclicLR(opt, 0.01, 0.1, mode="exp_range", gamma=0.9)
    state = s.state_dict()
    assert "_scale_fn_ref" not in state and state["_scale_fn_custom"] is None
    s2 = ember_sched.CyclicLR(make_optimizer(ember), 0.02, 0.2)
    s2.load_state_dict(state)
    assert s2.mode == "exp_range" and s2.scale_mode == "iterations"
    assert s2.scale_fn(3) == 0.9 ** 3


# -- warnings ---------------------------------------------------------------------------------
STEP_ORDER = "Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_warns_when_scheduler_steps_first(lib_name):
    lib = ember if lib_name == "ember" else torch
    opt = make_optimizer(lib)
    s = S(lib).StepLR(opt, 3)
    with pytest.warns(UserWarning, match=STEP_ORDER):
        s.step()


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_warns_when_optimizer_stepped_only_before_scheduler(lib_name):
    lib = ember if lib_name == "ember" else torch
    opt = make_optimizer(lib)
    opt.step()
    s = S(lib).ExponentialLR(opt, 0.9)
    with pytest.warns(UserWarning, match=STEP_ORDER):
        s.step()


def test_no_warning_in_right_order():
    for name in ("step", "cosine", "cyclic", "onecycle", "sequential", "chained",
                 "warm_restarts", "lambda"):
        opt = make_optimizer(ember)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s = SCHEDULES[name](ember, opt)
            for _ in range(5):
                opt.step()
                s.step()


def test_second_scheduler_on_same_optimizer_does_not_rewrap():
    opt = make_optimizer(ember)
    s1 = ember_sched.StepLR(opt, 3)
    step = opt.step
    s2 = ember_sched.ExponentialLR(opt, 0.9)
    assert opt.step is step
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s1.step()
        s2.step()


def test_warns_when_optimizer_step_overridden_after_init():
    opt = make_optimizer(ember)
    s = ember_sched.StepLR(opt, 3)
    opt.step = lambda closure=None: None
    opt.step()
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        s.step()


def test_step_override_before_init_is_tracked():
    opt = make_optimizer(ember)
    calls = []
    opt.step = lambda closure=None: calls.append(1)
    s = ember_sched.StepLR(opt, 3)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
    assert calls == [1]


def test_get_lr_outside_step_warns():
    opt = make_optimizer(ember)
    s = ember_sched.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()


# -- construction and base-class behaviour ----------------------------------------------------
def test_initial_lr_base_lrs_and_last_epoch():
    opt = make_optimizer(ember)
    s = ember_sched.StepLR(opt, 3)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert s.base_lrs == [0.1, 0.05] and s.last_epoch == 0 and s._step_count == 1
    assert s.get_last_lr() == [0.1, 0.05]
    # a second scheduler keeps the recorded initial_lr
    opt.param_groups[0]["lr"] = 0.3
    s2 = ember_sched.ExponentialLR(opt, 0.5)
    assert s2.base_lrs == [0.1, 0.05]


def test_resume_with_last_epoch():
    opt = make_optimizer(ember)
    with pytest.raises(KeyError, match="'initial_lr' is not specified in param_groups\\[0\\]"):
        ember_sched.StepLR(opt, 3, last_epoch=4)
    pairs = []
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"] * 2
        pairs.append((opt, S(lib).CosineAnnealingLR(opt, T_max=10, last_epoch=4)))
    for i in range(12):
        for opt, s in pairs:
            opt.step()
            s.step()
        assert_same_state(*pairs[0], *pairs[1], f"step {i}")


def test_tensor_lr_is_updated_in_place():
    results = []
    for lib in (ember, torch):
        opt = make_optimizer(lib)
        lr = lib.tensor(0.1, dtype=lib.float64)
        opt.param_groups[0]["lr"] = lr
        s = S(lib).StepLR(opt, 2, gamma=0.5)
        assert opt.param_groups[0]["initial_lr"] is not lr
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(3):
                s.step()
        assert opt.param_groups[0]["lr"] is lr
        last = s.get_last_lr()[0]
        assert last is not lr
        results.append((float(lr), float(last)))
    assert results[0] == results[1] == (0.05, 0.05)


def test_public_names():
    assert set(ember_sched.__all__) == set(torch.optim.lr_scheduler.__all__)
    assert issubclass(ember_sched._LRScheduler, ember_sched.LRScheduler)
    assert ember_sched._LRScheduler.__name__ == "_LRScheduler"
    for name in ember_sched.__all__:
        assert issubclass(getattr(ember_sched, name), ember_sched.LRScheduler)
    assert ember.optim.lr_scheduler.StepLR is ember_sched.StepLR


def test_custom_subclass_of_base():
    class Halve(ember_sched.LRScheduler):
        def get_lr(self):
            return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

    opt = make_optimizer(ember)
    s = Halve(opt)
    opt.step()
    s.step()
    s.step()
    assert s.get_last_lr() == [0.025, 0.0125]
    with pytest.raises(NotImplementedError):
        ember_sched.LRScheduler(make_optimizer(ember))


# -- errors, compared with torch --------------------------------------------------------------
def assert_same_error(fn, kind="sgd", same_message=True):
    """fn(lib) (or fn(lib, opt)) must raise the same exception type and message in both."""
    caught = []
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                if fn.__code__.co_argcount == 1:
                    fn(lib)
                else:
                    fn(lib, make_optimizer(lib, kind))
        caught.append(info.value)
    ours, theirs = caught
    assert type(ours).__name__ == type(theirs).__name__, (ours, theirs)
    if same_message:
        assert str(ours) == str(theirs)


def _exceed_onecycle(L, o):
    s = S(L).OneCycleLR(o, max_lr=0.1, total_steps=5)
    for _ in range(6):
        o.step()
        s.step()


def _warm_restarts_negative_epoch(L, o):
    S(L).CosineAnnealingWarmRestarts(o, T_0=3).step(-1)


def _chained_after_milestone(L, o):
    """torch: a ChainedScheduler has no get_lr, so SequentialLR cannot restart it."""
    s = S(L).SequentialLR(
        o, [S(L).LinearLR(o, total_iters=2),
            S(L).ChainedScheduler([S(L).ExponentialLR(o, 0.9), S(L).StepLR(o, 2)])],
        milestones=[2])
    for _ in range(3):
        o.step()
        s.step()


def _step_size_zero(L, o):
    s = S(L).StepLR(o, step_size=0)
    o.step()
    s.step()


ERRORS = {
    "not_optimizer": lambda L: S(L).StepLR(object(), 3),
    "not_optimizer_plateau": lambda L: S(L).ReduceLROnPlateau([1, 2]),
    "not_optimizer_cyclic": lambda L: S(L).CyclicLR(None, 0.1, 1.0),
    "not_optimizer_onecycle": lambda L: S(L).OneCycleLR("sgd", 0.1, 10),
    "lambda_count": lambda L, o: S(L).LambdaLR(o, [lambda e: 1.0]),
    "multiplicative_count": lambda L, o: S(L).MultiplicativeLR(o, [lambda e: 1.0] * 3),
    "multiplicative_not_callable": lambda L, o: S(L).MultiplicativeLR(o, 0.9),
    "constant_factor": lambda L, o: S(L).ConstantLR(o, factor=1.5),
    "constant_negative": lambda L, o: S(L).ConstantLR(o, factor=-0.1),
    "linear_start": lambda L, o: S(L).LinearLR(o, start_factor=0.0),
    "linear_end": lambda L, o: S(L).LinearLR(o, end_factor=1.5),
    "step_size_zero": _step_size_zero,
    "sequential_empty": lambda L, o: S(L).SequentialLR(o, [], []),
    "sequential_milestones": lambda L, o: S(L).SequentialLR(
        o, [S(L).StepLR(o, 2), S(L).ExponentialLR(o, 0.9)], milestones=[3, 6]),
    "sequential_no_milestone": lambda L, o: S(L).SequentialLR(
        o, [S(L).StepLR(o, 2), S(L).ExponentialLR(o, 0.9)], milestones=[]),
    "sequential_plateau": lambda L, o: S(L).SequentialLR(
        o, [S(L).StepLR(o, 2), S(L).ReduceLROnPlateau(o)], milestones=[3]),
    "sequential_not_scheduler": lambda L, o: S(L).SequentialLR(o, [S(L).StepLR(o, 2), 5], [3]),
    "sequential_chained_after_milestone": _chained_after_milestone,
    "chained_empty": lambda L, o: S(L).ChainedScheduler([]),
    "chained_plateau": lambda L, o: S(L).ChainedScheduler(
        [S(L).StepLR(o, 2), S(L).ReduceLROnPlateau(o)]),
    "warm_T0_zero": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=0),
    "warm_T0_float": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=2.5),
    "warm_T_mult": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    "warm_T_mult_float": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    "warm_eta_min": lambda L, o: S(L).CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    "warm_negative_epoch": _warm_restarts_negative_epoch,
    "cyclic_mode": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, mode="square"),
    "cyclic_base_lr_len": lambda L, o: S(L).CyclicLR(o, [0.01, 0.02, 0.03], 0.1),
    "cyclic_max_lr_len": lambda L, o: S(L).CyclicLR(o, 0.01, [0.1]),
    "cyclic_momentum_len": lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, base_momentum=[0.8]),
    "onecycle_total_steps": lambda L, o: S(L).OneCycleLR(o, 0.1, total_steps=0),
    "onecycle_total_steps_float": lambda L, o: S(L).OneCycleLR(o, 0.1, total_steps=10.0),
    "onecycle_nothing": lambda L, o: S(L).OneCycleLR(o, 0.1),
    "onecycle_epochs": lambda L, o: S(L).OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3),
    "onecycle_steps_per_epoch": lambda L, o: S(L).OneCycleLR(o, 0.1, epochs=2,
                                                             steps_per_epoch=-1),
    "onecycle_pct_int": lambda L, o: S(L).OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
    "onecycle_pct_range": lambda L, o: S(L).OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5),
    "onecycle_anneal": lambda L, o: S(L).OneCycleLR(o, 0.1, total_steps=10,
                                                    anneal_strategy="exp"),
    "onecycle_max_lr_len": lambda L, o: S(L).OneCycleLR(o, [0.1] * 3, total_steps=10),
    "onecycle_exceeded": _exceed_onecycle,
    "plateau_factor": lambda L, o: S(L).ReduceLROnPlateau(o, factor=1.0),
    "plateau_mode": lambda L, o: S(L).ReduceLROnPlateau(o, mode="mean"),
    "plateau_threshold_mode": lambda L, o: S(L).ReduceLROnPlateau(o, threshold_mode="pct"),
    "plateau_min_lr_len": lambda L, o: S(L).ReduceLROnPlateau(o, min_lr=[0.1, 0.1, 0.1]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    assert_same_error(ERRORS[name])


def test_composite_different_optimizer_errors():
    def sequential(L):
        o1, o2 = make_optimizer(L), make_optimizer(L)
        S(L).SequentialLR(o1, [S(L).StepLR(o1, 2), S(L).StepLR(o2, 2)], milestones=[3])

    def chained(L):
        o1, o2 = make_optimizer(L), make_optimizer(L)
        S(L).ChainedScheduler([S(L).StepLR(o1, 2), S(L).StepLR(o2, 2)])

    # the message embeds the optimizer's repr, which holds library-specific values
    assert_same_error(sequential, same_message=False)
    assert_same_error(chained, same_message=False)
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        sequential(ember)


@pytest.mark.parametrize("sched", ["cyclic", "onecycle"])
def test_cycle_momentum_needs_momentum_or_betas(sched):
    def make(L, o):
        if sched == "cyclic":
            return S(L).CyclicLR(o, 0.01, 0.1)
        return S(L).OneCycleLR(o, 0.1, total_steps=10)
    assert_same_error(make, kind="plain")
    # without cycle_momentum the plain optimizer is fine
    run_pair(lambda L, o: S(L).CyclicLR(o, 0.01, 0.1, step_size_up=3, cycle_momentum=False),
             kind="plain", steps=10)


def test_onecycle_exceeded_message():
    opt = make_optimizer(ember)
    s = ember_sched.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of "
                                         "total steps is 3"):
        s.step()


def test_lr_values_are_plain_python_floats():
    opt = make_optimizer(ember)
    s = ember_sched.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    opt.step()
    s.step()
    assert all(type(v) is float for v in s.get_last_lr())
    assert np.isfinite(s.get_last_lr()).all()


def test_cosine_first_step_after_step_count_reset():
    """CosineAnnealingLR's closed-form first step (``_step_count == 1``), as in torch."""
    def make(L, o):
        s = S(L).CosineAnnealingLR(o, T_max=8, eta_min=0.01)
        for _ in range(3):
            o.step()
            s.step()
        o.param_groups[0]["lr"] = 0.7  # overwritten by the closed form below
        s._step_count = 0
        return s
    run_pair(make, steps=12)


def test_optimizer_copies_after_scheduler_attached():
    opt = make_optimizer(ember)
    ember_sched.StepLR(opt, 3)
    clone = copy.deepcopy(opt)
    assert "step" not in vars(clone) and clone._opt_called is False
    assert clone.param_groups[0]["initial_lr"] == 0.1
