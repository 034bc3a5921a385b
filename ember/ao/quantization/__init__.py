"""``ember.ao.quantization`` (= ``ember.quantization``): eager-mode quantization as
``torch.ao.quantization``: observers, fake quantization, QConfig and the default qconfigs,
stubs, module fusion, and the prepare / convert / quantize_dynamic / prepare_qat
workflows."""
from .observer import (ObserverBase, MinMaxObserver, MovingAverageMinMaxObserver,  # noqa: F401
                       PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                       HistogramObserver, PlaceholderObserver, NoopObserver,
                       UniformQuantizationObserverBase, default_observer,
                       default_weight_observer, default_per_channel_weight_observer,
                       default_histogram_observer, default_dynamic_quant_observer,
                       default_float_qparams_observer, default_placeholder_observer,
                       default_debug_observer)
from .fake_quantize import (FakeQuantizeBase, FakeQuantize,  # noqa: F401
                            FusedMovingAvgObsFakeQuantize, default_fake_quant,
                            default_weight_fake_quant, default_per_channel_weight_fake_quant,
                            default_fused_act_fake_quant, default_fused_wt_fake_quant,
                            default_fused_per_channel_wt_fake_quant, disable_fake_quant,
                            enable_fake_quant, disable_observer, enable_observer,
                            fake_quantize_per_tensor_affine, fake_quantize_per_channel_affine)
from .qconfig import (QConfig, QConfigDynamic, get_default_qconfig,  # noqa: F401
                      get_default_qat_qconfig, get_default_qconfig_dict, default_qconfig,
                      default_dynamic_qconfig, float16_dynamic_qconfig,
                      float16_static_qconfig, per_channel_dynamic_qconfig,
                      float_qparams_weight_only_qconfig, default_qat_qconfig,
                      default_per_channel_qconfig, default_debug_qconfig)
from .stubs import QuantStub, DeQuantStub, QuantWrapper  # noqa: F401
from .fuse_modules import (fuse_modules, fuse_modules_qat, fuse_known_modules,  # noqa: F401
                           fuse_conv_bn_weights)
from .quantize import (propagate_qconfig_, prepare, convert, quantize,  # noqa: F401
                       quantize_dynamic, prepare_qat, quantize_qat, swap_module)
from .quantization_mappings import (get_default_static_quant_module_mappings,  # noqa: F401
                                    get_default_qat_module_mappings,
                                    get_default_dynamic_quant_module_mappings,
                                    get_default_qconfig_propagation_list)
