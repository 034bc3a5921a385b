"""Observers (``torch.ao.quantization.observer``): modules that watch the tensors flowing
through them and compute quantization parameters from what they saw.

Each follows PyTorch's arithmetic in float32 (``_calculate_qparams`` as
``UniformQuantizationObserverBase``: zero included in the range; symmetric schemes use
``max(-min, max) / ((qmax - qmin) / 2)`` with zero point 0 or 128; affine ones
``(max - min) / (qmax - qmin)`` with ``qmin - round(min / scale)``; scale at least eps).
``HistogramObserver`` keeps PyTorch's 2048-bin running histogram (histc binning, the
upsample-by-16 merge when the range grows) and its L2 quantization-error search over the
histogram (``_non_linear_param_search``), so its qparams equal torch's on the same data.

Buffers and their state_dict keys are torch's: ``eps``, ``min_val``, ``max_val`` (and
``histogram``).
"""
import math
import warnings
from functools import partial

import numpy

from ... import _qtensor as _q
from ..._tensor import _make
from ...nn.modules.module import Module

_F32 = numpy.float32
_EPS = float(numpy.finfo(numpy.float32).eps)


def _with_args(cls_or_self, **kwargs):
    """``Observer.with_args(**kwargs)``: a factory that builds the observer with them."""
    r = _PartialWrapper(partial(cls_or_self, **kwargs))
    return r


class _PartialWrapper:
    def __init__(self, p):
        self.p = p
        self.callable_args = {}

    def __call__(self, *args, **keywords):
        return self.p(*args, **keywords)

    def __repr__(self):
        return self.p.__repr__()

    with_args = _with_args


def calculate_qmin_qmax(quant_min, quant_max, has_customized_qrange, dtype, reduce_range):
    """The integer range of ``dtype`` (halved by ``reduce_range``), as torch's helper."""
    if has_customized_qrange:
        if dtype in (_q.qint32,):
            return quant_min, quant_max
        qrange = quant_max - quant_min + 1
        bits = int(math.log2(qrange))
        if dtype in (_q.qint8,):
            lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        else:
            lo, hi = 0, 2 ** bits - 1
        if reduce_range:
            lo, hi = lo // 2, hi // 2
        return lo, hi
    if dtype is _q.qint8 or getattr(dtype, "name", None) == "int8":
        return (-64, 63) if reduce_range else (-128, 127)
    if dtype is _q.quint8 or getattr(dtype, "name", None) == "uint8":
        return (0, 127) if reduce_range else (0, 255)
    if dtype is _q.qint32 or getattr(dtype, "name", None) == "int32":
        return -(2 ** 31), 2 ** 31 - 1
    if dtype is _q.quint4x2:
        return 0, 15
    return 0, 15


class ObserverBase(Module):
    """Base of observers: ``dtype``, ``is_dynamic`` and ``with_args``."""

    with_args = classmethod(_with_args)

    def __init__(self, dtype, is_dynamic=False):
        super().__init__()
        self.dtype = dtype
        self.is_dynamic = is_dynamic


_PER_TENSOR = (_q.per_tensor_affine, _q.per_tensor_symmetric)
_PER_CHANNEL = (_q.per_channel_affine, _q.per_channel_symmetric,
                _q.per_channel_affine_float_qparams)
_SYMMETRIC = (_q.per_tensor_symmetric, _q.per_channel_symmetric)


