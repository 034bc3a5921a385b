"""Behaviour of the math tail (issue 17) beyond the op table: torch's exception types on
bad input, the in-place tail's autograd rules, return-type names, warnings."""
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close


def _both(fn):
    """Run ``fn(lib)`` with ember and torch: the exception types (or None) of each."""
    out = []
    for lib in (ember, torch):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(lib)
            out.append(None)
        except Exception as e:   # noqa: BLE001  (the type is what is compared)
            out.append(type(e))
    return out


BAD_CALLS = {
    "hypot_int": lambda t: t.hypot(t.tensor([3]), t.tensor([4])),
    "logaddexp_int": lambda t: t.logaddexp(t.tensor([1]), t.tensor([2])),
    "logaddexp_scalar": lambda t: t.logaddexp(t.tensor([1.0]), 2.0),
    "heaviside_dtypes": lambda t: t.heaviside(t.tensor([1.0]), t.tensor([2.0], dtype=t.float64)),
    "gcd_float": lambda t: t.gcd(t.tensor([1.0]), t.tensor([2.0])),
    "frexp_int": lambda t: t.frexp(t.tensor([1])),
    "positive_bool": lambda t: t.positive(t.tensor([True])),
    "float_power__float32": lambda t: t.tensor([1.0]).float_power_(2),
    "deg2rad__int": lambda t: t.tensor([1, 2]).deg2rad_(),
    "diff_0d": lambda t: t.diff(t.tensor(1.0)),
    "cummax_dim": lambda t: t.cummax(t.ones(2, 3), 2),
    "renorm_p0": lambda t: t.renorm(t.ones(2, 2), 0, 0, 1.0),
    "renorm_int": lambda t: t.renorm(t.ones(2, 2, dtype=t.int64), 2, 0, 1.0),
    "renorm_1d": lambda t: t.renorm(t.ones(2), 2, 0, 1.0),
    "addr_2d": lambda t: t.addr(t.ones(2, 2), t.ones(2, 1), t.ones(2)),
    "addbmm_2d": lambda t: t.addbmm(t.ones(2, 2), t.ones(2, 2), t.ones(2, 2)),
    "histc_int": lambda t: t.histc(t.tensor([1, 2])),
    "histc_range": lambda t: t.histc(t.tensor([1.0]), bins=4, min=3, max=1),
    "histogram_int": lambda t: t.histogram(t.tensor([1, 2]), 3),
    "bincount_neg": lambda t: t.bincount(t.tensor([-1])),
    "bincount_2d": lambda t: t.bincount(t.tensor([[1]])),
    "bincount_float": lambda t: t.bincount(t.tensor([1.0])),
    "searchsorted_side": lambda t: t.searchsorted(t.tensor([1, 3]), t.tensor([3]), side="left",
                                                  right=True),
    "searchsorted_shapes": lambda t: t.searchsorted(t.ones(2, 3), t.ones(3, 1)),
    "bucketize_2d": lambda t: t.bucketize(t.tensor([1.0]), t.ones(2, 2)),
    "unique_dim": lambda t: t.unique(t.ones(2, 2), dim=3),
    "quantile_q": lambda t: t.quantile(t.ones(3), 1.5),
    "quantile_int": lambda t: t.quantile(t.tensor([1, 2]), 0.5),
    "quantile_empty": lambda t: t.quantile(t.ones(0), 0.5),
    "quantile_mode": lambda t: t.quantile(t.ones(3), 0.5, interpolation="cubic"),
    "quantile_q_dtype": lambda t: t.quantile(t.ones(3), t.tensor([0.5], dtype=t.float64)),
    "nanmedian_empty_dim": lambda t: t.nanmedian(t.ones(2, 0), 1),
    "cov_3d": lambda t: t.cov(t.ones(2, 2, 2)),
    "cov_fweights_float": lambda t: t.cov(t.ones(2, 3), fweights=t.ones(3)),
    "cov_aweights_neg": lambda t: t.cov(t.ones(2, 3), aweights=-t.ones(3)),
    "cdist_1d": lambda t: t.cdist(t.ones(3), t.ones(3)),
    "cdist_cols": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 4)),
    "cdist_neg_p": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), p=-1.0),
    "cdist_mode": lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), compute_mode="fast"),
    "meshgrid_2d": lambda t: t.meshgrid(t.ones(2, 2), indexing="ij"),
    "meshgrid_indexing": lambda t: t.meshgrid(t.ones(2), indexing="ji"),
    "cartesian_2d": lambda t: t.cartesian_prod(t.ones(2, 2)),
    "combinations_2d": lambda t: t.combinations(t.ones(2, 2)),
    "block_diag_3d": lambda t: t.block_diag(t.ones(2, 2, 2)),
    "vander_2d": lambda t: t.vander(t.ones(2, 2)),
    "rot90_1d": lambda t: t.rot90(t.ones(3)),
    "rot90_same_dims": lambda t: t.rot90(t.ones(2, 2), 1, [0, 0]),
    "unravel_float": lambda t: t.unravel_index(t.tensor(1.0), (2, 3)),
    "is_nonzero_many": lambda t: t.is_nonzero(t.ones(2)),
    "is_nonzero_empty": lambda t: t.is_nonzero(t.ones(0)),
    "trapezoid_x_len": lambda t: t.trapezoid(t.ones(3), t.ones(4)),
    "leaf_inplace": lambda t: t.ones(2, requires_grad=True).acos_(),
    "leaf_inplace_view": lambda t: t.ones(2, 3, requires_grad=True).t_(),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception_types(name):
    ours, theirs = _both(BAD_CALLS[name])
    assert theirs is not None, f"torch accepts {name}: the case is wrong"
    assert ours is theirs, f"{name}: ember raises {ours}, torch raises {theirs}"


