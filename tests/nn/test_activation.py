"""Activations: F.* and nn.* layers against PyTorch.

Forward values, input gradients (and PReLU weight gradients), double backward, float16 /
bfloat16, inputs that hit each function's edges (0, thresholds, +-3, large magnitudes),
the blockwise path of large inputs, in-place forms (written into the input, version
counter, leaf error), grad_fn names, reprs and errors (float64 gradcheck / gradgradcheck:
the op table, tests/ops/samples_activation.py).
float32 tolerances: rtol=1e-5, atol=1e-5 unless a test says otherwise.
"""
import warnings

import numpy as np
import pytest

import ember
import ember.ops.activation as EF
from ember.autograd import gradcheck, gradgradcheck
from helpers import torch, needs_torch, assert_close, assert_module_parity
from ops.samples_activation import ELEMENTWISE, STRUCTURED

if torch is not None:
    import torch.nn.functional as TF

try:
    import ember.nn as nn
except ImportError:   # ember.nn needs ops.linalg.linear (landing separately)
    nn = None
needs_nn = pytest.mark.skipif(nn is None, reason="ember.nn does not import yet")

RTOL, ATOL = 1e-5, 1e-5

# Values on and around each function's kinks and thresholds, and large magnitudes.
EDGES = [-100.0, -30.0, -20.5, -6.0, -3.0, -2.9, -1.0, -0.5, -0.25, -1e-3, 0.0, 1e-3, 0.1,
         0.25, 0.5, 1.0, 2.5, 2.9, 3.0, 5.0, 6.0, 10.0, 19.5, 20.0, 20.5, 30.0, 100.0]


def edge_input(shape=(4, 10), seed=0):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(int(np.prod(shape))) * 3).astype(np.float32)
    a[:len(EDGES)] = EDGES[:a.size]
    rng.shuffle(a)
    return a.reshape(shape)


ALL = {**ELEMENTWISE, **STRUCTURED}


def _pair(a, requires_grad=True):
    e = ember.tensor(a, requires_grad=requires_grad)
    t = torch.tensor(a, requires_grad=requires_grad)
    return e, t


def _check_parity(fn, a, rtol=RTOL, atol=ATOL, grad=True, seed=1):
    e, t = _pair(a, grad)
    ye, yt = fn(EF, e), fn(TF, t)
    assert_close(ye, yt, rtol, atol)
    if grad:
        g = np.random.default_rng(seed).standard_normal(yt.shape).astype(a.dtype)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        assert_close(e.grad, t.grad, rtol, atol)
    return ye, yt


# ---------------------------------------------------------------------------------------
# forward and backward parity

@needs_torch
@pytest.mark.parametrize("name", list(ALL))
def test_parity_edges(name):
    _check_parity(ALL[name], edge_input())


