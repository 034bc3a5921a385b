"""Eager-mode quantization workflows (``torch.ao.quantization.quantize``): propagate
qconfigs, ``prepare`` (observers as ``activation_post_process`` children run by a forward
hook), ``convert`` (swap modules for their quantized counterparts, compute qparams),
``quantize``, ``quantize_dynamic``, ``prepare_qat``, ``quantize_qat``.

Module types with no quantized counterpart stay float, as in PyTorch; ``prepare`` warns
when no submodule got a qconfig, as PyTorch does."""
import copy
import warnings

from ... import _dtype
from ... import _qtensor as _q
from ...nn.modules.container import Sequential
from ...nn.modules.dropout import Dropout
from ..nn import quantized as nnq
from ..nn.intrinsic import _FusedModule
from .observer import ObserverBase
from .fake_quantize import FakeQuantizeBase
from .qconfig import default_dynamic_qconfig, float16_dynamic_qconfig, \
    float_qparams_weight_only_qconfig
from .quantization_mappings import (get_default_static_quant_module_mappings,
                                    get_default_qat_module_mappings,
                                    get_default_dynamic_quant_module_mappings,
                                    get_default_qconfig_propagation_list)


def _observer_forward_hook(self, input, output):
    return self.activation_post_process(output)


def _is_activation_post_process(m):
    return isinstance(m, (ObserverBase, FakeQuantizeBase))


def propagate_qconfig_(module, qconfig_dict=None, prepare_custom_config_dict=None):
    """Give every submodule a ``qconfig``: its own, else by type or name from
    ``qconfig_dict``, else its parent's."""
    _propagate_qconfig_helper(module, qconfig_dict or {})


def _propagate_qconfig_helper(module, qconfig_dict, qconfig_parent=None, prefix=""):
    module_qconfig = qconfig_dict.get(type(module), qconfig_parent)
    module_qconfig = qconfig_dict.get(prefix, module_qconfig)
    module_qconfig = getattr(module, "qconfig", module_qconfig)
    module.qconfig = module_qconfig
    for name, child in module.named_children():
        module_prefix = prefix + "." + name if prefix else name
        _propagate_qconfig_helper(child, qconfig_dict, module_qconfig, module_prefix)


def _needs_observation(m):
    return getattr(m, "qconfig", None) is not None


def _insert_activation_post_process(m):
    from .stubs import DeQuantStub
    if isinstance(m, DeQuantStub):
        return
    m.add_module("activation_post_process", m.qconfig.activation())
    m.register_forward_hook(_observer_forward_hook)


def _add_observer_(module, qconfig_propagation_list, non_leaf_module_list=None):
    for _name, child in module.named_children():
        if type(child) is Dropout:
            continue
        if isinstance(child, (nnq.FloatFunctional, nnq.QFunctional)):
            if _needs_observation(child):
                child.activation_post_process = child.qconfig.activation()
        elif isinstance(child, _FusedModule):
            if _needs_observation(child):
                _insert_activation_post_process(child)
        elif non_leaf_module_list is not None and type(child) in non_leaf_module_list:
            if _needs_observation(child):
                _insert_activation_post_process(child)
        else:
            _add_observer_(child, qconfig_propagation_list, non_leaf_module_list)
    if (not list(module.children()) and not isinstance(module, Sequential)
            and type(module) in qconfig_propagation_list and _needs_observation(module)):
        _insert_activation_post_process(module)


def prepare(model, inplace=False, allow_list=None, observer_non_leaf_module_list=None,
            prepare_custom_config_dict=None):
    """Insert observers into ``model`` (a copy unless ``inplace``) for calibration."""
    if not inplace:
        model = copy.deepcopy(model)
    qconfig_propagation_list = allow_list or get_default_qconfig_propagation_list()
    propagate_qconfig_(model, qconfig_dict=None)
    if not any(getattr(m, "qconfig", None) for m in model.modules()):
        warnings.warn("None of the submodule got qconfig applied. Make sure you passed correct "
                      "configuration through `qconfig_dict` or by assigning the `.qconfig` "
                      "attribute directly on submodules", stacklevel=2)
    _add_observer_(model, qconfig_propagation_list, observer_non_leaf_module_list)
    return model


def _remove_activation_post_process(module):
    if hasattr(module, "activation_post_process") and \
            _is_activation_post_process(module.activation_post_process):
        delattr(module, "activation_post_process")
    for hid, hook in list(module._forward_hooks.items()):
        if hook is _observer_forward_hook:
            del module._forward_hooks[hid]


