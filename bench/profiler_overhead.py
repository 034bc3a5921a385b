"""Per-op cost of recording: ``a + b`` on 4x4 float32 tensors inside an active profiler.

Compare with ``op_overhead`` (the same op with no profiler): the difference is what one
recorded event costs (timing, nesting, the event object). Each library's own profiler
records its own ops; PyTorch's Kineto collects in C++, ember's recorder in Python.
"""
DESCRIPTION = "a + b, 4x4, inside profiler.profile()"
NUMBER = 2000  # calls per timed repeat


def make(lib):
    lib.manual_seed(0)
    a = lib.randn(4, 4)
    b = lib.randn(4, 4)

    def run():
        with lib.profiler.profile():
            for _ in range(NUMBER):
                a + b
    return run
