"""Broken files give clear errors naming the file; failed saves leave earlier files intact."""
import io
import os
import pickle
import stat
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError
from ember._serialization import container
from ckpt_util import make_zip, records


def _checkpoint(tmp_path, name="ckpt.pt"):
    path = tmp_path / name
    ember.manual_seed(0)
    ember.save({"model": ember.nn.Linear(20, 30).state_dict(), "step": 7}, path)
    return path


def _assert_clear(err, label):
    msg = str(err.value)
    assert label in msg, msg
    assert not isinstance(err.value, (zipfile.BadZipFile, EOFError))


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.3, 0.5, 0.9, 0.99, 0.999])
def test_truncated_files(tmp_path, fraction):
    path = _checkpoint(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(data[:int(len(data) * fraction)])
    with pytest.raises(CheckpointError) as err:
        ember.load(cut)
    _assert_clear(err, "cut.pt")
    assert "truncated" in str(err.value) or "empty" in str(err.value) or \
        "not a PyTorch checkpoint" in str(err.value)


@pytest.mark.parametrize("drop", [1, 22, 60])
def test_missing_end_of_archive(tmp_path, drop):
    data = _checkpoint(tmp_path).read_bytes()
    with pytest.raises(CheckpointError, match="truncated or is not a valid zip archive"):
        ember.load(io.BytesIO(data[:-drop]))


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes(tmp_path, seed):
    rng = np.random.default_rng(seed)
    junk = rng.integers(0, 256, size=int(rng.integers(1, 5000)), dtype=np.uint8).tobytes()
    for data in (junk, b"PK\x03\x04" + junk, b"\x80\x02" + junk):
        path = tmp_path / "junk.bin"
        path.write_bytes(data)
        with pytest.raises(CheckpointError) as err:
            ember.load(path)
        _assert_clear(err, "junk.bin")


def test_text_file_and_empty_file(tmp_path):
    (tmp_path / "notes.txt").write_text("hello, not a checkpoint\n")
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint"):
        ember.load(tmp_path / "notes.txt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty"):
        ember.load(tmp_path / "empty.pt")


def test_zip_without_data_pkl(tmp_path):
    path = tmp_path / "other.zip"
    path.write_bytes(make_zip({"archive/readme.txt": b"hi", "archive/data/0": b"1234"}))
    with pytest.raises(CheckpointError, match="has no 'archive/data.pkl' record") as err:
        ember.load(path)
    _assert_clear(err, "other.zip")
    path.write_bytes(make_zip({"data.pkl": pickle.dumps(1, protocol=2)}))
    with pytest.raises(CheckpointError, match="not inside a top folder"):
        ember.load(path)
    path.write_bytes(make_zip({"m/constants.pkl": b"", "m/data.pkl.bak": b""}))
    with pytest.raises(CheckpointError, match="TorchScript"):
        ember.load(path)


def test_missing_or_damaged_storage_records(tmp_path):
    data = _checkpoint(tmp_path).read_bytes()
    recs = records(data)
    missing = {k: v for k, v in recs.items() if k != "ckpt/data/1"}
    with pytest.raises(CheckpointError, match="'ckpt/data/1' is missing"):
        ember.load(io.BytesIO(make_zip(missing)))
    short = dict(recs, **{"ckpt/data/1": recs["ckpt/data/1"][:-4]})
    with pytest.raises(CheckpointError, match="holds 116 bytes but its tensors need 120"):
        ember.load(io.BytesIO(make_zip(short)))
    garbled = dict(recs, **{"ckpt/data.pkl": recs["ckpt/data.pkl"][:40]})
    with pytest.raises(CheckpointError, match="truncated"):
        ember.load(io.BytesIO(make_zip(garbled)))
    compressed = io.BytesIO()
    with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in recs.items():
            z.writestr(k, v)
    with pytest.raises(CheckpointError, match="compressed"):
        ember.load(io.BytesIO(compressed.getvalue()))


def test_flipped_byte_in_tensor_data_fails_the_crc(tmp_path):
    path = _checkpoint(tmp_path)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("ckpt/data/0")
    start = container.ZipReader(io.BytesIO(bytes(data)), "x").data_offset("data/0", info.file_size)
    data[start + 5] ^= 1
    with pytest.raises(CheckpointError, match="CRC") as err:
        ember.load(io.BytesIO(bytes(data)))
    assert "ckpt/data/0" in str(err.value)


def test_missing_file_and_directories(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nope.pt")
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save(1, tmp_path / "no" / "such" / "dir.pt")
    with pytest.raises(IsADirectoryError):
        ember.save(1, tmp_path)


def _tmp_files(folder):
    return [n for n in os.listdir(folder) if n.endswith(".tmp")]


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = _checkpoint(tmp_path)
    before = path.read_bytes()
    calls = []

    def failing(self, name, data):
        calls.append(name)
        if name.endswith("data/1"):
            raise OSError("disk full (simulated)")
        return original(self, name, data)

    original = container.ZipWriter.write_record
    monkeypatch.setattr(container.ZipWriter, "write_record", failing)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"new": ember.randn(100), "more": ember.randn(3)}, path)
    assert any(c.endswith("data/0") for c in calls)    # it failed mid-write
    assert path.read_bytes() == before
    assert _tmp_files(tmp_path) == []
    monkeypatch.undo()
    assert ember.load(path)["step"] == 7


def test_interrupt_inside_the_writer_and_unpicklable_objects(tmp_path, monkeypatch):
    path = _checkpoint(tmp_path)
    before = path.read_bytes()
    with pytest.raises(Exception):
        ember.save({"fn": lambda x: x, "t": ember.ones(3)}, path)   # fails while pickling
    assert path.read_bytes() == before and _tmp_files(tmp_path) == []

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(container.ZipWriter, "close", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"t": ember.ones(3)}, path)
    assert path.read_bytes() == before and _tmp_files(tmp_path) == []


def test_save_over_existing_file_keeps_its_mode_and_symlinks(tmp_path):
    path = _checkpoint(tmp_path)
    os.chmod(path, 0o640)
    ember.save({"x": 1}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert ember.load(path) == {"x": 1}
    link = tmp_path / "latest.pt"
    os.symlink(path, link)
    ember.save({"x": 2}, link)
    assert os.path.islink(link) and ember.load(path) == {"x": 2}


def test_truncated_legacy_file(tmp_path):
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save({"w": torch.ones(10)}, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    for cut in (len(data) - 1, len(data) - 30, len(data) // 2, 20):
        with pytest.raises(CheckpointError) as err:
            ember.load(io.BytesIO(data[:cut]))
        assert "BytesIO" in str(err.value)
