"""``ctc_loss`` (``torch.nn.functional``): a fused Function (the alpha/beta recursions in
log space, one loop step per time step), PyTorch's argument checks and reductions.

Where ember differs: targets outside [0, C) raise a clear error (PyTorch reads out of
bounds).
"""

from .. import backend
from .._dtype import INTEGRAL_NP
from .._tensor import Tensor, _make
from ..autograd.function import ArrayFunction
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from .indexing import _short
from ._loss_args import _I64, _MEAN, _require_float, get_enum

_gam = backend.get_array_module


# ---------------------------------------------------------------------------------------
# CTC

_NEG_INF = float("-inf")


def _lse(xp, *terms):
    """Element-wise log(sum(exp(terms))), -inf where every term is -inf."""
    m = terms[0]
    for t in terms[1:]:
        m = xp.maximum(m, t)
    safe = xp.where(xp.isfinite(m), m, 0)
    acc = xp.zeros_like(m)
    for t in terms:
        acc += xp.exp(t - safe)
    return xp.log(acc) + safe


def _shift(xp, a, k):
    """``a`` moved k places along the last axis (right for k > 0, left for k < 0), -inf
    filling the places left empty."""
    out = xp.full(a.shape, _NEG_INF, a.dtype)
    n = a.shape[-1]
    if k > 0:
        out[..., k:] = a[..., :n - k]
    else:
        out[..., :n + k] = a[..., -k:]
    return out


