"""``unfold`` / ``fold`` (``torch.nn.functional``): im2col / col2im in PyTorch's
``(N, C * kh * kw, L)`` layout on 4-D (or unbatched 3-D) inputs, by ``as_strided`` windows
(one copy each way; col2im loops over kernel offsets, never pixels).

The ``blocks=`` plan (``_Blocks``) passed to apply is a contract for dispatch modes (ONNX
export, the profiler): ``kernel_size``, ``dilation``, ``padding``, ``stride``,
``output_size``, in PyTorch's names; other attributes are internal.
"""
import math

from .. import backend
from ..autograd.dispatch import composite
from ..autograd.function import ArrayFunction
from ._common import check_tensor as _check_tensor
from .conv import _add_windows, _finish, _ntuple

_gam = backend.get_array_module
_as_strided = backend.as_strided

__all__ = ["unfold", "fold"]


class _Blocks:
    """Sliding-block arithmetic of unfold/fold on a (N, C, H, W) image.

    The contract converters and the profiler read, in PyTorch's names (2-tuples):
    ``kernel_size``, ``dilation``, ``padding``, ``stride``, and ``output_size`` (fold's
    argument: the image size; for unfold the input's spatial size).
    """

    __slots__ = ("N", "C", "I", "K", "dil", "pad", "stride", "P", "O")

    @property
    def kernel_size(self):
        return self.K

    @property
    def dilation(self):
        return self.dil

    @property
    def padding(self):
        return self.pad

    @property
    def output_size(self):
        return self.I

    def __init__(self, N, C, I, K, dil, pad_, stride):
        self.N, self.C, self.I, self.K, self.dil, self.pad, self.stride = (
            N, C, I, K, dil, pad_, stride)
        self.P = tuple(i + 2 * p for i, p in zip(I, pad_))
        self.O = tuple((p - d * (k - 1) - 1) // s + 1
                       for p, d, k, s in zip(self.P, dil, K, stride))

    def windows(self, grid):
        """(N, C, kh, kw, oh, ow) view of a (N, C, *P) grid."""
        sn, sc, *sp = grid.strides
        return _as_strided(grid, (self.N, self.C) + self.K + self.O,
                           (sn, sc) + tuple(d * s for d, s in zip(self.dil, sp))
                           + tuple(st * s for st, s in zip(self.stride, sp)))

    def interior(self):
        return (slice(None), slice(None)) + tuple(slice(p, p + i) for p, i in zip(self.pad, self.I))

    def unfold(self, x):
        xp = _gam(x)
        if any(self.pad):
            grid = xp.zeros((self.N, self.C) + self.P, x.dtype)
            grid[self.interior()] = x
        else:
            grid = x
        cols = xp.empty((self.N, self.C) + self.K + self.O, x.dtype)
        cols[...] = self.windows(grid)
        return cols.reshape(self.N, self.C * math.prod(self.K), math.prod(self.O))

    def fold(self, cols):
        xp = _gam(cols)
        grid = xp.zeros((self.N, self.C) + self.P, cols.dtype)
        win = self.windows(grid)
        _add_windows(win, cols.reshape(win.shape), self.K, 2)
        return xp.ascontiguousarray(grid[self.interior()])


class _Unfold(ArrayFunction):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, blocks=None):
        if ctx.needs_input_grad:
            ctx.blocks = blocks
        return blocks.unfold(x)

    @staticmethod
    def backward(ctx, g):
        return _Fold.apply(g, blocks=ctx.blocks)


class _Fold(ArrayFunction):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, blocks=None):
        if ctx.needs_input_grad:
            ctx.blocks = blocks
        return blocks.fold(cols)

    @staticmethod
    def backward(ctx, g):
        return _Unfold.apply(g, blocks=ctx.blocks)


def _block_args(fname, kernel_size, dilation, padding, stride):
    args = []
    for name, v in (("kernel_size", kernel_size), ("dilation", dilation),
                    ("padding", padding), ("stride", stride)):
        t = _ntuple(v, 2, name)
        low = 0 if name == "padding" else 1
        if any(i < low for i in t):
            kind = "non-negative" if name == "padding" else "greater than zero"
            raise RuntimeError(f"{name} should be {kind}, but got {name}: {t[0]} {t[1]}")
        args.append(t)
    return args


def _batched(input, unbatched_dim):
    """(input with a batch axis, whether one was added): unbatched inputs of unfold/fold."""
    if input.dim() != unbatched_dim:
        return input, False
    from .shape import unsqueeze
    return unsqueeze(input, 0), True


def _no_blocks(given, blocks, stride=None):
    """PyTorch's error for a geometry with no sliding block (``given`` opens the message;
    fold names its stride too)."""
    tail = "" if stride is None else f", stride={stride}"
    raise RuntimeError(f"Given {given}, dilation={blocks.dil}, padding={blocks.pad}{tail}, "
                       f"calculated shape of the array of sliding blocks as ({blocks.O[0]}, "
                       f"{blocks.O[1]}), but its components must be at least one.")


@composite("unfold")
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """``torch.nn.functional.unfold``: (N, C, H, W) or (C, H, W) -> (N, C*kh*kw, L)."""
    _check_tensor(input, "unfold", "input", 1)
    K, dil, pad_, stride = _block_args("unfold", kernel_size, dilation, padding, stride)
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    input, unbatched = _batched(input, 3)
    N, C, H, W = input.shape
    blocks = _Blocks(N, C, (H, W), K, dil, pad_, stride)
    if any(o < 1 for o in blocks.O) or C == 0 or H == 0 or W == 0:
        _no_blocks(f"input with spatial size ({H}, {W}), kernel_size={K}", blocks)
    return _finish(_Unfold.apply(input, blocks=blocks), unbatched)


@composite("fold")
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """``torch.nn.functional.fold``: (N, C*kh*kw, L) or (C*kh*kw, L) -> (N, C, *output_size),
    summing overlapping blocks."""
    _check_tensor(input, "fold", "input", 1)
    out_size = _ntuple(output_size, 2, "output_size")
    K, dil, pad_, stride = _block_args("fold", kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    input, unbatched = _batched(input, 2)
    N, CK, L = input.shape
    kk = K[0] * K[1]
    if CK % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={CK} and "
                           f"kernel_size={K}.")
    blocks = _Blocks(N, CK // kk, out_size, K, dil, pad_, stride)
    if any(o < 1 for o in blocks.O):
        _no_blocks(f"output_size={out_size}, kernel_size={K}", blocks, stride)
    if blocks.O[0] * blocks.O[1] != L:
        raise RuntimeError(f"Given output_size={out_size}, kernel_size={K}, dilation={dil}, "
                           f"padding={pad_}, stride={stride}, expected size of input's dimension "
                           f"2 to match the calculated number of sliding blocks {blocks.O[0]} * "
                           f"{blocks.O[1]} = {blocks.O[0] * blocks.O[1]}, but got "
                           f"input.size(2)={L}.")
    return _finish(_Fold.apply(input, blocks=blocks), unbatched)
