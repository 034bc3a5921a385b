"""``ember.multiprocessing``: ``torch.multiprocessing``'s API.

Everything from the standard ``multiprocessing`` module (Process, Queue, Pool, ...), with
tensor reductions registered so that tensors sent through its queues, pipes and process
arguments arrive as views of the same shared memory (see ``reductions``), plus
``spawn``/``start_processes`` (ranks started through mpiexec, see ``spawn``) and the
sharing-strategy switches.
"""
import multiprocessing
from multiprocessing import *

from .reductions import init_reductions
from .spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    spawn,
    start_processes,
)

__all__ = [
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "get_all_sharing_strategies",
    "get_sharing_strategy",
    "init_reductions",
    "set_sharing_strategy",
    "spawn",
    "start_processes",
]
__all__ += multiprocessing.__all__

init_reductions()

_all_sharing_strategies = {"file_descriptor", "file_system"}
_sharing_strategy = "file_descriptor"


def set_sharing_strategy(new_strategy):
    """Accepted as in PyTorch; both strategies share through named /dev/shm files here."""
    global _sharing_strategy
    if new_strategy not in _all_sharing_strategies:
        raise ValueError(f"Sharing strategy {new_strategy!r} is not one of "
                         f"{sorted(_all_sharing_strategies)}")
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    return _sharing_strategy


def get_all_sharing_strategies():
    return set(_all_sharing_strategies)
