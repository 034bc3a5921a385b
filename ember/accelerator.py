"""``torch.accelerator``: the current accelerator, device-independently.

ember's only accelerator is CUDA (through CuPy). Without a GPU, ``is_available()`` is
False, ``current_accelerator()`` is None and ``device_count()`` is 0, as PyTorch reports
on a CPU-only machine; the memory queries then return zeros.
"""
from . import cuda as _cuda

__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "device_count", "device_index", "is_available", "set_device_idx",
           "set_device_index", "synchronize", "empty_cache", "memory_stats",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "reset_accumulated_memory_stats",
           "get_memory_info", "current_stream", "set_stream"]


def is_available():
    return _cuda.is_available()


def device_count():
    return _cuda.device_count()


def current_accelerator(check_available=False):
    """``ember.device('cuda')`` where a GPU is there, else None."""
    from ._device import device
    if _cuda.is_available():
        return device("cuda")
    return None


def _require():
    if not _cuda.is_available():
        raise RuntimeError("Accelerator is not available: ember found no CUDA device")


def current_device_index():
    _require()
    return _cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device):
    _require()
    _cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None):
    _cuda.synchronize(device)


class device_index:
    """Context manager: make ``device`` current for the block (None: do nothing)."""

    def __init__(self, device):
        self.idx = device
        self.prev = None

    def __enter__(self):
        if self.idx is not None:
            self.prev = current_device_index()
            set_device_index(self.idx)

    def __exit__(self, *exc):
        if self.prev is not None:
            set_device_index(self.prev)
        return False


def current_stream(device=None):
    raise NotImplementedError("torch.accelerator.current_stream: ember has no stream objects")


def set_stream(stream):
    raise NotImplementedError("torch.accelerator.set_stream: ember has no stream objects")


empty_cache = _cuda.empty_cache
memory_stats = _cuda.memory_stats
memory_allocated = _cuda.memory_allocated
max_memory_allocated = _cuda.max_memory_allocated
memory_reserved = _cuda.memory_reserved
max_memory_reserved = _cuda.max_memory_reserved
reset_peak_memory_stats = _cuda.reset_peak_memory_stats
reset_accumulated_memory_stats = _cuda.reset_accumulated_memory_stats


def get_memory_info(device=None):
    return _cuda.mem_get_info(device)
