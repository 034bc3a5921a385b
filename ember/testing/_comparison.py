"""``torch.testing.assert_close``: same rules, default tolerances and messages as PyTorch.

Tensors (and NumPy arrays / Python scalars next to tensors) are compared after checking
shape, then device, dtype and, on request, strides; values pass where
``|actual - expected| <= atol + rtol * |expected|``, infinities only when equal, NaNs
when ``equal_nan``. Sequences and mappings are compared item by item, and the failing
item is named (``The failure occurred for item ['a']``). The default tolerances depend
on the dtype as in PyTorch (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7;
float16: 1e-3, 1e-5; bfloat16: 1.6e-2, 1e-5; integers and bool: exact).
"""
import collections.abc
import math

import numpy

_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5),
               "complex128": (1e-7, 1e-7)}


class _Failure(Exception):
    def __init__(self, exc_type, msg):
        super().__init__(msg)
        self.exc_type, self.msg = exc_type, msg


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


def _tolerances(dtype_name, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but "
                         f"got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    return _TOLERANCES.get(dtype_name, (0.0, 0.0))


def _host(t):
    from .. import backend
    arr = backend.to_host(t._data)
    if arr.dtype.kind == "V" or arr.dtype.name == "bfloat16":
        arr = arr.astype(numpy.float32)
    return arr


def _fmt_index(flat, shape):
    return str(tuple(int(i) for i in numpy.unravel_index(flat, shape))) if shape else "()"


def _compare_values(actual, expected, rtol, atol, equal_nan, what):
    a = actual.astype(numpy.complex128 if actual.dtype.kind == "c" or expected.dtype.kind == "c"
                      else numpy.float64)
    b = expected.astype(a.dtype)
    if a.dtype.kind == "c":
        ok = _close(a.real, b.real, rtol, atol, equal_nan) & _close(a.imag, b.imag, rtol, atol,
                                                                     equal_nan)
    else:
        ok = _close(a, b, rtol, atol, equal_nan)
    if ok.all():
        return
    exact = rtol == 0 and atol == 0
    n_bad, n = int((~ok).sum()), ok.size
    # the differences are reported in the tensors' own float dtype (float32 for integer
    # tensors), as PyTorch reports them
    kind = numpy.result_type(actual.dtype, expected.dtype)
    work = kind if kind.kind in "fc" else numpy.dtype(numpy.float32)
    with numpy.errstate(all="ignore"):
        abs_diff = numpy.abs(actual.astype(work) - expected.astype(work)).astype(numpy.float64)
        rel_diff = (numpy.abs(actual.astype(work) - expected.astype(work)) /
                    numpy.abs(expected.astype(work))).astype(numpy.float64)
    nan_free = numpy.where(numpy.isnan(abs_diff) & ~ok, numpy.inf, abs_diff)
    abs_diff = numpy.where(ok, 0, nan_free)
    rel_diff = numpy.where(ok, 0, numpy.where(numpy.isnan(rel_diff), numpy.inf, rel_diff))
    ai, ri = int(numpy.argmax(abs_diff)), int(numpy.argmax(rel_diff))
    integral = actual.dtype.kind in "iub" and expected.dtype.kind in "iub"

    def num(v):
        v = float(v)
        return str(int(v)) if integral and math.isfinite(v) else repr(v) if math.isfinite(v) \
            else str(v)
    title = f"{what} are not {'equal' if exact else 'close'}!"
    lines = [title, "", f"Mismatched elements: {n_bad} / {n} ({100 * n_bad / n:.1f}%)"]
    lines.append(f"Greatest absolute difference: {num(abs_diff.flat[ai])} at index "
                 f"{_fmt_index(ai, a.shape)}" + ("" if exact else f" (up to {atol} allowed)"))
    lines.append(f"Greatest relative difference: {repr(float(rel_diff.flat[ri]))} at index "
                 f"{_fmt_index(ri, a.shape)}" + ("" if exact else f" (up to {rtol} allowed)"))
    raise _Failure(AssertionError, "\n".join(lines))


def _close(a, b, rtol, atol, equal_nan):
    with numpy.errstate(all="ignore"):
        ok = numpy.abs(a - b) <= atol + rtol * numpy.abs(b)
    ok |= a == b                        # equal infinities
    if equal_nan:
        ok |= numpy.isnan(a) & numpy.isnan(b)
    return ok


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype,
                     check_stride):
    if actual.shape != expected.shape:
        raise _Failure(AssertionError, f"The values for attribute 'shape' do not match: "
                                       f"{actual.shape} != {expected.shape}.")
    if check_device and actual.device != expected.device:
        raise _Failure(AssertionError, f"The values for attribute 'device' do not match: "
                                       f"{actual.device} != {expected.device}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Failure(AssertionError, f"The values for attribute 'dtype' do not match: "
                                       f"{actual.dtype} != {expected.dtype}.")
    if check_stride and actual.stride() != expected.stride():
        raise _Failure(AssertionError, f"The values for attribute 'stride()' do not match: "
                                       f"{actual.stride()} != {expected.stride()}.")
    from .._dtype import promote_types
    dt = promote_types(actual.dtype, expected.dtype) if not check_dtype else actual.dtype
    rtol, atol = _tolerances(str(dt).split(".")[-1], rtol, atol)
    _compare_values(_host(actual), _host(expected), rtol, atol, equal_nan, "Tensor-likes")


