"""``optim.ASGD``: averaged stochastic gradient descent (Polyak & Juditsky).

Follows ``torch.optim.ASGD``'s single-tensor algorithm: the state holds ``step``, ``eta``
and ``mu`` as 0-d float32 tensors (as PyTorch's non-capturable state) and the running
average ``ax``; updated in place on the parameter arrays.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          zeros_like_param, step_tensor, run_closure, params_with_grad,
                          with_weight_decay)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD: SGD with decaying step ``eta`` and an average ``ax`` of the iterates after ``t0``."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range("weight_decay value", weight_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = (to_scalar(group["lr"]), group["lambd"], group["alpha"],
                                    group["t0"])
            wd = group["weight_decay"]
            for p, g, state in params_with_grad(self, group, "ASGD"):
                if not state:
                    state["step"] = step_tensor()
                    state["eta"] = step_tensor(lr)
                    state["mu"] = step_tensor(1.0)
                    state["ax"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                step_arr, eta_arr, mu_arr = (state["step"]._data, state["eta"]._data,
                                             state["mu"]._data)
                ax = state["ax"]._data
                step_arr += 1
                g = with_weight_decay(g, d, wd)
                eta = float(eta_arr)
                d *= 1 - lambd * eta                    # decay term
                tmp = self._scratch(p)[0]
                xp.multiply(g, -eta, out=tmp)
                d += tmp
                if float(mu_arr) != 1:                  # ax += (param - ax) * mu
                    xp.subtract(d, ax, out=tmp)
                    tmp *= mu_arr
                    ax += tmp
                else:
                    ax[...] = d
                step = float(step_arr)
                eta_arr[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu_arr[...] = 1 / max(1, step - t0)
        return loss
