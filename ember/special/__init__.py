"""``ember.special``: ``torch.special``, the kernels and derivatives of
``ember/ops/special.py`` and aliases of ember's pointwise ops (expit, exp2, expm1, log1p,
erf, round, softmax, log_softmax, logsumexp)."""
from ..ops.special import *  # noqa: F401,F403
from ..ops.special import __all__ as _special_names
from ..ops.special import digamma as psi, gammaln  # noqa: F401
from ..ops.pointwise import erf, exp2, expm1, log1p, round  # noqa: F401
from ..ops.pointwise import sigmoid as expit  # noqa: F401
from ..ops.reduction import logsumexp  # noqa: F401


def softmax(input, dim, *, dtype=None):
    from ..nn.functional import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from ..nn.functional import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)


__all__ = sorted(_special_names + ["psi", "erf", "exp2", "expm1", "log1p", "round", "expit",
                                   "logsumexp", "softmax", "log_softmax"])
