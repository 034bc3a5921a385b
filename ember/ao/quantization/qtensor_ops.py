"""Float ops that accept quantized tensors, as torch's QuantizedCPU kernels do for
value-preserving ops (relu, max pooling, reshapes, views, cat ...).

A ``DispatchMode`` at the bottom of the mode stack, installed when the first quantized
tensor is made (``ember._qtensor``): a call with no quantized argument goes straight on
(this costs every op one mode dispatch, about a microsecond, in a process that has made a
quantized tensor, and nothing in one that has not); a call with one runs the op on the
dequantized values and quantizes the float results with the first quantized input's
scale and zero point. For the ops listed that is exact (their outputs are input values,
or 0, which the zero point represents); average pooling rounds its mean to the input's
grid, as torch's quantized average pooling does (within one quantization step: torch
rounds in the integer domain). Any other op on a quantized tensor raises torch's
"Could not run 'aten::<op>' with arguments from the 'QuantizedCPU' backend".
"""
import re

from ... import _qtensor as _q
from ...autograd import dispatch as _dispatch

_ALLOWED = None


def _allowed():
    global _ALLOWED
    if _ALLOWED is None:
        from ...ops import pointwise as pw, shape as sh, pooling as po, activation as act
        from ...ops import indexing as ix, dropout as dr
        names = {
            pw: ("Relu", "Clamp", "Clone"),
            act: ("Hardtanh", "Threshold"),
            sh: ("View", "ReshapeCopy", "Contiguous", "Squeeze", "SqueezeDim", "SqueezeDims",
                 "Unsqueeze", "Transpose", "TransposeT", "Permute", "Expand", "Flip", "Slice",
                 "Cat", "Stack", "Split", "SplitWithSizes", "Unbind", "Repeat"),
            po: ("MaxPool", "AvgPool"),
            ix: ("Index", "IndexSelect"),
            dr: ("Dropout",),
        }
        allowed = set()
        for mod, ns in names.items():
            for n in ns:
                cls = getattr(mod, n, None)
                if cls is not None:
                    allowed.add(cls)
        _ALLOWED = frozenset(allowed)
    return _ALLOWED


def _is_allowed(func):
    allowed = _allowed()
    return any(c in allowed for c in func.__mro__)


def _aten_name(func):
    base = func.__name__.lstrip("_")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


class QuantizedTensorMode(_dispatch.DispatchMode):
    """See the module docstring."""

    def __ember_dispatch__(self, func, args, kwargs):
        ref = None
        for a in args:
            if type(a) is _q.QTensor:
                ref = a
                break
        if ref is None:
            return func.apply(*args, **kwargs)
        if not _is_allowed(func):
            raise NotImplementedError(
                f"Could not run 'aten::{_aten_name(func)}' with arguments from the "
                f"'QuantizedCPU' backend. This could be because the operator doesn't exist for "
                f"this backend. (Dequantize first: x.dequantize().)")
        if ref._qscheme is not _q.per_tensor_affine:
            raise NotImplementedError(f"'aten::{_aten_name(func)}' on a per-channel quantized "
                                      "tensor")
        floats = tuple(a.dequantize() if type(a) is _q.QTensor else a for a in args)
        out = func.apply(*floats, **kwargs)
        if isinstance(out, tuple):
            return tuple(self._requantize(o, ref) for o in out)
        return self._requantize(out, ref)

    @staticmethod
    def _requantize(out, ref):
        if out is None or out._data.dtype.kind not in "fV":
            return out
        ints = _q.quantize_array(out._data, ref._scale, ref._zero_point, ref._qdtype)
        return _q._new_qtensor(ints, ref._qdtype, _q.per_tensor_affine, ref._scale,
                               ref._zero_point, None, None, None)


_installed = [False]


def install():
    if not _installed[0]:
        _installed[0] = True
        _dispatch.push_base_mode(QuantizedTensorMode())
