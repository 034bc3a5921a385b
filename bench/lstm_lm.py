"""A 2-layer LSTM language-model training step (the sequence-models issue's benchmark).

Embedding(10000, 200) -> LSTM(200, 200, num_layers=2) -> Linear(200, 10000), sequence 35,
batch 20, cross-entropy, SGD step; written once against ``lib.nn``.

Where ember's step goes (one thread, OMP_NUM_THREADS=1, load ~1.2-2.5, per step of ~190-285
ms): GEMMs ~77% (the head's three 700x200x10000 products ~45-55 ms each, at torch.mm's
speed on one thread: ``lstm_lm_gemms``), cross-entropy's one exp over 700x10000 ~14 ms
(NumPy's float32 exp, ~2 ns an element), the two LSTM layers' gate math ~6 ms a layer
each way, then bias adds/sums, SGD and the embedding's scatter-add at 0.4-3 ms each.
The head's input gradient used to be a 3-D (35, 20, 10000) @ (10000, 200) product (35
small GEMMs, 80-105 ms); it is one folded GEMM now (backend.matmul).
"""
DESCRIPTION = "2-layer LSTM LM train step, seq 35 batch 20, vocab 10000"
NUMBER = 1


def make(lib):
    nn = lib.nn
    lib.manual_seed(0)
    embed, lstm, head = nn.Embedding(10000, 200), nn.LSTM(200, 200, num_layers=2), nn.Linear(200, 10000)
    params = list(embed.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = lib.optim.SGD(params, lr=1.0)
    x = lib.randint(0, 10000, (35, 20))
    y = lib.randint(0, 10000, (35, 20))

    def run():
        opt.zero_grad()
        out, _ = lstm(embed(x))
        loss = nn.functional.cross_entropy(head(out).reshape(-1, 10000), y.reshape(-1))
        loss.backward()
        opt.step()
    return run
