"""Saving and loading: PyTorch's checkpoint format, safe by default.

``ember.save(obj, f)`` writes the zip format ``torch.save`` writes, so ``torch.load(f,
weights_only=True)`` reads it; ``ember.load(f)`` reads files written by ``torch.save``
(the zip format and the legacy format of PyTorch < 1.6) and by ``ember.save``, without
running code from them unless asked to with ``weights_only=False``. PyTorch is not
needed for either. See docs/serialization.md for the differences from PyTorch.

Pickling single tensors (``pickle``, ``copy.deepcopy``, DataLoader workers) does not go
through these files: ``reduce_tensor`` / ``reduce_parameter`` pickle a tensor as its
NumPy array.
"""
import _compat_pickle
import contextlib
import io
import mmap as mmap_module
import os
import pickle
import secrets
import stat

from . import backend
from ._serialization import CheckpointError, container, legacy, names, reader, writer

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "CheckpointError", "verify",
           "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2


# -- save ---------------------------------------------------------------------------------

def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` in PyTorch's checkpoint format (``torch.save``).

    ``obj`` may hold tensors and Parameters of every ember dtype, (Ordered)dicts such as
    ``state_dict()`` (with its ``_metadata``), optimizer state_dicts, lists, tuples, sets,
    numbers, strings, bytes, dtypes, devices and ``ember.Size``; ``torch.load(f,
    weights_only=True)`` reads such a file bit-exactly. Other objects (a whole Module) are
    pickled by reference to their ember classes: only ``ember.load(f, weights_only=False)``
    can read those.

    Tensors that view the same memory (views, tied weights) are written as one storage and
    stay shared after loading, in ember and in PyTorch; as in PyTorch, saving a view writes
    all of the memory it views. Pickling happens before anything is written.

    ``f``: a path (str or os.PathLike) or a binary file object with ``write``. A path is
    written atomically: the file is written next to it under a temporary name, flushed to
    disk and renamed over ``f``, so an error or crash mid-save leaves any previous file
    intact (PyTorch writes in place). ``pickle_protocol`` is 2 by default, the only one
    PyTorch's ``weights_only`` reader accepts; ``pickle_module`` must be None or
    :mod:`pickle`. Only the zip format is written.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("ember.save pickles with its own pickler; pickle_module "
                                  "must be None or the pickle module")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only the zip format "
                                  "(_use_new_zipfile_serialization=True)")
    if pickle_protocol not in (2, 3, 4, 5):
        raise ValueError(f"pickle_protocol must be 2 (the default) to 5, got {pickle_protocol!r}")
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        _atomic_write(path, lambda fh: writer.write_checkpoint(obj, fh, _archive_name(path),
                                                               pickle_protocol))
        return
    if not callable(getattr(f, "write", None)):
        raise AttributeError(f"Buffer of {type(f).__name__} has no callable attribute 'write'")
    writer.write_checkpoint(obj, f, "archive", pickle_protocol)
    flush = getattr(f, "flush", None)
    if callable(flush):
        flush()


def _archive_name(path):
    """The top folder inside the zip: the file name without its extension, as PyTorch
    names it ('archive' for names PyTorch's writer would not use)."""
    base = os.path.basename(path)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if not stem or not path.isascii() or not stem.isprintable():
        return "archive"
    return stem


def _atomic_write(path, write, by_path=False):
    """Write ``path`` through a temporary file next to it and ``os.replace``: readers and
    a crash mid-write only ever see the previous file or the complete new one.
    ``write(file_object)``, or ``write(temporary_path)`` with ``by_path=True``."""
    target = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.isdir(target):
        raise IsADirectoryError(f"{path!r} is a directory")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if by_path:
                write(tmp)
            else:
                write(fh)
                fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))   # keep an existing mode
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:   # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


# -- load ---------------------------------------------------------------------------------

def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved with ``ember.save`` or ``torch.save`` (``torch.load``).

    Tensors come back as ember tensors (Parameters as ``ember.nn.Parameter``), views of
    their storages: tensors that shared memory when saved share it again.

    ``weights_only=True`` (the default: None means True, or False when a
    ``pickle_module`` is given, as in PyTorch) reads the file with an
    allow-list: tensors, Parameters, dicts/OrderedDicts (with ``_metadata``), lists,
    tuples, sets, numbers, strings, bytes, dtypes, devices, ``Size``, and the classes and
    functions allowed with :func:`add_safe_globals`. Nothing named in the file is imported
    or called otherwise, and anything else raises ``pickle.UnpicklingError`` naming it.

    ``weights_only=False`` unpickles everything, like ``pickle.load``: **this runs code
    chosen by whoever wrote the file**. Use it only for files you trust, e.g. a whole
    ember Module saved with ``ember.save(model, f)``. PyTorch's tensor classes and
    functions still map to ember's; other names are imported as pickle does.

    ``map_location``: None (each storage goes where it was saved), a device or string
    (everything goes there), a dict mapping saved locations to new ones (``{'cuda:0':
    'cpu'}``), or a function ``(storage, location) -> storage or None`` where ``storage``
    is a 1-D uint8 ember tensor on the CPU (``lambda s, loc: s`` keeps it there; return
    ``s.to(device)`` to move it). ``mmap=True`` maps a zip checkpoint given by path
    copy-on-write instead of reading it: writes to the tensors never reach the file.
    With mmap the tensor data is not read, so its CRC-32 is not checked (as in PyTorch):
    a flipped byte inside a tensor loads silently; only the records' sizes, offsets and
    the pickle are checked. Run :func:`verify` first on a file you do not trust.
    ``encoding`` decodes Python 2 strings (default 'utf-8'); other keyword arguments go to
    ``pickle.Unpickler`` and need ``weights_only=False``.

    The environment variables work as in PyTorch: ``TORCH_FORCE_WEIGHTS_ONLY_LOAD=1``
    forces ``weights_only=True`` even where ``False`` is passed;
    ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` makes it False where ``weights_only`` is not
    passed (with a warning), never where True is passed. Both set is a RuntimeError.
    ("1", "y", "yes", "true" in any case are true.)

    A truncated, corrupt or foreign file raises :class:`CheckpointError` (a RuntimeError)
    that names the file and what is wrong with it.
    """
    weights_only = _weights_only_choice(weights_only, pickle_module)
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified; pass weights_only=False to use a pickle_module")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if weights_only and pickle_load_args:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(pickle_load_args)}; "
                        "only 'encoding' is supported with weights_only=True")
    options = dict(map_location=map_location, weights_only=weights_only, encoding=encoding,
                   pickle_module=pickle_module, kwargs=pickle_load_args)
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        with open(path, "rb") as fh:
            return _load(fh, repr(path), bool(mmap), **options)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"ember.load expects a path or a binary file object, got "
                        f"{type(f).__name__}")
    name = getattr(f, "name", None)
    label = repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"
    if not (callable(getattr(f, "seekable", None)) and f.seekable()):
        f = io.BytesIO(f.read())
    return _load(f, label, None, **options)


_TRUE = ("1", "y", "yes", "true")


def _weights_only_choice(weights_only, pickle_module):
    """``torch.load``'s rule for the default and the two environment variables."""
    not_set = weights_only is None
    if not_set:
        weights_only = pickle_module is None
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.")
    if force:
        return True
    if force_no and not_set:
        import warnings
        warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since "
                      "the `weights_only` argument was not explicitly passed to `ember.load`, "
                      "forcing weights_only=False.", UserWarning, stacklevel=3)
        return False
    return bool(weights_only)


