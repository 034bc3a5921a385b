"""Table entries for ember.ops.pooling (max/avg/adaptive/lp pooling, max_unpool).

Each fn is run with lib=ember and lib=torch through ``lib.nn.functional``; inputs are
(1, 2, 5, 6) standard normals (max pooling: distinct values, so no ties pick different
winners in the two libraries).
"""
import numpy as np

from ops.table import OpSample, Arr, Const

X = Arr((1, 2, 5, 6), kind="distinct")
_UNPOOL_SRC = np.random.default_rng(3).permutation(120).reshape(1, 2, 10, 6).astype(np.float32)


def _unpool_indices(lib):
    return lib.nn.functional.max_pool2d(lib.tensor(_UNPOOL_SRC), 2, return_indices=True)[1]


def _f(fn):
    """``fn(F, x)`` with F = lib.nn.functional."""
    return lambda lib, *args: fn(lib.nn.functional, *args)


SAMPLES = [
    OpSample("max_pool2d", _f(lambda F, x: F.max_pool2d(x, 3, 2, 1)), [[X]]),
    OpSample("max_pool2d_dilation_ceil",
             _f(lambda F, x: F.max_pool2d(x, (2, 3), (2, 1), (1, 1), (2, 1), True)), [[X]]),
    OpSample("max_pool2d_indices", _f(lambda F, x: F.max_pool2d(x, 2, return_indices=True)),
             [[X]]),
    OpSample("max_pool1d", _f(lambda F, x: F.max_pool1d(x.flatten(2), 3, 2, 1)), [[X]]),
    OpSample("max_pool3d", _f(lambda F, x: F.max_pool3d(x.unsqueeze(0), 2, 1)), [[X]]),
    OpSample("avg_pool2d_ceil_no_pad",
             _f(lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)),
             [[X]]),
    OpSample("avg_pool2d_divisor",
             _f(lambda F, x: F.avg_pool2d(x, (2, 3), 1, (1, 1), divisor_override=4)), [[X]]),
    OpSample("avg_pool1d_ceil", _f(lambda F, x: F.avg_pool1d(x.flatten(2), 4, 3, 2,
                                                             ceil_mode=True)), [[X]]),
    OpSample("adaptive_avg_pool2d", _f(lambda F, x: F.adaptive_avg_pool2d(x, (4, 3))), [[X]]),
    OpSample("adaptive_avg_pool2d_global", _f(lambda F, x: F.adaptive_avg_pool2d(x, 1)),
             [[X]]),
    OpSample("adaptive_max_pool2d", _f(lambda F, x: F.adaptive_max_pool2d(x, (4, 3))), [[X]]),
    OpSample("adaptive_max_pool1d", _f(lambda F, x: F.adaptive_max_pool1d(x.flatten(2), 7)),
             [[X]]),
    OpSample("lp_pool2d", _f(lambda F, x: F.lp_pool2d(x.abs() + 0.5, 2, 2)), [[X]],
             rtol=1e-4),
    OpSample("max_unpool2d",
             _f(lambda F, x, i: F.max_unpool2d(x[..., :3], i, 2, output_size=(10, 6))),
             [[X, Const(_unpool_indices)]]),
]
