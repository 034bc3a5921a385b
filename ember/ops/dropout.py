"""Dropout: dropout, dropout1d/2d/3d (channel-wise), alpha_dropout, feature_alpha_dropout.

One fused Function, ``Dropout``: ``out = input * mask (+ shift)`` where ``mask`` already
holds the ``1 / (1 - p)`` scaling (it is what backward multiplies the gradient by, so the
backward is itself differentiable). Channel-wise variants draw one mask value per
``(sample, channel)`` and broadcast it over the spatial dims.

Masks come from ember's default generator (``ember.manual_seed`` makes them
reproducible); the random stream differs from PyTorch's, so the same seed drops
different elements than PyTorch does (docs/differences.md). As in PyTorch, outside
training, with ``p == 0`` or on an empty input the input itself is returned.
"""
from .. import backend, _random
from .._dtype import DIFFERENTIABLE_NP
from .._tensor import _make
from ..autograd.function import ArrayFunction
from ..autograd.dispatch import composite
from . import pointwise as _pw

_gam = backend.get_array_module

# SELU's negative saturation value (-scale * alpha) and PyTorch's alpha dropout constants
_ALPHA = 1.7580993408473766


class Dropout(ArrayFunction):
    """``out = x * mask + shift``; the gradient is ``grad * mask`` (mask broadcasts)."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, mask=None, shift=None):
        out = x * mask
        if shift is not None:
            out += shift
        ctx.mask = mask
        return out

    @staticmethod
    def backward(ctx, g):
        return _pw.mul(g, _make(ctx.mask))


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


# Keep masks compare 32-bit words of the generator's raw stream against round(p * 2**32):
# two words per 64-bit PCG64 output and no float conversion. Measured on a (16, 4, 64, 64)
# mask (2 cores, load 6): 1.1 ms, against 3.0 ms for float32 uniforms compared with p.
# The keep probability is exact to 2**-32 (float32 uniforms: 2**-24); the masks are
# reproducible under ember.manual_seed like every other draw.
_WORDS = 4294967296


def _keep(x, p, shape):
    """A bool array of ``shape``: True with probability ``1 - p``, from ember's generator."""
    n = 1
    for d in shape:
        n *= d
    raw = _random._gen(None).bit_generator.random_raw((n + 1) // 2)
    words = raw.view("uint32")[:n].reshape(shape)
    keep = words >= int(p * _WORDS + 0.5) if p < 1 else words != words
    dev = backend.device_type_of(x)
    return keep if dev == "cpu" else backend.to_device(keep, dev)


def keep_multiplier(keep, p, dtype):
    """The dropout multiplier of a keep mask: ``1 / (1 - p)`` where kept, else 0 (one pass)."""
    return keep * dtype.type(1.0 / (1.0 - p)) if p < 1 else keep.astype(dtype)


def _noise_shape(x, feature):
    if not feature:
        return x.shape
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return x.shape[:2] + (1,) * (x.ndim - 2)


def _check_float(input):
    dt = input._data.dtype
    if dt not in DIFFERENTIABLE_NP:
        from .pointwise import _INT_NAMES
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{_INT_NAMES.get(dt.name, dt.name.capitalize())}")


def _dropout(input, p, training, inplace, feature=False, alpha=False):
    if p == 0 or not training or input._data.size == 0:
        return input
    _check_float(input)
    if inplace:
        return _pw.apply_inplace(input, _dropout, p, training, False, feature, alpha)
    x = input._data
    dt = x.dtype
    if p == 1:
        mask = _gam(x).zeros(_noise_shape(x, feature), dt)
        return Dropout.apply(input, mask=mask)
    keep = _keep(x, p, _noise_shape(x, feature))
    if not alpha:
        return Dropout.apply(input, mask=keep_multiplier(keep, p, dt))
    # alpha dropout (PyTorch's formula): kept -> a * x + alpha * a * p,
    # dropped -> -alpha * a + alpha * a * p, with a = 1 / sqrt((alpha^2 p + 1)(1 - p))
    a = 1.0 / ((_ALPHA * _ALPHA * p + 1.0) * (1.0 - p)) ** 0.5
    mask = keep.astype(dt)
    shift = (mask - 1.0) * (_ALPHA * a) + _ALPHA * a * p
    mask *= a
    return Dropout.apply(input, mask=mask, shift=shift.astype(dt, copy=False))


@composite("dropout")
def dropout(input, p=0.5, training=True, inplace=False):
    """``F.dropout``: zero each element with probability ``p``, scale the rest by
    ``1 / (1 - p)``."""
    _check_p(p)
    return _dropout(input, p, training, inplace)


@composite("alpha_dropout")
def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``F.alpha_dropout``: dropout that keeps SELU's self-normalizing mean and variance."""
    _check_p(p)
    return _dropout(input, p, training, inplace, alpha=True)


@composite("feature_alpha_dropout")
def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``F.feature_alpha_dropout``: alpha dropout of whole channels."""
    _check_p(p)
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


@composite("dropout1d")
def dropout1d(input, p=0.5, training=True, inplace=False):
    """``F.dropout1d``: zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs."""
    _check_p(p)
    d = input.dim()
    if d not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {d}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_unbatched(input, p, training, inplace, d == 3)


def _feature_unbatched(input, p, training, inplace, batched):
    if batched:
        return _dropout(input, p, training, inplace, feature=True)
    if inplace:
        if p == 0 or not training or input._data.size == 0:
            return input
        return _pw.apply_inplace(input, lambda t: _dropout(t.unsqueeze(0), p, training, False,
                                                           feature=True).squeeze(0))
    return _dropout(input.unsqueeze(0), p, training, False, feature=True).squeeze(0)


@composite("dropout2d")
def dropout2d(input, p=0.5, training=True, inplace=False):
    """``F.dropout2d``: zero whole channels of ``(N, C, H, W)`` inputs (a 3-D input is taken
    as ``(N, C, L)``, with PyTorch's warning)."""
    import warnings
    _check_p(p)
    d = input.dim()
    if d not in (3, 4):
        warnings.warn(f"dropout2d: Received a {d}-D input to dropout2d, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and "
                      "silence this warning, please use dropout instead. Note that dropout2d "
                      "exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                      "3D or 4D inputs).", stacklevel=2)
    if d == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change in "
                      "a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True)


@composite("dropout3d")
def dropout3d(input, p=0.5, training=True, inplace=False):
    """``F.dropout3d``: zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    import warnings
    _check_p(p)
    d = input.dim()
    if d not in (4, 5):
        warnings.warn(f"dropout3d: Received a {d}-D input to dropout3d, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and "
                      "silence this warning, please use dropout instead. Note that dropout3d "
                      "exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                      "4D or 5D inputs).", stacklevel=2)
    return _feature_unbatched(input, p, training, inplace, d == 5)


__all__ = ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
           "dropout3d"]
