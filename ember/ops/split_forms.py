"""The other spellings of split (issue 17): hsplit / vsplit / dsplit (NumPy's), and
split_with_sizes, unsafe_split, unsafe_split_with_sizes, unsafe_chunk (ATen's). All are
views made by ``split`` / ``tensor_split``, with PyTorch's checks and messages; the
``unsafe_`` forms are the same views (PyTorch only skips a version-counter check)."""
import operator

from . import shape as _sh


def _nsplit(input, spec, dim, fname, min_dims):
    if input.dim() < min_dims:
        what = {1: "1", 2: "2", 3: "3"}[min_dims]
        raise RuntimeError(f"torch.{fname} requires a tensor with at least {what} dimension, "
                           f"but got a tensor with {input.dim()} dimensions!")
    if isinstance(spec, (tuple, list)):
        return _sh.tensor_split(input, list(spec), dim)
    n = operator.index(spec)
    size = input.shape[dim]
    if n == 0 or size % n:
        raise RuntimeError(f"torch.{fname} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {size} is not divisible by the split_size "
                           f"{n}!")
    return _sh.tensor_split(input, n, dim)


def hsplit(input, indices_or_sections):
    """``torch.hsplit``: split along dim 1 (dim 0 for 1-D tensors)."""
    return _nsplit(input, indices_or_sections, 1 if input.dim() > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """``torch.vsplit``: split along dim 0 of a tensor of at least 2 dims."""
    return _nsplit(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """``torch.dsplit``: split along dim 2 of a tensor of at least 3 dims."""
    return _nsplit(input, indices_or_sections, 2, "dsplit", 3)


def split_with_sizes(input, split_sizes, dim=0):
    """``torch.split_with_sizes``: pieces of the listed sizes (which must sum to the dim)."""
    if not isinstance(split_sizes, (tuple, list)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        f"of ints, not {type(split_sizes).__name__}")
    return _sh.split(input, list(split_sizes), dim)


def unsafe_split(input, split_size, dim=0):
    return _sh.split(input, split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input, chunks, dim=0):
    return _sh.chunk(input, chunks, dim)


METHODS = ("hsplit", "vsplit", "dsplit", "split_with_sizes", "unsafe_split",
           "unsafe_split_with_sizes", "unsafe_chunk")
__all__ = list(METHODS)
