"""Batch/instance/layer/group/RMS/local-response norm, normalize and the distances: parity
with PyTorch on the same weights (outputs, input and parameter gradients, running
statistics) in train and eval mode, repr/state_dict, errors, double backward against
torch's. Float64 gradcheck/gradgradcheck of every functional form: the op table
(tests/ops/samples_normalization.py)."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from helpers import torch, needs_torch, assert_close, copy_state

RTOL, ATOL = 1e-4, 1e-5


def _arr(shape, seed=0, dtype=np.float32, offset=0.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) + offset, dtype=dtype)


def _t(a, lib, grad=True):
    t = lib.from_numpy(a.copy())
    return t.requires_grad_(grad) if a.dtype.kind == "f" else t


def _randomize(m_t, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m_t.parameters():
            p.copy_(torch.randn(p.shape, generator=g))


def _step(m_e, m_t, x, seed=5):
    """One forward/backward on both modules; compare outputs and all gradients."""
    xe, xt = _t(x, ember), _t(x, torch)
    ye, yt = m_e(xe), m_t(xt)
    assert_close(ye, yt, RTOL, ATOL, msg="output")
    g = _arr(tuple(yt.shape), seed)
    ye.backward(ember.from_numpy(g.copy()))
    yt.backward(torch.from_numpy(g.copy()))
    assert_close(xe.grad, xt.grad, RTOL, ATOL, msg="input grad")
    for (name, pe), (_, pt) in zip(m_e.named_parameters(), m_t.named_parameters()):
        assert_close(pe.grad, pt.grad, RTOL, ATOL, msg=f"{name} grad")
        pe.grad = None
        pt.grad = None


def _compare_buffers(m_e, m_t):
    be, bt = dict(m_e.named_buffers()), dict(m_t.named_buffers())
    assert set(be) == set(bt)
    for k in bt:
        assert_close(be[k], bt[k], RTOL, ATOL, msg=k)


def _raises_like(fn_e, fn_t, exc, same_message=True):
    with pytest.raises(exc) as theirs:
        fn_t()
    with pytest.raises(exc) as ours:
        fn_e()
    if same_message:
        assert str(ours.value) == str(theirs.value).replace("torch.", "ember.")
    return str(ours.value)


# ---------------------------------------------------------------------------------------
# BatchNorm

_BN_CASES = [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (4, 3, 5, 2)),
             ("BatchNorm3d", (2, 3, 2, 3, 2))]
_BN_OPTIONS = [dict(), dict(affine=False), dict(bias=False), dict(momentum=None),
               dict(momentum=0.3, eps=1e-3), dict(track_running_stats=False),
               dict(track_running_stats=False, affine=False, momentum=None)]


@needs_torch
@pytest.mark.parametrize("cls,shape", _BN_CASES)
@pytest.mark.parametrize("opts", _BN_OPTIONS, ids=str)
def test_batchnorm_parity_train_then_eval(cls, shape, opts):
    m_t = getattr(torch.nn, cls)(shape[1], **opts)
    m_e = getattr(nn, cls)(shape[1], **opts)
    if m_t.affine:
        _randomize(m_t)
    copy_state(m_e, m_t)
    for step in range(3):   # running statistics after several steps equal torch's
        _step(m_e, m_t, _arr(shape, seed=10 + step, offset=step), seed=step)
        _compare_buffers(m_e, m_t)
    if m_t.track_running_stats:
        assert m_e.num_batches_tracked.dtype == ember.int64
        assert int(m_e.num_batches_tracked) == 3
    m_e.eval()
    m_t.eval()
    _step(m_e, m_t, _arr(shape, seed=20, offset=0.5))
    _compare_buffers(m_e, m_t)      # eval mode leaves the buffers alone


@needs_torch
def test_batchnorm_grad_fn_and_noncontiguous_input():
    x = _arr((3, 4, 5))
    xe = ember.from_numpy(x.copy()).transpose(0, 2).requires_grad_(False)
    xt = torch.from_numpy(x.copy()).transpose(0, 2)
    w = _arr(4, 1)
    we, wt = _t(w, ember), _t(w, torch)
    ye = F.batch_norm(xe, None, None, we, None, True)
    yt = torch.nn.functional.batch_norm(xt, None, None, wt, None, True)
    assert ye.grad_fn.name() == yt.grad_fn.name() == "NativeBatchNormBackward0"
    assert_close(ye, yt, RTOL, ATOL)
    ye.sum().backward()
    yt.sum().backward()
    assert_close(we.grad, wt.grad, RTOL, ATOL)


@needs_torch
@pytest.mark.parametrize("momentum", [0.1, 0.0, 1.0])
def test_functional_batch_norm_updates_running_stats(momentum):
    x = _arr((8, 3, 4), offset=2.0)
    rm_e, rv_e = ember.zeros(3), ember.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    ye = F.batch_norm(ember.from_numpy(x), rm_e, rv_e, training=True, momentum=momentum)
    yt = torch.nn.functional.batch_norm(torch.from_numpy(x), rm_t, rv_t, training=True,
                                        momentum=momentum)
    assert_close(ye, yt, RTOL, ATOL)
    assert_close(rm_e, rm_t, RTOL, ATOL)
    assert_close(rv_e, rv_t, RTOL, ATOL)       # the unbiased variance, as PyTorch
    # eval: normalized with the running statistics
    ye = F.batch_norm(ember.from_numpy(x), rm_e, rv_e, training=False, eps=1e-3)
    yt = torch.nn.functional.batch_norm(torch.from_numpy(x), rm_t, rv_t, training=False,
                                        eps=1e-3)
    assert_close(ye, yt, RTOL, ATOL)


@needs_torch
def test_batchnorm_momentum_none_is_cumulative_average():
    m_e, m_t = nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    xs = [_arr((5, 2), seed=s, offset=s) for s in range(4)]
    for x in xs:
        m_e(ember.from_numpy(x))
        m_t(torch.from_numpy(x))
    _compare_buffers(m_e, m_t)
    assert_close(m_e.running_mean, torch.from_numpy(np.mean([x.mean(0) for x in xs], 0)),
                 1e-5, 1e-5)


@needs_torch
def test_batchnorm_empty_batch_keeps_running_stats():
    m_e, m_t = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    ye, yt = m_e(ember.zeros(0, 3)), m_t(torch.zeros(0, 3))
    assert tuple(ye.shape) == tuple(yt.shape) == (0, 3)
    _compare_buffers(m_e, m_t)
    assert int(m_e.num_batches_tracked) == 1


def test_batchnorm_track_running_stats_false_has_no_buffers():
    m = nn.BatchNorm2d(2, track_running_stats=False)
    assert m.running_mean is None and m.running_var is None and m.num_batches_tracked is None
    m.eval()
    x = ember.from_numpy(_arr((3, 2, 2, 2), offset=5.0))
    y = m(x)   # batch statistics in eval mode too
    np.testing.assert_allclose(y.detach().numpy().mean(axis=(0, 2, 3)), 0.0, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("cls,kw", [("BatchNorm1d", {}), ("BatchNorm2d", {"affine": False}),
                                    ("BatchNorm3d", {"track_running_stats": False}),
                                    ("BatchNorm2d", {"bias": False}),
                                    ("BatchNorm1d", {"momentum": None, "eps": 1e-3})])
def test_batchnorm_repr_state_dict(cls, kw):
    m_e, m_t = getattr(nn, cls)(4, **kw), getattr(torch.nn, cls)(4, **kw)
    assert repr(m_e) == repr(m_t)
    sd_e, sd_t = m_e.state_dict(), m_t.state_dict()
    assert list(sd_e) == list(sd_t)
    for k in sd_t:
        assert tuple(sd_e[k].shape) == tuple(sd_t[k].shape)
        assert str(sd_e[k].dtype).split(".")[-1] == str(sd_t[k].dtype).split(".")[-1]
    assert sd_e._metadata[""]["version"] == sd_t._metadata[""]["version"] == 2
    assert [n for n, _ in m_e.named_parameters()] == [n for n, _ in m_t.named_parameters()]


def test_batchnorm_default_init():
    m = nn.BatchNorm2d(5)
    assert (m.weight.detach().numpy() == 1).all() and (m.bias.detach().numpy() == 0).all()
    assert (m.running_mean.numpy() == 0).all() and (m.running_var.numpy() == 1).all()
    assert m.num_batches_tracked.dim() == 0 and int(m.num_batches_tracked) == 0


@needs_torch
def test_batchnorm_loads_checkpoint_without_num_batches_tracked():
    m = nn.BatchNorm1d(3)
    m(ember.from_numpy(_arr((4, 3))))
    sd = m.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""] = {"version": 1}       # a checkpoint from before PyTorch 0.4.1
    fresh = nn.BatchNorm1d(3)
    result = fresh.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(fresh.num_batches_tracked) == 0
    assert_close(fresh.running_mean, m.running_mean)
    # with the current version the key is required, as in PyTorch
    sd._metadata[""] = {"version": 2}
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        nn.BatchNorm1d(3).load_state_dict(sd)
    sd_t = torch.nn.BatchNorm1d(3).state_dict()
    del sd_t["num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        torch.nn.BatchNorm1d(3).load_state_dict(sd_t)


def test_batchnorm_reset_running_stats():
    m = nn.BatchNorm1d(2)
    m(ember.from_numpy(_arr((4, 2), offset=3.0)))
    m.reset_running_stats()
    assert (m.running_mean.numpy() == 0).all() and (m.running_var.numpy() == 1).all()
    assert int(m.num_batches_tracked) == 0


@needs_torch
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)),
                                       ("BatchNorm2d", (4, 3, 5)), ("BatchNorm3d", (2, 3, 4, 5))])
def test_batchnorm_input_dim_errors(cls, shape):
    x = np.zeros(shape, np.float32)
    _raises_like(lambda: getattr(nn, cls)(3)(ember.from_numpy(x)),
                 lambda: getattr(torch.nn, cls)(3)(torch.from_numpy(x)), ValueError)


@needs_torch
def test_batchnorm_one_value_per_channel_error():
    x = np.zeros((1, 3), np.float32)
    msg = _raises_like(lambda: nn.BatchNorm1d(3)(ember.from_numpy(x)),
                       lambda: torch.nn.BatchNorm1d(3)(torch.from_numpy(x)), ValueError,
                       same_message=False)
    assert msg.startswith("Expected more than 1 value per channel when training, got input size")
    m = nn.BatchNorm1d(3).eval()
    assert tuple(m(ember.from_numpy(x)).shape) == (1, 3)     # fine in eval mode


@needs_torch
def test_functional_batch_norm_errors():
    x = _arr((4, 3, 5))
    xe, xt = ember.from_numpy(x), torch.from_numpy(x)
    for kw in [dict(running_mean=2), dict(running_var=2), dict(weight=2), dict(bias=2)]:
        (name, n), = kw.items()
        args_e = {"running_mean": ember.zeros(3), "running_var": ember.ones(3)}
        args_t = {"running_mean": torch.zeros(3), "running_var": torch.ones(3)}
        args_e[name], args_t[name] = ember.ones(n), torch.ones(n)
        _raises_like(lambda: F.batch_norm(xe, training=True, **args_e),
                     lambda: torch.nn.functional.batch_norm(xt, training=True, **args_t),
                     RuntimeError)
    _raises_like(lambda: F.batch_norm(xe, None, None), lambda: torch.nn.functional.batch_norm(
        xt, None, None), RuntimeError)
    _raises_like(lambda: F.batch_norm(xe, ember.zeros(3), None),
                 lambda: torch.nn.functional.batch_norm(xt, torch.zeros(3), None), RuntimeError)
    _raises_like(lambda: F.batch_norm(xe, None, None, training=True, eps=0),
                 lambda: torch.nn.functional.batch_norm(xt, None, None, training=True, eps=0),
                 ValueError)
    _raises_like(lambda: F.batch_norm(ember.ones(4, 3, dtype=ember.int64), None, None,
                                      training=True),
                 lambda: torch.nn.functional.batch_norm(torch.ones(4, 3, dtype=torch.int64),
                                                        None, None, training=True),
                 NotImplementedError)
    _raises_like(lambda: F.batch_norm(ember.ones(3), None, None, training=True),
                 lambda: torch.nn.functional.batch_norm(torch.ones(3), None, None,
                                                        training=True), IndexError)


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_batchnorm_half_inputs_computed_in_float32(dtype):
    tol = 2e-3 if dtype == "float16" else 1e-2
    for offset in (0.0, 100.0):
        x = _arr((6, 3, 4), offset=offset)
        xe = ember.from_numpy(x).to(getattr(ember, dtype))
        xt = torch.from_numpy(x).to(getattr(torch, dtype))
        ye = F.batch_norm(xe, None, None, training=True)
        assert ye.dtype == getattr(ember, dtype)
        # statistics of the rounded input taken in float32, the result rounded back
        ref = torch.nn.functional.batch_norm(xt.float(), None, None, training=True)
        assert_close(ye.float(), ref, tol, tol)
        if offset == 0.0:  # (PyTorch's own CPU half batch norm is less accurate at offset 100)
            yt = torch.nn.functional.batch_norm(xt, None, None, training=True)
            assert_close(ye, yt, tol, tol)


@needs_torch
def test_batch_norm_double_backward_matches_torch():
    x = _arr((4, 3, 2)).astype(np.float64)
    w = _arr(3, 1).astype(np.float64)
    res = []
    for lib, fn in ((ember, F.batch_norm), (torch, torch.nn.functional.batch_norm)):
        xl, wl = _t(x, lib), _t(w, lib)
        y = fn(xl, None, None, wl, None, True)
        gx, = (ember.autograd.grad if lib is ember else torch.autograd.grad)(
            (y * y * y).sum(), xl, create_graph=True)
        (gx * gx).sum().backward()
        res.append((gx, xl.grad, wl.grad))
    for a, b in zip(*res):
        assert_close(a, b, 1e-8, 1e-8)


# ---------------------------------------------------------------------------------------
# InstanceNorm

@needs_torch
@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 4, 3)),
                                       ("InstanceNorm2d", (3, 4, 3)),
                                       ("InstanceNorm3d", (2, 3, 2, 3, 2))])
@pytest.mark.parametrize("opts", [dict(), dict(affine=True), dict(track_running_stats=True),
                                  dict(affine=True, track_running_stats=True, momentum=0.3),
                                  dict(track_running_stats=True, momentum=None)], ids=str)
def test_instancenorm_parity(cls, shape, opts):
    m_t = getattr(torch.nn, cls)(3, **opts)
    m_e = getattr(nn, cls)(3, **opts)
    if m_t.affine:
        _randomize(m_t)
    copy_state(m_e, m_t)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == list(m_t.state_dict())
    for step in range(2):
        _step(m_e, m_t, _arr(shape, seed=step, offset=step))
        _compare_buffers(m_e, m_t)
    m_e.eval()
    m_t.eval()
    _step(m_e, m_t, _arr(shape, seed=7))


@needs_torch
def test_instancenorm_channel_mismatch():
    x = np.zeros((2, 4, 5), np.float32)
    _raises_like(lambda: nn.InstanceNorm1d(3, affine=True)(ember.from_numpy(x)),
                 lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.from_numpy(x)), ValueError)
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(ember.from_numpy(_arr((2, 4, 5))))
    _raises_like(lambda: nn.InstanceNorm2d(3)(ember.zeros(3, 4)),
                 lambda: torch.nn.InstanceNorm2d(3)(torch.zeros(3, 4)), ValueError)


@needs_torch
def test_functional_instance_norm_errors():
    _raises_like(lambda: F.instance_norm(ember.zeros(2, 3, 1)),
                 lambda: torch.nn.functional.instance_norm(torch.zeros(2, 3, 1)), ValueError,
                 same_message=False)
    _raises_like(lambda: F.instance_norm(ember.zeros(2, 3, 4), use_input_stats=False),
                 lambda: torch.nn.functional.instance_norm(torch.zeros(2, 3, 4),
                                                           use_input_stats=False), RuntimeError)
    _raises_like(lambda: F.instance_norm(ember.zeros(2, 3, 4), ember.zeros(2), ember.ones(2)),
                 lambda: torch.nn.functional.instance_norm(torch.zeros(2, 3, 4), torch.zeros(2),
                                                           torch.ones(2)), RuntimeError)


# ---------------------------------------------------------------------------------------
# LayerNorm, RMSNorm, GroupNorm

@needs_torch
@pytest.mark.parametrize("shape,ns", [((4, 6), 6), ((2, 3, 4), (3, 4)), ((2, 3, 4), [4]),
                                      ((5,), (5,)), ((0, 3), 3)])
@pytest.mark.parametrize("opts", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                  dict(eps=1e-2)], ids=str)
def test_layernorm_parity(shape, ns, opts):
    m_t, m_e = torch.nn.LayerNorm(ns, **opts), nn.LayerNorm(ns, **opts)
    if opts.get("elementwise_affine", True):
        _randomize(m_t)
    copy_state(m_e, m_t)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == list(m_t.state_dict())
    _step(m_e, m_t, _arr(shape, offset=1.0))
    m_e.eval()
    m_t.eval()
    _step(m_e, m_t, _arr(shape, seed=3))


@needs_torch
def test_layer_norm_grad_fn_and_errors():
    x = _arr((4, 3, 5))
    xe, xt = ember.from_numpy(x).requires_grad_(), torch.from_numpy(x).requires_grad_()
    assert F.layer_norm(xe, (5,)).grad_fn.name() == \
        torch.nn.functional.layer_norm(xt, (5,)).grad_fn.name()
    xe, xt = ember.from_numpy(x), torch.from_numpy(x)
    _raises_like(lambda: F.layer_norm(xe, (4,)), lambda: torch.nn.functional.layer_norm(xt, (4,)),
                 RuntimeError)
    _raises_like(lambda: F.layer_norm(xe, (2, 3, 4, 5)),
                 lambda: torch.nn.functional.layer_norm(xt, (2, 3, 4, 5)), RuntimeError)
    _raises_like(lambda: F.layer_norm(xe, (5,), weight=ember.ones(4)),
                 lambda: torch.nn.functional.layer_norm(xt, (5,), weight=torch.ones(4)),
                 RuntimeError)
    _raises_like(lambda: F.layer_norm(xe, (5,), bias=ember.ones(4)),
                 lambda: torch.nn.functional.layer_norm(xt, (5,), bias=torch.ones(4)),
                 RuntimeError)
    _raises_like(lambda: F.layer_norm(xe, 5), lambda: torch.nn.functional.layer_norm(xt, 5),
                 TypeError)


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_layer_norm_half(dtype):
    x = _arr((3, 16), offset=50.0)
    ye = F.layer_norm(ember.from_numpy(x).to(getattr(ember, dtype)), (16,))
    yt = torch.nn.functional.layer_norm(torch.from_numpy(x).to(getattr(torch, dtype)), (16,))
    assert ye.dtype == getattr(ember, dtype)
    assert_close(ye, yt, 5e-2, 5e-2)


@needs_torch
@pytest.mark.parametrize("shape,ns", [((4, 6), 6), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("opts", [dict(), dict(eps=1e-3), dict(elementwise_affine=False)], ids=str)
def test_rmsnorm_parity(shape, ns, opts):
    m_t, m_e = torch.nn.RMSNorm(ns, **opts), nn.RMSNorm(ns, **opts)
    if opts.get("elementwise_affine", True):
        _randomize(m_t)
    copy_state(m_e, m_t)
    assert repr(m_e) == repr(m_t)
    _step(m_e, m_t, _arr(shape, offset=0.5))


@needs_torch
@pytest.mark.parametrize("groups,shape", [(2, (3, 4, 5)), (1, (2, 4)), (4, (2, 4, 3, 2)),
                                          (3, (2, 6, 2, 2, 2))])
@pytest.mark.parametrize("opts", [dict(), dict(affine=False), dict(bias=False),
                                  dict(eps=1e-3)], ids=str)
def test_groupnorm_parity(groups, shape, opts):
    m_t, m_e = torch.nn.GroupNorm(groups, shape[1], **opts), nn.GroupNorm(groups, shape[1], **opts)
    if opts.get("affine", True):
        _randomize(m_t)
    copy_state(m_e, m_t)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == list(m_t.state_dict())
    _step(m_e, m_t, _arr(shape, offset=2.0))
    x = np.zeros(shape, np.float32)
    assert F.group_norm(ember.from_numpy(x).requires_grad_(), groups).grad_fn.name() == \
        torch.nn.functional.group_norm(torch.from_numpy(x).requires_grad_(), groups).grad_fn.name()


@needs_torch
def test_groupnorm_errors():
    _raises_like(lambda: nn.GroupNorm(3, 4), lambda: torch.nn.GroupNorm(3, 4), ValueError)
    x = _arr((4, 3, 5))
    xe, xt = ember.from_numpy(x), torch.from_numpy(x)
    _raises_like(lambda: F.group_norm(xe, 2), lambda: torch.nn.functional.group_norm(xt, 2),
                 RuntimeError)
    _raises_like(lambda: F.group_norm(xe, 3, ember.ones(2)),
                 lambda: torch.nn.functional.group_norm(xt, 3, torch.ones(2)), RuntimeError)
    _raises_like(lambda: F.group_norm(ember.ones(3), 1),
                 lambda: torch.nn.functional.group_norm(torch.ones(3), 1), RuntimeError)
    _raises_like(lambda: F.group_norm(ember.ones(1, 3), 3),
                 lambda: torch.nn.functional.group_norm(torch.ones(1, 3), 3), ValueError)


def test_norm_layers_default_init():
    for m in (nn.LayerNorm((2, 3)), nn.GroupNorm(2, 4), nn.RMSNorm(3)):
        assert (m.weight.detach().numpy() == 1).all()
        if getattr(m, "bias", None) is not None:
            assert (m.bias.detach().numpy() == 0).all()


# ---------------------------------------------------------------------------------------
# LocalResponseNorm, normalize, distances

@needs_torch
@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 6, 3, 3), (1, 4, 2, 2, 3)])
@pytest.mark.parametrize("size,alpha,beta,k", [(2, 1e-4, 0.75, 1.0), (3, 0.5, 0.5, 2.0),
                                               (5, 0.1, 1.0, 1.0)])
def test_local_response_norm_parity(shape, size, alpha, beta, k):
    m_e, m_t = nn.LocalResponseNorm(size, alpha, beta, k), torch.nn.LocalResponseNorm(
        size, alpha, beta, k)
    assert repr(m_e) == repr(m_t)
    _step(m_e, m_t, _arr(shape))


@needs_torch
def test_local_response_norm_errors():
    _raises_like(lambda: F.local_response_norm(ember.zeros(2, 3), 2),
                 lambda: torch.nn.functional.local_response_norm(torch.zeros(2, 3), 2), ValueError)


@needs_torch
@pytest.mark.parametrize("shape,p,dim", [((3, 4), 2.0, 1), ((3, 4), 1.0, 0), ((2, 3, 4), 3.0, -1),
                                         ((4,), 2.0, 0), ((2, 3), float("inf"), 1)])
def test_normalize_parity(shape, p, dim):
    x = _arr(shape)
    x[0] = 0.0      # a zero vector: divided by eps
    xe, xt = _t(x, ember), _t(x, torch)
    ye = F.normalize(xe, p, dim)
    yt = torch.nn.functional.normalize(xt, p, dim)
    assert_close(ye, yt, RTOL, ATOL)
    g = _arr(shape, 1)
    ye.backward(ember.from_numpy(g.copy()))
    yt.backward(torch.from_numpy(g.copy()))
    assert_close(xe.grad, xt.grad, RTOL, ATOL)


@needs_torch
def test_cosine_similarity_errors():
    _raises_like(lambda: F.cosine_similarity(ember.zeros(3, 4), ember.zeros(2, 4)),
                 lambda: torch.nn.functional.cosine_similarity(torch.zeros(3, 4),
                                                               torch.zeros(2, 4)), RuntimeError)
    _raises_like(lambda: F.cosine_similarity(ember.zeros(3, 4), ember.zeros(3, 4), dim=2),
                 lambda: torch.nn.functional.cosine_similarity(torch.zeros(3, 4),
                                                               torch.zeros(3, 4), dim=2),
                 IndexError)


@needs_torch
@pytest.mark.parametrize("s1,s2", [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (4,)), ((), ())])
@pytest.mark.parametrize("p,eps,keepdim", [(2.0, 1e-6, False), (1.0, 0.0, True),
                                           (3.0, 1e-3, False), (float("inf"), 1e-6, True)])
def test_pairwise_distance_parity(s1, s2, p, eps, keepdim):
    a, b = _arr(s1), _arr(s2, 1)
    ae, be, at, bt = _t(a, ember), _t(b, ember), _t(a, torch), _t(b, torch)
    m_e, m_t = nn.PairwiseDistance(p, eps, keepdim), torch.nn.PairwiseDistance(p, eps, keepdim)
    assert repr(m_e) == repr(m_t)
    ye, yt = m_e(ae, be), m_t(at, bt)
    assert_close(ye, yt, RTOL, ATOL)
    ye.sum().backward()
    yt.sum().backward()
    assert_close(ae.grad, at.grad, RTOL, ATOL)
    assert_close(be.grad, bt.grad, RTOL, ATOL)


def test_functional_names_are_exported():
    for name in ("batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
                 "local_response_norm", "normalize", "cosine_similarity", "pairwise_distance"):
        assert callable(getattr(F, name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.layer_norm(ember.ones(2, 3), (3,))


@needs_torch
def test_instancenorm_rejects_old_running_stats():
    """A pre-0.4 checkpoint (no version) with running stats for a non-tracking InstanceNorm."""
    from collections import OrderedDict
    msgs = []
    for lib in (ember, torch):
        sd = OrderedDict(running_mean=lib.zeros(3), running_var=lib.ones(3))
        sd._metadata = OrderedDict()
        sd._metadata[""] = {}
        with pytest.raises(RuntimeError) as err:
            (nn if lib is ember else torch.nn).InstanceNorm1d(3).load_state_dict(sd)
        msgs.append(str(err.value))
    assert 'Unexpected running stats buffer(s) "running_mean" and "running_var"' in msgs[0]
    assert msgs[0] == msgs[1]


def test_sync_batchnorm_is_batchnorm_in_one_process():
    net = nn.Sequential(nn.BatchNorm2d(3), nn.BatchNorm1d(3))
    net[0].weight.data.fill_(2.0)
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert isinstance(conv[0], nn.SyncBatchNorm) and isinstance(conv[1], nn.SyncBatchNorm)
    assert conv[0].weight is net[0].weight and conv[0].running_mean is net[0].running_mean
    x = ember.from_numpy(_arr((4, 3, 2, 2)))
    ref = F.batch_norm(x, None, None, net[0].weight, net[0].bias, True)
    assert_close(conv[0](x), ref.detach(), 1e-6, 1e-6)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        nn.SyncBatchNorm(3)(ember.zeros(3))


def test_batchnorm_dtype_and_module_to():
    m = nn.BatchNorm1d(3, dtype=ember.float64)
    assert m.weight.dtype == m.running_mean.dtype == ember.float64
    assert m.num_batches_tracked.dtype == ember.int64
    m = nn.BatchNorm1d(3).to(ember.float64)
    assert m.running_var.dtype == ember.float64 and m.num_batches_tracked.dtype == ember.int64
    y = m(ember.from_numpy(_arr((4, 3), dtype=np.float64)))
    assert y.dtype == ember.float64
    m.half()
    y = m(ember.from_numpy(_arr((4, 3))).half())
    assert y.dtype == ember.float16 and m.running_mean.dtype == ember.float16
