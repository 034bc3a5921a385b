"""ember.utils.safetensors: safetensors files through the optional safetensors package."""
import sys

import numpy as np
import pytest

import ember
from ember.utils import safetensors as est
from helpers import torch

safetensors = pytest.importorskip("safetensors")


def _same(a, b):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes(order="C") == b.tobytes(order="C")


def _tensors():
    rng = np.random.default_rng(0)
    w = ember.tensor(rng.standard_normal((3, 5)).astype(np.float32))
    return {
        "w_t": w.t(),                                        # non-contiguous
        "step": ember.tensor(rng.standard_normal((4, 6)).astype(np.float32))[:, ::2],
        "half": ember.tensor(rng.standard_normal(7), dtype=ember.float16),
        "bf16": ember.tensor(rng.standard_normal((2, 3)), dtype=ember.bfloat16),
        "f64": ember.tensor(rng.standard_normal(2), dtype=ember.float64),
        "i64": ember.arange(-3, 3), "i8": ember.tensor([-1, 2], dtype=ember.int8),
        "u8": ember.tensor([0, 255], dtype=ember.uint8), "mask": ember.tensor([True, False]),
        "c64": ember.tensor([1 + 2j], dtype=ember.complex64), "scalar": ember.tensor(3.5),
        "empty": ember.zeros(0, 4),
    }


def test_save_file_load_file_roundtrip(tmp_path):
    tensors = _tensors()
    est.save_file(tensors, tmp_path / "t.safetensors", metadata={"format": "pt"})
    out = est.load_file(tmp_path / "t.safetensors")
    assert set(out) == set(tensors)
    for k, v in tensors.items():
        _same(out[k], v)
        assert out[k].dtype is v.dtype
    out["w_t"][0, 0] = 9.0                       # loaded tensors are writable
    with safetensors.safe_open(tmp_path / "t.safetensors", "np") as f:
        assert f.metadata() == {"format": "pt"}


def test_transposed_tensor_values_are_right():
    """safetensors' NumPy path reads a buffer from its address: a transposed array must be
    made contiguous first or the file silently holds the untransposed order."""
    w = ember.arange(6, dtype=ember.float32).reshape(2, 3)
    out = est.load(est.save({"wt": w.t()}))["wt"]
    assert out.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_bytes_api_and_device():
    tensors = {"a": ember.ones(2, 2, dtype=ember.bfloat16), "b": ember.zeros(3, dtype=ember.float16)}
    data = est.save(tensors)
    assert isinstance(data, bytes)
    out = est.load(data, device="cpu")
    for k in tensors:
        _same(out[k], tensors[k])


def test_shared_tensors_are_refused_like_safetensors_torch(tmp_path):
    w = ember.randn(4, 4)
    with pytest.raises(RuntimeError, match="(?s)Some tensors share memory.*save_model"):
        est.save_file({"a": w, "b": w.t()}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()
    # disjoint slices of one buffer are not shared
    est.save_file({"top": w[:2], "bottom": w[2:]}, tmp_path / "ok.safetensors")
    out = est.load_file(tmp_path / "ok.safetensors")
    np.testing.assert_array_equal(out["bottom"].numpy(), w[2:].numpy())


def _tied(seed):
    ember.manual_seed(seed)
    m = ember.nn.Sequential(ember.nn.Embedding(10, 4), ember.nn.Linear(4, 10, bias=False))
    m[1].weight = m[0].weight
    return m


def test_save_model_load_model_with_tied_weights(tmp_path):
    m = _tied(0)
    est.save_model(m, tmp_path / "m.safetensors")
    with safetensors.safe_open(tmp_path / "m.safetensors", "np") as f:
        assert list(f.keys()) == ["0.weight"] and f.metadata() == {"1.weight": "0.weight"}
    m2 = _tied(1)
    missing, unexpected = est.load_model(m2, tmp_path / "m.safetensors")
    assert missing == set() and unexpected == []
    assert m2[1].weight is m2[0].weight
    _same(m2[0].weight, m[0].weight)
    with pytest.raises(RuntimeError, match="Missing key"):
        est.load_model(ember.nn.Sequential(ember.nn.Linear(4, 10), ember.nn.Linear(4, 10)),
                       tmp_path / "m.safetensors")


def test_complex128_is_a_clear_error():
    with pytest.raises(ValueError, match="complex128"):
        est.save({"z": ember.tensor([1j], dtype=ember.complex128)})


def test_failed_save_file_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    est.save_file({"a": ember.ones(2)}, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("simulated")
    monkeypatch.setattr(safetensors, "serialize_file", boom)
    with pytest.raises(OSError):
        est.save_file({"a": ember.zeros(2)}, path)
    assert path.read_bytes() == before
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_missing_package_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        est.save({"a": ember.ones(1)})


@pytest.mark.skipif(torch is None, reason="PyTorch not installed")
def test_files_interoperate_with_safetensors_torch(tmp_path):
    from safetensors.torch import load_file, save_file
    tensors = _tensors()
    del tensors["c64"]           # (safetensors.torch cannot convert complex64 in every version)
    est.save_file(tensors, tmp_path / "e.safetensors")
    t = load_file(tmp_path / "e.safetensors")
    for k, v in tensors.items():
        tv = t[k].float() if t[k].dtype == torch.bfloat16 else t[k]
        np.testing.assert_array_equal(tv.numpy(), v.float().numpy() if k == "bf16" else v.numpy())
    save_file({"bf16": torch.tensor([1.5, -2.25], dtype=torch.bfloat16),
               "h": torch.ones(2, dtype=torch.float16)}, tmp_path / "t.safetensors")
    out = est.load_file(tmp_path / "t.safetensors")
    assert out["bf16"].dtype is ember.bfloat16 and out["bf16"].float().tolist() == [1.5, -2.25]
    assert out["h"].dtype is ember.float16
