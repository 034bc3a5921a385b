"""Every layer, one file per family; re-exported as ``ember.nn.<Layer>``."""

# The layer families load on first use (import time, issue 18; ember/_lazy.py), in binding
# order (a later source wins). After adding a layer, run ``python -m tools.lazy_tables --write``.
_LAZY_SOURCES = (
    ("ember.nn.modules.linear", "star", ""),
    ("ember.nn.modules.activation", "star", ""),
    ("ember.nn.modules.loss", "star", ""),
    ("ember.nn.modules.conv", "star", ""),
    ("ember.nn.modules.pooling", "star", ""),
    ("ember.nn.modules.upsampling", "star", ""),
    ("ember.nn.modules.pixelshuffle", "star", ""),
    ("ember.nn.modules.normalization", "star", ""),
    ("ember.nn.modules.batchnorm", "star", ""),
    ("ember.nn.modules.instancenorm", "star", ""),
    ("ember.nn.modules.dropout", "star", ""),
    ("ember.nn.modules.sparse", "star", ""),
    ("ember.nn.modules.distance", "star", ""),
    ("ember.nn.modules.rnn", "star", ""),
    ("ember.nn.modules.multihead_attention", "star", ""),
    ("ember.nn.modules.transformer", "star", ""),
    ("ember.nn.modules.padding", "star", ""),
    ("ember.nn.modules.channelshuffle", "star", ""),
    ("ember.nn.modules.lazy", "star", ""),              # nn-autograd (issue 17)
    ("ember.nn.modules.adaptive", "star", ""),  # nn-autograd
    ("ember.nn.modules.fractional_pool", "star", ""),
    ("ember.nn.modules.linear_cross_entropy", "star", ""),  # new214
    # Module and the containers (last, so that a family's re-export never stands for them)
    ("ember.nn.modules.module", "names", "Module"),
    ("ember.nn.modules.container", "names",
     "Container Sequential ModuleList ModuleDict ParameterList ParameterDict"),
)

from ..._lazy_tables import NN_MODULES as _LAZY_NAMES  # noqa: E402
from ..._lazy import module_getattr as _module_getattr  # noqa: E402

# what ``from .modules import *`` (ember.nn) exports: the layers, not the family files.
# Every public name of the table: a layer added to a family's ``__all__`` is an
# ``ember.nn`` name once the table is regenerated.
__all__ = [n for n in _LAZY_NAMES if not n.startswith("_")]

__getattr__ = _module_getattr(globals(), _LAZY_NAMES)


def __dir__():
    from ..._lazy import child_modules
    return sorted(set(globals()) | set(_LAZY_NAMES) | child_modules(__name__, _LAZY_NAMES))
