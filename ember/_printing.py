"""Tensor repr/str in PyTorch's format, with ``ember`` in place of ``torch``.

This follows ``torch/_tensor_str.py`` of PyTorch 2.13 for dense tensors:

* Floating tensors share one column format (``_Formatter``) chosen from their nonzero
  finite values: *integer mode* when all are whole numbers (``tensor([1., 2.])``),
  *scientific mode* when max/min > 1000, max > 1e8 or min < 1e-4 (or as forced by
  ``set_printoptions(sci_mode=...)``), fixed-point with ``precision`` digits otherwise.
  Values are right-aligned to the widest formatted value.
* Complex tensors use one formatter for the real parts and one for the imaginary parts.
* Rows wrap at ``linewidth`` counting the ``tensor(`` indentation; sub-tensors are
  joined with one blank line per dimension beyond the second.
* A tensor with more than ``threshold`` elements is summarised: only ``edgeitems``
  entries at each end of each long dimension are shown, with ``...`` between them.
* Suffixes: ``device='cuda:0'`` off the CPU, ``dtype=...`` unless the dtype is the
  default float dtype, its complex counterpart, int64 or bool (empty tensors show any
  dtype other than the default float dtype, and ``size=`` unless 1-D),
  ``grad_fn=<...>`` or ``requires_grad=True``.

Values are formatted with Python's ``format`` on Python floats (float16, bfloat16 and
float32 are widened to float64 exactly), as PyTorch does through ``Tensor.item()``.
Only the elements that are shown are copied to the host.
"""
import contextlib
import dataclasses
import math

import numpy

from . import backend

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool = None


PRINT_OPTS = _PrintOptions()

