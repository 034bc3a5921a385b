"""``ember.nn``: Module, Parameter, layers, functional, init and utils (as ``torch.nn``)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .modules.module import register_module_forward_hook, register_module_forward_pre_hook
from . import functional, init, utils, parameter, modules
# ember.nn.parallel (distributed helper): DataParallel as nn.DataParallel; DDP imports MPI lazily



def __getattr__(name):
    # nn.parallel (DDP's process-group plumbing) loads on first use (import time, issue 18)
    if name in ("parallel", "DataParallel"):
        import importlib
        parallel = importlib.import_module("ember.nn.parallel")
        globals().update(parallel=parallel, DataParallel=parallel.DataParallel)
        return globals()[name]
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | {"parallel", "DataParallel"})
