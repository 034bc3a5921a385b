"""``F.linear_cross_entropy`` (PyTorch 2.14): ``cross_entropy(linear(input, W, b), target)``.

Two paths, chosen as PyTorch chooses them:

* ``options=None`` (the reference path): ``linear`` then ``cross_entropy``, with the
  K-dimensional weight ``(C, d_1..d_K, F)`` flattened for the product and the logits
  reshaped to ``(N, C, d_1..d_K)``. Every option is honoured and the result is fully
  differentiable (double backward, forward-mode AD) through ember's fused ops.
* ``options`` given (a ``nn.LinearCrossEntropyOptions``) and a configuration the chunked
  path serves (class-index int64 target with 'mean'/'sum'/'none', or a probability
  target of the input's dtype with 'mean'/'sum'; no label smoothing; ``out_features ==
  ()``): ``ChunkedLinearCrossEntropy`` walks the batch in chunks of
  ``options.batch_chunk_size`` rows, so only a ``(chunk, C)`` block of logits exists at a
  time, never the ``(N, C)`` matrix. For 'mean'/'sum' it computes the loss and all
  gradients in that one pass (softmax minus the weighted one-hot, times the reduction
  weight, multiplied into ``W`` and the input chunk) and its backward scales them by the
  upstream gradient, consuming them: a second backward raises PyTorch's RuntimeError
  unless ``allow_retain_graph=True``. For 'none' the backward recomputes the chunks with
  the per-row upstream gradient folded in. Other configurations fall back to the
  reference path with PyTorch's warning.

Differences from PyTorch: the chunked path computes in ``acc_dtype`` (float32 for
float16/bfloat16 inputs, as PyTorch's CPU kernels); ``acc_policy`` picks PyTorch's buffer
strategy on GPUs and has no numerical effect here; ``acc_dtype`` float16/bfloat16 (a
half-precision accumulator) raises NotImplementedError. The chunked op, like PyTorch's,
is once-differentiable.
"""
import math
import warnings

from .. import backend
from .._dtype import compute_dtype, float16, bfloat16, int64
from .._tensor import _make
from ..autograd.function import ArrayFunction
from ..autograd.grad_mode import is_grad_enabled
from . import shape as _sh
from .linear import linear
from .cross_entropy import cross_entropy, _checked_targets

__all__ = ["linear_cross_entropy"]

_gam = backend.get_array_module
_TWICE = ("linear_cross_entropy chunked backward called twice; retain_graph=True / double "
          "backward are not supported.")


def _row_coefficients(xp, target, weight, ignore_index, n_cls, ct):
    """Per-row loss weights of an index target: ``weight[t]`` (1 without class weights),
    0 on ignored rows; with the targets, ignored entries replaced by 0."""
    try:
        t, valid = _checked_targets(xp, target, n_cls, ignore_index)
    except IndexError:         # PyTorch's chunked op reports its index_select's error
        bad = target[(target != ignore_index) & ((target < 0) | (target >= n_cls))]
        raise RuntimeError(f"index {int(bad.reshape(-1)[0])} is out of bounds for dimension "
                           f"1 with size {n_cls}") from None
    if weight is None:
        rw = xp.ones(t.shape, ct) if valid is None else valid.astype(ct)
    else:
        rw = weight.astype(ct, copy=False)[t]
        if valid is not None:
            rw *= valid
    return t, rw


