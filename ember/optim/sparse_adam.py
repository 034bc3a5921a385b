"""``optim.SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``).

ember has no sparse tensors, so every gradient is dense and ``step`` raises PyTorch's
RuntimeError for dense gradients ("please consider Adam instead"); construction accepts
PyTorch's arguments with its checks and defaults, so code that builds one still runs.
"""
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
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
