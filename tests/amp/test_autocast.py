"""ember.autocast against torch's CPU autocast, op by op: same output dtypes, values
within bfloat16 rounding, gradients in each input's own dtype; the cuda table as a table."""
import warnings
from contextlib import nullcontext

import numpy as np
import pytest

import ember
from ember.amp import policy

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _arr(*shape, positive=False, unit=False):
    a = RNG.standard_normal(shape).astype(np.float32)
    if positive:
        a = np.abs(a) + 0.5
    if unit:
        a = 1 / (1 + np.exp(-a))
    return a


def F(lib):
    return lib.nn.functional


# name -> (fn(lib, *tensors), [arrays], [dtype of each input: "f32" | "bf16" | "f64"])
CASES = {
    "linear": (lambda L, x, w, b: F(L).linear(x, w, b), [_arr(4, 6), _arr(3, 6), _arr(3)]),
    "linear_bf16_input": (lambda L, x, w: F(L).linear(x.to(L.bfloat16), w),
                          [_arr(4, 6), _arr(3, 6)]),
    "matmul_2d": (lambda L, a, b: L.matmul(a, b), [_arr(4, 5), _arr(5, 3)]),
    "matmul_3d": (lambda L, a, b: a @ b, [_arr(2, 4, 5), _arr(2, 5, 3)]),
    "matmul_nd_2d": (lambda L, a, b: a @ b, [_arr(2, 4, 5), _arr(5, 3)]),
    "mm": (lambda L, a, b: L.mm(a, b), [_arr(4, 5), _arr(5, 3)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [_arr(2, 4, 5), _arr(2, 5, 3)]),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b), [_arr(4, 3), _arr(4, 5), _arr(5, 3)]),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b),
                [_arr(2, 4, 3), _arr(2, 4, 5), _arr(2, 5, 3)]),
    "conv1d": (lambda L, x, w: F(L).conv1d(x, w, padding=1), [_arr(2, 3, 9), _arr(4, 3, 3)]),
    "conv2d": (lambda L, x, w, b: F(L).conv2d(x, w, b, stride=2),
               [_arr(2, 3, 8, 8), _arr(4, 3, 3, 3), _arr(4)]),
    "conv3d": (lambda L, x, w: F(L).conv3d(x, w), [_arr(1, 2, 4, 4, 4), _arr(3, 2, 2, 2, 2)]),
    "conv_transpose2d": (lambda L, x, w: F(L).conv_transpose2d(x, w),
                         [_arr(2, 3, 5, 5), _arr(3, 4, 3, 3)]),
    "prelu": (lambda L, x, w: F(L).prelu(x, w), [_arr(3, 4, 5), _arr(4)]),
    "sdpa": (lambda L, q, k, v: F(L).scaled_dot_product_attention(q, k, v),
             [_arr(2, 3, 4), _arr(2, 3, 4), _arr(2, 3, 4)]),
    "einsum": (lambda L, a, b: L.einsum("ij,kj->ik", a, b), [_arr(3, 4), _arr(5, 4)]),
    # float32 list (inputs in bfloat16 come out float32)
    "mse_loss": (lambda L, a, b: F(L).mse_loss(a.to(L.bfloat16), b.to(L.bfloat16)),
                 [_arr(4, 5), _arr(4, 5)]),
    "l1_loss": (lambda L, a, b: F(L).l1_loss(a.to(L.bfloat16), b), [_arr(4, 5), _arr(4, 5)]),
    "smooth_l1_loss": (lambda L, a, b: F(L).smooth_l1_loss(a.to(L.bfloat16), b),
                       [_arr(4, 5), _arr(4, 5)]),
    "huber_loss": (lambda L, a, b: F(L).huber_loss(a.to(L.bfloat16), b), [_arr(4, 5), _arr(4, 5)]),
    "cross_entropy": (lambda L, a: F(L).cross_entropy(a.to(L.bfloat16), L.tensor([0, 2, 1, 4])),
                      [_arr(4, 5)]),
    "nll_loss": (lambda L, a: F(L).nll_loss(a.to(L.bfloat16), L.tensor([0, 2, 1, 4])),
                 [_arr(4, 5)]),
    "bce": (lambda L, a, b: F(L).binary_cross_entropy(a.to(L.bfloat16), b),
            [_arr(6, unit=True), _arr(6, unit=True)]),
    "bce_logits": (lambda L, a, b: F(L).binary_cross_entropy_with_logits(a.to(L.bfloat16), b),
                   [_arr(6), _arr(6, unit=True)]),
    "kl_div": (lambda L, a, b: F(L).kl_div(a.to(L.bfloat16), b, reduction="batchmean"),
               [_arr(3, 4), _arr(3, 4, unit=True)]),
    "soft_margin_loss": (lambda L, a: F(L).soft_margin_loss(
        a.to(L.bfloat16), L.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])), [_arr(6)]),
    "prod": (lambda L, a: a.to(L.bfloat16).prod(), [_arr(5, positive=True)]),
    "prod_dim": (lambda L, a: a.to(L.bfloat16).prod(1), [_arr(3, 4, positive=True)]),
    "trace": (lambda L, a: L.trace(a.to(L.bfloat16)), [_arr(4, 4)]),
    "max_pool3d": (lambda L, a: F(L).max_pool3d(a.to(L.bfloat16), 2), [_arr(1, 2, 4, 4, 4)]),
    "avg_pool3d": (lambda L, a: F(L).avg_pool3d(a.to(L.bfloat16), 2), [_arr(1, 2, 4, 4, 4)]),
    "adaptive_avg_pool3d": (lambda L, a: F(L).adaptive_avg_pool3d(a.to(L.bfloat16), 2),
                            [_arr(1, 2, 4, 4, 4)]),
    "reflect_pad1d": (lambda L, a: F(L).pad(a.to(L.bfloat16), (1, 1), mode="reflect"),
                      [_arr(2, 3, 5)]),
    "replicate_pad2d": (lambda L, a: F(L).pad(a.to(L.bfloat16), (1, 1, 2, 0), mode="replicate"),
                        [_arr(2, 3, 5, 5)]),
    # promote list
    "cat": (lambda L, a, b: L.cat([a.to(L.bfloat16), b]), [_arr(2, 3), _arr(2, 3)]),
    "stack": (lambda L, a, b: L.stack([a.to(L.bfloat16), b]), [_arr(2, 3), _arr(2, 3)]),
    "index_copy": (lambda L, a, b: a.to(L.bfloat16).index_copy(0, L.tensor([2, 0]), b),
                   [_arr(3, 4), _arr(2, 4)]),
    # not listed on CPU: runs in the inputs' type
    "max_pool2d": (lambda L, a: F(L).max_pool2d(a.to(L.bfloat16), 2), [_arr(1, 2, 4, 4)]),
    "circular_pad": (lambda L, a: F(L).pad(a.to(L.bfloat16), (1, 1), mode="circular"),
                     [_arr(2, 3, 5)]),
    "softmax": (lambda L, a: L.softmax(a.to(L.bfloat16), 1), [_arr(3, 4)]),
    "sum": (lambda L, a: a.to(L.bfloat16).sum(), [_arr(3, 4)]),
    "sum_dtype": (lambda L, a: a.to(L.bfloat16).sum(dtype=L.float32), [_arr(3, 4)]),
    "layer_norm": (lambda L, a: F(L).layer_norm(a.to(L.bfloat16), (4,)), [_arr(3, 4)]),
    "exp": (lambda L, a: a.to(L.bfloat16).exp(), [_arr(3, 4)]),
    "add_mixed": (lambda L, a, b: a.to(L.bfloat16) + b, [_arr(3, 4), _arr(3, 4)]),
    "relu": (lambda L, a: F(L).relu(a), [_arr(3, 4)]),
    "mv": (lambda L, a, v: L.mv(a, v), [_arr(3, 4), _arr(4)]),
    "dot": (lambda L, a, v: L.dot(a, v), [_arr(4), _arr(4)]),
    "mm_float64": (lambda L, a, b: L.mm(a.double(), b.double()), [_arr(3, 4), _arr(4, 2)]),
}