def _chunk_loop(x, w, b, target, weight, *, prob, reduction, ignore_index, chunk, ct,
                need=(False, False, False), row_grad=None):
    """The chunked pass. Returns (loss, grad_input, grad_weight, grad_bias) as arrays in
    ``ct`` (a gradient None unless ``need`` asks for it). ``reduction``: 'mean', 'sum' or
    'none'; with 'none' and ``row_grad`` (the upstream gradient per row) it computes the
    gradients of ``sum(row_grad * loss)`` instead of the loss."""
    xp = _gam(x)
    n, n_cls = x.shape[0], w.shape[0]
    wc = w.astype(ct, copy=False)
    bc = None if b is None else b.astype(ct, copy=False)
    if prob:
        wrow = None if weight is None else weight.astype(ct, copy=False)[None, :]
        scale = (1.0 / n if n else math.nan) if reduction == "mean" else 1.0
        coef = None
    else:
        t, rw = _row_coefficients(xp, target, weight, ignore_index, n_cls, ct)
        if reduction == "mean":
            d = rw.sum()
            coef = rw / (d if d != 0 else xp.asarray(math.nan, ct))
        elif reduction == "sum":
            coef = rw
        else:
            coef = rw if row_grad is None else rw * row_grad.astype(ct, copy=False)
    grads = row_grad is not None or reduction != "none"
    gx = xp.empty(x.shape, ct) if need[0] and grads else None
    gw = xp.zeros(w.shape, ct) if need[1] and grads else None
    gb = xp.zeros((n_cls,), ct) if need[2] and grads else None
    per_row = xp.empty((n,), ct) if reduction == "none" and row_grad is None else None
    total = xp.zeros((), ct)
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        xc = x[s:e].astype(ct, copy=False)
        z = backend.matmul(xp, xc, wc.T)                      # (B, C): the only big block
        if bc is not None:
            z += bc
        z -= z.max(axis=1, keepdims=True)
        rows = xp.arange(e - s)
        if prob:
            q = target[s:e].astype(ct, copy=False)
            wq = q if wrow is None else q * wrow
            qsum = wq.sum(axis=1)
            zdot = (wq * z).sum()
            xp.exp(z, out=z)
            se = z.sum(axis=1)
            total += (qsum * xp.log(se)).sum() - zdot
            if gx is None and gw is None and gb is None:
                continue
            z *= (qsum * scale / se)[:, None]                  # softmax * row mass
            z -= wq * scale if scale != 1.0 else wq
        else:
            tc = t[s:e]
            zt = z[rows, tc]
            xp.exp(z, out=z)
            se = z.sum(axis=1)
            row_loss = xp.log(se) - zt
            cc = coef[s:e]
            if per_row is not None:
                per_row[s:e] = xp.where(cc != 0, row_loss * cc, 0)
                continue
            if row_grad is None:
                total += (row_loss * cc).sum()
            if gx is None and gw is None and gb is None:
                continue
            z *= (cc / se)[:, None]                            # coef * softmax
            z[rows, tc] -= cc
        if gb is not None:
            gb += z.sum(axis=0)
        if gx is not None:
            backend.matmul(xp, z, wc, out=gx[s:e])
        if gw is not None:
            gw += backend.matmul(xp, z.T, xc)
    if per_row is not None:
        return per_row, None, None, None
    if prob:
        total *= scale
    return total, gx, gw, gb


class ChunkedLinearCrossEntropy(ArrayFunction):
    """The chunked loss for 'mean'/'sum': forward computes the loss and the gradients of
    input, weight and bias (those that require grad) chunk by chunk; backward scales them."""

    node_name = "LinearCrossEntropyBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, x, w, b, target, weight, reduction="mean", ignore_index=-100, chunk=1,
                acc=None, allow_retain_graph=False, prob=False):
        ct = acc or compute_dtype(x.dtype)
        need = ctx.needs_input_grad[:3] if ctx.needs_input_grad else (False,) * 3
        loss, gx, gw, gb = _chunk_loop(x, w, b, target, weight, prob=prob,
                                       reduction=reduction, ignore_index=ignore_index,
                                       chunk=chunk, ct=ct, need=need)
        if any(need):
            ctx.grads = [None if g is None else g.astype(a.dtype, copy=False)
                         for g, a in zip((gx, gw, gb), (x, w, b))]
            ctx.keep = allow_retain_graph
        return loss.astype(x.dtype)

    @staticmethod
    def backward_arrays(ctx, g):
        grads = ctx.grads
        if grads is None:
            raise RuntimeError(_TWICE)
        if not ctx.keep:
            ctx.grads = None
        out = []
        for gr in grads:
            if gr is None:
                out.append(None)
            elif ctx.keep:
                out.append(gr * g)
            else:
                gr *= g
                out.append(gr)
        return tuple(out) + (None, None)

    @staticmethod
    def backward(ctx, g):
        res = ChunkedLinearCrossEntropy.backward_arrays(ctx, g._data)
        return tuple(None if a is None else _make(a) for a in res)


class ChunkedLinearCrossEntropyNoReduction(ArrayFunction):
    """The chunked loss for 'none': forward gives the per-row loss; backward recomputes the
    chunks with the upstream gradient of each row folded into its weight."""

    node_name = "LinearCrossEntropyBackward0"
    once_differentiable = True

    @staticmethod
    def forward(ctx, x, w, b, target, weight, ignore_index=-100, chunk=1, acc=None):
        ct = acc or compute_dtype(x.dtype)
        loss = _chunk_loop(x, w, b, target, weight, prob=False, reduction="none",
                           ignore_index=ignore_index, chunk=chunk, ct=ct)[0]
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w, b, target, weight)
            ctx.opts = (ignore_index, chunk, ct)
        return loss.astype(x.dtype)

    @staticmethod
    def backward_arrays(ctx, g):
        x, w, b, target, weight = ctx.saved_arrays
        ignore_index, chunk, ct = ctx.opts
        need = tuple(ctx.needs_input_grad[:3])
        _, gx, gw, gb = _chunk_loop(x, w, b, target, weight, prob=False, reduction="none",
                                    ignore_index=ignore_index, chunk=chunk, ct=ct,
                                    need=need, row_grad=g)
        return tuple(None if gr is None else gr.astype(a.dtype, copy=False)
                     for gr, a in zip((gx, gw, gb), (x, w, b))) + (None, None)

    @staticmethod
    def backward(ctx, g):
        res = ChunkedLinearCrossEntropyNoReduction.backward_arrays(ctx, g._data)
        return tuple(None if a is None else _make(a) for a in res)


