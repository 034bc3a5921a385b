"""Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout (``torch.nn``).

Identity in eval mode; in training, masks come from ember's generator (reproducible with
``ember.manual_seed``, but a different stream than PyTorch's).
"""
from ...ops import dropout as _ops
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):
    _fn = None     # the functional form, called as fn(input, p, training, inplace)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


def _not_inplace(fn):
    """AlphaDropout layers never run in place (as PyTorch, which ignores ``inplace``)."""
    return lambda input, p, training, inplace: fn(input, p, training)


class Dropout(_DropoutNd):
    """Zeroes elements with probability ``p`` and scales the rest by ``1 / (1 - p)``."""

    _fn = staticmethod(_ops.dropout)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, L)`` / ``(C, L)`` inputs."""

    _fn = staticmethod(_ops.dropout1d)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, H, W)`` inputs."""

    _fn = staticmethod(_ops.dropout2d)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` inputs."""

    _fn = staticmethod(_ops.dropout3d)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps the self-normalizing property of SELU networks."""

    _fn = staticmethod(_not_inplace(_ops.alpha_dropout))


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    _fn = staticmethod(_not_inplace(_ops.feature_alpha_dropout))
