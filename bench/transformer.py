"""A 2-layer Transformer encoder training step (the sequence-models issue's benchmark).

d_model 128, 4 heads, feed-forward 512, sequence 64, batch 16, batch_first; MSE to a
random target and an SGD step; written once against ``lib.nn``.
"""
import warnings

DESCRIPTION = "2-layer TransformerEncoder train step, d128 h4 seq64 batch16"
NUMBER = 3


def make(lib):
    nn = lib.nn
    lib.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: nested-tensor fast path notice
        model = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, batch_first=True), 2,
            enable_nested_tensor=False)
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.randn(16, 64, 128)
    y = lib.randn(16, 64, 128)

    def run():
        for _ in range(NUMBER):
            opt.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            opt.step()
    return run
