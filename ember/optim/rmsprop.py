"""``optim.RMSprop``: plain or centered, with momentum, weight decay and maximize.

Follows ``torch.optim.RMSprop``'s single-tensor algorithm step for step, in place on the
parameter arrays. ``foreach``/``capturable`` are accepted and change nothing (same math).
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          zeros_like_param, step_tensor, run_closure, params_with_grad,
                          with_weight_decay, lerp_, ema_square_, addcdiv_)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton); ``centered=True`` normalizes by an estimate of the variance."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_lr(lr)
        check_range("epsilon value", eps)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        check_range("alpha value", alpha)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = to_scalar(group["lr"]), group["alpha"], group["eps"]
            wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, g, state in params_with_grad(self, group, "RMSprop"):
                if not state:
                    state["step"] = step_tensor()
                    state["square_avg"] = zeros_like_param(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like_param(p)
                    if centered:
                        state["grad_avg"] = zeros_like_param(p)
                d = p._data
                xp = backend.get_array_module(d)
                state["step"]._data += 1
                g = with_weight_decay(g, d, wd)
                tmp = self._scratch(p)[0]
                sq = state["square_avg"]._data
                ema_square_(sq, g, alpha, tmp)
                if centered:
                    ga = state["grad_avg"]._data
                    lerp_(ga, g, 1 - alpha, tmp)
                    xp.multiply(ga, ga, out=tmp)        # avg = sqrt(sq - ga^2)
                    xp.subtract(sq, tmp, out=tmp)
                    xp.sqrt(tmp, out=tmp)
                else:
                    xp.sqrt(sq, out=tmp)
                tmp += eps                              # avg
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    xp.divide(g, tmp, out=tmp)
                    buf += tmp
                    xp.multiply(buf, lr, out=tmp)
                    d -= tmp
                else:
                    addcdiv_(d, g, tmp, -lr, self._scratch(p)[1])
        return loss
