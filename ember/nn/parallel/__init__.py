"""``ember.nn.parallel``: ``DistributedDataParallel`` (on ember.distributed),
``DataParallel`` (one process) and ``scatter_gather``."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel
from .scatter_gather import gather, scatter, scatter_kwargs  # noqa: F401  (issue 12)

__all__ = ["DataParallel", "DistributedDataParallel"]
