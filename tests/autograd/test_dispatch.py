"""The mode stack at Function.apply (ember/autograd/dispatch.py)."""
import pytest

import ember
from ember.autograd.dispatch import DispatchMode, active_modes


class Recorder(DispatchMode):
    def __init__(self):
        self.calls = []

    def __ember_dispatch__(self, func, args, kwargs):
        self.calls.append(func.__name__)
        return func.apply(*args, **kwargs)


def test_mode_sees_every_op_and_returns_its_result():
    before = active_modes()
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    with Recorder() as rec:
        y = (a * 3 + a).sum()
    assert rec.calls == ["Mul", "Add", "Sum"]
    assert y.item() == 12.0
    assert y.grad_fn is not None        # recording still happens under a mode
    assert active_modes() == before


def test_mode_sees_backward_ops_and_user_functions():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = ember.tensor([1.0, 2.0], requires_grad=True)
    with Recorder() as rec:
        Double.apply(a).sum().backward()
    assert rec.calls[0] == "Double"
    assert "Mul" in rec.calls[1:]       # the user's forward and backward ran ember ops
    assert a.grad.tolist() == [2.0, 2.0]


def test_modes_nest_innermost_first_and_do_not_reenter_themselves():
    order = []

    class Tag(DispatchMode):
        def __init__(self, name):
            self.name = name

        def __ember_dispatch__(self, func, args, kwargs):
            order.append((self.name, func.__name__))
            if self.name == "inner" and func.__name__ == "Add":
                # an op the mode itself runs goes to the outer mode only
                ember.neg(args[0])
            return func.apply(*args, **kwargs)

    x = ember.ones(2)
    with Tag("outer"), Tag("inner"):
        x + x
    assert order == [("inner", "Add"), ("outer", "Neg"), ("outer", "Add")]


def test_mode_can_replace_arguments():
    class AddOne(DispatchMode):
        def __ember_dispatch__(self, func, args, kwargs):
            out = func.apply(*args, **kwargs)
            return out + 1 if func.__name__ == "Mul" else out

    with AddOne():
        y = ember.tensor([2.0]) * 3
    assert y.tolist() == [7.0]


def test_exiting_out_of_order_raises():
    before = active_modes()
    a, b = Recorder(), Recorder()
    a.__enter__()
    b.__enter__()
    with pytest.raises(RuntimeError, match="innermost"):
        a.__exit__(None, None, None)
    b.__exit__(None, None, None)
    a.__exit__(None, None, None)
    assert active_modes() == before


def test_protocol_is_chosen_by_base_class_not_module():
    from ember.autograd.function import ArrayFunction, Function

    class Inner(ArrayFunction):
        @staticmethod
        def forward(ctx, x):
            return x + 1            # raw array in

    class User(Function):
        @staticmethod
        def forward(ctx, x):
            assert isinstance(x, ember.Tensor)
            return x + 1

    assert Inner.array_forward and not User.array_forward
    assert Inner.apply(ember.zeros(2)).tolist() == [1.0, 1.0]
    assert User.apply(ember.zeros(2)).tolist() == [1.0, 1.0]