def _remove_qconfig(module):
    for child in module.children():
        _remove_qconfig(child)
    if hasattr(module, "qconfig"):
        del module.qconfig
    _remove_activation_post_process(module)


def swap_module(mod, mapping, custom_module_class_mapping=None):
    """``mapping[type(mod)].from_float(mod)`` when ``mod`` has a qconfig, else ``mod``."""
    new_mod = mod
    if getattr(mod, "qconfig", None) is not None:
        cls = mapping.get(type(mod))
        if cls is not None:
            new_mod = cls.from_float(mod)
            for hook in mod._forward_pre_hooks.values():
                new_mod.register_forward_pre_hook(hook)
            for hook in mod._forward_hooks.values():
                if hook is not _observer_forward_hook:
                    new_mod.register_forward_hook(hook)
    return new_mod


def _convert(module, mapping, inplace=True):
    reassign = {}
    for name, mod in module.named_children():
        if not isinstance(mod, _FusedModule):
            _convert(mod, mapping, True)
        reassign[name] = swap_module(mod, mapping)
    for key, value in reassign.items():
        module._modules[key] = value
    return module


def convert(module, mapping=None, inplace=False, remove_qconfig=True, is_reference=False,
            convert_custom_config_dict=None, use_precomputed_fake_quant=False):
    """Swap observed modules for quantized ones (a copy unless ``inplace``)."""
    if is_reference:
        raise NotImplementedError("convert(is_reference=True): reference quantized modules")
    if mapping is None:
        mapping = get_default_static_quant_module_mappings()
    if not inplace:
        module = copy.deepcopy(module)
    _convert(module, mapping, inplace=True)
    if remove_qconfig:
        _remove_qconfig(module)
    return module


def quantize(model, run_fn, run_args, mapping=None, inplace=False):
    """prepare, ``run_fn(model, *run_args)`` to calibrate, convert."""
    if mapping is None:
        mapping = get_default_static_quant_module_mappings()
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    prepare(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, mapping, inplace=True)
    return model


_DYNAMIC_DEFAULT_TYPES = ("Linear", "LSTM", "GRU", "LSTMCell", "RNNCell", "GRUCell")


def quantize_dynamic(model, qconfig_spec=None, dtype=None, mapping=None, inplace=False):
    """Dynamic quantization: weights quantized now, activations per call (see
    ``ember.ao.nn.quantized.dynamic``). ``qconfig_spec``: a set of module types (or
    names) or a dict of them to qconfigs; ``dtype``: ``ember.qint8`` or ``ember.float16``."""
    from ... import nn
    if dtype is None:
        dtype = _q.qint8
    by_dtype = {_q.qint8: default_dynamic_qconfig, _dtype.float16: float16_dynamic_qconfig,
                _q.quint8: float_qparams_weight_only_qconfig,
                _q.quint4x2: float_qparams_weight_only_qconfig}
    if qconfig_spec is None:
        if dtype not in (_q.qint8, _dtype.float16):
            raise ValueError(f"Don't know how to quantize with default settings for {dtype}. "
                             "Provide full qconfig please")
        qconfig_spec = {getattr(nn, n): by_dtype[dtype] for n in _DYNAMIC_DEFAULT_TYPES
                        if hasattr(nn, n)}
    elif isinstance(qconfig_spec, set):
        if dtype not in by_dtype:
            raise ValueError(f"Unknown dtype specified for quantize_dynamic: {dtype}")
        qconfig_spec = dict.fromkeys(qconfig_spec, by_dtype[dtype])
    if mapping is None:
        mapping = get_default_dynamic_quant_module_mappings()
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    propagate_qconfig_(model, qconfig_spec)
    convert(model, mapping, inplace=True)
    return model


def prepare_qat(model, mapping=None, inplace=False):
    """Swap modules for their QAT versions (fake-quantized weights) and insert fake
    quantizers on the activations."""
    if not model.training:
        raise AssertionError("prepare_qat only works on models in training mode")
    if mapping is None:
        mapping = get_default_qat_module_mappings()
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model, qconfig_dict=None)
    convert(model, mapping=mapping, inplace=True, remove_qconfig=False)
    prepare(model, observer_non_leaf_module_list=set(mapping.values()), inplace=True)
    return model


def quantize_qat(model, run_fn, run_args, inplace=False):
    if not inplace:
        model = copy.deepcopy(model)
    model.train()
    prepare_qat(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, inplace=True)
    return model


__all__ = ["propagate_qconfig_", "prepare", "convert", "quantize", "quantize_dynamic",
           "prepare_qat", "quantize_qat", "swap_module"]
