"""no_grad, enable_grad, set_grad_enabled and inference_mode as context managers and
decorators, as PyTorch documents them (ember's inference_mode is no_grad plus the flag)."""
import pytest

import ember


@pytest.fixture(autouse=True)
def _restore_grad_mode():
    yield
    ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()


def _leaf():
    return ember.ones(2, requires_grad=True)


def test_no_grad_context():
    x = _leaf()
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = x * 2
    assert ember.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert (x * 2).requires_grad


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError("boom")
    assert ember.is_grad_enabled()


def test_no_grad_decorators():
    @ember.no_grad()
    def called(x):
        """doc"""
        return x * 2, ember.is_grad_enabled()

    @ember.no_grad
    def bare(x):
        return x * 2, ember.is_grad_enabled()

    for fn in (called, bare):
        y, enabled = fn(_leaf())
        assert not y.requires_grad and enabled is False
        assert ember.is_grad_enabled()
    assert called.__name__ == "called" and called.__doc__ == "doc"
    assert bare.__name__ == "bare"


def test_no_grad_nested_and_reused():
    ctx = ember.no_grad()
    with ctx:
        with ember.no_grad():
            pass
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    with ctx:
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = _leaf()
    with ember.no_grad():
        with ember.enable_grad():
            assert ember.is_grad_enabled()
            y = x * 2
        assert not ember.is_grad_enabled()

        @ember.enable_grad()
        def f():
            return x * 3

        z = f()
        assert not ember.is_grad_enabled()
    assert y.requires_grad and z.requires_grad


def test_set_grad_enabled_function_and_context():
    x = _leaf()
    ember.set_grad_enabled(False)  # takes effect at once, like PyTorch's
    assert not ember.is_grad_enabled()
    assert not (x * 2).requires_grad
    ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()
    for mode in (False, True):
        with ember.set_grad_enabled(mode):
            assert ember.is_grad_enabled() is mode
            assert (x * 2).requires_grad is mode
        assert ember.is_grad_enabled()
    with ember.no_grad():
        with ember.set_grad_enabled(True):
            assert ember.is_grad_enabled()
        assert not ember.is_grad_enabled()


def test_set_grad_enabled_decorator():
    @ember.set_grad_enabled(False)
    def f():
        return ember.is_grad_enabled()

    enabled_after_decorating = ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    assert f() is False
    assert enabled_after_decorating


def test_no_grad_decorates_generators():
    @ember.no_grad()
    def gen():
        yield ember.is_grad_enabled()
        yield ember.is_grad_enabled()

    assert list(gen()) == [False, False]


def test_inference_mode():
    x = _leaf()
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled() and not ember.is_grad_enabled()
        y = x * 2
        z = ember.ones(2, requires_grad=True)
    assert not y.requires_grad and z.requires_grad
    assert not ember.is_inference_mode_enabled() and ember.is_grad_enabled()

    @ember.inference_mode()
    def f():
        return ember.is_inference_mode_enabled(), ember.is_grad_enabled()

    assert f() == (True, False)
    with ember.inference_mode(False):
        assert not ember.is_inference_mode_enabled() and ember.is_grad_enabled()


def test_bare_inference_mode_decorator():
    @ember.inference_mode
    def g():
        return ember.is_inference_mode_enabled()

    assert g() is True


def test_grad_mode_exports():
    assert ember.autograd.no_grad is ember.no_grad
    assert ember.autograd.grad_mode.no_grad is ember.no_grad
    assert ember.autograd.set_grad_enabled is ember.set_grad_enabled
    assert ember.autograd.inference_mode is ember.inference_mode


def test_sgd_update_pattern_under_no_grad():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with ember.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert [round(v, 6) for v in w.tolist()] == [0.8, 1.6]
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