def _check_shapes(input, linear_weight, linear_bias):
    """PyTorch's shape checks; returns (batch shape, in_features, C, out_features)."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError("expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    batch = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    n_cls = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (n_cls, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(n_cls, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, "
                           f"(N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    return batch, in_features, n_cls, out_features


def _tracing():
    import sys
    jit = sys.modules.get("ember.jit")
    return bool(jit is not None and jit.is_tracing())


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0,
                         options=None):
    """``F.linear_cross_entropy``: the cross entropy of ``linear(input, linear_weight,
    linear_bias)`` and ``target`` (see the module docstring for the chunked path)."""
    batch, in_features, n_cls, out_features = _check_shapes(input, linear_weight, linear_bias)
    logits_shape = (*batch, n_cls, *out_features)
    prob = tuple(target.shape) == logits_shape
    if prob and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    grad_on = is_grad_enabled()
    chunkable_prob = (prob and reduction in ("mean", "sum") and target.dtype == input.dtype
                      and not (target.requires_grad and grad_on))
    if options is not None:
        tracing = _tracing()
        if (out_features or reduction not in ("mean", "sum", "none") or label_smoothing != 0.0
                or (target.dtype != int64 and not chunkable_prob) or tracing):
            bias_shape = tuple(linear_bias.shape) if linear_bias is not None else None
            warnings.warn(
                "linear_cross_entropy: ``options`` ignored; chunked path needs "
                "reduction in {'mean','sum','none'}, label_smoothing == 0, target.dtype"
                " == int64 (or a probability target with reduction in {'mean','sum'},"
                " dtype matching input, and requires_grad == False), out_features"
                f" == (). Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
                f"target.dtype={target.dtype}, out_features={out_features}"
                f", tracing={tracing}, target.requires_grad={target.requires_grad}"
                f", linear_bias.shape={bias_shape}.", stacklevel=2)
        else:
            return _chunked(input, linear_weight, target, linear_bias, weight, reduction,
                            ignore_index, options, n_cls, in_features)
    if out_features:
        flat = math.prod(out_features, start=n_cls)
        linear_weight = _sh.reshape(linear_weight, (flat, in_features))
        if linear_bias is not None:
            linear_bias = _sh.reshape(linear_bias, (flat,))
    logits = _sh.reshape(linear(input, linear_weight, linear_bias), logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)


def _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
             options, n_cls, in_features):
    unbatched = input.dim() == 1
    if unbatched:
        input = _sh.unsqueeze(input, 0)
        target = _sh.unsqueeze(target, 0)
    opts = options._adjust(num_batches=input.shape[0], in_features=in_features,
                           num_classes=n_cls, dtype=input.dtype, device=input.device,
                           prob_target=target.is_floating_point())
    acc = opts.acc_dtype
    if acc in (float16, bfloat16):
        raise NotImplementedError(f"linear_cross_entropy: acc_dtype={acc} is not supported "
                                  "by ember (half-precision inputs accumulate in float32)")
    acc_np = compute_dtype(acc).np
    if target.is_floating_point() and target.requires_grad and is_grad_enabled():
        raise RuntimeError("linear_cross_entropy chunked op: gradients w.r.t. a probability "
                           "target are not supported on the chunked path; use options=None.")
    if reduction == "none":
        out = ChunkedLinearCrossEntropyNoReduction.apply(
            input, linear_weight, linear_bias, target, weight, ignore_index=int(ignore_index),
            chunk=opts.batch_chunk_size, acc=acc_np)
    else:
        out = ChunkedLinearCrossEntropy.apply(
            input, linear_weight, linear_bias, target, weight, reduction=reduction,
            ignore_index=int(ignore_index), chunk=opts.batch_chunk_size, acc=acc_np,
            allow_retain_graph=opts.allow_retain_graph, prob=target.is_floating_point())
    if unbatched:
        out = _sh.squeeze(out, 0)
    return out
