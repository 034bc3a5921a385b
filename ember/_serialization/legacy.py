"""PyTorch's legacy checkpoint format (``torch.save`` before 1.6, or with
``_use_new_zipfile_serialization=False``), and scanning pickles without building them.

The file is a sequence of pickles: a magic number, a protocol version, system info, the
object itself (storages as persistent ids), the list of storage keys; then each storage
as an int64 element count and its raw bytes. The storages come after the object that
uses them, so the object's pickle is first *scanned* by the restricted interpreter with
a policy that builds and calls nothing (it only notes each storage's dtype and size),
the storages are read, and the object is then unpickled for real.
"""
import struct

import numpy

from . import CheckpointError
from .names import StorageType, static_table
from .reader import Loader, UnpicklingError, _labelled, _run
from .restricted import RestrictedUnpickler

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL_VERSION = 1001


class _NoGlobals:
    """Policy for the small pickles around a legacy checkpoint: plain data only."""

    def __init__(self, label):
        self.label = label

    def find_global(self, module, name):
        raise UnpicklingError(f"unexpected global {module}.{name}")

    def call(self, *args):
        raise UnpicklingError("unexpected object construction")

    new = build = persistent_load = call


class _Opaque:
    """Stands for every object while a legacy file is scanned for its storages."""


class ScanPolicy:
    """Scans a pickle without building anything: records storages and global names."""

    def __init__(self):
        self.storages = {}
        self.globals = []
        self.static = static_table()

    def find_global(self, module, name):
        self.globals.append(f"{module}.{name}")
        obj = self.static.get(f"{module}.{name}")
        return obj if type(obj) is StorageType else _Opaque()

    def call(self, func, args):
        return _Opaque()

    def new(self, cls, args, kwargs):
        return _Opaque()

    def build(self, inst, state):
        pass

    def persistent_load(self, pid):
        if type(pid) is tuple and len(pid) >= 5 and type(pid[1]) is StorageType:
            self.storages.setdefault(str(pid[2]), (pid[1], pid[4]))
        return _Opaque()


def _small_pickle(f, label):
    return RestrictedUnpickler(f, _NoGlobals(label)).load()


def load_legacy(f, label, loader_args, weights_only, encoding, **kwargs):
    """PyTorch's pre-1.6 format: magic number, protocol, system info and the object as
    pickles, then the storage keys, then each storage as an int64 count and raw bytes."""
    head = f.read(512)
    f.seek(-len(head), 1)
    if head[257:262] == b"ustar":
        raise CheckpointError(f"{label} is a tar archive (PyTorch's format before 0.4); "
                              "ember cannot read it")
    not_ckpt = CheckpointError(f"{label} is not a PyTorch checkpoint: it is neither a zip "
                               "archive nor a file in PyTorch's legacy format")
    try:
        magic = _small_pickle(f, label)
    except UnpicklingError:
        raise not_ckpt from None
    if magic != MAGIC_NUMBER:
        raise not_ckpt
    try:
        version = _small_pickle(f, label)
        if version != LEGACY_PROTOCOL_VERSION:
            raise CheckpointError(f"{label}: unsupported legacy protocol version {version!r}")
        info = _small_pickle(f, label)
        little = info.get("little_endian", True) if isinstance(info, dict) else True
        start = f.tell()
        scan = ScanPolicy()
        RestrictedUnpickler(f, scan, encoding=encoding, lenient=True).load()
        keys = _small_pickle(f, label)
    except UnpicklingError as e:
        raise _labelled(e, label) from None
    except (EOFError, struct.error, RecursionError, MemoryError, ValueError) as e:
        raise CheckpointError(f"{label} is corrupt or truncated: {type(e).__name__}: {e}") \
            from None
    if not isinstance(keys, list):
        raise CheckpointError(f"{label} is corrupt: bad storage key list")
    arrays = {}
    count_fmt = "<q" if little else ">q"
    here = f.tell()
    end = f.seek(0, 2)
    f.seek(here)
    for key in keys:
        if str(key) not in scan.storages:
            raise CheckpointError(f"{label} is corrupt: unknown storage key {key!r}")
        stype, numel = scan.storages[str(key)]
        item = 1 if stype.np is None else stype.np.itemsize
        head = f.read(8)
        if len(head) != 8:
            raise CheckpointError(f"{label} is truncated: storage {key} is missing")
        count = struct.unpack(count_fmt, head)[0]
        if type(numel) is not int or numel < 0 or count < 0:
            raise CheckpointError(f"{label} is corrupt: storage {key} has a bad element "
                                  f"count ({count!r:.40} in the file, {numel!r:.40} in its "
                                  "record)")
        if count != numel:
            raise CheckpointError(f"{label} is corrupt: storage {key} holds {count} elements "
                                  f"but its tensors need {numel}")
        if f.tell() + numel * item > end:
            raise CheckpointError(f"{label} is truncated: storage {key} ends past the end "
                                  "of the file")
        arr = numpy.empty(numel * item, numpy.uint8)
        if f.readinto(memoryview(arr)) != arr.nbytes:
            raise CheckpointError(f"{label} is truncated: storage {key} ends early")
        arrays[str(key)] = arr

    def read_storage(key, nbytes):
        arr = arrays.get(key)
        if arr is None or arr.nbytes != nbytes:
            raise CheckpointError(f"{label} is corrupt: storage {key} is missing or has the "
                                  "wrong size")
        return arr

    f.seek(start)
    loader = Loader(label, *loader_args, read_storage, "little" if little else "big")
    return _run(loader, f, weights_only, encoding, **kwargs)


def globals_in(data_file):
    """The global names a pickle refers to, found without building anything."""
    scan = ScanPolicy()
    RestrictedUnpickler(data_file, scan, lenient=True).load()
    return scan.globals
