"""RNN, LSTM, GRU and their cells against PyTorch on the same weights."""
import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close, copy_state

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
    copy_state(me, mt)
    return me, mt


def _states(h):
    return list(h) if isinstance(h, tuple) else [h]


@needs_torch
@pytest.mark.parametrize("cls,kw", CONFIGS + [("LSTM", {"num_layers": 2, "dropout": 1.0}),
                                              ("GRU", {"num_layers": 3, "dropout": 1.0})])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("train", [False, True])
def test_recurrent_parity(cls, kw, with_h0, train):
    """Outputs, final states and the gradients of input, h0/c0 and every parameter
    against PyTorch on the same weights (float32: rtol 1e-4, atol 1e-5; 1e-4 for weights).
    Dropout between layers is random in train mode, so train mode is compared where it is
    deterministic: no dropout, or dropout=1 (every inter-layer activation zeroed)."""
    if train and 0 < kw.get("dropout", 0) < 1:
        kw = dict(kw, dropout=0.0)
    if not train and kw.get("dropout") == 1.0:
        kw = dict(kw, dropout=0.5)
    me, mt = _pair(cls, kw)
    me.train(train)
    mt.train(train)
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


def _backward_both(outs_e, outs_t, rng):
    """Backward a random weighting of every output through both libraries."""
    loss_e, loss_t = 0, 0
    for a, b in zip(outs_e, outs_t):
        w = rng.standard_normal(tuple(b.shape)).astype(np.float32)
        loss_e = loss_e + (a * ember.tensor(w)).sum()
        loss_t = loss_t + (b * torch.tensor(w)).sum()
    loss_e.backward()
    loss_t.backward()


@needs_torch
@pytest.mark.parametrize("cls,kw", [("LSTM", {"num_layers": 2}), ("GRU", {"num_layers": 2}),
                                    ("RNN", {"num_layers": 2}),
                                    ("LSTM", {"proj_size": 3, "bidirectional": True}),
                                    ("GRU", {"bidirectional": True, "batch_first": True})])
