"""Behaviour of ember.ops.linalg beyond the sample table: grad_fn names, errors (types and
messages) against PyTorch, dtype rules, out=/in-place forms, double backward."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close


def _pair(shape_a, shape_b, dtype=np.float32, seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    e = [ember.from_numpy(a.copy()).requires_grad_(requires_grad),
         ember.from_numpy(b.copy()).requires_grad_(requires_grad)]
    t = (None, None)         # (unpackable like the pair, for the tests that run without torch)
    if torch is not None:
        t = [torch.from_numpy(a.copy()).requires_grad_(requires_grad),
             torch.from_numpy(b.copy()).requires_grad_(requires_grad)]
    return e, t


def _raises_like(fn_e, fn_t, exc=RuntimeError, match=None):
    """Both libraries raise ``exc``; ember's message equals torch's unless ``match`` is given."""
    with pytest.raises(exc) as theirs:
        fn_t()
    with pytest.raises(exc) as ours:
        fn_e()
    if match is None:
        assert str(ours.value) == str(theirs.value)
    else:
        assert match in str(ours.value)
    return str(ours.value)


# ---------------------------------------------------------------------------------------
# grad_fn names

@needs_torch
@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                   ((5, 2, 3), (3, 4)), ((5, 2, 3), (3,)), ((5, 2, 3), (5, 3, 4)),
                                   ((5, 1, 2, 3), (7, 3, 4))])
def test_matmul_grad_fn_names_match_torch(sa, sb):
    (a, b), (ta, tb) = _pair(sa, sb, requires_grad=True)
    ours, theirs = a @ b, ta @ tb
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert_close(ours, theirs, 1e-5, 1e-5)


def test_grad_fn_names_of_named_products():
    (a, b), _ = _pair((2, 3), (3, 4), requires_grad=True)
    assert ember.mm(a, b).grad_fn.name() == "MmBackward0"
    (a, b), _ = _pair((2, 2, 3), (2, 3, 4), requires_grad=True)
    assert ember.bmm(a, b).grad_fn.name() == "BmmBackward0"
    (a, b), _ = _pair((2, 3), (3,), requires_grad=True)
    assert ember.mv(a, b).grad_fn.name() == "MvBackward0"
    (a, b), _ = _pair((3,), (3,), requires_grad=True)
    assert ember.dot(a, b).grad_fn.name() == "DotBackward0"
    assert ember.vdot(a, b).grad_fn.name() == "VdotBackward0"
    assert ember.outer(a, b).grad_fn.name() == "MulBackward0"
    m = ember.randn(3, 3, requires_grad=True)
    assert ember.trace(m).grad_fn.name() == "TraceBackward0"
    assert ember.addmm(m, m, m).grad_fn.name() == "AddmmBackward0"


def test_mm_backward_is_two_products_of_the_inputs():
    (a, b), _ = _pair((4, 3), (3, 5), requires_grad=True)
    out = a @ b
    g = ember.from_numpy(np.ones((4, 5), np.float32))
    out.backward(g)
    an, bn, gn = a.detach().numpy(), b.detach().numpy(), g.numpy()
    np.testing.assert_allclose(a.grad.numpy(), gn @ bn.T, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), an.T @ gn, rtol=1e-6)


def test_mm_saves_inputs_without_copies():
    (a, b), _ = _pair((4, 3), (3, 5), requires_grad=True)
    node = (a @ b).grad_fn
    saved = node.saved_tensors
    assert saved[0] is a and saved[1] is b


# ---------------------------------------------------------------------------------------
# shapes, broadcasting and gradients

def test_batched_broadcast_gradients_are_summed():
    (a, b), (ta, tb) = _pair((5, 1, 2, 3), (7, 3, 4), requires_grad=True)
    (a @ b).sum().backward()
    assert a.grad.shape == (5, 1, 2, 3) and b.grad.shape == (7, 3, 4)
    if torch is not None:
        (ta @ tb).sum().backward()
        assert_close(a.grad, ta.grad, 1e-5, 1e-5)
        assert_close(b.grad, tb.grad, 1e-5, 1e-5)


def test_vector_cases_remove_the_added_dimension():
    (a, b), _ = _pair((3,), (3,))
    assert (a @ b).shape == ()
    (a, b), _ = _pair((3,), (3, 4))
    assert (a @ b).shape == (4,)
    (a, b), _ = _pair((2, 3), (3,))
    assert (a @ b).shape == (2,)
    (a, b), _ = _pair((3,), (5, 3, 4))
    assert (a @ b).shape == (5, 4)
    (a, b), _ = _pair((5, 2, 3), (3,))
    assert (a @ b).shape == (5, 2)


def test_folded_matmul_of_non_contiguous_batch():
    (a, b), (ta, tb) = _pair((3, 5, 2), (3, 4), requires_grad=True)
    x = a.transpose(0, 1)          # (5, 3, 2) non-contiguous
    ours = ember.matmul(x.transpose(1, 2), ember.ones(3, 4))
    assert ours.shape == (5, 2, 4)
    ours.sum().backward()
    assert a.grad.shape == (3, 5, 2)
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 5, 2), 4.0), rtol=1e-6)


def test_inplace_change_of_saved_input_is_detected():
    (a, b), _ = _pair((2, 3), (3, 4), requires_grad=True)
    x = a * 1
    out = x @ b
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


@needs_torch
@pytest.mark.parametrize("fn,shapes", [
    (lambda t, x, y: x @ y, [(2, 3), (3, 4)]),
    (lambda t, x, y: t.matmul(x, y), [(2, 3), (4, 3, 4)]),
    (lambda t, x, y: t.matmul(x, y), [(4, 2, 3), (3,)]),
    (lambda t, x, y: t.dot(x, y), [(3,), (3,)]),
    (lambda t, x, y: t.mv(x, y), [(2, 3), (3,)]),
    (lambda t, x, y: t.einsum("ij,jk->ik", x, y), [(2, 3), (3, 4)]),
    (lambda t, x, y: t.einsum("ii,ij->j", x, y), [(3, 3), (3, 2)]),
    (lambda t, x, y: t.addmm(x, x, y, beta=0.5, alpha=2.0), [(3, 3), (3, 3)]),
])
def test_double_backward_matches_torch(fn, shapes):
    """Gradients of (grad . v) with respect to the inputs: backward is differentiable."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s) for s in shapes]
    results = []
    for lib in (ember, torch):
        xs = [lib.from_numpy(a.copy()).requires_grad_() for a in arrays]
        out = fn(lib, *xs)
        v = lib.from_numpy(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        gs = lib.autograd.grad((out * v).sum(), xs, create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in gs), xs, allow_unused=True)
        results.append(second)
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None or not ours.abs().sum().item()
        else:
            assert_close(ours, theirs, 1e-10, 1e-10)


