"""One GCN-style training step on a random sparse graph: sparse COO adjacency (2000 nodes,
~10 edges each) times dense features through torch.sparse.mm, forward and backward, with
a 64x16 weight (the gcn example's hot path)."""
DESCRIPTION = "sparse.mm fwd+bwd, 2000x2000 adjacency (20k nnz) @ 2000x64 @ 64x16"
NUMBER = 10  # steps per timed repeat


def make(lib):
    import numpy as np
    rng = np.random.default_rng(0)
    n, e = 2000, 20000
    idx = lib.tensor(rng.integers(0, n, (2, e)))
    adj = lib.sparse_coo_tensor(idx, lib.tensor(rng.random(e, dtype=np.float32)), (n, n))
    adj = adj.coalesce()
    x = lib.tensor(rng.standard_normal((n, 64), dtype=np.float32))
    w = lib.tensor(rng.standard_normal((64, 16), dtype=np.float32), requires_grad=True)

    def run():
        for _ in range(NUMBER):
            out = lib.sparse.mm(adj, lib.mm(x, w))
            out.relu().sum().backward()
            w.grad = None
    return run
