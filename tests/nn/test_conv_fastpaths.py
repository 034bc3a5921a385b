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


# depthwise convolutions (one input channel per group) run the direct per-channel kernels:
# (N, C, H, W, multiplier, k, stride, padding, dilation); stride 1 with multiplier 1 takes
# the input gradient as a flipped-kernel depthwise convolution, the others the scatter
DEPTHWISE = [
    (3, 6, 11, 10, 1, 3, 1, 1, 1),      # flat grid, cropped columns
    (2, 5, 9, 9, 1, 3, 2, 1, 1),        # strided
    (2, 4, 8, 7, 2, 3, 1, 2, 2),        # channel multiplier 2, dilated
    (2, 3, 9, 8, 3, 2, 2, 0, 1),        # multiplier 3, strided, unpadded (windows of x)
    (4, 8, 6, 6, 1, 1, 1, 0, 1),        # 1x1 depthwise (a per-channel scale)
]


@pytest.mark.parametrize("case", DEPTHWISE)
def test_depthwise_direct_kernels_match_torch(case, monkeypatch):
    N, C, H, W, m, k, s, p, d = case
    monkeypatch.setattr(conv_ops, "_DW_CHUNK_BYTES", 1)        # one sample per chunk
    xe, xt = _pair((N, C, H, W), 0)
    we, wt = _pair((C * m, 1, k, k), 1)
    be, bt = _pair((C * m,), 2)
    kw = dict(stride=s, padding=p, dilation=d, groups=C)
    ye = ember.nn.functional.conv2d(xe, we, be, **kw)
    yt = torch.nn.functional.conv2d(xt, wt, bt, **kw)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    ge, gt = _pair(tuple(yt.shape), 3, grad=False)
    ye.backward(ge)
    yt.backward(gt)
    for a, b in [(xe, xt), (we, wt), (be, bt)]:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)
    # the transposed depthwise convolution (weight (C, m, k, k)) goes through the same kernels
    te = ember.nn.functional.conv_transpose2d(xe.detach(), we.detach().reshape(C, m, k, k),
                                              stride=s, padding=p, dilation=d, groups=C)
    tt = torch.nn.functional.conv_transpose2d(xt.detach(), wt.detach().reshape(C, m, k, k),
                                              stride=s, padding=p, dilation=d, groups=C)
    np.testing.assert_allclose(te.numpy(), tt.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("m,s", [(1, 1), (2, 2)])
def test_depthwise_gradcheck_double_backward(m, s):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((2, 3, 6, 5)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((3 * m, 1, 3, 3)), requires_grad=True)
    b = ember.tensor(rng.standard_normal((3 * m,)), requires_grad=True)
    fn = lambda a, c, e: ember.nn.functional.conv2d(a, c, e, stride=s, padding=1,  # noqa: E731
                                                    groups=3)
    assert ember.autograd.gradcheck(fn, (x, w, b))
    assert ember.autograd.gradgradcheck(fn, (x, w, b))
    ft = lambda a, c: ember.nn.functional.conv_transpose2d(a, c, stride=s, groups=3)  # noqa: E731
    assert ember.autograd.gradcheck(ft, (x, w.detach().reshape(3, m, 3, 3).requires_grad_()))


# Winograd F(2x2, 3x3) layers (thresholds lowered so small shapes take it):
# (N, C, OC, H, W, padding, bias): even and odd outputs, unpadded and over-padded
WINOGRAD = [
    (2, 5, 6, 8, 8, 1, True),
    (2, 4, 5, 16, 14, 1, True),     # rows of more than 4 tiles: the separable output transform
    (3, 4, 3, 7, 9, 1, False),      # odd output: cropped tiles
    (2, 3, 4, 6, 5, 0, True),       # unpadded (its input gradient pads by 2)
    (1, 2, 3, 5, 6, 2, False),
]


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("case", WINOGRAD)
def test_winograd_conv_matches_torch(case, chunked, monkeypatch):
    from ember.ops import conv_winograd
    monkeypatch.setattr(conv_winograd, "WINO_MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_winograd, "WINO_MIN_TILES", 1)
    if chunked:                                                 # one sample per chunk
        monkeypatch.setattr(conv_winograd, "WINO_CHUNK_BYTES", 1)
    N, C, OC, H, W, p, has_bias = case
    xe, xt = _pair((N, C, H, W), 0)
    we, wt = _pair((OC, C, 3, 3), 1)
    be, bt = _pair((OC,), 2) if has_bias else (None, None)
    ye = ember.nn.functional.conv2d(xe, we, be, padding=p)
    yt = torch.nn.functional.conv2d(xt, wt, bt, padding=p)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    ge, gt = _pair(tuple(yt.shape), 3, grad=False)
    ye.backward(ge)
    yt.backward(gt)
    for a, b in [(xe, xt), (we, wt)] + ([(be, bt)] if has_bias else []):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_winograd_thresholds_and_gradcheck(monkeypatch):
    from ember.ops import conv_winograd
    geo = conv_ops._Geom(16, 128, (16, 16), 128, (3, 3), (1, 1), (1, 1), (1, 1), (1, 1), 1)
    assert conv_winograd.applies(geo, np.dtype(np.float32))           # ResNet stage 2
    assert not conv_winograd.applies(geo, np.dtype(np.int64))         # integers stay exact
    assert not conv_winograd.applies(geo, np.dtype(np.float16))
    stage1 = conv_ops._Geom(16, 64, (32, 32), 64, (3, 3), (1, 1), (1, 1), (1, 1), (1, 1), 1)
    assert conv_winograd.applies(stage1, np.dtype(np.float32))        # ResNet stage 1
    small = conv_ops._Geom(16, 32, (32, 32), 64, (3, 3), (1, 1), (1, 1), (1, 1), (1, 1), 1)
    assert not conv_winograd.applies(small, np.dtype(np.float32))     # too few channels
    monkeypatch.setattr(conv_winograd, "WINO_MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_winograd, "WINO_MIN_TILES", 1)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = ember.tensor(rng.standard_normal((3,)), requires_grad=True)
    fn = lambda a, c, e: ember.nn.functional.conv2d(a, c, e, padding=1)   # noqa: E731
    assert ember.autograd.gradcheck(fn, (x, w, b))
    assert ember.autograd.gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("case", [(4, 6, 5, 8, 8, 1), (5, 3, 7, 16, 14, 1), (4, 4, 6, 7, 9, 1)])
def test_winograd_two_thread_split_matches_torch(case, kept, monkeypatch, split_calls):
    """With two threads every Winograd stage splits: the weight transform by output
    channels, the transforms and GEMMs by batch halves, the weight gradient by output
    channels when the forward kept its input transforms (``kept``) and by batch halves,
    their sums added, when it did not; the input gradient multiplies by the forward's U
    (kept, not made again) transposed, its tile positions permuted (narrow and separable
    output transforms)."""
    from ember import backend
    from ember.ops import conv_winograd
    monkeypatch.setattr(conv_winograd, "WINO_MIN_CHANNELS", 1)
    monkeypatch.setattr(conv_winograd, "WINO_MIN_TILES", 1)
    monkeypatch.setattr(conv_ops, "_SPLIT_MIN_COLS", 0)
    monkeypatch.setattr(backend, "host_threads_free", lambda: True)
    if not kept:
        monkeypatch.setattr(conv_ops, "_CACHE_COLS_BYTES", 0)
    seen = {"u": 0}
    real, real_u = conv_winograd._cover, conv_winograd.weight_transform
    monkeypatch.setattr(conv_winograd, "_cover",
                        lambda vs, n: seen.setdefault("cover", real(vs, n)))

    def count_u(*a, **k):
        seen["u"] += 1
        return real_u(*a, **k)
    monkeypatch.setattr(conv_winograd, "weight_transform", count_u)
    N, C, OC, H, W, p = case
    xe, xt = _pair((N, C, H, W), 0)
    we, wt = _pair((OC, C, 3, 3), 1)
    ye = ember.nn.functional.conv2d(xe, we, padding=p)
    yt = torch.nn.functional.conv2d(xt, wt, padding=p)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    ge, gt = _pair(tuple(yt.shape), 3, grad=False)
    ye.backward(ge)
    yt.backward(gt)
    assert len(split_calls) >= 4, "not every stage split"
    assert (seen["cover"] is not None) == kept
    assert seen["u"] == 1           # the input gradient used the forward's weight transform
    for a, b in [(xe, xt), (we, wt)]:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)