def _run(lib, name, dtype=None):
    fn, arrays = CASES[name]
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    kw = {} if dtype is None else {"dtype": dtype}
    with lib.autocast("cpu", **kw):
        out = fn(lib, *inputs)
    return inputs, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_dtype_and_values_as_torch(name):
    e_in, e_out = _run(ember, name)
    t_in, t_out = _run(torch, name)
    assert str(e_out.dtype).replace("ember", "torch") == str(t_out.dtype), name
    e = e_out.detach().float().numpy()
    t = t_out.detach().float().numpy()
    # bfloat16 keeps 8 bits: one rounding of the output (or a few of the inputs)
    np.testing.assert_allclose(e, t, rtol=3e-2, atol=3e-2 * max(1.0, np.abs(t).max()))
    # backward: every input gets a gradient of its own dtype, close to torch's
    e_out.float().sum().backward()
    t_out.float().sum().backward()
    for ei, ti in zip(e_in, t_in):
        if ti.grad is None:
            assert ei.grad is None
            continue
        assert str(ei.grad.dtype) == str(ti.grad.dtype).replace("torch", "ember")
        np.testing.assert_allclose(ei.grad.numpy(), ti.grad.numpy(), rtol=5e-2,
                                   atol=5e-2 * max(1.0, np.abs(ti.grad.numpy()).max()))


