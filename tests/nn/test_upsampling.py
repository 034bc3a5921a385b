"""Resampling: F.interpolate (every mode, size / scale_factor, align_corners both ways,
recompute_scale_factor, non-integer scales), the upsample* aliases, pixel_shuffle /
pixel_unshuffle, and nn.Upsample / UpsamplingNearest2d / UpsamplingBilinear2d /
PixelShuffle / PixelUnshuffle, against PyTorch.

Forward values, input gradients, dtypes (float64 gradcheck / gradgradcheck: the op table,
tests/ops/samples_upsampling.py), grad_fn names,
reprs and error messages. float32 tolerances: rtol=1e-5, atol=1e-5 (bicubic: 2e-5).
"""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as EF
from ember.autograd import gradcheck
from helpers import torch, needs_torch, assert_close

if torch is not None:
    import torch.nn.functional as TF

import ember.nn as nn

RTOL, ATOL = 1e-5, 1e-5


def randn(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def check(fe, ft, a, grad=True, rtol=RTOL, atol=ATOL, seed=1):
    xe = ember.tensor(a, requires_grad=grad)
    xt = torch.tensor(a, requires_grad=grad)
    ye, yt = fe(xe), ft(xt)
    assert_close(ye, yt, rtol, atol)
    if grad and yt.numel():
        g = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(a.dtype)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        assert_close(xe.grad, xt.grad, rtol, atol * 4)
    return ye, yt


MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
         2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
         3: ["nearest", "nearest-exact", "trilinear", "area"]}
SCALES = [0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0, 1 / 3, 4.0, 0.3, 1.75]


def _torch_backward_is_wrong(mode, nd, shape, kw):
    """PyTorch's backward copies the gradient when the output size equals the input size
    for 1-d/3-d 'nearest' and 'bicubic', even when a scale factor made the forward not a
    copy (its gradcheck fails there); ember's gradient is the true one (tested below)."""
    if "scale_factor" not in kw or kw.get("recompute_scale_factor") or \
            mode not in ("nearest", "bicubic"):
        return False
    if mode == "nearest" and nd == 2:
        return False
    sf = kw["scale_factor"]
    sf = sf if isinstance(sf, list) else [sf] * nd
    return any(int(n * s) == n and s != 1.0 for n, s in zip(shape[2:], sf))


@pytest.fixture(params=["dense", "taps"])
def path(request, monkeypatch):
    """Short axes resize by a GEMM; 'taps' forces the gather path used for long axes."""
    if request.param == "taps":
        monkeypatch.setattr(ember.ops.upsampling, "_DENSE_MAX", 0)
    return request.param


@needs_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_interpolate_fuzz(nd, path):
    """Random sizes, integer and non-integer scale factors, both align_corners."""
    rng = np.random.default_rng(nd)
    for mode in MODES[nd]:
        for _ in range(25):
            sp = tuple(int(v) for v in rng.integers(1, 9 if nd < 3 else 5, nd))
            shape = (2, 2) + sp
            kw = {"mode": mode}
            if rng.random() < 0.5:
                sf = [float(rng.choice(SCALES)) for _ in sp]
                kw["scale_factor"] = sf if rng.random() < 0.5 else sf[0]
                if rng.random() < 0.3:
                    kw["recompute_scale_factor"] = True
            else:
                kw["size"] = [int(v) for v in rng.integers(1, 12, nd)]
            if mode in ("linear", "bilinear", "trilinear", "bicubic"):
                kw["align_corners"] = bool(rng.integers(0, 2))
            try:
                TF.interpolate(torch.zeros(shape), **kw)
            except RuntimeError as e:
                with pytest.raises(RuntimeError) as info:
                    EF.interpolate(ember.zeros(shape), **kw)
                assert str(info.value) == str(e)
                continue
            grad = not _torch_backward_is_wrong(mode, nd, shape, kw) and mode != "area" or \
                mode == "area" and "size" in kw and all(kw["size"])
            tol = 2e-5 if mode == "bicubic" else ATOL
            check(lambda x: EF.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
                  randn(*shape, seed=int(rng.integers(1 << 30))), grad=grad, atol=tol)


@needs_torch
@pytest.mark.parametrize("mode,align", [("nearest", None), ("nearest-exact", None),
                                        ("bilinear", False), ("bilinear", True),
                                        ("bicubic", False), ("bicubic", True), ("area", None)])
