"""``nn.DataParallel`` in one process: PyTorch splits the batch over the GPUs of
``device_ids`` and runs a replica on each; with no GPUs it runs the module as it is, which
is what ember does on the CPU (and on one GPU). The wrapped module is ``.module``, so
``state_dict`` keys carry the ``module.`` prefix as in PyTorch. Several GPUs raise
NotImplementedError (use DistributedDataParallel, one process per GPU).
"""
from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """``torch.nn.DataParallel(module, device_ids=None, output_device=None, dim=0)``."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        if device_ids is not None and len(list(device_ids)) > 1:
            raise NotImplementedError("DataParallel over several devices is not supported "
                                      "by ember; use DistributedDataParallel with one "
                                      "process per GPU")
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
