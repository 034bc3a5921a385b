"""RNN, LSTM, GRU and their cells against PyTorch on the same weights."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close

CONFIGS = [
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}), ("LSTM", {"num_layers": 2, "dropout": 0.3}),
    ("LSTM", {"proj_size": 3}), ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}),
    ("GRU", {}), ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "bias": False}),
]


def _pair(cls, kw, size=(4, 5)):
    mt = getattr(torch.nn, cls)(*size, **kw)
    me = getattr(ember.nn, cls)(*size, **kw)
    me.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
    return me, mt


def _states(h):
    return list(h) if isinstance(h, tuple) else [h]


@needs_torch
@pytest.mark.parametrize("cls,kw", CONFIGS)
@pytest.mark.parametrize("with_h0", [False, True])
def test_recurrent_parity(cls, kw, with_h0):
    me, mt = _pair(cls, kw)
    me.eval()
    mt.eval()  # dropout between layers is off in eval mode
    assert repr(me) == repr(mt).replace("torch", "ember")
    assert list(me.state_dict()) == list(mt.state_dict())
    rng = np.random.default_rng(0)
    shape = (3, 6, 4) if kw.get("batch_first") else (6, 3, 4)
    x = rng.standard_normal(shape).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    args_e, args_t = [], []
    if with_h0:
        n = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
        sizes = [kw.get("proj_size") or 5] + ([5] if cls == "LSTM" else [])
        hs = [rng.standard_normal((n, 3, size)).astype(np.float32) for size in sizes]
        he = [ember.tensor(h, requires_grad=True) for h in hs]
        ht = [torch.tensor(h, requires_grad=True) for h in hs]
        args_e.append(tuple(he) if cls == "LSTM" else he[0])
        args_t.append(tuple(ht) if cls == "LSTM" else ht[0])
    oe, hne = me(xe, *args_e)
    ot, hnt = mt(xt, *args_t)
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    for a, b in zip(_states(hne), _states(hnt)):
        assert_close(a, b, rtol=1e-4, atol=1e-5)
    w = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    loss_e = (oe * ember.tensor(w)).sum() + sum(s.sum() for s in _states(hne))
    loss_t = (ot * torch.tensor(w)).sum() + sum(s.sum() for s in _states(hnt))
    loss_e.backward()
    loss_t.backward()
    assert_close(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
    for (name, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_close(pe.grad, pt.grad, rtol=1e-4, atol=1e-4, msg=name)
    if with_h0:
        for a, b in zip(he, ht):
            assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_unbatched_input(cls):
    me, mt = _pair(cls, {"num_layers": 2})
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    oe, he = me(ember.tensor(x))
    ot, ht = mt(torch.tensor(x))
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    for a, b in zip(_states(he), _states(ht)):
        assert_close(a, b, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("cls,kw", [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}),
                                    ("RNNCell", {"nonlinearity": "relu"}),
                                    ("LSTMCell", {"bias": False})])
def test_cells(cls, kw):
    me, mt = _pair(cls, kw, size=(3, 4))
    assert repr(me) == repr(mt).replace("torch", "ember")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = me(xe), mt(xt)
    for a, b in zip(_states(ye), _states(yt)):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    sum(s.sum() for s in _states(ye)).backward()
    sum(s.sum() for s in _states(yt)).backward()
    assert_close(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
    ue = me(ember.tensor(x[0]))
    ut = mt(torch.tensor(x[0]))
    for a, b in zip(_states(ue), _states(ut)):
        assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_default_init_and_dropout_in_train():
    ember.manual_seed(0)
    m = ember.nn.LSTM(8, 100, num_layers=2, dropout=0.5)
    bound = 1 / np.sqrt(100)
    w = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    x = ember.randn(4, 2, 8)
    a, _ = m(x)
    b, _ = m(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())  # dropout active
    m.eval()
    c, _ = m(x)
    d, _ = m(x)
    assert np.allclose(c.detach().numpy(), d.detach().numpy())


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_gradcheck_tiny(cls):
    m = getattr(ember.nn, cls)(2, 3, bidirectional=True).double()
    x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: m(x)[0], (x,))


def test_errors():
    m = ember.nn.LSTM(4, 5)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        m(ember.randn(3, 2, 7))
    with pytest.raises(ValueError):
        m(ember.randn(1, 3, 2, 4))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        m(ember.randn(3, 2, 4), (ember.zeros(1, 3, 5), ember.zeros(1, 3, 5)))
    with pytest.raises(ValueError):
        ember.nn.RNN(4, 5, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size has to be smaller"):
        ember.nn.LSTM(4, 5, proj_size=5)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        ember.nn.GRU(4, 5, proj_size=2)


@needs_torch
@pytest.mark.parametrize("cls,kw", [("LSTM", {"num_layers": 2, "bidirectional": True}),
                                    ("GRU", {"batch_first": True}), ("RNN", {"bidirectional": True})])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_packed_sequences(cls, kw, enforce_sorted):
    from ember.nn.utils import rnn as er
    import torch.nn.utils.rnn as tr
    me, mt = _pair(cls, kw, size=(3, 5))
    lens = [6, 5, 3, 2] if enforce_sorted else [3, 6, 2, 5]
    bf = kw.get("batch_first", False)
    x = np.random.default_rng(4).standard_normal((4, 6, 3) if bf else (6, 4, 3)).astype(np.float32)
    res = []
    for lib, m, u in ((ember, me, er), (torch, mt, tr)):
        xs = lib.tensor(x, requires_grad=True)
        packed = u.pack_padded_sequence(xs, lib.tensor(lens), batch_first=bf,
                                        enforce_sorted=enforce_sorted)
        out, h = m(packed)
        padded, lengths = u.pad_packed_sequence(out, batch_first=bf, total_length=7)
        h_n = h[0] if isinstance(h, tuple) else h
        (padded.pow(2).sum() + h_n.sum()).backward()
        res.append((packed.data, packed.batch_sizes, padded, lengths, h_n, xs.grad,
                    [p.grad for p in m.parameters()]))
    e, t = res
    assert e[1].tolist() == t[1].tolist() and e[3].tolist() == t[3].tolist()
    for a, b in zip(e[:1] + e[2:3] + e[4:6] + tuple(e[6]), t[:1] + t[2:3] + t[4:6] + tuple(t[6])):
        assert_close(a, b, rtol=1e-4, atol=1e-5)


@needs_torch
def test_pad_and_pack_sequence_helpers():
    from ember.nn.utils import rnn as er
    import torch.nn.utils.rnn as tr
    rng = np.random.default_rng(5)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (4, 2, 3)]
    for kw in ({}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}):
        assert_close(er.pad_sequence([ember.tensor(s) for s in seqs], **kw),
                     tr.pad_sequence([torch.tensor(s) for s in seqs], **kw))
    pe = er.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    pt = tr.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    assert_close(pe.data, pt.data)
    assert pe.sorted_indices.tolist() == pt.sorted_indices.tolist()
    assert pe.unsorted_indices.tolist() == pt.unsorted_indices.tolist()
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        er.pack_padded_sequence(ember.zeros(4, 3, 2), [2, 4, 1])
    back = er.unpack_sequence(pe)
    assert [b.shape[0] for b in back] == [4, 2, 3]


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_fused_recurrent_layer_gradcheck(mode, reverse, bias):
    """The whole-sequence Function against finite differences in every input: projected
    input, W_hh, h0, c0 and b_hh (seq 3, batch 2, hidden 3)."""
    from ember.ops.rnn import recurrent_layer
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1) * 3
    ember.manual_seed(3)
    mk = lambda *s: (ember.randn(*s, dtype=ember.float64) * 0.7).requires_grad_()  # noqa: E731
    xw, w, h0 = mk(3, 2, gates), mk(gates, 3), mk(2, 3)
    if mode == "RNN_RELU":  # keep pre-activations away from the kink at 0
        xw = (xw.detach() + 2.0).requires_grad_()
    c0 = mk(2, 3) if mode == "LSTM" else None
    b = mk(gates) if bias else None
    ins = [t for t in (xw, w, h0, c0, b) if t is not None]

    def fn(*args):
        it = iter(args)
        a_xw, a_w, a_h0 = next(it), next(it), next(it)
        a_c0 = next(it) if c0 is not None else None
        a_b = next(it) if b is not None else None
        return recurrent_layer(a_xw, a_w, a_h0, a_c0, a_b, mode=mode, reverse=reverse)
    assert ember.autograd.gradcheck(fn, tuple(ins))


def test_fused_path_is_one_node_per_layer_and_direction():
    m = ember.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    out, (h, c) = m(ember.randn(5, 2, 3, requires_grad=True))
    names, seen, stack_ = [], set(), [out.grad_fn]
    while stack_:
        node = stack_.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name())
        stack_.extend(n for n, _ in node.next_functions)
    assert names.count("RecurrentLayerBackward0") == 4   # 2 layers x 2 directions
    assert len(names) < 40                                # no per-step nodes


def test_fused_double_backward_raises():
    m = ember.nn.GRU(3, 4)
    x = ember.randn(5, 2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g, = ember.autograd.grad(m(x)[0].sum(), x, create_graph=True)
        g.sum().backward()
