"""Sparse compressed tensors (CSR/CSC/BSR/BSC) against torch on the same inputs:
constructors (size inference, dtypes, invariant errors), conversions between every layout
and COO/dense, repr, accessors, mm/addmm/matmul/sparse.mm and their gradients (float64
gradcheck too), scalar products, adds, transposes, sums, save/load in torch's format, the
legacy COO products and resizes, and torch's errors for what is not supported."""
import io
import pickle
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings(
    "ignore:Sparse (CSR|CSC|BSR|BSC) tensor support is in beta state:UserWarning")
warnings.filterwarnings("ignore", message="Sparse invariant checks")

D = [[0.0, 1.0, 0.0, 0.0], [2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [5.0, 0.0, 0.0, 6.0]]


def both(fn):
    return fn(ember), fn(torch)


def _repr(t):
    return repr(t).replace("torch.", "ember.")


def _np(t):
    return t.detach().numpy()


def _layout_name(t):
    return repr(t.layout).split(".")[-1]


def assert_same(e, t):
    """Same layout, shape, dtype, index arrays, values and repr."""
    assert _layout_name(e) == _layout_name(t)
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    lay = _layout_name(t)
    if lay in ("sparse_csr", "sparse_bsr"):
        pairs = [(e.crow_indices(), t.crow_indices()), (e.col_indices(), t.col_indices())]
    elif lay in ("sparse_csc", "sparse_bsc"):
        pairs = [(e.ccol_indices(), t.ccol_indices()), (e.row_indices(), t.row_indices())]
    elif lay == "sparse_coo":
        pairs = [(e._indices(), t._indices())]
    else:
        pairs = []
    for a, b in pairs:
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert str(a.dtype)[-5:] == str(b.dtype)[-5:]
    if lay != "strided":
        assert e._nnz() == t._nnz()
        np.testing.assert_allclose(_np(e.values() if lay != "sparse_coo" else e._values()),
                                   _np(t.values() if lay != "sparse_coo" else t._values()),
                                   rtol=1e-6, atol=1e-6)
        assert (e.sparse_dim(), e.dense_dim()) == (t.sparse_dim(), t.dense_dim())
    assert _repr(e) == _repr(t)
    np.testing.assert_allclose(_np(e.to_dense()), _np(t.to_dense()), rtol=1e-6, atol=1e-6)


def dense(L, dtype=None):
    return L.tensor(D, dtype=dtype)


MAKERS = [
    lambda L: dense(L).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csc(),
    lambda L: dense(L).to_sparse_bsr((2, 2)),
    lambda L: dense(L).to_sparse_bsr((1, 2)),
    lambda L: dense(L).to_sparse_bsc((2, 1)),
    lambda L: dense(L).to_sparse_bsc(2),
    lambda L: dense(L, L.float64).to_sparse_csr(),
    lambda L: dense(L, L.int32).to_sparse_csc(),
    lambda L: L.zeros(2, 3).to_sparse_csr(),
    lambda L: L.zeros(2, 3, 2).to_sparse_csr(dense_dim=1),
    lambda L: L.zeros(2, 2, 3).to_sparse_csr(),
    lambda L: L.tensor([[[1.0, 0.0], [0.0, 2.0]], [[0.0, 3.0], [4.0, 0.0]]]).to_sparse_csr(),
    lambda L: L.tensor([[[1.0, 0.0], [0.0, 2.0]], [[0.0, 3.0], [4.0, 0.0]]]).to_sparse_csc(),
    lambda L: L.arange(12.0).reshape(2, 3, 2).to_sparse_csr(dense_dim=1),
    lambda L: L.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1.0, 2.0, 3.0]),
    lambda L: L.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1, 2, 3], (2, 5)),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3], dtype=L.int32),
                                  L.tensor([1, 0, 2], dtype=L.int32), [1.0, 2.0, 3.0]),
    lambda L: L.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1.0, 2.0, 3.0], dtype=L.float64),
    lambda L: L.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1.0, 2.0, 3.0], requires_grad=True),
    lambda L: L.sparse_csc_tensor([0, 1, 3], [1, 0, 2], [1.0, 2.0, 3.0]),
    lambda L: L.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1.0, 2.0, 3.0], (3, 2),
                                         layout=L.sparse_csc),
    lambda L: L.sparse_bsr_tensor([0, 1, 2], [0, 1], L.ones(2, 2, 2)),
    lambda L: L.sparse_bsc_tensor([0, 1, 2], [0, 1], L.ones(2, 2, 3)),
    lambda L: L.sparse_bsr_tensor([0, 1, 2], [0, 1], L.ones(2, 2, 2), (4, 6)),
    # conversions between layouts and COO
    lambda L: dense(L).to_sparse_csr().to_sparse_csc(),
    lambda L: dense(L).to_sparse_csc().to_sparse_csr(),
    lambda L: dense(L).to_sparse_csc().to_sparse_bsr((1, 1)),
    lambda L: dense(L).to_sparse_bsr((2, 2)).to_sparse_bsc((2, 2)),
    lambda L: dense(L).to_sparse_bsc((2, 2)).to_sparse_bsr((2, 2)),
    lambda L: dense(L).to_sparse_csr().to_sparse(),
    lambda L: dense(L).to_sparse_csc().to_sparse_coo(),
    lambda L: dense(L).to_sparse().to_sparse_csr(),
    lambda L: dense(L).to_sparse().to_sparse_csc(),
    lambda L: dense(L).to_sparse().to_sparse_bsr((2, 2)),
    lambda L: dense(L).to_sparse(layout=L.sparse_csc),
    lambda L: dense(L).to_sparse(layout=L.sparse_bsr, blocksize=(2, 1)),
    lambda L: dense(L).to_sparse_csr().to_sparse(layout=L.sparse_csc),
    lambda L: L.sparse_csr_tensor([0, 2, 2], [0, 1], [0.0, 5.0], (2, 2)).to_sparse_csc(),
    # ops
    lambda L: dense(L).to_sparse_csr() * 2,
    lambda L: 3 * dense(L).to_sparse_csc(),
    lambda L: -dense(L).to_sparse_bsr((2, 2)),
    lambda L: dense(L).to_sparse_csr().abs(),
    lambda L: dense(L).to_sparse_csr().to(L.float64),
    lambda L: dense(L).to_sparse_csr() + dense(L).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csr() + L.eye(4).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csr() + L.ones(4, 4),
    lambda L: L.ones(4, 4) + dense(L).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csr() * L.arange(16.0).reshape(4, 4),
    lambda L: dense(L).to_sparse_csr() * dense(L).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csr().t(),
    lambda L: dense(L).to_sparse_csc().t(),
    lambda L: dense(L).to_sparse_csr().transpose(0, 1),
    lambda L: dense(L).to_sparse_bsr((2, 1)).t(),
    lambda L: dense(L).to_sparse_csr().sum(),
    lambda L: dense(L).to_sparse_csr().sum(dim=1, keepdim=True),
    lambda L: dense(L).to_sparse_csr().sum(dim=0, keepdim=True),
    lambda L: dense(L).to_sparse_csr().clone(),
    lambda L: dense(L).to_sparse_csr().detach(),
    lambda L: L.values_copy(dense(L).to_sparse_csr()),
    lambda L: L.crow_indices_copy(dense(L).to_sparse_csr()),
    lambda L: L.col_indices_copy(dense(L).to_sparse_csr()),
    lambda L: L.ccol_indices_copy(dense(L).to_sparse_csc()),
    lambda L: L.row_indices_copy(dense(L).to_sparse_csc()),
    lambda L: L.mv(dense(L).to_sparse_csr(), L.arange(4.0)),
    lambda L: dense(L).to_sparse_csr() @ L.arange(4.0),
]


