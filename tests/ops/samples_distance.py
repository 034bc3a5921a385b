"""Table entries for ember.ops.distance not already in samples_linear (cosine_similarity,
pairwise_distance) and samples_stats_tail (cdist, pairwise_distance_top): pdist for several
p, batched and broadcast cdist, cosine_similarity broadcasting and zero vectors, and
pairwise_distance's eps and broadcasting. Argument errors stay in
tests/ops/test_math_tail_behaviour.py and tests/nn/test_normalization.py.
"""
from ops.table import OpSample, Const


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


def _zero_first(n, shape):
    """A 0/1 tensor zeroing the first ``n`` entries: puts a zero vector along a dim."""
    def make(lib):
        m = lib.ones(shape)
        m.view(-1)[:n] = 0.0
        return m
    return Const(make)


SAMPLES = [
    OpSample("pdist", _f(lambda F, x: (F.pdist(x), F.pdist(x, p=1.0), F.pdist(x, p=3.0))),
             [[(5, 3)], [(2, 4)]], rtol=1e-4, atol=1e-4),
    OpSample("pdist_inf", _f(lambda F, x: F.pdist(x, p=float("inf"))), [[(4, 3)]],
             rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("cdist_batched", lambda t, a, b: (t.cdist(a, b), t.cdist(a, b, p=1.0)),
             [[(2, 3, 4), (2, 5, 4)], [(2, 1, 3, 4), (3, 5, 4)]], rtol=1e-4, atol=1e-4),
    OpSample("cosine_similarity_broadcast", _f(lambda F, a, b, m, dim: F.cosine_similarity(
        a * m, b, dim=dim)), [
        [(3, 4), (3, 4), _zero_first(4, (3, 4)), Const(1)],
        [(3, 4), (1, 4), _zero_first(4, (3, 4)), Const(1)],
        [(2, 3, 4), (3, 4), _zero_first(4, (2, 3, 4)), Const(-1)],
        [(4,), (4,), _zero_first(0, (4,)), Const(0)],
    ], rtol=1e-4, atol=1e-4, gradgrad=False),   # (the norm is not smooth at a zero vector)
    OpSample("cosine_similarity_eps", _f(lambda F, a, b: F.cosine_similarity(a, b, eps=0.5)),
             [[(3, 4), (3, 4)]], rtol=1e-4, atol=1e-4),
    OpSample("pairwise_distance_eps_broadcast", _f(lambda F, a, b: (
        F.pairwise_distance(a, b, eps=0.1), F.pairwise_distance(a, b, p=3.0))),
        [[(3, 4), (1, 4)], [(4,), (4,)]], rtol=1e-4, atol=1e-4),
]