class UniformQuantizationObserverBase(ObserverBase):
    """qparams from a min and a max (torch's ``_calculate_qparams``)."""

    _version = 3

    def __init__(self, dtype=_q.quint8, qscheme=_q.per_tensor_affine, reduce_range=False,
                 quant_min=None, quant_max=None, factory_kwargs=None, eps=_EPS,
                 is_dynamic=False, **kwargs):
        super().__init__(dtype=dtype, is_dynamic=is_dynamic)
        self.qscheme = qscheme
        if reduce_range:
            warnings.warn("Please use quant_min and quant_max to specify the range for "
                          "observers.                     reduce_range will be deprecated in "
                          "a future release of PyTorch.", stacklevel=2)
        self.reduce_range = reduce_range
        self.register_buffer("eps", _make(numpy.array([eps], dtype=_F32)))
        if qscheme not in _PER_TENSOR + _PER_CHANNEL:
            raise AssertionError("Default Observer only works for per_tensor_affine, "
                                 "per_tensor_symmetric, per_channel_affine, "
                                 "per_channel_symmetric and per_channel_float_qparams "
                                 "quantization scheme")
        self.has_customized_qrange = quant_min is not None and quant_max is not None
        if self.has_customized_qrange:
            if not quant_min <= 0 <= quant_max:
                raise AssertionError("Used-specified quantization range must include 0.")
            if quant_min >= quant_max:
                raise AssertionError("qmin must be strictly less than qmax for user-specified "
                                     "quantization range.")
        self.quant_min, self.quant_max = calculate_qmin_qmax(
            quant_min, quant_max, self.has_customized_qrange, dtype, reduce_range)

    def _calculate_qparams_arrays(self, min_val, max_val):
        """scale (float32) and zero_point (int64) arrays from min/max arrays."""
        qmin, qmax = self.quant_min, self.quant_max
        min_val = numpy.asarray(min_val, dtype=_F32)
        max_val = numpy.asarray(max_val, dtype=_F32)
        min_neg = numpy.minimum(min_val, _F32(0))
        max_pos = numpy.maximum(max_val, _F32(0))
        eps = self.eps._data.astype(_F32)
        zero_point = numpy.zeros(min_neg.shape, dtype=numpy.int64)
        if self.qscheme in _SYMMETRIC:
            max_pos = numpy.maximum(-min_neg, max_pos)
            scale = (max_pos / _F32(float(qmax - qmin) / 2)).astype(_F32)
            scale = numpy.maximum(scale, eps.reshape(()) if scale.ndim == 0 else eps)
            if self.dtype in (_q.quint8,) or getattr(self.dtype, "name", "") == "uint8":
                zp = (qmin + qmax) // 2 if self.has_customized_qrange else 128
                zero_point = numpy.full(min_neg.shape, zp, dtype=numpy.int64)
        elif self.qscheme is _q.per_channel_affine_float_qparams:
            scale = ((max_val - min_val) / _F32(float(qmax - qmin))).astype(_F32)
            scale = numpy.where(scale > eps, scale, numpy.ones_like(scale))
            zero_point = (-_F32(1) * min_val / scale).astype(_F32)
        else:
            scale = ((max_pos - min_neg) / _F32(float(qmax - qmin))).astype(_F32)
            scale = numpy.maximum(scale, eps.reshape(()) if scale.ndim == 0 else eps)
            zero_point = qmin - numpy.rint(min_neg / scale).astype(numpy.int64)
            zero_point = numpy.clip(zero_point, qmin, qmax)
        if scale.ndim == 0:
            scale = scale.reshape(1)
            zero_point = numpy.asarray(zero_point).reshape(1)
        return scale.astype(_F32), numpy.asarray(zero_point)

    def _calculate_qparams(self, min_val, max_val):
        s, z = self._calculate_qparams_arrays(min_val, max_val)
        if self.qscheme is _q.per_channel_affine_float_qparams:
            return _make(s), _make(z.astype(_F32))
        return _make(s), _make(z.astype(numpy.int64))

    def reset_min_max_vals(self):
        raise NotImplementedError("Cannot reset min/max values in this observer.")


def _check_input(x):
    from ..._tensor import Tensor
    if not isinstance(x, Tensor):
        raise TypeError(f"observer expected a Tensor, got {type(x).__name__}")
    return numpy.asarray(x.detach()._data, dtype=_F32)


