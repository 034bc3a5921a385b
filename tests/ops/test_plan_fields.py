"""Heavy ops' plan objects expose PyTorch-named fields (the contract dispatch modes such as
ONNX export and the profiler read)."""
import ember
import ember.nn.functional as F
from ember.autograd.dispatch import DispatchMode


class _Plans(DispatchMode):
    def __init__(self):
        self.calls = []

    def __ember_dispatch__(self, func, args, kwargs):
        self.calls.append((func.__name__, kwargs))
        return func.apply(*args, **kwargs)


def _plan(call, key):
    with _Plans() as mode:
        call()
    plans = [kw[key] for _, kw in mode.calls if key in kw]
    assert plans, f"no op received {key}="
    return plans[0]


def test_conv_geometry_fields():
    x, w = ember.randn(1, 4, 9, 8), ember.randn(6, 2, 3, 2)
    geo = _plan(lambda: F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
                "geo")
    assert geo.stride == (2, 1) and geo.padding == (1, 1) and geo.dilation == (1, 2)
    assert geo.groups == 2 and geo.kernel_size == (3, 2) and geo.pads == (1, 1, 1, 1)
    assert not geo.transposed and geo.output_padding == (0, 0)
    assert geo.output_size == tuple(F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2),
                                             groups=2).shape[2:])
    same = _plan(lambda: F.conv1d(ember.randn(1, 1, 7), ember.randn(1, 1, 4), padding="same"),
                 "geo")
    assert same.padding == "same" and same.pads == (1, 2)


def test_conv_transpose_geometry_fields():
    x, w = ember.randn(1, 2, 5, 5), ember.randn(2, 3, 3, 3)
    geo = _plan(lambda: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), "geo")
    assert geo.transposed and geo.stride == (2, 2) and geo.padding == (1, 1)
    assert geo.output_padding == (1, 1) and geo.groups == 1 and geo.kernel_size == (3, 3)
    assert geo.output_size == (10, 10)


def test_unfold_fold_block_fields():
    x = ember.randn(1, 2, 6, 7)
    b = _plan(lambda: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), "blocks")
    assert (b.kernel_size, b.dilation, b.padding, b.stride) == ((2, 3), (1, 2), (1, 1), (2, 1))
    cols = F.unfold(x, 2)
    f = _plan(lambda: F.fold(cols, (6, 7), 2), "blocks")
    assert f.output_size == (6, 7) and f.kernel_size == (2, 2)


def test_pooling_geometry_fields():
    x = ember.randn(1, 1, 9, 9)
    g = _plan(lambda: F.max_pool2d(x, 3, stride=2, padding=1, dilation=1, ceil_mode=True), "geo")
    assert (g.kernel_size, g.stride, g.padding, g.dilation) == ((3, 3), (2, 2), (1, 1), (1, 1))
    assert g.ceil_mode is True and g.output_size == (5, 5) and not g.adaptive
    a = _plan(lambda: F.avg_pool2d(x, 2, count_include_pad=False, divisor_override=3), "geo")
    assert a.stride == (2, 2) and a.count_include_pad is False and a.divisor_override == 3
    ad = _plan(lambda: F.adaptive_avg_pool2d(x, (4, 3)), "geo")
    assert ad.adaptive and ad.output_size == (4, 3) and ad.kernel_size is None


def test_upsampling_plan_fields():
    x = ember.randn(1, 1, 4, 5)
    p = _plan(lambda: F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=True),
              "axes")
    assert p.mode == "bilinear" and p.align_corners is True
    assert p.scale_factor == (2.0, 2.0) and p.output_size == (8, 10)
    n = _plan(lambda: F.interpolate(x, size=(3, 7)), "axes")
    assert n.mode == "nearest" and n.align_corners is None and n.scale_factor is None
    assert n.output_size == (3, 7)
