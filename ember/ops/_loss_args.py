"""Argument handling shared by the loss modules (``loss``, ``cross_entropy``, ``ctc``):
PyTorch's reduction enum and the deprecated ``size_average``/``reduce`` mapping
(``legacy_get_string``, with PyTorch's warning), and the shape/dtype checks whose messages
several losses share.
"""
import warnings

from .. import backend
from .._dtype import int64, float32
from .._dtype import FLOATING_NP
from ..autograd.grad_mode import _state
from . import pointwise as _pw
from . import reduction as _red
from .indexing import _short
from ._common import (broadcast_shape as _broadcast_shape)

_gam = backend.get_array_module
_F32 = float32.np
_I64 = int64.np


# ---------------------------------------------------------------------------------------
# reduction arguments

_ENUM = {"none": 0, "mean": 1, "sum": 2}
_MEAN = 1


def get_enum(reduction):
    """``reduction`` as PyTorch's enum (0 none, 1 mean, 2 sum); ValueError for others."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return _MEAN
    r = _ENUM.get(reduction) if isinstance(reduction, str) else None
    if r is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction the deprecated ``size_average``/``reduce`` pair stands for (as PyTorch)."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    """The reduction enum: the deprecated arguments, when given, override ``reduction``."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    return get_enum(reduction)


def _reduce(loss, r):
    """Apply reduction enum ``r`` to a loss Tensor (composite losses)."""
    if r == _MEAN:
        return _red.mean(loss)
    if r == 2:
        return _red.sum(loss)
    return loss


# ---------------------------------------------------------------------------------------
# argument checks shared by several losses

def _check_broadcast(a, b):
    """The broadcast shape of Tensors ``a`` and ``b``, or PyTorch's error naming a first."""
    sa, sb = a._data.shape, b._data.shape
    return sa if sa == sb else _broadcast_shape(sa, sb)


def _broadcast_shapes_as_torch(*shapes):
    """``torch.broadcast_shapes`` with its message (used where PyTorch calls it)."""
    result = [1] * max(len(s) for s in shapes)
    for index, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == 1 or shape[i] == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[i]} at "
                                   f"{i}! Mismatching argument at index {index} had {shape}; but "
                                   f"expected shape should be broadcastable to {result}")
            result[i] = shape[i]
    return tuple(result)


def _warn_size(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _no_grad_arg(fn_name, arg, name):
    """PyTorch refuses a requires-grad argument its kernel has no derivative for."""
    if arg is not None and arg._rg and _state[0]:
        raise RuntimeError(f"The function '{fn_name}' is not differentiable with respect to "
                           f"argument '{name}'. This input cannot have requires_grad True.")


def _is_float(t):
    return t._data.dtype in FLOATING_NP


def _require_float(t, kernel):
    if not _is_float(t):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_short(t._data)}\'')


def _cast(t, dtype):
    """Differentiable cast of Tensor ``t`` (or None) to ember dtype ``dtype``."""
    if t is None or t._data.dtype == dtype.np:
        return t
    return _pw._to_dtype(t, dtype)


def _as(a, dt):
    return a if a is None or a.dtype == dt else a.astype(dt)


def _named(cls, node_name):
    """A subclass of Function ``cls`` showing PyTorch's grad_fn name ``node_name``."""
    key = (cls, node_name)
    sub = _NAMED.get(key)
    if sub is None:
        sub = _NAMED[key] = type(cls.__name__, (cls,), {"node_name": node_name,
                                                        "__module__": cls.__module__})
    return sub


_NAMED = {}
