"""ember.vision's resnet18 and mobilenet_v2 through ONNX (onnxruntime) and jit.trace."""
import numpy as np
import pytest

import ember
import ember.nn as nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _lively(m):
    """Random BatchNorm statistics and affine parameters, so activations do not vanish
    through a randomly initialised deep network (outputs stay O(1))."""
    g = ember.Generator().manual_seed(0)
    with ember.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.8, 1.6, generator=g)
                mod.bias.uniform_(-0.2, 0.2, generator=g)
                mod.running_mean.uniform_(-0.1, 0.1, generator=g)
                mod.running_var.uniform_(0.05, 0.3, generator=g)
    return m.eval()


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_vision_model_onnx_and_trace(name, tmp_path):
    from ember.vision import models
    ember.manual_seed(0)
    m = _lively(getattr(models, name)(num_classes=10))
    path = str(tmp_path / f"{name}.onnx")
    ember.onnx.export(m, ember.randn(1, 3, 64, 64), path, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    x = ember.randn(2, 3, 64, 64)
    with ember.no_grad():
        want = m(x).numpy()
    assert np.abs(want).max() > 1e-2
    got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {"input": x.numpy()})[0]
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * max(scale, 1.0))
    tm = ember.jit.trace(m, ember.randn(1, 3, 64, 64), check_trace=False)
    with ember.no_grad():
        np.testing.assert_allclose(tm(x).numpy(), want, rtol=1e-5, atol=1e-6 * max(scale, 1.0))
