"""quantize_dynamic against torch's: module types, repr, quantized weights bit for bit,
outputs within one activation quantization step."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

RNG = np.random.default_rng(1)


def _pair(build):
    ember.manual_seed(0)
    em = build(ember)
    tm = build(torch)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    return em.eval(), tm.eval()


def _mlp(L):
    return L.nn.Sequential(L.nn.Linear(16, 32), L.nn.ReLU(), L.nn.Linear(32, 8))


def _rnns(L):
    class M(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = L.nn.LSTM(6, 5, num_layers=2)
            self.gru = L.nn.GRU(5, 4, batch_first=True, bidirectional=True)
            self.fc = L.nn.Linear(8, 3)

        def forward(self, x):
            y, (h, c) = self.lstm(x)
            z, hz = self.gru(y.transpose(0, 1))
            return self.fc(z), h, c, hz
    return M()


def _quantize(L, m, spec, dtype):
    return L.ao.quantization.quantize_dynamic(m, spec, dtype=getattr(L, dtype))


@pytest.mark.parametrize("dtype", ["qint8", "float16"])
def test_dynamic_linear_as_torch(dtype):
    em, tm = _pair(_mlp)
    eq = _quantize(ember, em, {ember.nn.Linear}, dtype)
    tq = _quantize(torch, tm, {torch.nn.Linear}, dtype)
    assert repr(eq) == repr(tq).replace("torch", "ember")
    if dtype == "qint8":
        ew, tw = eq[0].weight(), tq[0].weight()
        np.testing.assert_array_equal(ew.int_repr().numpy(), tw.int_repr().numpy())
        assert ew.q_scale() == pytest.approx(tw.q_scale(), rel=1e-7)
    x = (RNG.standard_normal((10, 16)) * 2).astype(np.float32)
    e = eq(ember.tensor(x)).numpy()
    t = tq(torch.tensor(x)).detach().numpy()
    # one step of the activation's quantization grid, through the first layer's weights
    step = (x.max() - min(x.min(), 0)) / 127
    np.testing.assert_allclose(e, t, atol=max(step * 0.05, 1e-5) if dtype == "qint8" else 1e-5,
                               rtol=1e-4)
    assert list(eq.state_dict()) == list(tq.state_dict())


def test_dynamic_linear_is_bit_exact_with_torch():
    em, tm = _pair(lambda L: L.nn.Linear(64, 16))
    eq = _quantize(ember, ember.nn.Sequential(em), {ember.nn.Linear}, "qint8")
    tq = _quantize(torch, torch.nn.Sequential(tm), {torch.nn.Linear}, "qint8")
    x = RNG.standard_normal((7, 64)).astype(np.float32)
    e = eq(ember.tensor(x)).numpy()
    t = tq(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)


def test_dynamic_rnns_as_torch():
    em, tm = _pair(_rnns)
    spec_e = {ember.nn.Linear, ember.nn.LSTM, ember.nn.GRU}
    spec_t = {torch.nn.Linear, torch.nn.LSTM, torch.nn.GRU}
    eq = _quantize(ember, em, spec_e, "qint8")
    tq = _quantize(torch, tm, spec_t, "qint8")
    assert repr(eq) == repr(tq).replace("torch", "ember")
    assert list(eq.state_dict()) == list(tq.state_dict())
    x = RNG.standard_normal((7, 3, 6)).astype(np.float32)
    eo = eq(ember.tensor(x))
    to = tq(torch.tensor(x))
    for a, b in zip(eo, to):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), atol=2e-3, rtol=1e-3)


def test_unsupported_types_stay_float_and_errors():
    m = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.Conv1d(1, 1, 1))
    q = ember.ao.quantization.quantize_dynamic(m, {ember.nn.Linear, ember.nn.Conv1d})
    assert type(q[1]) is ember.nn.Conv1d
    assert type(q[0]).__name__ == "Linear" and q[0]._get_name() == "DynamicQuantizedLinear"
    assert ember.quantization.quantize_dynamic is ember.ao.quantization.quantize_dynamic
    with pytest.raises(RuntimeError, match="expected a float input"):
        q[0](ember.quantize_per_tensor(ember.ones(2, 4), 0.1, 0, ember.quint8))
