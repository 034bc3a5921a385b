"""``optim.RAdam``: Adam with variance rectification (decoupled weight decay optional).

Follows ``torch.optim.RAdam``'s single-tensor algorithm: while the approximated SMA
length ``rho_t`` is at most 5 the step is SGD with momentum (bias-corrected), after that
the adaptive, rectified Adam step.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (adam_moments_, check_lr, to_scalar, check_range, check_betas,
                          check_not_differentiable, zeros_like_param, step_tensor,
                          run_closure, params_with_grad)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (Liu et al.); ``decoupled_weight_decay=True`` gives RAdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = to_scalar(group["lr"]), group["betas"], group["eps"]
            wd = group["weight_decay"]
            decoupled = group.get("decoupled_weight_decay", False)
            rho_inf = 2 / (1 - beta2) - 1
            for p, g, state in params_with_grad(self, group, "RAdam"):
                if not state:
                    state["step"] = step_tensor()
                    state["exp_avg"] = zeros_like_param(p)
                    state["exp_avg_sq"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                tmp = self._scratch(p)[0]
                step, m, v = adam_moments_(p, g, state, lr, wd, decoupled, beta1, beta2, tmp)
                bias1 = 1 - beta1 ** step
                bias2 = 1 - beta2 ** step
                upd = xp.divide(m, bias1)               # bias-corrected first moment
                upd *= lr
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    xp.sqrt(v, out=tmp)     # adaptive lr = sqrt(bias2) / (sqrt(v) + eps)
                    tmp += eps
                    xp.divide(bias2 ** 0.5, tmp, out=tmp)
                    upd *= tmp
                    upd *= rect
                d -= upd
        return loss
