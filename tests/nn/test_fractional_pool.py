"""FractionalMaxPool2d/3d and F.fractional_max_pool*: parity with torch on the same samples."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


CASES = [
    (2, (2, 3, 7, 9), (2, 3), dict(output_size=(4, 5))),
    (2, (3, 8, 8), 3, dict(output_size=1)),
    (2, (1, 2, 10, 6), 2, dict(output_ratio=(0.5, 0.7))),
    (3, (2, 2, 6, 7, 5), (2, 3, 2), dict(output_size=(3, 4, 2))),
    (3, (2, 5, 6, 7), 2, dict(output_ratio=(0.5, 0.5, 0.6))),
]


def _samples(rng, shape, n, dtype=np.float64):
    nb = shape[0] if len(shape) == n + 2 else 1
    return rng.random((nb, shape[-n - 1], n)).astype(dtype)


@pytest.mark.parametrize("n,shape,k,kw", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functional_parity(n, shape, k, kw, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    u = _samples(rng, shape, n, dtype)
    f = getattr(F, f"fractional_max_pool{n}d")
    tf = getattr(TF, f"fractional_max_pool{n}d")
    eo, ei = f(ember.tensor(x), k, return_indices=True, _random_samples=ember.tensor(u), **kw)
    to, ti = tf(torch.tensor(x), k, return_indices=True, _random_samples=torch.tensor(u), **kw)
    assert eo.dtype == getattr(ember, str(to.dtype).split(".")[1])
    assert str(ei.dtype) == "ember.int64"
    np.testing.assert_array_equal(eo.numpy(), to.numpy())
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    wi = getattr(F, f"fractional_max_pool{n}d_with_indices")(
        ember.tensor(x), k, _random_samples=ember.tensor(u), **kw)
    np.testing.assert_array_equal(wi[1].numpy(), ti.numpy())
    assert isinstance(f(ember.tensor(x), k, _random_samples=ember.tensor(u), **kw),
                      ember.Tensor)


@pytest.mark.parametrize("n,shape,k,kw", CASES[:1] + CASES[3:4])
def test_gradients_match_torch_and_gradcheck(n, shape, k, kw):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    u = _samples(rng, shape, n)
    g = rng.standard_normal((shape[0], shape[1]) + kw["output_size"])
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    getattr(F, f"fractional_max_pool{n}d")(ex, k, _random_samples=ember.tensor(u),
                                           **kw).backward(ember.tensor(g))
    getattr(TF, f"fractional_max_pool{n}d")(tx, k, _random_samples=torch.tensor(u),
                                            **kw).backward(torch.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy())
    us = ember.tensor(u)
    assert ember.autograd.gradcheck(
        lambda a: getattr(F, f"fractional_max_pool{n}d")(a, k, _random_samples=us, **kw),
        (ember.tensor(x, requires_grad=True),))


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