class CtcLoss(ArrayFunction):
    """Per-sample CTC negative log likelihood (reduction 'none'), by the alpha recursion in
    log space, vectorized over the batch and the extended label (blanks interleaved); one
    loop step per time step. Backward runs the beta recursion and gives PyTorch's gradient
    exp(log_probs) - gamma (gamma: the posterior of each class at each time step), which
    is the gradient through log_softmax when log_probs came from it, as in PyTorch."""

    node_name = "CtcLossBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, lp, ext, il, n_ext, zero_infinity=False):
        xp = _gam(lp)
        t_max, n = lp.shape[0], lp.shape[1]
        s_max = ext.shape[1]
        rows = xp.arange(n)
        em = lp[:, rows[:, None], ext]                      # (T, N, S) emissions
        # a label may be reached from two places back unless it repeats the label there
        skip = xp.zeros(ext.shape, bool)
        skip[:, 2:] = (ext[:, 2:] != ext[:, :-2]) & (xp.arange(2, s_max) % 2 == 1)
        alpha = xp.full((max(t_max, 1), n, s_max), _NEG_INF, lp.dtype)
        if t_max:
            alpha[0, :, :2] = em[0, :, :2]
        for t in range(1, t_max):
            a = alpha[t - 1]
            a2 = xp.where(skip, _shift(xp, a, 2), _NEG_INF)
            alpha[t] = _lse(xp, a, _shift(xp, a, 1), a2) + em[t]
        last = xp.maximum(il - 1, 0)
        fin = alpha[last, rows]                              # (N, S) at each sample's end
        end1 = fin[rows, n_ext - 1]
        end2 = xp.where(n_ext >= 2, fin[rows, xp.maximum(n_ext - 2, 0)], _NEG_INF)
        nll = -_lse(xp, end1, end2)
        # no time steps: probability 1 for an empty target, 0 otherwise
        nll = xp.where(il == 0, xp.where(n_ext == 1, 0.0, xp.inf), nll).astype(lp.dtype)
        zeroed = xp.isinf(nll) if zero_infinity else None
        out = xp.where(zeroed, 0, nll).astype(lp.dtype) if zero_infinity else nll
        if ctx.needs_input_grad:
            ctx.save_for_backward(lp)
            ctx.alpha, ctx.em, ctx.skip, ctx.nll, ctx.zeroed = alpha, em, skip, nll, zeroed
            ctx.args = (ext, il, n_ext)
        return out

    @staticmethod
    def backward(ctx, g):
        lp = ctx.saved_tensors[0]._data
        ext, il, n_ext = ctx.args
        alpha, em, skip, nll = ctx.alpha, ctx.em, ctx.skip, ctx.nll
        xp = _gam(lp)
        t_max, n, n_cls = lp.shape
        s_max = ext.shape[1]
        s_idx = xp.arange(s_max)
        inside = s_idx[None, :] < n_ext[:, None]             # states of each sample's label
        is_end = inside & (s_idx[None, :] >= n_ext[:, None] - 2)
        skip_from = xp.zeros(ext.shape, bool)                # s may go on to s + 2
        skip_from[:, :-2] = skip[:, 2:]
        beta = xp.full((t_max, n, s_max), _NEG_INF, lp.dtype)
        nxt = beta[0]                                        # all -inf
        for t in range(t_max - 1, -1, -1):
            b1 = _shift(xp, nxt, -1)
            b2 = xp.where(skip_from, _shift(xp, nxt, -2), _NEG_INF)
            cur = _lse(xp, nxt, b1, b2)
            cur = xp.where((t == il - 1)[:, None], xp.where(is_end, 0.0, _NEG_INF), cur)
            cur = xp.where(inside & (t < il)[:, None], cur + em[t], _NEG_INF)
            beta[t] = cur
            nxt = cur
        # gamma: log of the sum over each class's states of alpha * beta, per time step
        ab = alpha[:t_max] + beta
        m = ab.max(axis=2, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        onehot = (ext[:, :, None] == xp.arange(n_cls)).astype(lp.dtype)   # (N, S, C)
        lcab = xp.log(xp.einsum("tns,nsc->tnc", xp.exp(ab - m), onehot)) + m
        grad = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        keep = xp.arange(t_max)[:, None] < il[None, :]       # (T, N): inside each input
        if ctx.zeroed is not None:
            keep = keep & ~ctx.zeroed[None, :]
        grad = xp.where(keep[:, :, None], grad * g._data[None, :, None], 0)
        return _make(grad.astype(lp.dtype, copy=False)), None, None, None


def _ctc_lengths(xp, v, name, n):
    """input_lengths / target_lengths (Tensor, sequence or int) as an int64 array (n,)."""
    if isinstance(v, Tensor):
        if v._data.dtype not in INTEGRAL_NP:
            raise RuntimeError(f"{name} must be integral")
        v = v._data
    a = xp.asarray(v).astype(_I64).reshape(-1)
    if a.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return a


_CTC_CHECK = " (while checking arguments for ctc_loss_allocate_outputs)"


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """``F.ctc_loss``: log_probs (T, N, C) (or (T, C)), targets padded (N, S) or
    concatenated (sum(target_lengths),); 'mean' divides each loss by its target length
    (at least 1) and averages over the batch. The gradient is PyTorch's (see CtcLoss)."""
    r = get_enum(reduction)
    lpd = log_probs._data
    nd = lpd.ndim
    unbatched = nd == 2
    if nd not in (2, 3):   # (PyTorch adds the batch dim to any non-3-D input first)
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {nd + 1}-dimensional "
                           f"tensor for argument #1 'log_probs'{_CTC_CHECK}")
    _require_float(log_probs, "ctc_loss_cpu")
    if lpd.dtype.itemsize == 2:
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for \'{_short(lpd)}\'')
    if unbatched:
        log_probs = _sh.unsqueeze(log_probs, 1)
        lpd = log_probs._data
        if targets.dim() == 1:
            targets = _sh.unsqueeze(targets, 0)
    xp = _gam(lpd)
    t_max, n, n_cls = lpd.shape
    td = targets._data
    if td.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {td.ndim}-dimensional tensor "
                           f"for argument #2 'targets'{_CTC_CHECK}")
    il = _ctc_lengths(xp, input_lengths, "input_lengths", n)
    tl = _ctc_lengths(xp, target_lengths, "target_lengths", n)
    if not 0 <= blank < n_cls:
        raise RuntimeError("blank must be in label range")
    for name, a in (("input_lengths", il), ("target_lengths", tl)):
        if a.size and int(a.min()) < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{int(a.min())}{_CTC_CHECK}")
    l_max = int(tl.max()) if tl.size else 0
    td = xp.asarray(td).astype(_I64)
    if td.ndim == 2:
        if td.shape[1] < l_max:
            raise RuntimeError(f"Expected tensor to have size at least {l_max} at dimension 1, "
                               f"but got size {td.shape[1]} for argument #2 'targets'"
                               f"{_CTC_CHECK}")
        padded = td[:, :l_max]
    else:
        total = int(tl.sum())
        if td.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {td.shape[0]} for argument #2 'targets'{_CTC_CHECK}")
        starts = xp.cumsum(tl) - tl
        pos = xp.minimum(starts[:, None] + xp.arange(l_max), max(total - 1, 0))
        padded = td[pos] if total else xp.zeros((n, l_max), _I64)
    if il.size and int(il.max()) > t_max:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got "
                           f"value {int(il.max())}{_CTC_CHECK}")
    in_label = xp.arange(l_max)[None, :] < tl[:, None]
    padded = xp.where(in_label, padded, blank)
    if padded.size and (int(padded.min()) < 0 or int(padded.max()) >= n_cls):
        raise RuntimeError(f"ctc_loss: targets must be class indices in [0, {n_cls})")
    ext = xp.full((n, 2 * l_max + 1), blank, _I64)
    ext[:, 1::2] = padded
    losses = CtcLoss.apply(log_probs, _make(ext), _make(il), _make(2 * tl + 1),
                           zero_infinity=bool(zero_infinity))
    if r == _MEAN:
        tlc = _make(xp.maximum(tl, 1).astype(lpd.dtype))
        return _red.mean(_pw.div(losses, tlc))
    if r == 2:
        return _red.sum(losses)
    return _sh.reshape(losses, ()) if unbatched else losses


__all__ = ["ctc_loss"]