class MinMaxObserver(UniformQuantizationObserverBase):
    """Running min and max of everything observed (``torch.ao.quantization.MinMaxObserver``)."""

    def __init__(self, dtype=_q.quint8, qscheme=_q.per_tensor_affine, reduce_range=False,
                 quant_min=None, quant_max=None, factory_kwargs=None, eps=_EPS,
                 is_dynamic=False, **kwargs):
        if qscheme not in _PER_TENSOR:
            raise NotImplementedError("MinMaxObserver's qscheme only support "
                                      "torch.per_tensor_symmetric                     and "
                                      "torch.per_tensor_affine.")
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max, eps=eps,
                         is_dynamic=is_dynamic, **kwargs)
        self.register_buffer("min_val", _make(numpy.array(numpy.inf, dtype=_F32)))
        self.register_buffer("max_val", _make(numpy.array(-numpy.inf, dtype=_F32)))
        if self.qscheme is _q.per_tensor_symmetric and self.reduce_range \
                and self.dtype is _q.quint8:
            raise NotImplementedError("Cannot reduce range for symmetric quantization for "
                                      "quint8")

    def forward(self, x_orig):
        x = _check_input(x_orig)
        if x.size == 0:
            return x_orig
        self._update(float(x.min()), float(x.max()))
        return x_orig

    def _update(self, mn, mx):
        cur_min, cur_max = float(self.min_val._data), float(self.max_val._data)
        self.min_val._data[...] = min(mn, cur_min)
        self.max_val._data[...] = max(mx, cur_max)

    def calculate_qparams(self):
        return self._calculate_qparams(self.min_val._data, self.max_val._data)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"

    def reset_min_max_vals(self):
        self.min_val._data[...] = numpy.inf
        self.max_val._data[...] = -numpy.inf


class MovingAverageMinMaxObserver(MinMaxObserver):
    """min/max as exponential moving averages (``averaging_constant`` 0.01)."""

    def __init__(self, averaging_constant=0.01, dtype=_q.quint8, qscheme=_q.per_tensor_affine,
                 reduce_range=False, quant_min=None, quant_max=None, eps=_EPS,
                 is_dynamic=False, **kwargs):
        self.averaging_constant = averaging_constant
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max, eps=eps,
                         is_dynamic=is_dynamic, **kwargs)

    def _update(self, mn, mx):
        cur_min, cur_max = self.min_val._data, self.max_val._data
        if float(cur_min) == numpy.inf and float(cur_max) == -numpy.inf:
            cur_min[...] = mn
            cur_max[...] = mx
        else:
            c = _F32(self.averaging_constant)
            cur_min[...] = cur_min + c * (_F32(mn) - cur_min)
            cur_max[...] = cur_max + c * (_F32(mx) - cur_max)


class PerChannelMinMaxObserver(UniformQuantizationObserverBase):
    """Running min and max per slice along ``ch_axis``."""

    def __init__(self, ch_axis=0, dtype=_q.quint8, qscheme=_q.per_channel_affine,
                 reduce_range=False, quant_min=None, quant_max=None, factory_kwargs=None,
                 eps=_EPS, is_dynamic=False, **kwargs):
        if qscheme not in _PER_CHANNEL:
            raise NotImplementedError("PerChannelMinMaxObserver's qscheme only support     "
                                      "                torch.per_channel_symmetric,          "
                                      "           torch.per_channel_affine and             "
                                      "        torch.per_channel_affine_float_qparams.")
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max, eps=eps,
                         is_dynamic=is_dynamic, **kwargs)
        self.ch_axis = ch_axis
        self.register_buffer("min_val", _make(numpy.zeros(0, dtype=_F32)))
        self.register_buffer("max_val", _make(numpy.zeros(0, dtype=_F32)))

    def _channel_min_max(self, x):
        axis = self.ch_axis % x.ndim
        y = numpy.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        return y.min(axis=1), y.max(axis=1)

    def forward(self, x_orig):
        x = _check_input(x_orig)
        if x.size == 0:
            return x_orig
        mn, mx = self._channel_min_max(x)
        self._update(mn, mx)
        return x_orig

    def _update(self, mn, mx):
        if self.min_val._data.size == 0 or self.max_val._data.size == 0:
            self.min_val._data = mn.astype(_F32)
            self.max_val._data = mx.astype(_F32)
        else:
            self.min_val._data = numpy.minimum(self.min_val._data, mn).astype(_F32)
            self.max_val._data = numpy.maximum(self.max_val._data, mx).astype(_F32)

    def calculate_qparams(self):
        return self._calculate_qparams(self.min_val._data, self.max_val._data)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # per-channel buffers change size after observing: take the saved shapes
        for name in ("min_val", "max_val"):
            key = prefix + name
            if key in state_dict:
                getattr(self, name)._data = numpy.array(state_dict[key]._data, dtype=_F32)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def reset_min_max_vals(self):
        self.min_val._data = numpy.zeros(0, dtype=_F32)
        self.max_val._data = numpy.zeros(0, dtype=_F32)


