"""Autocast overhead: an MLP training step (Linear 256-512-512-10, batch 64, SGD) inside
``autocast("cpu")`` (bfloat16), ember against torch's CPU autocast.

``bench/amp_float32.py`` is the same step without autocast: the two rows together give
autocast's cost against float32 for each library. ember computes bfloat16 GEMMs in
float32 and rounds (NumPy has no bf16 BLAS), so autocast adds casts and roundings and
saves nothing; torch's oneDNN bf16 kernels may be faster or slower than float32 depending
on the CPU's bf16 support.
"""
DESCRIPTION = "MLP train step under autocast(cpu, bf16)"
NUMBER = 20
AUTOCAST = True


def make(lib, autocast=AUTOCAST):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(256, 512), lib.nn.ReLU(),
                              lib.nn.Linear(512, 512), lib.nn.ReLU(), lib.nn.Linear(512, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.randn(64, 256)
    y = lib.randint(0, 10, (64,))
    loss_fn = lib.nn.CrossEntropyLoss()

    def run():
        for _ in range(NUMBER):
            with lib.autocast("cpu", enabled=autocast):
                loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return run
