"""Quantized tensors: ``ember.qint8``/``quint8``/``qint32``/``quint4x2``, the quantization
schemes (``ember.per_tensor_affine`` ...), ``quantize_per_tensor``,
``quantize_per_channel`` and the quantized tensor's methods (``dequantize``,
``int_repr``, ``q_scale``, ``q_zero_point``, ``q_per_channel_*``, ``qscheme``).

A quantized tensor is a ``QTensor``: a Tensor subclass that keeps the integer storage
(``int_repr``) and its quantization parameters. Making the first one installs a dispatch
mode (``ember/ao/quantization/qtensor_ops.py``) that sees every op call with a quantized
argument before the op reads it: ops torch runs on quantized tensors (relu, max pooling,
reshapes ...) run on the values and are requantized; any other raises PyTorch's "Could
not run ... with arguments from the 'QuantizedCPU' backend" instead of computing on the
integers. The quantized dtypes are the dtype table's (``ember/_dtype.py``, category
quantized).

Numerics are fbgemm's, checked bit for bit against torch: ``q = clamp(round_half_even(x *
float32(1 / scale)) + zero_point, qmin, qmax)`` in float32; ``dequantize`` is ``(q -
zero_point) * scale``: float32 per tensor, float64 rounded to float32 per channel
(both as torch's kernels). Per-channel scales are float64 and zero points int64,
as torch keeps them. quint4x2 is stored one value per byte (torch packs two per byte):
values and ``int_repr`` ranges agree, ``element_size``/``nbytes`` do not.
"""
import numpy

from . import _dtype
from ._tensor import Tensor, Size, _make
from ._named import NamedSingleton


class qscheme(NamedSingleton):
    """A quantization scheme (``ember.per_tensor_affine`` ...); prints as ``ember.<name>``."""

    __slots__ = ()


per_tensor_affine = qscheme("per_tensor_affine")
per_channel_affine = qscheme("per_channel_affine")
per_tensor_symmetric = qscheme("per_tensor_symmetric")
per_channel_symmetric = qscheme("per_channel_symmetric")
per_channel_affine_float_qparams = qscheme("per_channel_affine_float_qparams")
_QSCHEMES = qscheme._by_name


# The quantized dtypes are entries of the dtype table (category quantized, storage type,
# integer range qmin/qmax): one object each, ``ember.qint8 is ember._dtype.qint8``.
_QDtype = _dtype.dtype
qint8, quint8, qint32, quint4x2 = _dtype.qint8, _dtype.quint8, _dtype.qint32, _dtype.quint4x2
_QDTYPES = {d.name: d for d in (qint8, quint8, qint32, quint4x2)}
QUANTIZED = _dtype.QUANTIZED
# the plain integer dtype of int_repr for each quantized dtype
_REPR_DTYPE = {qint8: _dtype.int8, quint8: _dtype.uint8, qint32: _dtype.int32,
               quint4x2: _dtype.uint8}


def _qdtype_by_name(name):
    return _QDTYPES[name]


def _check_qdtype(dtype, fname):
    if dtype not in QUANTIZED:
        raise RuntimeError(f"{fname}: expected a quantized dtype (ember.qint8, ember.quint8, "
                           f"ember.qint32 or ember.quint4x2), but got {dtype}")


def _backend_name(t):
    return "QuantizedCPU" if not t.is_cuda else "QuantizedCUDA"