class MovingAveragePerChannelMinMaxObserver(PerChannelMinMaxObserver):
    def __init__(self, averaging_constant=0.01, ch_axis=0, dtype=_q.quint8,
                 qscheme=_q.per_channel_affine, reduce_range=False, quant_min=None,
                 quant_max=None, eps=_EPS, is_dynamic=False, **kwargs):
        super().__init__(ch_axis=ch_axis, dtype=dtype, qscheme=qscheme,
                         reduce_range=reduce_range, quant_min=quant_min, quant_max=quant_max,
                         eps=eps, is_dynamic=is_dynamic, **kwargs)
        self.averaging_constant = averaging_constant

    def _update(self, mn, mx):
        if self.min_val._data.size == 0:
            self.min_val._data = mn.astype(_F32)
            self.max_val._data = mx.astype(_F32)
        else:
            c = _F32(self.averaging_constant)
            self.min_val._data = (self.min_val._data + c * (mn - self.min_val._data)).astype(_F32)
            self.max_val._data = (self.max_val._data + c * (mx - self.max_val._data)).astype(_F32)


def _histc(x, bins, lo, hi):
    """``torch.histc(x, bins, min=lo, max=hi)`` in float32 (values outside are dropped)."""
    lo, hi = _F32(lo), _F32(hi)
    if lo == hi:
        lo, hi = lo - _F32(1), hi + _F32(1)
    x = x[(x >= lo) & (x <= hi)]
    pos = ((x - lo) * _F32(bins) / (hi - lo)).astype(numpy.int64)
    pos[pos == bins] = bins - 1
    return numpy.bincount(pos, minlength=bins).astype(_F32)


