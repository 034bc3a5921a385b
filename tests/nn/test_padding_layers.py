"""Padding layers, ChannelShuffle and nn.init.dirac_/eye_/sparse_ against torch: outputs,
input gradients, repr, errors."""
import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close

import ember

pytestmark = needs_torch

FAMILIES = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]
PADDINGS = {1: [2, (1, 3)], 2: [1, (1, 2, 0, 3)], 3: [1, (1, 0, 2, 1, 0, 2)]}


def _make(lib, family, dims, padding):
    cls = getattr(lib.nn, f"{family}{dims}d")
    return cls(padding, 0.5) if family == "ConstantPad" else cls(padding)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("batched", [True, False])
def test_padding_layer_matches_torch(family, dims, batched):
    rng = np.random.default_rng(dims)
    shape = ((2,) if batched else ()) + (3,) + (4,) * dims
    x = rng.standard_normal(shape)
    w = None
    for padding in PADDINGS[dims]:
        em, tm = _make(ember, family, dims, padding), _make(torch, family, dims, padding)
        assert repr(em) == repr(tm)
        assert em.padding == tm.padding
        ex = ember.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        ey, ty = em(ex), tm(tx)
        assert_close(ey, ty)
        w = rng.standard_normal(tuple(ty.shape))
        (ey * ember.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        assert_close(ex.grad, tx.grad)


def test_padding_layer_types_and_errors():
    assert isinstance(ember.nn.ZeroPad2d(1), ember.nn.ConstantPad2d)
    assert ember.nn.ZeroPad1d(1).value == 0.0
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        ember.nn.CircularPad2d(1)(ember.zeros(3, 4))


@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 3), 3), ((1, 4, 5), 2), ((2, 8, 2, 2, 2), 4)])
def test_channel_shuffle_matches_torch(shape, groups):
    x = np.random.default_rng(0).standard_normal(shape)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    em, tm = ember.nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups)
    assert repr(em) == repr(tm) == f"ChannelShuffle(groups={groups})"
    ey, ty = em(ex), tm(tx)
    assert_close(ey, ty)
    assert_close(ember.nn.functional.channel_shuffle(ex, groups), ty)
    w = np.arange(ey.numel(), dtype=np.float64).reshape(shape)
    (ey * ember.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    assert_close(ex.grad, tx.grad)


@pytest.mark.parametrize("x,groups,msg", [
    ((1, 5, 2), 2, "Number of channels must be divisible by groups. Got 5 channels and 2 groups."),
    ((1, 4, 2), 0, "Number of groups to divide channels in must be positive. Value of groups:0"),
    ((1, 4), 2, r"channel_shuffle expects input with > 2 dims, but got input with sizes \[1, 4\]"),
])
def test_channel_shuffle_errors(x, groups, msg):
    with pytest.raises(RuntimeError, match=msg):
        ember.nn.functional.channel_shuffle(ember.zeros(*x), groups)
    with pytest.raises(RuntimeError, match=msg):
        torch.nn.functional.channel_shuffle(torch.zeros(*x), groups)


@pytest.mark.parametrize("shape,groups", [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((4, 6, 3, 3, 3), 1),
                                          ((2, 5, 3), 1)])
def test_dirac_matches_torch(shape, groups):
    e, t = ember.empty(*shape), torch.empty(*shape)
    ember.nn.init.dirac_(e, groups)
    torch.nn.init.dirac_(t, groups)
    assert_close(e, t)


@pytest.mark.parametrize("shape", [(3, 5), (4, 2), (3, 3)])
def test_eye_matches_torch(shape):
    e, t = ember.empty(*shape), torch.empty(*shape)
    assert_close(ember.nn.init.eye_(e), torch.nn.init.eye_(t))


def test_init_errors_match_torch():
    for f, args in [("eye_", ((2, 2, 2),)), ("dirac_", ((2, 2),)), ("sparse_", ((2, 2, 2), 0.5))]:
        with pytest.raises(ValueError) as te:
            getattr(torch.nn.init, f)(torch.empty(*args[0]), *args[1:])
        with pytest.raises(ValueError) as ee:
            getattr(ember.nn.init, f)(ember.empty(*args[0]), *args[1:])
        assert str(ee.value) == str(te.value)


def test_sparse_zeroes_the_fraction_of_each_column():
    e = ember.nn.init.sparse_(ember.empty(10, 6), sparsity=0.3, std=0.5)
    a = e.numpy()
    assert ((a == 0).sum(axis=0) == 3).all()        # ceil(0.3 * 10) zeros per column
    assert a[a != 0].std() == pytest.approx(0.5, rel=0.5)
