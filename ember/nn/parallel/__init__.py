"""``ember.nn.parallel``: ``DistributedDataParallel`` (on ember.distributed) and
``DataParallel`` (one process)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