def _compare_scalars(actual, expected, rtol, atol, equal_nan):
    if type(actual) is not type(expected) and not (
            isinstance(actual, (int, float)) and isinstance(expected, (int, float))
            and not isinstance(actual, bool) and not isinstance(expected, bool)):
        raise _Failure(AssertionError, f"The values for attribute 'dtype' do not match: "
                                       f"{type(actual)} != {type(expected)}.")
    is_float = isinstance(actual, (float, complex)) or isinstance(expected, (float, complex))
    rtol, atol = _tolerances("float64" if is_float else "int64", rtol, atol)
    a, b = complex(actual), complex(expected)
    ok = a == b or (equal_nan and math.isnan(abs(a)) and math.isnan(abs(b))) or \
        abs(a - b) <= atol + rtol * abs(b)
    if ok:
        return
    diff = abs(a - b)
    rel = diff / abs(b) if b else math.inf
    if rtol == 0 and atol == 0:
        msg = (f"Scalars are not equal!\n\nExpected {expected} but got {actual}.\n"
               f"Absolute difference: {diff}\nRelative difference: {rel}")
    else:
        msg = (f"Scalars are not close!\n\nExpected {expected} but got {actual}.\n"
               f"Absolute difference: {diff} (up to {atol} allowed)\n"
               f"Relative difference: {rel} (up to {rtol} allowed)")
    raise _Failure(AssertionError, msg)


def _compare(actual, expected, path, opts):
    try:
        if _is_tensor(actual) or _is_tensor(expected) or isinstance(actual, numpy.ndarray) \
                or isinstance(expected, numpy.ndarray):
            from ..ops.creation import as_tensor
            if not (_is_tensor(actual) or isinstance(actual, numpy.ndarray)) or \
                    not (_is_tensor(expected) or isinstance(expected, numpy.ndarray)):
                raise _Failure(TypeError, f"No comparison pair was able to handle inputs of "
                               f"type {type(actual)} and {type(expected)}.")
            if _is_tensor(actual) != _is_tensor(expected) and not opts["allow_subclasses"]:
                raise _Failure(TypeError, f"No comparison pair was able to handle inputs of "
                               f"type {type(actual)} and {type(expected)}.")
            _compare_tensors(as_tensor(actual), as_tensor(expected), opts["rtol"], opts["atol"],
                             opts["equal_nan"], opts["check_device"], opts["check_dtype"],
                             opts["check_stride"])
        elif isinstance(actual, (bool, int, float, complex)) and \
                isinstance(expected, (bool, int, float, complex)):
            _compare_scalars(actual, expected, opts["rtol"], opts["atol"], opts["equal_nan"])
        elif isinstance(actual, collections.abc.Mapping) and \
                isinstance(expected, collections.abc.Mapping):
            if set(actual) != set(expected):
                raise _Failure(AssertionError, f"The keys of the mappings do not match:\n"
                               f"Missing keys in the actual mapping: {sorted(map(repr, set(expected) - set(actual)))}\n"
                               f"Additional keys in the actual mapping: {sorted(map(repr, set(actual) - set(expected)))}")
            for k in expected:
                _compare(actual[k], expected[k], path + [k], opts)
        elif isinstance(actual, collections.abc.Sequence) and not isinstance(actual, str) and \
                isinstance(expected, collections.abc.Sequence) and not isinstance(expected, str):
            if len(actual) != len(expected):
                raise _Failure(AssertionError, f"The length of the sequences mismatch: "
                                               f"{len(actual)} != {len(expected)}")
            for i, (a, e) in enumerate(zip(actual, expected)):
                _compare(a, e, path + [i], opts)
        elif actual is None and expected is None:
            return
        else:
            if actual == expected and type(actual) is type(expected):
                return
            raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type "
                                      f"{type(actual)} and {type(expected)}.")
    except _Failure as f:
        if path and not getattr(f, "located", False):
            f.msg += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in path)
            f.located = True
        raise


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """``torch.testing.assert_close`` (see the module docstring)."""
    opts = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    try:
        _compare(actual, expected, [], opts)
    except _Failure as f:
        text = f.msg
        if msg is not None:
            text = msg(text) if callable(msg) else msg
        raise f.exc_type(text) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """The deprecated ``torch.testing.assert_allclose``: like assert_close without dtype
    checks, NaNs equal by default."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=False, check_device=False, msg=msg or None)