# ---------------------------------------------------------------------------------------
# dtypes

@needs_torch
@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "int16"])
def test_integer_matmul_is_exact(dt):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, (3, 4)).astype(dt)
    b = rng.integers(0, 5, (4, 2)).astype(dt)
    ours = ember.from_numpy(a) @ ember.from_numpy(b)
    theirs = torch.from_numpy(a) @ torch.from_numpy(b)
    assert_close(ours, theirs)
    assert ours.dtype == getattr(ember, dt)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_matmul_computes_in_float32_and_rounds_back(dt):
    rng = np.random.default_rng(0)
    a32 = rng.standard_normal((16, 64)).astype(np.float32)
    b32 = rng.standard_normal((64, 8)).astype(np.float32)
    a = ember.from_numpy(a32).to(getattr(ember, dt))
    b = ember.from_numpy(b32).to(getattr(ember, dt))
    out = a @ b
    assert out.dtype == getattr(ember, dt)
    exact = (a.float() @ b.float()).to(getattr(ember, dt))
    np.testing.assert_array_equal(out.float().numpy(), exact.float().numpy())
    if torch is not None:
        ta = torch.from_numpy(a32).to(getattr(torch, dt))
        tb = torch.from_numpy(b32).to(getattr(torch, dt))
        assert_close(out, ta @ tb, 2e-2, 2e-2)


