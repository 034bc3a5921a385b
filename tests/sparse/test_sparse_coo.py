"""Sparse COO tensors against torch on the same inputs: construction, coalescing order,
repr, conversions, arithmetic, mm and its gradients (float64 gradcheck too), sums,
Embedding(sparse=True) with SparseAdam / SGD / Adagrad, and the errors for what is not
supported."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", message="Sparse invariant checks")

IDX = [[0, 1, 1, 0, 2], [2, 0, 2, 2, 1]]
VAL = [3.0, 4.0, 5.0, 1.0, -2.0]


def both(fn):
    """fn(lib) for ember and torch."""
    return fn(ember), fn(torch)


def _sp(lib, dtype=None, **kw):
    return lib.sparse_coo_tensor(lib.tensor(IDX), lib.tensor(VAL, dtype=dtype), (3, 3), **kw)


def _repr(t):
    return repr(t).replace("torch.", "ember.")


def assert_same_sparse(e, t):
    assert e.is_sparse and t.is_sparse
    assert tuple(e.shape) == tuple(t.shape)
    assert e.is_coalesced() == t.is_coalesced()
    assert e._nnz() == t._nnz()
    np.testing.assert_array_equal(e._indices().numpy(), t._indices().numpy())
    np.testing.assert_allclose(e._values().detach().numpy(), t._values().detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("make", [
    lambda L: _sp(L),
    lambda L: _sp(L).coalesce(),
    lambda L: L.sparse_coo_tensor(L.tensor(IDX), L.tensor(VAL)),
    lambda L: _sp(L, dtype=L.float64),
    lambda L: L.sparse_coo_tensor(L.tensor(IDX), L.tensor([1, 2, 3, 4, 5]), (3, 3)),
    lambda L: L.sparse_coo_tensor(L.tensor(IDX), L.tensor(VAL), (3, 3), dtype=L.int32),
    lambda L: L.tensor([[0.0, 1.5, 0.0], [2.0, 0.0, 0.0]]).to_sparse(),
    lambda L: L.zeros(2, 3).to_sparse(),
    lambda L: L.tensor([[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]).to_sparse(1),
    lambda L: L.sparse_coo_tensor(L.tensor([[0, 2]]), L.tensor([[1.0, 2.0], [3.0, 4.0]]), (3, 2)),
    lambda L: _sp(L, requires_grad=True),
    lambda L: _sp(L) * 2,
    lambda L: _sp(L) + _sp(L),
    lambda L: _sp(L).coalesce() + _sp(L).coalesce() * 3,
    lambda L: _sp(L) + _sp(L).coalesce(),
    lambda L: -_sp(L),
    lambda L: _sp(L) / 2,
    lambda L: _sp(L).t(),
    lambda L: _sp(L).coalesce().transpose(0, 1),
    lambda L: L.sparse.sum(_sp(L), dim=1),
    lambda L: L.sparse.sum(_sp(L), dim=0),
    lambda L: _sp(L).to(L.float64),
    lambda L: _sp(L).abs(),
    lambda L: _sp(L) * L.arange(9.0).reshape(3, 3),
])
def test_sparse_parity(make):
    e, t = both(make)
    assert_same_sparse(e, t)
    assert _repr(e) == _repr(t)
    np.testing.assert_allclose(e.detach().to_dense().numpy(), t.detach().to_dense().numpy())


def test_metadata_and_layout():
    e, t = both(_sp)
    assert repr(e.layout) == "ember.sparse_coo" and e.layout is ember.sparse_coo
    assert ember.randn(2).layout is ember.strided
    assert (e.sparse_dim(), e.dense_dim()) == (t.sparse_dim(), t.dense_dim())
    assert ember.randn(2, 3).sparse_dim() == 0 and ember.randn(2, 3).dense_dim() == 2
    assert e.numel() == t.numel() and e.dim() == t.dim() and e.size() == ember.Size([3, 3])
    assert not ember.randn(2).is_sparse
    assert ember.randn(2).to_dense().layout is ember.strided
    c = e.coalesce()
    np.testing.assert_array_equal(c.indices().numpy(), t.coalesce().indices().numpy())
    np.testing.assert_allclose(c.values().numpy(), t.coalesce().values().numpy())


def test_dense_sparse_arithmetic():
    def f(L):
        adj = L.sparse_coo_tensor(np.array(IDX, dtype=np.int32), L.ones(5), (3, 3),
                                  dtype=L.int64)
        return L.eye(3) + adj, L.ones(3, 3) + adj * 2, L.sum(L.eye(3) + adj, dim=1)
    for a, b in zip(*both(f)):
        assert a.layout is ember.strided
        assert str(a.dtype)[-7:] == str(b.dtype)[-7:]
        np.testing.assert_allclose(a.numpy(), b.numpy())
    e, t = both(lambda L: L.sparse.sum(_sp(L)))
    assert float(e) == float(t) and e.dim() == 0


@pytest.mark.parametrize("op", [
    lambda L, s, d: L.mm(s, d), lambda L, s, d: L.sparse.mm(s, d), lambda L, s, d: s @ d,
    lambda L, s, d: L.spmm(s, d), lambda L, s, d: s.mm(d), lambda L, s, d: L.matmul(s, d),
    lambda L, s, d: L.mm(d.t(), s).t(), lambda L, s, d: L.sparse.mm(d.t(), s).t(),
    lambda L, s, d: L.sparse.addmm(d[:, :1], s, d, beta=0.5, alpha=2.0),
    lambda L, s, d: s.to_dense().sum() * d,
])
def test_mm_and_gradients_match_torch(op):
    rng = np.random.default_rng(0)
    d0 = rng.standard_normal((3, 2))
    res = []
    for L in (ember, torch):
        v = L.tensor(VAL, dtype=L.float64, requires_grad=True)
        s_leaf = L.sparse_coo_tensor(L.tensor(IDX), L.tensor(VAL, dtype=L.float64), (3, 3),
                                     requires_grad=True)
        d = L.tensor(d0, requires_grad=True)
        s = L.sparse_coo_tensor(L.tensor(IDX), v, (3, 3))
        out = op(L, s, d)
        (out * out).sum().backward()
        op(L, s_leaf, d.detach()).sum().backward()
        res.append((out, v.grad, d.grad, s_leaf.grad))
    (eo, ev, ed, es), (to, tv, td, ts) = res
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ed.numpy(), td.numpy(), rtol=1e-10)
    assert es.is_sparse == ts.is_sparse
    if ts.is_sparse:
        assert_same_sparse(es, ts)
    else:
        np.testing.assert_allclose(es.numpy(), ts.numpy(), rtol=1e-10)


def test_to_dense_and_to_sparse_gradients():
    for L in (ember, torch):
        s = _sp(L, dtype=L.float64, requires_grad=True)
        (s.to_dense() * L.arange(9.0, dtype=L.float64).reshape(3, 3)).sum().backward()
        x = L.tensor([[0.0, 2.0], [3.0, 0.0]], requires_grad=True)
        (x.to_sparse() * 3).to_dense().sum().backward()
        if L is ember:
            eg, ex = s.grad, x.grad
        else:
            assert_same_sparse(eg, s.grad)
            np.testing.assert_allclose(ex.numpy(), x.grad.numpy())


def test_gradcheck_sparse_mm_float64():
    rng = np.random.default_rng(1)
    d = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    v = ember.tensor(VAL, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor(IDX)

    def f(vals, dense):
        s = ember.sparse_coo_tensor(idx, vals, (3, 3))
        return ember.sparse.mm(s, dense) + ember.mm(s, dense.tanh())

    assert ember.autograd.gradcheck(f, (v, d))
    assert ember.autograd.gradgradcheck(f, (v, d))
    assert ember.autograd.gradcheck(
        lambda vals: ember.sparse.sum(ember.sparse_coo_tensor(idx, vals, (3, 3)) * 2, dim=0)
        .to_dense(), (v,))


def test_embedding_sparse_grad_and_optimizers():
    w0 = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    for name, kw in (("SparseAdam", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                     ("Adagrad", {"lr": 0.1})):
        out, grads = [], []
        for L in (ember, torch):
            emb = L.nn.Embedding(6, 3, sparse=True, padding_idx=0)
            with L.no_grad():
                emb.weight.copy_(L.tensor(w0))
            opt = getattr(L.optim, name)(emb.parameters(), **kw)
            for i in range(3):
                opt.zero_grad()
                (emb(L.tensor([[1, 2, 1], [4, 2, 0]])) ** 2).sum().backward()
                if L is ember:
                    grads.append(emb.weight.grad)
                else:
                    assert_same_sparse(grads[i], emb.weight.grad)
                opt.step()
            out.append(emb.weight.detach().numpy())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-6)


def test_errors_match_torch_types():
    s = _sp(ember)
    dense = ember.randn(3, 3)
    for call, exc in ((lambda: s.exp(), NotImplementedError),
                      (lambda: s.view(9), NotImplementedError),
                      (lambda: s.softmax(0), NotImplementedError),
                      (lambda: s.values(), RuntimeError),
                      (lambda: s.indices(), RuntimeError),
                      (lambda: dense.coalesce(), RuntimeError),
                      (lambda: dense.is_coalesced(), RuntimeError),
                      (lambda: dense._values(), RuntimeError),
                      (lambda: dense._nnz(), NotImplementedError),
                      (lambda: ember.optim.SparseAdam([ember.nn.Parameter(dense)]), None),
                      (lambda: ember.sparse_coo_tensor([[0, 5]], [1.0, 2.0], (3,)),
                       RuntimeError),
                      (lambda: ember.sparse_coo_tensor([[0, 1]], [1.0], (3,)), RuntimeError),
                      (lambda: ember.mm(s, ember.randn(2, 2)), RuntimeError),
                      (lambda: s + ember.randn(2, 2), RuntimeError)):
        if exc is None:
            call()
            continue
        with pytest.raises(exc):
            call()
    p = ember.nn.Parameter(ember.randn(2))
    p.grad = ember.randn(2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        ember.optim.SparseAdam([p]).step()
    emb = ember.nn.Embedding(3, 2, sparse=True)
    emb(ember.tensor([0, 1])).sum().backward()
    with pytest.raises(RuntimeError, match="consider SparseAdam"):
        ember.optim.Adam(emb.parameters()).step()
    with pytest.raises(RuntimeError, match="weight_decay option is not compatible"):
        ember.optim.Adagrad(emb.parameters(), weight_decay=0.1).step()


def test_grad_accumulates_across_backwards():
    for L in (ember, torch):
        emb = L.nn.Embedding(4, 2, sparse=True)
        emb(L.tensor([1, 3])).sum().backward()
        emb(L.tensor([1])).sum().backward()
        if L is ember:
            g = emb.weight.grad
        else:
            assert_same_sparse(g.coalesce(), emb.weight.grad.coalesce())


def test_spdiags_matches_torch():
    e, t = both(lambda L: L.sparse.spdiags(L.arange(1.0, 10.0).reshape(3, 3),
                                           L.tensor([0, -1, 1]), (3, 4)))
    np.testing.assert_allclose(e.to_dense().numpy(), t.to_dense().numpy())
    assert e.is_sparse and e._nnz() == t._nnz()


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_sparse_softmax_matches_torch(log, dim):
    rng = np.random.default_rng(3)
    w = rng.standard_normal((3, 3))
    res = []
    for L in (ember, torch):
        s = L.sparse_coo_tensor(L.tensor(IDX), L.tensor(VAL, dtype=L.float64), (3, 3),
                                requires_grad=True)
        out = (L.sparse.log_softmax if log else L.sparse.softmax)(s, dim)
        (out.to_dense() * L.tensor(w)).sum().backward()
        res.append((out, s.grad))
    (eo, eg), (to, tg) = res
    np.testing.assert_allclose(eo.to_dense().detach().numpy(), to.to_dense().detach().numpy())
    np.testing.assert_allclose(eg.to_dense().numpy(), tg.to_dense().numpy(), atol=1e-12)


def test_save_load_round_trip_with_torch(tmp_path):
    s = ember.sparse_coo_tensor(ember.tensor(IDX), ember.tensor(VAL), (3, 3))
    ember.save({"s": s, "c": s.coalesce()}, tmp_path / "e.pt")
    t = torch.load(tmp_path / "e.pt")                 # torch's weights_only reader
    assert_same_sparse(s, t["s"])
    assert_same_sparse(s.coalesce(), t["c"])
    torch.save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    assert_same_sparse(back["s"], t["s"])
    assert_same_sparse(back["c"], t["c"])
    torch.save(t["s"].to_sparse_csr() if hasattr(t["s"], "to_sparse_csr") else t["s"],
               tmp_path / "csr.pt")
    csr = ember.load(tmp_path / "csr.pt")          # compressed layouts load too
    assert csr.layout is ember.sparse_csr
    np.testing.assert_allclose(csr.to_dense().numpy(), t["s"].to_dense().numpy())