class QTensor(Tensor):
    """A quantized tensor (``tensor.is_quantized``); see the module docstring."""

    is_quantized = True

    def is_floating_point(self):
        return False        # a quantized dtype is not floating point (torch says False too)

    @property
    def _data(self):
        # The dequantized values (cached), for the argument checks of op wrappers that
        # read shapes and dtypes. Ops never compute on them unseen: the quantized-tensor
        # mode (ember/ao/quantization/qtensor_ops.py) sees every op call with a quantized
        # argument first, and either runs an op torch supports on quantized tensors or
        # raises torch's QuantizedCPU error.
        d = self.__dict__
        deq = d.get("_deq")
        if deq is None:
            deq = d["_deq"] = self._dequantize_array()
        return deq

    @_data.setter
    def _data(self, value):
        raise NotImplementedError("a quantized tensor's storage is set by quantize_per_tensor "
                                  "/ quantize_per_channel")

    # -- the tensor's metadata ----------------------------------------------------------
    @property
    def dtype(self):
        return self._qdtype

    @property
    def shape(self):
        return Size(self._int.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._int.shape)
        return self._int.shape[dim]

    @property
    def ndim(self):
        return self._int.ndim

    def dim(self):
        return self._int.ndim

    def numel(self):
        return self._int.size

    def element_size(self):
        return self._int.itemsize

    @property
    def device(self):
        from . import _device
        return _device.CPU

    @property
    def is_cuda(self):
        return False

    @property
    def requires_grad(self):
        return False

    def __len__(self):
        return self._int.shape[0]

    # -- quantized API ------------------------------------------------------------------
    def qscheme(self):
        return self._qscheme

    def q_scale(self):
        self._per_tensor("q_scale")
        return self._scale

    def q_zero_point(self):
        self._per_tensor("q_zero_point")
        return self._zero_point

    def q_per_channel_scales(self):
        self._per_channel("q_per_channel_scales")
        return _make(self._scales.copy())

    def q_per_channel_zero_points(self):
        self._per_channel("q_per_channel_zero_points")
        return _make(self._zero_points.copy())

    def q_per_channel_axis(self):
        self._per_channel("q_per_channel_axis")
        return self._axis

    def _per_tensor(self, name):
        if self._qscheme is not per_tensor_affine:
            raise RuntimeError(f"Expected quantizer->qscheme() == kPerTensorAffine to be true, "
                               f"but got false.  ({name} of a {self._qscheme!r} tensor)")

    def _per_channel(self, name):
        if self._qscheme is per_tensor_affine:
            raise RuntimeError(f"Expected quantizer->qscheme() == kPerChannelAffine || "
                               f"quantizer->qscheme() == kPerChannelAffineFloatQParams to be "
                               f"true, but got false.  ({name} of a per-tensor tensor)")

    def int_repr(self):
        return _make(self._int.copy())

    def _scale_shape(self):
        shape = [1] * self._int.ndim
        shape[self._axis] = self._int.shape[self._axis]
        return shape

    def _dequantize_array(self):
        # per tensor: float32 (q - zero_point) * float32(scale), as fbgemm; per channel:
        # in double with the double scales, rounded to float32 (torch's per-channel kernel)
        if self._qscheme is per_tensor_affine:
            q = self._int.astype(numpy.float32)
            return (q - numpy.float32(self._zero_point)) * numpy.float32(self._scale)
        q = self._int.astype(numpy.float64)
        shape = self._scale_shape()
        s = self._scales.reshape(shape)
        if self._qscheme is per_channel_affine_float_qparams:
            s = s.astype(numpy.float32)
            return q.astype(numpy.float32) * s + self._zero_points.reshape(shape)
        z = self._zero_points.reshape(shape)
        return ((q - z) * s).astype(numpy.float32)

    def dequantize(self):
        return _make(self._dequantize_array())

    def detach(self):
        return self

    def clone(self, *, memory_format=None):
        return _new_qtensor(self._int.copy(), self._qdtype, self._qscheme, self._scale,
                            self._zero_point, self._scales, self._zero_points, self._axis)

    def contiguous(self, memory_format=None):
        return self

    def __getitem__(self, index):
        return _new_qtensor(numpy.ascontiguousarray(self._int[index]), self._qdtype,
                            self._qscheme, self._scale, self._zero_point, self._scales,
                            self._zero_points, self._axis) \
            if self._qscheme is per_tensor_affine else self._per_channel_getitem(index)

    def _per_channel_getitem(self, index):
        raise NotImplementedError("indexing a per-channel quantized tensor")

    def reshape(self, *shape):
        self._per_tensor("reshape")
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return _new_qtensor(self._int.reshape(shape), self._qdtype, self._qscheme,
                            self._scale, self._zero_point, None, None, None)

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        s = list(self._int.shape)
        end = end_dim % len(s) if s else 0
        new = s[:start_dim] + [int(numpy.prod(s[start_dim:end + 1]))] + s[end + 1:]
        return self.reshape(new)

    def __repr__(self, *, tensor_contents=None):
        from . import _printing
        prefix = "tensor("
        indent = len(prefix)
        body = _printing._tensor_str(self._dequantize_array(), _dtype.float32, indent) \
            if self._int.size else "[]"
        suffixes = [f"size={tuple(self._int.shape)}", f"dtype={self._qdtype!r}",
                    f"quantization_scheme={self._qscheme!r}"]
        if self._qscheme is per_tensor_affine:
            suffixes += [f"scale={self._scale}", f"zero_point={self._zero_point}"]
        else:
            suffixes += [f"scale={_make(self._scales)!r}",
                         f"zero_point={_make(self._zero_points)!r}", f"axis={self._axis}"]
        return _printing._add_suffixes(prefix + body, suffixes, indent)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild_qtensor, (self._int, self._qdtype.name, self._qscheme.name,
                                   self._scale, self._zero_point, self._scales,
                                   self._zero_points, self._axis))

    def __eq__(self, other):
        raise NotImplementedError("Could not run 'aten::eq.Tensor' with arguments from the "
                                  "'QuantizedCPU' backend; compare .int_repr() or .dequantize()")

    __hash__ = object.__hash__