def _load(fh, label, use_mmap, map_location, weights_only, encoding, pickle_module, kwargs):
    start = fh.tell()
    if not fh.read(1):
        raise CheckpointError(f"{label} is empty: it is not a checkpoint")
    fh.seek(start)
    extra = dict(kwargs)
    if pickle_module is not None:
        extra["pickle_module"] = pickle_module
    if container.is_zip(fh):
        zipped = container.ZipReader(fh, label)
        mapped = None
        if use_mmap:    # copy-on-write, like PyTorch's default MAP_PRIVATE
            mapped = mmap_module.mmap(fh.fileno(), 0, access=mmap_module.ACCESS_COPY)
        return reader.load_zip(zipped, (map_location,), weights_only, encoding, mapped, **extra)
    if use_mmap:
        raise CheckpointError(f"{label} is not a zip checkpoint: mmap can only be used with "
                              "files saved with `torch._use_new_zipfile_serialization=True`, "
                              "please torch.save your checkpoint with this option in order to "
                              "use mmap.")
    return legacy.load_legacy(fh, label, (map_location,), weights_only, encoding, **extra)


def verify(f):
    """Check every record of a zip checkpoint against its CRC-32; raise if one is damaged.

    ``f`` is a path or a seekable binary file object. Returns None for an intact file and
    raises :class:`CheckpointError` naming the file and the first damaged record
    otherwise. ``ember.load`` checks the CRC of every record it reads, but with
    ``mmap=True`` tensor data is mapped, not read, and so never checked: this is the
    check to run first. PyTorch's legacy (pre-1.6) format has no checksums, so such a
    file raises CheckpointError saying it cannot be verified.
    """
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        with open(path, "rb") as fh:
            return _verify(fh, repr(path))
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"verify expects a path or a binary file object, got "
                        f"{type(f).__name__}")
    name = getattr(f, "name", None)
    label = repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"
    if not (callable(getattr(f, "seekable", None)) and f.seekable()):
        f = io.BytesIO(f.read())
    return _verify(f, label)