@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(scale_factor=(1.5, 0.75)),
                                dict(size=(7, 3)), dict(size=5), dict(scale_factor=2.3),
                                dict(scale_factor=(2.5, 1.3), recompute_scale_factor=True)])
def test_interpolate_2d(mode, align, kw, path):
    tol = 2e-5 if mode == "bicubic" else ATOL
    check(lambda x: EF.interpolate(x, mode=mode, align_corners=align, **kw),
          lambda x: TF.interpolate(x, mode=mode, align_corners=align, **kw),
          randn(2, 3, 6, 5), atol=tol)


@needs_torch
def test_interpolate_long_axes_and_non_finite():
    """Axes past the GEMM size use gathers; inf/NaN stay local (no 0 * inf)."""
    check(lambda x: EF.interpolate(x, size=(3, 520), mode="bilinear"),
          lambda x: TF.interpolate(x, size=(3, 520), mode="bilinear"), randn(1, 2, 2, 300))
    a = randn(1, 2, 5, 6)
    a[0, 0, 1, 2] = np.inf
    a[0, 1, 3, 3] = np.nan
    for mode in ["nearest", "bilinear", "bicubic"]:
        check(lambda x: EF.interpolate(x, scale_factor=1.5, mode=mode),
              lambda x: TF.interpolate(x, scale_factor=1.5, mode=mode), a, grad=False)


@needs_torch
def test_interpolate_large_scales_and_identity():
    a = randn(1, 2, 3, 4)
    for kw in [dict(scale_factor=7.3), dict(scale_factor=0.34), dict(size=(3, 4)),
               dict(size=(1, 1)), dict(size=(6, 8)), dict(size=(25, 2))]:
        for mode in ["nearest", "nearest-exact", "bilinear", "bicubic"]:
            extra = {} if mode.startswith("nearest") else {"align_corners": False}
            check(lambda x: EF.interpolate(x, mode=mode, **kw, **extra),
                  lambda x: TF.interpolate(x, mode=mode, **kw, **extra), a, atol=2e-5)
    # same size: a copy, never a view of the input
    x = ember.tensor(a)
    y = EF.interpolate(x, size=(3, 4))
    y[0, 0, 0, 0] = 100.0
    assert x[0, 0, 0, 0].item() != 100.0


def test_true_gradient_where_torch_copies():
    """See _torch_backward_is_wrong: ember's backward matches its forward."""
    x = ember.tensor(randn(1, 1, 7, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda v: EF.interpolate(v, scale_factor=1.1), (x,))
    x = ember.tensor(randn(1, 1, 5, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda v: EF.interpolate(v, scale_factor=1.1, mode="bicubic"), (x,))


@needs_torch
@pytest.mark.parametrize("dt", ["float64", "float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic", "nearest-exact"])
def test_interpolate_dtypes(dt, mode):
    a = randn(1, 2, 5, 7)
    xe = ember.tensor(a).to(getattr(ember, dt))
    xt = torch.tensor(a).to(getattr(torch, dt))
    tol = 1e-12 if dt == "float64" else 1e-2
    assert_close(EF.interpolate(xe, scale_factor=1.7, mode=mode),
                 TF.interpolate(xt, scale_factor=1.7, mode=mode), tol, tol)


@needs_torch
def test_interpolate_uint8():
    a = np.random.default_rng(0).integers(0, 255, (1, 2, 5, 7)).astype(np.uint8)
    for mode in ["nearest", "nearest-exact"]:
        assert_close(EF.interpolate(ember.tensor(a), scale_factor=1.7, mode=mode),
                     TF.interpolate(torch.tensor(a), scale_factor=1.7, mode=mode))
    # bilinear: PyTorch's fixed-point weights; ember rounds float32 (within 1)
    ye = EF.interpolate(ember.tensor(a), scale_factor=1.7, mode="bilinear")
    yt = TF.interpolate(torch.tensor(a), scale_factor=1.7, mode="bilinear")
    assert ye.dtype == ember.uint8
    assert np.abs(ye.numpy().astype(int) - yt.numpy().astype(int)).max() <= 1
    with pytest.raises(NotImplementedError, match="bicubic"):
        EF.interpolate(ember.tensor(a), scale_factor=2, mode="bicubic")


# (float64 gradcheck and gradgradcheck of every mode: the op table,
# tests/ops/samples_upsampling.py)


@needs_torch
def test_grad_fn_names():
    x = ember.tensor(randn(1, 4, 3, 3), requires_grad=True)
    xt = torch.tensor(randn(1, 4, 3, 3), requires_grad=True)
    for kw in [dict(mode="nearest"), dict(mode="nearest-exact"), dict(mode="bilinear"),
               dict(mode="bicubic")]:
        assert EF.interpolate(x, scale_factor=2, **kw).grad_fn.name() == \
            TF.interpolate(xt, scale_factor=2, **kw).grad_fn.name()
    assert EF.interpolate(x.flatten(2), scale_factor=2, mode="linear").grad_fn.name() == \
        "UpsampleLinear1DBackward0"
    assert EF.pixel_shuffle(x, 2).grad_fn.name() == "PixelShuffleBackward0"
    assert EF.pixel_unshuffle(x, 3).grad_fn.name() == "PixelUnshuffleBackward0"


@needs_torch
def test_deprecated_aliases_warn():
    a = randn(1, 2, 3, 4)
    for name, kw in [("upsample", dict(scale_factor=2)), ("upsample_nearest", dict(size=5)),
                     ("upsample_bilinear", dict(scale_factor=2))]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ye = getattr(EF, name)(ember.tensor(a), **kw)
        assert any(f"nn.functional.{name}` is deprecated" in str(m.message) for m in w)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yt = getattr(TF, name)(torch.tensor(a), **kw)
        assert_close(ye, yt)


# ---------------------------------------------------------------------------------------
# pixel shuffle


@needs_torch
@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((9, 2, 2), 3), ((2, 1, 4, 3, 5), 2),
                                     ((1, 3, 2, 2), 1)])
