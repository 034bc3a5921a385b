"""``ember.optim``: optimizers (one file per algorithm) and ``lr_scheduler``."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .lbfgs import LBFGS
from .asgd import ASGD
from .rprop import Rprop
from .adafactor import Adafactor
from .sparse_adam import SparseAdam
from .muon import Muon
from ._stateless import swap_in_optimizer_params_and_state


def __getattr__(name):
    # lr_scheduler and swa_utils load on first use (import-time budget, issue 18)
    if name in ("lr_scheduler", "swa_utils"):
        import importlib
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ember.optim' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | {"lr_scheduler", "swa_utils"})