def _verify(fh, label):
    if not container.is_zip(fh):
        raise CheckpointError(f"{label} is not a zip checkpoint: only zip checkpoints carry "
                              "checksums to verify (PyTorch's legacy format has none)")
    container.ZipReader(fh, label).verify()


# -- the allow-list -------------------------------------------------------------------------

def add_safe_globals(safe_globals):
    """Allow these classes and functions in ``ember.load(weights_only=True)``.

    Each item is a class or function (matched by ``module.qualname``) or a pair
    ``(obj, "module.name")`` for an object saved under another name, e.g. one of
    PyTorch's: ``add_safe_globals([(MyConfig, "my_project.config.MyConfig")])``. Allowed
    classes may be created and have their state set (``__setstate__`` or ``__dict__``),
    so allow only classes whose construction from data you trust. ``os``, ``sys``,
    ``subprocess`` and builtins such as ``eval`` or ``getattr`` are never allowed.
    """
    if not isinstance(safe_globals, (list, tuple, set)):
        raise TypeError("add_safe_globals expects a list of classes or functions")
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(g)}")
            if type(g[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(g[1])}")
        elif not callable(g):
            raise TypeError(f"add_safe_globals expects classes or functions, got {g!r}")
        if g not in names._user_globals:
            names._user_globals.append(g)


def get_safe_globals():
    """The classes and functions added with :func:`add_safe_globals`."""
    return list(names._user_globals)


def clear_safe_globals():
    """Forget everything added with :func:`add_safe_globals`."""
    names._user_globals.clear()


class safe_globals:
    """Context manager: ``with safe_globals([MyClass]): ember.load(f)``."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._added = [g for g in self.safe_globals if g not in names._user_globals]
        add_safe_globals(self._added)

    def __exit__(self, *exc):
        for g in self._added:
            if g in names._user_globals:
                names._user_globals.remove(g)


def get_unsafe_globals_in_checkpoint(f):
    """The ``module.name`` globals in a checkpoint that ``weights_only=True`` does not
    allow by default, found without loading anything (``add_safe_globals`` input)."""
    allowed = set(names.static_table()) | {f"{m}.{n}" for n, m in names._REBUILDS.items()}
    with (open(os.fsdecode(f), "rb") if isinstance(f, (str, bytes, os.PathLike))
          else contextlib.nullcontext(f)) as fh:
        label = repr(getattr(fh, "name", "file object"))
        if container.is_zip(fh):
            data = io.BytesIO(container.ZipReader(fh, label).read("data.pkl"))
        else:
            data = fh
            for _ in range(3):       # legacy: magic number, protocol, system info
                legacy.globals_in(data)
        found = legacy.globals_in(data)
    out = []
    for full in found:
        module, _, name = full.rpartition(".")
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        full = f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"
        if full not in allowed and full not in out:
            out.append(full)
    return out


# -- pickling single tensors (pickle, deepcopy, multiprocessing) --------------------------

def _rebuild_tensor(array, requires_grad):
    from ._tensor import _make
    t = _make(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_parameter(array, requires_grad):
    from ._tensor import _make
    from .nn.parameter import Parameter
    return Parameter(_make(array), requires_grad)


def reduce_tensor(t):
    if t.grad_fn is not None:
        raise RuntimeError("Can't pickle a Tensor that requires grad and is not a leaf; "
                           "detach() it first")
    return (_rebuild_tensor, (backend.to_host(t._data), t.requires_grad))


def reduce_parameter(p):
    return (_rebuild_parameter, (backend.to_host(p._data), p.requires_grad))
