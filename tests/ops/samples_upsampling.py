"""Table entries for ember.ops.upsampling: interpolate in every mode, pixel_(un)shuffle.

Each fn runs through ``lib.nn.functional`` on a (1, 2, 3, 5) standard normal input (the
cases were the local gradcheck list of tests/nn/test_upsampling.py).
"""
from ops.table import OpSample

_X = [[(1, 2, 3, 5)]]


def _f(fn):
    return lambda lib, x: fn(lib.nn.functional, x)


SAMPLES = [
    OpSample("interpolate_nearest", _f(lambda F, x: F.interpolate(x, scale_factor=1.6,
                                                                  mode="nearest")), _X),
    OpSample("interpolate_nearest_exact",
             _f(lambda F, x: F.interpolate(x, size=(4, 7), mode="nearest-exact")), _X),
    OpSample("interpolate_bilinear",
             _f(lambda F, x: F.interpolate(x, scale_factor=1.5, mode="bilinear")), _X),
    OpSample("interpolate_bilinear_align_corners",
             _f(lambda F, x: F.interpolate(x, size=(2, 9), mode="bilinear",
                                           align_corners=True)), _X),
    OpSample("interpolate_bicubic",
             _f(lambda F, x: F.interpolate(x, scale_factor=(0.6, 1.8), mode="bicubic")), _X,
             rtol=1e-4, atol=1e-4),
    OpSample("interpolate_bicubic_align_corners",
             _f(lambda F, x: F.interpolate(x, size=(5, 5), mode="bicubic",
                                           align_corners=True)), _X, rtol=1e-4, atol=1e-4),
    OpSample("interpolate_area", _f(lambda F, x: F.interpolate(x, size=(2, 4), mode="area")),
             _X),
    OpSample("interpolate_linear",
             _f(lambda F, x: F.interpolate(x.flatten(2), scale_factor=1.4, mode="linear")), _X),
    OpSample("interpolate_trilinear",
             _f(lambda F, x: F.interpolate(x.unsqueeze(2), scale_factor=(1, 1.5, 2),
                                           mode="trilinear")), _X),
    OpSample("pixel_shuffle",
             _f(lambda F, x: F.pixel_shuffle(x[..., :2, :4].reshape(1, 4, 2, 2), 2)), _X,
             noncontig=False),
    OpSample("pixel_unshuffle", _f(lambda F, x: F.pixel_unshuffle(x[..., :2, :4], 2)), _X),
]
