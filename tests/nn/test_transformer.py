"""Transformer layers against PyTorch on the same weights (eval mode: dropout off)."""
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close, copy_state


def _copy(me, mt):
    copy_state(me, mt)
    me.eval()
    mt.eval()


def _run_both(me, mt, arrays, kwargs_for):
    outs = []
    for lib, m in ((ember, me), (torch, mt)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = m(*ts, **kwargs_for(lib))
        out.pow(2).sum().backward()
        outs.append((out, [t.grad for t in ts], [p.grad for p in m.parameters()]))
    (oe, ge, pe), (ot, gt, pt) = outs
    assert_close(oe, ot, rtol=1e-4, atol=1e-5)
    for a, b in zip(ge + pe, gt + pt):
        assert_close(a, b, rtol=1e-3, atol=1e-4)


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"norm_first": True}, {"activation": "gelu"},
                                {"batch_first": True}])
@pytest.mark.parametrize("masks", [False, True])
def test_encoder_parity(kw, masks):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, **kw), 2,
                                         norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    me = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, **kw), 2,
                                     norm=ember.nn.LayerNorm(8))
    assert list(me.state_dict()) == list(mt.state_dict())
    assert repr(me) == repr(mt).replace("torch", "ember")
    _copy(me, mt)
    shape = (3, 5, 8) if kw.get("batch_first") else (5, 3, 8)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    pad = np.zeros((3, 5), bool)
    pad[1, 3:] = True

    def kwargs_for(lib):
        if not masks:
            return {}
        return {"mask": lib.nn.Transformer.generate_square_subsequent_mask(5),
                "src_key_padding_mask": lib.tensor(pad)}
    _run_both(me, mt, [x], kwargs_for)


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "batch_first": True}])
def test_full_transformer_parity(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.Transformer(8, 2, 2, 2, 16, **kw)
    me = ember.nn.Transformer(8, 2, 2, 2, 16, **kw)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert repr(me) == repr(mt).replace("torch", "ember")
    _copy(me, mt)
    rng = np.random.default_rng(1)
    bf = kw.get("batch_first", False)
    src = rng.standard_normal((2, 6, 8) if bf else (6, 2, 8)).astype(np.float32)
    tgt = rng.standard_normal((2, 4, 8) if bf else (4, 2, 8)).astype(np.float32)

    def kwargs_for(lib):
        return {"tgt_mask": lib.nn.Transformer.generate_square_subsequent_mask(4)}
    _run_both(me, mt, [src, tgt], kwargs_for)


def test_square_subsequent_mask_and_errors():
    m = ember.nn.Transformer.generate_square_subsequent_mask(3)
    assert m.tolist() == [[0.0, float("-inf"), float("-inf")], [0.0, 0.0, float("-inf")],
                          [0.0, 0.0, 0.0]]
    with pytest.raises(RuntimeError, match="relu/gelu"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")


def _pad_mask(n, s, rng, bool_=True):
    m = rng.random((n, s)) > 0.6
    m[:, 0] = False
    return m if bool_ else np.where(m, -np.inf, 0).astype(np.float32)


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"norm_first": True}, {"activation": "gelu"},
                                {"batch_first": True, "bias": False}])
def test_decoder_parity_with_every_mask(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 12, **kw), 2,
                                         norm=torch.nn.LayerNorm(8))
    me = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(8, 2, 12, **kw), 2,
                                     norm=ember.nn.LayerNorm(8))
    assert list(me.state_dict()) == list(mt.state_dict())
    assert repr(me) == repr(mt).replace("torch", "ember")
    _copy(me, mt)
    rng = np.random.default_rng(2)
    bf = kw.get("batch_first", False)
    T, S, N = 4, 6, 3
    tgt = rng.standard_normal((N, T, 8) if bf else (T, N, 8)).astype(np.float32)
    mem = rng.standard_normal((N, S, 8) if bf else (S, N, 8)).astype(np.float32)
    tpad, mpad = _pad_mask(N, T, rng), _pad_mask(N, S, rng)
    mmask = rng.standard_normal((T, S)).astype(np.float32)

    def kwargs_for(lib):
        return {"tgt_mask": lib.nn.Transformer.generate_square_subsequent_mask(T),
                "memory_mask": lib.tensor(mmask), "tgt_key_padding_mask": lib.tensor(tpad),
                "memory_key_padding_mask": lib.tensor(mpad), "tgt_is_causal": True}
    _run_both(me, mt, [tgt, mem], kwargs_for)