class HistogramObserver(UniformQuantizationObserverBase):
    """A running histogram of the values; qparams from PyTorch's L2-error search."""

    def __init__(self, bins=2048, dtype=_q.quint8, qscheme=_q.per_tensor_affine,
                 reduce_range=False, quant_min=None, quant_max=None, factory_kwargs=None,
                 eps=_EPS, is_dynamic=False, **kwargs):
        if qscheme not in _PER_TENSOR:
            raise NotImplementedError("HistogramObserver's qscheme only support "
                                      "torch.per_tensor_symmetric                     and "
                                      "torch.per_tensor_affine.")
        if is_dynamic:
            raise NotImplementedError("HistogramObserver doesn't support dynamic quantization")
        super().__init__(dtype=dtype, qscheme=qscheme, reduce_range=reduce_range,
                         quant_min=quant_min, quant_max=quant_max, eps=eps,
                         is_dynamic=is_dynamic, **kwargs)
        self.bins = bins
        self.register_buffer("histogram", _make(numpy.zeros(bins, dtype=_F32)))
        self.register_buffer("min_val", _make(numpy.array(numpy.inf, dtype=_F32)))
        self.register_buffer("max_val", _make(numpy.array(-numpy.inf, dtype=_F32)))
        self.dst_nbins = 2 ** (8 if dtype in (_q.qint8, _q.quint8) else 32)
        self.upsample_rate = 16

    # -- the L2 search (torch's _compute_quantization_error / _non_linear_param_search) ---
    @staticmethod
    def _get_norm(delta_begin, delta_end, density):
        norm = (delta_end * delta_end * delta_end
                - delta_begin * delta_begin * delta_begin) / _F32(3)
        return density * norm

    def _compute_quantization_error(self, next_start_bin, next_end_bin):
        # float32 throughout, in torch's order of operations (python floats enter a
        # float32 tensor expression rounded to float32)
        bin_width = (float(self.max_val._data) - float(self.min_val._data)) / self.bins
        dst_bin_width = bin_width * (next_end_bin - next_start_bin + 1) / self.dst_nbins
        if dst_bin_width == 0.0:
            return 0.0
        bw, dbw = _F32(bin_width), _F32(dst_bin_width)
        src_bin = numpy.arange(self.bins, dtype=_F32)
        src_bin_begin = (src_bin - _F32(next_start_bin)) * bw
        src_bin_end = src_bin_begin + bw
        top = _F32(self.dst_nbins - 1)
        dst_bin_of_begin = numpy.clip(numpy.floor(src_bin_begin / dbw), _F32(0), top)
        dst_bin_of_begin_center = (dst_bin_of_begin + _F32(0.5)) * dbw
        dst_bin_of_end = numpy.clip(numpy.floor(src_bin_end / dbw), _F32(0), top)
        density = self.histogram._data.astype(_F32) / bw
        norm = numpy.zeros(self.bins, dtype=_F32)
        delta_begin = src_bin_begin - dst_bin_of_begin_center
        delta_end = _F32(dst_bin_width / 2)
        norm += self._get_norm(delta_begin, numpy.ones(self.bins, dtype=_F32) * delta_end,
                               density)
        norm += (dst_bin_of_end - dst_bin_of_begin - _F32(1)) * self._get_norm(
            _F32(-dst_bin_width / 2), _F32(dst_bin_width / 2), density)
        dst_bin_of_end_center = dst_bin_of_end * dbw + _F32(dst_bin_width / 2)
        delta_begin = _F32(-dst_bin_width / 2)
        delta_end = src_bin_end - dst_bin_of_end_center
        norm += self._get_norm(delta_begin, delta_end, density)
        return float(norm.sum(dtype=_F32))

    def _non_linear_param_search(self):
        hist = self.histogram._data
        mn, mx = _F32(self.min_val._data), _F32(self.max_val._data)
        bin_width = (mx - mn) / _F32(self.bins)
        total = float(hist.sum(dtype=_F32))
        csum = numpy.cumsum(hist, dtype=_F32)
        stepsize = 1e-5
        alpha, beta = 0.0, 1.0
        start_bin, end_bin = 0, self.bins - 1
        norm_min = float("inf")
        while alpha < beta:
            next_alpha = alpha + stepsize
            next_beta = beta - stepsize
            lo, hi = start_bin, end_bin
            while lo < end_bin and csum[lo] < next_alpha * total:
                lo += 1
            while hi > start_bin and csum[hi] > next_beta * total:
                hi -= 1
            next_start_bin, next_end_bin = start_bin, end_bin
            if (lo - start_bin) > (end_bin - hi):
                next_start_bin = lo
                alpha = next_alpha
            else:
                next_end_bin = hi
                beta = next_beta
            if next_start_bin == start_bin and next_end_bin == end_bin:
                continue
            norm = self._compute_quantization_error(next_start_bin, next_end_bin)
            if norm > norm_min:
                break
            norm_min = norm
            start_bin, end_bin = next_start_bin, next_end_bin
        new_min = mn + bin_width * _F32(start_bin)
        new_max = mn + bin_width * _F32(end_bin + 1)
        return new_min, new_max

    # -- the running histogram ----------------------------------------------------------
    def _upscale_histogram(self, histogram, orig_min, orig_max, update_min, update_max):
        r = self.upsample_rate
        histogram = numpy.repeat(histogram, r) / _F32(r)
        bin_size = (orig_max - orig_min) / _F32(self.bins * r)
        mid = (numpy.linspace(orig_min, orig_max, self.bins * r + 1, dtype=_F32)[:-1]
               + _F32(0.5) * bin_size)
        bounds = numpy.linspace(update_min, update_max, self.bins + 1, dtype=_F32)
        assign = numpy.searchsorted(bounds, mid, side="right") - 1
        assign = numpy.clip(assign, 0, self.bins - 1)
        return numpy.bincount(assign, weights=histogram, minlength=self.bins).astype(_F32)

    def _combine_histograms(self, orig_hist, orig_min, orig_max, update_hist, update_min,
                            update_max):
        if update_min == orig_min and update_max == orig_max:
            return orig_hist + update_hist
        if orig_min == orig_max:
            bin_value = orig_hist.sum(dtype=_F32)
            transformed = _histc(numpy.array([orig_min], dtype=_F32), self.bins, update_min,
                                 update_max) * bin_value
            return transformed + update_hist
        transformed = self._upscale_histogram(orig_hist, orig_min, orig_max, update_min,
                                              update_max)
        return update_hist + transformed

    def forward(self, x_orig):
        x = _check_input(x_orig)
        if x.size == 0:
            return x_orig
        x_min, x_max = _F32(x.min()), _F32(x.max())
        if numpy.isinf(x_min) or numpy.isinf(x_max):
            warnings.warn("torch.inf detected in input tensor, ignoring input", stacklevel=2)
            x = x[numpy.abs(x) != numpy.inf]
            if x.size == 0:
                return x_orig
            x_min, x_max = _F32(x.min()), _F32(x.max())
        cur_min, cur_max = _F32(self.min_val._data), _F32(self.max_val._data)
        if cur_min == numpy.inf or cur_max == -numpy.inf:
            self.min_val._data = numpy.array(x_min, dtype=_F32)
            self.max_val._data = numpy.array(x_max, dtype=_F32)
            self.histogram._data = _histc(x.ravel(), self.bins, x_min, x_max)
        else:
            new_min, new_max = min(cur_min, x_min), max(cur_max, x_max)
            update = _histc(x.ravel(), self.bins, new_min, new_max)
            if new_min == cur_min and new_max == cur_max:
                self.histogram._data = (self.histogram._data + update).astype(_F32)
            else:
                self.histogram._data = self._combine_histograms(
                    self.histogram._data, cur_min, cur_max, update, new_min, new_max)
                self.min_val._data = numpy.array(new_min, dtype=_F32)
                self.max_val._data = numpy.array(new_max, dtype=_F32)
        return x_orig

    def calculate_qparams(self):
        if float(self.min_val._data) == numpy.inf and float(self.max_val._data) == -numpy.inf:
            warnings.warn("must run observer before calling calculate_qparams.              "
                          "                      Returning default scale and zero point ",
                          stacklevel=2)
            return _make(numpy.array([1.0], dtype=_F32)), _make(numpy.array([0]))
        if self.bins != len(self.histogram._data):
            raise AssertionError("The number of bins in histogram should be equal to the "
                                 "number of bins supplied while making this observer")
        new_min, new_max = self._non_linear_param_search()
        return self._calculate_qparams(new_min, new_max)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class PlaceholderObserver(ObserverBase):
    """Records nothing; carries the dtype (float16 dynamic quantization)."""

    def __init__(self, dtype=numpy.float32, custom_op_name="", compute_dtype=None,
                 quant_min=None, quant_max=None, qscheme=None, eps=None, is_dynamic=False):
        super().__init__(dtype=dtype, is_dynamic=is_dynamic)
        self.qscheme = qscheme if qscheme is not None else _q.per_tensor_affine
        self.quant_min, self.quant_max, self.eps = quant_min, quant_max, eps
        self.custom_op = custom_op_name

    def forward(self, x):
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for PlaceholderObserver")  # noqa: TRY002


