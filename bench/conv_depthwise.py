"""Depthwise and grouped 3x3 convolutions (MobileNet / EfficientNet / ResNeXt blocks):
forward + backward of a depthwise conv (96 channels, groups=96) and a grouped conv
(128 channels, groups=32), batch 8 at 56x56 and 28x28."""
DESCRIPTION = "depthwise + grouped 3x3 conv fwd+bwd, batch 8"
NUMBER = 2


def make(lib):
    nn = lib.nn
    lib.manual_seed(0)
    dw = nn.Conv2d(96, 96, 3, padding=1, groups=96)
    gc = nn.Conv2d(128, 128, 3, padding=1, groups=32)
    x1 = lib.randn(8, 96, 56, 56, requires_grad=True)
    x2 = lib.randn(8, 128, 28, 28, requires_grad=True)

    def run():
        for _ in range(NUMBER):
            (dw(x1).sum() + gc(x2).sum()).backward()
    return run