@needs_torch
@pytest.mark.parametrize("name", list(ALL))
def test_parity_random_and_noncontiguous(name):
    a = (np.random.default_rng(3).standard_normal((10, 4)) * 2).astype(np.float32)
    e, t = _pair(a.T.copy(), True)
    e2 = ember.tensor(a, requires_grad=True)
    t2 = torch.tensor(a, requires_grad=True)
    ye, yt = ALL[name](EF, e2.T), ALL[name](TF, t2.T)   # non-contiguous (transposed) input
    assert_close(ye, yt, RTOL, ATOL)
    g = np.random.default_rng(4).standard_normal(yt.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(e2.grad, t2.grad, RTOL, ATOL)


@needs_torch
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_parity_large_blockwise(name):
    """Large inputs (the blockwise path of many-step formulas), also non-contiguous."""
    n = 2 * EF._BLOCK + 1000
    a = (np.random.default_rng(5).standard_normal((3, n)) * 4).astype(np.float32)
    a[0, :len(EDGES)] = EDGES
    _check_parity(ELEMENTWISE[name], a)
    _check_parity(lambda F, x: ELEMENTWISE[name](F, x.t()), a)


@needs_torch
@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_parity_scalar_and_empty(name, shape):
    a = np.full(shape, -0.7, np.float32) if shape == () else np.zeros(shape, np.float32)
    _check_parity(ELEMENTWISE[name], a)


@needs_torch
@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_dtypes(name, dtype):
    """Computed in float32 and rounded once: matches PyTorch's float32 result on the same
    (rounded) inputs to the dtype's precision; output and gradient keep the input dtype."""
    a = edge_input()
    a = a[np.abs(a) < 40][:24].reshape(4, 6)   # float16 stays finite through the formulas
    te = ember.tensor(a).to(getattr(ember, dtype)).requires_grad_()
    a = te.detach().float().numpy()            # the rounded inputs, in float32
    tt = torch.tensor(a, requires_grad=True)
    ye, yt = ALL[name](EF, te), ALL[name](TF, tt)
    out_dtype = "float64" if name.endswith("f64") else dtype
    assert ye.dtype == getattr(ember, out_dtype)
    tol = 1e-2 if dtype == "float16" else 2e-2
    assert_close(ye, yt, tol, tol, check_dtype=False)
    g = np.random.default_rng(2).standard_normal(yt.shape).astype(np.float32)
    ge = ember.tensor(g).to(ye.dtype)
    ye.backward(ge)
    yt.backward(torch.tensor(ge.float().numpy()).to(yt.dtype))
    assert te.grad.dtype == te.dtype
    assert_close(te.grad, tt.grad, 2 * tol, 2 * tol, check_dtype=False)


def _grad_or_zeros(t, like):
    return t if t is not None else like.detach() * 0


@needs_torch
@pytest.mark.parametrize("name", list(ALL))
def test_double_backward_parity(name):
    """create_graph=True: the gradient is itself differentiable, as in PyTorch."""
    a = edge_input(seed=7)
    a = a[np.abs(a) < 50][:24].reshape(4, 6)
    a = a + np.float32(0.013)   # off every kink, where the second derivative is defined
    e, t = _pair(a)
    g = np.random.default_rng(8).standard_normal(ALL[name](TF, t).shape).astype(np.float32)
    ge, gt = ember.tensor(g, requires_grad=True), torch.tensor(g, requires_grad=True)
    ye, yt = ALL[name](EF, e), ALL[name](TF, t)
    dxe, = ember.autograd.grad(ye, e, ge, create_graph=True)
    dxt, = torch.autograd.grad(yt, t, gt, create_graph=True)
    assert_close(dxe, dxt, 1e-4, 1e-4)
    w = np.random.default_rng(9).standard_normal(a.shape).astype(np.float32)
    (dxe * ember.tensor(w)).sum().backward()
    try:
        (dxt * torch.tensor(w)).sum().backward()
    except RuntimeError as err:   # PyTorch lacks it (hardsigmoid): the derivative is
        assert "not implemented" in str(err)   # piecewise constant, so d2/dx2 = 0
        ref = torch.autograd.grad(ALL[name](TF, t), t, torch.tensor(w))[0]
        assert_close(ge.grad, ref, 1e-5, 1e-5)
        assert e.grad is None or not e.grad.numpy().any()
        return
    assert_close(ge.grad, gt.grad, 1e-4, 1e-4)
    # second derivative w.r.t. x (None where the graph does not reach x: zero)
    assert_close(_grad_or_zeros(e.grad, e), _grad_or_zeros(t.grad, t), 1e-4, 1e-4)


# ---------------------------------------------------------------------------------------
# float64 gradcheck / gradgradcheck

def _away_from_kinks(shape, seed):
    a = np.random.default_rng(seed).uniform(-4, 4, shape)
    for k in (0.0, 0.1, 0.25, 0.5, 1.0, 3.0, 6.0, -0.5, -1.0, -3.0, 2.5, 5.0, 2.5):
        near = np.abs(a - k) < 0.05
        a[near] += 0.1
    return a


# (gradcheck and gradgradcheck of every function in ALL: the op table,
# tests/ops/samples_activation.py)


@pytest.mark.parametrize("nw", [1, 3])
def test_prelu_gradcheck(nw):
    x = ember.tensor(_away_from_kinks((2, 3, 4), 12), requires_grad=True)
    w = ember.tensor(np.linspace(-0.5, 0.7, nw), requires_grad=True)
    assert gradcheck(EF.prelu, (x, w))
    assert gradgradcheck(EF.prelu, (x, w))


def test_rrelu_training_gradcheck():
    x = ember.tensor(_away_from_kinks((3, 4), 13), requires_grad=True)
    ember.manual_seed(0)
    y = EF.rrelu(x, training=True)
    noise = y.detach().numpy() / x.detach().numpy()
    y.backward(ember.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), noise, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# softmax family

@needs_torch
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((2, 3, 4), 1), ((2, 3, 4), -1),
                                       ((2, 3, 4), 0), ((2, 1, 3, 2), 2), ((), 0), ((), -1),
                                       ((0, 3), 1), ((3, 0), 1)])
