"""PyTorch's tensor and autograd tutorials run with ``import ember as torch``.

Each tutorial snippet is written once as ``snippet(torch)`` and run with ember and with
PyTorch; what it prints must be identical once 'torch' reads 'ember' and object addresses
are masked. Snippets whose tutorial draws random numbers take their data from NumPy instead,
since ember's random stream differs from PyTorch's (docs/differences.md).
"""
import contextlib
import io
import math
import os
import re
import runpy
import sys

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _printed(snippet, lib):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        snippet(lib)
    return buf.getvalue()


def _normalize(text):
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", text.replace("torch", "ember"))


def assert_same_output(snippet):
    ours = _printed(snippet, ember)
    theirs = _printed(snippet, torch)
    assert ours.strip(), "the snippet printed nothing"
    assert _normalize(ours) == _normalize(theirs)


def _has(obj, *names):
    return all(hasattr(obj, n) for n in names)


def _bce_available():
    try:
        import ember.nn.functional as F
    except ImportError:
        return False
    return hasattr(F, "binary_cross_entropy_with_logits")


# -- "A Gentle Introduction to torch.autograd" --------------------------------------------------

def test_quadratic_gradient_is_seven():
    x = ember.tensor(2.0, requires_grad=True)
    y = x ** 2 + 3 * x + 1
    y.backward()
    assert repr(x.grad) == "tensor(7.)"
    assert repr(y) == "tensor(11., grad_fn=<AddBackward0>)"
    assert repr(x) == "tensor(2., requires_grad=True)"


@needs_torch
def test_quadratic_prints_like_torch():
    def snippet(torch):
        x = torch.tensor(2.0, requires_grad=True)
        y = x ** 2 + 3 * x + 1
        y.backward()
        print(x.grad)
        print(y)
        print(y.grad_fn)
    assert_same_output(snippet)


@needs_torch
def test_gentle_introduction_external_grad():
    def snippet(torch):
        a = torch.tensor([2., 3.], requires_grad=True)
        b = torch.tensor([6., 4.], requires_grad=True)
        Q = 3 * a ** 3 - b ** 2
        print(Q)
        external_grad = torch.tensor([1., 1.])
        Q.backward(gradient=external_grad)
        print(9 * a ** 2 == a.grad)
        print(-2 * b == b.grad)
        print(a.grad, b.grad)
    assert_same_output(snippet)


@needs_torch
def test_gentle_introduction_requires_grad_propagation():
    xv, yv, zv = (np.random.default_rng(i).random((5, 5), dtype=np.float32) for i in range(3))

    def snippet(torch):
        x = torch.tensor(xv)
        y = torch.tensor(yv)
        z = torch.tensor(zv, requires_grad=True)
        a = x + y
        print(f"Does `a` require gradients?: {a.requires_grad}")
        b = x + z
        print(f"Does `b` require gradients?: {b.requires_grad}")
    assert_same_output(snippet)


# -- "The Fundamentals of Autograd" ---------------------------------------------------------------

@needs_torch
def test_fundamentals_of_autograd_graph_walk():
    def snippet(torch):
        a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
        print(a)
        b = torch.sin(a)
        print(b)
        c = 2 * b
        print(c)
        d = c + 1
        print(d)
        out = d.sum()
        print(out)
        print('d:')
        print(d.grad_fn)
        print(d.grad_fn.next_functions)
        print(d.grad_fn.next_functions[0][0].next_functions)
        print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
        print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
              .next_functions)
        print('\nc:')
        print(c.grad_fn)
        print('\nb:')
        print(b.grad_fn)
        print('\na:')
        print(a.grad_fn)
        out.backward()
        print(a.grad)
    assert_same_output(snippet)


@needs_torch
def test_fundamentals_turning_autograd_off():
    def snippet(torch):
        a = torch.ones(2, 3, requires_grad=True)
        print(a)
        b1 = 2 * a
        print(b1)
        a.requires_grad = False
        b2 = 2 * a
        print(b2)
        a = torch.ones(2, 3, requires_grad=True) * 2
        b = torch.ones(2, 3, requires_grad=True) * 3
        c1 = a + b
        print(c1)
        with torch.no_grad():
            c2 = a + b
        print(c2)
        c3 = a * b
        print(c3)
        x = torch.ones(5, requires_grad=True)
        y = x.detach()
        print(x)
        print(y)
    assert_same_output(snippet)


@needs_torch
def test_fundamentals_in_place_on_leaf_error():
    messages = []
    for lib in (ember, torch):
        a = lib.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            a.sin_()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


# -- "Automatic Differentiation with torch.autograd" ----------------------------------------------

@needs_torch
@pytest.mark.skipif(not _bce_available(), reason="nn.functional.binary_cross_entropy_with_logits "
                                                 "not available yet")
