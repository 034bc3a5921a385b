"""ember.save -> ember.load round trips (no PyTorch needed), file layout, API details."""
import collections
import copy
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember import _dtype
from ckpt_util import checkpoint_with_pickle, replace_in_pickle

ALL_DTYPES = list(_dtype._ALL)


def _sample(d, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 100
    if d.is_complex:
        a = a + 1j * rng.standard_normal(shape)
    if d.name == "bool":
        return ember.from_numpy(np.asarray(a > 0))
    return ember.from_numpy(np.asarray(a.astype(d.np)))


def _bits(t):
    a = t.detach().numpy()
    return a.dtype, a.shape, a.tobytes(order="C")


def _roundtrip(obj, **load_kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_kw)


@pytest.mark.parametrize("d", ALL_DTYPES, ids=lambda d: d.name)
def test_every_dtype_bit_exact(d):
    t = _sample(d)
    out = _roundtrip({"t": t, "scalar": _sample(d, ())})
    assert out["t"].dtype is d and out["scalar"].dtype is d
    assert _bits(out["t"]) == _bits(t)
    assert out["scalar"].shape == () and _bits(out["scalar"]) == _bits(_sample(d, ()))


def test_nan_inf_and_negative_zero_survive():
    t = ember.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 1e-45])
    assert _bits(_roundtrip(t)) == _bits(t)


def test_views_keep_values_strides_and_shared_memory():
    x = ember.arange(20, dtype=ember.float32).reshape(4, 5)
    views = {"x": x, "t": x.t(), "step": x[1:, ::2], "row": x[2], "exp": ember.ones(3, 1).expand(3, 4),
             "scalar_view": x[1, 1], "empty": ember.zeros(0, 3)}
    out = _roundtrip(views)
    for k, v in views.items():
        assert out[k].shape == v.shape, k
        np.testing.assert_array_equal(out[k].numpy(), v.numpy(), err_msg=k)
        if v.numel():
            assert out[k].stride() == v.stride(), k
    # one storage in the file, so one memory block after loading: writes go through
    out["x"][2, 4] = -1.0
    assert out["t"][4, 2].item() == -1.0 and out["row"][4].item() == -1.0
    assert out["step"][1, 2].item() == -1.0
    assert np.shares_memory(out["x"].numpy(), out["scalar_view"].numpy())


def test_storage_written_once_for_views():
    x = ember.randn(100, 100)
    buf = io.BytesIO()
    ember.save([x, x.t(), x[3:7]], buf)
    names = zipfile.ZipFile(buf).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]


def test_negative_stride_numpy_view_saved_as_copy():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)[::-1, ::-1]
    t = ember.tensor(0.0)
    t._data = a                 # an array NumPy would view backwards
    out = _roundtrip(t)
    np.testing.assert_array_equal(out.numpy(), a)


def test_same_object_stays_one_object_and_parameters_stay_parameters():
    p = ember.nn.Parameter(ember.randn(3))
    frozen = ember.nn.Parameter(ember.randn(2), requires_grad=False)
    out = _roundtrip({"a": p, "b": p, "frozen": frozen, "t": ember.randn(2).requires_grad_()})
    assert out["a"] is out["b"]
    assert isinstance(out["a"], ember.nn.Parameter) and out["a"].requires_grad
    assert isinstance(out["frozen"], ember.nn.Parameter) and not out["frozen"].requires_grad
    assert type(out["t"]) is ember.Tensor and out["t"].requires_grad and out["t"].is_leaf


def test_non_leaf_tensor_saves_its_values():
    x = ember.randn(3, requires_grad=True)
    y = x * 2
    out = _roundtrip(y)
    np.testing.assert_array_equal(out.numpy(force=True), y.detach().numpy())
    assert out.is_leaf and out.requires_grad


def test_containers_and_primitives():
    obj = {
        "list": [1, -2, 2 ** 70, -(2 ** 65), 0.5, float("inf"), None, True, False, "é", "x" * 300],
        "tuple": (1, (2, (3,))), "set": {1, 2, 3}, "frozen": frozenset({"a"}),
        "bytes": b"\x00\xffabc", "empty_bytes": b"", "bytearray": bytearray(b"xy"),
        "complex": 1.5 - 2j, "dtype": ember.bfloat16, "dtypes": [ember.float32, ember.int64],
        "device": ember.device("cpu"), "size": ember.Size([2, 3]),
        7: "int key", (1, 2): "tuple key", 2.5: "float key",
        "nested": {"deeper": [{"t": ember.ones(2)}]},
    }
    out = _roundtrip(obj)
    for k, v in obj.items():
        if k == "nested":
            continue
        assert out[k] == v and type(out[k]) is type(v), k
    assert out["dtype"] is ember.bfloat16
    assert isinstance(out["size"], ember.Size)
    np.testing.assert_array_equal(out["nested"]["deeper"][0]["t"].numpy(), [1.0, 1.0])