@pytest.mark.parametrize("name", ["linear", "conv2d", "bmm"])
def test_float16_on_cpu_as_torch(name):
    _, e_out = _run(ember, name, ember.float16)
    _, t_out = _run(torch, name, torch.float16)
    assert str(e_out.dtype).replace("ember", "torch") == str(t_out.dtype)
    np.testing.assert_allclose(e_out.detach().float().numpy(), t_out.detach().float().numpy(),
                               rtol=2e-3, atol=2e-3)


def test_lower_precision_gemm_is_float32_product_rounded_once():
    a, b = _arr(16, 64), _arr(64, 8)
    with ember.autocast("cpu"):
        out = ember.mm(ember.tensor(a), ember.tensor(b))
    import ml_dtypes
    a16 = a.astype(ml_dtypes.bfloat16).astype(np.float32)
    b16 = b.astype(ml_dtypes.bfloat16).astype(np.float32)
    want = (a16 @ b16).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(out.numpy().view(np.uint16), want.view(np.uint16))


def test_model_forward_backward_dtypes_as_torch():
    def build(L):
        L.manual_seed(0)
        return L.nn.Sequential(L.nn.Conv2d(3, 4, 3), L.nn.ReLU(), L.nn.Flatten(),
                               L.nn.Linear(4 * 6 * 6, 5))
    em, tm = build(ember), build(torch)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    x = _arr(2, 3, 8, 8)
    target = [1, 3]
    outs = []
    for L, m in ((ember, em), (torch, tm)):
        with L.autocast("cpu"):
            y = m(L.tensor(x))
            loss = F(L).cross_entropy(y, L.tensor(target))
        loss.backward()
        outs.append((y, loss, [p.grad for p in m.parameters()]))
    (ey, el, eg), (ty, tl, tg) = outs
    assert str(ey.dtype) == "ember.bfloat16" and str(ty.dtype) == "torch.bfloat16"
    assert str(el.dtype) == "ember.float32" and str(tl.dtype) == "torch.float32"
    np.testing.assert_allclose(el.item(), tl.item(), rtol=2e-2)
    for a, b in zip(eg, tg):
        assert a.dtype == ember.float32
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0.1, atol=0.05 * np.abs(b.numpy()).max())


class _CountCasts(ember.autograd.dispatch.DispatchMode):
    """Below autocast on the stack: sees the casts autocast makes."""

    def __init__(self):
        self.casts = 0

    def __ember_dispatch__(self, func, args, kwargs):
        if func.__name__ == "ToCopy":
            self.casts += 1
        return func.apply(*args, **kwargs)


@pytest.mark.parametrize("cache_enabled,expected", [(True, 1 + 3), (False, 2 * 3)])
def test_weight_cast_cache(cache_enabled, expected):
    lin = ember.nn.Linear(4, 4)
    x = ember.randn(2, 4)
    with _CountCasts() as counter:
        with ember.autocast("cpu", cache_enabled=cache_enabled):
            for _ in range(3):
                lin(x)                 # x cast each time; weight and bias once with the cache
    # with the cache: weight + bias once (2) + x three times (3) = 5
    assert counter.casts == (5 if cache_enabled else 9)
    assert not ember.amp.autocast_mode._cache     # cleared at the outermost exit