@pytest.mark.parametrize("with_h0", [False, True])
def test_unbatched_input(cls, kw, with_h0):
    """2-D input (L, H_in) with 2-D states: outputs, states and all gradients."""
    me, mt = _pair(cls, kw)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    n = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    sizes = [kw.get("proj_size") or 5] + ([5] if cls == "LSTM" else [])
    hs = [rng.standard_normal((n, size)).astype(np.float32) for size in sizes]
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    he = [ember.tensor(h, requires_grad=True) for h in hs]
    ht = [torch.tensor(h, requires_grad=True) for h in hs]
    args_e = ((tuple(he) if cls == "LSTM" else he[0]),) if with_h0 else ()
    args_t = ((tuple(ht) if cls == "LSTM" else ht[0]),) if with_h0 else ()
    oe, hne = me(xe, *args_e)
    ot, hnt = mt(xt, *args_t)
    outs_e, outs_t = [oe] + _states(hne), [ot] + _states(hnt)
    for a, b in zip(outs_e, outs_t):
        assert tuple(a.shape) == tuple(b.shape)
        assert_close(a, b, rtol=1e-4, atol=1e-5)
    _backward_both(outs_e, outs_t, rng)
    assert_close(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
    for (name, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_close(pe.grad, pt.grad, rtol=1e-4, atol=1e-4, msg=name)
    if with_h0:
        for a, b in zip(he, ht):
            assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("cls,kw", [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}),
                                    ("RNNCell", {"nonlinearity": "relu"}),
                                    ("LSTMCell", {"bias": False}), ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("with_hx", [False, True])
def test_cells(cls, kw, with_hx):
    """One step, batched and unbatched, with and without given states: outputs and the
    gradients of input, states and parameters (float32, rtol 1e-4, atol 1e-5)."""
    me, mt = _pair(cls, kw, size=(3, 4))
    assert repr(me) == repr(mt).replace("torch", "ember")
    assert [(k, tuple(v.shape)) for k, v in me.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in mt.state_dict().items()]
    rng = np.random.default_rng(2)
    for batch in ((2,), ()):
        x = rng.standard_normal(batch + (3,)).astype(np.float32)
        n_states = 2 if cls == "LSTMCell" else 1
        hs = [rng.standard_normal(batch + (4,)).astype(np.float32) for _ in range(n_states)]
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        he = [ember.tensor(h, requires_grad=True) for h in hs]
        ht = [torch.tensor(h, requires_grad=True) for h in hs]
        args_e = ((tuple(he) if n_states == 2 else he[0]),) if with_hx else ()
        args_t = ((tuple(ht) if n_states == 2 else ht[0]),) if with_hx else ()
        me.zero_grad()
        mt.zero_grad()
        ye, yt = _states(me(xe, *args_e)), _states(mt(xt, *args_t))
        for a, b in zip(ye, yt):
            assert tuple(a.shape) == tuple(b.shape)
            assert_close(a, b, rtol=1e-5, atol=1e-6)
        _backward_both(ye, yt, rng)
        assert_close(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
        for (name, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
            assert_close(pe.grad, pt.grad, rtol=1e-4, atol=1e-5, msg=name)
        if with_hx:
            for a, b in zip(he, ht):
                assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("cls,kw", CONFIGS)
def test_state_dict_and_repr(cls, kw):
    me, mt = _pair(cls, kw)
    assert repr(me) == repr(mt).replace("torch", "ember")
    assert [(k, tuple(v.shape)) for k, v in me.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in mt.state_dict().items()]
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert len(me.all_weights) == len(mt.all_weights)


@needs_torch
def test_positional_nonlinearity_and_repr():
    me, mt = ember.nn.RNN(4, 5, 2, "relu"), torch.nn.RNN(4, 5, 2, "relu")
    assert me.nonlinearity == mt.nonlinearity == "relu"
    assert repr(me) == repr(mt).replace("torch", "ember")
    r = ember.nn.RNNCell(4, 5, bias=False, nonlinearity="relu")
    assert repr(r) == repr(torch.nn.RNNCell(4, 5, bias=False, nonlinearity="relu")).replace(
        "torch", "ember")


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


def _error_cases(lib):
    """Bad calls, each made the same way with ember and torch."""
    nn = lib.nn
    z, r = lib.zeros, lib.randn
    lstm, gru = nn.LSTM(4, 5), nn.GRU(4, 5)
    cell = nn.GRUCell(4, 5)
    return [
        lambda: lstm(r(3, 2, 7)),                                   # wrong feature size
        lambda: lstm(r(1, 3, 2, 4)),                                # 4-D input
        lambda: lstm(r(3, 2, 4), (z(1, 3, 5), z(1, 3, 5))),         # h0 batch
        lambda: lstm(r(3, 2, 4), (z(1, 2, 5), z(1, 2, 4))),         # c0 size
        lambda: lstm(r(3, 2, 4), (z(2, 5), z(2, 5))),               # 2-D states, batched
        lambda: lstm(r(3, 4), (z(1, 1, 5), z(1, 1, 5))),            # 3-D states, unbatched
        lambda: gru(r(3, 2, 4), z(2, 2, 5)),                        # wrong layer count
        lambda: gru(r(3, 2, 4), z(2, 5)),
        lambda: gru(r(3, 4), z(1, 2, 5)),
        lambda: nn.LSTMCell(4, 5)(r(2, 3)),                         # cell feature size
        lambda: nn.LSTMCell(4, 5)(r(2, 3, 4)),                      # 3-D cell input
        lambda: cell(r(2, 4), z(3, 5)),                             # cell batch
        lambda: cell(r(2, 4), z(2, 6)),                             # cell hidden size
        lambda: nn.RNNCell(4, 5, nonlinearity="x")(r(2, 4)),
        lambda: nn.RNN(4, 5, nonlinearity="sigmoid"),
        lambda: nn.LSTM(4, 5, proj_size=5),
        lambda: nn.LSTM(4, 5, proj_size=-1),
        lambda: nn.GRU(4, 5, proj_size=2),
        lambda: nn.LSTM(4, 5, dropout=1.5),
        lambda: nn.LSTM(4, 0),
    ]


@needs_torch
def test_errors_match_torch():
    cases_e, cases_t = _error_cases(ember), _error_cases(torch)
    for k, (fe, ft) in enumerate(zip(cases_e, cases_t)):
        with pytest.raises(Exception) as te:
            ft()
        with pytest.raises(Exception) as ee:
            fe()
        assert type(ee.value) is type(te.value), (k, ee.value, te.value)
        if isinstance(te.value, RuntimeError) and "Expected" in str(te.value):
            assert str(ee.value) == str(te.value), k


@needs_torch
def test_packing_errors_match_torch():
    from ember.nn.utils import rnn as er
    import torch.nn.utils.rnn as tr
    for lib, u in ((ember, er), (torch, tr)):
        x = lib.zeros(4, 3, 2)
        with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
            u.pack_padded_sequence(x, [2, 4, 1])
        with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
            u.pack_padded_sequence(x, [4, 2, 0])
        with pytest.raises(RuntimeError, match="to be equal to batch_size"):
            u.pack_padded_sequence(x, [4, 2])
        packed = u.pack_padded_sequence(x, lib.tensor([4, 2, 1]))
        with pytest.raises(ValueError, match="total_length=2 and max sequence length being 4"):
            u.pad_packed_sequence(packed, total_length=2)
        with pytest.raises(RuntimeError, match="empty list of sequences"):
            u.pad_sequence([])
        with pytest.raises(RuntimeError, match="padding_side"):
            u.pad_sequence([lib.zeros(2)], padding_side="up")


PACKED_CONFIGS = [
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2, "bidirectional": True}),
    ("GRU", {"batch_first": True}), ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("RNN", {"bidirectional": True}), ("RNN", {"nonlinearity": "relu", "bias": False}),
]


@needs_torch
@pytest.mark.parametrize("cls,kw", PACKED_CONFIGS)
@pytest.mark.parametrize("enforce_sorted", [False, True])
@pytest.mark.parametrize("with_h0", [False, True])
def test_packed_sequences(cls, kw, enforce_sorted, with_h0):
    """Unequal lengths: packed output, final states (each sequence's true last step) and
    the gradients of input, h0/c0 and every parameter, against PyTorch (float32,
    rtol 1e-4, atol 1e-5)."""
    from ember.nn.utils import rnn as er
    import torch.nn.utils.rnn as tr
    me, mt = _pair(cls, kw, size=(3, 5))
    lens = [6, 5, 3, 2] if enforce_sorted else [3, 6, 2, 5]
    bf = kw.get("batch_first", False)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6, 3) if bf else (6, 4, 3)).astype(np.float32)
    n = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    sizes = [kw.get("proj_size") or 5] + ([5] if cls == "LSTM" else [])
    hs = [rng.standard_normal((n, 4, size)).astype(np.float32) for size in sizes]
    res = []
    for lib, m, u in ((ember, me, er), (torch, mt, tr)):
        xs = lib.tensor(x, requires_grad=True)
        h0 = [lib.tensor(h, requires_grad=True) for h in hs]
        packed = u.pack_padded_sequence(xs, lib.tensor(lens), batch_first=bf,
                                        enforce_sorted=enforce_sorted)
        args = ((tuple(h0) if cls == "LSTM" else h0[0]),) if with_h0 else ()
        out, h = m(packed, *args)
        assert type(out).__name__ == "PackedSequence"
        padded, lengths = u.pad_packed_sequence(out, batch_first=bf, total_length=7)
        states = _states(h)
        (padded.pow(2).sum() + sum((s * s).sum() * (k + 1) for k, s in enumerate(states))).backward()
        res.append(dict(data=packed.data, padded=padded, states=states, xgrad=xs.grad,
                        h0grad=[t.grad for t in h0] if with_h0 else [],
                        pgrad=[p.grad for p in m.parameters()],
                        sizes=packed.batch_sizes.tolist(), lengths=lengths.tolist()))
    e, t = res
    assert e["sizes"] == t["sizes"] and e["lengths"] == t["lengths"]
    for key in ("data", "padded", "xgrad"):
        assert_close(e[key], t[key], rtol=1e-4, atol=1e-5, msg=key)
    for key in ("states", "h0grad", "pgrad"):
        assert len(e[key]) == len(t[key])
        for a, b in zip(e[key], t[key]):
            assert_close(a, b, rtol=1e-4, atol=1e-5, msg=key)


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


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU", "LSTM_PROJ"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("batch_sizes", [None, [3, 2, 2, 1]])
def test_fused_recurrent_layer_gradcheck(mode, reverse, bias, batch_sizes):
    """The whole-sequence Function against finite differences (float64) in every input:
    projected input, W_hh, h0, c0, b_hh and W_hr (seq 4, batch 3, hidden 3, proj 2),
    full batches and packed per-step batch sizes."""
    from ember.ops.rnn import recurrent_layer
    proj = mode == "LSTM_PROJ"
    mode = "LSTM" if proj else mode
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1) * 3
    P = 2 if proj else 3
    ember.manual_seed(3)
    mk = lambda *s: (ember.randn(*s, dtype=ember.float64) * 0.7).requires_grad_()  # noqa: E731
    xw, w, h0 = mk(4, 3, gates), mk(gates, P), mk(3, P)
    if mode == "RNN_RELU":  # keep pre-activations away from the kink at 0
        xw = (xw.detach() + 2.0).requires_grad_()
    c0 = mk(3, 3) if mode == "LSTM" else None
    b = mk(gates) if bias else None
    w_hr = mk(2, 3) if proj else None
    ins = [t for t in (xw, w, h0, c0, b, w_hr) if t is not None]

    def fn(*args):
        it = iter(args)
        a_xw, a_w, a_h0 = next(it), next(it), next(it)
        a_c0 = next(it) if c0 is not None else None
        a_b = next(it) if b is not None else None
        a_hr = next(it) if w_hr is not None else None
        return recurrent_layer(a_xw, a_w, a_h0, a_c0, a_b, mode=mode, reverse=reverse,
                               w_hr=a_hr, batch_sizes=batch_sizes)
    assert ember.autograd.gradcheck(fn, tuple(ins))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("batch_sizes", [None, [3, 2, 2, 1]])
