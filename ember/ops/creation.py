"""Tensor creation: from data, filled, ranges, and random sampling; in-place fills.

Random ops draw from ``ember.Generator`` (NumPy PCG64): same distributions as PyTorch,
different streams for the same seed.
"""
import builtins
import math
import numbers

import numpy

from .. import backend, _random
from .._dtype import (get_default_dtype, to_dtype, from_numpy_dtype, int64, bool as bool_,
                      NP_TO_DTYPE)
from .._dtype import (BOOL_NP, COMPLEX_NP, EXACT_NP, FLOATING_NP, HALF_NP, NATIVE_FLOATING_NP,
                     QUANTIZED)
from .._device import as_device, check_available
from .._tensor import Tensor, _make
from ..autograd.dispatch import _top as _mode_top


# ---------------------------------------------------------------------------------------
# argument helpers

def _size(size, fname="empty"):
    """Accept zeros(2, 3), zeros((2, 3)), zeros([2, 3]) and zeros(Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif len(size) == 1 and not isinstance(size[0], numbers.Integral) and not (
            isinstance(size[0], Tensor) and size[0]._data.size == 1):
        raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size[0]).__name__}")
    out = []
    for s in size:
        if isinstance(s, Tensor):
            if s._data.size != 1 or s._data.dtype not in EXACT_NP:
                raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found "
                                f"element of type Tensor at pos {len(out)}")
            s = s.item()
        if not isinstance(s, numbers.Integral) or isinstance(s, builtins.bool):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    _check_numel(out)
    return tuple(out)


_MAX_NUMEL = (2 ** 63 - 1) // 16   # elements of the widest dtype (complex128) int64 bytes hold


def _check_numel(shape):
    """torch's RuntimeError for sizes whose storage size overflows int64 (NumPy's own error
    is a ValueError about ``arr.size * arr.dtype.itemsize``); checked with the widest
    itemsize (16), a bound no allocation could reach anyway."""
    if math.prod(shape) > _MAX_NUMEL:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")


def _xp(device):
    if device is None:
        return numpy
    d = as_device(device)
    if d.type == "cpu":
        return numpy
    check_available(d)
    return backend.namespace_for(d.type)


def _finish(arr, requires_grad, out=None):
    t = _make(arr)
    if requires_grad:
        t.requires_grad = True
    if out is not None:
        out._data = arr
        return out
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or get_default_dtype()).np
    d = to_dtype(dtype)
    if d in QUANTIZED:
        _refuse_quantized(d)
    return d.np


def _refuse_quantized(d):
    """A quantized dtype cannot be made by creation/cast functions (PyTorch's rule as well):
    quantized tensors come from quantize_per_tensor / quantize_per_channel."""
    raise RuntimeError(f"{d} tensors are created by quantization (quantize_per_tensor, "
                       "quantize_per_channel), not by creation functions or casts")


# ---------------------------------------------------------------------------------------
# from data

def _infer_dtype(arr, data):
    """PyTorch's inference: Python floats -> default dtype, ints -> int64, bools -> bool.

    ``arr`` is NumPy's own reading of Python data (never an ml_dtypes type), so its kind
    letter names the Python type the values came from."""
    k = arr.dtype.kind
    if k == "f":
        return get_default_dtype()
    if k in "iu":
        return int64
    if k == "b":
        return bool_
    if k == "c":
        from .. import _dtype
        return _dtype.complex128 if get_default_dtype() is _dtype.float64 else _dtype.complex64
    if k in "US":
        raise ValueError("too many dimensions 'str'")
    raise RuntimeError(f"Could not infer dtype of {type(_first_leaf(data)).__name__}")


def _to_array(data):
    """A NumPy array for nested Python data, with PyTorch's error for ragged lists."""
    if isinstance(data, (list, tuple)):
        flat = _first_leaf(data)
        if isinstance(flat, Tensor):
            data = _tensors_to_lists(data)
        try:
            arr = numpy.array(data)
        except ValueError:
            raise _ragged_error(data) from None
        if arr.dtype == object:
            raise _ragged_error(data)
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    else:
        arr = numpy.asarray(data)
    if (arr.dtype == numpy.uint64 and arr.size and arr.max() > 2 ** 63 - 1) or \
            (arr.dtype == object and isinstance(data, numbers.Integral)):
        raise ValueError("Overflow when unpacking long long")   # Python ints beyond int64
    return arr


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(d) for d in data]
    return data