def test_autogradqs_one_layer_network():
    wv = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    bv = np.random.default_rng(1).standard_normal(3).astype(np.float32)
    res = {}
    for lib in (ember, torch):
        x = lib.ones(5)
        y = lib.zeros(3)
        w = lib.tensor(wv, requires_grad=True)
        b = lib.tensor(bv, requires_grad=True)
        z = lib.matmul(x, w) + b
        loss = lib.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        with lib.no_grad():
            z2 = lib.matmul(x, w) + b
        res[lib.__name__] = (loss.detach(), w.grad, b.grad, z2.requires_grad,
                             z.detach().requires_grad, repr(z.grad_fn).split(" ")[0])
    e, t = res["ember"], res["torch"]
    assert_close(e[0], t[0])
    assert_close(e[1], t[1])
    assert_close(e[2], t[2])
    assert e[3:5] == t[3:5] == (False, False)
    assert e[5] == t[5] == "<AddBackward0"


@needs_torch
@pytest.mark.skipif(not _has(ember.Tensor, "t", "pow"), reason="Tensor.t not available yet")
def test_autogradqs_jacobian_product_and_accumulation():
    def snippet(torch):
        inp = torch.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"First call\n{inp.grad}")
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"\nSecond call\n{inp.grad}")
        inp.grad.zero_()
        out.backward(torch.ones_like(out), retain_graph=True)
        print(f"\nCall after zeroing gradients\n{inp.grad}")
    assert_same_output(snippet)


# -- the old "Autograd: automatic differentiation" blitz ---------------------------------------------

@needs_torch
@pytest.mark.skipif(not _has(ember.Tensor, "mean"), reason="Tensor.mean not available yet")
def test_blitz_autograd():
    av = np.random.default_rng(0).standard_normal((2, 2)).astype(np.float32)

    def snippet(torch):
        x = torch.ones(2, 2, requires_grad=True)
        print(x)
        y = x + 2
        print(y)
        print(y.grad_fn)
        z = y * y * 3
        out = z.mean()
        print(z, out)
        a = torch.tensor(av)
        a = ((a * 3) / (a - 1))
        print(a.requires_grad)
        a.requires_grad_(True)
        print(a.requires_grad)
        b = (a * a).sum()
        print(b.grad_fn)
        out.backward()
        print(x.grad)
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
        y.backward(v)
        print(x.grad)
        print(x.requires_grad)
        print((x ** 2).requires_grad)
        with torch.no_grad():
            print((x ** 2).requires_grad)
        y = x.detach()
        print(y.requires_grad)
        print(x.eq(y).all())
    assert_same_output(snippet)


# -- "Learning PyTorch with Examples" --------------------------------------------------------------

def _polynomial_losses(lib, init, steps=2000, learning_rate=1e-6):
    """The 'Tensors and autograd' loop, from fixed starting weights."""
    x = lib.linspace(-math.pi, math.pi, 2000)
    y = lib.sin(x)
    a, b, c, d = (lib.tensor(v, requires_grad=True) for v in init)
    losses = []
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return losses, [p.item() for p in (a, b, c, d)]


@needs_torch
def test_tensors_and_autograd_polynomial_matches_torch():
    init = np.random.default_rng(0).standard_normal(4).astype(np.float32)
    ours, ours_w = _polynomial_losses(ember, init)
    theirs, theirs_w = _polynomial_losses(torch, init)
    assert len(ours) == 20
    np.testing.assert_allclose(ours, theirs, rtol=2e-4)
    np.testing.assert_allclose(ours_w, theirs_w, rtol=2e-4, atol=1e-5)


@needs_torch
def test_legendre_polynomial_tutorial_matches_torch():
    def train(torch):
        class LegendrePolynomial3(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input):
                ctx.save_for_backward(input)
                return 0.5 * (5 * input ** 3 - 3 * input)

            @staticmethod
            def backward(ctx, grad_output):
                input, = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input ** 2 - 1)

        dtype = torch.float
        x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
        y = torch.sin(x)
        a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
        b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
        c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
        d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
        learning_rate = 5e-6
        losses = []
        for t in range(2000):
            P3 = LegendrePolynomial3.apply
            y_pred = a + b * P3(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            if t % 100 == 99:
                losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= learning_rate * a.grad
                b -= learning_rate * b.grad
                c -= learning_rate * c.grad
                d -= learning_rate * d.grad
                a.grad = None
                b.grad = None
                c.grad = None
                d.grad = None
        return losses, [a.item(), b.item(), c.item(), d.item()]

    ours, ours_w = train(ember)
    theirs, theirs_w = train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=2e-4)
    np.testing.assert_allclose(ours_w, theirs_w, rtol=2e-4, atol=1e-5)
    assert ours[-1] < ours[0]


def test_fit_polynomial_example_runs(capsys):
    """examples/fit_polynomial.py, the main job: loss every 100 steps, then the polynomial."""
    path = os.path.join(ROOT, "examples", "fit_polynomial.py")
    argv = sys.argv
    sys.argv = [path]
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = argv
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 21
    steps = [int(line.split()[0]) for line in lines[:20]]
    losses = [float(line.split()[1]) for line in lines[:20]]
    assert steps == list(range(99, 2000, 100))
    assert all(l2 < l1 for l1, l2 in zip(losses, losses[1:]))
    assert losses[-1] < 50
    assert re.fullmatch(r"Result: y = \S+ \+ \S+ x \+ \S+ x\^2 \+ \S+ x\^3", lines[-1])
