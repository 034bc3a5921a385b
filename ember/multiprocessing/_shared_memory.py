"""Tensor data in shared memory: what ``Tensor.share_memory_()`` does.

A shared tensor's array lives in a file under ``/dev/shm`` mapped with ``MAP_SHARED``;
other processes map the same file (``ember.multiprocessing.reductions`` sends it), so
every process sees and writes the same memory (Hogwild training). Forked children
inherit the mappings. Two strategies, as PyTorch's:

- ``"file_descriptor"`` (default): the file is unlinked as soon as it is created and each
  process holding the memory keeps a descriptor of it; tensors travel as a descriptor
  passed by ``multiprocessing``'s ``DupFd`` (its resource sharer), so the memory lives
  while any process maps it and never leaks into /dev/shm. One open descriptor per shared
  tensor per process (raise ``ulimit -n`` for very many);
- ``"file_system"``: the file keeps its name until the array that created it is freed
  (or the process exits); tensors travel as that name. Fewer descriptors, but the producer
  must keep a tensor alive until consumers have received it, and a process killed with
  SIGKILL leaves its files in /dev/shm.

Differences from PyTorch: ``share_memory_()`` replaces the tensor's array by a contiguous
shared copy, so views taken *before* the call keep the old memory (PyTorch moves the
storage under every view); take views after sharing, as ``Module.share_memory()`` does.
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

# Sorted start addresses of mapped segments and, per start, the Segment.
_starts = []
_segments = {}


class Segment:
    """One mapped shared file: address range, name (file_system) or descriptor."""

    __slots__ = ("start", "end", "nbytes", "path", "fd", "__weakref__")

    def __init__(self, start, nbytes, path, fd):
        self.start, self.end, self.nbytes = start, start + max(nbytes, 1), nbytes
        self.path, self.fd = path, fd


def _address(arr):
    return arr.__array_interface__["data"][0]


def _register(root, nbytes, path, fd, owner):
    start = _address(root)
    seg = Segment(start, nbytes, path, fd)
    i = bisect.bisect_left(_starts, start)
    if i == len(_starts) or _starts[i] != start:
        _starts.insert(i, start)
    _segments[start] = seg
    weakref.finalize(root, _forget, seg, os.getpid(), owner)
    return seg


def _forget(seg, pid, owner):
    if os.getpid() != pid:     # a forked child inherited the finalizer: not its segment
        return
    if _segments.get(seg.start) is seg:
        del _segments[seg.start]
        i = bisect.bisect_left(_starts, seg.start)
        if i < len(_starts) and _starts[i] == seg.start:
            del _starts[i]
    if seg.fd is not None:
        try:
            os.close(seg.fd)
        except OSError:
            pass
    if owner and seg.path is not None:
        try:
            os.unlink(seg.path)
        except OSError:
            pass


def segment_of(arr):
    """(Segment, byte offset) of the shared segment holding ``arr``'s data, or None."""
    if not isinstance(arr, np.ndarray) or not _starts:
        return None
    addr = _address(arr)
    i = bisect.bisect_right(_starts, addr) - 1
    if i < 0:
        return None
    seg = _segments[_starts[i]]
    if addr >= seg.end and arr.nbytes:
        return None
    return seg, addr - seg.start


def share_array(arr, strategy):
    """A C-contiguous copy of ``arr`` in a new shared segment."""
    path = os.path.join(_SHM_DIR, f"ember_{os.getpid()}_{next(_counter)}_{os.urandom(4).hex()}")
    nbytes = arr.nbytes
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        os.ftruncate(fd, max(nbytes, 1))
        mm = mmap.mmap(fd, max(nbytes, 1), mmap.MAP_SHARED)
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    if strategy == "file_descriptor":
        os.unlink(path)         # the memory lives while some process maps it or holds fd
        path = None
    else:
        os.close(fd)
        fd = None
    flat = np.frombuffer(mm, dtype=arr.dtype, count=arr.size)
    # views of ``flat`` keep it as their base, so the finalizer runs after the last view
    _register(flat, nbytes, path, fd, owner=True)
    out = flat.reshape(arr.shape)
    out[...] = arr
    return out


_opened = weakref.WeakValueDictionary()


def _root_from(fd, nbytes):
    mm = mmap.mmap(fd, max(nbytes, 1), mmap.MAP_SHARED)
    return np.frombuffer(mm, dtype=np.uint8, count=max(nbytes, 1))


def open_by_name(path, nbytes):
    """The whole segment ``path`` (file_system), mapped once per process."""
    root = _opened.get(path)
    if root is None:
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise RuntimeError(f"shared tensor memory {path} no longer exists: the process "
                               f"that shared it freed the tensor or exited before this one "
                               f"received it (keep it alive, or use the 'file_descriptor' "
                               f"sharing strategy)") from None
        try:
            root = _root_from(fd, nbytes)
        finally:
            os.close(fd)
        _register(root, nbytes, path, None, owner=False)
        _opened[path] = root
    return root


def open_by_fd(fd, nbytes):
    """The whole segment behind descriptor ``fd`` (file_descriptor); keeps ``fd``."""
    root = _root_from(fd, nbytes)
    _register(root, nbytes, None, fd, owner=False)
    return root


def view(root, offset, shape, strides, dtype):
    return np.ndarray(shape, dtype=dtype, buffer=root, offset=offset, strides=strides)
