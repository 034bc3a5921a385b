"""``optim.Adafactor`` (Shazeer & Stern): Adam-like steps with a factored second moment.

Follows ``torch.optim.Adafactor``'s single-tensor algorithm (PyTorch's CPU default): for a
parameter of 2+ dims the state keeps a row and a column mean of g^2 (``row_var`` shaped
``(..., R, 1)``, ``col_var`` ``(..., 1, C)``), else a full ``variance``; ``step`` is a 0-d
float32 tensor. ``eps=(None, 1e-3)``: ``eps1`` None means the dtype's machine epsilon.
"""
from .. import backend
from .optimizer import Optimizer, _use_grad
from ._functional import (to_scalar, zeros_like_param, step_tensor, run_closure,
                          params_with_grad, lerp_)

__all__ = ["Adafactor"]


def _check(ok, message):
    if not ok:
        raise ValueError(message)


class Adafactor(Optimizer):
    """Adafactor with relative step size ``min(lr, 1/sqrt(t))`` scaled by the parameter's
    RMS, update clipping at ``d`` and decoupled weight decay."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        from .._tensor import Tensor
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _check(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        _check(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        _check(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        _check(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    @staticmethod
    def _init_state(p, state):
        from .._tensor import _make
        state["step"] = step_tensor()
        d = p._data
        if d.ndim > 1:
            xp = backend.get_array_module(d)
            state["row_var"] = _make(xp.zeros(d.shape[:-1] + (1,), d.dtype))
            state["col_var"] = _make(xp.zeros(d.shape[:-2] + (1, d.shape[-1]), d.dtype))
        else:
            state["variance"] = zeros_like_param(p)

    @_use_grad
    def step(self, closure=None):
        loss = run_closure(closure)
        for group in self.param_groups:
            lr, beta2_decay, d_clip = to_scalar(group["lr"]), group["beta2_decay"], group["d"]
            eps1, eps2 = group["eps"]
            wd = group["weight_decay"]
            for p, g, state in params_with_grad(self, group, "Adafactor"):
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                if not state:
                    self._init_state(p, state)
                d = p._data
                xp = backend.get_array_module(d)
                if eps1 is None:
                    eps1 = float(xp.finfo(d.dtype).eps)
                step_arr = state["step"]._data
                step_arr += 1
                t = float(step_arr)
                one_minus_beta2 = t ** beta2_decay
                rho = min(lr, 1 / (t ** 0.5))
                alpha = max(eps2, float(xp.sqrt(xp.sum(d * d))) / (d.size ** 0.5)) * rho
                if wd != 0:
                    d *= 1 - lr * wd
                if g.ndim > 1:
                    row, col = state["row_var"]._data, state["col_var"]._data
                    g2 = g * g
                    row_mean = xp.sum(g2, axis=-1, keepdims=True) / g.shape[-1]
                    lerp_(row, row_mean, one_minus_beta2, xp.empty_like(row))
                    col_mean = xp.sum(g2, axis=-2, keepdims=True) / g.shape[-2]
                    lerp_(col, col_mean, one_minus_beta2, xp.empty_like(col))
                    var = xp.matmul(row, col)
                    var /= xp.maximum(xp.mean(row, axis=-2, keepdims=True), eps1)
                else:
                    v = state["variance"]._data
                    lerp_(v, g * g, one_minus_beta2, self._scratch(p)[0])
                    var = v.copy()
                update = 1 / xp.sqrt(xp.maximum(var, eps1 * eps1))
                update *= g
                denom = max(1.0, float(xp.sqrt(xp.sum(update * update)))
                            / ((update.size ** 0.5) * d_clip))
                update *= -alpha / denom
                d += update
        return loss
