"""User-defined ``ember.autograd.Function`` (PyTorch style: forward receives Tensors), plus
gradcheck/gradgradcheck on composite functions and detect_anomaly naming the failing op."""
import re

import numpy as np
import pytest

import ember
from ember.autograd import Function
from helpers import torch, needs_torch, assert_close


class Exp(Function):
    """The example of PyTorch's Function docs: saves its output."""

    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class MulConst(Function):
    """A non-tensor argument stored on ctx; backward returns None for it."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def test_forward_receives_tensors_with_grad_off():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, y, k):
            seen["types"] = (type(x), type(y), type(k))
            seen["grad_enabled"] = ember.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            seen["backward_needs"] = ctx.needs_input_grad
            return g, None, None

    x = ember.ones(2, requires_grad=True)
    y = ember.ones(2)
    out = Probe.apply(x, y, 3.0)
    assert seen["types"] == (ember.Tensor, ember.Tensor, float)
    assert seen["grad_enabled"] is False
    assert seen["needs"] == (True, False, False)
    assert out.requires_grad and not out.is_leaf
    out.sum().backward()
    assert seen["backward_needs"] == (True, False, False)
    assert x.grad.tolist() == [1.0, 1.0]


def test_save_for_backward_and_saved_tensors():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    assert y.grad_fn.name() == "ExpBackward"
    (saved,) = y.grad_fn.saved_tensors
    assert saved.tolist() == y.tolist()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


@needs_torch
def test_custom_grad_fn_repr_and_name():
    x = ember.ones(2, requires_grad=True)
    y = Exp.apply(x)
    assert y.grad_fn.name() == "ExpBackward"
    tx = torch.ones(2, requires_grad=True)

    class TExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            return i.exp()

        @staticmethod
        def backward(ctx, g):
            return g

    theirs = re.sub(r"0x[0-9a-f]+", "0x?", repr(TExp.apply(tx).grad_fn)).replace("TExp", "Exp")
    ours = re.sub(r"0x[0-9a-f]+", "0x?", repr(y.grad_fn))
    assert ours == theirs.replace("torch", "ember")


def test_non_tensor_argument_and_ctx_attributes():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = MulConst.apply(x, 5.0)
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_saved_input_gives_double_backward():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor(3.0, requires_grad=True)
    (g,) = ember.autograd.grad(Square.apply(x), x, create_graph=True)
    assert g.item() == 6.0 and g.requires_grad
    (g2,) = ember.autograd.grad(g, x)
    assert g2.item() == 2.0


def test_save_intermediate_tensor():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            sq = x * x
            ctx.save_for_backward(sq)
            return sq * x

        @staticmethod
        def backward(ctx, g):
            (sq,) = ctx.saved_tensors
            return 3 * sq * g

    x = ember.tensor([2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert x.grad.tolist() == [12.0]


def test_multiple_outputs_and_mark_non_differentiable():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            mask = x > 0
            idx = ember.tensor([1.0, 0.0])
            ctx.mark_non_differentiable(mask, idx)
            return y, mask, idx

        @staticmethod
        def backward(ctx, gy, gmask, gidx):
            assert gidx is not None and gidx.tolist() == [0.0, 0.0]  # materialized zeros
            return gy * 2

    x = ember.tensor([1.0, -1.0], requires_grad=True)
    y, mask, idx = SortLike.apply(x)
    assert y.requires_grad and not mask.requires_grad and not idx.requires_grad
    assert mask.dtype is ember.bool
    (y.sum() + idx.sum()).backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_two_outputs_one_unused_and_materialize_grads():
    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, ga, gb):
            return ga + 2 * gb

    x = ember.ones(2, requires_grad=True)
    a, b = Split.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]

    class NoMaterialize(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, ga, gb):
            assert gb is None
            return ga

    x2 = ember.ones(2, requires_grad=True)
    a2, _ = NoMaterialize.apply(x2)
    a2.sum().backward()
    assert x2.grad.tolist() == [1.0, 1.0]


def test_mark_dirty_in_place_function():
    class AddOne_(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = ember.ones(2, requires_grad=True)
    b = a * 1
    v = b._version
    c = AddOne_.apply(b)
    assert c is b and b._version == v + 2  # add_ and mark_dirty each bump it, as in PyTorch
    assert b.tolist() == [2.0, 2.0] and b.grad_fn.name() == "AddOne_Backward"
    (b * 3).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_wrong_number_of_gradients():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"function TwoBackward returned an incorrect number of "
                                           r"gradients \(expected 1, got 2\)"):
        Two.apply(x).sum().backward()


def test_wrong_gradient_shape():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Function BadBackward returned an invalid gradient at "
                                           r"index 0 - got \[\] but expected shape compatible with "
                                           r"\[3\]"):
        Bad.apply(x).sum().backward()


def test_missing_backward():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = ember.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp "
                                                  "method"):
        NoBackward.apply(x).sum().backward()


def test_no_input_requires_grad():
    y = Exp.apply(ember.zeros(2))
    assert not y.requires_grad and y.grad_fn is None and y.tolist() == [1.0, 1.0]


def test_once_differentiable_blocks_double_backward():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ember.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor(3.0, requires_grad=True)
    (g,) = ember.autograd.grad(Sq.apply(x), x, create_graph=True)
    assert g.item() == 6.0
    with pytest.raises(RuntimeError):
        ember.autograd.grad(g, x)


@needs_torch
def test_legendre_function_matches_torch():
    """The LegendrePolynomial3 Function of PyTorch's 'Defining new autograd functions'."""
    def make(lib):
        class P3(lib.autograd.Function):
            @staticmethod
            def forward(ctx, input):
                ctx.save_for_backward(input)
                return 0.5 * (5 * input ** 3 - 3 * input)

            @staticmethod
            def backward(ctx, grad_output):
                (input,) = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input ** 2 - 1)
        return P3

    xv = np.linspace(-1, 1, 7)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xv, requires_grad=True)
        y = make(lib).apply(x)
        y.sum().backward()
        res.append((y.detach(), x.grad))
    assert_close(res[0][0], res[1][0], rtol=1e-12, atol=1e-12)
    assert_close(res[0][1], res[1][1], rtol=1e-12, atol=1e-12)


