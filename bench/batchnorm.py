"""BatchNorm2d training forward + backward (batch statistics, running-stat update) on a
ResNet-stage-sized activation, batch 16 x 64 x 32 x 32; and LayerNorm / GroupNorm on the
same data."""
DESCRIPTION = "batch/layer/group norm train fwd+bwd, 16x64x32x32"
NUMBER = 3


def make(lib):
    nn = lib.nn
    lib.manual_seed(0)
    bn, gn = nn.BatchNorm2d(64), nn.GroupNorm(8, 64)
    ln = nn.LayerNorm([32, 32])
    x = lib.randn(16, 64, 32, 32, requires_grad=True)

    def run():
        for _ in range(NUMBER):
            (bn(x).sum() + gn(x).sum() + ln(x).sum()).backward()
    return run
