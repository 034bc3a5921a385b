"""``ember.distributions`` (``torch.distributions``): probability distributions with
PyTorch's API: Normal, Uniform, Bernoulli, Categorical, OneHotCategorical,
MultivariateNormal, Gamma, Exponential, Beta, Dirichlet, Independent, and
``kl_divergence`` between them (see each module for how it samples and differentiates).
"""
from . import constraints, kl  # noqa: F401
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Exponential, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential",
           "ExponentialFamily", "Gamma", "Independent", "MultivariateNormal", "Normal",
           "OneHotCategorical", "Uniform", "kl_divergence", "register_kl", "constraints",
           "kl"]