def test_deeply_nested_data_does_not_recurse():
    n = 100_000          # far beyond the recursion limit: the reader is iterative
    pkl = b"\x80\x02" + b"]" * n + b"a" * (n - 1) + b"."
    out = ember.load(io.BytesIO(checkpoint_with_pickle(pkl)))
    depth = 1
    while out:
        out, depth = out[0], depth + 1
    assert depth == n


def _model():
    return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.BatchNorm1d(8), ember.nn.ReLU(),
                               ember.nn.Embedding(10, 8), ember.nn.Linear(8, 3))


def test_state_dict_roundtrip_keeps_metadata_and_loads_into_a_module():
    ember.manual_seed(0)
    m = _model()
    m[1](ember.randn(5, 8))          # running stats and num_batches_tracked change
    sd = m.state_dict()
    out = _roundtrip(sd)
    assert type(out) is collections.OrderedDict and list(out) == list(sd)
    assert out._metadata == sd._metadata
    assert out["1.num_batches_tracked"].dtype is ember.int64
    assert out["1.num_batches_tracked"].item() == 1
    ember.manual_seed(1)
    m2 = _model()
    m2.load_state_dict(out)
    for k, v in m2.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy(), err_msg=k)


def test_tied_weights_stay_tied():
    emb = ember.nn.Embedding(6, 4)
    head = ember.nn.Linear(4, 6, bias=False)
    head.weight = emb.weight
    m = ember.nn.Sequential(emb, head)
    out = _roundtrip(m.state_dict())
    # as in PyTorch: two tensors (state_dict detaches) on one storage
    assert np.shares_memory(out["0.weight"].numpy(), out["1.weight"].numpy())
    out["0.weight"][0, 0] = 5.0
    assert out["1.weight"][0, 0].item() == 5.0
    m2 = ember.nn.Sequential(ember.nn.Embedding(6, 4), ember.nn.Linear(4, 6, bias=False))
    m2[1].weight = m2[0].weight
    m2.load_state_dict(out)
    np.testing.assert_array_equal(m2[1].weight.detach().numpy(), out["0.weight"].numpy())


def test_optimizer_state_dict_roundtrip_continues_training_identically():
    def make():
        ember.manual_seed(0)
        m = ember.nn.Linear(3, 2)
        return m, ember.optim.Adam(m.parameters(), lr=0.1, betas=(0.8, 0.9))

    x = ember.randn(4, 3)
    m, opt = make()
    for _ in range(3):
        opt.zero_grad()
        m(x).pow(2).sum().backward()
        opt.step()
    saved = _roundtrip({"model": m.state_dict(), "opt": opt.state_dict()})
    assert saved["opt"]["param_groups"][0]["betas"] == (0.8, 0.9)
    assert sorted(saved["opt"]["state"]) == [0, 1]
    assert saved["opt"]["state"][0]["step"].shape == ()
    m2, opt2 = make()
    m2.load_state_dict(saved["model"])
    opt2.load_state_dict(saved["opt"])
    for mm, oo in ((m, opt), (m2, opt2)):
        oo.zero_grad()
        mm(x).pow(2).sum().backward()
        oo.step()
    np.testing.assert_array_equal(m2.weight.detach().numpy(), m.weight.detach().numpy())


@pytest.mark.parametrize("kind", ["str", "pathlib", "bytes", "file"])
def test_paths_and_file_objects(tmp_path, kind):
    t = ember.randn(3)
    path = tmp_path / "ckpt.pt"
    target = {"str": str(path), "pathlib": path, "bytes": str(path).encode(), "file": None}[kind]
    if kind == "file":
        with open(path, "wb") as f:
            ember.save(t, f)
        with open(path, "rb") as f:
            out = ember.load(f)
    else:
        ember.save(t, target)
        out = ember.load(target)
    np.testing.assert_array_equal(out.numpy(), t.numpy())


