"""``ember.nn.functional``: the functional form of every layer, over ``ember.ops``.

Each op family exports its functional names through its module's ``__all__``; the family
loads on first use of one of its names (import time, issue 18; ember/_lazy.py).
"""
from .._lazy import module_getattr as _module_getattr
from .._lazy_tables import FUNCTIONAL as _LAZY_NAMES

# In binding order (a later source wins); after adding a name to a family's ``__all__``,
# run ``python -m tools.lazy_tables --write``.
_LAZY_SOURCES = (
    ("ember.ops.linear", "star", ""),
    ("ember.ops.activation", "star", ""),
    ("ember.ops.loss", "star", ""),
    ("ember.ops.conv", "star", ""),
    ("ember.ops.pooling", "star", ""),
    ("ember.ops.upsampling", "star", ""),
    ("ember.ops.normalization", "star", ""),
    ("ember.ops.dropout", "star", ""),
    ("ember.ops.sparse", "star", ""),
    ("ember.ops.distance", "star", ""),
    ("ember.ops.attention", "star", ""),
    ("ember.ops.channel_shuffle", "star", ""),
    ("ember.ops.grid_sample", "star", ""),
    ("ember.ops.multi_head_attention", "star", ""),
    ("ember.ops.fractional_pool", "star", ""),
    ("ember.ops.linear_cross_entropy", "star", ""),
    ("ember._native_nn", "names", "conv_tbc"),          # F.conv_tbc is torch.conv_tbc
)

__all__ = [n for n in _LAZY_NAMES if not n.startswith("_")]
__getattr__ = _module_getattr(globals(), _LAZY_NAMES)


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES))
