"""The nn ops PyTorch also exposes at top level (``torch.conv2d``, ``torch.dropout``,
``torch.batch_norm``, ``torch.lstm`` ...), with those functions' own signatures.

They are PyTorch's ATen entry points, whose positional signatures differ from
``torch.nn.functional``'s: ``torch.dropout(input, p, train)`` takes no defaults,
``torch.embedding(weight, input)`` puts the weight first, losses take ``reduction`` as an
int (0 none, 1 mean, 2 sum), ``torch.batch_norm`` orders weight/bias before the running
statistics and takes ``cudnn_enabled``, ``torch.lstm`` takes a flat tuple of weights.
The losses' ``reduction`` defaults to 0 (none): PyTorch's stubs say 1, but its argument
parser reads the ``at::Reduction::Mean`` default as 0, so ``torch.kl_div(a, b)`` returns
the unreduced loss; ember prints the same numbers. Each is a thin adapter over the ember op that ``ember.nn.functional`` uses, so values and
gradients are the functional form's. ``native_*`` return PyTorch's auxiliary outputs
(saved mean / inverse std, dropout mask).
"""
import builtins

from .ops import (conv as _conv, pooling as _pool, normalization as _norm, dropout as _drop,
                  loss as _loss, distance as _dist, upsampling as _up, padding as _pad,
                  channel_shuffle as _cs, grid_sample as _gs, linear as _lin)

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "conv_tbc", "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
    "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
    "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_", "native_dropout",
    "batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
    "native_batch_norm", "native_layer_norm", "embedding", "embedding_bag", "bilinear",
    "cosine_similarity", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "native_channel_shuffle", "binary_cross_entropy_with_logits", "kl_div",
    "ctc_loss", "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
    "poisson_nll_loss", "triplet_margin_loss", "constant_pad_nd", "grid_sampler",
    "grid_sampler_2d", "grid_sampler_3d",
    "affine_grid_generator", "lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell",
    "rnn_tanh_cell", "rnn_relu_cell", "frobenius_norm", "nuclear_norm", "native_group_norm",
    "norm_except_dim", "embedding_renorm_", "batch_norm_update_stats",
]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r, fname):
    if isinstance(r, str):
        return r
    try:
        return _REDUCTIONS[r]
    except (KeyError, TypeError):
        raise RuntimeError(f"{fname}(): reduction must be 0 (none), 1 (mean) or 2 (sum), got "
                           f"{r!r}") from None


def _stride(stride):
    """ATen's ``stride=[]`` (an empty list) means 'the kernel size', F's ``None``."""
    return None if stride is None or (isinstance(stride, (tuple, list)) and not stride) else stride


