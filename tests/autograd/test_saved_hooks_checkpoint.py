"""saved_tensors_hooks / save_on_cpu, non-reentrant checkpoint, Variable, is_grads_batched."""
import gc
import warnings
import weakref

import numpy as np
import pytest

import ember
from ember.autograd.graph import (disable_saved_tensors_hooks, save_on_cpu,
                                  saved_tensors_hooks, get_gradient_edge)
from ember.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential


def _x(*shape, seed=0):
    return ember.from_numpy(np.random.default_rng(seed).standard_normal(shape)).requires_grad_()


def test_hooks_called_at_pack_and_unpack_with_grad_mode_off():
    a = _x(3)
    packed, unpacked = [], []

    def pack(t):
        packed.append(ember.is_grad_enabled())
        return t * 1

    def unpack(t):
        unpacked.append(t)
        return t
    with saved_tensors_hooks(pack, unpack):
        z = (a.exp() * a).sum()
    assert len(packed) == 3 and not any(packed)
    assert unpacked == []
    z.backward()
    assert len(unpacked) == 3
    np.testing.assert_allclose(a.grad.numpy(), (a.exp() * a + a.exp()).detach().numpy())


def test_user_function_save_for_backward_goes_through_hooks():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x
    a = _x(4)
    log = []
    with saved_tensors_hooks(lambda t: log.append("pack") or t,
                             lambda t: log.append("unpack") or t):
        y = Double.apply(a)
    y.sum().backward()
    assert log == ["pack", "unpack"]
    np.testing.assert_allclose(a.grad.numpy(), a.detach().numpy())


def test_copying_hooks_keep_double_backward():
    a = _x(5)
    with saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        z = (a.exp() * a).sum()
    g, = ember.autograd.grad(z, a, create_graph=True)
    gg, = ember.autograd.grad(g.sum(), a)
    np.testing.assert_allclose(gg.numpy(), (a.exp() * a + 2 * a.exp()).detach().numpy())


def test_save_on_cpu_gives_the_same_gradients():
    a = _x(2, 3)
    with save_on_cpu(pin_memory=False):
        (a.sin() @ a.T).sum().backward()
    expected = a.grad.clone()
    a.grad = None
    (a.sin() @ a.T).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), expected.numpy())


def test_hook_errors_match_torch():
    a = _x(3)
    with disable_saved_tensors_hooks("hooks are off here"):
        with pytest.raises(RuntimeError, match="hooks are off here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = a.exp()
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got result "
                                        "of type int"):
        y.sum().backward()


def test_hooks_agree_with_torch_on_pack_count():
    torch = pytest.importorskip("torch")
    counts = []
    for lib in (torch, ember):
        g = (torch.autograd.graph if lib is torch else ember.autograd.graph)
        n = []
        a = lib.ones(3, requires_grad=True)
        with g.saved_tensors_hooks(lambda t: n.append(1) or t, lambda t: t):
            (a.exp() * a).sin().sum().backward()
        counts.append(len(n))
    assert counts[0] == counts[1]


def test_gradient_edge():
    a = _x(2)
    y = a * 2
    edge = get_gradient_edge(y)
    assert edge.node is y.grad_fn and edge.output_nr == 0
    assert get_gradient_edge(a).node.variable is a


def _model():
    ember.manual_seed(0)
    return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Dropout(0.5),
                               ember.nn.Linear(8, 2)).double()


def test_non_reentrant_checkpoint_matches_plain_run_with_dropout_and_recomputes():
    m = _model()
    x = _x(3, 4)
    calls = []

    def f(t):
        calls.append(1)
        return m(t)
    ember.manual_seed(5)
    out = checkpoint(f, x, use_reentrant=False)
    out.pow(2).sum().backward()
    g_x, g_p = x.grad.clone(), [p.grad.clone() for p in m.parameters()]
    assert len(calls) == 2           # forward + one recomputation
    x.grad = None
    m.zero_grad()
    ember.manual_seed(5)
    ref = m(x)
    ref.pow(2).sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(g_x.numpy(), x.grad.numpy())
    for p, q in zip(m.parameters(), g_p):
        np.testing.assert_array_equal(p.grad.numpy(), q.numpy())


