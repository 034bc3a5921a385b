"""``F.channel_shuffle`` / ``F.native_channel_shuffle``: ``(N, g*k, *) -> (N, k*g, *)``,
regrouping channels as in ShuffleNet. A reshape-transpose-reshape, so autograd comes
from those ops; PyTorch's RuntimeErrors for bad input."""

__all__ = ["channel_shuffle", "native_channel_shuffle"]


def channel_shuffle(input, groups):
    """Channel ``i * k + j`` (group ``i`` of ``groups``) moves to ``j * groups + i``."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input "
                           f"with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. "
                           f"Value of groups:{groups}")
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError("Number of channels must be divisible by groups. "
                           f"Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    out = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return out.reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle
