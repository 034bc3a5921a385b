"""Convolutions, transposed convolutions, pad, unfold/fold: functional and module parity with
PyTorch on the same weights (outputs, input and parameter gradients), every option
(stride, padding int/tuple/'same'/'valid', dilation, groups incl. depthwise, bias,
output_padding, padding modes, unbatched inputs), every internal code path (column layouts,
flat grid, batch chunking), double backward against torch's, repr/state_dict/init,
and PyTorch's exception types and messages."""
import math
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.ops.conv as conv_ops
from helpers import torch, needs_torch, assert_close, assert_module_parity

RTOL, ATOL = 1e-4, 1e-4
# PyTorch warns that an even 'same' kernel needs a padded copy; not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _arr(shape, seed=0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _pair(a, grad=True):
    """The same array as an ember and a torch tensor (requiring grad when float)."""
    e, t = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if grad and a.dtype.kind == "f":
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def _check(fe, ft, arrays, grads=True, rtol=RTOL, atol=ATOL):
    """Run fe(ember tensors) and ft(torch tensors); compare outputs and every gradient."""
    pairs = [_pair(a, grads) if a is not None else (None, None) for a in arrays]
    ye = fe(*[p[0] for p in pairs])
    yt = ft(*[p[1] for p in pairs])
    assert_close(ye, yt, rtol, atol, msg="output")
    if not grads:
        return ye
    g = _arr(tuple(yt.shape), seed=7)
    ye.backward(ember.from_numpy(g.copy()))
    yt.backward(torch.from_numpy(g.copy()))
    for i, (e, t) in enumerate(pairs):
        if e is not None:
            assert_close(e.grad, t.grad, rtol, atol, msg=f"grad of input {i}")
    return ye


# Every internal path: (flat-grid threshold, sample-major min L, chunk bytes).
_PATHS = {
    "default": None,
    "cm-exact": (1.0, 10 ** 9, 1 << 40),
    "nm-flat": (10.0, 0, 1 << 40),
    "cm-flat-chunked": (10.0, 10 ** 9, 1),
    "nm-exact-chunked": (1.0, 0, 1),
}


@pytest.fixture(params=list(_PATHS))
def path(request, monkeypatch):
    cfg = _PATHS[request.param]
    if cfg is not None:
        monkeypatch.setattr(conv_ops, "_FLAT_MAX_WASTE", cfg[0])
        monkeypatch.setattr(conv_ops, "_NM_MIN_L", cfg[1])
        monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", cfg[2])
    return request.param


# ---------------------------------------------------------------------------------------
# functional convolutions

CONV2D_CASES = [
    dict(),
    dict(padding=1),
    dict(padding=(2, 0), stride=(2, 1)),
    dict(stride=2, padding=1),
    dict(stride=(3, 2)),
    dict(dilation=2, padding=2),
    dict(dilation=(2, 1), padding=(1, 3), stride=(1, 2)),
    dict(padding="same"),
    dict(padding="same", dilation=(2, 3)),
    dict(padding="valid"),
    dict(groups=2, padding=1),
    dict(groups=4, padding=1, stride=2),          # depthwise (groups == in_channels)
    dict(groups=4, padding="same", dilation=2),   # depthwise with channel multiplier 2
    dict(padding=[1, 1], stride=[1, 2]),
]


@needs_torch
@pytest.mark.parametrize("kw", CONV2D_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_parity(path, kw, bias):
    groups = kw.get("groups", 1)
    oc = 8
    x = _arr((3, 4, 9, 8), 1)
    w = _arr((oc, 4 // groups, 3, 2), 2)
    b = _arr((oc,), 3) if bias else None
    _check(lambda x, w, b: F.conv2d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw), [x, w, b])


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(padding=2, stride=3), dict(padding="same"),
                                dict(dilation=3, padding=1, groups=2), dict(groups=4),
                                dict(padding="same", dilation=2)])
def test_conv1d_parity(path, kw):
    groups = kw.get("groups", 1)
    x, w, b = _arr((2, 4, 13), 1), _arr((4, 4 // groups, 4), 2), _arr((4,), 3)
    _check(lambda x, w, b: F.conv1d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv1d(x, w, b, **kw), [x, w, b])


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(padding=1), dict(padding=(1, 0, 2), stride=(2, 1, 3)),
                                dict(padding="same", dilation=(1, 2, 1)), dict(groups=2, padding=1)])
def test_conv3d_parity(path, kw):
    groups = kw.get("groups", 1)
    x, w, b = _arr((2, 4, 5, 6, 7), 1), _arr((6, 4 // groups, 2, 3, 3), 2), _arr((6,), 3)
    _check(lambda x, w, b: F.conv3d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv3d(x, w, b, **kw), [x, w, b])


@needs_torch
@pytest.mark.parametrize("n", [1, 2, 3])
def test_conv_unbatched(n):
    fe = getattr(F, f"conv{n}d")
    ft = getattr(torch.nn.functional, f"conv{n}d")
    x = _arr((3,) + (6,) * n, 1)
    w = _arr((5, 3) + (3,) * n, 2)
    ye = _check(lambda x, w: fe(x, w, padding=1), lambda x, w: ft(x, w, padding=1), [x, w])
    assert ye.shape == (5,) + (6,) * n


@needs_torch
def test_conv_larger_batch_chunks_and_cached_columns(monkeypatch):
    """A batch split into uneven chunks; a single chunk keeps its columns for backward."""
    x, w, b = _arr((7, 4, 8, 8), 1), _arr((5, 4, 3, 3), 2), _arr((5,), 3)
    geo = conv_ops._Geom(7, 4, (8, 8), 5, (3, 3), (1, 1), (1, 1), (1, 1), (1, 1), 1)
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 3 * 4 * 9 * geo.L * 4)  # 3 samples per chunk
    assert [c[:2] for c in geo.chunks()] == [(0, 3), (3, 6), (6, 7)]
    _check(lambda x, w, b: F.conv2d(x, w, b, padding=1),
           lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1), [x, w, b])
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 1 << 30)
    (xe, xt), (we, wt) = _pair(x), _pair(w)
    y = F.conv2d(xe, we, padding=1)
    assert y.grad_fn.cols is not None            # one chunk: columns kept for backward
    y.sum().backward()
    assert getattr(y.grad_fn, "cols", None) is None
    torch.nn.functional.conv2d(xt, wt, padding=1).sum().backward()
    assert_close(we.grad, wt.grad, RTOL, ATOL)
    assert_close(xe.grad, xt.grad, RTOL, ATOL)


@needs_torch
def test_conv_large_layers_match(path):
    """Sizes where the layout heuristics pick the sample-major path and the batch is chunked."""
    x, w, b = _arr((5, 3, 20, 20), 1), _arr((16, 3, 3, 3), 2), _arr((16,), 3)
    _check(lambda x, w, b: F.conv2d(x, w, b, padding=1),
           lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1), [x, w, b])
    x, w = _arr((4, 16, 10, 10), 4), _arr((8, 16, 1, 1), 5)
    _check(lambda x, w: F.conv2d(x, w, stride=2), lambda x, w: torch.nn.functional.conv2d(x, w, stride=2),
           [x, w])


@needs_torch
def test_conv_non_contiguous_input_and_weight():
    xa = _arr((4, 3, 9, 8), 1)
    wa = _arr((4, 6, 3, 3), 2)
    xe, xt = _pair(xa)
    we, wt = _pair(wa)
    ye = F.conv2d(xe.transpose(0, 1), we.transpose(0, 1), padding=1)
    yt = torch.nn.functional.conv2d(xt.transpose(0, 1), wt.transpose(0, 1), padding=1)
    assert_close(ye, yt, RTOL, ATOL)
    ye.sum().backward()
    yt.sum().backward()
    assert_close(xe.grad, xt.grad, RTOL, ATOL)
    assert_close(we.grad, wt.grad, RTOL, ATOL)


@needs_torch
def test_conv_float64_and_dtypes():
    x, w = _arr((2, 3, 6, 6), 1, np.float64), _arr((4, 3, 3, 3), 2, np.float64)
    ye = _check(lambda x, w: F.conv2d(x, w), lambda x, w: torch.nn.functional.conv2d(x, w), [x, w],
                rtol=1e-10, atol=1e-10)
    assert ye.dtype is ember.float64
    # integer convolution is exact, as in PyTorch
    xi = np.random.default_rng(0).integers(-5, 5, (2, 3, 6, 6))
    wi = np.random.default_rng(1).integers(-5, 5, (4, 3, 3, 3))
    yi = F.conv2d(ember.from_numpy(xi), ember.from_numpy(wi), padding=1)
    assert yi.dtype is ember.int64
    np.testing.assert_array_equal(
        yi.numpy(), torch.nn.functional.conv2d(torch.from_numpy(xi), torch.from_numpy(wi), padding=1).numpy())


@needs_torch
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_conv_half_precision(dt):
    x, w, b = _arr((2, 3, 6, 6), 1), _arr((4, 3, 3, 3), 2), _arr((4,), 3)
    e = [ember.from_numpy(a).to(getattr(ember, dt)).requires_grad_() for a in (x, w, b)]
    t = [torch.from_numpy(a).to(getattr(torch, dt)).requires_grad_() for a in (x, w, b)]
    ye, yt = F.conv2d(*e, padding=1), torch.nn.functional.conv2d(*t, padding=1)
    assert ye.dtype is getattr(ember, dt)
    assert_close(ye, yt, 2e-2, 5e-2)
    ye.float().sum().backward()
    yt.float().sum().backward()
    for a, b_ in zip(e, t):
        assert a.grad.dtype is getattr(ember, dt)
        assert_close(a.grad, b_.grad, 2e-2, 1e-1)


@needs_torch
def test_conv_empty_batch():
    ye = F.conv2d(ember.zeros((0, 3, 5, 5)), ember.zeros((2, 3, 3, 3)))
    assert ye.shape == (0, 2, 3, 3)
    yt = torch.nn.functional.conv_transpose2d(torch.zeros((0, 3, 5, 5)), torch.zeros((3, 2, 3, 3)))
    assert F.conv_transpose2d(ember.zeros((0, 3, 5, 5)), ember.zeros((3, 2, 3, 3))).shape == yt.shape


# ---------------------------------------------------------------------------------------
# transposed convolutions

CONVT2D_CASES = [
    dict(),
    dict(stride=2),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(3, 2), padding=(1, 0), output_padding=(2, 1)),
    dict(dilation=2, padding=1),
    dict(dilation=2, output_padding=1),            # output_padding < dilation, stride 1
    dict(groups=2, stride=2, padding=1),
    dict(groups=4, padding=1),                      # depthwise
    dict(stride=2, padding=2, dilation=(1, 2), groups=2, output_padding=1),
]


@needs_torch
@pytest.mark.parametrize("kw", CONVT2D_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose2d_parity(path, kw, bias):
    groups = kw.get("groups", 1)
    x = _arr((3, 4, 5, 6), 1)
    w = _arr((4, 6 // groups if groups != 4 else 2, 3, 2), 2)
    oc = w.shape[1] * groups
    b = _arr((oc,), 3) if bias else None
    _check(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv_transpose2d(x, w, b, **kw), [x, w, b])


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(stride=3, padding=1, output_padding=2),
                                dict(groups=2, dilation=2)])
def test_conv_transpose1d_parity(path, kw):
    groups = kw.get("groups", 1)
    x, w, b = _arr((2, 4, 7), 1), _arr((4, 6 // groups, 3), 2), _arr((6,), 3)
    _check(lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv_transpose1d(x, w, b, **kw), [x, w, b])


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(1, 2, 2), groups=2)])
def test_conv_transpose3d_parity(path, kw):
    groups = kw.get("groups", 1)
    x, w, b = _arr((2, 4, 3, 4, 5), 1), _arr((4, 4 // groups, 2, 3, 3), 2), _arr((4,), 3)
    _check(lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw), [x, w, b])


@needs_torch
def test_conv_transpose_unbatched():
    x, w = _arr((4, 5, 5), 1), _arr((4, 3, 3, 3), 2)
    ye = _check(lambda x, w: F.conv_transpose2d(x, w, stride=2),
                lambda x, w: torch.nn.functional.conv_transpose2d(x, w, stride=2), [x, w])
    assert ye.shape == (3, 11, 11)


# ---------------------------------------------------------------------------------------
# double backward against torch's (float64 gradcheck/gradgradcheck of every conv, pad and
# unfold/fold sample: tests/ops/samples_conv.py)

@needs_torch
def test_conv_double_backward_matches_torch():
    """Gradient of a gradient (create_graph): the backward is made of differentiable ops."""
    xa, wa = _arr((2, 3, 5, 5), 1, np.float64), _arr((4, 3, 3, 3), 2, np.float64)
    res = []
    for lib, fn in ((ember, F.conv2d), (torch, torch.nn.functional.conv2d)):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        y = fn(x, w, padding=1, stride=2)
        gx, gw = lib.autograd.grad((y ** 2).sum(), (x, w), create_graph=True)
        (gx.sum() + (gw ** 2).sum()).backward()
        res.append((x.grad, w.grad))
    assert_close(res[0][0], res[1][0], 1e-9, 1e-9)
    assert_close(res[0][1], res[1][1], 1e-9, 1e-9)


def test_conv_grad_fn_name():
    y = F.conv2d(ember.ones((1, 1, 3, 3), requires_grad=True), ember.ones((1, 1, 2, 2)))
    assert y.grad_fn.name() == "ConvolutionBackward0"


# ---------------------------------------------------------------------------------------
# functional errors (PyTorch's types and messages)

def _raises(exc, msg, fn, *args, **kw):
    with pytest.raises(exc, match=re.escape(msg)):
        fn(*args, **kw)


def test_conv_errors():
    w = ember.zeros((2, 3, 3, 3))
    _raises(RuntimeError, "Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] "
            "to have 3 channels, but got 4 channels instead", F.conv2d, ember.zeros((1, 4, 5, 5)), w)
    _raises(RuntimeError, "Given groups=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] "
            "to have 3 channels", F.conv2d, ember.zeros((4, 5, 5)), w)
    _raises(RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input "
            "of size: [2, 3]", F.conv2d, ember.zeros((2, 3)), w)
    _raises(RuntimeError, "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input "
            "of size: [1, 3, 5, 5]", F.conv1d, ember.zeros((1, 3, 5, 5)), ember.zeros((2, 3, 3)))
    _raises(RuntimeError, "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). "
            "Kernel size can't be greater than actual input size", F.conv2d,
            ember.zeros((1, 3, 2, 2)), w)
    _raises(RuntimeError, "padding='same' is not supported for strided convolutions", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, stride=2, padding="same")
    _raises(RuntimeError, "Invalid padding string: 'foo'", F.conv2d, ember.zeros((1, 3, 5, 5)), w,
            padding="foo")
    _raises(RuntimeError, "negative padding is not supported", F.conv2d, ember.zeros((1, 3, 5, 5)),
            w, padding=-1)
    _raises(RuntimeError, "non-positive stride is not supported", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, stride=0)
    _raises(RuntimeError, "dilation should be greater than zero, but got [0, 0]", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, dilation=0)
    _raises(RuntimeError, "non-positive groups is not supported", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, groups=0)
    _raises(RuntimeError, "expected padding to be a single integer value or a list of 2 values to "
            "match the convolution dimensions, but got padding=[1, 1, 1]", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, padding=(1, 1, 1))
    _raises(RuntimeError, "Given weight of size [2, 3, 3, 3], expected bias to be 1-dimensional "
            "with 2 elements, but got bias of size [3] instead", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, ember.zeros(3))
    _raises(RuntimeError, "Given groups=2, expected weight to be divisible by 2 at dimension 0, but "
            "got weight of size [[3, 3, 3, 3]] instead", F.conv2d, ember.zeros((1, 6, 5, 5)),
            ember.zeros((3, 3, 3, 3)), groups=2)
    _raises(RuntimeError, "expected scalar type Float but found Double", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w.double())
    _raises(RuntimeError, "Input type (float) and bias type (double) should be the same", F.conv2d,
            ember.zeros((1, 3, 5, 5)), w, ember.zeros(2, dtype=ember.float64))
    _raises(NotImplementedError, "not implemented for 'Bool'", F.conv2d,
            ember.zeros((1, 3, 5, 5), dtype=ember.bool), w.bool())
    _raises(TypeError, "conv2d(): argument 'input' (position 1) must be Tensor, not list", F.conv2d,
            [1.0], w)


def test_conv_transpose_errors():
    w = ember.zeros((4, 2, 3, 3))
    _raises(RuntimeError, "Given transposed=1, weight of size [4, 2, 3, 3], expected "
            "input[1, 3, 5, 5] to have 4 channels, but got 3 channels instead",
            F.conv_transpose2d, ember.zeros((1, 3, 5, 5)), w)
    _raises(RuntimeError, "output padding must be smaller than either stride or dilation, but got "
            "output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 "
            "dilation_height: 1 dilation_width: 1", F.conv_transpose2d,
            ember.zeros((1, 4, 5, 5)), w, stride=2, output_padding=2)
    _raises(TypeError, "conv_transpose2d(): argument 'padding' must be tuple of ints, not str",
            F.conv_transpose2d, ember.zeros((1, 4, 5, 5)), w, padding="same")
    _raises(RuntimeError, "Given input size per channel: (1 x 1). Calculated output size per "
            "channel: (-3 x -3). Output size is too small", F.conv_transpose2d,
            ember.zeros((1, 4, 1, 1)), w, padding=3)
    _raises(RuntimeError, "Given transposed=1, weight of size [4, 2, 3, 3], expected bias to be "
            "1-dimensional with 2 elements, but got bias of size [4] instead", F.conv_transpose2d,
            ember.zeros((1, 4, 5, 5)), w, ember.zeros(4))
    _raises(RuntimeError, "Given groups=3, expected weight to be divisible by 3 at dimension 0",
            F.conv_transpose2d, ember.zeros((1, 4, 5, 5)), w, groups=3)
    _raises(RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but "
            "got input of size: [4, 5]", F.conv_transpose2d, ember.zeros((4, 5)), w)


@needs_torch
def test_conv_error_types_match_torch():
    """The same bad calls raise the same exception types in both libraries."""
    calls = [((1, 4, 5, 5), (2, 3, 3, 3), {}), ((2, 3), (2, 3, 3, 3), {}),
             ((1, 3, 2, 2), (2, 3, 3, 3), {}), ((1, 3, 5, 5), (2, 3, 3, 3), dict(stride=2, padding="same"))]
    for xs, ws, kw in calls:
        with pytest.raises(Exception) as et:
            torch.nn.functional.conv2d(torch.zeros(xs), torch.zeros(ws), **kw)
        with pytest.raises(et.type):
            F.conv2d(ember.zeros(xs), ember.zeros(ws), **kw)


# ---------------------------------------------------------------------------------------
# pad (parity and gradcheck in every mode: tests/ops/samples_conv.py)

@needs_torch
def test_pad_constant_any_dims_and_value():
    x = _arr((2, 3, 4, 5, 2), 1)
    pad = (1, 1, 0, 2, -1, 1, 2, 0, 1, 1)
    _check(lambda x: F.pad(x, pad, value=2.5), lambda x: torch.nn.functional.pad(x, pad, value=2.5),
           [x], rtol=0, atol=0)
    xi = np.arange(3)
    assert F.pad(ember.from_numpy(xi), (1, 1), value=1.5).tolist() == \
        torch.nn.functional.pad(torch.from_numpy(xi), (1, 1), value=1.5).tolist()


def test_pad_errors():
    x = ember.zeros((1, 2, 3))
    _raises(RuntimeError, "Padding length must be divisible by 2", F.pad, x, (1, 2, 3))
    _raises(RuntimeError, "Padding length should be less than or equal to two times the input "
            "dimension but got padding length 8 and input of dimension 3", F.pad, x, (1,) * 8)
    _raises(RuntimeError, "Argument #4: Padding size should be less than the corresponding input "
            "dimension, but got: padding (3, 3) at dimension 2 of input [1, 2, 3]", F.pad, x, (3, 3),
            mode="reflect")
    _raises(NotImplementedError, "Padding size 4 is not supported for 2D input tensor.", F.pad,
            ember.zeros((2, 3)), (1, 1, 1, 1), mode="reflect")
    _raises(NotImplementedError, "Unrecognised padding mode foo", F.pad, x, (1, 1), mode="foo")
    _raises(RuntimeError, "Padding value causes wrapping around more than once.", F.pad, x, (4, 1),
            mode="circular")
    _raises(RuntimeError, 'Padding mode "replicate" doesn\'t take in value argument', F.pad, x,
            (1, 1), mode="replicate", value=2.0)
    _raises(RuntimeError, "resulted in a negative output size", F.pad, x, (-2, -3))


# ---------------------------------------------------------------------------------------
# unfold / fold

@needs_torch
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), padding=1, stride=(2, 1),
                                                          dilation=(1, 2)),
                                dict(kernel_size=3, stride=2, padding=(0, 1))])
def test_unfold_fold_parity(kw):
    x = _arr((2, 3, 7, 6), 1)
    ye = _check(lambda x: F.unfold(x, **kw), lambda x: torch.nn.functional.unfold(x, **kw), [x],
                rtol=0, atol=0)
    cols = _arr(tuple(ye.shape), 2)
    _check(lambda c: F.fold(c, (7, 6), **kw), lambda c: torch.nn.functional.fold(c, (7, 6), **kw),
           [cols], rtol=1e-6, atol=1e-6)
    # unbatched
    _check(lambda x: F.unfold(x, **kw), lambda x: torch.nn.functional.unfold(x, **kw), [x[0]],
           rtol=0, atol=0)
    _check(lambda c: F.fold(c, (7, 6), **kw), lambda c: torch.nn.functional.fold(c, (7, 6), **kw),
           [cols[0]], rtol=1e-6, atol=1e-6)


@needs_torch
def test_fold_unfold_modules_and_errors():
    x = _arr((2, 3, 6, 6), 1)
    for me, mt in ((nn.Unfold(2, padding=1), torch.nn.Unfold(2, padding=1)),
                   (nn.Fold((3, 4), 2), torch.nn.Fold((3, 4), 2))):
        assert repr(me) == repr(mt)
    _check(nn.Unfold((2, 3), stride=2), torch.nn.Unfold((2, 3), stride=2), [x])
    _check(nn.Fold((3, 4), 2), torch.nn.Fold((3, 4), 2), [_arr((2, 8, 6), 3)])
    _raises(RuntimeError, "Given output_size=(3, 4), kernel_size=(2, 2), dilation=(1, 1), "
            "padding=(0, 0), stride=(1, 1), expected size of input's dimension 2 to match the "
            "calculated number of sliding blocks 2 * 3 = 6, but got input.size(2)=5.", F.fold,
            ember.zeros((1, 8, 5)), (3, 4), 2)
    _raises(RuntimeError, "Expected size of input's dimension 1 to be divisible by the product of "
            "kernel_size, but got input.size(1)=7 and kernel_size=(2, 2).", F.fold,
            ember.zeros((1, 7, 6)), (3, 4), 2)
    _raises(RuntimeError, "calculated shape of the array of sliding blocks as (-1, 0), but its "
            "components must be at least one.", F.unfold, ember.zeros((1, 2, 3, 4)), 5)


# ---------------------------------------------------------------------------------------
# modules

MODULE_CASES = [
    ("Conv1d", (4, 6, 3), {}, (2, 4, 11)),
    ("Conv1d", (4, 6, 4), dict(padding="same", padding_mode="circular", dilation=2), (2, 4, 11)),
    ("Conv1d", (4, 4, 3), dict(padding=2, padding_mode="reflect", groups=4), (4, 9)),
    ("Conv2d", (3, 8, 3), {}, (2, 3, 8, 7)),
    ("Conv2d", (3, 8, (3, 2)), dict(stride=(2, 1), padding=(1, 2), bias=False), (2, 3, 8, 7)),
    ("Conv2d", (4, 8, 3), dict(padding=1, padding_mode="reflect", groups=2), (2, 4, 8, 7)),
    ("Conv2d", (4, 8, 3), dict(padding=(2, 1), padding_mode="replicate", stride=2), (2, 4, 8, 7)),
    ("Conv2d", (4, 8, 3), dict(padding=1, padding_mode="circular", dilation=(1, 2)), (4, 8, 7)),
    ("Conv2d", (4, 4, 4), dict(padding="same", padding_mode="reflect"), (2, 4, 8, 7)),
    ("Conv2d", (4, 4, 3), dict(padding="valid", groups=4), (2, 4, 8, 7)),
    ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="replicate"), (2, 2, 4, 5, 6)),
    ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=(1, 2, 1), padding="valid"), (2, 2, 4, 5, 6)),
    ("ConvTranspose1d", (4, 6, 3), dict(stride=2, output_padding=1, padding=1), (2, 4, 7)),
    ("ConvTranspose2d", (4, 6, 3), {}, (2, 4, 5, 6)),
    ("ConvTranspose2d", (4, 6, (3, 2)), dict(stride=2, padding=1, output_padding=1, groups=2,
                                             dilation=(1, 2), bias=False), (2, 4, 5, 6)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2), (4, 5, 6)),
    ("ConvTranspose3d", (2, 4, 2), dict(stride=(1, 2, 2), padding=(0, 1, 0)), (2, 2, 3, 4, 5)),
]


@needs_torch
@pytest.mark.parametrize("name,args,kw,shape", MODULE_CASES)
def test_module_parity(name, args, kw, shape):
    m_e, m_t, _, _ = assert_module_parity(lambda lib: getattr(lib.nn, name)(*args, **kw),
                                          [_arr(shape, 4)], rtol=RTOL, atol=ATOL,
                                          grad_rtol=RTOL, grad_atol=ATOL, check_repr=False)
    assert repr(m_e) == repr(m_t)
    for mode in ("eval", "train"):
        getattr(m_e, mode)()
        getattr(m_t, mode)()
        with ember.no_grad(), torch.no_grad():
            x = _arr(shape, 5)
            assert_close(m_e(ember.from_numpy(x)), m_t(torch.from_numpy(x)), RTOL, ATOL)


@needs_torch
def test_module_reprs():
    cases = [("Conv2d", (1, 2, 3), {}), ("Conv2d", (1, 2, 3), dict(padding="same")),
             ("Conv2d", (1, 2, 3), dict(padding="valid")),
             ("Conv1d", (4, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2, bias=False,
                                        padding_mode="circular")),
             ("ConvTranspose2d", (4, 2, 3), dict(stride=2, output_padding=1)),
             ("Conv3d", (2, 2, (1, 2, 3)), {}), ("ConvTranspose1d", (2, 4, 3), dict(groups=2))]
    for name, args, kw in cases:
        assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))
    assert repr(nn.Conv2d(1, 2, 3)) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))"


@needs_torch
def test_conv_transpose_output_size():
    x = _arr((1, 4, 6, 6), 1)
    for size in [(11, 11), (12, 12), [1, 3, 12, 11]]:
        m_e, _, _, _ = assert_module_parity(
            lambda lib: lib.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), [x],
            call=lambda m, x: m(x, output_size=size), rtol=RTOL, atol=ATOL, grad_rtol=RTOL,
            grad_atol=ATOL)
    with pytest.raises(ValueError, match=re.escape("requested an output size of [13, 13], but valid "
                                                   "sizes range from [11, 11] to [12, 12]")):
        m_e(ember.zeros((1, 4, 6, 6)), output_size=(13, 13))
    with pytest.raises(ValueError, match="ConvTranspose2D: for 4D input, output_size must have 2 or 4 "
                                         "elements"):
        m_e(ember.zeros((1, 4, 6, 6)), output_size=(13,))


def test_module_default_init_distribution():
    ember.manual_seed(0)
    m = nn.Conv2d(64, 128, 3, groups=2)
    fan_in = 32 * 9
    bound = 1 / math.sqrt(fan_in)     # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    w = m.weight.detach().numpy()
    assert w.shape == (128, 32, 3, 3)
    assert np.abs(w).max() <= bound + 1e-7
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    b = m.bias.detach().numpy()
    assert np.abs(b).max() <= bound and b.std() > 0.4 * bound
    t = nn.ConvTranspose2d(16, 8, 4, groups=4)
    assert t.weight.shape == (16, 2, 4, 4)
    bound_t = 1 / math.sqrt(2 * 16)   # fan_in from weight.shape[1] * prod(kernel)
    assert np.abs(t.weight.detach().numpy()).max() <= bound_t + 1e-7
    assert np.abs(t.bias.detach().numpy()).max() <= bound_t
    assert m.weight.dtype is ember.float32
    assert nn.Conv1d(2, 2, 3, dtype=ember.float64).weight.dtype is ember.float64