def test_softmax_dims(fn, shape, dim):
    a = (np.random.default_rng(0).standard_normal(shape) * 5).astype(np.float32)
    _check_parity(lambda F, x: getattr(F, fn)(x, dim), a)


@needs_torch
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_stability(fn):
    """Huge spreads and magnitudes: max-shifted, so no overflow or NaN."""
    a = np.array([[1e4, 0.0, -1e4, 3.0], [-1e30, 1e30, 0.0, 1.0], [88.0, 89.0, 90.0, -90.0],
                  [-200.0, -201.0, -199.0, -1e5]], np.float32)
    ye, yt = _check_parity(lambda F, x: getattr(F, fn)(x, 1), a)
    assert np.isfinite(ye.detach().numpy()).all()


@needs_torch
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_masked_rows(fn):
    """-inf entries (attention masks): zero probability, finite gradients elsewhere; a row
    of all -inf gives NaN as in PyTorch."""
    a = np.array([[0.5, -np.inf, 1.0, -np.inf], [-np.inf] * 4], np.float32)
    e, t = _pair(a, False)
    assert_close(getattr(EF, fn)(e, 1), getattr(TF, fn)(t, 1))
    e, t = _pair(a[:1], True)
    ye, yt = getattr(EF, fn)(e, 1), getattr(TF, fn)(t, 1)
    w = np.array([[1.0, 0.0, 2.0, 0.0]], np.float32)
    (ye * ember.tensor(w)).sum().backward() if fn == "softmax" else \
        ember.where(ember.isfinite(ye), ye * ember.tensor(w), ember.zeros_like(ye)).sum().backward()
    (yt * torch.tensor(w)).sum().backward() if fn == "softmax" else \
        torch.where(torch.isfinite(yt), yt * torch.tensor(w), torch.zeros_like(yt)).sum().backward()
    assert_close(e.grad, t.grad)


