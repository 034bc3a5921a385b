"""``torch.distributions.ExponentialFamily`` (the base of the exponential families)."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    pass
