"""Lazy modules against torch: repr and state_dict keys before and after the first forward,
the shapes they infer, and outputs once torch's weights are loaded."""
import copy

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [
    ("LazyLinear", (4,), (2, 3)),
    ("LazyLinear", (4, False), (3,)),
    ("LazyConv1d", (4, 3), (2, 2, 8)),
    ("LazyConv2d", (4, 3), (2, 2, 6, 6)),
    ("LazyConv2d", (4, 3, 1, 1), (2, 6, 6)),
    ("LazyConv3d", (2, 2), (1, 2, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), (2, 2, 5)),
    ("LazyConvTranspose2d", (4, 3), (1, 6, 5, 5)),
    ("LazyConvTranspose3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (4, 3)),
    ("LazyBatchNorm2d", (), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 5)),
    ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,shape", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_lazy_module_matches_torch(name, args, shape):
    t, e = getattr(torch.nn, name)(*args).double(), getattr(ember.nn, name)(*args).double()
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, ember.nn.UninitializedParameter)
    assert ember.nn.parameter.is_lazy(e.weight)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        e.weight.shape
    x = np.random.default_rng(0).standard_normal(shape)
    t(torch.from_numpy(x))
    e(ember.from_numpy(x))
    assert repr(e) == repr(t) and type(e).__name__ == type(t).__name__
    assert list(e.state_dict()) == list(t.state_dict())
    for k, v in t.state_dict().items():
        assert tuple(e.state_dict()[k].shape) == tuple(v.shape), k
    assert not e.has_uninitialized_params() if hasattr(e, "has_uninitialized_params") else True
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    np.testing.assert_allclose(e(ember.from_numpy(x)).detach().numpy(),
                               t(torch.from_numpy(x)).detach().numpy(), atol=1e-10)


def test_uninitialized_parameter_basics():
    p = ember.nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad
    q = copy.deepcopy(p)
    assert isinstance(q, ember.nn.UninitializedParameter)
    p.materialize((2, 3), dtype=ember.float64)
    assert type(p) is ember.nn.Parameter and tuple(p.shape) == (2, 3)
    assert p.dtype == ember.float64
    b = ember.nn.UninitializedBuffer()
    b.materialize(4)
    assert type(b) is ember.Tensor and tuple(b.shape) == (4,)
    m = ember.nn.LazyLinear(3)
    opt_params = list(m.parameters())
    m(ember.ones(2, 5))
    assert opt_params[0] is m.weight and tuple(m.weight.shape) == (3, 5)
