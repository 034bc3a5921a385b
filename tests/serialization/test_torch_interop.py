"""Files moving between ember and PyTorch: ember.save -> torch.load(weights_only=True) and
torch.save -> ember.load, compared bit for bit, and models giving the same outputs."""
import collections
import io
import warnings
import zipfile

import numpy as np
import pytest

import ember
from ember import _dtype
from helpers import torch, needs_torch
from ckpt_util import make_zip, records

pytestmark = needs_torch

ALL_DTYPES = list(_dtype._ALL)


def _bytes_of(t):
    """dtype name, shape and raw bytes of an ember or torch tensor (bfloat16 included)."""
    if isinstance(t, ember.Tensor):
        a = t.detach().numpy()
        return t.dtype.name, a.shape, a.tobytes(order="C")
    t = t.detach().contiguous()
    name = str(t.dtype).split(".")[-1]
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return name, tuple(t.shape), t.numpy().tobytes()


def _sample(d, shape=(3, 5), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 50
    if d.is_complex:
        a = a + 1j * rng.standard_normal(shape)
    if d.name == "bool":
        return ember.from_numpy(np.asarray(a > 0))
    return ember.from_numpy(np.asarray(a.astype(d.np)))


def _to_torch(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def _from_torch(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    buf.seek(0)
    return ember.load(buf)


# -- ember -> PyTorch ----------------------------------------------------------------------

@pytest.mark.parametrize("d", ALL_DTYPES, ids=lambda d: d.name)
def test_ember_to_torch_every_dtype_bit_exact(d):
    t = _sample(d)
    views = {"t": t, "T": t.t(), "step": t[::2, 1::2], "scalar": t[1, 2], "empty": t[:0]}
    out = _to_torch(views)
    for k, v in views.items():
        assert _bytes_of(out[k]) == _bytes_of(v), k
        if v.numel():
            assert tuple(out[k].stride()) == v.stride(), k
    ptr = out["t"].untyped_storage().data_ptr()
    assert out["T"].untyped_storage().data_ptr() == ptr          # still one storage
    assert out["step"].untyped_storage().data_ptr() == ptr


def test_ember_to_torch_structure():
    m = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    p = ember.nn.Parameter(ember.randn(2))
    obj = {"sd": m.state_dict(), "p": p, "frozen": ember.nn.Parameter(ember.ones(1), False),
           "meta": {"dtype": ember.float16, "device": ember.device("cpu"),
                    "size": ember.Size([1, 2]), "betas": (0.9, 0.999), 3: [b"ab", b"", None],
                    "set": {1, 2}, "c": 1 + 2j, "big": 2 ** 80}}
    out = _to_torch(obj)
    assert type(out["sd"]) is collections.OrderedDict
    assert out["sd"]._metadata == m.state_dict()._metadata
    assert out["sd"]["1.num_batches_tracked"].dtype == torch.int64
    assert type(out["p"]) is torch.nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is torch.nn.Parameter and not out["frozen"].requires_grad
    meta = out["meta"]
    assert meta["dtype"] is torch.float16 and meta["device"] == torch.device("cpu")
    assert meta["size"] == torch.Size([1, 2]) and isinstance(meta["size"], torch.Size)
    assert meta["betas"] == (0.9, 0.999) and meta[3] == [b"ab", b"", None]
    assert meta["set"] == {1, 2} and meta["c"] == 1 + 2j and meta["big"] == 2 ** 80


def test_ember_file_matches_torch_storage_layout(tmp_path, monkeypatch):
    """PyTorch can compute record offsets from its own writer's layout (and checks them in
    debug mode): ember's files satisfy it, and memory-map in PyTorch."""
    from torch.utils.serialization import config
    monkeypatch.setattr(config.load, "calculate_storage_offsets", True)
    monkeypatch.setenv("TORCH_SERIALIZATION_DEBUG", "1")
    obj = {f"t{i}": _sample(d, (i + 1, 3)) for i, d in enumerate(ALL_DTYPES)}
    ember.save(obj, tmp_path / "x.pt")
    out = torch.load(tmp_path / "x.pt", weights_only=True, mmap=True)
    for k, v in obj.items():
        assert _bytes_of(out[k]) == _bytes_of(v), k


def test_zip64_records_are_read_by_torch(monkeypatch):
    from ember._serialization import container
    monkeypatch.setattr(container, "ZIP64_LIMIT", 100)   # every larger record/offset is zip64
    obj = {"a": ember.randn(40, 3), "b": ember.arange(30)}
    buf = io.BytesIO()
    ember.save(obj, buf)
    assert b"\x01\x00\x10\x00" in buf.getvalue()                # a zip64 extra field
    buf.seek(0)
    out = torch.load(buf, weights_only=True)
    buf.seek(0)
    back = ember.load(buf)
    for k in obj:
        assert _bytes_of(out[k]) == _bytes_of(obj[k]) == _bytes_of(back[k])


def test_ember_optimizer_state_dict_drives_torch_optimizer():
    rng = np.random.default_rng(0)
    w0, x = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((4, 3)).astype(np.float32)
    ew = ember.nn.Parameter(ember.tensor(w0))
    eopt = ember.optim.Adam([ew], lr=0.05, betas=(0.8, 0.95))
    for _ in range(3):
        eopt.zero_grad()
        (ember.tensor(x) @ ew.t()).pow(2).sum().backward()
        eopt.step()
    out = _to_torch({"w": ew, "opt": eopt.state_dict()})
    tw = torch.nn.Parameter(out["w"].detach().clone())
    topt = torch.optim.Adam([tw], lr=0.05)
    topt.load_state_dict(out["opt"])
    assert topt.param_groups[0]["betas"] == (0.8, 0.95)
    for opt, w, xx, _lib in ((eopt, ew, ember.tensor(x), ember), (topt, tw, torch.tensor(x), torch)):
        opt.zero_grad()
        (xx @ w.t()).pow(2).sum().backward()
        opt.step()
    np.testing.assert_allclose(tw.detach().numpy(), ew.detach().numpy(), rtol=1e-6, atol=1e-6)


# -- PyTorch -> ember ----------------------------------------------------------------------

_TORCH_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                 "int8", "uint8", "bool", "complex64", "complex128"]


@pytest.mark.parametrize("name", _TORCH_DTYPES)
def test_torch_to_ember_every_dtype_bit_exact(name):
    g = torch.Generator().manual_seed(0)
    base = torch.randn(4, 6, generator=g, dtype=torch.float64) * 50
    if name.startswith("complex"):
        base = torch.complex(base, base.flip(0))
    t = base.to(getattr(torch, name))
    views = {"t": t, "T": t.t(), "step": t[1::2, ::3], "scalar": t[2, 3], "empty": t[:, :0]}
    out = _from_torch(views)
    for k, v in views.items():
        assert _bytes_of(out[k]) == _bytes_of(v), k
        assert out[k].dtype is getattr(ember, name)
    assert out["T"].stride() == tuple(t.t().stride())
    assert np.shares_memory(out["t"].numpy(), out["step"].numpy())


def test_torch_dtypes_ember_lacks_are_converted_with_a_warning():
    obj = {"u16": torch.tensor([0, 65535], dtype=torch.uint16),
           "u32": torch.tensor([0, 2 ** 32 - 1], dtype=torch.uint32),
           "u64": torch.tensor([0, 2 ** 40], dtype=torch.uint64),
           "f8": torch.tensor([0.5, -2.0], dtype=torch.float8_e4m3fn), "dt": torch.uint16}
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = _from_torch(obj)
    assert {str(w.message).split(":")[0] for w in rec} == {
        f"ember has no dtype torch.{n}" for n in ("uint16", "uint32", "uint64", "float8_e4m3fn")}
    assert all(w.filename == __file__ for w in rec)          # points at the ember.load call
    assert out["u16"].dtype is ember.int32 and out["u16"].tolist() == [0, 65535]
    assert out["u32"].dtype is ember.int64 and out["u32"].tolist() == [0, 2 ** 32 - 1]
    assert out["u64"].tolist() == [0, 2 ** 40]
    assert out["f8"].dtype is ember.float32 and out["f8"].tolist() == [0.5, -2.0]
    assert repr(out["dt"]) == "torch.uint16"
    with pytest.raises(NotImplementedError, match="uint64"):
        _from_torch(torch.tensor([2 ** 63 + 5], dtype=torch.uint64))


def test_torch_shared_storage_stays_shared():
    a = torch.arange(12.0)
    obj = {"a": a, "grid": a.view(3, 4), "tail": a[6:], "cols": a.view(3, 4)[:, 1],
           "tied": a, "other": torch.ones(2)}
    out = _from_torch(obj)
    assert out["a"] is out["tied"]
    out["a"][7] = -5.0
    assert out["grid"][1, 3].item() == -5.0 and out["tail"][1].item() == -5.0
    assert out["cols"][1].item() == 5.0 and out["grid"].stride() == (4, 1)
    assert not np.shares_memory(out["other"].numpy(), out["a"].numpy())


def test_torch_parameters_attributes_and_metadata():
    p = torch.nn.Parameter(torch.randn(3))
    q = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    x = torch.arange(3.0)
    x.my_attr = 5
    p2 = torch.nn.Parameter(torch.ones(2))
    p2.tag = "emb"
    c = torch.tensor([1 + 2j, 3 - 1j]).conj()
    n = torch._neg_view(torch.tensor([1.0, -2.0]))
    out = _from_torch({"p": p, "q": q, "x": x, "p2": p2, "c": c, "n": n,
                       "g": torch.randn(2, requires_grad=True)})
    assert type(out["p"]) is ember.nn.Parameter and out["p"].requires_grad
    assert type(out["q"]) is ember.nn.Parameter and not out["q"].requires_grad
    assert out["x"].my_attr == 5 and out["x"].tolist() == [0.0, 1.0, 2.0]
    assert type(out["p2"]) is ember.nn.Parameter and out["p2"].tag == "emb"
    assert out["c"].tolist() == [1 - 2j, 3 + 1j]
    assert out["n"].tolist() == [-1.0, 2.0]
    assert out["g"].requires_grad and out["g"].is_leaf


def test_torch_legacy_format():
    a = torch.arange(6.0)
    obj = {"a": a, "v": a.view(2, 3).t(), "i": torch.tensor([1, 2], dtype=torch.int64),
           "h": torch.ones(2, dtype=torch.bfloat16), "n": 3}
    out = _from_torch(obj, _use_new_zipfile_serialization=False)
    assert _bytes_of(out["v"]) == _bytes_of(obj["v"]) and out["n"] == 3
    assert _bytes_of(out["i"]) == _bytes_of(obj["i"]) and _bytes_of(out["h"]) == _bytes_of(obj["h"])
    out["a"][4] = 40.0
    assert out["v"][1, 1].item() == 40.0


def test_any_top_folder_name(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "resnet.v1.pth")
    assert zipfile.ZipFile(tmp_path / "resnet.v1.pth").namelist()[0].startswith("resnet.v1/")
    assert ember.load(tmp_path / "resnet.v1.pth")["w"].tolist() == [1.0, 1.0]
    recs = records((tmp_path / "resnet.v1.pth").read_bytes())
    renamed = make_zip({"some folder/" + k.split("/", 1)[1]: v for k, v in recs.items()})
    assert ember.load(io.BytesIO(renamed))["w"].tolist() == [1.0, 1.0]


def test_torch_map_location_callable_sees_torch_locations():
    buf = io.BytesIO()
    torch.save([torch.ones(2), torch.zeros(3)], buf)
    seen = []
    buf.seek(0)
    out = ember.load(buf, map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cpu", "cpu"] and out[1].tolist() == [0.0, 0.0, 0.0]


# -- the same model in both libraries -------------------------------------------------------

def _resnet18(lib, width=8, num_classes=10):
    """torchvision's ResNet-18 layout (same state_dict keys), narrower."""
    nn = lib.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                nn.BatchNorm2d(cout))

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            cin = width
            for i in range(4):
                cout = width * 2 ** i
                setattr(self, f"layer{i + 1}", nn.Sequential(
                    BasicBlock(cin, cout, 1 if i == 0 else 2), BasicBlock(cout, cout, 1)))
                cin = cout
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(cin, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            for i in range(4):
                x = getattr(self, f"layer{i + 1}")(x)
            return self.fc(self.avgpool(x).flatten(1))

    return ResNet()


needs_conv = pytest.mark.skipif(not hasattr(ember.nn, "Conv2d"), reason="ember.nn.Conv2d missing")


@needs_conv
def test_torch_resnet18_checkpoint_runs_in_ember(tmp_path):
    torch.manual_seed(0)
    tmodel = _resnet18(torch)
    tmodel.train()
    with torch.no_grad():
        for _ in range(2):                      # non-trivial running stats, num_batches_tracked
            tmodel(torch.randn(4, 3, 32, 32))
    torch.save(tmodel.state_dict(), tmp_path / "resnet18.pth")
    sd = ember.load(tmp_path / "resnet18.pth")
    tsd = tmodel.state_dict()
    assert list(sd) == list(tsd) and sd._metadata == tsd._metadata
    assert sd["layer2.0.downsample.1.num_batches_tracked"].dtype is ember.int64
    assert sd["bn1.num_batches_tracked"].item() == 2
    emodel = _resnet18(ember)
    emodel.load_state_dict(sd)
    for k, v in emodel.state_dict().items():
        assert _bytes_of(v) == _bytes_of(tsd[k]), k
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    tmodel.eval()
    emodel.eval()
    with torch.no_grad():
        expected = tmodel(torch.tensor(x)).numpy()
    got = emodel(ember.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@needs_conv
def test_ember_resnet18_weights_run_in_torch(tmp_path):
    ember.manual_seed(0)
    emodel = _resnet18(ember)
    emodel.train()
    emodel(ember.randn(4, 3, 32, 32))
    ember.save(emodel.state_dict(), tmp_path / "ember_resnet.pt")
    tmodel = _resnet18(torch)
    tmodel.load_state_dict(torch.load(tmp_path / "ember_resnet.pt", weights_only=True))
    x = np.random.default_rng(2).standard_normal((2, 3, 32, 32)).astype(np.float32)
    tmodel.eval()
    emodel.eval()
    with torch.no_grad():
        expected = tmodel(torch.tensor(x)).numpy()
    np.testing.assert_allclose(emodel(ember.tensor(x)).detach().numpy(), expected,
                               rtol=1e-4, atol=1e-4)


def _mlp(lib):
    # (no BatchNorm right after a biased Linear: that bias gets a ~0 gradient whose rounding
    # noise Adam would amplify into differences that say nothing about the checkpoint)
    nn = lib.nn
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))


@pytest.mark.parametrize("opt_name,kwargs", [("Adam", dict(lr=0.01, betas=(0.8, 0.99))),
                                             ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                             ("AdamW", dict(lr=0.01, weight_decay=0.1))])
def test_torch_training_checkpoint_resumes_identically_in_ember(tmp_path, opt_name, kwargs):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((8, 5)).astype(np.float32) for _ in range(4)]
    torch.manual_seed(0)
    tmodel = _mlp(torch)
    topt = getattr(torch.optim, opt_name)(tmodel.parameters(), **kwargs)

    def step(model, opt, lib, x):
        opt.zero_grad()
        model(lib.tensor(x)).pow(2).mean().backward()
        opt.step()

    for x in xs[:3]:
        step(tmodel, topt, torch, x)
    torch.save({"model": tmodel.state_dict(), "optimizer": topt.state_dict(), "epoch": 3},
               tmp_path / "ckpt.pt")
    ckpt = ember.load(tmp_path / "ckpt.pt")
    assert ckpt["epoch"] == 3
    emodel = _mlp(ember)
    emodel.load_state_dict(ckpt["model"])
    eopt = getattr(ember.optim, opt_name)(emodel.parameters(), lr=1.0)
    eopt.load_state_dict(ckpt["optimizer"])
    step(tmodel, topt, torch, xs[3])
    step(emodel, eopt, ember, xs[3])
    for (k, tv), ev in zip(tmodel.state_dict().items(), emodel.state_dict().values()):
        np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_quantized_tensors_load():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.quint8)
    e = _from_torch({"t": q})["t"]
    assert e.dtype is ember.quint8 and e.int_repr().tolist() == [10, 10]


def test_tensor_kinds_ember_lacks_are_clear_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # sparse COO and the compressed layouts load (tests/sparse)
        kinds = {"nested": torch.nested.nested_tensor([torch.ones(2), torch.ones(3)]),
                 "complex32": torch.ones(2, dtype=torch.complex32)}
    for name, t in kinds.items():
        with pytest.raises(NotImplementedError, match=name):
            _from_torch({"t": t})


def test_legacy_format_with_weights_only_false_and_global_scan():
    buf = io.BytesIO()
    torch.save({"w": torch.arange(4.0), "n": collections.Counter("aab")}, buf,
               _use_new_zipfile_serialization=False)
    buf.seek(0)
    out = ember.load(buf, weights_only=False)
    assert out["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and out["n"] == {"a": 2, "b": 1}
    buf.seek(0)
    assert ember.serialization.get_unsafe_globals_in_checkpoint(buf) == []
