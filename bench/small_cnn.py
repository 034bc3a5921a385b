"""A small CNN training step (the nn issue's benchmark).

conv3x3(3->32) -> ReLU -> maxpool2 -> conv3x3(32->64) -> ReLU -> maxpool2 -> dropout2d ->
linear(64*8*8 -> 10), batch 32 of 3x32x32, cross-entropy, SGD(momentum) step.
"""
DESCRIPTION = "small CNN train step, batch 32 of 3x32x32"
NUMBER = 5


def make(lib):
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout2d(0.25), nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = lib.randn(32, 3, 32, 32)
    y = lib.randint(0, 10, (32,))

    def run():
        for _ in range(NUMBER):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    return run