def test_module_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(4, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(4, 4, 3, padding="full")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect")
    m = nn.Conv2d(3, 2, 3)
    with pytest.raises(RuntimeError, match=re.escape("expected input[1, 4, 5, 5] to have 3 channels, "
                                                     "but got 4 channels instead")):
        m(ember.zeros((1, 4, 5, 5)))


def test_module_in_sequential_trains():
    """A small CNN trains: loss goes down with plain SGD."""
    ember.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3, stride=2),
                        nn.Flatten(), nn.Linear(2 * 3 * 3, 1))
    x = ember.randn((8, 1, 7, 7))
    y = ember.randn((8, 1))
    losses = []
    for _ in range(30):
        loss = ((net(x) - y) ** 2).mean()
        net.zero_grad()
        loss.backward()
        with ember.no_grad():
            for p in net.parameters():
                p -= 0.05 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


_SPLIT_CASES = [
    # (conv function, input shape, weight shape, keyword arguments)
    ("conv2d", (6, 3, 16, 16), (8, 3, 3, 3), dict(padding=1)),          # RGB stem, sample-major
    ("conv2d", (5, 8, 10, 10), (16, 8, 3, 3), dict(padding=1)),         # flat grid, odd batch
    ("conv2d", (6, 16, 4, 4), (24, 16, 3, 3), dict(padding=1)),         # channel-major
    ("conv2d", (4, 6, 9, 9), (8, 6, 3, 3), dict(stride=2, padding=1)),  # col2im input grad
    ("conv2d", (4, 6, 7, 7), (8, 6, 1, 1), {}),                         # 1x1 direct
    ("conv2d", (4, 6, 9, 9), (8, 3, 3, 3), dict(groups=2, dilation=2, padding=2)),
    ("conv1d", (6, 4, 20), (5, 4, 5), dict(padding=2)),
    ("conv_transpose2d", (4, 6, 5, 5), (6, 4, 3, 3), dict(stride=2, padding=1)),
    ("conv2d", (8, 128, 6, 6), (128, 128, 3, 3), dict(padding=1)),    # Winograd
    ("conv2d", (8, 128, 5, 5), (128, 128, 3, 3), dict(padding=1)),    # Winograd, odd tiles
]


@pytest.mark.parametrize("name,xs,ws,kw", _SPLIT_CASES)
@pytest.mark.parametrize("chunk_bytes", [None, 1])
def test_conv_batch_split_across_two_threads(monkeypatch, split_calls, name, xs, ws, kw,
                                             chunk_bytes):
    """The two-thread batch split (``_split_batch``: each half's im2col, 1-thread GEMMs
    and output writes on its own thread) gives the one-thread path's output and gradients
    to rounding (GEMMs over other column counts, the halves' weight sums added in another
    order); ``chunk_bytes=1``: one sample per chunk in each half."""
    from ember import backend
    fn = getattr(F, name)
    x, w, b = _arr(xs, 1), _arr(ws, 2), _arr((ws[1] if "transpose" in name else ws[0],), 3)
    if chunk_bytes is not None:
        monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(conv_ops, "_SPLIT_MIN_COLS", 0)
    if ws[1] >= 128:
        geo = conv_ops._Geom(xs[0], xs[1], xs[2:], ws[0], ws[2:], (1, 1), (1, 1), (1, 1),
                             (1, 1), 1)
        assert conv_ops._wino.applies(geo, np.dtype(np.float32))

    def run():
        xe, we, be = (ember.tensor(a, requires_grad=True) for a in (x, w, b))
        y = fn(xe, we, be, **kw)
        (y * ember.tensor(_arr(tuple(y.shape), 4))).sum().backward()
        return [t.detach().numpy() for t in (y, xe.grad, we.grad, be.grad)]
    monkeypatch.setattr(backend, "host_threads_free", lambda: False)
    one = run()
    monkeypatch.setattr(backend, "host_threads_free", lambda: True)
    two = run()
    assert len(split_calls) >= 2, "the forward and backward did not split"
    assert not backend.blas_pinned()
    for a, b_ in zip(one, two):
        np.testing.assert_allclose(b_, a, rtol=2e-5, atol=2e-5 * float(np.abs(a).max()))

