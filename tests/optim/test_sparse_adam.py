"""SparseAdam: torch's defaults and checks; dense gradients (all ember has) raise torch's
RuntimeError. Adafactor's argument checks match torch's messages."""
import pytest

from helpers import torch, needs_torch

import ember

pytestmark = needs_torch


def test_sparse_adam_defaults_and_dense_grad_error():
    for lib in (ember, torch):
        p = lib.zeros(3, requires_grad=True)
        o = lib.optim.SparseAdam([p])
        assert o.defaults == {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08,
                              "maximize": False}
        assert o.step() is None                              # no grads yet: nothing to do
        p.grad = lib.ones(3)
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, "
                                               "please consider Adam instead"):
            o.step()


@pytest.mark.parametrize("name,kwargs", [
    ("SparseAdam", dict(lr=0.0)), ("SparseAdam", dict(eps=0.0)),
    ("SparseAdam", dict(betas=(1.0, 0.9))), ("SparseAdam", dict(betas=(0.9, -0.1))),
    ("Adafactor", dict(lr=-1.0)), ("Adafactor", dict(beta2_decay=0.1)),
    ("Adafactor", dict(eps=(-1.0, 1e-3))), ("Adafactor", dict(eps=(None, -1.0))),
    ("Adafactor", dict(d=0.5)), ("Adafactor", dict(weight_decay=-1.0)),
    ("ASGD", dict(weight_decay=-1.0)), ("Rprop", dict(etas=(1.1, 1.2))),
])
def test_invalid_arguments_match_torch(name, kwargs):
    with pytest.raises(ValueError) as te:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ee:
        getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], **kwargs)
    assert str(ee.value) == str(te.value)


def test_adafactor_state_layout():
    p = ember.zeros(2, 3, 4, requires_grad=True)
    o = ember.optim.Adafactor([p])
    p.grad = ember.ones(2, 3, 4)
    o.step()
    st = o.state[p]
    assert list(st) == ["step", "row_var", "col_var"]
    assert st["row_var"].shape == (2, 3, 1) and st["col_var"].shape == (2, 1, 4)
