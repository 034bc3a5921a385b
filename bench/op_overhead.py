"""Per-op overhead: ``a + b`` on 4x4 float32 tensors with no grad recorded.

Measures the fast path of ``Function.apply`` (DESIGN: keep it near 1 us over raw numpy).
"""
DESCRIPTION = "a + b, 4x4 float32, no grad"
NUMBER = 2000  # calls per timed repeat


def make(lib):
    lib.manual_seed(0)
    a = lib.randn(4, 4)
    b = lib.randn(4, 4)

    def run():
        for _ in range(NUMBER):
            a + b
    return run
