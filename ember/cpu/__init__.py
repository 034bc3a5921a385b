"""``ember.cpu``: the CPU device module (``torch.cpu``): availability queries and ``amp``."""
from . import amp  # noqa: F401


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """Nothing to wait for: NumPy runs synchronously."""