def _ragged_error(data):
    """The exception PyTorch raises for nested data that is not a regular array of numbers:
    the first element at each depth fixes the expected shape."""
    shape, d = [], data
    while isinstance(d, (list, tuple)):
        shape.append(len(d))
        if not d:
            break
        d = d[0]

    def walk(d, depth):
        for x in d:
            is_seq = isinstance(x, (list, tuple))
            if depth + 1 < len(shape):
                if not is_seq:
                    return TypeError("not a sequence")
                if len(x) != shape[depth + 1]:
                    return ValueError(f"expected sequence of length {shape[depth + 1]} at dim "
                                      f"{depth + 1} (got {len(x)})")
                err = walk(x, depth + 1)
                if err:
                    return err
            elif is_seq:
                return TypeError(f"'{type(x).__name__}' object cannot be interpreted as a "
                                 f"number (expected a number at dim {depth + 1})")
        return None
    err = walk(data, 0)
    if err is None:
        stack = [data]
        while stack:
            x = stack.pop()
            if isinstance(x, (list, tuple)):
                stack.extend(x)
            elif isinstance(x, numbers.Integral) and not -2 ** 63 <= x < 2 ** 63:
                return ValueError("Overflow when unpacking long long")
            elif not isinstance(x, (numbers.Number, numpy.generic)):
                return RuntimeError(f"Could not infer dtype of {type(x).__name__}")
    return err or ValueError("could not convert data to a tensor")