# profile -> (precision, threshold, edgeitems, linewidth), as in torch.set_printoptions.
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing tensors (``torch.set_printoptions``).

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: number of elements above which a tensor is summarised (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: 'default', 'short' or 'full' resets the four options above before
            the explicit ones apply; other names are ignored, as in PyTorch.
        sci_mode: True/False forces scientific notation on/off; None chooses it
            automatically. Like PyTorch, every call sets it (omitting it resets to None).
    """
    if profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**d)`` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (``torch._tensor_str.printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One column format for a set of real values (PyTorch's ``_Formatter``).

    ``values`` is a host array of what will be shown: float64 for floating tensors,
    the integer or bool array otherwise.
    """

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            for v in values.ravel().tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        flat = values.ravel()
        vals = flat[numpy.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        magnitudes = numpy.abs(vals)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(numpy.all(vals == numpy.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            spec, extra = f".{PRINT_OPTS.precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1              # room for the trailing '.'
        else:
            spec, extra = f".{PRINT_OPTS.precision}f", 0
        self.max_width = max(len(format(v, spec)) for v in vals.tolist()) + extra

    def format(self, value):
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = format(value, f"{self.max_width}.{PRINT_OPTS.precision}e")
        elif self.int_mode:
            s = format(value, ".0f")
            if not (math.isinf(value) or math.isnan(value)):
                s += "."
        else:
            s = format(value, f".{PRINT_OPTS.precision}f")
        return s.rjust(self.max_width)


def _element_str(value, fmt, imag_fmt):
    """One element; a complex one is ``real+imagj`` with each part in its own format."""
    if imag_fmt is None:
        return fmt.format(value)
    real = fmt.format(value.real)
    imag = (imag_fmt.format(value.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _render(a, cut, indent, fmt, imag_fmt):
    """Nested brackets for host array ``a``.

    ``cut[k]`` says that axis k was summarised: ``a`` then holds only its first and last
    ``edgeitems`` entries along it, and ``...`` goes between them.
    """
    if a.ndim == 0:
        return _element_str(a.item(), fmt, imag_fmt)
    e = PRINT_OPTS.edgeitems
    if a.ndim == 1:
        element_length = fmt.max_width + 2
        if imag_fmt is not None:
            element_length += imag_fmt.max_width + 1
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
        data = [_element_str(v, fmt, imag_fmt) for v in a.tolist()]
        if cut[0]:
            data = data[:e] + [" ..."] + data[e:]
        lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    slices = [_render(a[i], cut[1:], indent + 1, fmt, imag_fmt) for i in range(a.shape[0])]
    if cut[0]:
        slices = slices[:e] + ["..."] + slices[e:]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(data, dtype, indent):
    """The bracketed contents of a non-empty tensor whose backend array is ``data``."""
    e = PRINT_OPTS.edgeitems
    cut = (False,) * data.ndim
    if data.size > PRINT_OPTS.threshold and data.ndim > 0:
        if not e:
            return "[...]"
        # Keep only what is shown, before copying to the host.
        cut = tuple(n > 2 * e for n in data.shape)
        xp = backend.get_array_module(data)
        for axis, n in enumerate(data.shape):
            if cut[axis]:
                head = (slice(None),) * axis + (slice(0, e),)
                tail = (slice(None),) * axis + (slice(n - e, n),)
                data = xp.concatenate((data[head], data[tail]), axis=axis)
    a = backend.to_host(data)
    if dtype.is_complex:
        a = a.astype(numpy.complex128)
        fmt, imag_fmt = _Formatter(a.real, True), _Formatter(a.imag, True)
    elif dtype.is_floating_point:
        a = a.astype(numpy.float64)
        fmt, imag_fmt = _Formatter(a, True), None
    else:
        fmt, imag_fmt = _Formatter(a, False), None
    return _render(a, cut, indent, fmt, imag_fmt)


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    """Append ``, suffix`` items, starting a new line when one would pass linewidth (and
    for the first one with ``force_newline``, as torch prints sparse tensors)."""
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if force_newline or last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            force_newline = False
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _prefix(t):
    """``tensor(`` for a plain Tensor or Parameter, ``ClassName(`` for other subclasses."""
    from ._tensor import Tensor
    cls = type(t)
    if cls is Tensor or (cls.__name__ == "Parameter" and cls.__module__.startswith("ember.")):
        return "tensor("
    return cls.__name__ + "("


def tensor_repr(t, *, tensor_contents=None):
    """``repr(t)`` and ``str(t)`` of a Tensor, as PyTorch's ``Tensor.__repr__``.

    ``tensor_contents`` replaces the bracketed values, as in PyTorch.
    """
    from ._dtype import get_default_dtype
    prefix = _prefix(t)
    indent = len(prefix)
    suffixes = []
    device = t.device
    if device.type != "cpu":
        suffixes.append(f"device='{device}'")

    data = t._data
    dtype = t.dtype
    default = get_default_dtype().name
    implied = (default, "complex128" if default == "float64" else "complex64", "int64", "bool")
    if data.__class__ is not backend.ndarray and hasattr(type(data), "nnz"):
        body = _sparse_body(data, dtype, indent, implied, suffixes)
    elif data.size == 0:
        # No values to tell int64 from float: any non-default dtype is shown.
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype.name != default:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype.name not in implied:
            suffixes.append(f"dtype={dtype!r}")
        body = None
    if tensor_contents is not None:
        body = tensor_contents
    elif body is None:
        body = _tensor_str(data, dtype, indent)

    sparse = hasattr(type(data), "nnz")
    if sparse:
        compressed = hasattr(type(data), "compressed")
        suffixes.append(f"layout={data.layout!r}" if compressed else "layout=ember.sparse_coo")
        sparse = not compressed     # torch starts a new line for COO's suffixes only
    grad_fn = t.grad_fn
    if grad_fn is not None:
        name = getattr(grad_fn, "name", None)
        name = name() if callable(name) else type(grad_fn).__name__
        suffixes.append(f"grad_fn=<{name}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent, sparse)


def _sparse_body(data, dtype, indent, implied, suffixes):
    """``indices=tensor(...),\n values=tensor(...)`` (``crow_indices=``, ``col_indices=``,
    ``values=`` for the compressed layouts) and the size/nnz/dtype suffixes of a sparse
    tensor, as torch's _str_intern prints them."""
    from ._dtype import int64
    suffixes.append(f"size={tuple(data.shape)}")
    suffixes.append(f"nnz={data.nnz}")
    if dtype.name not in implied:
        suffixes.append(f"dtype={dtype!r}")
    if hasattr(type(data), "compressed"):
        names = ("crow_indices", "col_indices") if data.row_major else \
            ("ccol_indices", "row_indices")
        parts = [(names[0], data.compressed, int64), (names[1], data.plain, int64)]
    else:
        parts = [("indices", data.indices, int64)]
    parts.append(("values", data.values, dtype))
    out = []
    for name, arr, dt in parts:
        p = name + "=tensor("
        body = _tensor_str(arr, dt, indent + len(p)) if arr.size else "[]"
        if arr.size == 0:
            body += f", size={tuple(arr.shape)}"
        out.append(p + body + ")")
    return (",\n" + " " * indent).join(out)
