"""Dynamic int8 quantization for inference: an MLP (784-512-512-10, batch 64) and an LSTM
language model (Embedding 2000x128, 2-layer LSTM 256, Linear to 2000; 35 steps x 16
sequences), both through ``quantize_dynamic(model, {nn.Linear, nn.LSTM}, dtype=qint8)``.

``python -m bench quant_inference`` times the quantized models, ember against torch.
``python bench/quant_inference.py`` prints the whole comparison: serialized state_dict
size float vs quantized, and inference time of float and quantized models in both
libraries.

ember emulates fbgemm's int8 kernels on NumPy: per-call activation quantization, the
int8 product in float32 BLAS (exact while K * 255 * 128 < 2**24, float64 beyond), the
float rescale. That is more work than the float model's single float32 GEMM, so on ember
quantization shrinks the model 4x but does not speed it up.
"""
import io
import time

DESCRIPTION = "dynamic int8 MLP + LSTM LM inference"
NUMBER = 3


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def _lstm_lm(lib):
    nn = lib.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(2000, 128)
            self.rnn = nn.LSTM(128, 256, num_layers=2)
            self.out = nn.Linear(256, 2000)

        def forward(self, tokens):
            y, _ = self.rnn(self.emb(tokens))
            return self.out(y)
    return LM()


def build(lib, quantized=True):
    """(run, models): run() does one MLP forward and one LM forward without grad."""
    lib.manual_seed(0)
    models = [_mlp(lib).eval(), _lstm_lm(lib).eval()]
    if quantized:
        q = lib.ao.quantization
        models = [q.quantize_dynamic(m, {lib.nn.Linear, lib.nn.LSTM}, dtype=lib.qint8)
                  for m in models]
    x = lib.randn(64, 784)
    tokens = lib.randint(0, 2000, (35, 16))

    def run():
        with lib.no_grad():
            for _ in range(NUMBER):
                models[0](x)
                models[1](tokens)
    return run, models


def make(lib):
    return build(lib, quantized=True)[0]


def _size(lib, model):
    buf = io.BytesIO()
    lib.save(model.state_dict(), buf)
    return buf.tell()


def _time(run, repeats=5):
    run()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best / NUMBER


def main():
    import warnings
    warnings.filterwarnings("ignore")
    import ember
    libs = {"ember": ember}
    try:
        import torch
        libs["torch"] = torch
    except ImportError:
        pass
    for name, lib in libs.items():
        run_f, float_models = build(lib, quantized=False)
        run_q, q_models = build(lib, quantized=True)
        sizes = [(_size(lib, f), _size(lib, q)) for f, q in zip(float_models, q_models)]
        tf, tq = _time(run_f), _time(run_q)
        print(f"{name}: MLP state_dict {sizes[0][0] / 1e6:.2f} MB -> {sizes[0][1] / 1e6:.2f} MB "
              f"({sizes[0][0] / sizes[0][1]:.1f}x), LSTM LM {sizes[1][0] / 1e6:.2f} MB -> "
              f"{sizes[1][1] / 1e6:.2f} MB ({sizes[1][0] / sizes[1][1]:.1f}x); "
              f"MLP+LM forward float {tf * 1e3:.1f} ms, int8 {tq * 1e3:.1f} ms")


if __name__ == "__main__":
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