@pytest.mark.parametrize("make", MAKERS)
def test_compressed_parity(make):
    e, t = both(make)
    assert_same(e, t)


def test_layout_metadata():
    e, t = both(lambda L: dense(L).to_sparse_csr())
    assert e.layout is ember.sparse_csr and repr(e.layout) == "ember.sparse_csr"
    assert e.is_sparse_csr and not e.is_sparse and t.is_sparse_csr and not t.is_sparse
    assert not ember.randn(2).is_sparse_csr
    assert not dense(ember).to_sparse_csc().is_sparse_csr
    assert e.numel() == t.numel() and e.dim() == t.dim() and e.size() == ember.Size([4, 4])
    for name in ("sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc"):
        lay = getattr(ember, name)
        assert pickle.loads(pickle.dumps(lay)) is lay


@pytest.mark.parametrize("call", [
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 0, 2]),
                                  L.tensor([1.0, 2, 3]), (2, 2), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 0, 2]),
                                  L.tensor([1.0, 2, 3]), (3, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([1, 1, 3]), L.tensor([1, 0, 2]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 2, 1]), L.tensor([1, 0, 2]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 2, 0]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 2, 2]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 0, -1]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor(L.tensor([0, 1, 4]), L.tensor([1, 0, 2]),
                                  L.tensor([1.0, 2, 3]), (2, 3), check_invariants=True),
    lambda L: L.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1.0, 2, 3], (2, 3),
                                  layout=L.sparse_csc),
    lambda L: L.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1.0, 2, 3], (3, 2)),
    lambda L: L.tensor([[1.0, 2], [3, 4]]).to_sparse_bsr((3, 1)),
    lambda L: L.tensor([[1.0, 2], [3, 4]]).to_sparse(layout=L.sparse_bsr),
    lambda L: L.tensor([[1.0, 2], [3, 4]]).to_sparse_csr().to_sparse_csr(dense_dim=1),
    lambda L: L.tensor([[1.0, 2], [3, 4]]).to_sparse_bsr((1, 1)).to_sparse_csr(),
    lambda L: L.arange(12.0).reshape(2, 2, 3).to_sparse_csr(),
    lambda L: dense(L).to_sparse_csr().indices(),
    lambda L: dense(L).to_sparse_csr().ccol_indices(),
    lambda L: dense(L).to_sparse_csc().crow_indices(),
    lambda L: dense(L).to_sparse_csr().coalesce(),
    lambda L: dense(L).to_sparse_csr().is_coalesced(),
    lambda L: dense(L).to_sparse_csr().sum(0),
    lambda L: L.crow_indices_copy(dense(L)),
    lambda L: L.indices_copy(dense(L).to_sparse()),
    lambda L: L.values_copy(dense(L).to_sparse()),
    lambda L: dense(L).to_sparse_csr().exp(),
    lambda L: dense(L).to_sparse_csr() / 2,
    lambda L: dense(L).to_sparse_csr() - L.eye(4).to_sparse_csr(),
    lambda L: L.sparse.sum(dense(L).to_sparse_csr()),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as te:
        call(torch)
    with pytest.raises(type(te.value)) as ee:
        call(ember)
    first = lambda s: str(s).split(". This could be")[0].split(". ember:")[0]  # noqa: E731
    assert first(ee.value).replace("ember.", "torch.") == first(te.value)