_ops_mode = [False]


def _new_qtensor(ints, qdtype, scheme, scale, zero_point, scales, zero_points, axis):
    if not _ops_mode[0]:
        # float ops that take quantized tensors (relu, max_pool, view ...): installed once
        _ops_mode[0] = True
        from .ao.quantization import qtensor_ops
        qtensor_ops.install()
    t = object.__new__(QTensor)
    d = t.__dict__
    d["_int"] = ints
    d["_qdtype"] = qdtype
    d["_qscheme"] = scheme
    d["_scale"] = scale
    d["_zero_point"] = zero_point
    d["_scales"] = scales
    d["_zero_points"] = zero_points
    d["_axis"] = axis
    return t


def _rebuild_qtensor(ints, dtype_name, scheme_name, scale, zero_point, scales, zero_points,
                     axis):
    return _new_qtensor(ints, _QDTYPES[dtype_name], _QSCHEMES[scheme_name], scale, zero_point,
                        scales, zero_points, axis)


def quantize_array(x, scale, zero_point, qdtype):
    """fbgemm's rounding of float array ``x``: float32 ``x * (1/scale)``, round half to even,
    + zero_point, clamped to the dtype's range; returns the storage integers."""
    x = numpy.asarray(x, dtype=numpy.float32)
    inv = numpy.float32(1.0) / numpy.float32(scale)
    q = numpy.rint(x * inv)
    q = q + numpy.float32(zero_point) if numpy.ndim(zero_point) == 0 else \
        q + numpy.asarray(zero_point, dtype=numpy.float32)
    return numpy.clip(q, qdtype.qmin, qdtype.qmax).astype(qdtype.np)


