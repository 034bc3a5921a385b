"""Bad input to issue 17's last numerics names raises torch's exception type (and, where
ember words it the same, torch's message): each case runs on both libraries."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch


def _raises_like(fn, match=None):
    """fn(lib) must raise the same exception type in ember as in torch."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(ember)
    if match:
        assert match in str(ours.value) and match in str(theirs.value)


def _t(lib, shape, dtype="float32", seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return lib.from_numpy(a)


CONV_TBC = {
    "input_rank": (lambda t: t.conv_tbc(_t(t, (5, 3)), _t(t, (3, 3, 4)), _t(t, (4,))),
                   "Input must have 3 dims"),
    "weight_rank": (lambda t: t.conv_tbc(_t(t, (5, 2, 3)), _t(t, (3, 4)), _t(t, (4,))),
                    "Weight tensor must have 3 dims"),
    "bias_rank": (lambda t: t.conv_tbc(_t(t, (5, 2, 3)), _t(t, (3, 3, 4)), _t(t, (4, 1))),
                  "Bias must be 1-D"),
    "channels": (lambda t: t.conv_tbc(_t(t, (5, 2, 3)), _t(t, (3, 2, 4)), _t(t, (4,))),
                 "Input dim 2 (input channels)"),
    "bias_size": (lambda t: t.conv_tbc(_t(t, (5, 2, 3)), _t(t, (3, 3, 4)), _t(t, (2,))),
                  "Bias size must equal dim 2"),
    "too_short": (lambda t: t.nn.functional.conv_tbc(_t(t, (1, 2, 3)), _t(t, (3, 3, 4)),
                                                     _t(t, (4,))), "negative dimension"),
    "missing_bias": (lambda t: t.conv_tbc(_t(t, (5, 2, 3)), _t(t, (3, 3, 4))), None),
}

_X4, _G4 = (2, 3, 4, 5), (2, 3, 4, 2)
_X5, _G5 = (2, 3, 4, 5, 6), (2, 2, 3, 4, 3)
GRID_SAMPLER = {
    "2d_on_5d": (lambda t: t.grid_sampler_2d(_t(t, _X5), _t(t, _G5), 0, 0, False),
                 "expected 4D input"),
    "3d_bicubic": (lambda t: t.grid_sampler_3d(_t(t, _X5), _t(t, _G5), 2, 0, False),
                   "bicubic interpolation only supports 4D input"),
    "functional_bicubic_5d": (lambda t: t.nn.functional.grid_sample(
        _t(t, _X5), _t(t, _G5), "bicubic", align_corners=False),
        "bicubic interpolation only supports 4D input"),
    "3d_grid_last_dim": (lambda t: t.grid_sampler_3d(_t(t, _X5), _t(t, (2, 2, 3, 4, 2)), 0, 0,
                                                     False), "size 3 in last dimension"),
    "3d_batch": (lambda t: t.grid_sampler_3d(_t(t, _X5), _t(t, (1, 2, 3, 4, 3)), 0, 0, False),
                 "same batch size"),
    "3d_empty_spatial": (lambda t: t.grid_sampler_3d(_t(t, (2, 3, 0, 5, 6)), _t(t, _G5), 0, 0,
                                                     False), "non-empty spatial dimensions"),
    "2d_dtype": (lambda t: t.grid_sampler_2d(_t(t, _X4), _t(t, _G4, "float64"), 0, 0, False),
                 None),
    "2d_align_corners_int": (lambda t: t.grid_sampler_2d(_t(t, _X4), _t(t, _G4), 0, 0, 1),
                             "must be bool"),
    "2d_mode_str": (lambda t: t.grid_sampler_2d(_t(t, _X4), _t(t, _G4), "bilinear", 0, False),
                    "must be int"),
}


@needs_torch
@pytest.mark.parametrize("case", list(CONV_TBC), ids=list(CONV_TBC))
def test_conv_tbc_errors(case):
    _raises_like(*CONV_TBC[case])


def test_conv_tbc_is_one_function():
    assert ember.nn.functional.conv_tbc is ember.conv_tbc


@needs_torch
@pytest.mark.parametrize("case", list(GRID_SAMPLER), ids=list(GRID_SAMPLER))
def test_grid_sampler_errors(case):
    _raises_like(*GRID_SAMPLER[case])


def test_grid_sampler_3d_backward_is_once_differentiable():
    x = ember.randn(1, 1, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    g = (ember.rand(1, 1, 1, 2, 3, dtype=ember.float64) * 2 - 1).requires_grad_()
    (gx,) = ember.autograd.grad(ember.grid_sampler_3d(x, g, 0, 0, False).sum(), g,
                                create_graph=True)
    with pytest.raises(NotImplementedError, match="grid_sampler"):
        gx.sum().backward()


LINALG = {
    "sqrth_not_square": (lambda t: t.linalg.matrix_sqrth(_t(t, (3, 4))),
                         "must be batches of square matrices"),
    "sqrth_vector": (lambda t: t.linalg.matrix_sqrth(_t(t, (3,))), "at least 2 dimensions"),
    "sqrth_int": (lambda t: t.linalg.matrix_sqrth(t.ones(3, 3, dtype=t.int64)),
                  "Expected a floating point or complex tensor as input. Got Long"),
    "sqrth_half": (lambda t: t.linalg.matrix_sqrth(t.eye(2, dtype=t.float16)),
                   "Low precision dtypes not supported. Got Half"),
    "sqrth_not_tensor": (lambda t: t.linalg.matrix_sqrth([[1.0]]), None),
    "sqrth_out_kwarg": (lambda t: t.linalg.matrix_sqrth(t.eye(2), out=t.empty(0)), None),
    "polar_wide": (lambda t: t.linalg.polar(_t(t, (3, 4))), "at least as many rows as columns"),
    "polar_vector": (lambda t: t.linalg.polar(_t(t, (3,))), "at least 2 dimensions"),
    "polar_int": (lambda t: t.linalg.polar(t.ones(3, 3, dtype=t.int64)), "Got Long"),
    "polar_half": (lambda t: t.linalg.polar(t.eye(3, dtype=t.float16)), "not implemented for"),
}


@needs_torch
@pytest.mark.parametrize("case", list(LINALG), ids=list(LINALG))
def test_linalg_tail_errors(case):
    _raises_like(*LINALG[case])


@needs_torch
def test_matrix_sqrth_clamps_indefinite_like_torch():
    a = np.diag([4.0, -1.0, 9.0])
    ours = ember.linalg.matrix_sqrth(ember.tensor(a)).numpy()
    theirs = torch.linalg.matrix_sqrth(torch.tensor(a)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(ours, np.diag([2.0, 0.0, 3.0]), atol=1e-12)


@needs_torch
def test_polar_out_and_fields():
    a = np.random.default_rng(3).standard_normal((4, 3))
    u, h = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.float64)
    res = ember.linalg.polar(ember.tensor(a), out=(u, h))
    assert res[0] is u and res[1] is h
    ref = torch.linalg.polar(torch.tensor(a))
    np.testing.assert_allclose(u.numpy(), ref.U.numpy(), atol=1e-12)
    np.testing.assert_allclose(h.numpy(), ref.H.numpy(), atol=1e-12)
    got = ember.linalg.polar(ember.tensor(a))
    np.testing.assert_allclose(got.U.numpy() @ got.H.numpy(), a, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("call", ["instance", "apply"])
def test_nested_io_function_fails_as_in_torch(call):
    """PyTorch 2.14's NestedIOFunction cannot run (AttributeError); ember says why."""
    import warnings

    def run(lib):
        class Twice(lib.autograd.function.NestedIOFunction):
            def forward_extended(self, x):
                return x * 2

        x = lib.ones(2, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return Twice()(x) if call == "instance" else Twice.apply(x)
    _raises_like(run)
    with pytest.raises(AttributeError, match="subclass ember.autograd.Function"):
        run(ember)


def test_nested_io_function_keeps_nesting():
    f = ember.autograd.NestedIOFunction()
    x, y = ember.ones(2), ember.zeros(3)
    f.save_for_backward(x, (y, [x]), 3)
    assert len(f.to_save) == 3
    saved = f.saved_tensors
    assert saved[0] is x and saved[1][0] is y and saved[1][1][0] is x and saved[2] == 3
    f.mark_non_differentiable(x, {"k": y})
    assert f.non_differentiable == (x, y)
    with pytest.raises(NotImplementedError):
        f.forward_extended(x)


def test_invert_permutation_none_and_device():
    from ember.nn.utils.rnn import invert_permutation
    assert invert_permutation(None) is None
    p = ember.tensor([3, 1, 0, 2])
    inv = invert_permutation(p)
    assert inv.dtype == ember.int64 and inv[p].tolist() == [0, 1, 2, 3]


def _spd12(lib):
    a = np.random.default_rng(5).standard_normal((12, 12))
    return lib.from_numpy(a @ a.T + np.eye(12))


LOBPCG = {
    "not_square": (lambda t: t.lobpcg(_t(t, (12, 11), "float64")), "A must be square"),
    "too_many_pairs": (lambda t: t.lobpcg(_spd12(t), k=5), "smaller than 3 x the number"),
    "B_shape": (lambda t: t.lobpcg(_spd12(t), B=t.eye(11, dtype=t.float64)),
                "A and B must have same shape"),
    "X_shape": (lambda t: t.lobpcg(_spd12(t), X=_t(t, (11, 2), "float64")),
                "X shape mismatch"),
    "grad_with_B": (lambda t: t.lobpcg(_spd12(t).requires_grad_(), k=1,
                                       B=t.eye(12, dtype=t.float64))[0].sum().backward(),
                    "B != I"),
}


@needs_torch
@pytest.mark.parametrize("case", list(LOBPCG), ids=list(LOBPCG))
def test_lobpcg_errors(case):
    _raises_like(*LOBPCG[case])


def test_lobpcg_unknown_method_and_k_over_n():
    with pytest.raises(ValueError, match="method must be 'ortho' or 'basic'"):
        ember.lobpcg(_spd12(ember), method="fancy")
    with pytest.raises(ValueError, match="must not exceed"):
        ember.lobpcg(_spd12(ember), k=3, X=ember.randn(12, 2, dtype=ember.float64))


def test_lobpcg_tracker_sees_state_and_can_stop():
    seen = []

    def tracker(worker):
        seen.append((worker.ivars["istep"], worker.ivars["converged_count"],
                     tuple(worker.X.shape), tuple(worker.tvars["rerr"].shape)))
        if worker.ivars["istep"] >= 3:
            worker.bvars["force_stop"] = True

    E, X = ember.lobpcg(_spd12(ember), k=2, tracker=tracker, tol=1e-300)
    assert [s[0] for s in seen] == [1, 2, 3]
    assert seen[0][2] == (12, 2) and seen[0][3] == (2,)
    assert E.shape == (2,) and X.shape == (12, 2)


def test_lobpcg_converges_to_eigh_and_generalized():
    a = _spd12(ember).numpy()
    ref = np.linalg.eigvalsh(a)
    for method in ("ortho", "basic"):
        E, X = ember.lobpcg(ember.tensor(a), k=2, method=method, largest=False, niter=-1,
                            tol=1e-10)
        np.testing.assert_allclose(E.numpy(), ref[:2], rtol=1e-7)
        np.testing.assert_allclose(a @ X.numpy(), X.numpy() * E.numpy(), atol=1e-6)
    b = np.diag(np.linspace(1, 2, 12))
    E, X = ember.lobpcg(ember.tensor(a), k=1, B=ember.tensor(b), tol=1e-10, niter=-1)
    import scipy.linalg
    np.testing.assert_allclose(E.numpy(), scipy.linalg.eigh(a, b, eigvals_only=True)[-1:],
                               rtol=1e-7)
    E32, _ = ember.lobpcg(ember.tensor(a, dtype=ember.float32), k=1)
    assert E32.dtype == ember.float32