def test_nesting_disable_and_state_queries():
    before = ember.autograd.dispatch.active_modes()
    assert not ember.is_autocast_enabled("cpu")
    assert ember.get_autocast_dtype("cpu") == ember.bfloat16
    assert ember.get_autocast_dtype("cuda") == ember.float16
    a, b = ember.randn(3, 3), ember.randn(3, 3)
    with ember.autocast("cpu"):
        assert ember.is_autocast_enabled("cpu")
        assert ember.mm(a, b).dtype == ember.bfloat16
        with ember.autocast("cpu", enabled=False):
            assert not ember.is_autocast_enabled("cpu")
            assert ember.mm(a, b).dtype == ember.float32
        with ember.autocast("cpu", dtype=ember.float16):
            assert ember.get_autocast_dtype("cpu") == ember.float16
            assert ember.mm(a, b).dtype == ember.float16
        assert ember.mm(a, b).dtype == ember.bfloat16
    assert not ember.is_autocast_enabled("cpu")
    assert ember.mm(a, b).dtype == ember.float32
    assert ember.autograd.dispatch.active_modes() == before


def test_decorator_and_cuda_region_leaves_cpu_ops():
    @ember.autocast("cpu")
    def f(a, b):
        return a @ b
    a = ember.randn(2, 2)
    assert f(a, a).dtype == ember.bfloat16
    if ember.cuda.is_available():
        with ember.autocast("cuda"):      # cpu tensors: cuda autocast does not touch them
            assert (a @ a).dtype == ember.float32
    else:
        with pytest.warns(UserWarning, match="CUDA is not available"):
            ctx = ember.autocast("cuda")
        with ctx:
            assert not ember.is_autocast_enabled("cuda")
    with pytest.raises(TypeError, match="requires a callable"):
        ember.autocast("cpu")(3)


def test_set_autocast_enabled_without_context():
    before = ember.autograd.dispatch.active_modes()
    a = ember.randn(2, 2)
    ember.set_autocast_enabled("cpu", True)
    try:
        assert (a @ a).dtype == ember.bfloat16
    finally:
        ember.set_autocast_enabled("cpu", False)
    assert (a @ a).dtype == ember.float32
    assert ember.autograd.dispatch.active_modes() == before


def test_bad_arguments_as_torch():
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        ember.autocast("tpu")
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ember.autocast(3)
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                         "supported. Disabling autocast."):
        ctx = ember.autocast("cpu", dtype=ember.float64)
    with ctx:
        assert not ember.is_autocast_enabled("cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning):
            torch.autocast("cpu", dtype=torch.float64)


def test_deprecated_spellings_warn():
    with pytest.warns(FutureWarning, match=r"ember.cpu.amp.autocast\(args...\)` is deprecated"):
        ctx = ember.cpu.amp.autocast()
    with ctx:
        assert ember.is_autocast_enabled("cpu")
    no_cuda = (pytest.warns(UserWarning, match="CUDA is not available") if not
               ember.cuda.is_available() else nullcontext())
    with pytest.warns(FutureWarning, match=r"ember.cuda.amp.autocast\(args...\)` is deprecated"), \
            no_cuda:
        ember.cuda.amp.autocast()
    assert ember.amp.autocast is ember.autocast


def test_cuda_table_is_torchs_documented_list():
    ops = policy._OPS
    cuda = policy.CUDA_POLICY
    for name in ("linear", "mm", "bmm", "addmm", "baddbmm", "addmv", "mv", "matmul", "conv",
                 "conv_transpose", "prelu"):
        for cls in ops[name]:
            assert cuda[cls] == policy.LOWER, name
    for name in ("softmax", "log_softmax", "layer_norm", "group_norm", "exp", "log", "pow",
                 "mse_loss", "nll_loss", "cross_entropy", "cumsum", "norm", "rsqrt", "softplus"):
        for cls in ops[name]:
            entry = cuda[cls]
            entry = entry if isinstance(entry, str) else entry((), {})
            assert entry == policy.FP32, name
    for name in ("atan2", "dot", "index_put", "scatter_add", "cat", "stack"):
        for cls in ops[name]:
            assert cuda[cls] == policy.PROMOTE, name
    # CPU: softmax and layer_norm are not on the float32 list; mv and dot not on any
    for name in ("softmax", "layer_norm", "mv", "dot", "exp"):
        for cls in ops[name]:
            assert policy.policy_of("cpu", cls, (), {}) is None, name
    assert policy.policy_of("cuda", ops["sum"][0], (), {"np_dtype": np.float64}) is None