def test_inplace_tail_bumps_version_and_records_graph():
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    y = x * 1
    v = y._version
    y.tan_()
    assert y._version == v + 1 and y.grad_fn is not None
    y.t_()
    assert tuple(y.shape) == (4, 3) and y._version == v + 2
    y.sum().backward()
    expected = 1 + np.tan(x.detach().numpy()) ** 2
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_saved_input_then_inplace_tail_raises():
    x = ember.rand(3, requires_grad=True)
    y = x * 1
    z = y.sin()          # saves y
    y.cosh_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_aliases_are_the_same_functions():
    assert ember.arccos is ember.acos and ember.Tensor.arcsinh is ember.Tensor.asinh
    assert ember.Tensor.negative_ is ember.Tensor.neg_


def test_vander_gradcheck():
    # torch's own vander backward raises; ember's (through cumprod) is checked here
    x = ember.tensor([0.5, -1.2, 2.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ember.vander(a, 4), (x,))


def test_meshgrid_without_indexing_warns():
    with pytest.warns(UserWarning, match="indexing"):
        ember.meshgrid(ember.ones(2), ember.ones(3))


@needs_torch
def test_return_type_names_and_fields():
    x = np.array([[1.0, 3.0, 2.0], [0.5, 0.1, 4.0]], dtype=np.float32)
    for fn, fields in ((lambda t, a: t.cummax(a, 1), ("values", "indices")),
                       (lambda t, a: t.frexp(a), ("mantissa", "exponent")),
                       (lambda t, a: t.histogram(a, 3), ("hist", "bin_edges")),
                       (lambda t, a: t.nanmedian(a, 0), ("values", "indices"))):
        ours, theirs = fn(ember, ember.tensor(x)), fn(torch, torch.tensor(x))
        assert type(ours).__name__ == type(theirs).__name__
        for f in fields:
            assert_close(getattr(ours, f), getattr(theirs, f))


def test_apply_map_callables():
    x = ember.tensor([1.0, 2.0, 3.0])
    x.apply_(lambda v: v * 10)
    x.map_(ember.tensor([1.0, 1.0, 1.0]), lambda a, b: a + b)
    assert x.tolist() == [11.0, 21.0, 31.0]
