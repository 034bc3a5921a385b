"""ember.onnx.export: onnx.checker (full_check) passes and onnxruntime equals ember eager
at batch sizes and lengths other than the dummy's."""
import io

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from models import LSTMLM, SmallResNet, TransformerClassifier, digits_cnn  # noqa: E402


def _run(path_or_bytes, feeds):
    s = ort.InferenceSession(path_or_bytes, providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def _check(model_proto_path):
    m = onnx.load(model_proto_path)
    onnx.checker.check_model(m, full_check=True)
    return m


def _eager(m, *xs):
    with ember.no_grad():
        out = m(*xs)
    return out


CASES = {
    "digits_cnn": (digits_cnn, lambda: ember.randn(2, 1, 8, 8), lambda: ember.randn(5, 1, 8, 8),
                   {0: "batch_size"}),
    "resnet": (SmallResNet, lambda: ember.randn(1, 3, 16, 16), lambda: ember.randn(3, 3, 16, 16),
               {0: "batch_size"}),
    "lstm_lm": (LSTMLM, lambda: ember.randint(0, 50, (2, 7)), lambda: ember.randint(0, 50, (3, 11)),
                {0: "batch_size", 1: "seq_len"}),
    "transformer": (TransformerClassifier, lambda: ember.randint(0, 40, (2, 6)),
                    lambda: ember.randint(0, 40, (4, 9)), {0: "batch_size", 1: "seq_len"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_seed_models_match_onnxruntime(name, tmp_path):
    make, dummy, other, axes = CASES[name]
    ember.manual_seed(0)
    m = make()
    m.train()                     # export puts it in eval mode (TrainingMode.EVAL)
    path = str(tmp_path / "m.onnx")
    ember.onnx.export(m, (dummy(),), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": axes, "logits": {0: "batch_size"}})
    assert m.training
    proto = _check(path)
    assert proto.opset_import[0].version >= 17
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    for axis, dname in axes.items():
        assert dims[axis].dim_param == dname
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch_size"
    m.eval()
    x = other()
    got = _run(path, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, _eager(m, x).numpy(), rtol=1e-4, atol=1e-4)


class OpZoo(nn.Module):
    """Many converters in one graph."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(4, 8, 3, padding=2, dilation=2, groups=2, padding_mode="reflect")
        self.c2 = nn.Conv2d(8, 8, 3, padding="same", bias=False)
        self.ct = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.gn = nn.GroupNorm(2, 4)
        self.ln = nn.LayerNorm(4)
        self.bn = nn.BatchNorm1d(6)
        self.gru = nn.GRU(4, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.rnn = nn.RNN(10, 3, nonlinearity="relu")
        self.prelu = nn.PReLU(4)

    def forward(self, x):
        y = F.elu(self.c1(x))
        y = F.leaky_relu(self.c2(y), 0.1) + F.gelu(y) - F.silu(y) * 0.5
        y = self.prelu(self.gn(self.ct(y)))
        y = F.max_pool2d(y, 2) + F.avg_pool2d(y, 3, 2, 1)
        y = F.adaptive_avg_pool2d(y, (2, 2)) + F.adaptive_max_pool2d(y, 2)
        y = F.interpolate(y, scale_factor=2, mode="nearest") + \
            F.interpolate(y, size=(4, 4), mode="bilinear", align_corners=False)
        y = y.permute(0, 2, 3, 1)                       # (N, 4, 4, C)
        y = self.ln(y).clamp(-2.0, 2.0)
        a, b = y.chunk(2, dim=1)
        z = ember.cat([a, b], dim=2).transpose(1, 2).flatten(1, 2)   # (N, 16, 4)
        seq, h = self.gru(z)
        s = ember.stack([seq.sum(-1), seq.mean(-1)], dim=-1)       # (N, 16, 2)
        w = ember.where(s > 0, s, s.abs().sqrt())
        r, _ = self.rnn(seq.transpose(0, 1))
        parts = w.split([4, 12], dim=1)
        q = parts[0].unsqueeze(1).squeeze(1).reshape(x.shape[0], -1)  # (N, 8)
        out = F.softmax(q, dim=-1) + F.log_softmax(q, dim=1).exp() + F.hardswish(q) \
            + F.sigmoid(q) * F.tanh(q) + F.softplus(q) + F.relu6(q) + (q ** 2) / 3
        out = ember.cat([out, self.bn(h.transpose(0, 1)[:, :, :1].reshape(-1, 4, 1)
                                       .repeat(1, 1, 2).reshape(-1, 8)[:, :6]),
                         r[-1, :, :2].max(dim=1, keepdim=True)[0], (q > 0.1).float()], dim=1)
        return out, q.amax(1) + q.var(1)


def test_op_coverage_dynamic_batch(tmp_path):
    ember.manual_seed(1)
    m = OpZoo().eval()
    path = str(tmp_path / "zoo.onnx")
    ember.onnx.export(m, ember.randn(2, 4, 8, 8), path, input_names=["x"],
                      output_names=["y", "z"], dynamic_axes={"x": [0], "y": [0], "z": [0]})
    proto = _check(path)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "x_dynamic_axes_1"
    x = ember.randn(3, 4, 8, 8)
    got = _run(path, {"x": x.numpy()})
    want = _eager(m, x)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-4, atol=1e-4)


def test_file_object_and_is_in_onnx_export():
    seen = []

    class M(nn.Module):
        def forward(self, x):
            seen.append(ember.onnx.is_in_onnx_export())
            return F.dropout(x * 2, 0.5, self.training)

    buf = io.BytesIO()
    ember.onnx.export(M(), (ember.ones(2, 3),), buf)
    assert seen == [True] and not ember.onnx.is_in_onnx_export()
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m, full_check=True)
    out = _run(buf.getvalue(), {m.graph.input[0].name: np.ones((2, 3), np.float32)})[0]
    np.testing.assert_allclose(out, 2.0)


def test_missing_converter_names_op_and_module():
    class Inner(nn.Module):
        def forward(self, x):
            return ember.cumprod(x, 0)

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Inner()

        def forward(self, x):
            return self.block(x) + 1

    with pytest.raises(ember.onnx.ExportError, match=r"Cumprod.*module 'block'.*test_export.py"):
        ember.onnx.export(Outer(), ember.ones(3), io.BytesIO())


def test_export_traced_script_module(tmp_path):
    ember.manual_seed(0)
    m = digits_cnn().eval()
    tm = ember.jit.trace(m, ember.randn(2, 1, 8, 8))
    path = str(tmp_path / "t.onnx")
    ember.onnx.export(tm, ember.randn(2, 1, 8, 8), path, input_names=["img"],
                      dynamic_axes={"img": {0: "n"}})
    _check(path)
    x = ember.randn(4, 1, 8, 8)
    np.testing.assert_allclose(_run(path, {"img": x.numpy()})[0], _eager(m, x).numpy(),
                               rtol=1e-4, atol=1e-4)


def test_scripted_control_flow_exports_if_and_loop(tmp_path):
    from test_script import Controlled
    ember.manual_seed(0)
    m = Controlled()
    with ember.no_grad():
        m.layers[1].bias.fill_(-1.0)
    sm = ember.jit.script(m)
    path = str(tmp_path / "c.onnx")
    ember.onnx.export(sm, ember.randn(5, 4) * 10, path, input_names=["x"],
                      dynamic_axes={"x": {0: "n"}})
    proto = _check(path)
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("If") == 1 and ops.count("Loop") == 2
    for x in [ember.randn(5, 4) * 10, -ember.ones(2, 4) * 5, ember.randn(1, 4), ember.randn(7, 4)]:
        np.testing.assert_allclose(_run(path, {"x": x.numpy()})[0], _eager(m, x).numpy(),
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opset", [14, 18, 20])
def test_other_opsets_and_param_options(opset, tmp_path):
    ember.manual_seed(1)
    m = OpZoo().eval()
    path = str(tmp_path / "z.onnx")
    ember.onnx.export(m, ember.randn(2, 4, 8, 8), path, opset_version=opset, input_names=["x"],
                      dynamic_axes={"x": [0]})
    proto = _check(path)
    assert proto.opset_import[0].version == opset
    x = ember.randn(3, 4, 8, 8)
    for g, w in zip(_run(path, {"x": x.numpy()}), _eager(m, x)):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-4, atol=1e-4)
    p = ember.onnx.export(m, ember.randn(2, 4, 8, 8), None, opset_version=opset,
                          export_params=False)
    names = {i.name for i in p.graph.input}
    assert "c1.weight" in names and not any(i.name == "c1.weight" for i in p.graph.initializer)
    onnx.checker.check_model(p, full_check=True)