@needs_torch
@pytest.mark.parametrize("kw", [{"activation": "gelu", "norm_first": True},
                                {"batch_first": True, "layer_norm_eps": 1e-3}])
def test_full_transformer_all_masks(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.Transformer(8, 2, 1, 2, 16, **kw)
    me = ember.nn.Transformer(8, 2, 1, 2, 16, **kw)
    _copy(me, mt)
    rng = np.random.default_rng(3)
    bf = kw.get("batch_first", False)
    S, T, N = 5, 4, 2
    src = rng.standard_normal((N, S, 8) if bf else (S, N, 8)).astype(np.float32)
    tgt = rng.standard_normal((N, T, 8) if bf else (T, N, 8)).astype(np.float32)
    spad = _pad_mask(N, S, rng, bool_=False)
    smask = rng.standard_normal((S, S)).astype(np.float32)

    def kwargs_for(lib):
        return {"src_mask": lib.tensor(smask),
                "tgt_mask": lib.nn.Transformer.generate_square_subsequent_mask(T),
                "src_key_padding_mask": lib.tensor(spad),
                "memory_key_padding_mask": lib.tensor(spad)}
    _run_both(me, mt, [src, tgt], kwargs_for)


@needs_torch
def test_encoder_layer_callable_activation_train_mode_and_unbatched():
    # dropout=0 in train mode must equal PyTorch too; a Module activation is registered
    lt = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=torch.nn.GELU())
    le = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=ember.nn.GELU())
    assert repr(le) == repr(lt).replace("torch", "ember")
    copy_state(le, lt)
    x = np.random.default_rng(4).standard_normal((5, 8)).astype(np.float32)   # unbatched
    _run_both(le, lt, [x], lambda lib: {})
    lt2 = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                           activation=torch.nn.functional.gelu)
    le2 = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                           activation=ember.nn.functional.gelu)
    copy_state(le2, lt2)
    _run_both(le2, lt2, [x], lambda lib: {})


@needs_torch
def test_custom_encoder_decoder_and_state_dict_keys():
    enc_t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 1,
                                        enable_nested_tensor=False)
    enc_e = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16), 1,
                                        enable_nested_tensor=False)
    mt = torch.nn.Transformer(8, 2, custom_encoder=enc_t, num_decoder_layers=1,
                              dim_feedforward=16)
    me = ember.nn.Transformer(8, 2, custom_encoder=enc_e, num_decoder_layers=1,
                              dim_feedforward=16)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert "encoder.layers.0.self_attn.in_proj_weight" in me.state_dict()
    assert "decoder.layers.0.multihead_attn.out_proj.weight" in me.state_dict()
    assert repr(me) == repr(mt).replace("torch", "ember")
    _copy(me, mt)
    rng = np.random.default_rng(5)
    src = rng.standard_normal((5, 2, 8)).astype(np.float32)
    tgt = rng.standard_normal((3, 2, 8)).astype(np.float32)
    _run_both(me, mt, [src, tgt], lambda lib: {})


def test_transformer_init_and_mask_dtype():
    m = ember.nn.Transformer(16, 2, 1, 1, 32)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= np.sqrt(6 / (16 + 32)) + 1e-6   # xavier_uniform_ on every matrix
    mask = ember.nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    assert mask.dtype == ember.float64 and mask.shape == (4, 4)
    assert ember.nn.Transformer.generate_square_subsequent_mask(2).dtype == ember.float32


@needs_torch
@pytest.mark.parametrize("grad", [False, True])
def test_encoder_nested_tensor_path_zeroes_padding(grad):
    # PyTorch packs the batch (eval, no grad, batch_first, bool padding mask): padded
    # outputs come back as zeros before the final norm; with grad they are computed.
    mt = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                                     2, norm=torch.nn.LayerNorm(8))
    me = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                                     2, norm=ember.nn.LayerNorm(8))
    assert mt.use_nested_tensor and me.use_nested_tensor
    _copy(me, mt)
    x = np.random.default_rng(6).standard_normal((2, 5, 8)).astype(np.float32)
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    outs = []
    for lib, m in ((ember, me), (torch, mt)):
        with lib.set_grad_enabled(grad):
            outs.append(m(lib.tensor(x), src_key_padding_mask=lib.tensor(pad)).detach())
    assert_close(outs[0], outs[1], rtol=1e-4, atol=1e-5)


def test_encoder_nested_tensor_warning():
    with pytest.warns(UserWarning, match="norm_first was True"):
        enc = ember.nn.TransformerEncoder(
            ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 1)
    assert enc.use_nested_tensor is False
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu")
    assert layer.activation_relu_or_gelu == 2