@needs_torch
@pytest.mark.parametrize("ndim,expected", [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim(ndim, expected, fn):
    a = np.random.default_rng(1).standard_normal((2, 3, 2, 2)[:ndim]).astype(np.float32)
    e, t = _pair(a, False)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn} has been "
                                         "deprecated"):
        ye = getattr(EF, fn)(e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = getattr(TF, fn)(t)
    assert_close(ye, yt)
    if ndim:
        assert_close(ye, getattr(TF, fn)(t, expected))


@needs_torch
def test_softmax_dtype_and_methods():
    a = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    e, t = _pair(a, True)
    ye = EF.softmax(e, 1, dtype=ember.float64)
    assert ye.dtype == ember.float64
    ye.sum().backward()
    assert e.grad.dtype == ember.float32
    ints = ember.tensor([[1, 2], [3, 4]])
    assert_close(EF.log_softmax(ints, 0, dtype=ember.float32),
                 TF.log_softmax(torch.tensor([[1, 2], [3, 4]]), 0, dtype=torch.float32))
    # torch-level and Tensor-method forms (dim required; third positional is dtype)
    e2 = ember.tensor(a)
    assert_close(e2.softmax(-1), torch.tensor(a).softmax(-1))
    assert_close(ember.log_softmax(e2, 0), torch.log_softmax(torch.tensor(a), 0))
    assert e2.log_softmax(1, ember.float64).dtype == ember.float64
    assert_close(ember.softmax(e2, 1, ember.float64), torch.softmax(torch.tensor(a), 1,
                                                                   torch.float64))


def test_softmax_errors():
    x = ember.randn(3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                                         r"of \[-1, 0\], but got 1\)"):
        EF.softmax(x, 1)
    with pytest.raises(NotImplementedError, match="\"softmax_lastdim_kernel_impl\" not "
                                                  "implemented for 'Long'"):
        EF.softmax(ember.tensor([1, 2]), 0)
    with pytest.raises(NotImplementedError, match="\"softmax_kernel_impl\" not implemented"):
        EF.softmax(ember.tensor([[1, 2]]), 0)
    with pytest.raises(NotImplementedError, match="log_softmax_lastdim_kernel_impl"):
        EF.log_softmax(ember.tensor([1, 2]), -1)
    with pytest.raises(TypeError):
        EF.softmax(x, 0.5)


def test_softmax_grad_fn_and_saved_output_version():
    x = ember.randn(2, 3, requires_grad=True)
    y = EF.softmax(x, 1)
    assert y.grad_fn.name() == "SoftmaxBackward0"
    assert EF.log_softmax(x, 1).grad_fn.name() == "LogSoftmaxBackward0"
    assert EF.softmin(x, 1).grad_fn.name() == "SoftmaxBackward0"
    with ember.no_grad():
        y.mul_(2)   # modifies the saved output: backward must refuse
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------------------------------------------------------------------------------------
# grad_fn names

@needs_torch
@pytest.mark.parametrize("name", list(ALL))
def test_grad_fn_names(name):
    a = edge_input()
    e, t = _pair(a)
    assert ALL[name](EF, e).grad_fn.name() == ALL[name](TF, t).grad_fn.name()


@needs_torch
def test_grad_fn_names_other():
    e, t = _pair(edge_input())
    we, wt = _pair(np.full(10, 0.25, np.float32))
    assert EF.prelu(e, we).grad_fn.name() == TF.prelu(t, wt).grad_fn.name()
    assert EF.rrelu(e, training=True).grad_fn.name() == TF.rrelu(t, training=True).grad_fn.name()


# ---------------------------------------------------------------------------------------
# in-place forms

INPLACE = {   # name -> (ember/torch call with inplace=True, out-of-place reference)
    "relu": (lambda F, x: F.relu(x, inplace=True), lambda F, x: F.relu(x)),
    "relu_": (lambda F, x: F.relu_(x), lambda F, x: F.relu(x)),
    "relu6": (lambda F, x: F.relu6(x, inplace=True), lambda F, x: F.relu6(x)),
    "hardtanh": (lambda F, x: F.hardtanh(x, -0.5, 2.0, True),
                 lambda F, x: F.hardtanh(x, -0.5, 2.0)),
    "hardtanh_": (lambda F, x: F.hardtanh_(x, -0.5, 2.0), lambda F, x: F.hardtanh(x, -0.5, 2.0)),
    "leaky_relu": (lambda F, x: F.leaky_relu(x, 0.2, True), lambda F, x: F.leaky_relu(x, 0.2)),
    "leaky_relu_": (lambda F, x: F.leaky_relu_(x, 0.2), lambda F, x: F.leaky_relu(x, 0.2)),
    "elu": (lambda F, x: F.elu(x, 0.5, True), lambda F, x: F.elu(x, 0.5)),
    "elu_": (lambda F, x: F.elu_(x, 0.5), lambda F, x: F.elu(x, 0.5)),
    "selu": (lambda F, x: F.selu(x, True), lambda F, x: F.selu(x)),
    "selu_": (lambda F, x: F.selu_(x), lambda F, x: F.selu(x)),
    "celu": (lambda F, x: F.celu(x, 2.0, True), lambda F, x: F.celu(x, 2.0)),
    "celu_": (lambda F, x: F.celu_(x, 2.0), lambda F, x: F.celu(x, 2.0)),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x, True), lambda F, x: F.hardsigmoid(x)),
    "hardswish": (lambda F, x: F.hardswish(x, True), lambda F, x: F.hardswish(x)),
    "silu": (lambda F, x: F.silu(x, True), lambda F, x: F.silu(x)),
    "mish": (lambda F, x: F.mish(x, True), lambda F, x: F.mish(x)),
    "threshold": (lambda F, x: F.threshold(x, 0.1, 20.0, True),
                  lambda F, x: F.threshold(x, 0.1, 20.0)),
    "threshold_": (lambda F, x: F.threshold_(x, 0.1, 20.0),
                   lambda F, x: F.threshold(x, 0.1, 20.0)),
    "rrelu": (lambda F, x: F.rrelu(x, 0.1, 0.3, False, True), lambda F, x: F.rrelu(x, 0.1, 0.3)),
    "rrelu_": (lambda F, x: F.rrelu_(x, 0.1, 0.3), lambda F, x: F.rrelu(x, 0.1, 0.3)),
}


