"""The ``amp_autocast`` MLP training step in float32 (autocast disabled): its baseline."""
from .amp_autocast import NUMBER, make as _make  # noqa: F401

DESCRIPTION = "MLP train step, float32 (amp_autocast baseline)"


def make(lib):
    return _make(lib, autocast=False)
