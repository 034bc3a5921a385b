"""Whole objects pickled by PyTorch (torch.save(model)) load into ember with
weights_only=False; the default weights_only=True refuses them as torch.load does."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
from runner import env  # noqa: E402


def _torch_model():
    nn = torch.nn
    torch.manual_seed(0)
    return nn.ModuleDict({
        "emb": nn.Embedding(10, 8),
        "lstm": nn.LSTM(8, 8, num_layers=2, batch_first=True),
        "enc": nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                batch_first=True), 2),
        "head": nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.LayerNorm(4)),
    }).eval()


def _forward(m, x):
    h, _ = m["lstm"](m["emb"](x))
    return m["head"](m["enc"](h))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("pickles") / "whole.pt"
    m = _torch_model()
    x = torch.randint(0, 10, (3, 5))
    with torch.no_grad():
        out = _forward(m, x)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    torch.save({"model": m, "x": x, "optimizer": opt}, path)
    return path, out.numpy()


def test_whole_torch_model_loads_and_matches(saved):
    path, expected = saved
    d = ember.load(path, weights_only=False)
    m = d["model"]
    assert type(m) is ember.nn.ModuleDict
    assert type(m["lstm"]) is ember.nn.LSTM
    assert type(m["enc"].layers[0].self_attn) is ember.nn.MultiheadAttention
    assert type(m["enc"].layers[0].self_attn.out_proj) is \
        ember.nn.modules.linear.NonDynamicallyQuantizableLinear
    assert isinstance(d["x"], ember.Tensor)
    with ember.no_grad():
        out = _forward(m, d["x"])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    # the loaded model trains: gradients reach the LSTM
    m.train()
    _forward(m, d["x"]).sum().backward()
    assert m["lstm"].weight_ih_l0.grad is not None
    opt = d["optimizer"]
    assert type(opt) is ember.optim.SGD and opt.param_groups[0]["momentum"] == 0.9


def test_default_weights_only_refuses_in_torch_style(saved):
    path, _ = saved
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(path)
    msg = str(err.value)
    assert msg.startswith("Weights only load failed")
    assert "GLOBAL torch.nn.modules.container.ModuleDict was not an allowed global by " \
           "default" in msg
    assert "weights_only=False" in msg and "add_safe_globals" in msg


def test_loading_never_imports_a_real_torch(saved):
    path, expected = saved
    code = f"""
import sys, numpy as np, ember
d = ember.load({str(path)!r}, weights_only=False)
assert not any(n == "torch" or n.startswith("torch.") for n in sys.modules), "torch imported"
print(type(d["model"]["lstm"]).__module__)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env(), timeout=120)
    assert out.stdout.strip() == "ember.nn.modules.rnn", out.stderr


def test_numpy_objects_and_the_environment_variables(tmp_path, monkeypatch):
    path = tmp_path / "np.pt"
    torch.save({"arr": np.arange(6.0).reshape(2, 3), "scalar": np.float32(2.5),
                "t": torch.ones(2)}, path)
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", raising=False)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        ember.load(path)
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"):
        d = ember.load(path)
    np.testing.assert_array_equal(d["arr"], np.arange(6.0).reshape(2, 3))
    assert d["scalar"] == np.float32(2.5) and isinstance(d["t"], ember.Tensor)
    with pytest.raises(pickle.UnpicklingError):     # an explicit True is kept
        ember.load(path, weights_only=True)
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "yes")
    with pytest.raises(RuntimeError, match="Only one of"):
        ember.load(path)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(pickle.UnpicklingError):     # forced even against False
        ember.load(path, weights_only=False)


def test_ember_whole_model_roundtrip(tmp_path):
    m = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.GRU(4, 3))
    ember.save(m, tmp_path / "e.pt")
    back = ember.load(tmp_path / "e.pt", weights_only=False)
    assert type(back[1]) is ember.nn.GRU
    np.testing.assert_array_equal(back[0].weight.detach().numpy(), m[0].weight.detach().numpy())


def test_old_module_pickles_get_the_missing_hook_tables():
    lin = ember.nn.Linear(2, 2)
    state = lin.__dict__.copy()
    for k in ("_backward_pre_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called"):
        del state[k]
    other = ember.nn.Linear.__new__(ember.nn.Linear)
    other.__setstate__(state)
    assert other(ember.ones(1, 2)).shape == (1, 2)


def test_unknown_torch_name_is_named(tmp_path):
    class Fake:
        pass
    Fake.__module__, Fake.__qualname__ = "torch.nn.modules.nosuch", "Thing"
    import torch.nn.modules
    torch.nn.modules.nosuch = type(sys)("torch.nn.modules.nosuch")
    torch.nn.modules.nosuch.Thing = Fake
    sys.modules["torch.nn.modules.nosuch"] = torch.nn.modules.nosuch
    try:
        torch.save(Fake(), tmp_path / "f.pt")
    finally:
        del sys.modules["torch.nn.modules.nosuch"]
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.nosuch\.Thing has no "
                                                     "counterpart in ember"):
        ember.load(tmp_path / "f.pt", weights_only=False)


@pytest.mark.skipif(not os.path.exists(os.path.join(os.path.dirname(ember.__file__), "vision",
                                                    "models")),
                    reason="ember.vision.models has not landed yet")
def test_torchvision_resnet18_pickle(tmp_path):
    tv = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    m = tv.models.resnet18(num_classes=10).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = m(x).numpy()
    torch.save(m, tmp_path / "r.pt")
    e = ember.load(tmp_path / "r.pt", weights_only=False)
    assert type(e).__module__.startswith("ember.vision.models")
    with ember.no_grad():
        out = e(ember.tensor(x.numpy())).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-4)