class NoopObserver(ObserverBase):
    def __init__(self, dtype=None, custom_op_name=""):
        from ... import _dtype
        super().__init__(dtype=dtype if dtype is not None else _dtype.float16)
        self.custom_op = custom_op_name

    def forward(self, x):
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for NoopObserver")  # noqa: TRY002


def _float16():
    from ... import _dtype
    return _dtype.float16


default_observer = MinMaxObserver.with_args(quant_min=0, quant_max=127)
default_placeholder_observer = PlaceholderObserver
default_debug_observer = MinMaxObserver
default_weight_observer = MinMaxObserver.with_args(dtype=_q.qint8,
                                                   qscheme=_q.per_tensor_symmetric)
weight_observer_range_neg_127_to_127 = MinMaxObserver.with_args(
    dtype=_q.qint8, qscheme=_q.per_tensor_symmetric, quant_min=-127, quant_max=127,
    eps=2 ** -12)
default_histogram_observer = HistogramObserver.with_args(quant_min=0, quant_max=127)
default_per_channel_weight_observer = PerChannelMinMaxObserver.with_args(
    dtype=_q.qint8, qscheme=_q.per_channel_symmetric)
default_dynamic_quant_observer = PlaceholderObserver.with_args(
    dtype=_q.quint8, quant_min=0, quant_max=255, is_dynamic=True)
default_float_qparams_observer = PerChannelMinMaxObserver.with_args(
    dtype=_q.quint8, qscheme=_q.per_channel_affine_float_qparams, ch_axis=0)
per_channel_weight_observer_range_neg_127_to_127 = PerChannelMinMaxObserver.with_args(
    dtype=_q.qint8, qscheme=_q.per_channel_symmetric, quant_min=-127, quant_max=127,
    eps=2 ** -12)
