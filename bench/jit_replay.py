"""Inference of a small CNN (conv-BN-ReLU x2, pool, linear): eager ember vs torch eager,
and (ember only) the traced graph frozen by ember.jit.freeze (BatchNorm folded into the
convolutions, dropout dropped) replayed without the model's Python code.

``python -m bench jit_replay`` times eager ember and torch; ``python bench/jit_replay.py``
prints capture time and frozen replay vs eager ember vs torch at batch 1 and 32.
"""
import time

DESCRIPTION = "small CNN inference, batch 1 x 20 calls (eager)"
NUMBER = 20


def _model(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.1), nn.Flatten(), nn.Linear(32 * 8 * 8, 10)).eval()


def make(lib, batch=1, frozen=False):
    model = _model(lib)
    x = lib.randn(batch, 3, 16, 16)
    if frozen:
        model = lib.jit.freeze(lib.jit.trace(model, x))

    def run():
        with lib.no_grad():
            for _ in range(NUMBER):
                model(x)
    return run


def _best(fn, repeats=7):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best / NUMBER


def main():
    import ember
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    m = _model(ember)
    x = ember.randn(1, 3, 16, 16)
    t = time.perf_counter()
    tm = ember.jit.trace(m, x, check_trace=False)
    cap = time.perf_counter() - t
    t = time.perf_counter()
    ember.jit.freeze(tm)
    frz = time.perf_counter() - t
    print(f"capture (trace) {cap * 1e3:.1f} ms, freeze {frz * 1e3:.1f} ms")
    for batch in (1, 32):
        eager = _best(make(ember, batch))
        frozen = _best(make(ember, batch, frozen=True))
        line = (f"batch {batch:2d}: ember eager {eager * 1e6:8.1f} us  frozen replay "
                f"{frozen * 1e6:8.1f} us  (eager/frozen {eager / frozen:.2f}x)")
        if torch is not None:
            te = _best(make(torch, batch))
            line += f"  torch eager {te * 1e6:8.1f} us  (frozen/torch {frozen / te:.2f}x)"
        print(line)


if __name__ == "__main__":
    main()
