"""``optim.Adamax``: Adam with the infinity norm (betas, eps, weight decay, maximize).

Follows ``torch.optim.Adamax``'s single-tensor algorithm, in place on the arrays.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_betas,
                          check_not_differentiable, zeros_like_param, step_tensor,
                          run_closure, params_with_grad, with_weight_decay, lerp_, addcdiv_)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7): the second moment is an exponentially weighted max."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = to_scalar(group["lr"]), group["betas"], group["eps"]
            wd = group["weight_decay"]
            for p, g, state in params_with_grad(self, group, "Adamax"):
                if not state:
                    state["step"] = step_tensor()
                    state["exp_avg"] = zeros_like_param(p)
                    state["exp_inf"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                step_arr = state["step"]._data
                step_arr += 1
                g = with_weight_decay(g, d, wd)
                m, u = state["exp_avg"]._data, state["exp_inf"]._data
                tmp = self._scratch(p)[0]
                lerp_(m, g, 1 - beta1, tmp)
                u *= beta2                              # u = max(beta2 u, |g| + eps)
                xp.abs(g, out=tmp)
                tmp += eps
                xp.maximum(u, tmp, out=u)
                clr = lr / (1 - beta1 ** float(step_arr))
                addcdiv_(d, m, u, -clr, tmp)
        return loss
