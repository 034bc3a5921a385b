"""Fractional max pooling (Graham, 2014): ``F.fractional_max_pool2d`` / ``3d``.

Follows PyTorch's ATen kernels: per (batch, channel) plane and spatial dim, one sample
``u`` in [0, 1) places the ``out`` windows of size ``k`` at
``floor((i + u) * alpha) - floor(u * alpha)`` with ``alpha = (in - k) / (out - 1)``
(computed in the input's dtype), the last window at ``in - k``. ``_random_samples`` has
shape (N, C, n) with column 0 for the last spatial dim (W) in 2-D and column 0 for the
first (T) in 3-D, as in PyTorch. The windows' flat indices are built with ember ops and the
output is a ``gather`` of the input, so gradients (of any order) follow from gather's.
Ties go to the first maximum in a window (PyTorch's scan keeps the first too).
"""
import math

from .. import _dtype

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]

_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(v, n):
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"expected {n} values, got {tuple(v)}")
        return tuple(v)
    return (v,) * n


def _output_size(n, x, output_size, output_ratio):
    if output_size is not None:
        return tuple(int(o) for o in _tuple(output_size, n))
    if output_ratio is None:
        raise ValueError(f"fractional_max_pool{n}d requires specifying either an output_size "
                         "or an output_ratio")
    ratio = _tuple(output_ratio, n)
    return tuple(int(s * r) for s, r in zip(x.shape[-n:], ratio))


def _check(n, x, k, out, samples):
    fname = f"fractional_max_pool{n}d"
    if x.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{fname}(): Expected {n + 1}D or {n + 2}D tensor, but got: "
                           f"{list(x.shape)}")
    if not all(v > 0 for v in k):
        raise RuntimeError(f"{fname}(): kernel size should be greater than zero, but got "
                           + "x".join(str(v) for v in k))
    if not all(v > 0 for v in out):
        raise RuntimeError(f"{fname}(): output size should be greater than zero, but got "
                           + "x".join(str(v) for v in out))
    prefix = fname + ("_out()" if n == 3 else "()")
    for name, s, kk, o in zip(_DIM_NAMES[n], x.shape[-n:], k, out):
        if o + kk - 1 > s:
            raise RuntimeError(f"{prefix}: pool {name} {kk} too large relative to input "
                               f"{name} {s}")
    N = x.shape[0] if x.dim() == n + 2 else 1
    C = x.shape[-n - 1]
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    if samples.shape[0] < N:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != C:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != n:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {n}; got "
                           f"{samples.shape[2]}.")
    if samples.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")


def _starts(u, size, k, out):
    """Window starts (N, C, out) from samples u (N, C), as PyTorch's generate_intervals."""
    from .creation import arange, full
    from .shape import cat
    last = full(u.shape + (1,), size - k, dtype=_dtype.int64, device=u.device)
    if out == 1:
        return last
    alpha = full((), size - k, dtype=u.dtype, device=u.device) / (out - 1)
    i = arange(out - 1, dtype=u.dtype, device=u.device)
    u = u.unsqueeze(-1)
    seq = ((i + u) * alpha).floor().long() - (u * alpha).floor().long()
    return cat([seq, last], dim=-1)


def _fractional_max_pool(n, input, kernel_size, output_size, output_ratio, _random_samples):
    from .creation import arange, rand
    from ..autograd.grad_mode import no_grad
    k = _tuple(kernel_size, n)
    out = _output_size(n, input, output_size, output_ratio)
    batched = input.dim() == n + 2
    if not input.dtype.is_floating_point:
        from .pointwise import _INT_NAMES
        raise NotImplementedError(f'"fractional_max_pool{n}d" not implemented for '
                                  f"'{_INT_NAMES.get(input.dtype.name, 'Bool')}'")
    if _random_samples is None:
        nb = input.shape[0] if batched else 1
        _random_samples = rand(nb, input.shape[-n - 1], n, dtype=input.dtype,
                               device=input.device)
    _check(n, input, k, out, _random_samples)
    x = input if batched else input.unsqueeze(0)
    N, C, sp = x.shape[0], x.shape[1], tuple(x.shape[2:])
    cols = (1, 0) if n == 2 else (0, 1, 2)    # sample column of each spatial dim
    with no_grad():
        u = _random_samples[:N].detach()
        flat = None
        strides = [math.prod(sp[d + 1:]) for d in range(n)]
        for d in range(n):
            pos = _starts(u[:, :, cols[d]], sp[d], k[d], out[d]).unsqueeze(-1) + arange(
                k[d], device=x.device)                     # (N, C, o_d, k_d)
            shape = [N, C] + [1] * (2 * n)
            shape[2 + d], shape[2 + n + d] = out[d], k[d]
            term = pos.reshape(shape) * strides[d]
            flat = term if flat is None else flat + term
        flat = flat.reshape(N, C, math.prod(out), math.prod(k))
        xf = x.detach().reshape(N, C, -1)
        vals = xf.gather(-1, flat.reshape(N, C, -1)).reshape(flat.shape)
        best = vals.argmax(-1, keepdim=True)
        indices = flat.gather(-1, best).squeeze(-1)        # (N, C, prod(out))
    output = x.reshape(N, C, -1).gather(-1, indices).reshape((N, C) + out)
    indices = indices.reshape((N, C) + out)
    if not batched:
        output, indices = output.squeeze(0), indices.squeeze(0)
    return output, indices


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """PyTorch's ``F.fractional_max_pool2d_with_indices``: (output, indices)."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """PyTorch's ``F.fractional_max_pool3d_with_indices``: (output, indices)."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """PyTorch's ``F.fractional_max_pool2d`` over (N, C, H, W) or (C, H, W) input."""
    res = _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                               _random_samples)
    return res if return_indices else res[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """PyTorch's ``F.fractional_max_pool3d`` over (N, C, T, H, W) or (C, T, H, W) input."""
    res = _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                               _random_samples)
    return res if return_indices else res[0]