def test_fused_lstm_second_backward_matches_first(reverse, batch_sizes):
    """The first backward scales the factors forward saved in place; a second backward
    through the same graph (retain_graph) computes them again and gets the same grads."""
    from ember.ops.rnn import recurrent_layer
    ember.manual_seed(5)
    mk = lambda *s: (ember.randn(*s) * 0.7).requires_grad_()  # noqa: E731
    ins = [mk(4, 3, 12), mk(12, 3), mk(3, 3), mk(3, 3), mk(12)]
    out, h, c = recurrent_layer(*ins, mode="LSTM", reverse=reverse, batch_sizes=batch_sizes)
    loss = (out * out).sum() + (h * c).sum()
    first = ember.autograd.grad(loss, ins, retain_graph=True)
    second = ember.autograd.grad(loss, ins)
    for a, b in zip(first, second):
        assert_close(a, b, rtol=1e-6, atol=1e-7)
        assert float(a.abs().sum()) > 0


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


@needs_torch
def test_packed_sequence_object():
    from ember.nn.utils import rnn as er
    import torch.nn.utils.rnn as tr
    x = np.random.default_rng(6).standard_normal((4, 3, 2)).astype(np.float32)
    pe = er.pack_padded_sequence(ember.tensor(x), ember.tensor([2, 4, 1]), enforce_sorted=False)
    pt = tr.pack_padded_sequence(torch.tensor(x), torch.tensor([2, 4, 1]), enforce_sorted=False)
    assert pe._fields == pt._fields
    data, batch_sizes, sorted_indices, unsorted_indices = pe      # unpacks like a tuple
    assert_close(data, pt.data)
    assert batch_sizes.tolist() == pt.batch_sizes.tolist()
    assert sorted_indices.dtype == ember.int64 and unsorted_indices.dtype == ember.int64
    assert unsorted_indices.tolist() == pt.unsorted_indices.tolist()
    d = pe.double()
    assert d.data.dtype == ember.float64 and d.batch_sizes is pe.batch_sizes
    assert pe.to(ember.float32) is pe and not pe.is_cuda
    # lengths as a list or a tensor, batch_first, padding_value
    pb = er.pack_padded_sequence(ember.tensor(x).transpose(0, 1), [2, 4, 1], batch_first=True,
                                 enforce_sorted=False)
    assert_close(pb.data, pt.data)
    pe_out, le = er.pad_packed_sequence(pe, batch_first=True, padding_value=-2.0)
    pt_out, lt = tr.pad_packed_sequence(pt, batch_first=True, padding_value=-2.0)
    assert_close(pe_out, pt_out)
    assert le.tolist() == lt.tolist() and le.dtype == ember.int64


def test_packed_dropout_in_train_mode():
    from ember.nn.utils import rnn as er
    ember.manual_seed(1)
    m = ember.nn.GRU(3, 8, num_layers=2, dropout=0.5)
    packed = er.pack_sequence([ember.randn(5, 3), ember.randn(3, 3)])
    a = m(packed)[0].data
    b = m(packed)[0].data
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    assert np.allclose(m(packed)[0].data.detach().numpy(), m(packed)[0].data.detach().numpy())
