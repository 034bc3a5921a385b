"""``optim.Adadelta``: rho, eps, weight decay, maximize (learning rate defaults to 1.0).

Follows ``torch.optim.Adadelta``'s single-tensor algorithm, in place on the arrays.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          zeros_like_param, step_tensor, run_closure, params_with_grad,
                          with_weight_decay, ema_square_)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler): step sizes from running averages of squared grads and updates."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_range("epsilon value", eps)
        check_range("weight_decay value", weight_decay)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable,
                                      foreach=foreach, differentiable=differentiable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, rho, eps = to_scalar(group["lr"]), group["rho"], group["eps"]
            wd = group["weight_decay"]
            for p, g, state in params_with_grad(self, group, "Adadelta"):
                if not state:
                    state["step"] = step_tensor()
                    state["square_avg"] = zeros_like_param(p)
                    state["acc_delta"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                state["step"]._data += 1
                g = with_weight_decay(g, d, wd)
                sq, acc = state["square_avg"]._data, state["acc_delta"]._data
                tmp = self._scratch(p)[0]
                ema_square_(sq, g, rho, tmp)
                delta = xp.add(acc, eps)            # delta = sqrt(acc + eps) / std * g
                xp.sqrt(delta, out=delta)
                xp.add(sq, eps, out=tmp)            # std = sqrt(sq + eps)
                xp.sqrt(tmp, out=tmp)
                delta /= tmp
                delta *= g
                ema_square_(acc, delta, rho, tmp)
                delta *= lr
                d -= delta
        return loss
