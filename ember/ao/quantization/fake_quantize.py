"""Fake quantization for QAT (``torch.ao.quantization.fake_quantize``): round to the
quantized grid and back in float, with the straight-through estimator for the gradient
(the gradient passes where the rounded value is inside [quant_min, quant_max] and is 0
where it was clamped), as ``torch.fake_quantize_per_tensor_affine`` /
``_per_channel_affine``."""
import numpy

from ... import _qtensor as _q
from ... import backend
from ..._tensor import Tensor, _make
from ...autograd.function import ArrayFunction
from ...nn.modules.module import Module
from .observer import (MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                       _with_args, _PER_CHANNEL)

_F32 = numpy.float32


class _FakeQuantize(ArrayFunction):
    node_name = "FakeQuantizePerTensorAffineCachemaskBackward0"

    @staticmethod
    def forward(ctx, x, scale=None, zero_point=None, quant_min=0, quant_max=255, axis=None):
        xp = backend.get_array_module(x)
        f32 = xp.float32
        xf = x.astype(f32, copy=False)
        if axis is None:
            s = f32(scale)
            inv = f32(1.0) / s
            z = f32(zero_point)
        else:
            shape = [1] * x.ndim
            shape[axis] = -1
            s = xp.asarray(scale, dtype=f32).reshape(shape)
            inv = (f32(1.0) / s).astype(f32)
            z = xp.asarray(zero_point, dtype=f32).reshape(shape)
        q = xp.rint(xf * inv) + z
        ctx.mask = (q >= quant_min) & (q <= quant_max)
        out = (xp.clip(q, quant_min, quant_max) - z) * s
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * _make(ctx.mask.astype(g._data.dtype))


def fake_quantize_per_tensor_affine(input, scale, zero_point, quant_min, quant_max):
    """``torch.fake_quantize_per_tensor_affine``."""
    if isinstance(scale, Tensor):
        scale = float(scale._data.reshape(-1)[0])
    if isinstance(zero_point, Tensor):
        zero_point = int(zero_point._data.reshape(-1)[0])
    if not quant_min <= zero_point <= quant_max:
        raise RuntimeError("`zero_point` must be between `quant_min` and `quant_max`.")
    return _FakeQuantize.apply(input, scale=float(scale), zero_point=int(zero_point),
                               quant_min=quant_min, quant_max=quant_max)


def fake_quantize_per_channel_affine(input, scale, zero_point, axis, quant_min, quant_max):
    """``torch.fake_quantize_per_channel_affine``."""
    return _FakeQuantize.apply(input, scale=numpy.asarray(scale._data, _F32),
                               zero_point=numpy.asarray(zero_point._data),
                               quant_min=quant_min, quant_max=quant_max,
                               axis=axis % input.ndim)


class FakeQuantizeBase(Module):
    with_args = classmethod(_with_args)

    def __init__(self):
        super().__init__()
        self.register_buffer("fake_quant_enabled", _make(numpy.array([1], numpy.uint8)))
        self.register_buffer("observer_enabled", _make(numpy.array([1], numpy.uint8)))

    def enable_fake_quant(self, enabled=True):
        self.fake_quant_enabled._data[0] = 1 if enabled else 0
        return self

    def disable_fake_quant(self):
        return self.enable_fake_quant(False)

    def enable_observer(self, enabled=True):
        self.observer_enabled._data[0] = 1 if enabled else 0
        return self

    def disable_observer(self):
        return self.enable_observer(False)


