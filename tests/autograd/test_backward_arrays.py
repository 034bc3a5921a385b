"""``backward_arrays`` (the engine's array path when create_graph is off) gives the same
first-order gradients as the differentiable ``backward``, and double backward still
goes through ``backward``."""
import numpy
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradgradcheck
from ember.ops import activation, conv, loss


def _inputs(shapes, seed=0, dtype=ember.float64):
    g = numpy.random.default_rng(seed)
    return [ember.tensor(g.standard_normal(s), dtype=dtype, requires_grad=True) for s in shapes]


CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
               [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1),
                         [(2, 3, 4, 5), (3, 2, 3, 3), (2,)]),
    "gelu": (lambda x: F.gelu(x), [(3, 5)]),
    "softplus": (lambda x: F.softplus(x, beta=2.0), [(4, 3)]),
    "elu": (lambda x: F.elu(x), [(6,)]),
    "mse_loss": (lambda a, b: F.mse_loss(a, b), [(3, 4), (3, 4)]),
    "bce_logits": (lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()),
                   [(5,), (5,)]),
    "cross_entropy": (lambda x: F.cross_entropy(x, ember.tensor([0, 2, 1]),
                                                label_smoothing=0.1), [(3, 4)]),
    "nll_weighted": (lambda x: F.nll_loss(x.log_softmax(1), ember.tensor([1, 0, 3]),
                                          weight=ember.tensor([1.0, 2.0, 0.5, 1.5],
                                                              dtype=ember.float64)), [(3, 4)]),
    "cross_entropy_probs": (lambda x, q: F.cross_entropy(x, q.softmax(1), label_smoothing=0.2),
                            [(3, 4), (3, 4)]),
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                   [(4, 3, 5), (3,), (3,)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (5,), w, b), [(2, 3, 5), (5,), (5,)]),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    "attention": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
                  [(2, 3, 4), (2, 5, 4), (2, 5, 4)]),
    "attention_float_mask": (lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
                             [(2, 3, 4), (2, 5, 4), (2, 5, 4), (3, 5)]),
}


def test_heavy_ops_define_backward_arrays():
    from ember.ops import attention, normalization
    for cls in (conv._Conv, conv._ConvTranspose, activation.Gelu, loss.MseLoss,
                normalization.Normalize, attention.Attention):
        assert cls.backward_arrays is not None


@pytest.mark.parametrize("name", list(CASES))
def test_array_path_matches_differentiable_backward(name):
    fn, shapes = CASES[name]
    xs = _inputs(shapes)
    out = fn(*xs)
    g = ember.ones_like(out) if out.dim() == 0 else ember.randn(out.shape, dtype=out.dtype)
    fast = ember.autograd.grad(out, xs, g, retain_graph=True)
    slow = ember.autograd.grad(out, xs, g, create_graph=True)
    for f, s in zip(fast, slow):
        assert f.grad_fn is None
        assert f.dtype == s.dtype and f.shape == s.shape
        numpy.testing.assert_allclose(f.numpy(), s.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["conv2d", "gelu", "mse_loss", "cross_entropy",
                                  "cross_entropy_probs", "layer_norm", "attention"])
def test_double_backward_still_works(name):
    fn, shapes = CASES[name]
    assert gradgradcheck(fn, _inputs(shapes, seed=1))


def test_float32_first_order_matches_torch():
    torch = pytest.importorskip("torch")
    x = numpy.random.default_rng(2).standard_normal((2, 3, 6, 6)).astype(numpy.float32)
    w = numpy.random.default_rng(3).standard_normal((4, 3, 3, 3)).astype(numpy.float32)
    ex, ew = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
    F.gelu(F.conv2d(ex, ew, padding=1)).sum().backward()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    torch.nn.functional.gelu(torch.nn.functional.conv2d(tx, tw, padding=1)).sum().backward()
    numpy.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    numpy.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-4)
