"""A pickle interpreter that runs nothing it was not allowed to: the ``weights_only`` reader.

It executes the pickle opcodes of protocols 0-5 itself (as PyTorch's weights-only
unpickler does) and hands every operation that could run code to a *policy*:

- ``GLOBAL`` / ``STACK_GLOBAL``: ``policy.find_global(module, name)`` returns an object or
  raises (no module is ever imported by name);
- ``REDUCE``: ``policy.call(func, args)``; ``NEWOBJ`` / ``NEWOBJ_EX``: ``policy.new(cls,
  args, kwargs)``; ``BUILD``: ``policy.build(inst, state)``;
- ``BINPERSID`` / ``PERSID``: ``policy.persistent_load(pid)``.

``APPEND``/``SETITEM``/``ADDITEMS`` only modify plain lists, dicts (``OrderedDict``,
``Counter``) and sets. ``INST``, ``OBJ``, extension codes and out-of-band buffers are
refused outright. Any malformed input raises ``pickle.UnpicklingError``; the loop is
iterative, so deeply nested data cannot exhaust the recursion limit.
"""
import _compat_pickle
import codecs
import pickle
import struct
import sys
from collections import Counter, OrderedDict
from pickle import UnpicklingError, decode_long

_DICT_TYPES = (dict, OrderedDict, Counter)
_REFUSED = {pickle.INST[0]: "INST", pickle.OBJ[0]: "OBJ", pickle.EXT1[0]: "EXT1",
            pickle.EXT2[0]: "EXT2", pickle.EXT4[0]: "EXT4",
            pickle.NEXT_BUFFER[0]: "NEXT_BUFFER", pickle.READONLY_BUFFER[0]: "READONLY_BUFFER"}


_LARGE_READ = 1 << 16     # reads longer than this are first checked against the file's size


def _end_of(file):
    """The file's size when it can seek (``None`` for pipes): long reads are checked
    against it, so a length field of 2**40 fails cleanly instead of allocating."""
    try:
        pos = file.tell()
        end = file.seek(0, 2)
        file.seek(pos)
        return end
    except (AttributeError, OSError, ValueError):
        return None


class CorruptPickle(UnpicklingError):
    """Malformed or truncated pickle data (the loader reports it as a corrupt file)."""


def _corrupt(what):
    return CorruptPickle(f"corrupt pickle data: {what}")


class RestrictedUnpickler:
    """``RestrictedUnpickler(file, policy).load()``; see the module docstring.

    ``encoding`` decodes Python 2 ``str`` objects as in :class:`pickle.Unpickler`
    (``'bytes'`` keeps them as bytes). With ``lenient=True`` (used to scan legacy files
    for their storages without building anything) container updates on objects of other
    types are skipped instead of refused.
    """

    def __init__(self, file, policy, *, encoding="utf-8", errors="strict", lenient=False):
        self._read = file.read
        self._readline = file.readline
        self._tell = getattr(file, "tell", None)
        self._end = _end_of(file)
        self.policy = policy
        self.encoding = encoding
        self.errors = errors
        self.lenient = lenient
        self.proto = 0

    # -- input ------------------------------------------------------------------------
    def read(self, n):
        if n < 0 or n > sys.maxsize:
            raise _corrupt(f"bad length {n}")
        if n > _LARGE_READ and self._end is not None and n > self._end - self._tell():
            # a length field claims more than the file holds: refuse before allocating it
            raise CorruptPickle(f"pickle data was truncated: an opcode claims {n} bytes but "
                                f"only {self._end - self._tell()} remain")
        data = self._read(n)
        if len(data) != n:
            raise CorruptPickle("pickle data was truncated")
        return data

    def readline(self):
        line = self._readline()
        if not line.endswith(b"\n"):
            raise CorruptPickle("pickle data was truncated")
        return line[:-1]

    def _unpack(self, fmt, n):
        return struct.unpack(fmt, self.read(n))[0]

    # -- stack ------------------------------------------------------------------------
    def push(self, value):
        self.stack.append(value)   # looks up self.stack only after the value is computed

    def pop(self):
        if not self.stack:
            raise _corrupt("stack underflow")
        return self.stack.pop()

    def top(self):
        if not self.stack:
            raise _corrupt("stack underflow")
        return self.stack[-1]

    def pop_mark(self):
        if not self.metastack:
            raise _corrupt("MARK missing")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def load(self):
        self.stack, self.metastack, self.memo = [], [], {}
        ops = _OPS
        read = self._read
        while True:
            key = read(1)
            if not key:
                raise CorruptPickle("pickle data was truncated")
            op = ops.get(key[0])
            if op is None:
                name = _REFUSED.get(key[0])
                if name is not None:
                    raise UnpicklingError(
                        f"Weights only load failed: the pickle opcode {name} is not allowed "
                        "with weights_only=True. Load the file with weights_only=False only "
                        "if you trust its source: that runs code from it.")
                raise _corrupt(f"invalid opcode {key!r}")
            if op(self):
                return self.result

    # -- helpers for the opcodes ----------------------------------------------------------
    def _decode(self, value):
        if self.encoding == "bytes":
            return value
        try:
            return value.decode(self.encoding, self.errors)
        except (UnicodeDecodeError, LookupError) as e:
            raise _corrupt(f"cannot decode a Python 2 string: {e}") from None

    def _text(self, data, codec):
        try:
            return str(data, codec, "surrogatepass" if codec == "utf-8" else "strict")
        except UnicodeDecodeError as e:
            raise _corrupt(f"bad string: {e}") from None

    def _int(self, text):
        try:
            return int(text, 0)
        except ValueError as e:
            raise _corrupt(str(e)) from None

    def _global(self, module, name):
        if not isinstance(module, str) or not isinstance(name, str):
            raise _corrupt("GLOBAL names must be strings")
        if self.proto < 3:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        self.stack.append(self.policy.find_global(module, name))

    def _get(self, idx):
        try:
            self.stack.append(self.memo[idx])
        except KeyError:
            raise _corrupt(f"memo entry {idx} not found") from None

    def _put(self, idx):
        if idx < 0:
            raise _corrupt("negative memo index")
        self.memo[idx] = self.top()

    def _append(self, items):
        target = self.top()
        if type(target) is list:
            target.extend(items)
        elif not self.lenient:
            raise UnpicklingError(f"can only append to lists, but got {type(target).__name__}")

    def _setitems(self, items):
        if len(items) % 2:
            raise _corrupt("odd number of items for SETITEMS")
        target = self.top()
        if type(target) not in _DICT_TYPES:
            if self.lenient:
                return
            raise UnpicklingError("can only set items of dict, collections.OrderedDict or "
                                  f"collections.Counter, but got {type(target).__name__}")
        try:
            for i in range(0, len(items), 2):
                target[items[i]] = items[i + 1]
        except (TypeError, ValueError, RuntimeError) as e:
            raise _corrupt(f"bad dict key: {e}") from None

    def _tuple(self, n):
        if len(self.stack) < n:
            raise _corrupt("stack underflow")
        items = tuple(self.stack[len(self.stack) - n:])
        del self.stack[len(self.stack) - n:]
        self.stack.append(items)

    def _hashable(self, make, items):
        try:
            return make(items)
        except TypeError as e:
            raise _corrupt(str(e)) from None


