"""Exact GELU (approximate='none') in float32 on a large tensor: forward and backward of
4M elements (the transformer feed-forward activation)."""
DESCRIPTION = "exact GELU float32 fwd+bwd, 4M elements"
NUMBER = 3


def make(lib):
    lib.manual_seed(0)
    x = lib.randn(1 << 22, requires_grad=True)
    g = lib.randn(1 << 22)

    def run():
        for _ in range(NUMBER):
            lib.nn.functional.gelu(x).backward(g)
    return run
