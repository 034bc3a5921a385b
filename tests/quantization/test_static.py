"""Eager-mode static PTQ and QAT against torch's on the same model, weights and data:
observers' qparams, fusion, prepared/converted reprs and state_dict keys, outputs within
one output quantization step."""
import re

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

RNG = np.random.default_rng(2)


def _rounded(text):
    """repr with every float printed to 5 significant digits: the float models' outputs
    differ from torch's in the last bit (GEMM summation order), so observed ranges and
    the scales derived from them may differ by one float32 ulp."""
    return re.sub(r"\d+\.\d{6,}(e-?\d+)?", lambda m: f"{float(m.group(0)):.5g}", text)


def _copy_weights(em, tm):
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})


def _net(L):
    q = L.ao.quantization

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = q.QuantStub()
            self.conv = L.nn.Conv2d(3, 8, 3, padding=1)
            self.bn = L.nn.BatchNorm2d(8)
            self.relu = L.nn.ReLU()
            self.conv2 = L.nn.Conv2d(8, 8, 3, stride=2, bias=False)
            self.skip = L.nn.Conv2d(8, 8, 1)
            self.add = L.ao.nn.quantized.FloatFunctional()
            self.fc = L.nn.Linear(8 * 2 * 2, 16)
            self.fc_relu = L.nn.ReLU()
            self.fc2 = L.nn.Linear(16, 5)
            self.dequant = q.DeQuantStub()

        def forward(self, x):
            x = self.quant(x)
            x = self.relu(self.bn(self.conv(x)))
            x = self.conv2(x)
            x = self.add.add(x, self.skip(x))
            x = L.nn.functional.max_pool2d(x, 2, stride=1)
            x = x.reshape(x.shape[0], -1)
            x = self.fc_relu(self.fc(x))
            return self.dequant(self.fc2(x))
    return Net()


def _pair():
    ember.manual_seed(0)
    em = _net(ember)
    # non-trivial BN statistics
    em.bn.running_mean.copy_(ember.tensor(RNG.standard_normal(8).astype(np.float32) * 0.1))
    em.bn.running_var.copy_(ember.tensor(RNG.uniform(0.5, 2, 8).astype(np.float32)))
    tm = _net(torch)
    _copy_weights(em, tm)
    return em.eval(), tm.eval()


FUSE = [["conv", "bn", "relu"], ["fc", "fc_relu"]]
CALIB = [(RNG.standard_normal((4, 3, 8, 8)) * s).astype(np.float32) for s in (1.0, 1.5, 0.7)]


def _ptq(L, m, backend):
    q = L.ao.quantization
    m.qconfig = q.get_default_qconfig(backend)
    fused = q.fuse_modules(m, FUSE)
    prepared = q.prepare(fused)
    for x in CALIB:
        prepared(L.tensor(x))
    return fused, prepared, q.convert(prepared)


@pytest.fixture
def torch_engine():
    old = torch.backends.quantized.engine
    yield lambda name: setattr(torch.backends.quantized, "engine", name)
    torch.backends.quantized.engine = old