def test_non_reentrant_checkpoint_frees_activations():
    x = _x(6)
    refs = []

    def f(t):
        h = t.exp()
        refs.append(weakref.ref(h))
        return (h * t).sum()
    out = checkpoint(f, x, use_reentrant=False)
    gc.collect()
    assert refs[0]() is None          # the activation is not kept by the graph
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), (x.exp() * x + x.exp()).detach().numpy())
    plain = f(x)
    gc.collect()
    assert refs[-1]() is not None and plain is not None   # without checkpoint it is kept


def test_non_reentrant_checkpoint_supports_autograd_grad_and_double_backward():
    x = _x(4)
    y = checkpoint(lambda a: (a.sin() * a).sum(), x, use_reentrant=False)
    g, = ember.autograd.grad(y, x, create_graph=True)
    gg, = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), (2 * x.cos() - x * x.sin()).detach().numpy(),
                               atol=1e-12)


def test_determinism_check_raises_checkpoint_error():
    x = _x(4)
    state = [0]

    def changing(a):
        state[0] += 1
        return (a[:state[0]] * 2).exp().sum()
    out = checkpoint(changing, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="different metadata"):
        out.backward()
    scale = [1.0]

    def value_changes(a):
        scale[0] += 1.0
        return (a * scale[0]).exp().sum()
    for check in ("default", "none"):      # metadata agree: no error either way
        x.grad = None
        scale[0] = 0.0
        checkpoint(value_changes, x, use_reentrant=False, determinism_check=check).backward()
        # backward used the recomputed exp (scale 2) and the forward's Python scalar (1),
        # as PyTorch's does
        np.testing.assert_allclose(x.grad.numpy(), (2 * x).exp().detach().numpy())
    with pytest.raises(ValueError, match="determinism_check"):
        checkpoint(changing, x, use_reentrant=False, determinism_check="bogus")


def test_use_reentrant_defaults_and_errors_follow_torch():
    m = _model()
    x = _x(2, 4)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        checkpoint(m, x)
        checkpoint_sequential(m, 2, x)
    assert len(w) == 2 and all("use_reentrant parameter should be passed" in str(i.message)
                               for i in w)
    with pytest.raises(ValueError, match="Unexpected keyword arguments"):
        checkpoint(m, x, use_reentrant=True, foo=1)
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        checkpoint(m, x, use_reentrant=True, debug=True)
    # kwargs are passed through by the non-reentrant variant
    out = checkpoint(lambda a, scale: a * scale, x, use_reentrant=False, scale=3.0)
    np.testing.assert_allclose(out.detach().numpy(), 3 * x.detach().numpy())


def test_checkpoint_sequential_non_reentrant_gradients():
    m = ember.nn.Sequential(*[ember.nn.Linear(4, 4) for _ in range(4)]).double()
    x = _x(2, 4)
    checkpoint_sequential(m, 2, x, use_reentrant=False).sum().backward()
    g = [p.grad.clone() for p in m.parameters()]
    m.zero_grad()
    m(x).sum().backward()
    for p, q in zip(m.parameters(), g):
        np.testing.assert_allclose(p.grad.numpy(), q.numpy())


def test_checkpoint_helpers():
    from ember.utils import checkpoint as cp
    a, b = _x(2), ember.ones(2)
    da, db, three = cp.detach_variable((a, b, 3))
    assert three == 3
    assert da.requires_grad and not db.requires_grad and da.grad_fn is None
    with pytest.raises(RuntimeError, match="Only tuple of tensors is supported"):
        cp.detach_variable([a])
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        cp.check_backward_validity([b])
    assert cp.get_device_states(a, b) == ([], [])
    assert cp.DefaultDeviceType.get_device_type() == "cuda"


def test_variable_is_the_legacy_wrapper():
    from ember.autograd import Variable
    t = ember.ones(2)
    v = Variable(t, requires_grad=True)
    assert type(v) is ember.Tensor and v.requires_grad and v.is_leaf
    assert isinstance(t, Variable) and issubclass(ember.nn.Parameter, Variable)
    assert Variable().shape == (0,)
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(t, volatile=True)


def test_grad_is_grads_batched_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 4))
    res = []
    for lib in (torch, ember):
        a = lib.from_numpy(x).requires_grad_()
        y = a.sin() * 2
        v = lib.eye(12, dtype=lib.float64).reshape(12, 3, 4)
        jac, = lib.autograd.grad(y, a, v, is_grads_batched=True)
        res.append(jac.detach().numpy())
    np.testing.assert_allclose(res[0], res[1])
    assert res[1].shape == (12, 3, 4)
