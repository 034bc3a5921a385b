"""LBFGS parity with torch.optim.LBFGS on small problems, with and without strong Wolfe.

Each case runs a few ``step(closure)`` calls of a few iterations each (up to ~24 L-BFGS
iterations). Tolerances: float64 runs agree to rtol=1e-9 after 4 steps and take the same
branches (same closure evaluations, same state); float32 runs are compared after 2 steps
to rtol=2e-3, atol=1e-4: float32 gradients and dot products rounded differently move the
iterates by ~1e-7 relative, and the ill-conditioned least-squares problem (condition number
~1e3) amplifies that. (torch 2.14's wheel does GEMM in MKL, NumPy in OpenBLAS: their
float32 products already differ in the last bit, so the iterates drift ~1e-3 apart.) (Without a line search Rosenbrock is chaotic after ~20 iterations:
any two float implementations separate there, which is why the cases stop early.)
"""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close, to_numpy

import ember

pytestmark = needs_torch

TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=2e-3, atol=1e-4)}
N_STEPS = {np.float64: 4, np.float32: 2}


def rosenbrock(lib, x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def make_rosenbrock(lib, dtype):
    x = lib.tensor(np.array([-1.5, 2.0], dtype), requires_grad=True)
    return [x], lambda: rosenbrock(lib, x)


def make_least_squares(lib, dtype):
    """Ill-conditioned regression with a weight matrix and a bias (the flat vector spans two
    parameters) and a small quartic term, so L-BFGS needs many iterations."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5)) * np.array([1, 3, 10, 0.3, 1])
    X = lib.tensor(X.astype(dtype))
    Y = lib.tensor(rng.standard_normal((30, 3)).astype(dtype))
    W = lib.tensor(rng.standard_normal((3, 5)).astype(dtype), requires_grad=True)
    b = lib.tensor(np.ones(3, dtype), requires_grad=True)
    return [W, b], lambda: ((X @ W.t() + b - Y) ** 2).mean() + 0.01 * (W ** 4).sum()


def run(lib, problem, dtype, n_steps, **kwargs):
    params, loss_fn = problem(lib, dtype)
    opt = lib.optim.LBFGS(params, **kwargs)
    n_calls = [0]

    def closure():
        n_calls[0] += 1
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(n_steps)]
    return params, opt, losses, n_calls[0]


def assert_lbfgs_state_matches(es, ts, tol):
    assert list(es) == list(ts)
    for k, tv in ts.items():
        ev = es[k]
        if isinstance(tv, torch.Tensor):
            assert isinstance(ev, ember.Tensor), k
            assert_close(ev, tv, msg=k, **tol)
        elif isinstance(tv, list):
            assert len(ev) == len(tv), k
            for i, (a, b) in enumerate(zip(ev, tv)):
                if b is None:
                    assert a is None
                else:
                    assert_close(a, b, msg=f"{k}[{i}]", **tol)
        elif isinstance(tv, float):
            assert ev == pytest.approx(tv, rel=tol["rtol"], abs=tol["atol"]), k
        else:
            assert ev == tv, k


CONFIGS = [
    dict(max_iter=5),
    dict(max_iter=5, line_search_fn="strong_wolfe"),
    dict(history_size=2, max_iter=4),                                  # history is popped
    dict(history_size=2, max_iter=4, line_search_fn="strong_wolfe", lr=0.5),
    dict(max_iter=6, max_eval=7, line_search_fn="strong_wolfe"),       # max_eval cuts searches
    dict(lr=0.1, max_iter=5, tolerance_change=1e-5),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("problem", [make_rosenbrock, make_least_squares],
                         ids=["rosenbrock", "least_squares"])
@pytest.mark.parametrize("kwargs", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_lbfgs_matches_torch(problem, dtype, kwargs):
    tol = TOL[dtype]
    ep, eo, el, ecalls = run(ember, problem, dtype, N_STEPS[dtype], **kwargs)
    tp, to, tl, tcalls = run(torch, problem, dtype, N_STEPS[dtype], **kwargs)
    np.testing.assert_allclose(el, tl, **tol)
    for e, t in zip(ep, tp):
        assert_close(e.detach(), t.detach(), **tol)
    assert el[-1] < el[0]
    if dtype == np.float64:          # same branches taken: same evaluations and iterations
        assert ecalls == tcalls
        assert_lbfgs_state_matches(eo.state[ep[0]], to.state[tp[0]], tol)
        esd, tsd = eo.state_dict(), to.state_dict()
        assert list(esd["state"]) == list(tsd["state"]) == [0]
        assert esd["param_groups"] == tsd["param_groups"]


def test_rosenbrock_converges_with_strong_wolfe():
    (x,), opt, losses, _ = run(ember, make_rosenbrock, np.float64, 5,
                               line_search_fn="strong_wolfe", max_iter=50)
    np.testing.assert_allclose(to_numpy(x.detach()), [1.0, 1.0], atol=1e-5)
    (tx,), _, tlosses, _ = run(torch, make_rosenbrock, np.float64, 5,
                               line_search_fn="strong_wolfe", max_iter=50)
    assert_close(x.detach(), tx.detach(), rtol=1e-9, atol=1e-10)


def test_state_dict_round_trip():
    """Save after 2 steps, load into a fresh LBFGS (also from torch's state), continue."""
    kw = dict(line_search_fn="strong_wolfe", history_size=4, max_iter=6)
    ep, eo, _, _ = run(ember, make_least_squares, np.float64, 2, **kw)
    tp, to, _, _ = run(torch, make_least_squares, np.float64, 2, **kw)

    def continue_from(lib, values, sd):
        params, loss_fn = make_least_squares(lib, np.float64)
        with lib.no_grad():
            for p, v in zip(params, values):
                p.copy_(lib.tensor(v))
        opt = lib.optim.LBFGS(params, **kw)
        opt.load_state_dict(sd)

        def closure():
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        return params

    def to_ember(obj):
        if isinstance(obj, torch.Tensor):
            return ember.tensor(obj.detach().numpy().copy())
        if isinstance(obj, dict):
            return {k: to_ember(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [to_ember(v) for v in obj]
        return obj

    ember_sd = eo.state_dict()
    from_ember = continue_from(ember, [to_numpy(p.detach()) for p in ep], ember_sd)
    from_torch = continue_from(ember, [to_numpy(p.detach()) for p in tp], to_ember(to.state_dict()))
    reference = continue_from(torch, [to_numpy(p.detach()) for p in tp], to.state_dict())
    for a, b, c in zip(from_ember, from_torch, reference):
        assert_close(a.detach(), c.detach(), rtol=1e-9, atol=1e-10)
        assert_close(b.detach(), c.detach(), rtol=1e-9, atol=1e-10)
    assert eo.state_dict()["state"][0]["n_iter"] == ember_sd["state"][0]["n_iter"]


def test_errors():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [p]}, {"params": [lib.ones(2, requires_grad=True)]}])
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            lib.optim.LBFGS([p], lr=-1)
        opt = lib.optim.LBFGS([p], line_search_fn="wolfe")

        def closure():
            opt.zero_grad()
            loss = (p ** 2).sum()
            loss.backward()
            return loss
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        with pytest.raises(TypeError):
            opt.step()                                  # the closure is required


def test_optimal_start_returns_immediately():
    p = ember.zeros(3, requires_grad=True)
    opt = ember.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1 and to_numpy(p.detach()).tolist() == [0.0, 0.0, 0.0]
    assert opt.state[p] == {"func_evals": 1, "n_iter": 0}


def test_defaults_and_max_eval():
    opt = ember.optim.LBFGS([ember.ones(1, requires_grad=True)], max_iter=8)
    assert opt.defaults["max_eval"] == 10
    assert opt.defaults["history_size"] == 100 and opt.defaults["line_search_fn"] is None
