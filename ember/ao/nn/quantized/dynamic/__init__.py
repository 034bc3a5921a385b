"""``ember.ao.nn.quantized.dynamic``: dynamically quantized Linear, LSTM and GRU, as
``torch.ao.nn.quantized.dynamic``.

Weights are quantized once (qint8 per tensor, symmetric: scale ``max|w| / 127.5``, zero
point 0) or kept in float16. Activations are quantized per call, as fbgemm does: the
batch's min and max (0 included) give quint8 qparams over the reduced range [0, 127]
(``reduce_range``), the int8 product is accumulated exactly in int32, and the float
output is ``acc * x_scale * w_scale + bias``. float16 modules multiply float32
activations by the float16-rounded weights in float32.

Recurrent layers follow ATen's quantized RNN: the input projection of a whole layer is
one dynamic linear over the sequence (one set of activation qparams for all steps, as on
CPU in torch), the hidden projection one per step.
"""
import numpy

from ..... import _qtensor as _q
from ..... import _dtype
from ....._tensor import Tensor, _make
from .....nn.modules.module import Module
from .. import _fbgemm
from .._common import quantize_weight, weight_int_and_scales
from ..linear import Linear as _QLinear

_F32 = numpy.float32


def _float_array(x, op):
    if isinstance(x, _q.QTensor):
        raise RuntimeError(f"{op}: expected a float input, got a quantized tensor")
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    a = x._data
    if a.dtype != _F32:
        raise RuntimeError(f"{op}: expected input of dtype float32, got {x.dtype}")
    return a


def dynamic_linear_array(x, weight, bias, reduce_range=True):
    """fbgemm's linear_dynamic on arrays: x float32 (..., K), weight a qint8 QTensor or a
    float16 array (out, K), bias float32 array or None."""
    if weight.__class__ is not _q.QTensor:     # float16 weights
        out = x @ weight.astype(_F32).T
        return out + bias if bias is not None else out
    k = x.shape[-1]
    lead = x.shape[:-1]
    x2 = x.reshape(-1, k)
    if x2.size:
        scale, zp = _fbgemm.choose_qparams(x2.min(), x2.max(), 0, 255, reduce_range)
    else:
        scale, zp = 1.0, 0
    qmax = 127 if reduce_range else 255
    xq = _fbgemm.quantize(x2, scale, zp, 0, qmax, numpy.uint8).astype(numpy.int32) - zp
    w, w_scales = weight_int_and_scales(weight)
    acc = _fbgemm.int_matmul(xq, w.T, 255, 128)
    out = _fbgemm.float_output(acc, scale, w_scales, bias)
    return out.reshape(lead + (w.shape[0],))


class Linear(_QLinear):
    """A dynamically quantized linear layer (``DynamicQuantizedLinear``)."""

    _version = 4

    def __init__(self, in_features, out_features, bias_=True, dtype=_q.qint8):
        super().__init__(in_features, out_features, bias_, dtype=dtype)
        if dtype is _dtype.float16:
            w = numpy.zeros((out_features, in_features), numpy.float16)
            self._packed_params.set_weight_bias(_make(w), self.bias())
        self.version = 4

    def _get_name(self):
        return "DynamicQuantizedLinear"

    def extra_repr(self):
        s = (f"in_features={self.in_features}, out_features={self.out_features}, "
             f"dtype={self._packed_params.dtype}")
        if self._packed_params.dtype is _q.qint8:
            s += f", qscheme={self.weight().qscheme()}"
        return s

    def forward(self, x):
        a = _float_array(x, "quantized::linear_dynamic")
        w, b = self._weight_bias()
        warr = w if isinstance(w, _q.QTensor) else w._data
        barr = None if b is None else numpy.asarray(b.detach()._data, _F32)
        return _make(dynamic_linear_array(a, warr, barr).astype(_F32))

    def weight(self):
        w = self._weight_bias()[0]
        if self._packed_params.dtype is _dtype.float16:
            return _make(w._data.astype(_F32))     # torch's unpack gives float32 values
        return w

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, "qconfig") or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        from ...intrinsic import _FusedModule
        float_mod = mod[0] if isinstance(mod, _FusedModule) else mod
        weight_observer = mod.qconfig.weight()
        dtype = weight_observer.dtype
        if dtype not in (_q.qint8, _dtype.float16):
            raise AssertionError("The only supported dtypes for dynamic quantized linear are "
                                 f"qint8 and float16 got: {dtype}")
        weight_observer(float_mod.weight)
        bias = float_mod.bias.detach() if float_mod.bias is not None else None
        qlinear = cls(float_mod.in_features, float_mod.out_features, dtype=dtype)
        if dtype is _q.qint8:
            qweight = quantize_weight(float_mod.weight.detach().float(), weight_observer)
        else:
            qweight = _make(float_mod.weight.detach()._data.astype(numpy.float16))
        qlinear.set_weight_bias(qweight, bias)
        return qlinear


