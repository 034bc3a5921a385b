"""Crafted and damaged files found by a hostile-input sweep: each is a CheckpointError
naming the file, raised before anything of a claimed size is allocated."""
import io
import pickle
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError
from ckpt_util import legacy_file, make_zip, records, tensor_pickle

_FLOATS = np.arange(4, dtype=np.float32).tobytes()


def _legacy(pkl=None, count=4, numel=4, raw=_FLOATS):
    pkl = tensor_pickle(0, (4,), (1,), numel=numel) if pkl is None else pkl
    return legacy_file(pkl, {"0": (count, raw)})


def test_crafted_legacy_file_loads_when_intact(tmp_path):
    path = tmp_path / "legacy.pt"
    path.write_bytes(_legacy())
    assert ember.load(path).tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("opcode", [pickle.BINBYTES8, pickle.BYTEARRAY8, pickle.BINUNICODE8])
@pytest.mark.parametrize("weights_only", [True, False])
def test_legacy_pickle_length_claims_beyond_the_file(tmp_path, opcode, weights_only):
    # a 12-byte opcode claiming 2**40 bytes: once a bare MemoryError from the storage scan
    path = tmp_path / "huge_claim.pt"
    path.write_bytes(_legacy(pkl=b"\x80\x04" + opcode + struct.pack("<Q", 2 ** 40) + b"abc"))
    with pytest.raises(CheckpointError, match="huge_claim.pt.*claims 1099511627776 bytes"):
        ember.load(path, weights_only=weights_only)


@pytest.mark.parametrize("count,numel", [(-4, -4), (4, -4), (-4, 4)])
def test_legacy_negative_storage_count(tmp_path, count, numel):
    path = tmp_path / "negative.pt"
    path.write_bytes(_legacy(count=count, numel=numel))
    with pytest.raises(CheckpointError, match="negative.pt.*corrupt"):
        ember.load(path)


def test_zip_with_two_records_of_one_name(tmp_path):
    ember.save({"w": ember.arange(4.0)}, tmp_path / "ok.pt")
    data = (tmp_path / "ok.pt").read_bytes()
    recs = records(data)
    storage = next(k for k in recs if "/data/" in k)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, raw in recs.items():
            z.writestr(name, raw)
        with pytest.warns(UserWarning, match="Duplicate name"):
            z.writestr(storage, np.full(4, 9, np.float32).tobytes())
    path = tmp_path / "dup.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(CheckpointError, match=f"dup.pt.*two records named '{storage}'"):
        ember.load(path)
    with pytest.raises(CheckpointError, match="two records"):
        ember.serialization.verify(path)


def _saved(tmp_path, name="ckpt.pt"):
    path = tmp_path / name
    ember.save({"w": ember.arange(1000.0), "step": 3}, path)
    return path


def test_mmap_with_damaged_first_byte_names_the_file(tmp_path):
    path = _saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    bad = tmp_path / "first_byte.pt"
    bad.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="first_byte.pt.*mmap can only be used"):
        ember.load(bad, mmap=True)
    with pytest.raises(CheckpointError, match="first_byte.pt"):
        ember.load(bad)


def test_verify_finds_a_flipped_byte_that_mmap_loads_silently(tmp_path):
    path = _saved(tmp_path)
    assert ember.serialization.verify(path) is None
    assert ember.serialization.verify(io.BytesIO(path.read_bytes())) is None
    data = bytearray(path.read_bytes())
    start = data.index(np.arange(1000, dtype=np.float32)[500:502].tobytes())
    data[start] ^= 0x01
    bad = tmp_path / "flipped.pt"
    bad.write_bytes(bytes(data))
    # mmap checks no CRC (as torch): the damaged value loads; the docstring says so
    assert ember.load(bad, mmap=True)["w"][500].item() != 500.0
    with pytest.raises(CheckpointError, match="bad CRC-32"):
        ember.load(bad)
    with pytest.raises(CheckpointError, match="flipped.pt.*checksum"):
        ember.serialization.verify(bad)


def test_verify_rejects_legacy_and_foreign_files(tmp_path):
    path = tmp_path / "legacy.pt"
    path.write_bytes(_legacy())
    with pytest.raises(CheckpointError, match="legacy.pt.*legacy format has none"):
        ember.serialization.verify(path)
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint"):
        ember.serialization.verify(io.BytesIO(make_zip({"a.txt": b"hello"})))
    with pytest.raises(TypeError):
        ember.serialization.verify(42)
