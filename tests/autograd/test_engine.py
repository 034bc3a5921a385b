"""The backward engine against PyTorch's documented behaviour: backward with a gradient,
retain_graph, errors for non-scalar outputs and tensors without grad, autograd.grad
(allow_unused, materialize_grads, create_graph and higher order), tensor hooks, retain_grad,
gradient accumulation, the version counter, in-place checks, leaves and grad_fn propagation."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close

SECOND_BACKWARD = "Trying to backward through the graph a second time"
VERSION_ERROR = ("one of the variables needed for gradient computation has been modified by an "
                 "inplace operation")


# -- backward -------------------------------------------------------------------------------

def test_scalar_backward():
    x = ember.tensor(2.0, requires_grad=True)
    y = x ** 2 + 3 * x + 1
    y.backward()
    assert repr(x.grad) == "tensor(7.)"
    assert x.grad.dtype is ember.float32 and x.grad.requires_grad is False


@needs_torch
def test_backward_with_gradient_argument():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.backward(lib.tensor([0.1, 1.0, 0.0001]))
        if lib is ember:
            ours = x.grad
        else:
            theirs = x.grad
    assert repr(ours) == repr(theirs) == "tensor([2.0000e-01, 2.0000e+00, 2.0000e-04])"


def test_backward_gradient_shape_mismatch():
    x = ember.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of "
                                           r"ember.Size\(\[2\]\) and output\[0\] has a shape of "
                                           r"ember.Size\(\[\]\)"):
        (x * 2).backward(ember.ones(2))


def test_backward_non_scalar_needs_gradient():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    assert x.grad is None


def test_backward_of_tensor_without_grad():
    t = ember.ones(3)
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does "
                                           "not have a grad_fn"):
        t.sum().backward()
    with ember.no_grad():
        y = (ember.ones(2, requires_grad=True) * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_second_backward_raises_and_retain_graph_allows_it():
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=SECOND_BACKWARD):
        y.backward()
    z = (x * x).sum()
    x.grad = None
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(RuntimeError, match=SECOND_BACKWARD):
        z.backward()


def test_gradient_accumulates_in_place_and_keeps_identity():
    x = ember.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    assert g is x.grad
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    (x * 4).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0] and x.grad is not g


def test_grad_does_not_alias_other_grads():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0]


def test_leaf_not_requiring_grad_gets_no_grad():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2)
    (a * b).sum().backward()
    assert b.grad is None and a.grad.tolist() == [1.0, 1.0]


def test_backward_inputs_restricts_accumulation():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


def test_broadcast_gradients_have_input_shapes():
    a = ember.ones(3, 1, requires_grad=True)
    b = ember.ones(1, 4, requires_grad=True)
    (a * b + a).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[8.0], [8.0], [8.0]]
    assert b.grad.shape == (1, 4) and b.grad.tolist() == [[3.0] * 4]


def test_grad_dtype_follows_leaf():
    x = ember.ones(2, dtype=ember.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype is ember.float64


def test_deep_graph_does_not_recurse():
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** 5000) < 1e-2


def test_dynamic_control_flow():
    def f(x):
        y = x * 2
        steps = 1
        while y.abs().sum().item() < 1000:
            y = y * 2
            steps += 1
        if y.sum().item() > 0:
            out = y.sum()
        else:
            out = -y.sum()
        return out, steps

    x = ember.tensor([0.5, 1.0, -0.25], requires_grad=True)
    out, steps = f(x)
    out.backward()
    # out = 2**steps * sum(x) and sum(x) > 0
    assert x.grad.tolist() == [2.0 ** steps] * 3
    x2 = ember.tensor([-0.5, -1.0, 0.25], requires_grad=True)
    out2, steps2 = f(x2)
    out2.backward()
    assert x2.grad.tolist() == [-(2.0 ** steps2)] * 3


def test_same_tensor_used_twice():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x + x
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 5.0]


# -- autograd.grad -------------------------------------------------------------------------------

def test_autograd_grad_basic_and_leaves_grad_untouched():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (g,) = ember.autograd.grad(y, x)
    assert g.tolist() == [2.0, 4.0] and not g.requires_grad
    assert x.grad is None


def test_autograd_grad_of_non_leaf_and_several_outputs():
    x = ember.tensor(2.0, requires_grad=True)
    h = x * 3
    y = h * h
    (gh,) = ember.autograd.grad(y, [h], retain_graph=True)
    assert gh.item() == 12.0
    gx = ember.autograd.grad([y, x * 2], [x])
    assert isinstance(gx, tuple) and gx[0].item() == 36.0 + 2.0
    (go,) = ember.autograd.grad(x * 2, x, grad_outputs=ember.tensor(3.0))
    assert go.item() == 6.0


def test_autograd_grad_input_without_grad():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        ember.autograd.grad((x * 2).sum(), ember.ones(3))


def test_autograd_grad_allow_unused_and_materialize():
    x = ember.ones(3, requires_grad=True)
    z = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph. Set "
                                           "allow_unused=True if this is the desired behavior."):
        ember.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = ember.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0, 2.0] and gz is None
    gx, gz = ember.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert gz.tolist() == [0.0, 0.0, 0.0]


def test_higher_order_grad_of_cube():
    x = ember.tensor(3.0, requires_grad=True)
    y = x ** 3
    (g1,) = ember.autograd.grad(y, x, create_graph=True)
    assert g1.item() == 27.0 and g1.requires_grad
    (g2,) = ember.autograd.grad(g1, x, create_graph=True)
    assert g2.item() == 18.0
    (g3,) = ember.autograd.grad(g2, x)
    assert g3.item() == 6.0 and not g3.requires_grad


def test_mixed_second_derivative():
    x = ember.tensor(2.0, requires_grad=True)
    w = ember.tensor(5.0, requires_grad=True)
    y = x * w ** 2
    (gx,) = ember.autograd.grad(y, x, create_graph=True)
    assert gx.item() == 25.0
    (gxw,) = ember.autograd.grad(gx, w)
    assert gxw.item() == 10.0


def test_backward_create_graph_then_backward_of_grad():
    x = ember.tensor(3.0, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    assert x.grad.item() == 27.0 and x.grad.requires_grad
    x.grad.backward()
    assert x.grad.item() == 45.0  # 27 accumulated with d(3x^2)/dx = 18, as in PyTorch


@needs_torch
def test_hessian_vector_product_matches_torch():
    rng = np.random.default_rng(0)
    xv, vv = rng.standard_normal(4), rng.standard_normal(4)
    res = {}
    for lib in (ember, torch):
        x = lib.tensor(xv, requires_grad=True)
        v = lib.tensor(vv)
        y = (x.sin() * x.exp()).sum() + (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (hv,) = lib.autograd.grad((g * v).sum(), x)
        res[lib.__name__] = (g.detach(), hv)
    assert_close(res["ember"][0], res["torch"][0], rtol=1e-12, atol=1e-12)
    assert_close(res["ember"][1], res["torch"][1], rtol=1e-12, atol=1e-12)


# -- hooks and retain_grad ---------------------------------------------------------------------

def test_leaf_hook_modifies_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    (x * x).sum().backward()
    assert x.grad.tolist() == [3.0, 5.0]


def test_non_leaf_hook_modifies_grad_flowing_on():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]
    assert y.grad is None


def test_hook_returning_none_observes_and_handle_removes():
    seen = []
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: seen.append(g.tolist()))
    (x * x).sum().backward()
    handle.remove()
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [4.0, 8.0]


def test_hook_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't "
                                           "require gradient"):
        ember.ones(2).register_hook(lambda g: g)


@pytest.mark.parametrize("hook_first", [True, False])
def test_retain_grad_sees_hooked_grad(hook_first):
    # PyTorch runs retain_grad last, whatever the registration order.
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    if hook_first:
        y.register_hook(lambda g: g * 10)
        y.retain_grad()
    else:
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert y.retains_grad and y.grad.tolist() == [10.0, 10.0]
    assert x.grad.tolist() == [30.0, 30.0]


def test_retain_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    out = (h * 2).sum()
    out.backward(retain_graph=True)
    assert h.grad.tolist() == [2.0, 2.0]
    out.backward()
    assert h.grad.tolist() == [4.0, 4.0]
    x.retain_grad()  # a no-op on leaves
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        ember.ones(2).retain_grad()


def test_grad_fn_hooks():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.grad_fn.register_prehook(lambda grad_outputs: calls.append("pre"))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: calls.append("post"))
    y.sum().backward()
    assert calls == ["pre", "post"]


# -- leaves, grad_fn, requires_grad ---------------------------------------------------------------

def test_requires_grad_propagation_and_leaves():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2)
    c = a * b
    assert c.requires_grad and not c.is_leaf and c.grad_fn.name() == "MulBackward0"
    d = b * 2
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert a.is_leaf and a.grad_fn is None and b.is_leaf
    e = ember.ones(2).requires_grad_()
    assert e.requires_grad and e.is_leaf


def test_requires_grad_flag_of_non_leaf():
    y = ember.ones(2, requires_grad=True) * 2
    y.requires_grad = True  # already true: allowed
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables."):
        y.requires_grad_(False)


def test_requires_grad_on_integer_tensor():
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point.* can require "
                                           "gradients"):
        ember.ones(3, dtype=ember.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point.* can require "
                                           "gradients"):
        ember.tensor([1, 2]).requires_grad_()
    ember.tensor([1, 2]).requires_grad_(False)


def test_integer_results_do_not_require_grad():
    x = ember.tensor([1.5, -2.0], requires_grad=True)
    assert not (x > 0).requires_grad
    assert not x.long().requires_grad


def test_detach_shares_memory_and_version():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.numpy()[0] = 10.0
    assert y.tolist() == [10.0, 4.0]
    v = y._version
    d.add_(1)
    assert y._version == v + 1 and y.tolist() == [11.0, 5.0]


def test_detach_in_place():
    y = ember.ones(2, requires_grad=True) * 2
    y.detach_()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_next_functions_structure():
    a = ember.tensor([1.0], requires_grad=True)
    b = a.sin()
    c = 2 * b
    d = c + 1
    (nf,) = d.grad_fn.next_functions[:1]
    assert nf[0] is c.grad_fn and nf[1] == 0
    assert d.grad_fn.next_functions[1] == (None, 0)
    acc = b.grad_fn.next_functions[0][0]
    assert acc.variable is a and type(acc).__name__ == "AccumulateGrad"


# -- in-place checks and the version counter ---------------------------------------------------

def test_in_place_on_leaf_requiring_grad():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.sin_()
    with ember.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 2.0, 2.0] and x.requires_grad and x.is_leaf


def test_modified_saved_tensor_raises():
    a = ember.ones(3, requires_grad=True)
    b = a.exp()        # Exp saves its output b
    c = b * 2
    b.add_(1)
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        c.sum().backward()


def test_modified_saved_input_raises():
    a = ember.ones(3, requires_grad=True)
    b = a * 1
    s = b.sin()        # Sin saves its input b
    b.mul_(2)
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        s.sum().backward()


def test_modified_through_detached_alias_raises():
    a = ember.ones(3, requires_grad=True)
    w = ember.ones(3)
    y = (a * w).sum()   # Mul saves w to compute a's gradient
    w.detach().mul_(3)
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.backward()


def test_in_place_not_saved_is_fine():
    a = ember.ones(3, requires_grad=True)
    b = a * 2          # Mul by a constant saves only the constant
    b.add_(1)
    b.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]
    assert b.grad_fn.name() == "AddBackward0"


def test_in_place_on_view_of_tensor_requiring_grad():
    x = ember.ones(2, 3, requires_grad=True)
    y = x * 1
    v = y.T                                   # (3, 2) view
    v.mul_(ember.tensor([[1.0, 2.0]]))        # column j of v is row j of y
    assert type(y.grad_fn).__name__ == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    leaf = ember.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        leaf.T.add_(1)


@pytest.mark.parametrize("shapes", [((2, 4), (3,)), ((2, 4), (2, 3, 1, 5)), ((5, 1), (4, 3))])
def test_broadcast_error_matches_torch(shapes):
    torch = pytest.importorskip("torch")
    msgs = []
    for lib in (ember, torch):
        a = lib.ones(*shapes[0], requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            a * lib.ones(*shapes[1])
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


def test_backward_with_two_leaf_roots():
    # the engine's ready list once compared roots with Tensor's element-wise ==
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    ember.autograd.backward([a, b], [ember.full((2,), 2.0), ember.full((3,), 3.0)])
    assert a.grad.tolist() == [2.0, 2.0] and b.grad.tolist() == [3.0, 3.0, 3.0]
    ember.autograd.backward([a, a], [ember.ones(2), ember.ones(2)])
    assert a.grad.tolist() == [4.0, 4.0]