# -- convolution --------------------------------------------------------------------------
conv1d, conv2d, conv3d = _conv.conv1d, _conv.conv2d, _conv.conv3d
conv_transpose1d, conv_transpose2d = _conv.conv_transpose1d, _conv.conv_transpose2d
conv_transpose3d = _conv.conv_transpose3d


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """``torch.convolution``: conv{1,2,3}d or conv_transpose{1,2,3}d by the input's rank."""
    n = input.dim() - 2
    if n not in (1, 2, 3):
        raise RuntimeError(f"Expected 3D, 4D or 5D input to convolution, but got input of size: "
                           f"{list(input.shape)}")
    if transposed:
        fn = (conv_transpose1d, conv_transpose2d, conv_transpose3d)[n - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return (conv1d, conv2d, conv3d)[n - 1](input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input, weight, bias, pad=0):
    """``torch.conv_tbc`` / ``F.conv_tbc``: time-batch-channel convolution; input
    (T, B, Cin), weight (K, Cin, Cout), bias (Cout,); the result is (T + 2 pad - K + 1, B,
    Cout). As in PyTorch a negative ``pad`` crops that many steps from each end of the
    input; the checks and their messages are ATen's."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    pad = int(pad)
    t_out = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if t_out < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {t_out}: "
                           f"[{t_out}, {input.shape[1]}, {weight.shape[2]}]")
    if pad < 0:                                   # ATen reads from -pad on: a crop
        input = input[-pad:input.shape[0] + pad]
        pad = 0
    if t_out == 0:
        return input[:0, :, :1] * weight[0, :1, :] + bias
    out = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad)
    return out.permute(2, 0, 1)


# -- pooling ------------------------------------------------------------------------------
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _pool.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _pool.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _pool.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    return _pool.max_pool1d_with_indices(input, kernel_size, _stride(stride), padding, dilation,
                                         ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    return _pool.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode,
                            count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _pool.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """``torch.adaptive_max_pool1d``: always (values, indices), as ATen's."""
    return _pool.adaptive_max_pool1d(input, output_size, True)


# -- dropout ------------------------------------------------------------------------------
def dropout(input, p, train):
    return _drop.dropout(input, p, train)


def dropout_(input, p, train):
    return _drop.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _drop.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _drop.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _drop.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _drop.feature_alpha_dropout(input, p, train, inplace=True)


def feature_dropout(input, p, train):
    """``torch.feature_dropout``: whole channels (dim 1) zeroed, any rank >= 2."""
    _drop._check_p(p)
    return _drop._dropout(input, p, train, False, feature=True)


def feature_dropout_(input, p, train):
    _drop._check_p(p)
    return _drop._dropout(input, p, train, True, feature=True)


def native_dropout(input, p, train):
    """``torch.native_dropout``: (output, keep mask as bool)."""
    from .ops.creation import ones_like
    from . import _dtype
    if train is False or p == 0:
        return input.clone(), ones_like(input, dtype=_dtype.bool)
    out = _drop.dropout(input, p, True)
    mask = out != 0
    if p == 1:
        mask = mask & False
    return out, mask


# -- normalization ------------------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    return _norm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                            eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    return _norm.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                               momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _norm.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _norm.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _norm.rms_norm(input, normalized_shape, weight, eps)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``torch.native_batch_norm``: (output, save_mean, save_invstd); the saved statistics
    are the batch's in training and empty tensors otherwise, as on PyTorch's CPU."""
    from .ops.creation import empty
    out = _norm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)
    if not training:
        e = empty(0, dtype=input.dtype, device=input.device)
        return out, e, e.clone()
    dims = [0] + list(builtins.range(2, input.dim()))
    x = input.detach()
    mean = x.mean(dims)
    var = x.var(dims, correction=0)
    return out, mean, (var + eps).rsqrt()


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``torch.native_layer_norm``: (output, mean, rstd), the statistics shaped like the
    input with the normalized dims kept as size 1."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    out = _norm.layer_norm(input, normalized_shape, weight, bias, eps)
    dims = list(builtins.range(input.dim() - len(normalized_shape), input.dim()))
    x = input.detach()
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True, correction=0)
    return out, mean, (var + eps).rsqrt()


# -- embedding / bilinear / distances ------------------------------------------------------
def embedding(weight, input, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``torch.embedding(weight, indices, ...)``: ``padding_idx=-1`` means none (ATen's)."""
    from .ops import sparse as _sp
    return _sp.embedding(input, weight, None if padding_idx < 0 else padding_idx, None, 2.0,
                         scale_grad_by_freq, sparse)


_BAG_MODES = {0: "sum", 1: "mean", 2: "max"}


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """``torch.embedding_bag``: (output, offset2bag, bag_size, max_indices). The output is
    F.embedding_bag's; the auxiliaries are ember's own bookkeeping (offset2bag: the bag of
    each index, bag_size: indices per bag, max_indices: the winning row of each max bag,
    zeros for other modes) and may differ from PyTorch's internal buffers."""
    from .ops import sparse as _sp
    from .ops.creation import zeros
    from . import _dtype
    m = _BAG_MODES.get(mode, mode)
    out = _sp.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, m, sparse,
                            per_sample_weights, include_last_offset, padding_idx)
    flat = indices.reshape(-1)
    n = flat.shape[0]
    if indices.dim() == 2:
        starts = list(builtins.range(0, n, indices.shape[1]))
    else:
        starts = offsets.tolist()
        if include_last_offset:
            starts = starts[:-1]
    bags = len(starts)
    bounds = starts + [n]
    o2b = zeros(n, dtype=_dtype.int64, device=weight.device)
    sizes = zeros(bags, dtype=_dtype.int64, device=weight.device)
    for b in builtins.range(bags):
        o2b[bounds[b]:bounds[b + 1]] = b
        sizes[b] = max(bounds[b + 1] - bounds[b], 0)
    max_idx = zeros(bags if m == "max" else 0, weight.shape[1] if m == "max" else 0,
                    dtype=_dtype.int64, device=weight.device)
    if m == "max":
        for b in builtins.range(bags):
            seg = flat[bounds[b]:bounds[b + 1]]
            if seg.numel():
                rows = weight.detach().index_select(0, seg)
                max_idx[b] = seg[rows.argmax(0)]
    return out, o2b, sizes, max_idx


