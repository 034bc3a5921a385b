"""QConfig and the default qconfigs per backend (``torch.ao.quantization.qconfig``)."""
from collections import namedtuple

from ... import _qtensor as _q
from .observer import (HistogramObserver, MinMaxObserver, PlaceholderObserver, NoopObserver,
                       default_observer, default_weight_observer,
                       default_per_channel_weight_observer, default_dynamic_quant_observer,
                       default_float_qparams_observer, default_placeholder_observer,
                       default_debug_observer, _PartialWrapper)
from .fake_quantize import (FakeQuantize, FusedMovingAvgObsFakeQuantize, default_fake_quant,
                            default_weight_fake_quant, default_per_channel_weight_fake_quant,
                            default_fused_per_channel_wt_fake_quant,
                            default_fused_wt_fake_quant)
from .observer import MovingAverageMinMaxObserver

_SUPPORTED = ["fbgemm", "x86", "qnnpack", "onednn"]


class QConfig(namedtuple("QConfig", ["activation", "weight"])):
    """How to observe a module's activation and weight: two observer factories."""

    def __new__(cls, activation, weight):
        from ...nn.modules.module import Module
        if isinstance(activation, Module) or isinstance(weight, Module):
            raise ValueError("QConfig received observer instance, please pass observer class "
                             "instead. Use MyObserver.with_args(x=1) to override arguments to "
                             "constructor if needed")
        return super().__new__(cls, activation, weight)


class QConfigDynamic(namedtuple("QConfigDynamic", ["activation", "weight"])):
    def __new__(cls, activation=None, weight=None):
        return super().__new__(cls, activation, weight)


default_qconfig = QConfig(activation=default_observer, weight=default_weight_observer)
default_debug_qconfig = QConfig(weight=default_weight_observer,
                                activation=default_debug_observer)
default_per_channel_qconfig = QConfig(activation=default_observer,
                                      weight=default_per_channel_weight_observer)
default_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                  weight=default_weight_observer)


def _fp16():
    from ... import _dtype
    return _dtype.float16


float16_dynamic_qconfig = QConfig(activation=PlaceholderObserver.with_args(dtype=_fp16(),
                                                                           is_dynamic=True),
                                  weight=PlaceholderObserver.with_args(dtype=_fp16()))
float16_static_qconfig = QConfig(activation=PlaceholderObserver.with_args(dtype=_fp16()),
                                 weight=PlaceholderObserver.with_args(dtype=_fp16()))
per_channel_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                      weight=default_per_channel_weight_observer)
float_qparams_weight_only_qconfig = QConfig(activation=default_placeholder_observer,
                                            weight=default_float_qparams_observer)
default_qat_qconfig = QConfig(activation=default_fake_quant, weight=default_weight_fake_quant)
default_weight_only_qconfig = QConfig(activation=lambda: None, weight=default_weight_fake_quant)
default_activation_only_qconfig = QConfig(activation=default_fake_quant, weight=lambda: None)


def _check_backend(backend):
    if backend not in _SUPPORTED:
        raise AssertionError("backend: " + str(backend) +
                             f" not supported. backend must be one of {_SUPPORTED}")


def get_default_qconfig(backend="x86", version=0):
    """The default PTQ qconfig: histogram activations (reduce_range on x86/fbgemm),
    per-channel symmetric weights (per-tensor on qnnpack)."""
    _check_backend(backend)
    if version != 0:
        raise AssertionError("Version number: " + str(version) +
                             " in get_default_qconfig is not supported. Version number must "
                             "be 0")
    if backend in ("fbgemm", "x86"):
        return QConfig(activation=HistogramObserver.with_args(reduce_range=True),
                       weight=default_per_channel_weight_observer)
    if backend == "qnnpack":
        return QConfig(activation=HistogramObserver.with_args(reduce_range=False),
                       weight=default_weight_observer)
    return QConfig(activation=HistogramObserver.with_args(reduce_range=False),
                   weight=default_per_channel_weight_observer)


def get_default_qat_qconfig(backend="x86", version=1):
    """The default QAT qconfig (version 1: the fused moving-average fake quantizers)."""
    _check_backend(backend)
    act = FakeQuantize if version == 0 else FusedMovingAvgObsFakeQuantize
    if backend in ("fbgemm", "x86"):
        weight = (default_per_channel_weight_fake_quant if version == 0
                  else default_fused_per_channel_wt_fake_quant)
        return QConfig(activation=act.with_args(observer=MovingAverageMinMaxObserver,
                                                quant_min=0, quant_max=255,
                                                reduce_range=True), weight=weight)
    if backend == "qnnpack":
        weight = default_weight_fake_quant if version == 0 else default_fused_wt_fake_quant
        return QConfig(activation=act.with_args(observer=MovingAverageMinMaxObserver,
                                                quant_min=0, quant_max=255,
                                                reduce_range=False), weight=weight)
    weight = (default_per_channel_weight_fake_quant if version == 0
              else default_fused_per_channel_wt_fake_quant)
    return QConfig(activation=act.with_args(observer=MovingAverageMinMaxObserver,
                                            quant_min=0, quant_max=255), weight=weight)


def get_default_qconfig_dict(backend="x86", version=0):
    return {"": get_default_qconfig(backend, version)}


def _activation_is_memoryless(qconfig):
    return False


__all__ = ["QConfig", "QConfigDynamic", "get_default_qconfig", "get_default_qat_qconfig",
           "default_qconfig", "default_dynamic_qconfig", "float16_dynamic_qconfig",
           "per_channel_dynamic_qconfig", "float_qparams_weight_only_qconfig",
           "default_qat_qconfig", "default_per_channel_qconfig", "default_debug_qconfig",
           "MinMaxObserver", "NoopObserver", "_PartialWrapper", "_q"]