@needs_torch
@pytest.mark.parametrize("shapes", [((2, 3), (3, 2)), ((5, 2, 3), (3, 2))])
def test_mixed_dtypes_raise_like_torch_mm(shapes):
    sa, sb = shapes
    _raises_like(lambda: ember.randn(*sa) @ ember.randn(*sb, dtype=ember.float64),
                 lambda: torch.randn(*sa) @ torch.randn(*sb, dtype=torch.float64))
    _raises_like(lambda: ember.ones(*sa, dtype=ember.int64) @ ember.randn(*sb),
                 lambda: torch.ones(*sa, dtype=torch.int64) @ torch.randn(*sb))


@needs_torch
def test_mixed_dtype_messages():
    _raises_like(lambda: ember.dot(ember.randn(3), ember.randn(3, dtype=ember.float64)),
                 lambda: torch.dot(torch.randn(3), torch.randn(3, dtype=torch.float64)))
    _raises_like(lambda: ember.randn(3) @ ember.randn(3, dtype=ember.float64),
                 lambda: torch.randn(3) @ torch.randn(3, dtype=torch.float64))
    _raises_like(lambda: ember.bmm(ember.randn(2, 2, 3), ember.randn(2, 3, 2, dtype=ember.float64)),
                 lambda: torch.bmm(torch.randn(2, 2, 3), torch.randn(2, 3, 2, dtype=torch.float64)))
    _raises_like(lambda: ember.randn(2, 2, 3) @ ember.randn(2, 3, 2, dtype=ember.float64),
                 lambda: torch.randn(2, 2, 3) @ torch.randn(2, 3, 2, dtype=torch.float64))
    _raises_like(lambda: ember.mm(ember.randn(2, 3), ember.randn(3, 2, dtype=ember.float64)),
                 lambda: torch.mm(torch.randn(2, 3), torch.randn(3, 2, dtype=torch.float64)))
    assert "Float and Double" in _raises_like(
        lambda: ember.mv(ember.randn(2, 3), ember.randn(3, dtype=ember.float64)),
        lambda: torch.mv(torch.randn(2, 3), torch.randn(3, dtype=torch.float64)), match="dtype")
    _raises_like(
        lambda: ember.addmm(ember.ones(2, 2, dtype=ember.float64), ember.ones(2, 3), ember.ones(3, 2)),
        lambda: torch.addmm(torch.ones(2, 2, dtype=torch.float64), torch.ones(2, 3), torch.ones(3, 2)))
    _raises_like(lambda: ember.einsum("i,i->", ember.ones(3), ember.ones(3, dtype=ember.float64)),
                 lambda: torch.einsum("i,i->", torch.ones(3), torch.ones(3, dtype=torch.float64)))


@needs_torch
def test_bool_products_are_not_implemented_like_torch():
    for fn in ("mm", "bmm", "dot"):
        shape = {"mm": [(2, 3), (3, 2)], "bmm": [(2, 2, 3), (2, 3, 2)], "dot": [(3,), (3,)]}[fn]
        _raises_like(lambda: getattr(ember, fn)(*[ember.ones(*s, dtype=ember.bool) for s in shape]),
                     lambda: getattr(torch, fn)(*[torch.ones(*s, dtype=torch.bool) for s in shape]),
                     NotImplementedError)
    _raises_like(lambda: ember.trace(ember.ones(3, 3, dtype=ember.bool)),
                 lambda: torch.trace(torch.ones(3, 3, dtype=torch.bool)), NotImplementedError)


def test_trace_of_integers_is_int64():
    t = ember.trace(ember.from_numpy(np.arange(9, dtype=np.int32).reshape(3, 3)))
    assert t.dtype == ember.int64 and t.item() == 12


