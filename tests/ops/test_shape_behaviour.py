"""Behaviour of ember.ops.shape beyond the op table: memory sharing of views, copies,
error types and messages against PyTorch, return types, dtype promotion in cat/stack,
grad_fn names, and double backward through shape ops."""
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close


def _base():
    return ember.from_numpy(np.arange(24, dtype=np.float32).reshape(2, 3, 4))


# ---------------------------------------------------------------------------------------
# views share memory with their base

VIEWS = {
    "view": lambda x: x.view(6, 4),
    "view_infer": lambda x: x.view(-1),
    "reshape_contiguous": lambda x: x.reshape(4, 6),
    "flatten": lambda x: x.flatten(1),
    "unflatten": lambda x: x.unflatten(2, (2, 2)),
    "ravel": lambda x: x.ravel(),
    "transpose": lambda x: x.transpose(0, 2),
    "swapaxes": lambda x: x.swapaxes(1, 2),
    "permute": lambda x: x.permute(2, 0, 1),
    "movedim": lambda x: x.movedim(0, -1),
    "T": lambda x: x.flatten(0, 1).T,
    "mT": lambda x: x.mT,
    "t": lambda x: ember.t(x.flatten(0, 1)),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(),
    "unsqueeze": lambda x: x.unsqueeze(-1),
    "narrow": lambda x: x.narrow(2, 1, 2),
    "diagonal": lambda x: x.diagonal(0, 1, 2),
    "split_piece": lambda x: x.split(2, dim=2)[1],
    "chunk_piece": lambda x: x.chunk(3, dim=1)[2],
    "tensor_split_piece": lambda x: x.tensor_split([1, 3], dim=2)[1],
    "unbind_piece": lambda x: x.unbind(1)[1],
    "view_of_transposed_split": lambda x: x.transpose(1, 2).view(2, 2, 2, 3),
    "reshape_of_view": lambda x: x.transpose(0, 1).unbind()[1].reshape(2, 2, 2),
    "contiguous_noop": lambda x: x.contiguous(),
    "view_as": lambda x: x.view_as(ember.zeros(4, 6)),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_writes_through_to_base(name):
    x = _base()
    v = VIEWS[name](x)
    before = x.numpy().copy()
    assert np.shares_memory(v.numpy(), x.numpy())
    v.fill_(-7.0)
    changed = x.numpy() != before
    assert changed.sum() == v.numel(), "every element of the view is an element of the base"
    assert (x.numpy()[changed] == -7.0).all()
    # ... and writes to the base show up in the view.
    x.zero_()
    assert (v.numpy() == 0).all()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_shares_version_counter_and_base(name):
    x = _base()
    v = VIEWS[name](x)
    if v is x:
        return
    assert v._base is x
    v0 = x._version
    v.add_(1)
    assert x._version == v0 + 1 == v._version


def test_expand_is_a_view_of_its_base():
    x = ember.zeros(3, 1)
    e = x.expand(3, 4)
    assert np.shares_memory(e.numpy(), x.numpy())
    x.fill_(2.0)
    assert (e.numpy() == 2).all()
    assert e.stride() == (1, 0)


def test_view_dtype_shares_memory():
    x = ember.zeros(2, 2)
    v = x.view(ember.int32)
    v.fill_(1065353216)  # the bits of 1.0f
    assert (x.numpy() == 1.0).all()
    assert x.view(ember.float16).shape == (2, 4)
    assert not x.requires_grad_().view(ember.int32).requires_grad


COPIES = {
    "reshape_noncontiguous": lambda x: x.transpose(1, 2).reshape(-1),
    "flatten_noncontiguous": lambda x: x.transpose(0, 1).flatten(),
    "ravel_noncontiguous": lambda x: x.transpose(0, 1).ravel(),
    "contiguous_noncontiguous": lambda x: x.transpose(0, 1).contiguous(),
    "flip": lambda x: x.flip(0),
    "flip_no_dims": lambda x: x.flip(()),
    "roll": lambda x: x.roll(1),
    "repeat": lambda x: x.repeat(1, 1, 1),
    "tile": lambda x: x.tile(()),
    "cat": lambda x: ember.cat([x]),
    "stack": lambda x: ember.stack([x])[0],
    "tril": lambda x: x.tril(5),
    "triu": lambda x: x.triu(-5),
    "diag_2d": lambda x: ember.diag(x.flatten(0, 1)),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copying_ops_do_not_alias(name):
    x = _base()
    c = COPIES[name](x)
    assert not np.shares_memory(c.numpy(), x.numpy())
    assert c._base is None or (c._base is not x and not np.shares_memory(c._base.numpy(), x.numpy()))


def test_contiguous_returns_self_or_contiguous_copy_with_grad():
    x = ember.ones(2, 3, requires_grad=True)
    assert x.contiguous() is x
    y = x.t()
    assert not y.is_contiguous()
    c = y.contiguous()
    assert c.is_contiguous() and c.shape == (3, 2)
    assert c.grad_fn.name() == "CloneBackward0"
    (c * ember.arange(6.).view(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.).reshape(3, 2).T)


def test_flatten_same_dim_returns_input():
    x = ember.ones(2, 3)
    assert x.flatten(1, 1) is x
    assert x.flatten(-1, 1) is x


def test_view_strides_follow_torch_rule_on_random_layouts():
    """view() succeeds exactly when PyTorch's computeStride finds a view, and then aliases."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        nd = int(rng.integers(2, 5))
        shape = tuple(int(s) for s in rng.integers(1, 4, nd))
        x = ember.arange(int(np.prod(shape)), dtype=ember.float32).reshape(shape)
        x = x.permute(*[int(p) for p in rng.permutation(nd)])
        if rng.random() < 0.4 and x.shape[0] > 1:
            x = x.narrow(0, 0, x.shape[0] - 1)
        n = x.numel()
        d1 = int(rng.choice([d for d in range(1, n + 1) if n % d == 0]))
        new = (d1, n // d1) if rng.random() < 0.5 else (n // d1, 1, d1)
        ok = _numpy_can_view(x.numpy(), new)
        if ok:
            v = x.view(new)
            assert np.shares_memory(v.numpy(), x.numpy()) or n == 0
            np.testing.assert_array_equal(v.numpy(), x.numpy().reshape(new))
        else:
            with pytest.raises(RuntimeError, match="view size is not compatible"):
                x.view(new)
            r = x.reshape(new)
            np.testing.assert_array_equal(r.numpy(), x.numpy().reshape(new))


def _numpy_can_view(a, new):
    try:
        np.reshape(a, new, copy=False)  # NumPy refuses exactly when a copy would be needed
    except ValueError:
        return False
    return True


@needs_torch
def test_view_agrees_with_torch_on_layouts():
    rng = np.random.default_rng(1)
    for _ in range(200):
        shape = tuple(int(s) for s in rng.integers(1, 4, 3))
        perm = [int(p) for p in rng.permutation(3)]
        data = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
        xe = ember.from_numpy(data.copy()).permute(*perm)
        xt = torch.from_numpy(data.copy()).permute(*perm)
        n = xe.numel()
        d1 = int(rng.choice([d for d in range(1, n + 1) if n % d == 0]))
        new = (n // d1, d1)
        try:
            xt.view(new)
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        try:
            xe.view(new)
            ember_ok = True
        except RuntimeError:
            ember_ok = False
        assert ember_ok == torch_ok, (shape, perm, new)


# ---------------------------------------------------------------------------------------
# errors: same exception type and message as torch (torch -> ember)

ERRORS = {
    "view_bad_size": lambda t: t.ones(2, 3).view(2, 5),
    "view_two_infer": lambda t: t.ones(2, 3).view(-1, -1),
    "view_negative": lambda t: t.ones(2, 3).view(-2, 3),
    "view_infer_indivisible": lambda t: t.ones(2, 3).view(4, -1),
    "view_infer_zero_ambiguous": lambda t: t.ones(0, 3).view(0, -1),
    "view_noncontiguous": lambda t: t.ones(2, 3).t().view(6),
    "view_dtype_0d": lambda t: t.tensor(1.0).view(t.float64),
    "view_dtype_divisible": lambda t: t.ones(2, 3).view(t.float64),
    "view_dtype_stride": lambda t: t.ones(2, 4).t().view(t.float64),
    "reshape_bad_size": lambda t: t.ones(2, 3).reshape(7),
    "expand_too_few": lambda t: t.ones(2, 3).expand(4),
    "expand_mismatch": lambda t: t.ones(2, 3).expand(4, 3),
    "expand_leading_minus1": lambda t: t.ones(2, 3).expand(-1, 2, 3),
    "expand_missing": lambda t: t.ones(2, 3).expand(),
    "broadcast_to_too_few": lambda t: t.broadcast_to(t.ones(2, 3), (4,)),
    "broadcast_tensors": lambda t: t.broadcast_tensors(t.ones(2, 3), t.ones(4)),
    "flatten_order": lambda t: t.ones(2, 3).flatten(1, 0),
    "flatten_dim": lambda t: t.ones(2, 3).flatten(0, 2),
    "unflatten_product": lambda t: t.ones(2, 3).unflatten(1, (2, 2)),
    "unflatten_infer": lambda t: t.ones(2, 3).unflatten(1, (-1, 2)),
    "unflatten_empty": lambda t: t.ones(2, 3).unflatten(1, ()),
    "squeeze_dim": lambda t: t.ones(2, 3).squeeze(2),
    "squeeze_dup": lambda t: t.ones(1, 1).squeeze((0, 0)),
    "unsqueeze_dim": lambda t: t.ones(2, 3).unsqueeze(3),
    "unsqueeze_neg": lambda t: t.ones(2, 3).unsqueeze(-4),
    "unsqueeze_0d": lambda t: t.tensor(1.0).unsqueeze(1),
    "t_3d": lambda t: t.ones(2, 3, 4).t(),
    "mT_1d": lambda t: t.ones(3).mT,
    "mH_1d": lambda t: t.ones(3).mH,
    "H_1d": lambda t: t.ones(3).H,
    "H_3d": lambda t: t.ones(2, 3, 4).H,
    "adjoint_1d": lambda t: t.ones(3).adjoint(),
    "transpose_dim": lambda t: t.ones(2, 3).transpose(0, 2),
    "permute_len": lambda t: t.ones(2, 3).permute(0),
    "permute_dup": lambda t: t.ones(2, 3).permute(0, 0),
    "permute_dim": lambda t: t.ones(2, 3).permute(0, 2),
    "permute_0d": lambda t: t.tensor(1.0).permute(0),
    "movedim_repeat_src": lambda t: t.ones(2, 3).movedim((0, 0), (1, 0)),
    "movedim_repeat_dst": lambda t: t.ones(2, 3).movedim((0, 1), (1, 1)),
    "movedim_count": lambda t: t.ones(2, 3).movedim((0, 1), (1,)),
    "repeat_too_few": lambda t: t.ones(2, 3).repeat(2),
    "repeat_negative": lambda t: t.ones(2, 3).repeat(2, -1),
    "cat_empty_list": lambda t: t.cat([]),
    "cat_tensor_arg": lambda t: t.cat(t.ones(2)),
    "cat_non_tensor": lambda t: t.cat([t.ones(2), 1]),
    "cat_sizes": lambda t: t.cat([t.ones(2, 3), t.ones(3, 3)], 1),
    "cat_ndim": lambda t: t.cat([t.ones(2, 3), t.ones(2, 3, 4)]),
    "cat_0d": lambda t: t.cat([t.ones(2), t.tensor(1.0)]),
    "cat_dim": lambda t: t.cat([t.ones(2, 3)], 2),
    "cat_2d_empty_not_skipped": lambda t: t.cat((t.ones(2, 3), t.empty(2, 0)), 0),
    "stack_empty": lambda t: t.stack([]),
    "stack_sizes": lambda t: t.stack([t.ones(2, 3), t.ones(3, 3)]),
    "stack_dim": lambda t: t.stack([t.ones(2, 3)], 3),
    "hstack_empty": lambda t: t.hstack([]),
    "split_sum": lambda t: t.ones(2, 3).split([1, 1], 1),
    "split_zero": lambda t: t.ones(2, 3).split(0, 1),
    "split_negative": lambda t: t.ones(2, 3).split(-1),
    "split_negative_sizes": lambda t: t.ones(2, 3).split([1, -1, 3], 1),
    "split_0d": lambda t: t.tensor(1.0).split(1),
    "chunk_zero": lambda t: t.ones(2, 3).chunk(0),
    "chunk_0d": lambda t: t.tensor(1.0).chunk(1),
    "tensor_split_sections": lambda t: t.ones(2, 3).tensor_split(0, 1),
    "tensor_split_0d": lambda t: t.tensor(1.0).tensor_split(2),
    "tensor_split_2d_index": lambda t: t.ones(4).tensor_split(t.tensor([[1]])),
    "unbind_0d": lambda t: t.tensor(1.0).unbind(),
    "unbind_dim": lambda t: t.ones(2, 3).unbind(2),
    "narrow_0d": lambda t: t.tensor(1.0).narrow(0, 0, 1),
    "narrow_start": lambda t: t.ones(2, 3).narrow(1, 4, 1),
    "narrow_start_negative": lambda t: t.ones(2, 3).narrow(1, -4, 1),
    "narrow_exceeds": lambda t: t.ones(2, 3).narrow(1, 1, 3),
    "narrow_length": lambda t: t.ones(2, 3).narrow(1, 1, -1),
    "flip_dup": lambda t: t.ones(2, 3).flip((0, 0)),
    "flip_dim": lambda t: t.ones(2, 3).flip(2),
    "fliplr_1d": lambda t: t.fliplr(t.ones(3)),
    "flipud_0d": lambda t: t.flipud(t.tensor(1.0)),
    "roll_align": lambda t: t.roll(t.ones(2, 3), (1, 2), 0),
    "roll_align_no_dims": lambda t: t.roll(t.ones(2, 3), (1, 2)),
    "roll_no_shifts": lambda t: t.roll(t.ones(2, 3), (), ()),
    "roll_0d_dim": lambda t: t.roll(t.tensor(1.0), 1, 0),
    "tril_1d": lambda t: t.tril(t.ones(3)),
    "triu_1d": lambda t: t.triu(t.ones(3)),
    "diagonal_same_dims": lambda t: t.ones(2, 3).diagonal(0, 0, 0),
    "diagonal_1d": lambda t: t.ones(3).diagonal(),
    "diag_0d": lambda t: t.diag(t.tensor(1.0)),
    "diag_3d": lambda t: t.diag(t.ones(2, 2, 2)),
    "diag_embed_same_dims": lambda t: t.diag_embed(t.ones(2, 3), 1, 0, 0),
    "diag_embed_0d": lambda t: t.diag_embed(t.tensor(1.0)),
}


def _raise(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.value


@needs_torch
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    fn = ERRORS[name]
    theirs = _raise(fn, torch)
    ours = _raise(fn, ember)
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}  vs  {theirs!r}"
    expected = str(theirs).split("\n")[0].replace("torch.", "ember.")
    assert str(ours).split("\n")[0] == expected


@pytest.mark.parametrize("fn,exc,msg", [
    (lambda: ember.ones(2, 3).view(2, 5), RuntimeError, r"shape '\[2, 5\]' is invalid for input of size 6"),
    (lambda: ember.ones(2, 3).t().view(6), RuntimeError, r"Use \.reshape\(\.\.\.\) instead"),
    (lambda: ember.ones(2, 3).unsqueeze(3), IndexError, r"Dimension out of range"),
    (lambda: ember.cat([ember.ones(2, 3), ember.ones(3, 3)], 1), RuntimeError,
     "Expected size 2 but got size 3 for tensor number 1"),
    (lambda: ember.ones(2).view(2.0), TypeError, "must be tuple of ints"),
    (lambda: ember.stack([ember.ones(2)], out=ember.ones(1, 2)), NotImplementedError, "out="),
])
def test_errors_without_torch(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()


# ---------------------------------------------------------------------------------------
# return types and argument forms

def test_size_return_types():
    x = ember.ones(2, 3, 4)
    for y in (x.view(6, 4), x.reshape(-1), x.permute(2, 1, 0), x.expand(5, 2, 3, 4), x.flatten(),
              ember.cat([x, x]), x.squeeze(), x.unsqueeze(0)):
        assert type(y.shape) is ember.Size and type(y.size()) is ember.Size
    s = ember.broadcast_shapes((2, 1), (3,), 1)
    assert type(s) is ember.Size and s == (2, 3)
    assert repr(x.view(4, 6).shape) == "ember.Size([4, 6])"


def test_multi_output_types():
    x = ember.ones(4, 3)
    for res in (x.split(2), ember.split(x, [1, 3]), x.chunk(2), x.unbind(), x.tensor_split(3),
                ember.broadcast_tensors(x, ember.ones(3)), ember.atleast_1d(x, x)):
        assert type(res) is tuple and all(isinstance(r, ember.Tensor) for r in res)
    assert ember.atleast_2d(x) is x


def test_shape_argument_forms():
    x = ember.arange(6.)
    for y in (x.view(2, 3), x.view((2, 3)), x.view([2, 3]), x.view(ember.Size([2, 3])),
              x.view(size=(2, 3)), x.reshape(2, 3), x.reshape(shape=(2, 3)),
              ember.reshape(x, (2, 3)), x.view(np.int64(2), 3), x.view(ember.tensor(2), 3),
              x.view(2, 3).permute(0, 1), ember.permute(x.view(2, 3), (0, 1)),
              ember.permute(x.view(2, 3), dims=[0, 1])):
        assert y.shape == (2, 3)
    y = x.view(2, 3)
    assert y.expand(4, 2, 3).shape == y.expand((4, 2, 3)).shape == y.expand(size=[4, 2, 3]).shape
    assert y.repeat(2, 1).shape == y.repeat((2, 1)).shape == y.repeat(repeats=[2, 1]).shape == (4, 3)
    assert y.flip(0, 1).shape == y.flip([0, 1]).shape == y.flip(dims=(0,)).shape
    assert y.tile(2).shape == (2, 6) and y.tile(2, 2).shape == y.tile((2, 2)).shape == (4, 6)


def test_T_warns_like_torch_for_non_matrices():
    import ember.ops.shape as sh
    sh._T_WARNED.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.ones(2, 3).T.shape == (3, 2)
    with pytest.warns(UserWarning, match="x.T"):
        assert ember.ones(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match="0-D"):
        assert ember.tensor(1.0).T.shape == ()


# ---------------------------------------------------------------------------------------
# dtype promotion in joins

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64"]


@needs_torch
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_cat_and_stack_promote_like_torch(a, b):
    te = [ember.ones(2, dtype=getattr(ember, a)), ember.zeros(2, dtype=getattr(ember, b))]
    tt = [torch.ones(2, dtype=getattr(torch, a)), torch.zeros(2, dtype=getattr(torch, b))]
    assert str(ember.cat(te).dtype) == str(torch.cat(tt).dtype).replace("torch", "ember")
    assert str(ember.stack(te).dtype) == str(torch.stack(tt).dtype).replace("torch", "ember")


def test_cat_mixed_dtype_gradients_keep_input_dtypes():
    a = ember.ones(2, 3, requires_grad=True)
    b = ember.ones(1, 3, dtype=ember.float64, requires_grad=True)
    i = ember.ones(1, 3, dtype=ember.int64)
    out = ember.cat([a, b, i])
    assert out.dtype == ember.float64 and out.shape == (4, 3)
    (out * ember.arange(12., dtype=ember.float64).view(4, 3)).sum().backward()
    assert a.grad.dtype == ember.float32 and b.grad.dtype == ember.float64
    np.testing.assert_array_equal(a.grad.numpy(), np.arange(6.).reshape(2, 3))
    np.testing.assert_array_equal(b.grad.numpy(), np.arange(6., 9.).reshape(1, 3))


def test_cat_skips_empty_1d_but_gives_it_a_gradient():
    a = ember.ones(2, 3, requires_grad=True)
    e = ember.empty(0, requires_grad=True)
    out = ember.cat([e, a, e], 1)
    assert out.shape == (2, 3)
    out.sum().backward()
    assert e.grad.shape == (0,) and a.grad.shape == (2, 3)
    assert ember.cat([ember.empty(0), ember.empty(0, dtype=ember.float64)]).dtype == ember.float64


# ---------------------------------------------------------------------------------------
# autograd details

@needs_torch
@pytest.mark.parametrize("expr", [
    "x.view(6)", "x.t().reshape(6)", "x.reshape(6)", "x.transpose(0, 1)", "x.permute(1, 0)",
    "x.expand(2, 2, 3)", "x.unsqueeze(0).squeeze()", "x.unsqueeze(0).squeeze(0)",
    "x.unsqueeze(0).squeeze((0,))", "x.unsqueeze(1)", "lib.cat([x, x])", "lib.stack([x, x])",
    "x.split(1)[0]", "x.split([1, 1])[0]", "x.unbind()[0]", "x.flip(0)", "x.roll(1, 0)",
    "x.tril()", "x.triu()", "x.diagonal()", "x.repeat(2, 1)", "x.t()", "x.T", "x.mT",
    "x.movedim(0, 1)", "x.t().contiguous()", "x.narrow(1, 0, 2)", "x.flatten()",
    "lib.diag_embed(x)", "x.tile(2)", "x.chunk(2)[0]", "x.view_as(x)",
])
def test_grad_fn_names_match_torch(expr):
    names = []
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)  # noqa: F841  (used by eval(expr))
        names.append(eval(expr).grad_fn.name())
    assert names[0] == names[1]


@needs_torch
def test_double_backward_through_shape_ops_matches_torch():
    data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    w = np.random.default_rng(4).standard_normal((2, 3))

    def f(lib, x):
        y = lib.cat([x.t().reshape(2, 3), x.flip(1)], 0)
        z = lib.stack(y.split(2, 1)[0].unbind(1), 0).expand(3, 2, 4) * x.sum()
        return (z.diagonal(0, 1, 2) ** 2).sum() + (x.narrow(1, 1, 2).roll(1).tril() ** 3).sum()

    res = []
    for lib in (ember, torch):
        x = lib.from_numpy(data.copy()).requires_grad_()
        (g,) = lib.autograd.grad(f(lib, x), x, create_graph=True)
        assert g.requires_grad
        (g * lib.from_numpy(w.copy())).sum().backward()
        res.append((g, x.grad))
    assert_close(res[0], res[1], rtol=1e-10, atol=1e-10)


@needs_torch
def test_chained_views_grad_matches_torch():
    data = np.random.default_rng(3).standard_normal((4, 6)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        x = lib.from_numpy(data.copy()).requires_grad_()
        parts = x.t().unflatten(0, (2, 3)).movedim(-1, 0).chunk(2, 1)
        out = lib.cat([parts[0].flip(2), parts[1].triu(1)], 2).sum(0)
        (out * lib.arange(out.numel(), dtype=lib.float32).view_as(out)).sum().backward()
        res.append((out, x.grad))
    assert_close(res[0], res[1])


@pytest.mark.parametrize("make_args", [
    lambda L: (2,), lambda L: (3, 0), lambda L: (L.tensor([1, 0, 2]), 1),
    lambda L: (L.tensor(2), 0), lambda L: (1, -1),
])
def test_repeat_interleave_matches_torch(make_args):
    torch = pytest.importorskip("torch")
    data = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    e = ember.tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    eo, to = e.repeat_interleave(*make_args(ember)), t.repeat_interleave(*make_args(torch))
    assert eo.tolist() == to.tolist()
    (eo * eo).sum().backward()
    (to * to).sum().backward()
    assert e.grad.tolist() == t.grad.tolist()
    counts = ember.repeat_interleave(ember.tensor([2, 0, 1]))
    assert counts.tolist() == [0, 0, 2] and counts.dtype == ember.int64
    with pytest.raises(RuntimeError, match="same size as input"):
        e.repeat_interleave(ember.tensor([1, 2]), dim=1)
