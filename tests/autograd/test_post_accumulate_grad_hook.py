"""``Tensor.register_post_accumulate_grad_hook`` against PyTorch's semantics."""
import pytest

import ember


def test_hook_sees_accumulated_grad_and_is_removable():
    a = ember.ones(2, requires_grad=True)
    seen = []
    h = a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (a * 3).sum().backward()
    (a * 3).sum().backward()
    assert seen == [[3.0, 3.0], [6.0, 6.0]]
    h.remove()
    (a * 3).sum().backward()
    assert len(seen) == 2 and a.grad.tolist() == [9.0, 9.0]


def test_hook_receives_the_tensor_and_may_update_it_in_place():
    # the docstring example of torch: an SGD step inside the hook
    v = ember.tensor([0.0, 0.0, 0.0], requires_grad=True)
    v.register_post_accumulate_grad_hook(lambda p: p.data.add_(p.grad, alpha=-0.01))
    v.backward(ember.tensor([1.0, 2.0, 3.0]))
    assert v.detach().tolist() == pytest.approx([-0.01, -0.02, -0.03])


def test_hook_runs_after_tensor_hooks_and_in_registration_order():
    a = ember.ones(2, requires_grad=True)
    order = []
    a.register_post_accumulate_grad_hook(lambda t: order.append("post1"))
    a.register_hook(lambda g: order.append("pre") or g * 2)
    a.register_post_accumulate_grad_hook(lambda t: order.append(("post2", t.grad.tolist())))
    a.sum().backward()
    assert order == ["pre", "post1", ("post2", [2.0, 2.0])]


def test_not_run_by_autograd_grad_or_for_excluded_inputs():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    calls = []
    a.register_post_accumulate_grad_hook(lambda t: calls.append("a"))
    b.register_post_accumulate_grad_hook(lambda t: calls.append("b"))
    ember.autograd.grad((a * b).sum(), a)
    assert calls == []
    (a * b).sum().backward(inputs=[b])
    assert calls == ["b"]


def test_errors_as_torch():
    a = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (a * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_post_accumulate_grad_hook(lambda t: None)
    a.register_post_accumulate_grad_hook(lambda t: 5)
    with pytest.raises(TypeError, match="returned .int."):
        a.sum().backward()


def test_deepcopy_drops_hooks():
    import copy
    a = ember.ones(2, requires_grad=True)
    a.register_post_accumulate_grad_hook(lambda t: None)
    assert copy.deepcopy(a)._post_accumulate_grad_hooks is None


def test_parity_with_torch():
    torch = pytest.importorskip("torch")
    out = {}
    for lib in (ember, torch):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        log = []
        w.register_post_accumulate_grad_hook(lambda t: log.append(t.grad.clone().tolist()))
        for _ in range(2):
            (w * w).sum().backward()
        out[lib.__name__] = log
    assert out["ember"] == out["torch"]
