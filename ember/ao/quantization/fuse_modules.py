"""``fuse_modules`` (eager mode, ``torch.ao.quantization.fuse_modules``): replace a list of
submodules by one fused module; in eval mode conv + bn folds BN into the conv's weight
and bias (``fuse_conv_bn_weights``), in training mode it makes a ConvBn2d for QAT.
Supported sequences (torch's table): conv-bn, conv-bn-relu, conv-relu, linear-relu,
linear-bn, bn-relu."""
import copy

from ... import no_grad
from ...nn.modules.module import Module
from ...nn.modules.conv import Conv1d, Conv2d
from ...nn.modules.linear import Linear, Identity
from ...nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from ...nn.modules.activation import ReLU
from ...nn.parameter import Parameter


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """torch's folding: w * gamma / sqrt(var + eps), (b - mean) * gamma / sqrt(var + eps) + beta."""
    from ... import zeros_like, ones_like
    with no_grad():
        if conv_b is None:
            conv_b = zeros_like(bn_rm)
        if bn_w is None:
            bn_w = ones_like(bn_rm)
        if bn_b is None:
            bn_b = zeros_like(bn_rm)
        bn_var_rsqrt = (bn_rv + bn_eps).rsqrt()
        shape = [-1] + [1] * (conv_w.ndim - 1)
        fused_w = conv_w * (bn_w * bn_var_rsqrt).reshape(shape)
        fused_b = (conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b
    return (Parameter(fused_w.detach(), conv_w.requires_grad),
            Parameter(fused_b.detach(), conv_b.requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose=False):
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean,
                                                    bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_eval(linear, bn):
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(linear)
    from ... import zeros_like
    with no_grad():
        b = fused.bias if fused.bias is not None else zeros_like(bn.running_mean)
        scale = bn.weight * (bn.running_var + bn.eps).rsqrt()
        fused.weight = Parameter((fused.weight * scale.unsqueeze(-1)).detach())
        fused.bias = Parameter(((b - bn.running_mean) * scale + bn.bias).detach())
    return fused


def fuse_conv_bn(is_qat, conv, bn):
    from ..nn import intrinsic as nni
    if conv.training != bn.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if is_qat:
        if isinstance(conv, Conv2d):
            return nni.ConvBn2d(conv, bn)
        raise NotImplementedError(f"Cannot fuse train modules: {(conv, bn)}")
    return fuse_conv_bn_eval(conv, bn)


def fuse_conv_bn_relu(is_qat, conv, bn, relu):
    from ..nn import intrinsic as nni
    if conv.training != bn.training or bn.training != relu.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if is_qat:
        if isinstance(conv, Conv2d):
            return nni.ConvBnReLU2d(conv, bn, relu)
        raise NotImplementedError(f"Cannot fuse train modules: {(conv, bn, relu)}")
    fused = fuse_conv_bn_eval(conv, bn)
    if isinstance(conv, Conv2d):
        return nni.ConvReLU2d(fused, relu)
    return nni.ConvReLU1d(fused, relu)


def _sequential(cls):
    return lambda is_qat, a, b: cls(a, b)


def _fuser(types):
    from ..nn import intrinsic as nni
    table = {
        (Conv1d, BatchNorm1d): fuse_conv_bn,
        (Conv1d, BatchNorm1d, ReLU): fuse_conv_bn_relu,
        (Conv2d, BatchNorm2d): fuse_conv_bn,
        (Conv2d, BatchNorm2d, ReLU): fuse_conv_bn_relu,
        (Conv1d, ReLU): _sequential(nni.ConvReLU1d),
        (Conv2d, ReLU): _sequential(nni.ConvReLU2d),
        (Linear, BatchNorm1d): lambda is_qat, lin, bn: fuse_linear_bn_eval(lin, bn),
        (Linear, ReLU): _sequential(nni.LinearReLU),
        (BatchNorm2d, ReLU): _sequential(nni.BNReLU2d),
    }
    fn = table.get(types)
    if fn is None:
        raise NotImplementedError(f"Cannot fuse modules: {types}")
    return fn


def _get_module(model, name):
    for part in name.split("."):
        model = getattr(model, part)
    return model


def _set_module(model, name, new):
    parts = name.split(".")
    for part in parts[:-1]:
        model = getattr(model, part)
    setattr(model, parts[-1], new)


def fuse_known_modules(mod_list, is_qat, additional_fuser_method_mapping=None):
    types = tuple(type(m) for m in mod_list)
    fn = (additional_fuser_method_mapping or {}).get(types) or _fuser(types)
    fused = fn(is_qat, *mod_list)
    new_mod = [None] * len(mod_list)
    # hooks of the first module go to the fused one, those of the last stay on output
    fused._forward_pre_hooks = getattr(mod_list[0], "_forward_pre_hooks", fused._forward_pre_hooks)
    new_mod[0] = fused
    for i in range(1, len(mod_list)):
        ident = Identity()
        ident.training = mod_list[0].training
        new_mod[i] = ident
    return new_mod


def _fuse_modules(model, modules_to_fuse, is_qat, inplace=False, fuser_func=fuse_known_modules,
                  fuse_custom_config_dict=None):
    if not inplace:
        model = copy.deepcopy(model)
    groups = modules_to_fuse
    if all(isinstance(m, str) for m in modules_to_fuse):
        groups = [modules_to_fuse]
    extra = (fuse_custom_config_dict or {}).get("additional_fuser_method_mapping", {})
    for group in groups:
        mods = [_get_module(model, n) for n in group]
        new_mods = fuser_func(mods, is_qat, extra) if fuser_func is fuse_known_modules \
            else fuser_func(mods, is_qat)
        for name, m in zip(group, new_mods):
            _set_module(model, name, m)
    return model


def fuse_modules(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules,
                 fuse_custom_config_dict=None):
    """Fuse the named submodule groups (for post-training quantization: eval mode)."""
    return _fuse_modules(model, modules_to_fuse, is_qat=False, inplace=inplace,
                         fuser_func=fuser_func, fuse_custom_config_dict=fuse_custom_config_dict)


def fuse_modules_qat(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules,
                     fuse_custom_config_dict=None):
    """Fuse for QAT: conv + bn become ConvBn2d (BN kept, trained)."""
    return _fuse_modules(model, modules_to_fuse, is_qat=True, inplace=inplace,
                         fuser_func=fuser_func, fuse_custom_config_dict=fuse_custom_config_dict)


__all__ = ["fuse_modules", "fuse_modules_qat", "fuse_known_modules", "fuse_conv_bn_weights",
           "Module"]
