"""512x512 float32 matmul forward and backward: ``(a @ b).sum().backward()``.

Dominated by BLAS (three GEMMs); measures that ember adds no copies around them.
"""
DESCRIPTION = "(a @ b).sum().backward(), 512x512 float32"
NUMBER = 5


def make(lib):
    lib.manual_seed(0)
    a = lib.randn(512, 512, requires_grad=True)
    b = lib.randn(512, 512, requires_grad=True)

    def run():
        for _ in range(NUMBER):
            a.grad = None
            b.grad = None
            (a @ b).sum().backward()
    return run