bilinear = _lin.bilinear
cosine_similarity = _dist.cosine_similarity
pairwise_distance = _dist.pairwise_distance
pixel_shuffle, pixel_unshuffle = _up.pixel_shuffle, _up.pixel_unshuffle
channel_shuffle, native_channel_shuffle = _cs.channel_shuffle, _cs.native_channel_shuffle


# -- losses (reduction as ATen's int) ------------------------------------------------------
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _loss.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction, "binary_cross_entropy_with_logits"),
        pos_weight=pos_weight)


def kl_div(input, target, reduction=0, log_target=False):
    return _loss.kl_div(input, target, reduction=_reduction(reduction, "kl_div"),
                        log_target=log_target)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    from .ops import ctc
    return ctc.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                        _reduction(reduction, "ctc_loss"), zero_infinity)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _loss.cosine_embedding_loss(input1, input2, target, margin,
                                       reduction=_reduction(reduction, "cosine_embedding_loss"))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _loss.hinge_embedding_loss(input, target, margin,
                                      reduction=_reduction(reduction, "hinge_embedding_loss"))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _loss.margin_ranking_loss(input1, input2, target, margin,
                                     reduction=_reduction(reduction, "margin_ranking_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _loss.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                  reduction=_reduction(reduction, "poisson_nll_loss"))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False,
                        reduction=0):
    return _loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                     reduction=_reduction(reduction, "triplet_margin_loss"))


# -- padding / sampling -------------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    return _pad.pad(input, pad, "constant", value)


_INTERP = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def _grid_modes(fname, interpolation_mode, padding_mode, align_corners):
    for arg, value, pos in (("interpolation_mode", interpolation_mode, 3),
                            ("padding_mode", padding_mode, 4)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be int, not "
                            f"{type(value).__name__}")
    if not isinstance(align_corners, bool):
        raise TypeError(f"{fname}(): argument 'align_corners' (position 5) must be bool, not "
                        f"{type(align_corners).__name__}")
    try:
        return _INTERP[interpolation_mode], _PADDING[padding_mode]
    except KeyError:
        raise RuntimeError(f"{fname}(): unknown interpolation_mode {interpolation_mode} or "
                           f"padding_mode {padding_mode} (expected 0 bilinear, 1 nearest, "
                           "2 bicubic; 0 zeros, 1 border, 2 reflection)") from None


