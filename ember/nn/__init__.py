"""``ember.nn``: Module, Parameter, layers, functional, init and utils (as ``torch.nn``)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .modules.module import register_module_forward_hook, register_module_forward_pre_hook
from . import functional, init, utils, parameter, modules
# ember.nn.parallel (distributed helper): DataParallel as nn.DataParallel; DDP imports MPI lazily
from . import parallel
from .parallel import DataParallel
