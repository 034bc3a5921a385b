"""Helpers for the serialization tests: rewriting checkpoints and crafting pickles."""
import io
import pickle
import struct
import zipfile


def records(data):
    """{name: bytes} of a checkpoint given as bytes (in file order)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return {name: z.read(name) for name in z.namelist()}


def make_zip(recs):
    """A plain zip archive (Python's zipfile, not ember's writer) of {name: bytes}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in recs.items():
            z.writestr(name, data)
    return buf.getvalue()


def checkpoint_with_pickle(pkl, extra=None, prefix="archive"):
    """A checkpoint archive whose data.pkl is ``pkl`` (plus optional other records)."""
    recs = {f"{prefix}/data.pkl": pkl, f"{prefix}/byteorder": b"little",
            f"{prefix}/version": b"3\n"}
    for name, data in (extra or {}).items():
        recs[f"{prefix}/{name}"] = data
    return make_zip(recs)


def replace_in_pickle(data, old, new):
    """A copy of checkpoint ``data`` with bytes ``old`` replaced in its data.pkl."""
    recs = records(data)
    key = next(k for k in recs if k.endswith("/data.pkl"))
    assert old in recs[key]
    recs[key] = recs[key].replace(old, new)
    return make_zip(recs)


def tensor_pickle(offset, size, stride, numel, storage="FloatStorage"):
    """data.pkl of one _rebuild_tensor_v2 call with the given geometry."""
    p = pickle.dumps
    body = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(" +
            b"(X\x07\x00\x00\x00storagectorch\n" + storage.encode() + b"\n"
            + b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu" + p(numel, 2)[2:-1] + b"tQ"
            + p(offset, 2)[2:-1] + p(tuple(size), 2)[2:-1] + p(tuple(stride), 2)[2:-1]
            + b"\x89ccollections\nOrderedDict\n)RtR.")
    return body


LEGACY_HEADER = b"".join(pickle.dumps(x, protocol=2) for x in
                         (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))


def legacy_file(pkl, storages):
    """A file in PyTorch's legacy format: the header pickles, the object pickle ``pkl``,
    the key list, then each storage of ``storages`` ({key: (count, raw bytes)})."""
    out = LEGACY_HEADER + pkl + pickle.dumps(list(storages), protocol=2)
    for count, raw in storages.values():
        out += struct.pack("<q", count) + raw
    return out
