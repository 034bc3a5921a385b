"""``ember.func`` (``torch.func``): function transforms on ember's autograd.

- ``grad`` / ``grad_and_value`` / ``vjp`` / ``jacrev`` / ``jacfwd`` / ``hessian`` / ``jvp``
  are built on ``ember.autograd.grad``. They compose (``grad(grad(f))``,
  ``jacfwd(jacrev(f))``): an input that already takes part in an outer transform's graph
  is differentiated in place and the result keeps its graph. ``jacfwd`` and ``jvp``
  compute forward-mode quantities in reverse mode (the same values).
- ``vmap`` runs the function once per slice along ``in_dims`` and stacks the results
  along ``out_dims`` (a loop, not a batching interpreter: same results, the speed of a
  Python loop). ``randomness='different'`` draws per slice, as it naturally does here;
  'same' and 'error' are accepted likewise.
- ``functional_call`` runs a module with some parameters and buffers replaced for the
  call, as PyTorch's does.
"""
from .functional_call import functional_call, stack_module_state
from .transforms import (grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize,
                         vjp, vmap)

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev",
           "jvp", "linearize", "stack_module_state", "vjp", "vmap"]