@needs_torch
@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_writes_input(name):
    fn, ref = INPLACE[name]
    a = edge_input()
    e = ember.tensor(a)
    v0 = e._version
    out = fn(EF, e)
    assert out is e
    assert e._version == v0 + 1
    assert_close(e, ref(TF, torch.tensor(a)))


@needs_torch
@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_autograd(name):
    """On a non-leaf: gradient as PyTorch's, grad_fn name as PyTorch's (some are
    ...Backward1); on a leaf that requires grad: PyTorch's error."""
    fn, _ = INPLACE[name]
    a = edge_input(seed=5)
    a = a + np.float32(0.013)
    e, t = _pair(a)
    ye, yt = e * 1.5, t * 1.5
    re, rt = fn(EF, ye), fn(TF, yt)
    assert re is ye
    assert re.grad_fn.name() == rt.grad_fn.name()
    w = np.random.default_rng(6).standard_normal(a.shape).astype(np.float32)
    (re * ember.tensor(w)).sum().backward()
    (rt * torch.tensor(w)).sum().backward()
    assert_close(e.grad, t.grad)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation."):
        fn(EF, ember.tensor(a, requires_grad=True))
    leaf = ember.tensor(a, requires_grad=True)
    with ember.no_grad():
        fn(EF, leaf)   # allowed without grad mode, as in PyTorch
    assert_close(leaf, INPLACE[name][1](TF, torch.tensor(a)))


def test_inplace_rrelu_training_writes_input():
    a = edge_input()
    e = ember.tensor(a)
    ember.manual_seed(3)
    out = EF.rrelu(e, 0.1, 0.3, training=True, inplace=True)
    assert out is e
    neg = a <= 0
    np.testing.assert_array_equal(e.numpy()[~neg], a[~neg])
    ratio = e.numpy()[neg & (a != 0)] / a[neg & (a != 0)]
    assert ratio.min() >= 0.1 - 1e-6 and ratio.max() <= 0.3 + 1e-6


# ---------------------------------------------------------------------------------------
# prelu, glu, rrelu

@needs_torch
@pytest.mark.parametrize("shape,nw", [((2, 3, 4), 3), ((2, 3, 4), 1), ((2, 3), 3),
                                      ((2, 3, 2, 2), 3), ((2, 3, 2, 2, 2), 1), ((5,), 1),
                                      ((), 1), ((2, 3, 4), 0)])
def test_prelu_parity(shape, nw):
    a = edge_input((int(np.prod(shape)),)).reshape(shape) if shape else np.float32(-2.0)
    a = np.asarray(a, np.float32)
    w = np.linspace(-0.4, 0.6, max(nw, 1)).astype(np.float32)
    if nw == 0:
        w = np.float32(0.3)   # 0-d weight
    e, t = _pair(a)
    we, wt = _pair(np.asarray(w))
    ye, yt = EF.prelu(e, we), TF.prelu(t, wt)
    assert_close(ye, yt)
    g = np.random.default_rng(0).standard_normal(yt.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(e.grad, t.grad)
    assert_close(we.grad, wt.grad, 1e-5, 1e-4)


def test_prelu_errors():
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel "
                                           "size. Found parameter numbers = 4 and channel "
                                           "size = 3."):
        EF.prelu(ember.randn(2, 3, 4), ember.randn(4))
    with pytest.raises(RuntimeError, match="parameter numbers = 5 and channel size = 1"):
        EF.prelu(ember.randn(5), ember.randn(5))
    with pytest.raises(RuntimeError, match="Expected `weight` to be a scalar or 1D tensor, but "
                                           "got: ndim = 2"):
        EF.prelu(ember.randn(2, 3), ember.randn(1, 3))


