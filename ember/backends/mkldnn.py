"""``torch.backends.mkldnn``: ember does not use oneDNN (``enabled`` is kept, unused)."""
from . import _flags_of

enabled = True
deterministic = False
allow_tf32 = True


def is_available():
    return False


def flags(enabled=False, deterministic=False, allow_tf32=True, fp32_precision="none"):
    import sys
    return _flags_of(sys.modules[__name__], enabled=enabled, deterministic=deterministic,
                     allow_tf32=allow_tf32)
