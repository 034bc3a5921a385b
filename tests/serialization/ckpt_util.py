"""Helpers for the serialization tests: rewriting checkpoints and crafting pickles."""
import io
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
