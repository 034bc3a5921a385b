"""ember against PyTorch on the same GPU: ``python -m bench.gpu_bench [--repeats N]``.

The two training steps of bench/resnet18.py (ResNet-18, CIFAR layout, batch 16, SGD with
momentum; its ``build(lib)``) and bench/lstm_lm.py (2-layer LSTM LM, seq 35 x batch 20,
vocab 10000, SGD) with model and data on ``cuda``. Each step ends in ``loss.item()``,
which waits for the GPU in both libraries, so the time is the whole step's. Steps
alternate ember, torch, ember, ... as in ``python -m bench``; prints the GPU's name, the
median step times and the ratio ember / PyTorch. PyTorch without CUDA: ember only.
"""
import argparse
import statistics
import time

from bench import resnet18


def resnet18_step(lib, device):
    lib.manual_seed(0)
    model = resnet18.build(lib).to(device)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = lib.randn(16, 3, 32, 32).to(device)
    y = lib.randint(0, 10, (16,)).to(device)

    def run():
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return run


def lstm_lm_step(lib, device):
    nn = lib.nn
    lib.manual_seed(0)
    embed, lstm = nn.Embedding(10000, 200).to(device), nn.LSTM(200, 200, num_layers=2).to(device)
    head = nn.Linear(200, 10000).to(device)
    params = list(embed.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = lib.optim.SGD(params, lr=1.0)
    x = lib.randint(0, 10000, (35, 20)).to(device)
    y = lib.randint(0, 10000, (35, 20)).to(device)

    def run():
        opt.zero_grad()
        out, _ = lstm(embed(x))
        loss = nn.functional.cross_entropy(head(out).reshape(-1, 10000), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()
    return run


STEPS = {"resnet18_cifar_step": resnet18_step, "lstm_lm_step": lstm_lm_step}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_bench")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    import ember
    if not ember.cuda.is_available():
        raise SystemExit("bench.gpu_bench: ember sees no GPU (CuPy missing or no device)")
    libs = {"ember": ember}
    try:
        import torch
        if torch.cuda.is_available():
            libs["torch"] = torch
        else:
            print("PyTorch has no CUDA here: timing ember only")
    except ImportError:
        print("PyTorch is not installed: timing ember only")
    print(f"GPU: {ember.cuda.get_device_name()}; cupy {__import__('cupy').__version__}"
          + (f"; torch {libs['torch'].__version__}" if "torch" in libs else ""))
    print(f"{'workload':22s} {'ember':>10s} {'PyTorch':>10s} {'ember/PyTorch':>14s}")
    for name, make in STEPS.items():
        runs = {k: make(lib, "cuda") for k, lib in libs.items()}
        for _ in range(args.warmup):
            for fn in runs.values():
                fn()
        samples = {k: [] for k in runs}
        for _ in range(args.repeats):
            for k, fn in runs.items():
                t0 = time.perf_counter()
                fn()
                samples[k].append(time.perf_counter() - t0)
        med = {k: statistics.median(v) for k, v in samples.items()}
        theirs = med.get("torch")
        print(f"{name:22s} {med['ember'] * 1e3:8.2f}ms "
              + (f"{theirs * 1e3:8.2f}ms {med['ember'] / theirs:13.2f}x" if theirs else
                 f"{'-':>10s} {'-':>14s}"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