def _float_input(input, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(input, QTensor):
        raise RuntimeError(f"{fname}: expected a float tensor, but got a quantized tensor "
                           f"({input.dtype})")
    a = input._data
    if a.dtype.kind not in "fV":
        raise RuntimeError(f"Quantize only works on Float Tensor, got {input.dtype}"
                           .replace("ember.", "").replace("float32", "Float"))
    return numpy.asarray(a, dtype=numpy.float32) if a.dtype != numpy.float32 else a


def quantize_per_tensor(input, scale, zero_point, dtype):
    """``torch.quantize_per_tensor(input, scale, zero_point, dtype)`` (a list of tensors
    with lists of scales and zero points gives a list, as in torch)."""
    if isinstance(input, (list, tuple)):
        return [quantize_per_tensor(t, float(s), int(z), dtype)
                for t, s, z in zip(input, _as_list(scale), _as_list(zero_point))]
    _check_qdtype(dtype, "quantize_per_tensor")
    x = _float_input(input, "quantize_per_tensor")
    if isinstance(scale, Tensor):
        scale = scale.item()
    if isinstance(zero_point, Tensor):
        zero_point = zero_point.item()
    scale = float(scale)     # kept as a double, as torch; the rounding uses float32
    zero_point = int(zero_point)
    if not dtype.qmin <= zero_point <= dtype.qmax and dtype is not qint32:
        raise RuntimeError(f"quantize_val: zero_point ({zero_point}) is out of range of "
                           f"{dtype.name} [{dtype.qmin}, {dtype.qmax}]")
    return _new_qtensor(quantize_array(x, scale, zero_point, dtype), dtype, per_tensor_affine,
                        scale, zero_point, None, None, None)


def _as_list(v):
    if isinstance(v, Tensor):
        return v.tolist()
    return list(v)


def quantize_per_channel(input, scales, zero_points, axis, dtype):
    """``torch.quantize_per_channel(input, scales, zero_points, axis, dtype)``: scales
    (float64) and zero points (int64) per slice along ``axis``."""
    _check_qdtype(dtype, "quantize_per_channel")
    x = _float_input(input, "quantize_per_channel")
    if not isinstance(scales, Tensor) or not isinstance(zero_points, Tensor):
        raise TypeError("quantize_per_channel(): scales and zero_points must be Tensors")
    axis = int(axis)
    if axis < 0:
        axis += x.ndim
    if not 0 <= axis < x.ndim:
        raise RuntimeError(f"Channel axis out of range in per channel affine quantization. Got: "
                           f"{axis}Expected: < {x.ndim}")
    n = x.shape[axis]
    s = numpy.asarray(scales._data, dtype=numpy.float64).reshape(-1)
    z = numpy.asarray(zero_points._data).reshape(-1)
    if s.size != n:
        raise RuntimeError(f"length of scales must equal to channel, expected {n} got, "
                           f"{s.size}")
    if z.size != n:
        raise RuntimeError(f"length of zero_points must equal to channel expected {n} got, "
                           f"{z.size}")
    shape = [1] * x.ndim
    shape[axis] = n
    float_qparams = zero_points._data.dtype.kind == "f"
    if float_qparams:
        # embedding's scheme: q = round((x - zero_point) / scale), zero points are floats
        inv = (numpy.float32(1.0) / s.astype(numpy.float32)).reshape(shape)
        q = numpy.rint((x - z.astype(numpy.float32).reshape(shape)) * inv)
        ints = numpy.clip(q, dtype.qmin, dtype.qmax).astype(dtype.np)
        z_kept = z.astype(numpy.float32)
        scheme = per_channel_affine_float_qparams
    else:
        inv = (numpy.float32(1.0) / s.astype(numpy.float32)).reshape(shape)
        q = numpy.rint(x * inv) + z.astype(numpy.float32).reshape(shape)
        ints = numpy.clip(q, dtype.qmin, dtype.qmax).astype(dtype.np)
        z_kept = z.astype(numpy.int64)
        scheme = per_channel_affine
    return _new_qtensor(ints, dtype, scheme, None, None, s.copy(), z_kept, axis)


def dequantize(tensor):
    """``torch.dequantize``: the float32 values of a quantized tensor (or a list of them)."""
    if isinstance(tensor, (list, tuple)):
        return [dequantize(t) for t in tensor]
    if not isinstance(tensor, QTensor):
        # torch: dequantize of a float tensor returns it
        return tensor
    return tensor.dequantize()


def _make_per_tensor_quantized_tensor(input, scale, zero_point):
    """``torch._make_per_tensor_quantized_tensor``: integer storage + qparams, no rounding."""
    d = {numpy.dtype(numpy.int8): qint8, numpy.dtype(numpy.uint8): quint8,
         numpy.dtype(numpy.int32): qint32}[input._data.dtype]
    return _new_qtensor(input._data.copy(), d, per_tensor_affine, float(scale), int(zero_point),
                        None, None, None)


def _make_per_channel_quantized_tensor(input, scales, zero_points, axis):
    d = {numpy.dtype(numpy.int8): qint8, numpy.dtype(numpy.uint8): quint8,
         numpy.dtype(numpy.int32): qint32}[input._data.dtype]
    return _new_qtensor(input._data.copy(), d, per_channel_affine, None, None,
                        numpy.asarray(scales._data, numpy.float64).copy(),
                        numpy.asarray(zero_points._data, numpy.int64).copy(), int(axis))
