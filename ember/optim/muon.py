"""``optim.Muon``: momentum + Newton-Schulz orthogonalised updates for 2-D parameters.

Follows ``torch.optim.Muon`` (PyTorch 2.14) step for step: the momentum buffer moves by
``buf.lerp_(grad, 1 - momentum)``, the update is ``grad.lerp(buf, momentum)`` (Nesterov)
or the buffer, it is orthogonalised by five quintic Newton-Schulz steps in bfloat16
(``_newton_schulz``), the parameter shrinks by ``1 - lr * weight_decay`` and moves by
``-adjusted_lr * update``. Same options, defaults, checks and messages, and the same
state_dict layout (``momentum_buffer`` per parameter), so a torch state_dict loads here.
The update runs on the parameter arrays in place; the Newton-Schulz iterate lives in
float32 work arrays holding bfloat16 values, as PyTorch keeps it in bfloat16.
"""
import math

from .. import backend
from .._tensor import Tensor
from .optimizer import Optimizer, _use_grad
from ._functional import run_closure, to_scalar, zeros_like_param, lerp_, _bump
from ._newton_schulz import zeropower_via_newtonschulz

__all__ = ["Muon"]

# Keller Jordan's constants, PyTorch's defaults
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5
_ADJUST_LR_FNS = ("original", "match_rms_adamw", "spectral_unclamped")


def _adjust_lr(lr, adjust_lr_fn, shape):
    """The learning rate scaled for a (fan_out, fan_in) = (A, B) matrix, as PyTorch's."""
    A, B = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    elif adjust_lr_fn == "spectral_unclamped":
        ratio = math.sqrt(A / B)
    else:
        ratio = 1.0
    return lr * ratio


def _lerp_(a, b, weight, tmp):
    """``a.lerp_(b, weight)`` as PyTorch's CPU kernel rounds it: a fused multiply-add,
    ``fma(w, b - a, a)`` below 0.5 and ``fma(a - b, 1 - w, b)`` above. For float32 the
    fma is exact through float64 (the product of two float32 fits); Muon needs this
    because its bfloat16 rounding turns a last-bit difference into a 2**-8 one. Other
    dtypes use the two-rounding formula of ``_functional.lerp_``."""
    xp = backend.get_array_module(a)
    if a.dtype != xp.float32:
        lerp_(a, b, weight, tmp)
        return a
    w = float(xp.float32(weight))
    xp.subtract(b, a, out=tmp)
    if abs(w) < 0.5:
        wide = tmp.astype(xp.float64)
        wide *= w
        wide += a
    else:
        wide = tmp.astype(xp.float64)
        wide *= -(1.0 - w)
        wide += b
    a[...] = wide
    return a


def _add_scaled_(d, update, alpha, tmp):
    """``d.add_(update, alpha=alpha)`` as PyTorch's CPU kernel: ``fma(alpha, update, d)``
    with alpha in the parameter's precision (exact through float64 for float32)."""
    xp = backend.get_array_module(d)
    if d.dtype == xp.float32:
        wide = update.astype(xp.float64)
        wide *= float(xp.float32(alpha))
        wide += d
        d[...] = wide
    else:
        tmp[...] = update                   # bfloat16 values: exact in any float dtype
        tmp *= alpha
        d += tmp


class Muon(Optimizer):
    """Muon (Keller Jordan): for the 2-D weights of hidden layers; optimise biases,
    embeddings and other parameters with another optimizer, as PyTorch's docs advise."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in _ADJUST_LR_FNS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      nesterov=nesterov, ns_coefficients=ns_coefficients,
                                      eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _grads(self, group):
        """(param, grad array, momentum buffer array) for each parameter with a grad;
        PyTorch's checks, and the buffer created lazily, before any parameter moves."""
        out = []
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.is_complex():
                raise RuntimeError("Muon does not support complex parameters")
            if p.grad.is_sparse:
                raise RuntimeError("Muon does not support sparse gradients")
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_like_param(p.grad)
            out.append((p, p.grad._data, state["momentum_buffer"]._data))
        return out

    @_use_grad
    def step(self, closure=None):
        """One Muon step (``closure`` re-evaluates the loss with grad enabled)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, wd, momentum = to_scalar(group["lr"]), group["weight_decay"], group["momentum"]
            nesterov, coefficients = group["nesterov"], group["ns_coefficients"]
            eps, ns_steps, adjust = group["eps"], group["ns_steps"], group["adjust_lr_fn"]
            for p, g, buf in self._grads(group):
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                tmp, update = self._scratch(p)
                _lerp_(buf, g, 1 - momentum, tmp)
                if nesterov:                        # grad.lerp(buf, momentum), into scratch
                    update[...] = g
                    _lerp_(update, buf, momentum, tmp)
                else:
                    update = buf
                ortho = zeropower_via_newtonschulz(update, coefficients, ns_steps, eps)
                d = p._data
                _bump(p)
                d *= 1 - lr * wd
                _add_scaled_(d, ortho, -_adjust_lr(lr, adjust, d.shape), tmp)
        return loss
