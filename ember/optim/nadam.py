"""``optim.NAdam``: Adam with Nesterov momentum (momentum decay, decoupled weight decay).

Follows ``torch.optim.NAdam``'s single-tensor algorithm. The running product of the
momentum schedule, state ``'mu_product'``, is a 0-d float32 tensor as in PyTorch (and is
multiplied in float32, as there).
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_betas,
                          check_not_differentiable, zeros_like_param, step_tensor,
                          run_closure, params_with_grad, with_weight_decay, lerp_,
                          ema_square_, addcdiv_)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (Dozat); ``decoupled_weight_decay=True`` gives NAdamW."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_betas(betas)
        check_range("weight_decay value", weight_decay)
        check_range("momentum_decay value", momentum_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = to_scalar(group["lr"]), group["betas"], group["eps"]
            wd, psi = group["weight_decay"], group["momentum_decay"]
            decoupled = group.get("decoupled_weight_decay", False)
            for p, g, state in params_with_grad(self, group, "NAdam"):
                if not state:
                    state["step"] = step_tensor()
                    state["mu_product"] = step_tensor(1.0)
                    state["exp_avg"] = zeros_like_param(p)
                    state["exp_avg_sq"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                step_arr = state["step"]._data
                step_arr += 1
                step = float(step_arr)
                bias2 = 1 - beta2 ** step
                if wd != 0:
                    if decoupled:
                        d *= 1 - lr * wd
                    else:
                        g = with_weight_decay(g, d, wd)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
                mu_prod_arr = state["mu_product"]._data
                mu_prod_arr *= mu                       # in float32, as PyTorch's 0-d tensor
                mu_product = float(mu_prod_arr)
                mu_product_next = mu_product * mu_next
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                tmp = self._scratch(p)[0]
                lerp_(m, g, 1 - beta1, tmp)
                ema_square_(v, g, beta2, tmp)
                denom = xp.divide(v, bias2)             # sqrt(v / bias2) + eps
                xp.sqrt(denom, out=denom)
                denom += eps
                addcdiv_(d, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product), tmp)
                addcdiv_(d, m, denom, (-lr * mu_next) / (1.0 - mu_product_next), tmp)
        return loss