def test_setup_context_style():
    class MulSelf(Function):
        @staticmethod
        def forward(x, k):
            return x * x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

    x = ember.tensor([1.0, 3.0], requires_grad=True)
    y = MulSelf.apply(x, 2.0)
    assert y.tolist() == [2.0, 18.0]
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 12.0]
    with ember.no_grad():
        assert MulSelf.apply(x, 1.0).tolist() == [1.0, 9.0]


# -- gradcheck / gradgradcheck ---------------------------------------------------------------------

def _f64(rng, *shape):
    return ember.tensor(rng.standard_normal(shape), dtype=ember.float64, requires_grad=True)


_COMPOSITES = {
    "sin_exp_div": lambda x, y: (x * y).sin() + x.exp() / (y * y + 1),
    "tanh_sigmoid": lambda x, y: x.tanh() ** 2 * y.sigmoid(),
    "broadcast": lambda x, y: (x.reshape(3, 1) * y.reshape(1, 3) - y.reshape(1, 3)).sum(1),
    "pow_sqrt": lambda x, y: (x * x + 1).sqrt() * y ** 3,
    "two_outputs": lambda x, y: (x * y, (x - y).exp()),
}


@pytest.mark.parametrize("name", sorted(_COMPOSITES))
def test_gradcheck_composites(name):
    rng = np.random.default_rng(1)
    x, y = _f64(rng, 3), _f64(rng, 3)
    assert ember.autograd.gradcheck(_COMPOSITES[name], (x, y))


@pytest.mark.parametrize("name", sorted(_COMPOSITES))
def test_gradgradcheck_composites(name):
    rng = np.random.default_rng(2)
    x, y = _f64(rng, 3), _f64(rng, 3)
    assert ember.autograd.gradgradcheck(_COMPOSITES[name], (x, y))


def test_gradcheck_custom_function_and_wrong_backward():
    rng = np.random.default_rng(3)
    x = _f64(rng, 4)
    assert ember.autograd.gradcheck(Exp.apply, (x,))

    class WrongExp(Function):
        @staticmethod
        def forward(ctx, i):
            return i.exp()

        @staticmethod
        def backward(ctx, g):
            return g * 2

    from ember.autograd.gradcheck import GradcheckError
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(WrongExp.apply, (x,))
    assert ember.autograd.gradcheck(WrongExp.apply, (x,), raise_exception=False) is False


def test_gradcheck_leaves_non_differentiable_inputs_alone():
    rng = np.random.default_rng(4)
    x = _f64(rng, 3)
    c = ember.tensor(rng.standard_normal(3), dtype=ember.float64)
    assert ember.autograd.gradcheck(lambda a, b: (a * b).exp(), (x, c))


# -- detect_anomaly ------------------------------------------------------------------------------------

def test_detect_anomaly_names_the_op():
    x = ember.tensor(0.0, requires_grad=True)
    with ember.autograd.detect_anomaly():
        assert ember.autograd.is_anomaly_enabled()
        y = x.sqrt() * 0   # d sqrt(x)/dx at 0 is inf; inf * 0 = nan
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in "
                                               r"its 0th output."):
            y.backward()
    assert not ember.autograd.is_anomaly_enabled()


def test_without_anomaly_mode_nan_flows_silently():
    x = ember.tensor(0.0, requires_grad=True)
    (x.sqrt() * 0).backward()
    assert np.isnan(x.grad.item())


def test_detect_anomaly_decorator_and_set_detect_anomaly():
    @ember.autograd.detect_anomaly()
    def run():
        x = ember.tensor([0.0, 1.0], requires_grad=True)
        (x.sqrt().sum() * 0).backward()

    with pytest.raises(RuntimeError, match="SqrtBackward0"):
        run()
    assert not ember.autograd.is_anomaly_enabled()
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()


def test_detect_anomaly_custom_function():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = ember.ones(2, requires_grad=True)
    with ember.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="Function 'NanGradBackward' returned nan values"):
            NanGrad.apply(x).sum().backward()