class _Stream:
    """A non-seekable stream: only read/write."""

    def __init__(self, data=b""):
        self.data = bytearray(data)
        self.pos = 0

    def write(self, b):
        self.data += bytes(b)
        return len(b)

    def read(self, n=-1):
        n = len(self.data) - self.pos if n < 0 else n
        out = bytes(self.data[self.pos:self.pos + n])
        self.pos += len(out)
        return out


def test_non_seekable_streams():
    t = ember.arange(5)
    w = _Stream()
    ember.save({"t": t}, w)
    out = ember.load(_Stream(w.data))
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())


def test_file_layout_matches_torch_save(tmp_path):
    path = tmp_path / "my.model.pt"
    ember.save({"w": ember.randn(3, 3), "b": ember.zeros(3, dtype=ember.int64)}, path)
    raw = path.read_bytes()
    z = zipfile.ZipFile(path)
    assert z.namelist() == ["my.model/data.pkl", "my.model/.format_version",
                            "my.model/.storage_alignment", "my.model/byteorder",
                            "my.model/data/0", "my.model/data/1", "my.model/version",
                            "my.model/.data/serialization_id"]
    assert z.read("my.model/version") == b"3\n"
    assert z.read("my.model/byteorder") == b"little"
    assert z.read("my.model/data.pkl")[:2] == b"\x80\x02"        # pickle protocol 2
    assert len(z.read("my.model/.data/serialization_id")) == 40
    for info in z.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        nl, el = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + nl + el) % 64 == 0, info.filename
    assert z.read("my.model/data/1") == np.zeros(3, np.int64).tobytes()


def test_archive_name_for_buffers_and_odd_names(tmp_path):
    buf = io.BytesIO()
    ember.save(1, buf)
    assert zipfile.ZipFile(buf).namelist()[0] == "archive/data.pkl"
    for name, top in [("ckpt", "ckpt"), (".hidden", "archive"), ("wéird.pt", "archive")]:
        ember.save(1, tmp_path / name)
        assert zipfile.ZipFile(tmp_path / name).namelist()[0] == f"{top}/data.pkl"
        assert ember.load(tmp_path / name) == 1


def test_same_object_gives_same_bytes():
    sd = _model().state_dict()
    a, b = io.BytesIO(), io.BytesIO()
    ember.save(sd, a)
    ember.save(sd, b)
    assert a.getvalue() == b.getvalue()


def test_map_location_forms():
    t = ember.randn(4)
    for ml in [None, "cpu", ember.device("cpu"), {"cpu": "cpu"}, {"cuda:0": "cpu"},
               lambda s, loc: s, lambda s, loc: None]:
        out = _roundtrip(t, map_location=ml)
        np.testing.assert_array_equal(out.numpy(), t.numpy())
        assert out.device == ember.device("cpu")
    seen = []
    _roundtrip([t, t.t()], map_location=lambda s, loc: seen.append((s.dtype, s.dim(), loc)))
    assert seen == [(ember.uint8, 1, "cpu")]          # one storage, as bytes
    with pytest.raises(TypeError, match="map_location"):
        _roundtrip(t, map_location=3.5)
    with pytest.raises(TypeError, match="map_location function must return"):
        _roundtrip(t, map_location=lambda s, loc: "cpu")


