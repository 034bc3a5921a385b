"""Parity of the convolution fast paths with PyTorch: 1x1 stride-1 convolutions computed
on the input itself (both column layouts), products written straight into the output,
columns of several batch chunks kept for the weight gradient, and ReLU's array backward."""
import numpy as np
import pytest

import ember
from ember.ops import conv as conv_ops

torch = pytest.importorskip("torch")


def _pair(shape, seed, grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return (ember.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad))


# (N, C, H, W, OC, k, stride, padding, groups, bias): sample-major and channel-major 1x1,
# grouped 1x1, and 3x3 layers whose columns span several chunks
CASES = [
    (4, 8, 20, 20, 16, 1, 1, 0, 1, True),     # 1x1, sample-major (L = 400)
    (3, 64, 5, 5, 32, 1, 1, 0, 1, False),     # 1x1, channel-major (L = 25)
    (2, 12, 17, 17, 6, 1, 1, 0, 3, True),     # grouped 1x1
    (5, 6, 9, 9, 4, 1, 2, 0, 2, False),       # strided 1x1 (windows of the input)
    (12, 32, 16, 16, 16, 3, 1, 1, 1, True),   # 3x3 over several batch chunks
    (6, 3, 32, 32, 8, 3, 1, 1, 1, True),      # 3x3 sample-major, product into the output
]


@pytest.mark.parametrize("case", CASES)
def test_conv2d_fast_paths_match_torch(case, monkeypatch):
    N, C, H, W, OC, k, s, p, g, has_bias = case
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 64 << 10)   # force several chunks
    xe, xt = _pair((N, C, H, W), 0)
    we, wt = _pair((OC, C // g, k, k), 1)
    be, bt = _pair((OC,), 2) if has_bias else (None, None)
    ye = ember.nn.functional.conv2d(xe, we, be, stride=s, padding=p, groups=g)
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=p, groups=g)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    ge, gt = _pair(tuple(yt.shape), 3, grad=False)
    ember.nn.functional.relu(ye).backward(ge)
    torch.nn.functional.relu(yt).backward(gt)
    for a, b in [(xe, xt), (we, wt)] + ([(be, bt)] if has_bias else []):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("C,H", [(4, 20), (40, 4)])
def test_conv2d_1x1_gradcheck_double_backward(C, H):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((2, C, H, H)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((3, C, 1, 1)), requires_grad=True)
    fn = lambda a, b: ember.nn.functional.conv2d(a, b)    # noqa: E731
    assert ember.autograd.gradcheck(fn, (x, w))
    assert ember.autograd.gradgradcheck(fn, (x, w))
