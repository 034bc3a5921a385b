"""A small autograd step: ``(a * b + a).sum().backward()`` on 4x4 leaves.

Measures graph recording and the engine's per-node cost, not arithmetic.
"""
DESCRIPTION = "(a*b + a).sum().backward(), 4x4"
NUMBER = 200


def make(lib):
    lib.manual_seed(0)
    a = lib.randn(4, 4, requires_grad=True)
    b = lib.randn(4, 4, requires_grad=True)

    def run():
        for _ in range(NUMBER):
            a.grad = None
            b.grad = None
            (a * b + a).sum().backward()
    return run
