"""Table entries for ember.ops.normalization (through lib.nn.functional): batch_norm
(training with running statistics, eval, no affine), instance_norm, layer_norm, rms_norm,
group_norm, local_response_norm and normalize. Running statistics are fresh tensors per
call (``Const(lambda lib: ...)``), so both libraries update the same values.
"""
import numpy as np

from ops.table import OpSample, Const


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


def _stats(values):
    return Const(lambda lib: lib.tensor(np.array(values)))


_RM, _RV = _stats([0.3, -0.2]), _stats([0.5, 2.0])

SAMPLES = [
    OpSample("batch_norm_train", _f(lambda F, x, rm, rv, w, b: F.batch_norm(
        x, rm.to(x.dtype), rv.to(x.dtype), w, b, True, 0.1, 1e-5)),
        [[(3, 2, 4), _RM, _RV, (2,), (2,)], [(5, 2), _RM, _RV, (2,), (2,)]], rtol=1e-4, atol=1e-4),
    OpSample("batch_norm_eval", _f(lambda F, x, rm, rv, w, b: F.batch_norm(
        x, rm.to(x.dtype), rv.to(x.dtype), w, b, False, 0.1, 1e-5)),
        [[(3, 2, 4, 2), _RM, _RV, (2,), (2,)]]),
    OpSample("batch_norm_no_affine", _f(lambda F, x: F.batch_norm(x, None, None, training=True)),
             [[(5, 3)]], rtol=1e-4, atol=1e-4),
    OpSample("instance_norm", _f(lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b)),
             [[(2, 3, 4), (3,), (3,)], [(2, 3, 2, 3), (3,), (3,)]], rtol=1e-4, atol=1e-4),
    OpSample("layer_norm", _f(lambda F, x, w, b: F.layer_norm(x, (2, 4), w, b, 1e-3)),
             [[(3, 2, 4), (2, 4), (2, 4)]], rtol=1e-4, atol=1e-4),
    OpSample("layer_norm_no_affine", _f(lambda F, x: F.layer_norm(x, (4,))), [[(3, 4)]],
             rtol=1e-4, atol=1e-4),
    OpSample("rms_norm", _f(lambda F, x, w: F.rms_norm(x, (4,), w, 1e-3)),
             [[(3, 4), (4,)], [(2, 3, 4), (4,)]], rtol=1e-4, atol=1e-4),
    OpSample("group_norm", _f(lambda F, x, w, b: F.group_norm(x, 2, w, b)),
             [[(2, 4, 3), (4,), (4,)], [(2, 4, 2, 3), (4,), (4,)]], rtol=1e-4, atol=1e-4),
    OpSample("local_response_norm", _f(lambda F, x: F.local_response_norm(x, 3, 0.5, 0.5, 2.0)),
             [[(2, 5, 4)], [(2, 6, 3, 3)]], rtol=1e-4, atol=1e-4),
    OpSample("normalize", _f(lambda F, x: F.normalize(x, 2.0, 0)), [[(3, 4)]]),
    OpSample("normalize_p3", _f(lambda F, x: F.normalize(x, 3.0, -1)), [[(2, 3, 4)]]),
]
