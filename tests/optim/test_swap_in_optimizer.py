"""optim.swap_in_optimizer_params_and_state (PyTorch 2.14) against torch: inside the
context step() updates the supplied tensors and state with the supplied hyperparameters;
on exit the live optimizer (params, groups, state) is as before; the same RuntimeErrors."""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close

import ember

pytestmark = needs_torch


def _setup(lib):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in [(3, 2), (2,), (4,)]]
    opt = lib.optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.05}], lr=0.1)
    for p in params:
        p.grad = lib.ones_like(p)
    opt.step()
    return params, opt


def _swap_inputs(lib, opt):
    rng = np.random.default_rng(1)
    sd = opt.state_dict()
    state = {i: {k: v.clone() for k, v in s.items()} for i, s in sd["state"].items()}
    groups = [dict(g) for g in sd["param_groups"]]
    groups[0]["lr"] = 0.5
    new = {f"p{i}": lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32),
                               requires_grad=True)
           for i, p in enumerate(opt.param_groups[0]["params"] + opt.param_groups[1]["params"])}
    return new, {"state": state, "param_groups": groups}


def test_step_inside_matches_torch_and_live_state_restored():
    results = {}
    for lib in (ember, torch):
        params, opt = _setup(lib)
        before = [p.detach().clone() for p in params]
        live_state = opt.state
        live_lists = [g["params"] for g in opt.param_groups]
        new, osd = _swap_inputs(lib, opt)
        for t in new.values():
            t.grad = lib.full_like(t, 0.5)
        exp_avg0 = osd["state"][0]["exp_avg"]
        with lib.optim.swap_in_optimizer_params_and_state(opt, new, osd):
            assert opt.param_groups[0]["lr"] == 0.5
            assert opt.param_groups[0]["params"][0] is new["p0"]
            assert list(opt.state) == list(new.values())
            opt.step()
            opt.state[new["p0"]]["extra"] = 1           # structural change: stays local
        assert opt.state is live_state
        assert [g["params"] for g in opt.param_groups] == live_lists
        assert all(g["params"] is lst for g, lst in zip(opt.param_groups, live_lists))
        assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.05
        assert "extra" not in osd["state"][0]
        for p, b in zip(params, before):
            assert (p.detach() == b).all()
        results[lib] = ([t.detach() for t in new.values()], exp_avg0,
                        [float(s["step"]) for s in osd["state"].values()])
    (e_new, e_m, e_steps), (t_new, t_m, t_steps) = results[ember], results[torch]
    assert e_steps == t_steps == [2.0, 2.0, 2.0]       # in-place state edits propagate
    assert_close(e_m, t_m)
    for e, t in zip(e_new, t_new):
        assert_close(e, t)


def _err(fn):
    try:
        with fn():
            pass
    except RuntimeError as e:
        return str(e).replace("ember.", "torch.")
    return None


@pytest.mark.parametrize("mutate", [
    lambda new, osd: osd.__setitem__("state", []),
    lambda new, osd: osd.__setitem__("param_groups", {}),
    lambda new, osd: osd["param_groups"].pop(),
    lambda new, osd: osd["param_groups"][0]["params"].pop(),
    lambda new, osd: osd["param_groups"][0].__setitem__("params", ["a", "b"]),
    lambda new, osd: osd["param_groups"][1].__setitem__("momentum", 0.9),
    lambda new, osd: osd["param_groups"][1].pop("eps"),
    lambda new, osd: osd["state"].__setitem__(7, {}),
    lambda new, osd: osd["state"].__setitem__(0, 3),
    lambda new, osd: new.pop("p2"),
    lambda new, osd: osd["param_groups"].__setitem__(0, 5),
], ids=["state-list", "groups-dict", "group-count", "param-count", "param-ids", "extra-key",
        "missing-key", "extra-state", "state-not-dict", "few-params", "group-not-dict"])
def test_errors_match_torch(mutate):
    msgs = []
    for lib in (ember, torch):
        params, opt = _setup(lib)
        new, osd = _swap_inputs(lib, opt)
        mutate(new, osd)
        msgs.append(_err(lambda: lib.optim.swap_in_optimizer_params_and_state(opt, new, osd)))
    assert msgs[0] == msgs[1] and msgs[0] is not None


def test_uninitialised_state_and_non_dict():
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        with pytest.raises(RuntimeError, match="requires initialized optimizer state"):
            with lib.optim.swap_in_optimizer_params_and_state(opt, {"p": p}, opt.state_dict()):
                pass
        p.grad = lib.ones(2)
        opt.step()
        with pytest.raises(RuntimeError, match="DCP-style"):
            with lib.optim.swap_in_optimizer_params_and_state(opt, {"p": p}, [1]):
                pass


def test_restores_after_an_exception():
    params, opt = _setup(ember)
    new, osd = _swap_inputs(ember, opt)
    live = opt.state
    with pytest.raises(KeyError):
        with ember.optim.swap_in_optimizer_params_and_state(opt, new, osd):
            raise KeyError("boom")
    assert opt.state is live and opt.param_groups[0]["params"][0] is params[0]