def _gradients(op, L, layout_of, masked_ok=True):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    s = layout_of(L.tensor(D, dtype=L.float64)).requires_grad_()
    v = s.detach().values().clone().requires_grad_()
    lay = s.layout
    if lay in (L.sparse_csr, L.sparse_bsr):
        sv = L.sparse_compressed_tensor(s.crow_indices(), s.col_indices(), v, s.shape,
                                        layout=lay)
    else:
        sv = L.sparse_compressed_tensor(s.ccol_indices(), s.row_indices(), v, s.shape,
                                        layout=lay)
    w = L.tensor(w0, requires_grad=True)
    op(L, s, w).sum().backward()
    (op(L, sv, w) * 2).sum().backward()
    return s.grad, v.grad, w.grad


LAYOUTS = [lambda x: x.to_sparse_csr(), lambda x: x.to_sparse_csc(),
           lambda x: x.to_sparse_bsr((2, 2)), lambda x: x.to_sparse_bsc((2, 1))]


@pytest.mark.parametrize("layout_of", LAYOUTS)
@pytest.mark.parametrize("op", [
    lambda L, s, w: L.mm(s, w), lambda L, s, w: s @ w, lambda L, s, w: L.matmul(s, w),
    lambda L, s, w: L.sparse.mm(s, w),
    lambda L, s, w: L.addmm(L.ones(4, 3, dtype=L.float64), s, w, beta=0.5, alpha=2.0),
    lambda L, s, w: L.mm(w.t(), s.t().to_dense().to_sparse_csr()),
    lambda L, s, w: s.to_dense() @ w,
    lambda L, s, w: (s * 3).to_dense() @ w,
])
def test_mm_gradients_match_torch(op, layout_of):
    try:
        t_out = _gradients(op, torch, layout_of)
    except (RuntimeError, NotImplementedError) as err:
        pytest.skip(f"torch refuses: {str(err)[:80]}")
    e_out = _gradients(op, ember, layout_of)
    for e, t in zip(e_out, t_out):
        assert (e is None) == (t is None)
        if e is None:
            continue
        assert _layout_name(e) == _layout_name(t)
        np.testing.assert_allclose(_np(e.to_dense()), _np(t.to_dense()), rtol=1e-10)


def test_grad_fn_names_match_torch():
    def names(L):
        v = L.tensor([1.0, 2, 3], dtype=L.float64, requires_grad=True)
        c = L.sparse_csr_tensor(L.tensor([0, 1, 3]), L.tensor([1, 0, 2]), v, (2, 3))
        w = L.ones(3, 2, dtype=L.float64, requires_grad=True)
        d = L.ones(2, 3, dtype=L.float64, requires_grad=True)
        outs = [c, L.mm(c, w), L.sparse.mm(c, w), c.to_dense(), c.values(), c.t(),
                c.to_sparse_csc(), c.to_sparse(), d.to_sparse_csr(), d.to_sparse_bsr((1, 1)),
                c + c]
        return [o.grad_fn.name() for o in outs]
    e, t = both(names)
    assert e == t


