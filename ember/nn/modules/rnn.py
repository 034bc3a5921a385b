"""Recurrent layers: RNN, LSTM, GRU and their cells (``torch.nn`` parameters and numbers).

Per layer and direction the input projection of all time steps is one GEMM; the time
loop is then one fused Function (``ember.ops.rnn.RecurrentLayer``: one GEMM plus the gate
math per step, hand-written backward through time), also for LSTM ``proj_size`` and for
PackedSequence input, which runs on the padded layout with the rows of each step limited
to its ``batch_sizes`` entry, as PyTorch does. The cells (one step) use ember ops, so
they are twice differentiable; the fused layers are once differentiable.
"""
import math

from ... import ops
from ..._dtype import int64 as _int64
from ...ops.creation import empty, zeros
from ...ops.linear import linear
from ...ops.rnn import recurrent_layer
from ...ops.shape import stack, cat
from ...ops import creation as _creation
from ..parameter import Parameter
from .. import init
from .module import Module
from ...autograd.dispatch import composite

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _lstm_step(xw, h, c, w_hh, b_hh):
    gates = xw + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, dim=-1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return h, c


def _gru_step(xw, h, w_hh, b_hh):
    hw = linear(h, w_hh, b_hh)
    x_r, x_z, x_n = xw.chunk(3, dim=-1)
    h_r, h_z, h_n = hw.chunk(3, dim=-1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _rnn_step(xw, h, w_hh, b_hh, relu):
    pre = xw + linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


class RNNBase(Module):
    """Shared parameters and the layer/direction loop of RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for d in range(dirs):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                in_size = input_size if layer == 0 else real_hidden * dirs
                names = [("weight_ih", (gate, in_size)), ("weight_hh", (gate, real_hidden))]
                if bias:
                    names += [("bias_ih", (gate,)), ("bias_hh", (gate,))]
                if proj_size:
                    names.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in names:
                    setattr(self, name + suffix,
                            Parameter(empty(shape, device=device, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def flatten_parameters(self):
        """No-op: ember keeps no fused cuDNN weight buffer to re-pack (PyTorch's is a
        no-op off cuDNN too)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        per = (4 if self.bias else 2) + (1 if self.proj_size else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    def _out_size(self):
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
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

    def _weights(self, layer, d):
        suffix = f"_l{layer}" + ("_reverse" if d else "")
        get = lambda n: getattr(self, n + suffix, None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), get("weight_hr")

    def _zero_state(self, n_states, batch, like):
        h0 = zeros(n_states, batch, self._out_size(), dtype=like.dtype, device=like.device)
        if self.mode != "LSTM":
            return h0
        return h0, zeros(n_states, batch, self.hidden_size, dtype=like.dtype, device=like.device)

    def _check_input(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _check_hidden(self, hx, n_states, batch):
        lstm = self.mode == "LSTM"
        if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise RuntimeError("LSTM expects hx as a tuple (h_0, c_0)")
        sizes = (self._out_size(), self.hidden_size) if lstm else (self.hidden_size,)
        names = ("Expected hidden[0] size", "Expected hidden[1] size") if lstm else \
            ("Expected hidden size",)
        for h, size, name in zip(hx if lstm else (hx,), sizes, names):
            expected = (n_states, batch, size)
            if tuple(h.shape) != expected:
                raise RuntimeError(f"{name} {expected}, got {list(h.shape)}")

    def _check_hidden_dims(self, hx, want):
        kind = "unbatched 2-D" if want == 2 else "batched 3-D"
        if self.mode == "LSTM":
            if isinstance(hx, (tuple, list)) and len(hx) == 2 and \
                    (hx[0].dim() != want or hx[1].dim() != want):
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but "
                                   f"got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        elif hx.dim() != want:
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                               f"{hx.dim()}-D tensor")

    def _run(self, input, hx, batch_sizes=None):
        """input (T, B, F); hx: list of per-(layer, dir) states; ``batch_sizes``: rows
        active at each step (packed input, sorted by decreasing length); returns the
        output (T, B, dirs * P) and the new states."""
        dirs = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        new_states = []
        layer_in = input
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, d)
                xw = linear(layer_in, w_ih, b_ih)          # all time steps in one GEMM
                state = hx[layer * dirs + d]
                res = recurrent_layer(xw, w_hh, state[0] if lstm else state,
                                      state[1] if lstm else None, b_hh, self.mode, bool(d),
                                      w_hr=w_hr, batch_sizes=batch_sizes)
                outs.append(res[0])
                new_states.append(tuple(res[1:]) if lstm else res[1])
            layer_out = outs[0] if dirs == 1 else cat(outs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_out = ops.dropout.dropout(layer_out, self.dropout, True)
            layer_in = layer_out
        return layer_in, new_states

    @composite("rnn")
    def forward(self, input, hx=None):
        from ..utils.rnn import PackedSequence
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_input(input)
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        batch = input.shape[1]
        dirs = 2 if self.bidirectional else 1
        n_states = self.num_layers * dirs
        lstm = self.mode == "LSTM"
        if hx is None:
            hx = self._zero_state(n_states, batch, input)
        else:
            self._check_hidden_dims(hx, 2 if unbatched else 3)
            if unbatched:
                hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
        self._check_hidden(hx, n_states, batch)
        states = [(hx[0][k], hx[1][k]) if lstm else hx[k] for k in range(n_states)]
        out, new = self._run(input, states)
        if lstm:
            h_n = stack([s[0] for s in new])
            c_n = stack([s[1] for s in new])
        else:
            h_n = stack(new)
        if unbatched:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            if lstm:
                c_n = c_n.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, ((h_n, c_n) if lstm else h_n)


    def _forward_packed(self, packed, hx):
        from ..utils.rnn import PackedSequence
        batch_sizes = packed.batch_sizes.tolist()
        data = packed.data
        if data.dim() != 2:
            raise ValueError(f"{type(self).__name__}: packed input data must be 2D, got "
                             f"{data.dim()}D instead")
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {data.shape[-1]}")
        steps = len(batch_sizes)
        batch = batch_sizes[0] if steps else 0
        # the padded (T, B, F) layout in sorted order: one gather from the packed rows plus
        # a zero row for the positions a step skips; the output goes back with one gather
        src, keep, off = [], [], 0
        for t, bs in enumerate(batch_sizes):
            src += list(range(off, off + bs)) + [data.shape[0]] * (batch - bs)
            keep += range(t * batch, t * batch + bs)
            off += bs
        padded = cat([data, zeros(1, data.shape[1], dtype=data.dtype, device=data.device)])
        padded = padded.index_select(0, _creation.tensor(src, dtype=_int64, device=data.device))
        padded = padded.reshape(steps, batch, data.shape[1])
        dirs = 2 if self.bidirectional else 1
        n_states = self.num_layers * dirs
        lstm = self.mode == "LSTM"
        if hx is None:
            hx = self._zero_state(n_states, batch, data)
        else:
            self._check_hidden(hx, n_states, batch)
            if packed.sorted_indices is not None:
                idx = packed.sorted_indices
                hx = tuple(h.index_select(1, idx) for h in hx) if lstm else \
                    hx.index_select(1, idx)
        states = [(hx[0][k], hx[1][k]) if lstm else hx[k] for k in range(n_states)]
        out, new = self._run(padded, states, batch_sizes)
        out_data = out.reshape(steps * batch, out.shape[-1]).index_select(
            0, _creation.tensor(keep, dtype=_int64, device=data.device))
        h_n = stack([s[0] for s in new]) if lstm else stack(new)
        c_n = stack([s[1] for s in new]) if lstm else None
        if packed.unsorted_indices is not None:
            h_n = h_n.index_select(1, packed.unsorted_indices)
            if lstm:
                c_n = c_n.index_select(1, packed.unsorted_indices)
        result = PackedSequence(out_data, packed.batch_sizes, packed.sorted_indices,
                                packed.unsorted_indices)
        return result, ((h_n, c_n) if lstm else h_n)


class RNN(RNNBase):
    """Elman RNN with tanh or ReLU (``torch.nn.RNN``)."""

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory (``torch.nn.LSTM``); gates i, f, g, o as PyTorch."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit (``torch.nn.GRU``); gates r, z, n as PyTorch."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size),
                                         device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, n):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (z,) * n
        else:
            hx = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
            hx = tuple(h.unsqueeze(0) if unbatched and h.dim() == 1 else h for h in hx)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for k, h in enumerate(hx):
            if h.dim() != 2 or h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got "
                                   f"{h.shape[-1]}, expected {self.hidden_size}")
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{k} batch size {h.shape[0]}")
        return input, hx, unbatched


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        input, (h,), unbatched = self._prepare(input, hx, 1)
        h = _rnn_step(linear(input, self.weight_ih, self.bias_ih), h, self.weight_hh,
                      self.bias_hh, self.nonlinearity == "relu")
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        input, (h, c), unbatched = self._prepare(input, hx, 2)
        h, c = _lstm_step(linear(input, self.weight_ih, self.bias_ih), h, c, self.weight_hh,
                          self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        input, (h,), unbatched = self._prepare(input, hx, 1)
        h = _gru_step(linear(input, self.weight_ih, self.bias_ih), h, self.weight_hh,
                      self.bias_hh)
        return h.squeeze(0) if unbatched else h
