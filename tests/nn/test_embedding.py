"""Embedding, EmbeddingBag and one_hot: parity with PyTorch on the same weights for every
option (outputs, weight gradients, in-place max_norm renormalisation), init, from_pretrained,
repr/state_dict, errors, gradcheck of the fused backward (and double backward)."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from helpers import torch, needs_torch, assert_close

RTOL, ATOL = 1e-5, 1e-6


def _w(shape=(7, 3), seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _pair(a, grad=True):
    e = ember.from_numpy(a.copy())
    t = torch.from_numpy(a.copy()) if torch is not None else None
    if grad and a.dtype.kind == "f":
        e.requires_grad_()
        if t is not None:
            t.requires_grad_()
    return e, t


def _raises_like(fn_e, fn_t, exc, same_message=True):
    with pytest.raises(exc) as theirs:
        fn_t()
    with pytest.raises(exc) as ours:
        fn_e()
    if same_message:
        assert str(ours.value) == str(theirs.value).replace("torch.", "ember.")


def _backward_both(ye, yt, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(
        str(yt.dtype).split(".")[-1])
    ye.backward(ember.from_numpy(g.copy()))
    yt.backward(torch.from_numpy(g.copy()))


# ---------------------------------------------------------------------------------------
# Embedding

_IDX = [np.array([[1, 2, 4, 1], [5, 4, 1, 0]]), np.array([3, 3, 3]), np.array(2),
        np.array([[0, 6], [6, 0]], dtype=np.int32), np.zeros((0,), np.int64)]
_EMB_OPTIONS = [dict(), dict(padding_idx=1), dict(padding_idx=-1), dict(scale_grad_by_freq=True),
                dict(padding_idx=4, scale_grad_by_freq=True), dict(sparse=True)]


@needs_torch
@pytest.mark.parametrize("idx", _IDX, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("opts", _EMB_OPTIONS, ids=str)
def test_embedding_parity(idx, opts):
    m_t = torch.nn.Embedding(7, 3, **opts)
    m_e = nn.Embedding(7, 3, **opts)
    m_e.load_state_dict({"weight": ember.tensor(m_t.weight.detach().numpy())})
    ie, it = ember.from_numpy(idx), torch.from_numpy(idx)
    ye, yt = m_e(ie), m_t(it)
    assert_close(ye, yt, RTOL, ATOL)
    _backward_both(ye, yt)
    if opts.get("sparse"):     # a sparse COO gradient, one entry per index, as torch's
        assert m_e.weight.grad.is_sparse and m_t.weight.grad.is_sparse
        assert m_e.weight.grad._nnz() == m_t.weight.grad._nnz()
        np.testing.assert_array_equal(m_e.weight.grad._indices().numpy(),
                                      m_t.weight.grad._indices().numpy())
        assert_close(m_e.weight.grad.to_dense(), m_t.weight.grad.to_dense(), RTOL, ATOL)
    else:
        assert_close(m_e.weight.grad, m_t.weight.grad, RTOL, ATOL)
    if "padding_idx" in opts:
        assert (m_e.weight.grad.numpy()[m_e.padding_idx] == 0).all()
    assert ye.grad_fn.name() == yt.grad_fn.name() == "EmbeddingBackward0"


@needs_torch
@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (1.5, 3.0),
                                                (0.3, float("inf"))])
def test_embedding_max_norm_renormalizes_weight_in_place(max_norm, norm_type):
    w = _w() * 2
    idx = np.array([[1, 2, 1], [6, 0, 2]])
    we, wt = _pair(w)
    ye = F.embedding(ember.from_numpy(idx), we, max_norm=max_norm, norm_type=norm_type)
    yt = torch.nn.functional.embedding(torch.from_numpy(idx), wt, max_norm=max_norm,
                                       norm_type=norm_type)
    assert_close(ye, yt, RTOL, ATOL)
    assert_close(we.detach(), wt.detach(), RTOL, ATOL)       # rows 0, 1, 2, 6 renormalized
    np.testing.assert_array_equal(we.detach().numpy()[3:6], w[3:6])   # unused rows untouched
    _backward_both(ye, yt)
    assert_close(we.grad, wt.grad, RTOL, ATOL)
    m_e = nn.Embedding(7, 3, max_norm=max_norm, norm_type=norm_type)
    m_t = torch.nn.Embedding(7, 3, max_norm=max_norm, norm_type=norm_type)
    m_e.load_state_dict({"weight": ember.tensor(m_t.weight.detach().numpy())})
    m_e(ember.from_numpy(idx))
    m_t(torch.from_numpy(idx))
    assert_close(m_e.weight.detach(), m_t.weight.detach(), RTOL, ATOL)


def test_embedding_init_padding_row_zero_and_normal():
    ember.manual_seed(0)
    m = nn.Embedding(2000, 50, padding_idx=3)
    w = m.weight.detach().numpy()
    assert (w[3] == 0).all()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
    assert m.weight.requires_grad and m.weight.dtype == ember.float32
    assert m.padding_idx == 3
    assert nn.Embedding(10, 2, padding_idx=-2).padding_idx == 8


@needs_torch
@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=0), dict(max_norm=1.0),
                                dict(padding_idx=0, max_norm=1.0, norm_type=1.0,
                                     scale_grad_by_freq=True, sparse=True),
                                dict(norm_type=2)])
def test_embedding_repr_and_state_dict(kw):
    m_e, m_t = nn.Embedding(10, 3, **kw), torch.nn.Embedding(10, 3, **kw)
    assert repr(m_e) == repr(m_t)
    assert list(m_e.state_dict()) == list(m_t.state_dict()) == ["weight"]
    assert tuple(m_e.state_dict()["weight"].shape) == (10, 3)


def test_embedding_from_pretrained():
    w = ember.from_numpy(_w())
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    assert m.weight.data_ptr() == w.data_ptr()          # shares memory, as PyTorch
    out = m(ember.tensor([1, 2]))
    np.testing.assert_array_equal(out.numpy(), w.numpy()[[1, 2]])
    m2 = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert m2.weight.requires_grad and m2.padding_idx == 1
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be "
                                             "2-dimensional"):
        nn.Embedding.from_pretrained(ember.zeros(3))
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(5, 3, _weight=ember.zeros(4, 3))


@needs_torch
def test_embedding_errors():
    w = _w((5, 3))
    we, wt = ember.from_numpy(w), torch.from_numpy(w)
    for idx in ([5], [-1]):
        _raises_like(lambda: F.embedding(ember.tensor(idx), we),
                     lambda: torch.nn.functional.embedding(torch.tensor(idx), wt), IndexError)
    _raises_like(lambda: F.embedding(ember.tensor([1.0]), we),
                 lambda: torch.nn.functional.embedding(torch.tensor([1.0]), wt), RuntimeError)
    _raises_like(lambda: F.embedding(ember.tensor([1], dtype=ember.int16), we),
                 lambda: torch.nn.functional.embedding(torch.tensor([1], dtype=torch.int16), wt),
                 RuntimeError)
    _raises_like(lambda: F.embedding(ember.tensor([1]), ember.zeros(5)),
                 lambda: torch.nn.functional.embedding(torch.tensor([1]), torch.zeros(5)),
                 RuntimeError)
    for pad in (5, -6):
        _raises_like(lambda: F.embedding(ember.tensor([1]), we, padding_idx=pad),
                     lambda: torch.nn.functional.embedding(torch.tensor([1]), wt,
                                                           padding_idx=pad), AssertionError)
        _raises_like(lambda: nn.Embedding(5, 3, padding_idx=pad),
                     lambda: torch.nn.Embedding(5, 3, padding_idx=pad), AssertionError)


@needs_torch
@pytest.mark.parametrize("opts", [dict(), dict(padding_idx=2)], ids=str)
def test_embedding_double_backward_matches_torch(opts):
    w = _w().astype(np.float64)
    idx = np.array([[1, 2, 1], [6, 0, 2]])
    res = []
    for lib, fn, grad in ((ember, F.embedding, ember.autograd.grad),
                          (torch, torch.nn.functional.embedding, torch.autograd.grad)):
        wl = lib.from_numpy(w.copy()).requires_grad_()
        y = fn(lib.from_numpy(idx), wl, **opts)
        gw, = grad((y ** 3).sum(), wl, create_graph=True)
        (gw * gw).sum().backward()
        res.append((gw, wl.grad))
    for a, b in zip(*res):
        assert_close(a, b, 1e-10, 1e-10)


# ---------------------------------------------------------------------------------------
# one_hot

@needs_torch
@pytest.mark.parametrize("values,num_classes", [([1, 2, 0], -1), ([[1, 0], [3, 3]], 5),
                                                (2, 3), ([], 3)])
def test_one_hot_parity(values, num_classes):
    ye = F.one_hot(ember.tensor(values, dtype=ember.int64), num_classes)
    yt = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), num_classes)
    assert_close(ye, yt)
    assert ye.dtype == ember.int64


@needs_torch
@pytest.mark.parametrize("values,num_classes,dtype", [([1, 2], 2, "int64"), ([-1, 2], -1, "int64"),
                                                      ([1, 2], -1, "int32"),
                                                      ([1.0, 2.0], -1, "float32"),
                                                      ([], -1, "int64"), ([1], 0, "int64"),
                                                      ([1], -2, "int64")])
def test_one_hot_errors(values, num_classes, dtype):
    _raises_like(lambda: F.one_hot(ember.tensor(values, dtype=getattr(ember, dtype)),
                                   num_classes),
                 lambda: torch.nn.functional.one_hot(torch.tensor(values,
                                                                  dtype=getattr(torch, dtype)),
                                                     num_classes), RuntimeError)


# ---------------------------------------------------------------------------------------
# EmbeddingBag

_INP = np.array([1, 2, 4, 5, 4, 3, 2, 0])


@needs_torch
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets,last", [([0, 2, 2, 4], False), ([0, 3], False),
                                          ([0, 2, 2, 4, 8], True), ([0], False)])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_parity(mode, offsets, last, padding_idx):
    m_t = torch.nn.EmbeddingBag(7, 3, mode=mode, include_last_offset=last,
                                padding_idx=padding_idx)
    m_e = nn.EmbeddingBag(7, 3, mode=mode, include_last_offset=last, padding_idx=padding_idx)
    m_e.load_state_dict({"weight": ember.tensor(m_t.weight.detach().numpy())})
    assert repr(m_e) == repr(m_t)
    off = np.array(offsets)
    ye = m_e(ember.from_numpy(_INP), ember.from_numpy(off))
    yt = m_t(torch.from_numpy(_INP), torch.from_numpy(off))
    assert_close(ye, yt, RTOL, ATOL)
    _backward_both(ye, yt)
    assert_close(m_e.weight.grad, m_t.weight.grad, RTOL, ATOL)


@needs_torch
@pytest.mark.parametrize("mode", ["sum", "max"])
def test_embedding_bag_include_last_offset_short_of_input(mode):
    """offsets[-1] < len(input) with include_last_offset: the entries after it belong to
    no bag, as documented (PyTorch's float32 sum kernel agrees; its float64, mean and max
    kernels put them in the last bag or count them)."""
    w = _w()
    off = np.array([0, 2, 2, 4, 7])
    we, wt = _pair(w)
    ye = F.embedding_bag(ember.from_numpy(_INP), we, ember.from_numpy(off), mode=mode,
                         include_last_offset=True)
    yt = torch.nn.functional.embedding_bag(torch.from_numpy(_INP), wt, torch.from_numpy(off),
                                           mode=mode, include_last_offset=True)
    if mode == "sum":
        assert_close(ye, yt, RTOL, ATOL)
    expected_last = w[_INP[4:7]].sum(0) if mode == "sum" else w[_INP[4:7]].max(0)
    np.testing.assert_allclose(ye.detach().numpy()[3], expected_last, rtol=1e-6)
    ym = F.embedding_bag(ember.from_numpy(_INP), we, ember.from_numpy(off), mode="mean",
                         include_last_offset=True)
    np.testing.assert_allclose(ym.detach().numpy()[3], w[_INP[4:7]].mean(0), rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input(mode):
    idx = np.array([[1, 2, 4], [5, 4, 3]])
    w = _w()
    we, wt = _pair(w)
    ye = F.embedding_bag(ember.from_numpy(idx), we, mode=mode)
    yt = torch.nn.functional.embedding_bag(torch.from_numpy(idx), wt, mode=mode)
    assert_close(ye, yt, RTOL, ATOL)
    _backward_both(ye, yt)
    assert_close(we.grad, wt.grad, RTOL, ATOL)


@needs_torch
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_per_sample_weights(padding_idx):
    w = _w()
    psw = _w((8,), 3)
    (we, wt), (pe, pt) = _pair(w), _pair(psw)
    off = np.array([0, 2, 2, 4])
    ye = F.embedding_bag(ember.from_numpy(_INP), we, ember.from_numpy(off), mode="sum",
                         per_sample_weights=pe, padding_idx=padding_idx)
    yt = torch.nn.functional.embedding_bag(torch.from_numpy(_INP), wt, torch.from_numpy(off),
                                           mode="sum", per_sample_weights=pt,
                                           padding_idx=padding_idx)
    assert_close(ye, yt, RTOL, ATOL)
    _backward_both(ye, yt)
    assert_close(we.grad, wt.grad, RTOL, ATOL)
    assert_close(pe.grad, pt.grad, RTOL, ATOL)


@needs_torch
def test_embedding_bag_max_norm():
    w = _w() * 3
    we, wt = _pair(w)
    off = np.array([0, 3])
    ye = F.embedding_bag(ember.from_numpy(_INP), we, ember.from_numpy(off), max_norm=1.0)
    yt = torch.nn.functional.embedding_bag(torch.from_numpy(_INP), wt, torch.from_numpy(off),
                                           max_norm=1.0)
    assert_close(ye, yt, RTOL, ATOL)
    assert_close(we.detach(), wt.detach(), RTOL, ATOL)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq(mode):
    """Each index's gradient is divided by its frequency in the batch (the documented
    behaviour; PyTorch's CPU kernel maps the counts to the wrong indices)."""
    w = ember.from_numpy(_w()).requires_grad_()
    off = np.array([0, 2, 2, 4])
    F.embedding_bag(ember.from_numpy(_INP), w, ember.from_numpy(off), mode=mode,
                    scale_grad_by_freq=True).sum().backward()
    plain = ember.from_numpy(_w()).requires_grad_()
    F.embedding_bag(ember.from_numpy(_INP), plain, ember.from_numpy(off), mode=mode).sum() \
        .backward()
    counts = np.bincount(_INP, minlength=7)
    expected = plain.grad.numpy() / np.maximum(counts, 1)[:, None]
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)


