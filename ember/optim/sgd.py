"""``optim.SGD``: momentum, dampening, Nesterov, weight decay, maximize (PyTorch's update)."""
from .. import backend
from .._tensor import _make
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          run_closure, params_with_grad)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, updated in place exactly as ``torch.optim.SGD``."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        check_lr(lr)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_not_differentiable(differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, wd, mom = to_scalar(group["lr"]), group["weight_decay"], group["momentum"]
            damp, nesterov = group["dampening"], group["nesterov"]
            for p, g, _ in params_with_grad(self, group, "SGD", with_state=False):
                d = p._data
                k = backend.scalar_operands(d)
                if wd != 0:
                    g = g + k[wd] * d
                if mom != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = _make(backend.get_array_module(g)
                                                               .array(g, copy=True))
                    else:
                        b = buf._data
                        b *= k[mom]
                        b += k[1 - damp] * g
                    g = g + k[mom] * buf._data if nesterov else buf._data
                if lr == 1:
                    d -= g
                else:
                    d -= k[lr] * g
        return loss
