"""The GEMMs of one ``resnet18`` step alone, timed raw: NumPy's BLAS through ember's thread
policy (``ember.backend.matmul``, what ember's convolutions call) against ``torch.matmul``
on the same operands.

Shapes, operand layouts (``T``: a transposed view, as the step passes it) and counts are
the ones ember's step issues (recorded from bench/resnet18 through ``backend.matmul``):
im2col products of the 64-channel stage (forward, flipped-kernel input gradient, weight
gradient), the Winograd layers' 16-way batched products and their Kronecker-matrix
transforms, the stride-2 and 1x1 products and the linear head. Its
ratio next to the ``resnet18`` row shows how much of that row is BLAS itself; compare
its times with PyTorch's whole step too (PyTorch convolves with oneDNN, not im2col + GEMM).
"""
from bench._raw_gemms import gemm_runner

DESCRIPTION = "resnet18's GEMMs alone: NumPy BLAS (ember's policy) vs torch.matmul"
NUMBER = 1

# (a shape, a layout, b shape, b layout, calls per step); layout "T": the last two axes
# are a transposed view of a contiguous array
GEMMS = [
    ((1, 1, 64, 1088), "N", (1, 1, 1088, 576), "T", 64),
    ((1, 128, 64), "N", (16, 1, 64, 256), "N", 1),
    ((1, 64, 128), "T", (16, 1, 128, 256), "N", 1),
    ((1, 64, 27), "N", (16, 1, 27, 1024), "N", 1),
    ((1, 64, 576), "N", (1, 1, 576, 1088), "N", 128),
    ((10, 16), "T", (16, 512), "N", 1),
    ((1152, 256), "T", (256, 512), "N", 2),
    ((128, 1024), "N", (1024, 256), "T", 1),
    ((128, 256), "T", (256, 1024), "N", 1),
    ((128, 576), "N", (576, 1024), "N", 1),
    ((128, 576), "N", (576, 1536), "N", 2),
    ((16, 1, 128, 256), "N", (16, 1, 256, 64), "T", 1),
    ((16, 1, 64, 1024), "N", (16, 1, 1024, 27), "T", 1),
    ((16, 10), "N", (10, 512), "N", 1),
    ((16, 128, 1024), "N", (16, 1024, 128), "T", 3),
    ((16, 128, 128), "N", (16, 128, 1024), "N", 3),
    ((16, 128, 128), "T", (16, 128, 1024), "N", 3),
    ((16, 16), "N", (16, 131072), "N", 6),
    ((16, 16), "N", (16, 32768), "N", 6),
    ((16, 16), "N", (16, 65536), "N", 6),
    ((16, 256, 256), "N", (16, 256, 256), "N", 3),
    ((16, 256, 256), "N", (16, 256, 256), "T", 3),
    ((16, 256, 256), "T", (16, 256, 256), "N", 3),
    ((16, 4), "N", (4, 131072), "N", 3),
    ((16, 4), "N", (4, 32768), "N", 3),
    ((16, 4), "N", (4, 65536), "N", 3),
    ((16, 512), "N", (512, 10), "T", 1),
    ((16, 512, 512), "N", (16, 512, 64), "N", 3),
    ((16, 512, 512), "T", (16, 512, 64), "N", 3),
    ((16, 512, 64), "N", (16, 64, 512), "T", 3),
    ((16, 9), "N", (9, 16384), "T", 6),
    ((16, 9), "N", (9, 262144), "T", 6),
    ((16, 9), "N", (9, 65536), "T", 6),
    ((2304, 512), "T", (512, 256), "N", 1),
    ((256, 1152), "N", (1152, 512), "N", 2),
    ((256, 128), "N", (128, 1024), "N", 1),
    ((256, 256), "N", (256, 512), "T", 1),
    ((256, 512), "N", (512, 1152), "T", 2),
    ((256, 512), "T", (512, 256), "N", 1),
    ((4, 16), "N", (16, 32768), "N", 6),
    ((4, 16), "N", (16, 65536), "N", 6),
    ((512, 2304), "N", (2304, 256), "N", 1),
    ((512, 256), "N", (256, 2304), "T", 1),
    ((512, 256), "N", (256, 256), "N", 1),
    ((576, 1024), "N", (1024, 128), "T", 1),
    ((576, 128), "T", (128, 1024), "N", 1),
    ((576, 128), "T", (128, 1536), "N", 2),
    ((576, 1536), "N", (1536, 128), "T", 2),
    ((9, 16), "N", (16, 16384), "N", 3),
    ((9, 16), "N", (16, 262144), "N", 3),
    ((9, 16), "N", (16, 65536), "N", 3),
]


def make(lib):
    import numpy as np
    rng = np.random.default_rng(0)

    def operand(shape, layout):
        if layout == "T":
            return rng.random(shape[:-2] + shape[:-3:-1], dtype=np.float32).swapaxes(-1, -2)
        return rng.random(shape, dtype=np.float32)
    work = [(operand(sa, la), operand(sb, lb), c) for sa, la, sb, lb, c in GEMMS]
    return gemm_runner(lib, work)
