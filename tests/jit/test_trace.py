"""ember.jit.trace: replayed graphs equal eager outputs at other batch sizes / lengths;
save -> load in a fresh process; TracerWarning for baked values."""
import subprocess
import sys
import warnings

import numpy as np
import pytest
from models import LSTMLM, SmallResNet, TransformerClassifier, digits_cnn

import ember
from ember import nn


def _cases():
    ember.manual_seed(0)
    return [
        ("digits_cnn", digits_cnn(), ember.randn(2, 1, 8, 8), ember.randn(5, 1, 8, 8)),
        ("resnet", SmallResNet(), ember.randn(2, 3, 16, 16), ember.randn(3, 3, 16, 16)),
        ("lstm_lm", LSTMLM(), ember.randint(0, 50, (2, 7)), ember.randint(0, 50, (3, 5))),
        ("transformer", TransformerClassifier(), ember.randint(0, 40, (2, 6)),
         ember.randint(0, 40, (4, 9))),
    ]


@pytest.mark.parametrize("case", range(4), ids=[c[0] for c in _cases()])
def test_trace_equals_eager_at_new_shapes(case, tmp_path):
    name, m, example, other = _cases()[case]
    m.eval()
    tm = ember.jit.trace(m, example)
    with ember.no_grad():
        want = m(other)
        got = tm(other)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    assert list(tm.state_dict()) == list(m.state_dict())
    assert "graph(" in str(tm.graph) and "def forward(self" in tm.code

    # save, then load in a fresh interpreter that never imports the model's module
    path = tmp_path / "model.pt"
    tm.save(str(path))
    ember.save({"x": other, "want": want}, str(tmp_path / "io.pt"))
    code = (
        "import sys, ember, numpy as np\n"
        f"m = ember.jit.load({str(path)!r})\n"
        f"d = ember.load({str(tmp_path / 'io.pt')!r})\n"
        "with ember.no_grad(): y = m(d['x'])\n"
        "assert 'models' not in sys.modules and 'train_digits_example' not in sys.modules\n"
        "np.testing.assert_allclose(y.numpy(), d['want'].numpy(), rtol=1e-5, atol=1e-6)\n"
        "print('OK', tuple(y.shape))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("OK")


def test_trace_function_and_symbolic_size():
    def f(x, y):
        return (x * 2 + y).view(x.size(0), -1).sum(1)
    x, y = ember.randn(2, 3, 4), ember.randn(2, 3, 4)
    tf = ember.jit.trace(f, (x, y))
    a, b = ember.randn(5, 3, 4), ember.randn(5, 3, 4)
    np.testing.assert_allclose(tf(a, b).numpy(), f(a, b).numpy(), rtol=1e-6)
    assert isinstance(tf, ember.jit.ScriptFunction)


def test_tensor_dependent_branch_warns():
    class Branchy(nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x * 2
            return x - 1
    with pytest.warns(ember.jit.TracerWarning, match="Python boolean") as rec:
        ember.jit.trace(Branchy(), ember.ones(3), check_trace=False)
    assert any(r.filename == __file__ for r in rec)


def test_item_warns_and_is_tracing():
    seen = []

    def f(x):
        seen.append(ember.jit.is_tracing())
        return x * x.max().item()
    with pytest.warns(ember.jit.TracerWarning, match="Python number"):
        ember.jit.trace(f, ember.ones(3), check_trace=False)
    assert seen == [True] and not ember.jit.is_tracing()


def test_check_trace_warns_on_mismatch():
    def f(x):
        return x * float(x.sum())
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ember.jit.trace(f, ember.ones(3), check_inputs=[(ember.full((3,), 2.0),)])
    assert any("does not match" in str(r.message) for r in rec)


def test_load_rejects_foreign_and_corrupt_files(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(RuntimeError, match="not an ember.jit archive"):
        ember.jit.load(str(bad))
    ck = tmp_path / "ck.pt"
    ember.save({"a": ember.ones(2)}, str(ck))
    with pytest.raises(RuntimeError, match="use ember.load"):
        ember.jit.load(str(ck))
    import json
    import zipfile
    tm = ember.jit.trace(nn.Linear(2, 2), ember.ones(1, 2))
    good = tmp_path / "good.pt"
    tm.save(str(good))
    with zipfile.ZipFile(good) as z:
        doc = json.loads(z.read("archive/ember_jit.json"))
        data = z.read("archive/tensors.pt")
    doc["graph"]["nodes"][0]["op"] = "os:system"
    evil = tmp_path / "evil.pt"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("archive/ember_jit.json", json.dumps(doc))
        z.writestr("archive/tensors.pt", data)
    with pytest.raises(RuntimeError, match="unknown op 'os:system'"):
        ember.jit.load(str(evil))


def test_save_to_file_object_and_extra_files(tmp_path):
    import io
    tm = ember.jit.trace(nn.Sequential(nn.Linear(3, 2), nn.Tanh()), ember.ones(1, 3))
    buf = io.BytesIO()
    ember.jit.save(tm, buf, _extra_files={"meta.txt": "hello"})
    buf.seek(0)
    extra = {"meta.txt": ""}
    lm = ember.jit.load(buf, _extra_files=extra)
    assert extra["meta.txt"] == b"hello"
    x = ember.randn(4, 3)
    np.testing.assert_allclose(lm(x).detach().numpy(), tm(x).detach().numpy())


def test_freeze_folds_batchnorm_and_matches_eager():
    ember.manual_seed(0)
    m = SmallResNet().eval()
    with ember.no_grad():     # non-trivial running statistics
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
    tm = ember.jit.trace(m, ember.randn(2, 3, 16, 16))
    fz = ember.jit.freeze(tm)
    assert not any(n.op == "F:batch_norm" for n in fz.graph.nodes)
    assert len(list(fz.parameters())) == 0
    x = ember.randn(3, 3, 16, 16)
    with ember.no_grad():
        np.testing.assert_allclose(fz(x).numpy(), m(x).numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="eval mode"):
        ember.jit.freeze(ember.jit.trace(SmallResNet().train(), ember.randn(2, 3, 16, 16),
                                         check_trace=False))
    opt = ember.jit.optimize_for_inference(tm)
    with ember.no_grad():
        np.testing.assert_allclose(opt(x).numpy(), m(x).numpy(), rtol=1e-4, atol=1e-5)


def test_user_function_replays_but_is_not_savable(tmp_path):
    class Twice(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    tf = ember.jit.trace(lambda x: Twice.apply(x) + 1, ember.ones(2))
    np.testing.assert_allclose(tf(ember.full((3,), 2.0)).numpy(), [5.0, 5.0, 5.0])
    with pytest.raises(RuntimeError, match="not one of ember's own ops"):
        tf.save(str(tmp_path / "f.pt"))
