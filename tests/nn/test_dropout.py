"""Dropout family: p validation, eval identity, mask statistics and scaling, the gradient
equals mask * scale (checked the same way on PyTorch), channel-wise masks, alpha dropout's
affine form, in-place forms, reproducibility with ember.manual_seed, repr."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck
from helpers import torch, needs_torch

_ALPHA = 1.7580993408473766
_FUNCS = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
          "feature_alpha_dropout"]
_LAYERS = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


def _x(shape, seed=0, lib=None, grad=False):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32) + 3.0  # nonzero
    return (lib or ember).from_numpy(a).requires_grad_(grad)


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("name", _FUNCS)
@pytest.mark.parametrize("p", [1.5, -0.1])
def test_p_validation(name, p):
    msg = f"dropout probability has to be between 0 and 1, but got {p}"
    with pytest.raises(ValueError, match=msg.replace(".", r"\.")):
        getattr(F, name)(_x((2, 3, 4)), p)
    if torch is not None:
        with pytest.raises(ValueError, match=msg.replace(".", r"\.")):
            getattr(torch.nn.functional, name)(_x((2, 3, 4), lib=torch), p)


@pytest.mark.parametrize("name", _LAYERS)
def test_layer_p_validation_and_repr(name):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        getattr(nn, name)(1.5)
    m = getattr(nn, name)(0.25, inplace=True)
    assert repr(m) == f"{name}(p=0.25, inplace=True)"
    assert repr(getattr(nn, name)()) == f"{name}(p=0.5, inplace=False)"
    assert m.state_dict() == {} or len(m.state_dict()) == 0
    if torch is not None:
        assert repr(getattr(torch.nn, name)(0.25, inplace=True)) == repr(m)


_SHAPES = {"dropout1d": (2, 3, 4), "dropout2d": (2, 3, 4, 1), "dropout3d": (2, 3, 2, 2, 2),
           "Dropout1d": (2, 3, 4),
           "Dropout3d": (2, 3, 2, 2, 2)}


@pytest.mark.parametrize("name", _FUNCS)
def test_eval_and_p0_return_input(name):
    x = _x(_SHAPES.get(name, (2, 3, 4)))
    training_default = name not in ("alpha_dropout", "feature_alpha_dropout")
    assert getattr(F, name)(x, 0.5, training=False) is x
    assert getattr(F, name)(x, 0.0, training=True) is x
    if not training_default:   # alpha dropouts default to training=False, as PyTorch
        assert getattr(F, name)(x, 0.5) is x


@pytest.mark.parametrize("name", _LAYERS)
def test_layers_identity_in_eval(name):
    m = getattr(nn, name)(0.5).eval()
    x = _x(_SHAPES.get(name, (2, 3, 4, 5)))
    assert m(x) is x
    m.train()
    ember.manual_seed(0)
    assert not np.array_equal(_np(m(x)), _np(x))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_and_scaling(p):
    ember.manual_seed(1)
    x = _x((200, 300))
    y = F.dropout(x, p)
    kept = _np(y) != 0
    assert abs(1 - kept.mean() - p) < 0.01          # 60000 draws: 4+ standard errors
    np.testing.assert_allclose(_np(y)[kept], _np(x)[kept] / (1 - p), rtol=1e-6)
    assert y.dtype == ember.float32


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_dropout_grad_is_mask_times_scale(lib_name):
    """The same check on both libraries: grad == (output != 0) / (1 - p)."""
    if lib_name == "torch" and torch is None:
        pytest.skip("PyTorch not installed")
    lib = ember if lib_name == "ember" else torch
    fn = F.dropout if lib is ember else torch.nn.functional.dropout
    x = _x((50, 40), lib=lib, grad=True)
    y = fn(x, 0.3)
    g = np.random.default_rng(3).standard_normal((50, 40)).astype(np.float32)
    y.backward(lib.from_numpy(g))
    mask = _np(y) != 0
    np.testing.assert_allclose(_np(x.grad), g * mask / 0.7, rtol=1e-6)
    if lib is ember:
        assert y.grad_fn.name() == "MulBackward0"


def test_dropout_p1_gives_zeros_and_zero_grad():
    x = _x((3, 4), grad=True)
    y = F.dropout(x, 1.0)
    assert (_np(y) == 0).all()
    y.sum().backward()
    assert (_np(x.grad) == 0).all()


def test_reproducible_with_manual_seed():
    x = _x((30, 30))
    ember.manual_seed(7)
    a = _np(F.dropout(x, 0.5))
    ember.manual_seed(7)
    b = _np(F.dropout(x, 0.5))
    c = _np(F.dropout(x, 0.5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)
    g = ember.Generator()   # masks come from the default generator only
    ember.manual_seed(7)
    g.manual_seed(8)
    np.testing.assert_array_equal(_np(F.dropout(x, 0.5)), a)


@pytest.mark.parametrize("name,shape,batched", [
    ("dropout1d", (4, 6, 5), True), ("dropout1d", (6, 5), False),
    ("dropout2d", (4, 6, 3, 5), True), ("dropout3d", (4, 6, 2, 3, 2), True),
    ("dropout3d", (6, 2, 3, 2), False)])
def test_channelwise_dropout_masks_whole_channels(name, shape, batched):
    ember.manual_seed(3)
    x = _x(shape, grad=True)
    y = getattr(F, name)(x, 0.5)
    assert tuple(y.shape) == shape
    out = _np(y).reshape((shape[0], shape[1], -1) if batched else (1, shape[0], -1))
    ref = _np(x).reshape(out.shape)
    zero = (out == 0).all(axis=-1)
    kept = np.isclose(out, ref * 2.0, rtol=1e-6).all(axis=-1)
    assert (zero | kept).all()            # each channel is dropped or kept as a whole
    assert zero.any() and kept.any()
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad).reshape(out.shape), np.where(zero[..., None], 0, 2.0)
                               * np.ones_like(out), rtol=1e-6)


@needs_torch
def test_channelwise_dropout_errors_and_warnings():
    for lib, fn in ((ember, F), (torch, torch.nn.functional)):
        with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received "
                                               "a 4D input"):
            fn.dropout1d(lib.zeros(2, 3, 4, 5), 0.5)
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            fn.dropout2d(lib.ones(2, 3, 4), 0.5)
        with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
            fn.dropout2d(lib.ones(2, 3), 0.5)
        with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
            fn.dropout3d(lib.ones(2, 3, 4), 0.5)
        with pytest.warns(UserWarning), pytest.raises(RuntimeError,
                                                      match="Feature dropout requires at least 2 "
                                                            "dimensions in the input"):
            fn.dropout2d(lib.ones(3), 0.5)


def _alpha_constants(p):
    a = 1.0 / np.sqrt((_ALPHA ** 2 * p + 1) * (1 - p))
    return a, _ALPHA * a * p, -_ALPHA * a + _ALPHA * a * p     # scale, kept shift, dropped value


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_affine_form(lib_name, feature):
    """Kept elements become a*x + alpha*a*p, dropped ones a constant; the gradient is a on
    kept elements and 0 elsewhere. Checked identically on PyTorch."""
    if lib_name == "torch" and torch is None:
        pytest.skip("PyTorch not installed")
    lib = ember if lib_name == "ember" else torch
    fns = F if lib is ember else torch.nn.functional
    fn = fns.feature_alpha_dropout if feature else fns.alpha_dropout
    p = 0.3
    a, shift, dropped = _alpha_constants(p)
    x = _x((20, 8, 6), lib=lib, grad=True)
    y = fn(x, p, training=True)
    out, xin = _np(y), _np(x)
    kept = np.isclose(out, a * xin + shift, rtol=1e-5, atol=1e-5)
    drop = np.isclose(out, dropped, rtol=1e-5, atol=1e-5)
    assert (kept | drop).all() and kept.any() and drop.any()
    if feature:
        assert (kept.all(axis=-1) | drop.all(axis=-1)).all()
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.where(kept, a, 0.0), rtol=1e-5)


def test_alpha_dropout_keeps_standard_normal_statistics():
    ember.manual_seed(0)
    x = ember.randn(200000)
    y = _np(F.alpha_dropout(x, 0.2, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_inplace_dropout():
    ember.manual_seed(0)
    x = _x((10, 10))
    before = _np(x).copy()
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    kept = _np(x) != 0
    np.testing.assert_allclose(_np(x)[kept], before[kept] * 2, rtol=1e-6)
    assert (~kept).any()
    # on a non-leaf under autograd the gradient still flows through the mask
    leaf = _x((10, 10), grad=True)
    h = leaf * 1.0
    out = nn.Dropout(0.5, inplace=True)(h)
    assert out is h
    out.sum().backward()
    np.testing.assert_allclose(_np(leaf.grad), (_np(out) != 0) * 2.0, rtol=1e-6)
    x2 = _x((2, 6, 5))
    assert F.dropout1d(x2[0], 0.5, inplace=True) is not None


def test_inplace_dropout_on_leaf_requiring_grad_raises():
    x = _x((3, 3), grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(x, 0.5, inplace=True)


@needs_torch
def test_integer_input():
    xe, xt = ember.ones(2, 3, dtype=ember.int64), torch.ones(2, 3, dtype=torch.int64)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.dropout(xt, 0.5)
    with pytest.raises(RuntimeError) as ours:
        F.dropout(xe, 0.5)
    assert str(ours.value) == str(theirs.value)
    assert F.dropout(xe, 0.5, training=False) is xe


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_dtype_preserved(dtype):
    x = _x((8, 8, 2, 2)).to(getattr(ember, dtype))
    for name in ("dropout", "dropout2d", "alpha_dropout"):
        y = getattr(F, name)(x, 0.5, training=True)
        assert y.dtype == x.dtype


def test_alpha_dropout_layers_ignore_inplace():
    x = _x((4, 5))
    before = _np(x).copy()
    nn.AlphaDropout(0.5, inplace=True)(x)
    nn.FeatureAlphaDropout(0.5, inplace=True)(x)
    np.testing.assert_array_equal(_np(x), before)


@pytest.mark.parametrize("name", ["dropout", "dropout2d", "alpha_dropout"])
def test_dropout_gradcheck_and_double_backward(name):
    x = ember.from_numpy(np.random.default_rng(0).standard_normal((3, 4, 2, 2))).requires_grad_()

    def fn(x):
        ember.manual_seed(11)    # the same mask at every evaluation
        return getattr(F, name)(x, 0.4, training=True)
    assert gradcheck(fn, (x,))
    ones = ember.ones(3, 4, 2, 2, dtype=ember.float64)
    mask = _np(fn(ones)) - _np(fn(ones * 0))     # out = x * mask (+ shift)
    y = fn(x)
    gx, = ember.autograd.grad((y * y).sum(), x, create_graph=True)   # 2 * y * mask
    gx.sum().backward()                                               # d/dx: 2 * mask^2
    np.testing.assert_allclose(_np(x.grad), 2 * mask * mask, rtol=1e-12)
