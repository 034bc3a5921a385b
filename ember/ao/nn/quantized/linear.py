"""``ember.ao.nn.quantized.Linear`` (static) and its packed parameters, as torch's
``torch.ao.nn.quantized.Linear``: a quint8 input, a qint8 weight (per tensor or per
channel), a float bias, int32 accumulation and fbgemm's requantization to the output's
scale and zero point (see ``_fbgemm``)."""
import numpy

from .... import _qtensor as _q
from .... import _dtype
from ...._tensor import Tensor, _make
from ....nn.modules.module import Module
from . import _fbgemm
from ._common import (require_quantized, per_tensor_qparams, quantize_weight,
                      weight_int_and_scales, new_quint8)

_F32 = numpy.float32


class LinearPackedParams(Module):
    """Holds the quantized weight and the bias (torch's ``LinearPackedParams``; state_dict
    keys ``dtype`` and ``_packed_params``)."""

    _version = 3

    def __init__(self, dtype=_q.qint8):
        super().__init__()
        self.dtype = dtype
        self._weight = None
        self._bias = None

    def set_weight_bias(self, weight, bias):
        self._weight = weight
        self._bias = bias

    def _weight_bias(self):
        return self._weight, self._bias

    def forward(self, x):
        return x

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "dtype"] = self.dtype
        destination[prefix + "_packed_params"] = self._weight_bias()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        self.dtype = state_dict.pop(prefix + "dtype")
        weight, bias = state_dict.pop(prefix + "_packed_params")
        self.set_weight_bias(weight, bias)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys,
                                      unexpected_keys, error_msgs)

    def __repr__(self):
        return repr(self._weight_bias())


def _bias_array(bias):
    return None if bias is None else numpy.asarray(bias.detach()._data, _F32)


def quantized_linear(x, weight, bias, out_scale, out_zero_point, relu=False, op="quantized::linear"):
    """The static int8 linear on QTensors."""
    require_quantized(x, op)
    sx, zx = per_tensor_qparams(x, op)
    a = x._int.astype(numpy.int32) - zx
    w, w_scales = weight_int_and_scales(weight)
    k = a.shape[-1]
    if w.shape[1] != k:
        raise RuntimeError(f"The number of rows in the packB should be equal to K: {k}")
    lead = a.shape[:-1]
    acc = _fbgemm.int_matmul(a.reshape(-1, k), w.T, 255, 128)
    q = _fbgemm.requantize(acc, sx, w_scales, _bias_array(bias), out_scale, out_zero_point,
                           relu=relu)
    return new_quint8(q.reshape(lead + (w.shape[0],)), out_scale, out_zero_point)


class Linear(Module):
    """A quantized linear layer (``torch.ao.nn.quantized.Linear``)."""

    _version = 3
    _FLOAT_MODULE = None   # set below (nn.Linear)

    def __init__(self, in_features, out_features, bias_=True, dtype=_q.qint8):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bias = _make(numpy.zeros(out_features, _F32)) if bias_ else None
        qweight = _q.quantize_per_tensor(_make(numpy.zeros((out_features, in_features), _F32)),
                                         1.0, 0, _q.qint8)
        self._packed_params = LinearPackedParams(dtype)
        self._packed_params.set_weight_bias(qweight, bias)
        self.scale = 1.0
        self.zero_point = 0

    def _get_name(self):
        return "QuantizedLinear"

    def __repr__(self):
        # torch hides the packed-params child (``_hide_packed_params_repr``)
        return _repr_hiding(self, LinearPackedParams)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"scale={self.scale}, zero_point={self.zero_point}, "
                f"qscheme={self.weight().qscheme()}")

    def forward(self, x):
        return quantized_linear(x, *self._weight_bias(), self.scale, self.zero_point)

    def _weight_bias(self):
        return self._packed_params._weight_bias()

    def weight(self):
        return self._weight_bias()[0]

    def bias(self):
        return self._weight_bias()[1]

    def set_weight_bias(self, w, b):
        self._packed_params.set_weight_bias(w, b)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "scale"] = _make(numpy.array(self.scale, numpy.float64))
        destination[prefix + "zero_point"] = _make(numpy.array(self.zero_point, numpy.int64))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        self.scale = float(state_dict.pop(prefix + "scale")._data)
        self.zero_point = int(state_dict.pop(prefix + "zero_point")._data)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys,
                                      unexpected_keys, error_msgs)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        """Convert an observed nn.Linear (or fused LinearReLU) to the quantized module."""
        float_mod = mod[0] if _is_fused(mod) else mod
        if not hasattr(mod, "qconfig") or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        activation_post_process = mod.activation_post_process
        weight_post_process = getattr(float_mod, "weight_fake_quant", None)
        if weight_post_process is None:
            weight_post_process = mod.qconfig.weight()
            weight_post_process(float_mod.weight)
        if weight_post_process.dtype is not _q.qint8:
            raise AssertionError("Weight observer must have dtype torch.qint8")
        qweight = quantize_weight(float_mod.weight.detach().float(), weight_post_process)
        act_scale, act_zp = activation_post_process.calculate_qparams()
        qlinear = cls(float_mod.in_features, float_mod.out_features, dtype=_q.qint8)
        bias = float_mod.bias.detach() if float_mod.bias is not None else None
        qlinear.set_weight_bias(qweight, bias)
        qlinear.scale = float(act_scale._data.reshape(-1)[0])
        qlinear.zero_point = int(act_zp._data.reshape(-1)[0])
        return qlinear

    @classmethod
    def from_reference(cls, ref_qlinear, output_scale, output_zero_point):
        raise NotImplementedError("Linear.from_reference (reference quantized models)")


def _repr_hiding(module, hidden_type):
    """``Module.__repr__`` without the children of ``hidden_type``."""
    lines = []
    extra = module.extra_repr()
    if extra:
        lines = extra.split("\n")
    child_lines = []
    for key, child in module._modules.items():
        if isinstance(child, hidden_type) or child is None:
            continue
        mod_str = repr(child).replace("\n", "\n  ")
        child_lines.append(f"({key}): {mod_str}")
    lines = lines + child_lines
    main = module._get_name() + "("
    if lines:
        if len(extra.split("\n")) == 1 and not child_lines:
            main += extra
        else:
            main += "\n  " + "\n  ".join(lines) + "\n"
    return main + ")"


def _is_fused(mod):
    from ...nn.intrinsic import _FusedModule
    return isinstance(mod, _FusedModule)


__all__ = ["Linear", "LinearPackedParams", "quantized_linear", "_dtype", "Tensor"]