def test_pixel_shuffle(shape, r):
    a = randn(*shape)
    ye, yt = check(lambda x: EF.pixel_shuffle(x, r), lambda x: TF.pixel_shuffle(x, r), a)
    assert ye.is_contiguous()
    back = EF.pixel_unshuffle(ye.detach(), r)
    assert_close(back, torch.tensor(a))
    check(lambda x: EF.pixel_unshuffle(x, r), lambda x: TF.pixel_unshuffle(x, r),
          yt.detach().numpy())
    ints = np.arange(int(np.prod(shape))).reshape(shape)
    assert_close(EF.pixel_shuffle(ember.tensor(ints), r), TF.pixel_shuffle(torch.tensor(ints), r))


# ---------------------------------------------------------------------------------------
# layers


@needs_torch
@pytest.mark.parametrize("name,args,kwargs", [
    ("Upsample", (), dict(scale_factor=2)),
    ("Upsample", (), dict(size=(5, 7), mode="bilinear")),
    ("Upsample", (), dict(scale_factor=(1.5, 2), mode="bicubic", align_corners=True)),
    ("Upsample", (), dict(scale_factor=2.5, mode="nearest-exact", recompute_scale_factor=True)),
    ("Upsample", (7,), dict(mode="area")),
    ("UpsamplingNearest2d", (), dict(scale_factor=3)),
    ("UpsamplingNearest2d", ((4, 9),), {}),
    ("UpsamplingBilinear2d", (), dict(scale_factor=2)),
    ("UpsamplingBilinear2d", (), dict(size=6)),
    ("PixelShuffle", (2,), {}),
    ("PixelUnshuffle", (2,), {}),
])
def test_layers(name, args, kwargs):
    m_e = getattr(nn, name)(*args, **kwargs)
    m_t = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == []
    a = randn(2, 4, 4, 6)
    tol = 2e-5 if kwargs.get("mode") == "bicubic" else ATOL
    for mode in ("train", "eval"):
        getattr(m_e, mode)()
        getattr(m_t, mode)()
        check(m_e, m_t, a, atol=tol)
    for attr in ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor",
                 "name", "upscale_factor", "downscale_factor"):
        assert getattr(m_e, attr, "-") == getattr(m_t, attr, "-")


@needs_torch
def test_upsample_reprs():
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(scale_factor=0)) == repr(torch.nn.Upsample(scale_factor=0))
    assert repr(nn.Upsample(scale_factor=(2, 3))) == repr(torch.nn.Upsample(scale_factor=(2, 3)))
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == \
        "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"


# ---------------------------------------------------------------------------------------
# errors: same exception type and message as PyTorch

x4 = randn(1, 2, 4, 5)
x3 = randn(1, 2, 5)