def _leaf_dtype(data):
    """dtype of nested data holding NumPy scalars: their dtypes and the Python scalars'
    default dtypes promoted together (torch.tensor([np.float64(1)]) is float64)."""
    from .._dtype import promote_types
    d = None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        t = from_numpy_dtype(x.dtype) if isinstance(x, numpy.generic) else _scalar_default_dtype(x)
        d = t if d is None else promote_types(d, t)
    return d


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``torch.tensor``: always copies ``data`` into a new leaf tensor."""
    if isinstance(data, Tensor):
        arr = backend.to_host(data._data) if (device is not None and as_device(device).type == "cpu") \
            else data._data
        inferred = NP_TO_DTYPE[arr.dtype]
    elif backend.is_array(data):
        arr = data
        inferred = from_numpy_dtype(arr.dtype)
    elif isinstance(data, numpy.generic):
        arr = numpy.asarray(data)
        inferred = from_numpy_dtype(arr.dtype)
    else:
        arr = _to_array(data)
        inferred = _infer_dtype(arr, data) if arr.size or arr.dtype not in NATIVE_FLOATING_NP else get_default_dtype()
        if dtype is None and arr.size and isinstance(_first_leaf(data), numpy.generic):
            inferred = _leaf_dtype(data)
    d = inferred if dtype is None else to_dtype(dtype)
    if d in QUANTIZED:
        _refuse_quantized(d)
    xp = _xp(device) if device is not None else backend.get_array_module(arr)
    out = xp.array(arr, dtype=d.np, copy=True)
    return _finish(out, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``torch.as_tensor``: shares memory with a tensor or array when dtype and device allow."""
    if isinstance(data, Tensor):
        out = data
        if dtype is not None or device is not None:
            out = data.to(device=device, dtype=dtype)
        return out
    if backend.is_array(data):
        d = from_numpy_dtype(data.dtype) if dtype is None else to_dtype(dtype)
        if d in QUANTIZED:
            _refuse_quantized(d)
        if d.np == data.dtype and (device is None or as_device(device).type == backend.device_type_of(data)):
            return _make(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """``torch.from_numpy``: a tensor sharing the array's memory."""
    if not isinstance(ndarray, numpy.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    d = NP_TO_DTYPE.get(ndarray.dtype)
    if d is None:
        from_numpy_dtype(ndarray.dtype)  # raises PyTorch's TypeError for unsupported types
        if NP_TO_DTYPE.get(ndarray.dtype) is not None:   # an ml_dtypes type, now resolved
            return _make(ndarray)
        raise TypeError(f"can't convert np.ndarray of type {ndarray.dtype}")
    return _make(ndarray)


# ---------------------------------------------------------------------------------------
# filled tensors

def _filled(fill, size, out, dtype, device, requires_grad, default=None, fname="empty"):
    mode = _mode_top[0]
    if mode is not None and mode.symbolic_shapes:   # graph capture: sizes may be graph values
        t = _filled_now(fill, size, out, dtype, device, requires_grad, default, fname)
        return mode.__ember_creation__(t, size, fill)
    return _filled_now(fill, size, out, dtype, device, requires_grad, default, fname)


def _filled_now(fill, size, out, dtype, device, requires_grad, default, fname="empty"):
    shape = _size(size, fname)
    xp = _xp(device)
    npd = _np_dtype(dtype, default)
    if fill is None:
        arr = xp.empty(shape, npd)
    elif fill == 0:
        arr = xp.zeros(shape, npd)
    else:
        arr = xp.full(shape, fill, npd)
    return _finish(arr, requires_grad, out)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          **kw):
    return _filled(0, _size_kwarg(size, kw, "zeros"), out, dtype, device, requires_grad,
                   fname="zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         **kw):
    return _filled(1, _size_kwarg(size, kw, "ones"), out, dtype, device, requires_grad,
                   fname="ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw):
    return _filled(None, _size_kwarg(size, kw, "empty"), out, dtype, device, requires_grad,
                   fname="empty")


def _size_kwarg(size, kw, name):
    """torch also takes the size as a keyword: ``torch.empty(size=(2, 3))``."""
    if not kw:
        return size
    if size or set(kw) != {"size"}:
        bad = next(k for k in kw if k != "size") if set(kw) != {"size"} else "size"
        raise TypeError(f"{name}() got an unexpected keyword argument '{bad}'")
    return (kw["size"],)


def _scalar_default_dtype(value):
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    if isinstance(value, complex):
        return to_dtype(complex)
    return get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """``torch.full``: dtype inferred from ``fill_value`` (bool, int64 or default float)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if isinstance(size, int):
        size = (size,)
    default = _scalar_default_dtype(fill_value)
    return _filled(fill_value, (size,), out, dtype, device, requires_grad, default)


def _like(fn, input, dtype, device, requires_grad, *args):
    return fn(*args, dtype=input.dtype if dtype is None else dtype,
              device=input.device if device is None else device, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad, input.shape)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(ones, input, dtype, device, requires_grad, input.shape)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """``torch.empty_like``; ``memory_format=channels_last`` gives NHWC strides (the default
    ``preserve_format`` keeps a channels-last input's layout), as PyTorch."""
    out = _like(empty, input, dtype, device, requires_grad, input.shape)
    if input._data.ndim not in (4, 5) or (memory_format is None and
                                          input._data.flags.c_contiguous):
        return out
    from .. import _formats
    _formats.check_memory_format(memory_format, "empty_like")
    fmt = _formats.preserve_format if memory_format is None else memory_format
    if fmt is _formats.preserve_format:
        fmt = next((f for f in (_formats.channels_last, _formats.channels_last_3d)
                    if not input._data.flags.c_contiguous and _formats.is_contiguous_as(input, f)),
                   None)
    if fmt is None or fmt is _formats.contiguous_format:
        return out
    rg = out._rg
    out = _formats.to_memory_format(out.detach(), fmt)
    return out.requires_grad_(rg) if rg else out


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=input.device if device is None else device, requires_grad=requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    from ._args import check_int
    check_int(n, "eye", "n", 1)
    if m is None:
        m = n
    check_int(m, "eye", "m", 2)
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(_xp(device).eye(n, m, dtype=_np_dtype(dtype)), requires_grad, out)


# ---------------------------------------------------------------------------------------
# ranges

def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """``torch.arange``: int64 for integer arguments, the default float dtype otherwise."""
    from ._args import check_number
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        check_number(start, "arange", "end", 1)
        start, end = 0, start
    else:
        check_number(start, "arange", "start", 1)
        check_number(end, "arange", "end", 2)
    check_number(step, "arange", "step", 3)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    default = int64 if all_int else get_default_dtype()
    npd = _np_dtype(dtype, default)
    n = max(0, math.ceil((end - start) / step))
    _check_numel((n,))
    xp = _xp(device)
    if numpy.dtype(npd) in EXACT_NP:
        # torch 2.14: the length comes from the bounds as given (ceil((end - start) / step),
        # in double; exact integer counting when all three are integers), the values from
        # start and step truncated toward zero (a step of 0.7 gives zeros, as torch)
        if all_int:
            span = end - start + step - (1 if step > 0 else -1)
            n = max(0, abs(span) // abs(step) * (1 if (span >= 0) == (step > 0) else -1))
        start, step = int(start), int(step)
        arr = (start + step * xp.arange(n, dtype=numpy.int64)).astype(npd)
    else:
        arr = (start + xp.arange(n, dtype=numpy.float64) * step).astype(npd)
    return _finish(arr, requires_grad, out)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: like arange but includes ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    vals = start + numpy.arange(n, dtype=numpy.float64) * step
    return _finish(_xp(device).asarray(vals.astype(_np_dtype(dtype))), requires_grad)


def _fma64(a, b, c):
    """``a * b + c`` in float64 with one rounding, like the fused multiply-add of PyTorch's
    compiled CPU kernels (Dekker's exact product and Knuth's two-sum; arrays in, array out)."""
    p = a * b
    t = 134217729.0 * a
    ah = t - (t - a)
    al = a - ah
    t = 134217729.0 * b
    bh = t - (t - b)
    bl = b - bh
    ep = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    return s + (ep + ((p - (s - bb)) + (c - bb)))


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``torch.linspace``, bit-for-bit with PyTorch's CPU kernel: the first half counts up from
    ``start``, the second half down from ``end`` (so the endpoint is exact), the step is
    computed in the result dtype (float64 for integers) and each value is one fused
    multiply-add; float16/bfloat16 round after every operation, as c10::Half does."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, numbers.Integral) or isinstance(steps, builtins.bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    npd = numpy.dtype(_np_dtype(dtype))
    xp = _xp(device)
    if steps == 1:
        return _finish(xp.full((1,), start, dtype=npd), requires_grad, out)
    i = numpy.arange(steps)
    low = i < steps // 2
    k = numpy.where(low, i, steps - 1 - i)
    if npd in COMPLEX_NP:
        s, e = npd.type(start), npd.type(end)
        step = (e - s) / (steps - 1)
        vals = numpy.where(low, s + step * k, e - step * k)
    elif npd in HALF_NP:
        T = npd.type
        s, e = T(start), T(end)
        step = T(T(e - s) / T(steps - 1))
        kt = k.astype(npd)
        vals = numpy.where(low, s + step * kt, e - step * kt)
    else:
        if npd in NATIVE_FLOATING_NP:
            s, e = npd.type(start), npd.type(end)
            step = numpy.float64(npd.type((e - s) / npd.type(steps - 1)))
        else:   # integers: start/end converted to the dtype, the step in double
            s, e = int(start), int(end)
            step = (float(e) - float(s)) / (steps - 1)
        base = numpy.where(low, numpy.float64(s), numpy.float64(e))
        signed = numpy.where(low, step, -step)
        kf = k.astype(numpy.float64)
        # float32: the product is exact in float64 and the sum rounds once
        vals = base + signed * kf if npd == numpy.float32 else _fma64(signed, kf, base)
    return _finish(xp.asarray(vals.astype(npd)), requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    npd = _np_dtype(dtype)
    lin = linspace(start, end, steps, dtype="float64")._data
    vals = numpy.power(base, backend.to_host(lin)).astype(npd)
    return _finish(_xp(device).asarray(vals), requires_grad, out)


# ---------------------------------------------------------------------------------------
# random sampling

def _draw(arr, device):
    if device is None or as_device(device).type == "cpu":
        return arr
    d = as_device(device)
    return backend.to_device(arr, d.type, d.index)


def _float_np(dtype, kernel="check_uniform_bounds"):
    npd = numpy.dtype(_np_dtype(dtype))
    if npd not in FLOATING_NP:
        from .linalg import _TITLE
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_TITLE[NP_TO_DTYPE[npd].name]}'")
    # NumPy draws float32 and float64 natively; other float types are drawn as float32.
    return npd, (npd if npd in (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
                 else numpy.dtype(numpy.float32))


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1)."""
    npd, draw = _float_np(dtype)
    arr = _random._gen(generator).random(_size(size), dtype=draw).astype(npd, copy=False)
    return _finish(_draw(arr, device), requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples."""
    npd, draw = _float_np(dtype, "normal_kernel_cpu")
    arr = _random._gen(generator).standard_normal(_size(size), dtype=draw).astype(npd, copy=False)
    return _finish(_draw(arr, device), requires_grad, out)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """``torch.randint(low=0, high, size)``: integers in [low, high), int64 by default."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    npd = numpy.dtype(_np_dtype(dtype, int64))
    if npd in EXACT_NP:
        info = numpy.iinfo(npd) if npd not in BOOL_NP else numpy.iinfo(numpy.uint8)
        hi = 1 if npd in BOOL_NP else info.max
        from .linalg import _CTYPE
        ctype = _CTYPE[NP_TO_DTYPE[npd].name]
        if not info.min <= low <= hi:
            raise RuntimeError(f"from is out of bounds for {ctype}")
        if not info.min <= high - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {ctype}")
    arr = _random._gen(generator).integers(low, high, _size((size,)), dtype=numpy.int64)
    return _finish(_draw(arr.astype(_np_dtype(dtype, int64), copy=False), device),
                   requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    arr = _random._gen(generator).permutation(n).astype(_np_dtype(dtype, int64))
    return _finish(_draw(arr, device), requires_grad, out)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(rand, input, dtype, device, requires_grad, input.shape)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like(randn, input, dtype, device, requires_grad, input.shape)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype,
                   device=input.device if device is None else device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False):
    """``torch.normal`` with tensor or float mean/std (broadcast), or floats and ``size``."""
    g = _random._gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        _float_np(ref.dtype, "normal_kernel_cpu")
        m = backend.to_host(mean._data) if isinstance(mean, Tensor) else mean
        s = backend.to_host(std._data) if isinstance(std, Tensor) else std
        if isinstance(std, Tensor):
            if bool((s < 0).any()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        shape = numpy.broadcast_shapes(numpy.shape(m), numpy.shape(s))
        z = g.standard_normal(shape, dtype=numpy.float64)
        arr = (m + s * z).astype(ref._data.dtype)
        return _finish(_draw(arr, ref.device), requires_grad, out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: give a tensor "
                        "mean or std, or a size")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    npd, draw = _float_np(dtype, "normal_kernel_cpu")
    arr = (g.standard_normal(_size((size,)), dtype=draw) * std + mean).astype(npd, copy=False)
    return _finish(_draw(arr, device), requires_grad, out)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 1 with probability ``p`` (or ``input``'s elements), 0 otherwise."""
    probs = backend.to_host(input._data) if p is None else p
    if p is None:
        _float_np(input.dtype, "bernoulli_tensor_cpu_p_")
    if p is None and ((probs < 0).any() or (probs > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _random._gen(generator).random(input.shape)
    arr = (u < probs).astype(input._data.dtype)
    return _finish(_draw(arr, input.device), False, out)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Draw ``num_samples`` category indices per row of non-negative weights ``input``."""
    if input._data.dtype not in FLOATING_NP:
        from .linalg import _TITLE
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TITLE[input.dtype.name]}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    w = backend.to_host(input._data).astype(numpy.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    rows = w.reshape(-1, w.shape[-1])
    if (rows < 0).any() or not numpy.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    g = _random._gen(generator)
    result = numpy.empty((rows.shape[0], num_samples), dtype=numpy.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and (row > 0).sum() < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                               "enough non-negative category to sample)")
        result[i] = g.choice(n_cat, size=num_samples, replace=replacement, p=row / total)
    if w.ndim == 1:
        result = result[0]
    return _finish(_draw(result, input.device), False, out)


def poisson(input, generator=None):
    arr = _random._gen(generator).poisson(backend.to_host(input._data)).astype(input._data.dtype)
    return _make(_draw(arr, input.device))


def binomial(count, prob, generator=None):
    """``torch.binomial``: one Binomial(count, prob) draw per element, in ``count``'s float
    dtype (shapes broadcast as torch's; NumPy's generator, so the values differ)."""
    if not (isinstance(count, Tensor) and isinstance(prob, Tensor)):
        raise TypeError("binomial(): argument 'count' and 'prob' must be Tensor")
    for name, t in (("count", count), ("prob", prob)):
        if t._data.dtype not in FLOATING_NP:
            from .linalg import _TITLE
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{_TITLE[t.dtype.name]}")
    n = backend.to_host(count._data)
    p = backend.to_host(prob._data)
    if (p < 0).any() or (p > 1).any():
        raise RuntimeError("binomial: probability must be in [0, 1]")
    arr = _random._gen(generator).binomial(n.astype("int64"), p).astype(count._data.dtype)
    return _make(_draw(arr, count.device))


# ---------------------------------------------------------------------------------------
# in-place fills (initialisers use these under no_grad)

def _fill_inplace(self, arr):
    from .pointwise import apply_inplace
    from .._tensor import _make as mk
    xp = backend.get_array_module(self._data)
    if not backend.is_array(arr) or backend.get_array_module(arr) is not xp:
        arr = xp.asarray(arr)
    filled = mk(arr.astype(self._data.dtype, copy=False))
    return apply_inplace(self, lambda s: filled)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    npd, draw = _float_np(self.dtype)
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_:g} > to={to:g}")
    u = _random._gen(generator).random(self.shape, dtype=draw)
    return _fill_inplace(self, u * (to - from_) + from_)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    npd, draw = _float_np(self.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    z = _random._gen(generator).standard_normal(self.shape, dtype=draw)
    return _fill_inplace(self, z * std + mean)


def bernoulli_(self, p=0.5, *, generator=None):
    probs = p._data if isinstance(p, Tensor) else p
    u = _random._gen(generator).random(self.shape)
    return _fill_inplace(self, u < backend.to_host(probs) if isinstance(p, Tensor) else u < probs)


def random_(self, from_=0, to=None, *, generator=None, **kwargs):
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if to is None:
        from_, to = 0, (from_ if from_ else 2 ** (min(self.dtype.itemsize * 8 - 1, 53)))
    vals = _random._gen(generator).integers(from_, to, self.shape)
    return _fill_inplace(self, vals)


def exponential_(self, lambd=1.0, *, generator=None):
    vals = _random._gen(generator).exponential(1.0 / lambd, self.shape)
    return _fill_inplace(self, vals)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    vals = _random._gen(generator).lognormal(mean, std, self.shape)
    return _fill_inplace(self, vals)


def geometric_(self, p, *, generator=None):
    return _fill_inplace(self, _random._gen(generator).geometric(p, self.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill_inplace(self, median + sigma * _random._gen(generator).standard_cauchy(self.shape))


def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value.item()
    xp = backend.get_array_module(self._data)
    return _fill_inplace(self, xp.full(self._data.shape, value, self._data.dtype))


def zero_(self):
    xp = backend.get_array_module(self._data)
    return _fill_inplace(self, xp.zeros(self._data.shape, self._data.dtype))


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast, moved across devices) into ``self``; differentiable in src."""
    from .pointwise import apply_inplace, _to_dtype, to
    from .shape import expand

    def result(s, src):
        if not isinstance(src, Tensor):
            src = tensor(src)
        if src.device.type != s.device.type:
            src = to(src, s.device)
        return expand(_to_dtype(src, s.dtype), s.shape)
    return apply_inplace(self, result, src)


METHODS = ("uniform_", "normal_", "bernoulli_", "random_", "exponential_", "log_normal_",
           "geometric_", "cauchy_", "fill_", "zero_", "copy_", "bernoulli", "multinomial")
