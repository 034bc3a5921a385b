"""FractionalMaxPool2d/3d modules, sample drawing and errors; functional parity and
gradients are op-table entries (tests/ops/samples_pool_tail.py)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")


def test_modules_repr_state_and_outputs():
    rng = np.random.default_rng(2)
    u = rng.random((1, 2, 2)).astype(np.float32)
    m = ember.nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True,
                                     _random_samples=ember.tensor(u))
    tm = torch.nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True,
                                      _random_samples=torch.tensor(u))
    assert repr(m) == repr(tm) == "FractionalMaxPool2d()"
    assert list(m.state_dict()) == list(tm.state_dict()) == ["_random_samples"]
    assert (m.kernel_size, m.output_ratio, m.output_size) == (
        tm.kernel_size, tm.output_ratio, tm.output_size)
    x = rng.standard_normal((1, 2, 9, 9)).astype(np.float32)
    (eo, ei), (to, ti) = m(ember.tensor(x)), tm(torch.tensor(x))
    np.testing.assert_array_equal(eo.numpy(), to.numpy())
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    m3 = ember.nn.FractionalMaxPool3d(2, output_size=(2, 3, 2))
    assert repr(m3) == "FractionalMaxPool3d()" and list(m3.state_dict()) == []
    out = m3(ember.randn(2, 2, 5, 6, 5))
    assert out.shape == (2, 2, 2, 3, 2)


def test_random_samples_drawn_when_missing():
    ember.manual_seed(0)
    x = ember.randn(2, 3, 10, 10)
    out, idx = F.fractional_max_pool2d(x, 2, output_size=5, return_indices=True)
    assert out.shape == (2, 3, 5, 5)
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 3, -1).gather(
        -1, idx.reshape(2, 3, -1)).reshape(2, 3, 5, 5).numpy())


@pytest.mark.parametrize("call,exc,msg", [
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=4), RuntimeError,
     "pool height 3 too large relative to input height 5"),
    (lambda x: F.fractional_max_pool2d(x, 3), ValueError,
     "requires specifying either an output_size or an output_ratio"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_size=2,
                                       _random_samples=ember.rand(1, 2, 3)), RuntimeError,
     r"_random_samples.size\(2\) equals to 2; got 3"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_size=2,
                                       _random_samples=ember.rand(1, 3, 2)), RuntimeError,
     r"size\(1\) equals to input channel size"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_size=2,
                                       _random_samples=ember.rand(1, 2, 2).double()),
     RuntimeError, "same dtype as input"),
    (lambda x: F.fractional_max_pool2d(x.long(), 2, output_size=2), NotImplementedError,
     "'Long'"),
    (lambda x: F.fractional_max_pool3d(ember.randn(1, 1, 5, 5, 5), 3, output_size=4),
     RuntimeError, "pool time 3 too large relative to input time 5"),
    (lambda x: ember.nn.FractionalMaxPool2d(3, output_ratio=1.5), ValueError,
     r"output_ratio must be between 0 and 1 \(got 1.5\)"),
    (lambda x: ember.nn.FractionalMaxPool2d(3), ValueError,
     "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio"),
    (lambda x: ember.nn.FractionalMaxPool3d(3, output_size=2, output_ratio=0.5), ValueError,
     "only one of output_size and output_ratio"),
])
def test_errors(call, exc, msg):
    x = ember.randn(1, 2, 5, 5)
    with pytest.raises(exc, match=msg):
        call(x)
