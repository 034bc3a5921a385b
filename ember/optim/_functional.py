"""Helpers shared by the optimizer algorithms: argument checks and state creation."""
from .. import backend
from .._tensor import _make


def check_range(name, value, low=0.0, strict=False):
    """PyTorch's ValueError for a hyperparameter out of range."""
    if strict:
        if not value > low:
            raise ValueError(f"Invalid {name}: {value}")
    elif not value >= low:
        raise ValueError(f"Invalid {name}: {value}")


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def zeros_like_param(p):
    xp = backend.get_array_module(p._data)
    return _make(xp.zeros_like(p._data))


def step_tensor():
    """The 0-d float32 step counter PyTorch keeps in optimizer state."""
    import numpy
    return _make(numpy.zeros((), numpy.float32))


def grad_array(p, maximize):
    g = p.grad._data
    return -g if maximize else g


def no_sparse(p, name):
    if getattr(p.grad, "is_sparse", False):
        raise RuntimeError(f"{name} does not support sparse gradients")