@pytest.mark.parametrize("backend", ["x86", "qnnpack"])
def test_static_ptq_as_torch(backend, torch_engine):
    # qnnpack's qconfig (full 0..255 activations) is meant for the qnnpack engine: torch's
    # x86 kernels saturate int16 pair sums on it, ember's integer products are exact
    torch_engine("qnnpack" if backend == "qnnpack" else "x86")
    em, tm = _pair()
    ef, ep, ec = _ptq(ember, em, backend)
    tf, tp, tc = _ptq(torch, tm, backend)
    assert repr(ef) == repr(tf).replace("torch", "ember")
    assert list(ep.state_dict()) == list(tp.state_dict())
    # the histogram observer's L2 search gives torch's qparams
    e_obs = ep.conv.activation_post_process
    t_obs = tp.conv.activation_post_process
    eh, th = e_obs.histogram.numpy(), t_obs.histogram.numpy()
    # the same histogram up to values on a bin edge (float conv outputs differ in ulps)
    assert eh.sum() == pytest.approx(th.sum()) and np.abs(eh - th).sum() < 1e-3 * th.sum()
    es, ez = e_obs.calculate_qparams()
    ts, tz = t_obs.calculate_qparams()
    np.testing.assert_allclose(es.numpy(), ts.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(ez.numpy(), tz.numpy())
    # (torch's qnnpack engine packs a zero bias for bias=False convs and prints none)
    drop = ", bias=False" if backend == "qnnpack" else "@@"
    assert _rounded(repr(ec)).replace(drop, "") == _rounded(repr(tc).replace("torch", "ember"))
    assert list(ec.state_dict()) == list(tc.state_dict())
    np.testing.assert_array_equal(ec.conv.weight().int_repr().numpy(),
                                  tc.conv.weight().int_repr().numpy())
    x = (RNG.standard_normal((2, 3, 8, 8))).astype(np.float32)
    e = ec(ember.tensor(x)).numpy()
    t = tc(torch.tensor(x)).numpy()
    step = tc.fc2.scale
    assert np.abs(e - t).max() <= step * 1.01
    # x86: fbgemm's float requantization, emulated; qnnpack rounds with a fixed-point
    # multiplier, so more of its outputs land one step away
    same = (np.rint(e / step) == np.rint(t / step)).mean()
    assert same > (0.9 if backend == "x86" else 0.7)


def test_converted_model_requires_quantized_input_and_save_load(tmp_path):
    em, _ = _pair()
    _, _, ec = _ptq(ember, em, "x86")
    with pytest.raises(NotImplementedError, match="Could not run 'quantized::conv2d_relu.new' "
                                                  "with arguments from the 'CPU' backend"):
        ec.conv(ember.randn(1, 3, 8, 8))
    path = tmp_path / "q.pt"
    ember.save(ec.state_dict(), path)
    sd = ember.load(path)
    _, _, fresh = _ptq(ember, _pair()[0], "x86")
    fresh.load_state_dict(sd)
    x = ember.tensor(RNG.standard_normal((2, 3, 8, 8)).astype(np.float32))
    np.testing.assert_array_equal(fresh(x).numpy(), ec(x).numpy())


def test_observers_as_torch():
    x1 = (RNG.standard_normal((5, 7)) * 3).astype(np.float32)
    x2 = (RNG.standard_normal((5, 7)) + 2).astype(np.float32)
    cases = [
        lambda q, L: q.MinMaxObserver(),
        lambda q, L: q.MinMaxObserver(dtype=L.qint8, qscheme=L.per_tensor_symmetric),
        lambda q, L: q.MinMaxObserver(reduce_range=True),
        lambda q, L: q.MovingAverageMinMaxObserver(averaging_constant=0.1),
        lambda q, L: q.PerChannelMinMaxObserver(ch_axis=1, dtype=L.qint8,
                                                qscheme=L.per_channel_symmetric),
        lambda q, L: q.PerChannelMinMaxObserver(ch_axis=0),
        lambda q, L: q.HistogramObserver(),
        lambda q, L: q.HistogramObserver(bins=256, reduce_range=True),
    ]
    for make in cases:
        eo = make(ember.ao.quantization, ember)
        to = make(torch.ao.quantization, torch)
        for x in (x1, x2):
            eo(ember.tensor(x))
            to(torch.tensor(x))
        es, ez = eo.calculate_qparams()
        ts, tz = to.calculate_qparams()
        np.testing.assert_allclose(es.numpy(), ts.numpy(), rtol=1e-6)
        np.testing.assert_array_equal(ez.numpy(), tz.numpy())
        assert list(eo.state_dict()) == list(to.state_dict())


def _qat_net(L):
    return L.nn.Sequential(L.ao.quantization.QuantStub(), L.nn.Conv2d(2, 4, 3),
                           L.nn.BatchNorm2d(4), L.nn.ReLU(), L.nn.Flatten(),
                           L.nn.Linear(4 * 4 * 4, 3), L.ao.quantization.DeQuantStub())


def test_qat_as_torch():
    ember.manual_seed(0)
    em = _qat_net(ember)
    tm = _qat_net(torch)
    _copy_weights(em, tm)
    xs = [RNG.standard_normal((4, 2, 6, 6)).astype(np.float32) for _ in range(3)]
    ys = [RNG.integers(0, 3, 4) for _ in range(3)]
    models = []
    for L, m in ((ember, em), (torch, tm)):
        q = L.ao.quantization
        m.train()
        m.qconfig = q.get_default_qat_qconfig("x86")
        m = q.fuse_modules_qat(m, [["1", "2", "3"]])
        m = q.prepare_qat(m)
        opt = L.optim.SGD(m.parameters(), lr=0.05)
        for x, y in zip(xs, ys):
            loss = L.nn.functional.cross_entropy(m(L.tensor(x)), L.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.eval()
        models.append((m, q.convert(m)))
    (ep, ec), (tp, tc) = models
    assert list(ep.state_dict()) == list(tp.state_dict())
    np.testing.assert_allclose(ep[1].weight.detach().numpy(), tp[1].weight.detach().numpy(),
                               atol=1e-4)
    assert _rounded(repr(ec)) == _rounded(repr(tc).replace("torch", "ember"))
    x = RNG.standard_normal((2, 2, 6, 6)).astype(np.float32)
    e = ec(ember.tensor(x)).numpy()
    t = tc(torch.tensor(x)).numpy()
    assert np.abs(e - t).max() <= tc[5].scale * 1.01


def test_fake_quantize_straight_through():
    for L in (ember, torch):
        x = L.tensor([-3.0, -0.26, 0.0, 0.24, 0.5, 9.0], requires_grad=True)
        y = L.fake_quantize_per_tensor_affine(x, 0.1, 3, 0, 50) if L is torch else \
            ember.ao.quantization.fake_quantize_per_tensor_affine(x, 0.1, 3, 0, 50)
        y.sum().backward()
        if L is torch:
            t_y, t_g = y.detach().numpy(), x.grad.numpy()
        else:
            e_y, e_g = y.detach().numpy(), x.grad.numpy()
    np.testing.assert_allclose(e_y, t_y, rtol=1e-6)
    np.testing.assert_array_equal(e_g, t_g)


def test_prepare_warns_without_qconfig():
    with pytest.warns(UserWarning, match="None of the submodule got qconfig applied"):
        ember.ao.quantization.prepare(ember.nn.Sequential(ember.nn.Linear(2, 2)))
