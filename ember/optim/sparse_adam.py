"""``optim.SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``).

Follows ``torch.optim._functional.sparse_adam``: the gradient is coalesced, and only the
entries it holds move: both moments are updated there (``old += (1 - b) * (new - old)``)
and the parameter takes ``-step_size * exp_avg / (sqrt(exp_avg_sq) + eps)`` there, with
the bias corrections of the parameter's own step count. Dense gradients raise PyTorch's
RuntimeError ("please consider Adam instead"). State: ``step`` (a Python int, as torch),
``exp_avg``, ``exp_avg_sq`` (dense, the parameter's shape).
"""
import math

from .. import backend
from .._sparse_array import coalesce
from .._tensor import _make
from .optimizer import Optimizer, _use_grad
from ._functional import check_lr, check_betas, run_closure

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Lazy Adam over the rows a sparse gradient touches; dense gradients are an error."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        check_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [i for group in self.param_groups
                          for i, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does "
                             "not support complex parameters")

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, maximize = group["lr"], group["eps"], group.get("maximize", False)
            for p in group["params"]:
                if p.grad is None:
                    continue
                if not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
                state = self.state[p]
                if len(state) == 0:
                    xp = backend.get_array_module(p._data)
                    state["step"] = 0
                    state["exp_avg"] = _make(xp.zeros_like(p._data))
                    state["exp_avg_sq"] = _make(xp.zeros_like(p._data))
                state["step"] += 1
                _sparse_adam_update(p._data, p.grad._data, state["exp_avg"]._data,
                                    state["exp_avg_sq"]._data, state["step"], lr, beta1,
                                    beta2, eps, maximize)
                vc = p._vc
                if vc is not None:
                    vc[0] += 1
        return loss


def _sparse_adam_update(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                        maximize):
    """torch's sparse_adam on arrays, in its order of operations."""
    g = coalesce(grad)
    if g.nnz == 0:
        return
    at = tuple(g.indices)
    values = -g.values if maximize else g.values
    old_avg = exp_avg[at]
    avg_update = (values - old_avg) * (1 - beta1)
    exp_avg[at] += avg_update
    old_sq = exp_avg_sq[at]
    sq_update = (values * values - old_sq) * (1 - beta2)
    exp_avg_sq[at] += sq_update
    numer = avg_update + old_avg
    denom = backend.get_array_module(param).sqrt(sq_update + old_sq) + eps
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    param[at] += -step_size * (numer / denom)
