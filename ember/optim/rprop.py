"""``optim.Rprop``: resilient backpropagation (sign-based steps with adaptive sizes).

Follows ``torch.optim.Rprop``'s single-tensor algorithm; state ``step`` (0-d float32),
``prev`` (last gradient used) and ``step_size``; updated in place on the arrays.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_not_differentiable, zeros_like_param,
                          full_like_param, step_tensor, run_closure, params_with_grad)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop: grow a weight's step by ``etas[1]`` while its gradient keeps its sign, shrink
    it by ``etas[0]`` (and skip that update) when the sign flips."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            smin, smax = group["step_sizes"]
            for p, g, state in params_with_grad(self, group, "Rprop"):
                if not state:
                    state["step"] = step_tensor()
                    state["prev"] = zeros_like_param(p)
                    state["step_size"] = full_like_param(p, to_scalar(group["lr"]))
                d = p._data
                xp = backend.get_array_module(d)
                state["step"]._data += 1
                prev, size = state["prev"]._data, state["step_size"]._data
                sign = xp.sign(g * prev)
                factor = xp.where(sign > 0, xp.asarray(etaplus, d.dtype),
                                  xp.where(sign < 0, xp.asarray(etaminus, d.dtype),
                                           xp.asarray(1, d.dtype)))
                size *= factor
                xp.clip(size, smin, smax, out=size)
                g = xp.where(sign < 0, xp.zeros((), d.dtype), g)   # flipped: no step now
                d -= xp.sign(g) * size
                prev[...] = g
        return loss
