"""``ember.autograd.graph`` (``torch.autograd.graph``): graph nodes and saved-tensor hooks.

``saved_tensors_hooks(pack_hook, unpack_hook)`` follows PyTorch: while it is active, every
tensor an op saves for backward (``ctx.save_for_backward`` in a user Function, and each
array an ember op saves: its inputs, outputs and intermediates) goes through
``pack_hook`` (run with grad mode off) at save time, and ``unpack_hook`` is called on
the packed value each time backward reads it. The innermost active pair wins. The
unpacked tensor takes the saved tensor's place in the graph (same grad_fn, or the same
leaf), so double backward works, and, as in PyTorch, no in-place version check is made
on unpack. ``save_on_cpu`` packs a copy on the CPU and unpacks it onto the original
device. Python numbers an op saves are not tensors and skip the hooks.
"""
from .._tensor import Tensor
from .function import Function as Node
from .grad_mode import _saved_hooks, no_grad

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "Node",
           "GradientEdge", "get_gradient_edge", "increment_version"]

# The message of the innermost active disable_saved_tensors_hooks (None: hooks allowed).
_disabled = [None]


class saved_tensors_hooks:
    """Context manager that sets a pair of pack / unpack hooks for saved tensors."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def _pack(self, tensor):
        with no_grad():
            return self.pack_hook(tensor)

    def __enter__(self):
        if _disabled[0] is not None:
            raise RuntimeError(_disabled[0])
        self._prev = _saved_hooks[0]
        _saved_hooks[0] = (self._pack, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        _saved_hooks[0] = self._prev
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors live on the CPU between forward and backward (a copy, as PyTorch's
    ``save_on_cpu``) and go back to their device on unpack. ``pin_memory`` is accepted
    (ember's CPU arrays are ordinary host memory); ``device_type`` names the accelerator."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return (tensor.device, tensor.detach().cpu().clone())

        def unpack_from_cpu(packed):
            device, cpu_tensor = packed
            return cpu_tensor.to(device)

        self.pin_memory = pin_memory
        self.device_type = device_type
        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Inside it, entering ``saved_tensors_hooks`` raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._prev = _disabled[0]
        _disabled[0] = self.error_message

    def __exit__(self, *exc):
        _disabled[0] = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


class GradientEdge(tuple):
    """``GradientEdge(node, output_nr)``: where a tensor's gradient enters the graph."""

    __slots__ = ()

    def __new__(cls, node, output_nr, ownership_token=None):
        return tuple.__new__(cls, (node, output_nr, ownership_token))

    node = property(lambda self: self[0])
    output_nr = property(lambda self: self[1])
    ownership_token = property(lambda self: self[2])

    def __repr__(self):
        return (f"GradientEdge(node={self.node!r}, output_nr={self.output_nr}, "
                f"ownership_token={self.ownership_token!r})")


def get_gradient_edge(tensor):
    """The GradientEdge of ``tensor``: its grad_fn and output_nr, or its AccumulateGrad
    node for a leaf that requires grad."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"get_gradient_edge(): expected a Tensor, got {type(tensor).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    if tensor.grad_fn is not None:
        return GradientEdge(tensor.grad_fn, tensor._output_nr)
    from .engine import AccumulateGrad
    return GradientEdge(AccumulateGrad(tensor), 0)


def increment_version(tensor):
    """Bump the version counter(s), as an in-place write would."""
    from .function import _bump
    for t in ((tensor,) if isinstance(tensor, Tensor) else tensor):
        _bump(t)
