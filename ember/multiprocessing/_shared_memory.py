"""Tensor data in shared memory: what ``Tensor.share_memory_()`` does.

A shared tensor's array lives in a file under ``/dev/shm`` mapped with ``MAP_SHARED``; its
name travels to other processes (``ember.multiprocessing.reductions``), which map the same
file, so every process sees and writes the same memory (Hogwild training). The creating
process removes the file once the array is gone (or at exit); a process that received the
tensor keeps its mapping after that. Forked children inherit the mappings.

Differences from PyTorch: ``share_memory_()`` replaces the tensor's array by a contiguous
shared copy, so views taken *before* the call keep the old memory (PyTorch moves the
storage under every view); take views after sharing, as ``Module.share_memory()`` does.
Both sharing strategies use named files; a process killed with SIGKILL may leave its
files in /dev/shm.
"""
import bisect
import itertools
import mmap
import os
import tempfile
import weakref

import numpy as np

_SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
_counter = itertools.count()

# Sorted start addresses of mapped segments and, per start, (end, path).
_starts = []
_segments = {}


def _address(arr):
    return arr.__array_interface__["data"][0]


def _register(root, path, owner):
    start = _address(root)
    end = start + max(root.nbytes, 1)
    i = bisect.bisect_left(_starts, start)
    if i == len(_starts) or _starts[i] != start:
        _starts.insert(i, start)
    _segments[start] = (end, path)
    weakref.finalize(root, _forget, start, path, os.getpid() if owner else None)


def _forget(start, path, owner_pid):
    seg = _segments.get(start)
    if seg is not None and seg[1] == path:
        del _segments[start]
        i = bisect.bisect_left(_starts, start)
        if i < len(_starts) and _starts[i] == start:
            del _starts[i]
    if owner_pid == os.getpid():      # not in forked children that inherited the finalizer
        try:
            os.unlink(path)
        except OSError:
            pass


def segment_of(arr):
    """(path, byte offset) of the shared segment holding ``arr``'s data, or None."""
    if not isinstance(arr, np.ndarray) or not _starts:
        return None
    addr = _address(arr)
    i = bisect.bisect_right(_starts, addr) - 1
    if i < 0:
        return None
    start = _starts[i]
    end, path = _segments[start]
    if addr >= end and arr.nbytes:
        return None
    return path, addr - start


def _map(path, nbytes):
    fd = os.open(path, os.O_RDWR)
    try:
        return mmap.mmap(fd, max(nbytes, 1), mmap.MAP_SHARED)
    finally:
        os.close(fd)


def share_array(arr):
    """A C-contiguous copy of ``arr`` in a new shared segment."""
    path = os.path.join(_SHM_DIR, f"ember_{os.getpid()}_{next(_counter)}_{os.urandom(4).hex()}")
    nbytes = arr.nbytes
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        os.ftruncate(fd, max(nbytes, 1))
        mm = mmap.mmap(fd, max(nbytes, 1), mmap.MAP_SHARED)
    finally:
        os.close(fd)
    flat = np.frombuffer(mm, dtype=arr.dtype, count=arr.size)
    # views of ``flat`` keep it as their base, so the finalizer runs after the last view
    _register(flat, path, owner=True)
    out = flat.reshape(arr.shape)
    out[...] = arr
    return out


_opened = weakref.WeakValueDictionary()


def open_array(path, nbytes_total, offset, shape, strides, dtype):
    """The array at ``offset`` of the shared segment ``path`` (mapping it once per process)."""
    root = _opened.get(path)
    if root is None:
        try:
            mm = _map(path, nbytes_total)
        except FileNotFoundError:
            raise RuntimeError(f"shared tensor memory {path} no longer exists: the process "
                               f"that shared it has freed the tensor or exited") from None
        root = np.frombuffer(mm, dtype=np.uint8, count=max(nbytes_total, 1))
        _register(root, path, owner=False)
        _opened[path] = root
    return np.ndarray(shape, dtype=dtype, buffer=root, offset=offset, strides=strides)


def segment_size(path):
    return os.stat(path).st_size
