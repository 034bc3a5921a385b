"""Transformer layers against PyTorch on the same weights (eval mode: dropout off)."""
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close


def _copy(me, mt):
    me.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in mt.state_dict().items()})
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