def test_glu_errors():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is "
                                           "size 3"):
        EF.glu(ember.randn(2, 3), 1)
    with pytest.raises(IndexError):
        EF.glu(ember.randn(2, 4), 2)
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        EF.glu(ember.tensor(1.0))


def test_rrelu_training_distribution():
    ember.manual_seed(0)
    x = ember.full((20000,), -2.0)
    y = EF.rrelu(x, 0.1, 0.3, training=True).numpy() / -2.0
    assert y.min() >= 0.1 and y.max() <= 0.3
    assert abs(y.mean() - 0.2) < 0.005
    assert abs(y.std() - 0.2 / np.sqrt(12)) < 0.005
    pos = ember.tensor([1.0, 2.5])
    np.testing.assert_array_equal(EF.rrelu(pos, training=True).numpy(), [1.0, 2.5])
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the "
                                           "upper bound"):
        EF.rrelu(x, 0.5, 0.2, training=True)


# ---------------------------------------------------------------------------------------
# argument and dtype errors

@needs_torch
@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
                                  "hardsigmoid", "hardswish", "softplus", "logsigmoid",
                                  "softshrink", "hardshrink", "rrelu_eval", "glu"])
def test_integer_input_errors(name):
    e, t = ember.tensor([[-2, 0, 3, 4]]), torch.tensor([[-2, 0, 3, 4]])
    with pytest.raises(NotImplementedError) as ti:
        ALL[name](TF, t)
    with pytest.raises(NotImplementedError) as ei:
        ALL[name](EF, e)
    assert str(ei.value) == str(ti.value)


@needs_torch
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold", "softsign",
                                  "tanhshrink", "sigmoid", "tanh"])
def test_integer_inputs_supported(name):
    a = np.array([[-2, 0, 3, 7]])
    assert_close(ALL[name](EF, ember.tensor(a)), ALL[name](TF, torch.tensor(a)))


def test_argument_errors():
    x = ember.randn(3)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        EF.hardtanh(x, 2.0, 1.0)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        EF.gelu(x, approximate="foo")
    with pytest.raises(RuntimeError, match=r"lambda must be in range \[0, 3.40282e\+38\] for "
                                           "input dtype Float, but found -1"):
        EF.softshrink(x, -1.0)
    with pytest.raises(TypeError):
        EF.relu(np.zeros(3))


def test_options_keep_float32():
    """NumPy scalars as options must not turn float32 math into float64."""
    x = ember.randn(4)
    for y in (EF.elu(x, np.float64(0.5)), EF.leaky_relu(x, np.float64(0.1)),
              EF.softplus(x, np.float64(2.0), np.float64(3.0)), EF.hardtanh(x, np.float64(-0.5)),
              EF.threshold(x, np.float64(0.1), np.float64(2.0)), EF.hardshrink(x, np.float64(0.3))):
        assert y.dtype == ember.float32


def test_gelu_tail_accuracy():
    """float32 GELU keeps relative accuracy in the far negative tail (no cancellation)."""
    import math
    xs = np.array([-3.0, -5.0, -7.0, -9.0, -12.0], np.float32)
    ours = EF.gelu(ember.tensor(xs)).numpy().astype(np.float64)
    exact = np.array([x * 0.5 * math.erfc(-x / math.sqrt(2)) for x in xs.astype(np.float64)])
    np.testing.assert_allclose(ours, exact, rtol=2e-5)   # float32 exponent rounding


# ---------------------------------------------------------------------------------------
# modules

