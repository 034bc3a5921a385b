"""Table entries for issue 17's last numerics names: F.conv_tbc / torch.conv_tbc (pad 0,
positive, negative crop, kernel 1, empty result), torch.grid_sampler_2d / _3d (int modes:
bilinear/trilinear, nearest, bicubic x zeros/border/reflection, align_corners; grid
gradients except for nearest)."""
from ops.table import OpSample, Arr, Const


def _grid(shape, grad=True):
    return Arr(shape, -1.1, 1.1, grad=grad)


_G2 = _grid((2, 3, 4, 2))
_G3 = _grid((2, 2, 3, 2, 3))

SAMPLES = [
    OpSample("F_conv_tbc", lambda t, x, w, b, p: t.nn.functional.conv_tbc(x, w, b, pad=p),
             [[(5, 2, 3), (3, 3, 4), (4,), Const(0)], [(5, 2, 3), (3, 3, 4), (4,), Const(2)],
              [(6, 1, 2), (1, 2, 3), (3,), Const(0)], [(7, 2, 3), (3, 3, 2), (2,), Const(-1)],
              [(2, 2, 3), (3, 3, 2), (2,), Const(0)]], noncontig=False),
    OpSample("torch_conv_tbc_default_pad", lambda t, x, w, b: t.conv_tbc(x, w, b),
             [[(4, 3, 2), (2, 2, 5), (5,)]], noncontig=False),
] + [
    OpSample(f"grid_sampler_2d_{m}_{p}", lambda t, x, g, m=m, p=p: (
        t.grid_sampler_2d(x, g, m, p, False), t.grid_sampler_2d(x, g, m, p, True)),
        [[(2, 3, 5, 4), _G2 if m != 1 else _grid((2, 3, 4, 2), grad=False)]],
        rtol=1e-4, atol=1e-4, gradgrad=False)
    for m in (0, 1, 2) for p in (0, 1, 2)
] + [
    OpSample(f"grid_sampler_3d_{m}_{p}", lambda t, x, g, m=m, p=p: (
        t.grid_sampler_3d(x, g, m, p, False), t.grid_sampler_3d(x, g, m, p, True)),
        [[(2, 3, 4, 3, 5), _G3 if m != 1 else _grid((2, 2, 3, 2, 3), grad=False)]],
        rtol=1e-4, atol=1e-4, gradgrad=False, noncontig=False)
    for m in (0, 1) for p in (0, 1, 2)
] + [
    OpSample("grid_sample_3d_functional", lambda t, x, g: t.nn.functional.grid_sample(
        x, g, mode="bilinear", padding_mode="border", align_corners=True),
        [[(1, 2, 3, 4, 3), _grid((1, 2, 2, 2, 3))]], rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("torch_grid_sampler_5d", lambda t, x, g: t.grid_sampler(x, g, 0, 2, False),
             [[(1, 2, 3, 3, 3), _grid((1, 2, 2, 2, 3))]], rtol=1e-4, atol=1e-4, gradgrad=False),
]