# ---------------------------------------------------------------------------------------
# shape errors

@needs_torch
@pytest.mark.parametrize("fn,sa,sb", [
    ("matmul", (64, 10), (20, 5)), ("mm", (64, 10), (20, 5)), ("matmul", (3,), (4, 5)),
    ("matmul", (5, 2, 3), (4, 5)), ("matmul", (2, 3), (4,)), ("mv", (2, 3), (4,)),
    ("mm", (2, 3), (3,)), ("mm", (2, 2, 3), (3, 4)), ("bmm", (2, 2, 3), (3, 3, 4)),
    ("bmm", (2, 2, 3), (2, 4, 4)), ("bmm", (2, 3), (2, 3, 4)), ("mv", (2, 3), (3, 1)),
    ("dot", (3,), (4,)), ("dot", (3, 1), (3,)), ("matmul", (3,), (4,)), ("matmul", (), (3,)),
    ("matmul", (2, 3), ()), ("matmul", (5, 2, 3), (4, 3, 5)), ("outer", (3, 1), (3,)),
    ("outer", (3,), (3, 1)), ("trace", (3,), None), ("inner", (2, 3), (4, 2)),
])
def test_shape_errors_match_torch(fn, sa, sb):
    args_e = [ember.ones(sa)] + ([ember.ones(sb)] if sb is not None else [])
    args_t = [torch.ones(sa)] + ([torch.ones(sb)] if sb is not None else [])
    _raises_like(lambda: getattr(ember, fn)(*args_e), lambda: getattr(torch, fn)(*args_t))


def test_mm_mismatch_message_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x10 and 20x5\)"):
        ember.randn(64, 10) @ ember.randn(20, 5)


def test_batched_inner_mismatch_is_a_clear_runtime_error():
    with pytest.raises(RuntimeError, match=r"5x2x3 and 5x4x5"):
        ember.randn(5, 2, 3) @ ember.randn(5, 4, 5)


def test_non_tensor_arguments_raise_type_error():
    with pytest.raises(TypeError, match="must be Tensor"):
        ember.matmul(ember.ones(2, 2), [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(TypeError, match="must be Tensor"):
        ember.mm(np.ones((2, 2)), ember.ones(2, 2))


@needs_torch
def test_addmm_errors_match_torch():
    _raises_like(lambda: ember.addmm(ember.ones(3), ember.ones(2, 3), ember.ones(3, 2)),
                 lambda: torch.addmm(torch.ones(3), torch.ones(2, 3), torch.ones(3, 2)))
    _raises_like(lambda: ember.addmm(ember.ones(2), ember.ones(3), ember.ones(3, 2)),
                 lambda: torch.addmm(torch.ones(2), torch.ones(3), torch.ones(3, 2)))
    _raises_like(lambda: ember.addmm(ember.ones(2, 2), ember.ones(2, 3), ember.ones(4, 2)),
                 lambda: torch.addmm(torch.ones(2, 2), torch.ones(2, 3), torch.ones(4, 2)))


def test_addmm_beta_zero_ignores_nan_input():
    out = ember.addmm(ember.full((2, 2), float("nan")), ember.ones(2, 3), ember.ones(3, 2), beta=0)
    np.testing.assert_array_equal(out.numpy(), np.full((2, 2), 3.0, np.float32))


@needs_torch
def test_addmm_integer_alpha_beta():
    args = [np.arange(4).reshape(2, 2), np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)]
    ours = ember.addmm(*[ember.from_numpy(a.copy()) for a in args], beta=2, alpha=3)
    theirs = torch.addmm(*[torch.from_numpy(a.copy()) for a in args], beta=2, alpha=3)
    assert_close(ours, theirs)


# ---------------------------------------------------------------------------------------
# einsum

@needs_torch
@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (4, 2)]), ("ij,jk->ik", [(2, 3)]), ("ijk,jk->ik", [(2, 3), (3, 2)]),
    ("...i,...i", [(2, 3), (3, 3)]), ("i.j", [(2, 3)]), ("ij,jk->ik", [(2, 3), (3, 4), (2,)]),
    ("...ij", [(2,)]), ("i1,1->", [(2, 3), (3,)]), ("ij->k", [(2, 3)]), ("ij->ii", [(2, 3)]),
    ("ii->i", [(2, 3)]),
])
def test_einsum_errors_match_torch(eq, shapes):
    _raises_like(lambda: ember.einsum(eq, *[ember.ones(*s) for s in shapes]),
                 lambda: torch.einsum(eq, *[torch.ones(*s) for s in shapes]),
                 match="einsum()" if "..." in eq else None)