@pytest.mark.parametrize("layout_of", LAYOUTS)
def test_gradcheck_through_values(layout_of):
    pattern = layout_of(ember.tensor(D, dtype=ember.float64))
    lay = pattern.layout
    idx = (pattern.crow_indices(), pattern.col_indices()) if lay in (
        ember.sparse_csr, ember.sparse_bsr) else (pattern.ccol_indices(), pattern.row_indices())
    v = pattern.values().clone().requires_grad_()
    w = ember.randn(4, 2, dtype=ember.float64, requires_grad=True)

    def f(v, w):
        s = ember.sparse_compressed_tensor(*idx, v, (4, 4), layout=lay)
        return ember.sparse.mm(s, w) + ember.mm(s * 2, w)
    assert ember.autograd.gradcheck(f, (v, w))
    assert ember.autograd.gradgradcheck(f, (v, w))


def test_save_load_torch_format(tmp_path):
    mats = both(lambda L: [dense(L).to_sparse_csr(), dense(L).to_sparse_csc(),
                           dense(L).to_sparse_bsr((2, 2)), dense(L).to_sparse_bsc((1, 2)),
                           L.sparse_csr_tensor(L.tensor([0, 1, 3], dtype=L.int32),
                                               L.tensor([1, 0, 2], dtype=L.int32),
                                               [1.0, 2, 3])])
    # ember -> torch
    path = tmp_path / "e.pt"
    ember.save(mats[0], path)
    loaded = torch.load(path)
    for e, t in zip(mats[0], loaded):
        assert_same(e, t)
    # torch -> ember
    path = tmp_path / "t.pt"
    torch.save(mats[1], path)
    loaded = ember.load(path)
    for e, t in zip(loaded, mats[1]):
        assert_same(e, t)
    buf = io.BytesIO()
    ember.save({"w": mats[0][0]}, buf)
    buf.seek(0)
    assert_same(ember.load(buf)["w"], mats[1][0])


S_IDX = [[0, 2, 2], [2, 0, 1]]


def _coo(L, vals=(3.0, 4.0, 5.0), size=(3, 3)):
    return L.sparse_coo_tensor(L.tensor(S_IDX), L.tensor(list(vals)), size)


DM = [[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]]


@pytest.mark.parametrize("make", [
    lambda L: L.smm(_coo(L), L.tensor(DM)),
    lambda L: _coo(L).smm(L.tensor(DM)),
    lambda L: L.hspmm(_coo(L), L.tensor(DM)),
    lambda L: L.hsmm(_coo(L), L.tensor(DM)),
    lambda L: L.dsmm(_coo(L), L.tensor(DM)),
    lambda L: L.saddmm(L.sparse_coo_tensor([[1], [1]], [7.0], (3, 2)), _coo(L), L.tensor(DM)),
    lambda L: L.sspaddmm(L.sparse_coo_tensor([[1], [1]], [7.0], (3, 2)), _coo(L),
                         L.tensor(DM), beta=2, alpha=0.5),
    lambda L: L.sparse_coo_tensor([[1], [1]], [7.0], (3, 2)).sspaddmm(_coo(L), L.tensor(DM)),
    lambda L: _coo(L).sparse_resize_((4, 5), 2, 0),
    lambda L: _coo(L).sparse_resize_and_clear_((4, 5, 2), 2, 1),
    lambda L: L.sparse_coo_tensor([[0], [0]], [1.0], (1, 1)).resize_as_sparse_(_coo(L)),
    lambda L: L.resize_as_sparse_(L.sparse_coo_tensor([[0], [0]], [1.0], (1, 1)), _coo(L)),
])
def test_legacy_coo_products(make):
    e, t = both(make)
    assert_same(e, t)


@pytest.mark.parametrize("call", [
    lambda L: _coo(L).sparse_resize_((2, 3), 2, 0),
    lambda L: _coo(L).sparse_resize_((3, 3, 2), 2, 1),
    lambda L: _coo(L).sparse_resize_((3, 3, 2), 2, 0),
    lambda L: L.sspaddmm(_coo(L), _coo(L), L.tensor(DM)),
    lambda L: L.smm(L.tensor(DM), _coo(L)),
    lambda L: L.dsmm(_coo(L), L.tensor(DM).t()),
])
def test_legacy_errors_match_torch(call):
    test_errors_match_torch(call)


def test_named_singletons_share_one_base():
    import copy
    from ember._named import NamedSingleton
    for obj in (ember.strided, ember.sparse_bsc, ember.channels_last, ember.preserve_format,
                ember.per_tensor_affine, ember.per_channel_symmetric):
        assert isinstance(obj, NamedSingleton)
        assert pickle.loads(pickle.dumps(obj)) is obj and copy.deepcopy(obj) is obj
        assert repr(obj) == repr(getattr(torch, obj.name)).replace("torch.", "ember.")
    assert ember.channels_last != ember.contiguous_format and ember.strided == ember.strided