MODULES = [  # constructor source, evaluated with nn = ember.nn and with torch.nn
    "ReLU()", "ReLU(inplace=True)", "ReLU6()", "ReLU6(True)", "LeakyReLU()",
    "LeakyReLU(0.2, True)", "LeakyReLU(negative_slope=-0.5)", "PReLU()", "PReLU(4, 0.1)",
    "PReLU(num_parameters=1, init=-0.2)", "ELU()", "ELU(alpha=0.5, inplace=True)", "ELU(2)",
    "SELU()", "SELU(True)", "CELU()", "CELU(2.0, True)", "GELU()", "GELU('tanh')",
    "GELU(approximate='none')", "SiLU()", "SiLU(True)", "Mish()", "Mish(inplace=True)",
    "Sigmoid()", "Tanh()", "Hardtanh()", "Hardtanh(-2, 3, True)", "Hardtanh(-0.5, 0.5)",
    "Hardsigmoid()", "Hardsigmoid(True)", "Hardswish()", "Hardswish(True)", "Softplus()",
    "Softplus(2, 10)", "Softplus(beta=0.5)", "Softsign()", "Softmax(dim=1)",
    "Softmax(-1)", "LogSoftmax(1)", "LogSoftmax(dim=0)", "Softmin(1)", "Softmin(dim=-1)",
    "Softmax2d()", "Threshold(0.1, 20)", "Threshold(0.1, 20.0, True)", "GLU()", "GLU(1)",
    "LogSigmoid()", "Tanhshrink()", "Softshrink()", "Softshrink(1)", "Hardshrink()",
    "Hardshrink(lambd=0.25)", "RReLU()", "RReLU(0.1, 0.3)", "RReLU(0.1, 0.3, True)",
]
MODULE_REPR_ONLY = ["Softmax()", "LogSoftmax()", "Softmin()"]


@needs_nn
@needs_torch
@pytest.mark.parametrize("src", MODULES + MODULE_REPR_ONLY)
def test_module_repr(src):
    assert repr(eval("nn." + src)) == repr(eval("torch.nn." + src))


@needs_nn
@needs_torch
@pytest.mark.parametrize("src", MODULES)
@pytest.mark.parametrize("train", [True, False])
def test_module_parity(src, train):
    a = edge_input((2, 4, 3, 6)) + np.float32(0.013)
    if src.startswith("RReLU") and train:
        me = eval("nn." + src).train()
        ember.manual_seed(0)
        ye = me(ember.tensor(a) * 1.0)
        ratio = ye.detach().numpy() / (a * 1.0)
        assert ((ratio == 1) | ((ratio >= me.lower - 1e-6) & (ratio <= me.upper + 1e-6))).all()
        return
    # (x * 1.0: a non-leaf, so inplace modules may write into it)
    me, mt, ye, yt = assert_module_parity(
        lambda lib: eval("nn." + src, {"nn": lib.nn}), [a], call=lambda m, x: m(x * 1.0),
        train=train, rtol=RTOL, atol=ATOL, grad_rtol=1e-5, grad_atol=1e-4)
    if "inplace=True" in repr(mt) or src.endswith("(True)") or ", True)" in src:
        xe, xt = ember.tensor(a) * 1.0, torch.tensor(a) * 1.0
        assert me(xe) is xe and mt(xt) is xt
        assert_close(xe, xt)


@needs_nn
def test_prelu_module_init_and_state():
    m = nn.PReLU(4, init=0.1, dtype=ember.float64)
    assert isinstance(m.weight, nn.Parameter)
    assert m.weight.shape == (4,) and m.weight.dtype == ember.float64
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.full(4, 0.1))
    assert list(m.state_dict()) == ["weight"]
    assert nn.PReLU().weight.shape == (1,)
    y = m(ember.randn(2, 4, 3, dtype=ember.float64))
    y.sum().backward()
    assert m.weight.grad.shape == (4,)
    with pytest.raises(RuntimeError, match="channel size = 3"):
        m(ember.randn(2, 3, dtype=ember.float64))


@needs_nn
def test_module_errors_and_warnings():
    with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val "
                                             r"\(2.0\)"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        m = nn.Hardtanh(min_value=-3.0)
    assert m.min_val == -3.0
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D "
                                         "instead"):
        nn.Softmax2d()(ember.randn(3, 4))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        nn.GELU("foo")(ember.randn(2))


