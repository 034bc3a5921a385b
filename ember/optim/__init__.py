"""``ember.optim``: optimizers (one file per algorithm) and ``lr_scheduler``.

``Optimizer``, each algorithm, ``lr_scheduler`` and ``swa_utils`` load on first use
(import time, issue 18; ember/_lazy.py)."""
from .._lazy import module_getattr as _module_getattr
from .._lazy_tables import OPTIM as _LAZY_NAMES

# In binding order; after adding an optimizer run ``python -m tools.lazy_tables --write``.
_LAZY_SOURCES = (
    ("ember.optim.optimizer", "names", "Optimizer"),
    ("ember.optim.sgd", "names", "SGD"),
    ("ember.optim.adam", "names", "Adam AdamW"),
    ("ember.optim.rmsprop", "names", "RMSprop"),
    ("ember.optim.adagrad", "names", "Adagrad"),
    ("ember.optim.adadelta", "names", "Adadelta"),
    ("ember.optim.adamax", "names", "Adamax"),
    ("ember.optim.nadam", "names", "NAdam"),
    ("ember.optim.radam", "names", "RAdam"),
    ("ember.optim.lbfgs", "names", "LBFGS"),
    ("ember.optim.asgd", "names", "ASGD"),
    ("ember.optim.rprop", "names", "Rprop"),
    ("ember.optim.adafactor", "names", "Adafactor"),
    ("ember.optim.sparse_adam", "names", "SparseAdam"),
)

__all__ = [*_LAZY_NAMES, "lr_scheduler", "swa_utils"]
__getattr__ = _module_getattr(globals(), _LAZY_NAMES)   # and the submodules, lr_scheduler ...


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES) | {"lr_scheduler", "swa_utils"})
