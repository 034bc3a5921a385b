"""``ember.optim``: optimizers (one file per algorithm) and ``lr_scheduler``.

``Optimizer``, each algorithm, ``lr_scheduler`` and ``swa_utils`` load on first use
(import time, issue 18; ember/_lazy.py)."""
from .._lazy import module_getattr as _module_getattr, child_modules as _child_modules
from .._lazy_tables import OPTIM as _LAZY_NAMES

# In binding order; after adding an optimizer run ``python -m tools.lazy_tables --write``.
_LAZY_SOURCES = (
    ("ember.optim.optimizer", "names", "Optimizer"),
    ("ember.optim.sgd", "star", ""),
    ("ember.optim.adam", "star", ""),
    ("ember.optim.rmsprop", "star", ""),
    ("ember.optim.adagrad", "star", ""),
    ("ember.optim.adadelta", "star", ""),
    ("ember.optim.adamax", "star", ""),
    ("ember.optim.nadam", "star", ""),
    ("ember.optim.radam", "star", ""),
    ("ember.optim.lbfgs", "star", ""),
    ("ember.optim.asgd", "star", ""),
    ("ember.optim.rprop", "star", ""),
    ("ember.optim.adafactor", "star", ""),
    ("ember.optim.sparse_adam", "star", ""),
    ("ember.optim.muon", "star", ""),
    ("ember.optim._stateless", "star", ""),
)

# ``from ember.optim import *``: the optimizers and their modules, as the eager imports bound
__all__ = [*_LAZY_NAMES,
           *sorted(n for n in _child_modules(__name__, _LAZY_NAMES) if not n.startswith("_"))]
__getattr__ = _module_getattr(globals(), _LAZY_NAMES)   # and the submodules, lr_scheduler ...


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES) | {"lr_scheduler", "swa_utils"}
                  | _child_modules(__name__, _LAZY_NAMES))
