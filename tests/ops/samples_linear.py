"""Table entries for ember.ops.linear and ember.ops.distance (through lib.nn.functional)."""
from ops.table import OpSample, Arr


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


SAMPLES = [
    OpSample("linear", _f(lambda F, x, w, b: F.linear(x, w, b)),
             [[(4, 3), (5, 3), (5,)], [(2, 4, 3), (5, 3), (5,)], [(3,), (2, 3), (2,)]]),
    OpSample("linear_no_bias", _f(lambda F, x, w: F.linear(x, w)), [[(4, 3), (5, 3)]]),
    OpSample("bilinear", _f(lambda F, a, b, w, c: F.bilinear(a, b, w, c)),
             [[(4, 3), (4, 2), (5, 3, 2), (5,)]], rtol=1e-4, atol=1e-4),
    OpSample("cosine_similarity", _f(lambda F, a, b: F.cosine_similarity(a, b)),
             [[(4, 3), (4, 3)], [(2, 4, 3), (4, 3)]]),
    OpSample("cosine_similarity_dim0", _f(lambda F, a, b: F.cosine_similarity(a, b, dim=0)),
             [[(4, 3), (4, 3)]]),
    OpSample("pairwise_distance", _f(lambda F, a, b: F.pairwise_distance(a, b)),
             [[(4, 3), (4, 3)]]),
    OpSample("pairwise_distance_p1_keepdim",
             _f(lambda F, a, b: F.pairwise_distance(a, b, p=1.0, keepdim=True)),
             [[(4, 3), Arr((4, 3), 2.0, 3.0)]]),
]