def _op_proto(u):
    u.proto = u.read(1)[0]
    if u.proto > pickle.HIGHEST_PROTOCOL:
        raise _corrupt(f"unsupported pickle protocol {u.proto}")


def _op_stop(u):
    u.result = u.pop()
    return True


def _op_pop(u):
    if u.stack:
        u.stack.pop()
    else:
        u.pop_mark()


def _op_string(u):
    data = u.readline()
    if len(data) < 2 or data[0] != data[-1] or data[:1] not in (b'"', b"'"):
        raise _corrupt("the STRING opcode argument must be quoted")
    u.push(u._decode(codecs.escape_decode(data[1:-1])[0]))


def _op_int(u):
    data = u.readline()
    u.push(False if data == b"00" else True if data == b"01" else u._int(data))


def _op_long(u):
    data = u.readline()
    u.push(u._int(data[:-1] if data.endswith(b"L") else data))


def _op_float(u):
    try:
        u.push(float(u.readline()))
    except ValueError as e:
        raise _corrupt(str(e)) from None


def _op_long4(u):
    n = u._unpack("<i", 4)
    if n < 0:
        raise _corrupt("LONG pickle has negative byte count")
    u.push(decode_long(u.read(n)))


def _op_reduce(u):
    args = u.pop()
    func = u.top()
    if type(args) is not tuple:
        raise _corrupt("REDUCE arguments must be a tuple")
    u.stack[-1] = u.policy.call(func, args)


def _op_newobj(u):
    args = u.pop()
    cls = u.pop()
    if type(args) is not tuple:
        raise _corrupt("NEWOBJ arguments must be a tuple")
    u.push(u.policy.new(cls, args, {}))


def _op_newobj_ex(u):
    kwargs = u.pop()
    args = u.pop()
    cls = u.pop()
    if type(args) is not tuple or type(kwargs) is not dict:
        raise _corrupt("NEWOBJ_EX arguments must be a tuple and a dict")
    u.push(u.policy.new(cls, args, kwargs))


def _op_build(u):
    state = u.pop()
    u.policy.build(u.top(), state)


def _op_additems(u):
    items = u.pop_mark()
    target = u.top()
    if type(target) is set:
        u._hashable(target.update, items)
    elif not u.lenient:
        raise UnpicklingError(f"can only add items to sets, but got {type(target).__name__}")


def _op_dict(u):
    items = u.pop_mark()
    d = {}
    u.push(d)
    u._setitems(items)


