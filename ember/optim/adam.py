"""``optim.Adam`` and ``optim.AdamW`` (decoupled weight decay), with amsgrad and maximize.

The update follows ``torch.optim.Adam``'s single-tensor algorithm step for step, on the
parameter arrays in place, with two scratch arrays per parameter.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (adam_moments_, check_lr, to_scalar, check_range, check_betas,
                          check_not_differentiable, zeros_like_param, step_tensor,
                          run_closure, params_with_grad, addcdiv_)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma & Ba); ``decoupled_weight_decay=True`` makes it AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused, decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, p, amsgrad):
        state = self.state[p]
        state["step"] = step_tensor()
        state["exp_avg"] = zeros_like_param(p)
        state["exp_avg_sq"] = zeros_like_param(p)
        if amsgrad:
            state["max_exp_avg_sq"] = zeros_like_param(p)
        return state

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = to_scalar(group["lr"]), group["betas"], group["eps"]
            wd, amsgrad = group["weight_decay"], group["amsgrad"]
            decoupled = group.get("decoupled_weight_decay", False)
            for p, g, state in params_with_grad(self, group, "Adam"):
                if not state:
                    state = self._init_state(p, amsgrad)
                d = p._data
                xp = backend.get_array_module(d)
                tmp, tmp2 = self._scratch(p)
                k = backend.scalar_operands(d)
                step, m, v = adam_moments_(p, g, state, lr, wd, decoupled, beta1, beta2, tmp, k)
                bias1 = 1 - beta1 ** step
                bias2_sqrt = (1 - beta2 ** step) ** 0.5
                if amsgrad:
                    vmax = state["max_exp_avg_sq"]._data
                    xp.maximum(vmax, v, out=vmax)
                    xp.sqrt(vmax, out=tmp)
                else:
                    xp.sqrt(v, out=tmp)
                tmp /= k[bias2_sqrt]                 # denom = sqrt(v) / sqrt(bias2) + eps
                tmp += k[eps]
                addcdiv_(d, m, tmp, -(lr / bias1), tmp2, k)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01), as ``torch.optim.AdamW``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
