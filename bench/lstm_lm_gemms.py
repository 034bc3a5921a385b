"""The GEMMs of one ``lstm_lm`` step alone, timed raw: NumPy's BLAS through ember's thread
policy (``ember.backend.matmul``, what ember's step calls) against ``torch.mm``.

Same shapes, operand layouts (transposed views where the step has them) and counts as the
step: the head (700x200 @ 200x10000 forward, two backward), per layer the input projection
of all steps (forward, input and weight gradients), 35 recurrent GEMMs each way and the
W_hh gradient. Its ratio next to the ``lstm_lm`` row shows how much of that row is BLAS.
"""
from bench._raw_gemms import gemm_runner

DESCRIPTION = "lstm_lm's GEMMs alone: NumPy BLAS (ember's policy) vs torch.mm"
NUMBER = 1

T, B, E, H, V, LAYERS = 35, 20, 200, 200, 10000, 2


def gemms():
    """(m, k, n, a transposed, b transposed, count) for one train step."""
    n, g = T * B, 4 * H
    out = [(n, H, V, False, True, 1), (n, V, H, False, False, 1), (V, n, H, True, False, 1)]
    for _ in range(LAYERS):
        out += [(n, E, g, False, True, 1), (n, g, E, False, False, 1),   # input projection
                (g, n, E, True, False, 1),                               # its weight grad
                (B, H, g, False, False, T), (B, g, H, False, False, T),  # the time loop
                (g, n, H, True, False, 1)]                               # W_hh grad
    return out


def make(lib):
    import numpy as np
    rng = np.random.default_rng(0)

    def operand(rows, cols, transposed):
        a = rng.random((cols, rows) if transposed else (rows, cols), dtype=np.float32)
        return a.T if transposed else a
    work = [(operand(m, k, ta), operand(k, n, tb), c) for m, k, n, ta, tb, c in gemms()]
    return gemm_runner(lib, work)
