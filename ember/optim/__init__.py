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
from . import lr_scheduler
from . import swa_utils