def _sigmoid(x):
    return (1.0 / (1.0 + numpy.exp(-x))).astype(_F32)


class _PackedRNNParams(Module):
    """One layer-direction's weights (torch's ``_all_weight_values.N.param``)."""

    def __init__(self, params):
        super().__init__()
        self.param = params

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        destination[prefix + "param"] = self.param

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        self.param = state_dict.pop(prefix + "param")


class _RNNBase(Module):
    _version = 2
    _GATES = 4
    _name = "LSTM"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=_q.qint8):
        super().__init__()
        self.mode = self._name
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first, self.dropout = batch_first, float(dropout)
        self.bidirectional = bidirectional
        self.dtype = dtype
        self.version = 2
        self.training = False
        self._all_weight_values = []

    def _get_name(self):
        return f"DynamicQuantized{self._name}"

    def __repr__(self):
        from ..linear import _repr_hiding
        from .....nn.modules.container import ModuleList
        return _repr_hiding(self, ModuleList)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _set_params(self, params):
        from .....nn.modules.container import ModuleList
        self._all_weight_values = ModuleList([_PackedRNNParams(p) for p in params])

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, "qconfig") or mod.qconfig is None:
            raise AssertionError("Input float module must have qconfig defined")
        weight_observer_method = mod.qconfig.weight
        dtype = weight_observer_method().dtype
        if dtype not in (_q.qint8, _dtype.float16):
            raise RuntimeError(f"Unsupported dtype for dynamic RNN quantization: {dtype}")
        if getattr(mod, "proj_size", 0):
            raise NotImplementedError("dynamic quantization of LSTM with proj_size")
        qmod = cls(mod.input_size, mod.hidden_size, mod.num_layers, mod.bias, mod.batch_first,
                   mod.dropout, mod.bidirectional, dtype)
        params = []
        dirs = 2 if mod.bidirectional else 1
        for layer in range(mod.num_layers):
            for d in range(dirs):
                sfx = "_reverse" if d == 1 else ""
                packed = []
                for kind in ("ih", "hh"):
                    w = getattr(mod, f"weight_{kind}_l{layer}{sfx}").detach().float()
                    if dtype is _q.qint8:
                        obs = weight_observer_method()
                        obs(w)
                        packed.append(quantize_weight(w, obs))
                    else:
                        packed.append(_make(w._data.astype(numpy.float16)))
                for kind in ("ih", "hh"):
                    b = getattr(mod, f"bias_{kind}_l{layer}{sfx}", None) if mod.bias else None
                    packed.append(None if b is None else b.detach())
                params.append(tuple(packed))
        qmod._set_params(params)
        return qmod

    def _weights(self, idx):
        w_ih, w_hh, b_ih, b_hh = self._all_weight_values[idx].param
        conv = (lambda w: w) if isinstance(w_ih, _q.QTensor) else (lambda w: w._data)
        def ba(b):
            return (None if b is None else numpy.asarray(b._data, _F32))
        return conv(w_ih), conv(w_hh), ba(b_ih), ba(b_hh)

    def forward(self, input, hx=None):
        from .....nn.utils.rnn import PackedSequence
        if isinstance(input, PackedSequence):
            raise NotImplementedError("dynamic quantized RNNs with PackedSequence input")
        x = _float_array(input, f"quantized::quantized_{self._name.lower()}")
        unbatched = x.ndim == 2
        if unbatched:
            x = x[:, None] if not self.batch_first else x[None]
        if self.batch_first:
            x = x.transpose(1, 0, 2)
        T, B, _ = x.shape
        dirs = 2 if self.bidirectional else 1
        H = self.hidden_size
        n = self.num_layers * dirs
        h0, c0 = self._initial(hx, n, B, H, unbatched)
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                idx = layer * dirs + d
                w_ih, w_hh, b_ih, b_hh = self._weights(idx)
                seq = layer_in[::-1] if d == 1 else layer_in
                # the whole sequence's input projection at once (torch on CPU)
                xw = dynamic_linear_array(numpy.ascontiguousarray(seq), w_ih, b_ih)
                h = h0[idx]
                c = None if c0 is None else c0[idx]
                ys = []
                for t in range(T):
                    h, c = self._cell(xw[t], h, c, w_hh, b_hh)
                    ys.append(h)
                y = numpy.stack(ys)
                outs.append(y[::-1] if d == 1 else y)
                hs.append(h)
                cs.append(c)
            layer_in = numpy.concatenate(outs, axis=-1) if dirs == 2 else outs[0]
        out = layer_in
        if self.batch_first:
            out = out.transpose(1, 0, 2)
        h_n = numpy.stack(hs)
        if unbatched:
            out = out[:, 0] if not self.batch_first else out[0]
            h_n = h_n[:, 0]
        out_t = _make(numpy.ascontiguousarray(out, dtype=_F32))
        if self._GATES == 4:
            c_n = numpy.stack(cs)
            if unbatched:
                c_n = c_n[:, 0]
            return out_t, (_make(h_n.astype(_F32)), _make(c_n.astype(_F32)))
        return out_t, _make(h_n.astype(_F32))

    def _initial(self, hx, n, B, H, unbatched):
        zeros = numpy.zeros((n, B, H), _F32)
        if hx is None:
            return zeros, (zeros.copy() if self._GATES == 4 else None)
        if self._GATES == 4:
            h, c = hx
            h, c = h._data, c._data
            if unbatched:
                h, c = h[:, None], c[:, None]
            return h.astype(_F32), c.astype(_F32)
        h = hx._data
        if unbatched:
            h = h[:, None]
        return h.astype(_F32), None


