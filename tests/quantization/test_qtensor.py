"""Quantized tensors against torch: int_repr bit for bit, dequantized values, qparams, repr."""
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(0)
X = (RNG.standard_normal((6, 5)) * 3).astype(np.float32)


def _t(lib, dtype_name):
    return getattr(lib, dtype_name)


@pytest.mark.parametrize("dtype,scale,zp", [("qint8", 0.0237, 0), ("quint8", 0.05, 128),
                                            ("quint8", 1 / 3, 7), ("qint32", 0.001, 0),
                                            ("qint8", 0.1, -5)])
def test_per_tensor_as_torch(dtype, scale, zp):
    e = ember.quantize_per_tensor(ember.tensor(X), scale, zp, _t(ember, dtype))
    t = torch.quantize_per_tensor(torch.tensor(X), scale, zp, _t(torch, dtype))
    np.testing.assert_array_equal(e.int_repr().numpy(), t.int_repr().numpy())
    assert str(e.int_repr().dtype).replace("ember", "torch") == str(t.int_repr().dtype)
    np.testing.assert_array_equal(e.dequantize().numpy(), t.dequantize().numpy())
    assert e.q_scale() == t.q_scale() and e.q_zero_point() == t.q_zero_point()
    assert repr(e.qscheme()) == repr(t.qscheme()).replace("torch", "ember")
    assert repr(e.dtype) == repr(t.dtype).replace("torch", "ember")
    assert repr(e) == repr(t).replace("torch", "ember")
    assert e.is_quantized and tuple(e.shape) == tuple(t.shape)


@pytest.mark.parametrize("axis", [0, 1])
def test_per_channel_as_torch(axis):
    n = X.shape[axis]
    scales = np.linspace(0.01, 0.2, n)
    zps = np.arange(n) - 2
    e = ember.quantize_per_channel(ember.tensor(X), ember.tensor(scales), ember.tensor(zps),
                                   axis, ember.qint8)
    t = torch.quantize_per_channel(torch.tensor(X), torch.tensor(scales), torch.tensor(zps),
                                   axis, torch.qint8)
    np.testing.assert_array_equal(e.int_repr().numpy(), t.int_repr().numpy())
    np.testing.assert_array_equal(e.dequantize().numpy(), t.dequantize().numpy())
    np.testing.assert_array_equal(e.q_per_channel_scales().numpy(),
                                  t.q_per_channel_scales().numpy())
    np.testing.assert_array_equal(e.q_per_channel_zero_points().numpy(),
                                  t.q_per_channel_zero_points().numpy())
    assert e.q_per_channel_axis() == t.q_per_channel_axis()
    assert repr(e) == repr(t).replace("torch", "ember")


def test_float_ops_on_quantized_raise_and_errors():
    q = ember.quantize_per_tensor(ember.tensor(X), 0.1, 0, ember.qint8)
    with pytest.raises(NotImplementedError, match="QuantizedCPU"):
        q + 1
    with pytest.raises(NotImplementedError, match="aten::exp.*QuantizedCPU"):
        q.exp()
    # ops torch runs on quantized tensors: relu, max_pool, reshape (values exact)
    tq = torch.quantize_per_tensor(torch.tensor(X), 0.1, 0, torch.qint8)
    for fn in (lambda L, t: L.nn.functional.relu(t),
               lambda L, t: L.nn.functional.max_pool2d(t[None], 2),
               lambda L, t: t.reshape(-1), lambda L, t: L.flatten(t),
               lambda L, t: t.transpose(0, 1)):
        e, t = fn(ember, q), fn(torch, tq)
        assert e.dtype is ember.qint8 and e.q_scale() == t.q_scale()
        np.testing.assert_array_equal(e.int_repr().numpy(), t.int_repr().numpy())
    with pytest.raises(RuntimeError, match="expected a quantized dtype"):
        ember.quantize_per_tensor(ember.tensor(X), 0.1, 0, ember.int8)
    with pytest.raises(RuntimeError, match="Expected quantizer->qscheme"):
        q.q_per_channel_scales()
    assert ember.dequantize(ember.ones(2)).tolist() == [1.0, 1.0]


def test_pickle_and_save_round_trip(tmp_path):
    q = ember.quantize_per_tensor(ember.tensor(X), 0.1, 3, ember.quint8)
    q2 = pickle.loads(pickle.dumps(q))
    np.testing.assert_array_equal(q2.int_repr().numpy(), q.int_repr().numpy())
    assert q2.q_scale() == 0.1 and q2.dtype is ember.quint8


def test_save_load_in_torchs_format(tmp_path):
    q = ember.quantize_per_tensor(ember.tensor(X), 0.05, 3, ember.quint8)
    pc = ember.quantize_per_channel(ember.tensor(X), ember.tensor(np.linspace(0.1, 0.6, 6)),
                                    ember.tensor(np.arange(6)), 0, ember.qint8)
    path = tmp_path / "q.pt"
    ember.save({"q": q, "pc": pc, "dtype": ember.qint8}, path)
    t = torch.load(path)                     # torch reads ember's file (weights_only)
    np.testing.assert_array_equal(t["q"].int_repr().numpy(), q.int_repr().numpy())
    assert t["q"].q_scale() == 0.05 and t["q"].q_zero_point() == 3
    assert t["pc"].q_per_channel_axis() == 0 and t["dtype"] is torch.qint8
    torch.save(t, tmp_path / "t.pt")
    e = ember.load(tmp_path / "t.pt")         # and ember reads torch's
    assert repr(e["pc"]) == repr(pc) and repr(e["q"]) == repr(q)
    assert e["dtype"] is ember.qint8