_OPS = {
    pickle.PROTO[0]: _op_proto,
    pickle.FRAME[0]: lambda u: u.read(8) and None,
    pickle.STOP[0]: _op_stop,
    pickle.MARK[0]: lambda u: (u.metastack.append(u.stack), setattr(u, "stack", [])) and None,
    pickle.POP[0]: _op_pop,
    pickle.POP_MARK[0]: lambda u: u.pop_mark() and None,
    pickle.DUP[0]: lambda u: u.push(u.top()),
    pickle.NONE[0]: lambda u: u.push(None),
    pickle.NEWTRUE[0]: lambda u: u.push(True),
    pickle.NEWFALSE[0]: lambda u: u.push(False),
    pickle.INT[0]: _op_int,
    pickle.BININT[0]: lambda u: u.push(u._unpack("<i", 4)),
    pickle.BININT1[0]: lambda u: u.push(u.read(1)[0]),
    pickle.BININT2[0]: lambda u: u.push(u._unpack("<H", 2)),
    pickle.LONG[0]: _op_long,
    pickle.LONG1[0]: lambda u: u.push(decode_long(u.read(u.read(1)[0]))),
    pickle.LONG4[0]: _op_long4,
    pickle.FLOAT[0]: _op_float,
    pickle.BINFLOAT[0]: lambda u: u.push(u._unpack(">d", 8)),
    pickle.STRING[0]: _op_string,
    pickle.BINSTRING[0]: lambda u: u.push(u._decode(u.read(u._unpack("<i", 4)))),
    pickle.SHORT_BINSTRING[0]: lambda u: u.push(u._decode(u.read(u.read(1)[0]))),
    pickle.BINBYTES[0]: lambda u: u.push(u.read(u._unpack("<I", 4))),
    pickle.SHORT_BINBYTES[0]: lambda u: u.push(u.read(u.read(1)[0])),
    pickle.BINBYTES8[0]: lambda u: u.push(u.read(u._unpack("<Q", 8))),
    pickle.BYTEARRAY8[0]: lambda u: u.push(bytearray(u.read(u._unpack("<Q", 8)))),
    pickle.UNICODE[0]: lambda u: u.push(u._text(u.readline(), "raw-unicode-escape")),
    pickle.BINUNICODE[0]: lambda u: u.push(u._text(u.read(u._unpack("<I", 4)), "utf-8")),
    pickle.SHORT_BINUNICODE[0]: lambda u: u.push(u._text(u.read(u.read(1)[0]), "utf-8")),
    pickle.BINUNICODE8[0]: lambda u: u.push(u._text(u.read(u._unpack("<Q", 8)), "utf-8")),
    pickle.EMPTY_TUPLE[0]: lambda u: u.push(()),
    pickle.TUPLE[0]: lambda u: u.push(tuple(u.pop_mark())),
    pickle.TUPLE1[0]: lambda u: u._tuple(1),
    pickle.TUPLE2[0]: lambda u: u._tuple(2),
    pickle.TUPLE3[0]: lambda u: u._tuple(3),
    pickle.EMPTY_LIST[0]: lambda u: u.push([]),
    pickle.LIST[0]: lambda u: u.push(u.pop_mark()),
    pickle.APPEND[0]: lambda u: u._append([u.pop()]),
    pickle.APPENDS[0]: lambda u: u._append(u.pop_mark()),
    pickle.EMPTY_DICT[0]: lambda u: u.push({}),
    pickle.DICT[0]: _op_dict,
    pickle.SETITEM[0]: lambda u: u._setitems([*reversed([u.pop(), u.pop()])]),
    pickle.SETITEMS[0]: lambda u: u._setitems(u.pop_mark()),
    pickle.EMPTY_SET[0]: lambda u: u.push(set()),
    pickle.ADDITEMS[0]: _op_additems,
    pickle.FROZENSET[0]: lambda u: u.push(u._hashable(frozenset, u.pop_mark())),
    pickle.GET[0]: lambda u: u._get(u._int(u.readline())),
    pickle.BINGET[0]: lambda u: u._get(u.read(1)[0]),
    pickle.LONG_BINGET[0]: lambda u: u._get(u._unpack("<I", 4)),
    pickle.PUT[0]: lambda u: u._put(u._int(u.readline())),
    pickle.BINPUT[0]: lambda u: u._put(u.read(1)[0]),
    pickle.LONG_BINPUT[0]: lambda u: u._put(u._unpack("<I", 4)),
    pickle.MEMOIZE[0]: lambda u: u._put(len(u.memo)),
    pickle.GLOBAL[0]: lambda u: u._global(u._text(u.readline(), "utf-8"),
                                          u._text(u.readline(), "utf-8")),
    pickle.STACK_GLOBAL[0]: lambda u: u._global(*reversed([u.pop(), u.pop()])),
    pickle.REDUCE[0]: _op_reduce,
    pickle.NEWOBJ[0]: _op_newobj,
    pickle.NEWOBJ_EX[0]: _op_newobj_ex,
    pickle.BUILD[0]: _op_build,
    pickle.BINPERSID[0]: lambda u: u.push(u.policy.persistent_load(u.pop())),
    pickle.PERSID[0]: lambda u: u.push(
        u.policy.persistent_load(u._text(u.readline(), "ascii"))),
}