@pytest.mark.skipif(ember.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_checkpoint_without_cuda_says_to_map_to_cpu():
    t = ember.randn(2)
    buf = io.BytesIO()
    ember.save(t, buf)
    data = replace_in_pickle(buf.getvalue(), b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    with pytest.raises(RuntimeError, match="map_location=ember.device\\('cpu'\\)"):
        ember.load(io.BytesIO(data))
    out = ember.load(io.BytesIO(data), map_location="cpu")
    np.testing.assert_array_equal(out.numpy(), t.numpy())


def test_mmap(tmp_path):
    path = tmp_path / "m.pt"
    t = ember.randn(1000)
    ember.save({"t": t, "v": t[10:20]}, path)
    out = ember.load(path, mmap=True)
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())
    out["t"][15] = 123.0                          # copy-on-write: visible in the view ...
    assert out["v"][5].item() == 123.0
    again = ember.load(path)                      # ... but never written to the file
    assert again["t"][15].item() == t[15].item()
    with open(path, "rb") as f, pytest.raises(ValueError, match="file path"):
        ember.load(f, mmap=True)


class Net(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 2)
        self.scale = 2.0

    def forward(self, x):
        return self.fc(x) * self.scale


def test_whole_module_needs_weights_only_false(tmp_path):
    net = Net()
    path = tmp_path / "net.pt"
    ember.save(net, path)
    with pytest.raises(pickle.UnpicklingError, match="Net") as err:
        ember.load(path)
    assert "weights_only=False" in str(err.value)
    loaded = ember.load(path, weights_only=False)
    assert type(loaded) is Net and loaded.scale == 2.0
    x = ember.randn(4, 3)
    np.testing.assert_array_equal(loaded(x).detach().numpy(), net(x).detach().numpy())
    assert isinstance(loaded.fc.weight, ember.nn.Parameter)


class Config:
    def __init__(self, lr):
        self.lr = lr


def test_add_safe_globals_and_context_manager():
    buf = io.BytesIO()
    ember.save({"cfg": Config(0.5), "w": ember.ones(2)}, buf)
    data = buf.getvalue()
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(io.BytesIO(data))
    msg = str(err.value)
    assert "Config" in msg and "add_safe_globals" in msg and "weights_only=False" in msg
    with ember.serialization.safe_globals([Config]):
        assert Config in ember.serialization.get_safe_globals()
        out = ember.load(io.BytesIO(data))
        assert isinstance(out["cfg"], Config) and out["cfg"].lr == 0.5
    assert Config not in ember.serialization.get_safe_globals()
    ember.serialization.add_safe_globals([Config])
    try:
        assert ember.load(io.BytesIO(data))["cfg"].lr == 0.5
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.serialization.get_safe_globals() == []
    assert ember.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == \
        [f"{__name__}.Config"]
    with pytest.raises(ValueError):
        ember.serialization.add_safe_globals([(Config,)])
    with pytest.raises(TypeError):
        ember.serialization.add_safe_globals([(Config, 3)])


def test_weights_only_options():
    t = ember.ones(2)
    with pytest.raises(RuntimeError, match="pickle_module"):
        _roundtrip(t, pickle_module=pickle, weights_only=True)
    # as torch.load: a pickle_module without weights_only means weights_only=False
    np.testing.assert_array_equal(_roundtrip(t, pickle_module=pickle).numpy(), t.numpy())
    np.testing.assert_array_equal(_roundtrip(t, pickle_module=pickle, weights_only=False).numpy(),
                                  t.numpy())
    np.testing.assert_array_equal(_roundtrip(t, weights_only=None).numpy(), t.numpy())
    with pytest.raises(TypeError, match="fix_imports"):
        _roundtrip(t, fix_imports=False)
    np.testing.assert_array_equal(_roundtrip(t, weights_only=False, fix_imports=False).numpy(),
                                  t.numpy())


def test_save_options():
    with pytest.raises(NotImplementedError):
        ember.save(1, io.BytesIO(), _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError):
        ember.save(1, io.BytesIO(), pickle_protocol=1)
    with pytest.raises(AttributeError, match="write"):
        ember.save(1, object())
    buf = io.BytesIO()
    ember.save({"t": ember.arange(3)}, buf, pickle_protocol=4)   # ember reads any protocol
    buf.seek(0)
    np.testing.assert_array_equal(ember.load(buf)["t"].numpy(), [0, 1, 2])


def test_tensor_pickling_is_unchanged():
    t = ember.randn(3, requires_grad=True)
    p = ember.nn.Parameter(ember.randn(2))
    for obj in (t, p):
        out = pickle.loads(pickle.dumps(obj))
        assert type(out) is type(obj) and out.requires_grad
        np.testing.assert_array_equal(out.detach().numpy(), obj.detach().numpy())
        cp = copy.deepcopy(obj)
        np.testing.assert_array_equal(cp.detach().numpy(), obj.detach().numpy())
    with pytest.raises(RuntimeError, match="leaf"):
        pickle.dumps(t * 2)


def test_save_and_load_are_exported():
    assert ember.save is ember.serialization.save and ember.load is ember.serialization.load
    assert issubclass(ember.serialization.CheckpointError, RuntimeError)


def test_mmap_loaded_tensors_save_only_their_own_storage(tmp_path):
    path = tmp_path / "big.pt"
    ember.save({"a": ember.randn(5000), "b": ember.randn(10)}, path)
    out = ember.load(path, mmap=True)
    ember.save({"b": out["b"]}, tmp_path / "small.pt")
    assert os.path.getsize(tmp_path / "small.pt") < 2000
    np.testing.assert_array_equal(ember.load(tmp_path / "small.pt")["b"].numpy(), out["b"].numpy())