class FakeQuantize(FakeQuantizeBase):
    """Observe (``activation_post_process``) then fake-quantize with its qparams."""

    def __init__(self, observer=MovingAverageMinMaxObserver, quant_min=None, quant_max=None,
                 is_dynamic=False, **observer_kwargs):
        super().__init__()
        if quant_min is not None and quant_max is not None:
            if quant_min > quant_max:
                raise AssertionError("quant_min must be less than or equal to quant_max")
            observer_kwargs["quant_min"] = quant_min
            observer_kwargs["quant_max"] = quant_max
        observer_kwargs["is_dynamic"] = is_dynamic
        self.activation_post_process = observer(**observer_kwargs)
        self.quant_min = self.activation_post_process.quant_min
        self.quant_max = self.activation_post_process.quant_max
        self.is_dynamic = self.activation_post_process.is_dynamic
        self.register_buffer("scale", _make(numpy.array([1.0], _F32)))
        self.register_buffer("zero_point", _make(numpy.array([0], numpy.int32)))
        self.dtype = self.activation_post_process.dtype
        self.qscheme = self.activation_post_process.qscheme
        self.ch_axis = getattr(self.activation_post_process, "ch_axis", -1)
        self.is_per_channel = self.qscheme in _PER_CHANNEL

    def calculate_qparams(self):
        return self.activation_post_process.calculate_qparams()

    def forward(self, X):
        if self.observer_enabled._data[0] == 1:
            self.activation_post_process(X.detach())
            s, z = self.calculate_qparams()
            self.scale._data = s._data.astype(_F32)
            self.zero_point._data = z._data.astype(numpy.int32)
        if self.fake_quant_enabled._data[0] == 1:
            if self.is_per_channel:
                X = fake_quantize_per_channel_affine(X, self.scale, self.zero_point,
                                                     self.ch_axis, self.quant_min,
                                                     self.quant_max)
            else:
                X = fake_quantize_per_tensor_affine(X, self.scale, self.zero_point,
                                                    self.quant_min, self.quant_max)
        return X

    def extra_repr(self):
        return (f"fake_quant_enabled={self.fake_quant_enabled}, "
                f"observer_enabled={self.observer_enabled}, quant_min={self.quant_min}, "
                f"quant_max={self.quant_max}, dtype={self.dtype}, qscheme={self.qscheme}, "
                f"ch_axis={self.ch_axis}, scale={self.scale}, zero_point={self.zero_point}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        for name in ("scale", "zero_point"):
            key = prefix + name
            if key in state_dict:
                getattr(self, name)._data = numpy.array(state_dict[key]._data,
                                                        getattr(self, name)._data.dtype)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)


class FusedMovingAvgObsFakeQuantize(FakeQuantize):
    """torch's fused observer + fake-quant kernel (``fused_moving_avg_obs_fake_quant``):
    the observer's moving averages, then qparams as ATen's ChooseQuantizationParams
    (symmetric schemes: ``max(|min| / 128, max / 127)``, not the observer's ``/ 127.5``);
    ``calculate_qparams`` (what convert uses) is the observer's, as in torch."""

    def __init__(self, observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                 **observer_kwargs):
        super().__init__(observer, quant_min, quant_max, **observer_kwargs)
        self.is_symmetric_quant = self.qscheme in (_q.per_tensor_symmetric,
                                                   _q.per_channel_symmetric)

    def forward(self, X):
        if self.observer_enabled._data[0] == 1:
            from ..nn.quantized._fbgemm import choose_qparams
            self.activation_post_process(X.detach())
            mins = numpy.atleast_1d(self.activation_post_process.min_val._data)
            maxs = numpy.atleast_1d(self.activation_post_process.max_val._data)
            qp = [choose_qparams(lo, hi, self.quant_min, self.quant_max, False,
                                 self.is_symmetric_quant) for lo, hi in zip(mins, maxs)]
            self.scale._data = numpy.array([s for s, _ in qp], _F32)
            self.zero_point._data = numpy.array([z for _, z in qp], numpy.int32)
        if self.fake_quant_enabled._data[0] == 1:
            if self.is_per_channel:
                return fake_quantize_per_channel_affine(X, self.scale, self.zero_point,
                                                        self.ch_axis, self.quant_min,
                                                        self.quant_max)
            return fake_quantize_per_tensor_affine(X, self.scale, self.zero_point,
                                                   self.quant_min, self.quant_max)
        return X

    def extra_repr(self):
        return (f"fake_quant_enabled={self.fake_quant_enabled}, "
                f"observer_enabled={self.observer_enabled}, scale={self.scale}, "
                f"zero_point={self.zero_point}, dtype={self.dtype}, quant_min={self.quant_min}, "
                f"quant_max={self.quant_max}, qscheme={self.qscheme}, "
                f"reduce_range={self.activation_post_process.reduce_range}")


class FixedQParamsFakeQuantize(FakeQuantize):
    pass


default_fake_quant = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0,
                                            quant_max=255, dtype=_q.quint8,
                                            qscheme=_q.per_tensor_affine, reduce_range=True)
default_weight_fake_quant = FakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=_q.qint8,
    qscheme=_q.per_tensor_symmetric, reduce_range=False)
default_per_channel_weight_fake_quant = FakeQuantize.with_args(
    observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
    dtype=_q.qint8, qscheme=_q.per_channel_symmetric, reduce_range=False, ch_axis=0)
default_fused_act_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=_q.quint8)
default_fused_wt_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=_q.qint8,
    qscheme=_q.per_tensor_symmetric)
default_fused_per_channel_wt_fake_quant = FusedMovingAvgObsFakeQuantize.with_args(
    observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
    dtype=_q.qint8, qscheme=_q.per_channel_symmetric)


def disable_fake_quant(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.disable_fake_quant()


def enable_fake_quant(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.enable_fake_quant()


def disable_observer(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.disable_observer()


def enable_observer(mod):
    if isinstance(mod, FakeQuantizeBase):
        mod.enable_observer()