@needs_nn
def test_softmax_module_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.Softmax()(ember.randn(2, 3))
    np.testing.assert_allclose(y.sum(1).numpy(), [1.0, 1.0], rtol=1e-6)


@needs_nn
def test_functional_exports():
    import ember.nn.functional as F
    for name in EF.__all__:
        assert getattr(F, name) is getattr(EF, name)
    if torch is not None:
        wanted = ["threshold", "threshold_", "relu", "relu_", "glu", "hardtanh", "hardtanh_",
                  "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu",
                  "leaky_relu_", "prelu", "rrelu", "rrelu_", "logsigmoid", "gelu", "hardshrink",
                  "tanhshrink", "softsign", "softplus", "softmin", "softmax", "log_softmax",
                  "softshrink", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish"]
        for name in wanted:
            assert hasattr(TF, name) and hasattr(F, name), name


# ---------------------------------------------------------------------------------------
# gumbel_softmax, torch-level names

def test_gumbel_softmax_soft_and_hard():
    ember.manual_seed(0)
    logits = ember.tensor(np.log(np.array([[0.1, 0.2, 0.7]] * 4000)).astype(np.float32),
                          requires_grad=True)
    y = EF.gumbel_softmax(logits, tau=0.5)
    assert y.shape == logits.shape and y.dtype == ember.float32
    np.testing.assert_allclose(y.sum(-1).detach().numpy(), 1.0, rtol=1e-5)
    ember.manual_seed(1)
    soft = EF.gumbel_softmax(logits, tau=2.0, dim=1)
    ember.manual_seed(1)
    hard = EF.gumbel_softmax(logits, tau=2.0, hard=True, dim=1)
    h = hard.detach().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0} and (h.sum(1) == 1).all()
    np.testing.assert_array_equal(h.argmax(1), soft.detach().numpy().argmax(1))
    # the Gumbel-max trick: argmax frequencies follow softmax(logits)
    np.testing.assert_allclose(h.mean(0), [0.1, 0.2, 0.7], atol=0.03)
    # straight-through: the hard sample is differentiated as the soft one
    w = ember.tensor(np.random.default_rng(0).standard_normal(h.shape).astype(np.float32))
    gh, = ember.autograd.grad((hard * w).sum(), logits)
    gs, = ember.autograd.grad((soft * w).sum(), logits)
    np.testing.assert_allclose(gh.numpy(), gs.numpy(), rtol=1e-5, atol=1e-7)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        EF.gumbel_softmax(logits, eps=1e-5)


def test_torch_level_names():
    x = ember.randn(2, 4)
    for name in ("softmax", "log_softmax", "selu", "celu", "rrelu", "threshold", "prelu",
                 "hardshrink", "selu_", "celu_", "rrelu_", "threshold_", "relu", "relu_"):
        assert callable(getattr(ember, name)), name
    assert_close(ember.softmax(x, 1), x.softmax(1))
    np.testing.assert_allclose(x.log_softmax(-1).exp().sum(-1).numpy(), 1.0, rtol=1e-6)
    assert x.prelu(ember.tensor([0.5])).shape == x.shape
    assert x.hardshrink(0.1).shape == x.shape


@needs_torch
def test_relu_special_values_match_torch():
    """nan stays nan, infinities and denormals as torch at every size; from 8192 float32 /
    float64 elements (clip(x, 0, inf)) relu(-0.0) keeps the sign bit bit for bit as torch
    (smaller ones go through maximum: +0.0, equal as a number); integer relu keeps its
    dtype."""
    vals = [-0.0, 0.0, float("nan"), -float("inf"), float("inf"), -1.0, 2.0, 1e-45, -1e-45]
    for dt, reps in (("float32", 1), ("float64", 1), ("float32", 1000), ("float64", 1000)):
        x = np.array(vals * reps, dt)
        got = ember.relu(ember.tensor(x)).numpy()
        want = torch.relu(torch.tensor(x)).numpy()
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        if reps > 1:
            bits = f"int{8 * got.itemsize}"
            assert (got.view(bits) == want.view(bits)).all()
    out = ember.relu(ember.tensor([1, -2, 3]))
    assert out.dtype == ember.int64 and out.tolist() == [1, 0, 3]

