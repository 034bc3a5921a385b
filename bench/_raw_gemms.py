"""The timed loop of the raw-GEMM rows (``lstm_lm_gemms``, ``resnet18_gemms``): the same
NumPy operands multiplied through ember's ``backend.matmul`` (its BLAS thread policy) or
``torch.matmul`` on tensors with the same layouts (a transposed view stays one)."""


def gemm_runner(lib, work):
    """``run()`` doing every ``(a, b, count)`` product of ``work`` ``count`` times."""
    import numpy as np
    if lib.__name__ == "ember":
        from ember import backend

        def mm(a, b):
            return backend.matmul(np, a, b)
    else:
        def tensor(a):
            if a.ndim >= 2 and a.strides[-1] != a.itemsize:
                return lib.from_numpy(np.ascontiguousarray(a.swapaxes(-1, -2))).transpose(-1, -2)
            return lib.from_numpy(a)
        work = [(tensor(a), tensor(b), c) for a, b, c in work]
        mm = lib.matmul

    def run():
        for a, b, c in work:
            for _ in range(c):
                mm(a, b)
    return run
