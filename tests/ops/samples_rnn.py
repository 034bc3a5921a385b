"""Table entries for ember.ops.rnn through the torch.* recurrent functions: the cells
(rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell; with and without biases; batched:
the aten cells take 2-D input only) and the whole-sequence functions (lstm, gru, rnn_tanh, rnn_relu; one and two
layers, bidirectional, batch_first). The fused sequence path is once-differentiable (as
PyTorch's cuDNN path): those entries have gradgrad off. Module behaviour (nn.LSTM and
friends: packing, state dicts, errors) stays in tests/nn/test_rnn.py.
"""
from ops.table import OpSample

_CELL = dict(atol=1e-4, rtol=1e-4)
_SEQ = dict(atol=1e-4, rtol=1e-4, gradgrad=False)

SAMPLES = [
    OpSample("torch_rnn_cells", lambda t, x, h, c, wi, wh, bi, bh: (
        t.lstm_cell(x, (h, c), wi, wh, bi, bh),
        t.gru_cell(x, h, wi[:9], wh[:9], bi[:9], bh[:9]),
        t.rnn_tanh_cell(x, h, wi[:3], wh[:3]), t.rnn_relu_cell(x, h, wi[:3], wh[:3], bi[:3])),
             [[(2, 4), (2, 3), (2, 3), (12, 4), (12, 3), (12,), (12,)]], atol=1e-4),
    OpSample("torch_lstm", lambda t, x, h, c, wi, wh, bi, bh, wi2, wh2, bi2, bh2: t.lstm(
        x, (h, c), (wi, wh, bi, bh, wi2, wh2, bi2, bh2), True, 1, 0.0, False, True, False),
             [[(5, 2, 4), (2, 2, 3), (2, 2, 3), (12, 4), (12, 3), (12,), (12,), (12, 4),
               (12, 3), (12,), (12,)]], atol=1e-4, gradgrad=False),
    OpSample("torch_gru_rnn", lambda t, x, h, wi, wh, wi2, wh2: (
        t.gru(x, h, (wi, wh), False, 1, 0.0, False, False, True),
        t.rnn_tanh(x, h[:, :, :3].contiguous(), (wi2, wh2), False, 1, 0.0, False, False, True),
        t.rnn_relu(x, h[:, :, :3].contiguous(), (wi2, wh2), False, 1, 0.0, False, False, True)),
             [[(2, 5, 4), (1, 2, 3), (9, 4), (9, 3), (3, 4), (3, 3)]], atol=1e-4, gradgrad=False,
             noncontig=False),
    OpSample("rnn_tanh_cell", lambda t, x, h, wi, wh, bi, bh: t.rnn_tanh_cell(x, h, wi, wh, bi, bh),
             [[(2, 4), (2, 3), (3, 4), (3, 3), (3,), (3,)]], **_CELL),
    OpSample("rnn_relu_cell", lambda t, x, h, wi, wh: t.rnn_relu_cell(x, h, wi, wh),
             [[(2, 4), (2, 3), (3, 4), (3, 3)]], **_CELL),
    OpSample("lstm_cell", lambda t, x, h, c, wi, wh, bi, bh: t.lstm_cell(x, (h, c), wi, wh, bi, bh),
             [[(2, 4), (2, 3), (2, 3), (12, 4), (12, 3), (12,), (12,)]], **_CELL),
    OpSample("lstm_cell_no_bias", lambda t, x, h, c, wi, wh: t.lstm_cell(x, (h, c), wi, wh),
             [[(2, 4), (2, 3), (2, 3), (12, 4), (12, 3)]], **_CELL),
    OpSample("gru_cell", lambda t, x, h, wi, wh, bi, bh: t.gru_cell(x, h, wi, wh, bi, bh),
             [[(2, 4), (2, 3), (9, 4), (9, 3), (9,), (9,)]], **_CELL),
    OpSample("gru_cell_no_bias", lambda t, x, h, wi, wh: t.gru_cell(x, h, wi, wh),
             [[(2, 4), (2, 3), (9, 4), (9, 3)]], **_CELL),
    OpSample("lstm_two_layers", lambda t, x, h, c, *w: t.lstm(
        x, (h, c), w, False, 2, 0.0, False, False, False),
             [[(4, 2, 3), (2, 2, 3), (2, 2, 3), (12, 3), (12, 3), (12, 3), (12, 3)]], **_SEQ,
             noncontig=False),
    OpSample("gru_bidirectional_batch_first", lambda t, x, h, *w: t.gru(
        x, h, w, True, 1, 0.0, False, True, True),
             [[(2, 4, 3), (2, 2, 3), (9, 3), (9, 3), (9,), (9,), (9, 3), (9, 3), (9,), (9,)]],
             **_SEQ, noncontig=False),
    OpSample("rnn_tanh_bidirectional", lambda t, x, h, *w: t.rnn_tanh(
        x, h, w, True, 1, 0.0, False, True, False),
             [[(4, 2, 3), (2, 2, 3), (3, 3), (3, 3), (3,), (3,), (3, 3), (3, 3), (3,), (3,)]],
             **_SEQ, noncontig=False),
]