ERRORS = [
    ("out_zero", lambda F, T: F.interpolate(T(x4), scale_factor=0.1)),
    ("out_zero_size", lambda F, T: F.interpolate(T(x4), size=(0, 3))),
    ("out_zero_1d", lambda F, T: F.interpolate(T(x3), size=0, mode="linear")),
    ("neg_scale", lambda F, T: F.interpolate(T(x4), scale_factor=-2)),
    ("size_list_float", lambda F, T: F.interpolate(T(x4), size=[2.5, 3])),
    ("scale_len", lambda F, T: F.interpolate(T(x4), scale_factor=[2, 2, 2])),
    ("size_len", lambda F, T: F.interpolate(T(x4), size=[2, 2, 2])),
    ("both", lambda F, T: F.interpolate(T(x4), size=2, scale_factor=2)),
    ("none", lambda F, T: F.interpolate(T(x4))),
    ("align_nearest", lambda F, T: F.interpolate(T(x4), scale_factor=2, align_corners=True)),
    ("align_area", lambda F, T: F.interpolate(T(x4), scale_factor=2, mode="area",
                                              align_corners=False)),
    ("recompute_size", lambda F, T: F.interpolate(T(x4), size=3, recompute_scale_factor=True)),
    ("bad_mode", lambda F, T: F.interpolate(T(x4), scale_factor=2, mode="foo")),
    ("antialias_nearest", lambda F, T: F.interpolate(T(x4), scale_factor=2, antialias=True)),
    ("2d_input", lambda F, T: F.interpolate(T(randn(3, 4)), scale_factor=2)),
    ("6d_input", lambda F, T: F.interpolate(T(randn(1, 1, 1, 1, 3, 4)), scale_factor=2)),
    ("linear_4d", lambda F, T: F.interpolate(T(x4), scale_factor=2, mode="linear")),
    ("bilinear_3d", lambda F, T: F.interpolate(T(x3), scale_factor=2, mode="bilinear")),
    ("bicubic_3d", lambda F, T: F.interpolate(T(x3), scale_factor=2, mode="bicubic")),
    ("trilinear_4d", lambda F, T: F.interpolate(T(x4), scale_factor=2, mode="trilinear")),
    ("lanczos_no_aa", lambda F, T: F.interpolate(T(x4), scale_factor=2, mode="lanczos")),
    ("long_input", lambda F, T: F.interpolate(T(x4.astype(np.int64)), scale_factor=2)),
    ("ps_2d", lambda F, T: F.pixel_shuffle(T(randn(2, 2)), 2)),
    ("ps_channels", lambda F, T: F.pixel_shuffle(T(randn(1, 3, 2, 2)), 2)),
    ("ps_zero", lambda F, T: F.pixel_shuffle(T(randn(1, 4, 2, 2)), 0)),
    ("ps_neg", lambda F, T: F.pixel_shuffle(T(randn(1, 4, 2, 2)), -1)),
    ("ps_float", lambda F, T: F.pixel_shuffle(T(randn(1, 4, 2, 2)), 2.0)),
    ("pu_height", lambda F, T: F.pixel_unshuffle(T(randn(1, 1, 3, 4)), 2)),
    ("pu_width", lambda F, T: F.pixel_unshuffle(T(randn(1, 1, 4, 3)), 2)),
    ("pu_2d", lambda F, T: F.pixel_unshuffle(T(randn(4, 4)), 2)),
    ("pu_zero", lambda F, T: F.pixel_unshuffle(T(randn(1, 1, 4, 4)), 0)),
]


@needs_torch
@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, call):
    with pytest.raises(Exception) as t_err:
        call(TF, torch.tensor)
    with pytest.raises(Exception) as e_err:
        call(EF, ember.tensor)
    assert type(e_err.value) is type(t_err.value)
    if name == "long_input":     # PyTorch names an internal kernel variant
        assert "not implemented for 'Long'" in str(e_err.value)
    else:
        assert str(e_err.value) == str(t_err.value)


def test_not_supported_options():
    x = ember.tensor(x4)
    with pytest.raises(NotImplementedError, match="antialias"):
        EF.interpolate(x, scale_factor=2, mode="bilinear", antialias=True)
    with pytest.raises(NotImplementedError, match="lanczos"):
        EF.interpolate(x, scale_factor=2, mode="lanczos", antialias=True)
