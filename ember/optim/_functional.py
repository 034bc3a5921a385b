"""Helpers shared by the optimizer algorithms: argument checks, state creation, and the
in-place array updates that several of PyTorch's algorithms have in common.

Update helpers take backend arrays and a scratch array ``tmp`` of the parameter's shape,
and write their result in place with ``out=``, so an optimizer step allocates little.
Their optional ``k`` maps the Python numbers they pass NumPy's ufuncs to the operands to
pass (``backend.scalar_operands`` of the parameter: 0-d arrays, taken faster).
"""
import sys

from .. import backend
from .._tensor import Tensor, _make
from .._sparse_methods import COO_MODULE

_PLAIN = backend.PLAIN_SCALARS


def check_range(name, value, low=0.0, strict=False):
    """PyTorch's ValueError for a hyperparameter out of range."""
    if strict:
        if not value > low:
            raise ValueError(f"Invalid {name}: {value}")
    elif not value >= low:
        raise ValueError(f"Invalid {name}: {value}")


def check_lr(lr):
    """PyTorch's checks of a learning rate (a float, or a 1-element Tensor)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    check_range("learning rate", lr)


def to_scalar(x):
    """A 1-element Tensor hyperparameter (lr) as a Python number, as PyTorch's steps use it."""
    return x.item() if isinstance(x, Tensor) else x


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def check_not_differentiable(differentiable):
    """ember's optimizers always update under no_grad: ``differentiable=True`` is not offered."""
    if differentiable:
        raise NotImplementedError("ember optimizers do not support differentiable=True "
                                  "(the update is never recorded by autograd)")


def zeros_like_param(p):
    xp = backend.get_array_module(p._data)
    return _make(xp.zeros_like(p._data))


def full_like_param(p, value):
    xp = backend.get_array_module(p._data)
    return _make(xp.full_like(p._data, value))


def step_tensor(value=0.0):
    """A 0-d float32 scalar as PyTorch keeps in optimizer state ('step', 'mu_product'),
    always on the host like PyTorch's non-capturable state."""
    import numpy
    return _make(numpy.array(value, numpy.float32))


def grad_array(p, maximize):
    g = p.grad._data
    return -g if maximize else g


# optimizers that take sparse gradients (torch's SGD and Adagrad): their update equals the
# dense update on the densified gradient (zeros move nothing), so they read it dense
_SPARSE_OK = frozenset(("SGD", "Adagrad"))


def no_sparse(p, name):
    if getattr(p.grad, "is_sparse", False):
        hint = ", please consider SparseAdam instead" if name in ("Adam", "AdamW") else ""
        raise RuntimeError(f"{name} does not support sparse gradients{hint}")


def dense_grad_array(p, maximize, name, weight_decay=0):
    """The gradient of ``p`` as a dense array for an optimizer in ``_SPARSE_OK``."""
    if name == "Adagrad" and weight_decay != 0:
        raise RuntimeError("weight_decay option is not compatible with sparse gradients")
    from .._sparse_array import to_dense
    g = to_dense(p.grad._data)
    return -g if maximize else g


def run_closure(closure):
    """Evaluate ``closure`` with grad enabled (the step itself runs under no_grad)."""
    if closure is None:
        return None
    from ..autograd.grad_mode import enable_grad
    with enable_grad():
        return closure()


def params_with_grad(opt, group, name, with_state=True):
    """Yield ``(param, grad array, state)`` for each parameter of ``group`` that has a grad
    (state None unless ``with_state``: looking it up creates an entry, as in PyTorch); the
    grad is negated when the group maximizes. Marks each parameter as modified in place
    (its version counter moves, as PyTorch's in-place update does)."""
    maximize = group.get("maximize", False)
    state = opt.state
    # no gradient can be sparse before ember's sparse arrays are loaded (a check per
    # parameter otherwise: ~1 us each of a small model's step)
    sparse_loaded = COO_MODULE in sys.modules
    for p in group["params"]:
        grad = p.grad
        if grad is None:
            continue
        if sparse_loaded and name in _SPARSE_OK and grad.is_sparse:
            g = dense_grad_array(p, maximize, name, group.get("weight_decay", 0))
        else:
            if sparse_loaded:
                no_sparse(p, name)
            g = grad_array(p, maximize)
        _bump(p)
        yield p, g, state[p] if with_state else None



def _bump(t):
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


def with_weight_decay(g, d, weight_decay):
    """``grad.add(param, alpha=weight_decay)``: a new array, the grad is left alone."""
    if weight_decay == 0:
        return g
    out = d * weight_decay
    out += g
    return out


def lerp_(a, b, weight, tmp, k=_PLAIN):
    """``a.lerp_(b, weight)`` with PyTorch's two formulas (chosen by ``|weight| < 0.5``)."""
    xp = backend.get_array_module(a)
    xp.subtract(b, a, out=tmp)
    if abs(weight) < 0.5:
        tmp *= k[weight]
        a += tmp
    else:
        tmp *= k[1 - weight]
        xp.subtract(b, tmp, out=a)


def ema_square_(v, g, beta, tmp, k=_PLAIN):
    """``v.mul_(beta).addcmul_(g, g, value=1 - beta)`` (PyTorch computes ``value * g * g``)."""
    xp = backend.get_array_module(v)
    v *= k[beta]
    xp.multiply(g, k[1 - beta], out=tmp)
    tmp *= g
    v += tmp


def addcdiv_(d, t1, t2, value, tmp, k=_PLAIN):
    """``d.addcdiv_(t1, t2, value=value)``, in PyTorch's order: ``d + (value * t1) / t2``."""
    xp = backend.get_array_module(d)
    xp.multiply(t1, k[value], out=tmp)
    tmp /= t2
    d += tmp


def adam_moments_(p, g, state, lr, weight_decay, decoupled, beta1, beta2, tmp, k=_PLAIN):
    """The step shared by Adam-family updates: count the step, apply weight decay (decoupled:
    shrink the parameter; else add to the gradient), update the first moment by lerp and
    the second by an EMA of g^2 (``tmp``: a scratch array shaped like ``p``). Returns
    (step, exp_avg, exp_avg_sq)."""
    d = p._data
    step_arr = state["step"]._data
    step = float(step_arr) + 1.0   # rounded as the float32 add: s + 1 is exact in float64
    step_arr.fill(step)
    if weight_decay != 0:
        if decoupled:
            d *= k[1 - lr * weight_decay]
        else:
            g = with_weight_decay(g, d, weight_decay)
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    lerp_(m, g, 1 - beta1, tmp, k)
    ema_square_(v, g, beta2, tmp, k)
    return float(step_arr), m, v
