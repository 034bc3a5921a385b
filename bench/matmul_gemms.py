"""The three GEMMs of one ``matmul`` row call alone, timed raw: NumPy's BLAS through
ember's thread policy (``ember.backend.matmul``) against ``torch.matmul``.

``(a @ b).sum().backward()`` on 512x512 runs ``a @ b``, ``g @ b^T`` and ``a^T @ g``
(transposed views, as in the step). Its ratio next to the ``matmul`` row shows how much
of that row is OpenBLAS against torch's BLAS rather than ember's own work.
"""
from bench._raw_gemms import gemm_runner

DESCRIPTION = "matmul's three 512x512 GEMMs alone: NumPy BLAS (ember's policy) vs torch"
NUMBER = 5
N = 512


def make(lib):
    import numpy as np
    rng = np.random.default_rng(0)
    a, b, g = (rng.random((N, N), dtype=np.float32) for _ in range(3))
    return gemm_runner(lib, [(a, b, NUMBER), (g, b.T, NUMBER), (a.T, g, NUMBER)])
