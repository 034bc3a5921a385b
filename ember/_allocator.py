"""Keep freed memory in the process instead of handing it back to the OS (glibc malloc).

ember's ops are eager NumPy: every step allocates and frees the same few-MB temporaries
(im2col columns, activations, gradients). glibc returns such blocks to the kernel as soon
as they are freed (blocks above the mmap threshold are unmapped; free memory at the top of
the heap above the trim threshold is trimmed), so the next step touches fresh pages and
pays a page fault plus the kernel's zeroing for every 4 KiB of them. Measured on the
small-CNN train step (bench/small_cnn.py, 2 cores, quiet): 52 ms -> 43 ms per step, all of
it in first-touch faults of im2col buffers, ReLU/max-pool outputs and gradients.

``tune()`` therefore sets, once, ``M_MMAP_THRESHOLD`` to 32 MiB (glibc's largest; the
default threshold only grows towards it after the first frees) and ``M_TRIM_THRESHOLD``
to 512 MiB. Peak memory is unchanged; memory freed after a peak stays reserved by the
process (as PyTorch's caching allocators keep theirs), up to the trim threshold.

It also sets ``M_ARENA_MAX`` to 1, so that other threads allocate from the main arena
too, where the thresholds above keep freed memory. A thread's own arena is made of
separately mapped heaps (of at most 64 MiB) that glibc shrinks and unmaps by rules of
their own: with one for ember's helper thread (``ops/_host_threads``), the ResNet-18
CIFAR step faulted ~4000 pages in afresh every step, 0-100 with one arena (379-395 ->
364-369 ms a step; one 8 MB Winograd product on the helper took 23 ms against 2 when its
output's pages were fresh). The threads then share the main arena's lock; NumPy
allocates with the GIL held, so they seldom contend for it.

It changes nothing where it cannot apply (no glibc, another allocator preloaded) or where
the user chose: any ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` in the
environment (``MALLOC_ARENA_MAX`` for the arena count alone), or ``EMBER_MALLOC_TUNE=0``,
leaves malloc as it is.
"""
import os

MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 512 << 20
ARENA_MAX = 1
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_done = []


def tune():
    """Apply the malloc settings above once per process; returns whether they were set."""
    if _done:
        return _done[0]
    _done.append(False)
    env = os.environ
    if (env.get("EMBER_MALLOC_TUNE", "1") == "0" or "MALLOC_MMAP_THRESHOLD_" in env
            or "MALLOC_TRIM_THRESHOLD_" in env):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
            return False
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
        if ok and "MALLOC_ARENA_MAX" not in env:
            ok = bool(libc.mallopt(_M_ARENA_MAX, ARENA_MAX))
    except (OSError, AttributeError):
        return False
    _done[0] = ok
    return ok
