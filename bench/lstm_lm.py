"""A 2-layer LSTM language-model training step (the sequence-models issue's benchmark).

Embedding(10000, 200) -> LSTM(200, 200, num_layers=2) -> Linear(200, 10000), sequence 35,
batch 20, cross-entropy, SGD step; written once against ``lib.nn``.
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