class LSTM(_RNNBase):
    """``DynamicQuantizedLSTM`` (ATen's LSTM cell on dynamic int8 linears)."""

    _GATES = 4
    _name = "LSTM"

    def _cell(self, xw_t, h, c, w_hh, b_hh):
        gates = dynamic_linear_array(h, w_hh, b_hh) + xw_t
        H = self.hidden_size
        i = _sigmoid(gates[:, :H])
        f = _sigmoid(gates[:, H:2 * H])
        g = numpy.tanh(gates[:, 2 * H:3 * H])
        o = _sigmoid(gates[:, 3 * H:])
        c = f * c + i * g
        h = o * numpy.tanh(c)
        return h.astype(_F32), c.astype(_F32)


class GRU(_RNNBase):
    """``DynamicQuantizedGRU`` (ATen's GRU cell on dynamic int8 linears)."""

    _GATES = 3
    _name = "GRU"

    def _cell(self, xw_t, h, c, w_hh, b_hh):
        hg = dynamic_linear_array(h, w_hh, b_hh)
        H = self.hidden_size
        r = _sigmoid(hg[:, :H] + xw_t[:, :H])
        z = _sigmoid(hg[:, H:2 * H] + xw_t[:, H:2 * H])
        n = numpy.tanh(xw_t[:, 2 * H:] + hg[:, 2 * H:] * r)
        return ((h - n) * z + n).astype(_F32), None
