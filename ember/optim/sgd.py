"""``optim.SGD``: momentum, dampening, Nesterov, weight decay, maximize (PyTorch's update)."""
from .. import backend
from .._tensor import _make
from ..ops._host_threads import HOST_THREADS_MIN, in_two_threads, two_threads_ok
from .optimizer import Optimizer, _use_grad
from ._functional import (check_lr, to_scalar, check_range, check_not_differentiable,
                          run_closure, params_with_grad)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, updated in place exactly as ``torch.optim.SGD``.

    A parameter of at least ``HOST_THREADS_MIN`` elements is updated as two halves on two
    threads on a quiet machine (``ops/_host_threads``; memory-bound passes, which one
    core's bandwidth limits: the ResNet-18 CIFAR step's 11.2M parameters with momentum,
    9.1 -> 7.5 ms). Without dampening the buffer adds the gradient itself, as
    ``1 - dampening`` is then 1 (16.6 -> 9.1 ms: that product's pass and temporary)."""

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
                buf = None
                if mom != 0:
                    state = self.state[p]
                    b = state.get("momentum_buffer")
                    if b is None:   # the first step: the buffer starts as the gradient
                        if wd != 0:
                            g = g + k[wd] * d
                        b = state["momentum_buffer"] = _make(backend.get_array_module(g)
                                                             .array(g, copy=True))
                        _descend(d, g + k[mom] * b._data if nesterov else b._data, k, lr)
                        continue
                    buf = b._data
                n = d.size
                args = (k, lr, wd, mom, damp, nesterov)
                if n >= HOST_THREADS_MIN and _flat(d, g, buf) and two_threads_ok(d, n):
                    _update_halves(d, g, buf, args)
                else:
                    _update(d, g, buf, *args)
        return loss


def _update(d, g, buf, k, lr, wd, mom, damp, nesterov):
    """One parameter's update in place, in PyTorch's order of operations: ``d`` the
    parameter, ``g`` its gradient, ``buf`` its momentum buffer (None without momentum),
    ``k`` the scalar operands (``backend.scalar_operands``)."""
    if wd != 0:
        g = g + k[wd] * d
    if buf is not None:
        buf *= k[mom]
        if damp == 0:
            buf += g        # (1 - 0) * g is g: no product's pass and temporary
        else:
            buf += k[1 - damp] * g
        g = g + k[mom] * buf if nesterov else buf
    _descend(d, g, k, lr)


def _update_halves(d, g, buf, args):
    """``_update`` of C-contiguous arrays as the two halves of their flat views, at once on
    two threads."""
    fd, fg = d.reshape(-1), g.reshape(-1)
    fb = None if buf is None else buf.reshape(-1)
    in_two_threads(lambda lo, hi: _update(fd[lo:hi], fg[lo:hi],
                                          None if fb is None else fb[lo:hi], *args),
                   fd.size, True)


def _descend(d, g, k, lr):
    if lr == 1:
        d -= g
    else:
        d -= k[lr] * g


def _flat(*arrays):
    """Whether the arrays (None aside) are all C-contiguous, so that one range of their
    flat views is the same elements of each (the two-thread split of a large update)."""
    return all(a is None or a.flags.c_contiguous for a in arrays)