def _grid_sampler(fname, ndim, input, grid, interpolation_mode, padding_mode, align_corners):
    mode, pad = _grid_modes(fname, interpolation_mode, padding_mode, align_corners)
    _gs.check_grid_sampler(input, grid, mode, ndim)
    return _gs.apply_grid_sampler(input, grid, mode, pad, align_corners)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler``: F.grid_sample with ATen's int modes (0 bilinear, 1 nearest,
    2 bicubic; padding 0 zeros, 1 border, 2 reflection), 4-D or 5-D input."""
    return _grid_sampler("grid_sampler", None, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler_2d``: (N, C, H, W) input, (N, Ho, Wo, 2) grid, int modes."""
    return _grid_sampler("grid_sampler_2d", 4, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler_3d``: (N, C, D, H, W) input, (N, Do, Ho, Wo, 3) grid, int modes
    (no bicubic, as in PyTorch)."""
    return _grid_sampler("grid_sampler_3d", 5, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def affine_grid_generator(theta, size, align_corners):
    return _gs.affine_grid(theta, size, align_corners)


# -- norms --------------------------------------------------------------------------------
def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """``torch.frobenius_norm``: sqrt of the sum of squares over ``dim``."""
    from . import linalg
    return linalg.vector_norm(input, 2, dim, keepdim, out=out)


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """``torch.nuclear_norm(input, keepdim=False)`` / ``(input, dim, keepdim=False)``."""
    from . import linalg
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return linalg.matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, out=out)


# -- recurrent layers ---------------------------------------------------------------------
def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``torch.lstm_cell(input, (h, c), w_ih, w_hh, b_ih, b_hh)`` -> (h', c')."""
    from .nn.modules.rnn import _lstm_step
    h, c = hx
    return _lstm_step(_lin.linear(input, w_ih, b_ih), h, c, w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    from .nn.modules.rnn import _gru_step
    return _gru_step(_lin.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    from .nn.modules.rnn import _rnn_step
    return _rnn_step(_lin.linear(input, w_ih, b_ih), hx, w_hh, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    from .nn.modules.rnn import _rnn_step
    return _rnn_step(_lin.linear(input, w_ih, b_ih), hx, w_hh, b_hh, True)


def _stack(mode, input, hx, params, has_biases, num_layers, dropout_p, train, bidirectional,
           batch_first, fname):
    from .ops.rnn import recurrent_layer
    from .ops.shape import cat, stack
    from . import Tensor
    if not isinstance(params, (tuple, list)) or (params and not isinstance(params[0], Tensor)):
        raise NotImplementedError(f"ember.{fname}: the packed-sequence overload (data, "
                                  "batch_sizes, ...) is not supported; use nn."
                                  f"{mode.split('_')[0]} with a PackedSequence")
    dirs = 2 if bidirectional else 1
    per = 4 if has_biases else 2
    if len(params) != num_layers * dirs * per:
        raise NotImplementedError(f"ember.{fname}: got {len(params)} weights for {num_layers} "
                                  f"layer(s) x {dirs} direction(s); proj_size weights are not "
                                  "supported")
    lstm = mode == "LSTM"
    if batch_first:
        input = input.transpose(0, 1)
    h0s, c0s = (hx[0], hx[1]) if lstm else (hx, None)
    layer_in, hs, cs = input, [], []
    for layer in builtins.range(num_layers):
        outs = []
        for d in builtins.range(dirs):
            k = (layer * dirs + d)
            w = params[k * per:(k + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            xw = _lin.linear(layer_in, w_ih, b_ih)
            res = recurrent_layer(xw, w_hh, h0s[k], c0s[k] if lstm else None, b_hh, mode,
                                  bool(d))
            outs.append(res[0])
            hs.append(res[1])
            if lstm:
                cs.append(res[2])
        layer_in = outs[0] if dirs == 1 else cat(outs, dim=-1)
        if dropout_p and train and layer < num_layers - 1:
            layer_in = _drop.dropout(layer_in, dropout_p, True)
    out = layer_in.transpose(0, 1) if batch_first else layer_in
    if lstm:
        return out, stack(hs), stack(cs)
    return out, stack(hs)


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``torch.lstm(input, (h0, c0), params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first)`` -> (output, h_n, c_n); ``params`` is the flat tuple
    (w_ih, w_hh[, b_ih, b_hh]) per layer and direction, as ``nn.LSTM._flat_weights``."""
    return _stack("LSTM", input, hx, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first, "lstm")


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    return _stack("GRU", input, hx, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first, "gru")


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
             batch_first):
    return _stack("RNN_TANH", input, hx, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first, "rnn_tanh")


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
             batch_first):
    return _stack("RNN_RELU", input, hx, params, has_biases, num_layers, dropout, train,
                  bidirectional, batch_first, "rnn_relu")


# -- ATen helpers of weight norm, embedding max_norm, group norm and batch norm -------------
def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """``torch.native_group_norm``: (output, mean, rstd), the statistics shaped (N, group)."""
    out = _norm.group_norm(input, group, weight, bias, eps)
    x = input.detach().reshape(N, group, -1)
    mean = x.mean(-1)
    var = x.var(-1, correction=0)
    return out, mean, (var + eps).rsqrt()


def norm_except_dim(v, pow=2, dim=0):
    """``torch.norm_except_dim``: the ``pow``-norm over every dim but ``dim``, shaped to
    broadcast against ``v`` (weight norm's helper); ``dim=-1`` is the norm of all of ``v``."""
    from . import linalg
    if dim == -1:
        return linalg.vector_norm(v, pow)
    d = dim % v.dim()
    dims = [k for k in builtins.range(v.dim()) if k != d]
    return linalg.vector_norm(v, pow, dims, keepdim=True)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """``torch.embedding_renorm_``: rescale (in place, no gradient) each row named in
    ``indices`` whose ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm``."""
    from . import linalg
    from .autograd.grad_mode import no_grad
    with no_grad():
        from . import backend
        from ._tensor import _make
        idx = indices._data.reshape(-1)
        rows = _make(backend.get_array_module(idx).unique(idx))
        sel = input.index_select(0, rows)
        norms = linalg.vector_norm(sel, norm_type, 1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        input.index_copy_(0, rows, sel * scale)
    return input


def batch_norm_update_stats(input, running_mean, running_var, momentum):
    """``torch.batch_norm_update_stats``: (batch mean, biased batch variance) per channel,
    and the running statistics updated in place with the unbiased variance."""
    from .autograd.grad_mode import no_grad
    dims = [0] + list(builtins.range(2, input.dim()))
    with no_grad():
        x = input.detach()
        mean = x.mean(dims)
        var = x.var(dims, correction=0)
        n = x.numel() // x.shape[1]
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean * momentum)
        if running_var is not None:
            running_var.mul_(1 - momentum).add_(var * (n / max(n - 1, 1)) * momentum)
    return mean, var