@needs_torch
def test_embedding_bag_errors():
    w = _w()
    we, wt = ember.from_numpy(w), torch.from_numpy(w)
    ie, it = ember.from_numpy(_INP), torch.from_numpy(_INP)
    tf = torch.nn.functional
    cases = [
        (lambda: F.embedding_bag(ie, we), lambda: tf.embedding_bag(it, wt), ValueError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([[0]])),
         lambda: tf.embedding_bag(it, wt, torch.tensor([[0]])), ValueError),
        (lambda: F.embedding_bag(ie.view(2, 4), we, ember.tensor([0])),
         lambda: tf.embedding_bag(it.view(2, 4), wt, torch.tensor([0])), (ValueError,)),
        (lambda: F.embedding_bag(ie.view(2, 2, 2), we),
         lambda: tf.embedding_bag(it.view(2, 2, 2), wt), ValueError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([0]), mode="min"),
         lambda: tf.embedding_bag(it, wt, torch.tensor([0]), mode="min"), ValueError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([0]), mode="max", scale_grad_by_freq=True),
         lambda: tf.embedding_bag(it, wt, torch.tensor([0]), mode="max",
                                  scale_grad_by_freq=True), ValueError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([0]), mode="mean",
                                 per_sample_weights=ember.ones(8)),
         lambda: tf.embedding_bag(it, wt, torch.tensor([0]), mode="mean",
                                  per_sample_weights=torch.ones(8)), NotImplementedError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([0]), per_sample_weights=ember.ones(3)),
         lambda: tf.embedding_bag(it, wt, torch.tensor([0]), per_sample_weights=torch.ones(3)),
         ValueError),
        (lambda: F.embedding_bag(ie, ember.zeros(7), ember.tensor([0])),
         lambda: tf.embedding_bag(it, torch.zeros(7), torch.tensor([0])), ValueError),
        (lambda: F.embedding_bag(ie, we, ember.tensor([1, 2])),
         lambda: tf.embedding_bag(it, wt, torch.tensor([1, 2])), (RuntimeError,)),
        (lambda: F.embedding_bag(ie, we, ember.tensor([0, 9])),
         lambda: tf.embedding_bag(it, wt, torch.tensor([0, 9])), RuntimeError),
        (lambda: F.embedding_bag(ember.tensor([7]), we, ember.tensor([0])),
         lambda: tf.embedding_bag(torch.tensor([7]), wt, torch.tensor([0])), RuntimeError),
    ]
    for fe, ft, exc in cases:
        # (a 1-tuple: the same type; the message differs in a Python type name / debug dump)
        _raises_like(fe, ft, exc[0] if isinstance(exc, tuple) else exc,
                     same_message=not isinstance(exc, tuple))


def test_embedding_bag_empty_and_repr():
    m = nn.EmbeddingBag(5, 2, mode="max")
    out = m(ember.tensor([], dtype=ember.int64), ember.tensor([0, 0]))
    assert tuple(out.shape) == (2, 2) and (out.detach().numpy() == 0).all()
    assert repr(m) == "EmbeddingBag(5, 2, mode='max')"
    bag = nn.EmbeddingBag.from_pretrained(ember.from_numpy(_w()), mode="sum")
    assert not bag.weight.requires_grad and bag.mode == "sum"