@needs_torch
def test_einsum_implicit_output_order_with_mixed_case():
    (a, b), (ta, tb) = _pair((2, 3), (3, 4))
    for eq in ("Ba,aC", "bA,Ac", "ab,bc", "ba,ac"):
        assert_close(ember.einsum(eq, a, b), torch.einsum(eq, ta, tb), 1e-5, 1e-5)


@needs_torch
def test_einsum_output_with_ellipsis_not_in_inputs():
    assert_close(ember.einsum("ij->...", ember.ones(2, 3)), torch.einsum("ij->...", torch.ones(2, 3)))


def test_einsum_without_operands_raises():
    with pytest.raises(RuntimeError, match="at least one operand"):
        ember.einsum("ij")


def test_einsum_gradient_of_summed_and_broadcast_subscripts():
    a = ember.randn(4, 3, requires_grad=True)
    b = ember.randn(1, 3, requires_grad=True)
    ember.einsum("ij,ij->j", a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.broadcast_to(b.detach().numpy(), (4, 3)))
    np.testing.assert_allclose(b.grad.numpy(), a.detach().numpy().sum(0, keepdims=True), rtol=1e-6)


# ---------------------------------------------------------------------------------------
# tensordot

@needs_torch
@pytest.mark.parametrize("dims", [([1], [1, 0]), ([1], [0])])
def test_tensordot_errors_match_torch(dims):
    _raises_like(lambda: ember.tensordot(ember.ones(2, 3, 4), ember.ones(4, 3, 5), dims=dims),
                 lambda: torch.tensordot(torch.ones(2, 3, 4), torch.ones(4, 3, 5), dims=dims))


# ---------------------------------------------------------------------------------------
# out= and in-place forms

def test_out_argument_writes_into_given_tensor():
    (a, b), _ = _pair((2, 3), (3, 4))
    out = ember.empty(2, 4)
    res = ember.matmul(a, b, out=out)
    assert res is out
    np.testing.assert_allclose(out.numpy(), a.numpy() @ b.numpy(), rtol=1e-6)


@needs_torch
def test_inplace_addmm_and_baddbmm():
    (a, b), (ta, tb) = _pair((2, 3), (3, 2))
    c, tc = ember.ones(2, 2), torch.ones(2, 2)
    r = c.addmm_(a, b, beta=0.5, alpha=2)
    tc.addmm_(ta, tb, beta=0.5, alpha=2)
    assert r is c
    assert_close(c, tc, 1e-5, 1e-5)
    (a, b), (ta, tb) = _pair((2, 2, 3), (2, 3, 2))
    c, tc = ember.ones(2, 2, 2), torch.ones(2, 2, 2)
    c.baddbmm_(a, b)
    tc.baddbmm_(ta, tb)
    assert_close(c, tc, 1e-5, 1e-5)


def test_methods_exist_on_tensor():
    (a, b), _ = _pair((3, 3), (3, 3))
    for name in ("mm", "matmul", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmv",
                 "baddbmm", "inner", "kron", "trace"):
        assert callable(getattr(a, name)), name
    np.testing.assert_allclose(a.matmul(b).numpy(), a.numpy() @ b.numpy(), rtol=1e-6)
