"""``optim.Adagrad``: lr decay, weight decay, initial accumulator value, maximize.

Follows ``torch.optim.Adagrad``'s single-tensor algorithm. As in PyTorch the state
('step', 'sum') of the constructor's parameters is created eagerly; parameters added
later with ``add_param_group`` get theirs at their first step, from the *default*
``initial_accumulator_value``. Sparse gradients and ``fused`` kernels are not offered
(``fused``/``foreach`` are accepted and run the same math).
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          full_like_param, step_tensor, run_closure, params_with_grad,
                          with_weight_decay, addcdiv_)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): per-element step sizes from the sum of squared gradients."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        check_lr(lr)
        check_range("lr_decay value", lr_decay)
        check_range("weight_decay value", weight_decay)
        check_range("initial_accumulator_value value", initial_accumulator_value)
        check_range("epsilon value", eps)
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = step_tensor()
        state["sum"] = full_like_param(p, self.defaults["initial_accumulator_value"])
        return state

    def share_memory(self):
        """Move the accumulators to shared memory (Hogwild with Adagrad), as PyTorch does."""
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["sum"].share_memory_()
                state["step"].share_memory_()

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, lr_decay = to_scalar(group["lr"]), group["lr_decay"]
            wd, eps = group["weight_decay"], group["eps"]
            for p, g, state in params_with_grad(self, group, "Adagrad"):
                if not state:
                    state = self._init_state(p)
                d = p._data
                xp = backend.get_array_module(d)
                step_arr = state["step"]._data
                step_arr += 1
                step = float(step_arr)
                g = with_weight_decay(g, d, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = state["sum"]._data
                tmp = xp.multiply(g, g)
                s += tmp
                xp.sqrt(s, out=tmp)                 # std = sqrt(sum) + eps
                tmp += eps
                addcdiv_(d, g, tmp, -clr, self._scratch(p)[0])
        return loss
