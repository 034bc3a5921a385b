"""Op families split at their seams keep their old import paths (re-exports), and the
star imports of ember / ember.nn.functional still carry every function."""
import ember
import ember.nn.functional as F
from ember.ops import (conv, conversion, cross_entropy, ctc, im2col, indexing, loss, padding,
                       pointwise, scatter)


def test_reexported_from_the_old_modules():
    assert loss.cross_entropy is cross_entropy.cross_entropy
    assert loss.nll_loss is cross_entropy.nll_loss and loss.ctc_loss is ctc.ctc_loss
    assert loss.ClassNLL is cross_entropy.ClassNLL and loss.CtcLoss is ctc.CtcLoss
    for name in ("gather", "scatter", "scatter_add", "scatter_reduce", "index_select",
                 "index_add", "index_fill", "index_copy"):
        assert getattr(indexing, name) is getattr(scatter, name)
    assert conv.pad is padding.pad and conv.unfold is im2col.unfold and conv.fold is im2col.fold
    assert pointwise.to is conversion.to and pointwise.clone_tensor is conversion.clone_tensor


def test_public_surfaces_still_carry_the_split_functions():
    for name in ("cross_entropy", "nll_loss", "ctc_loss", "pad", "unfold", "fold"):
        assert callable(getattr(F, name))
    for name in ("gather", "scatter", "scatter_add", "index_select", "index_add", "clone"):
        assert callable(getattr(ember, name))
    t = ember.zeros(3)
    assert ember.equal(t.scatter(0, ember.tensor([2]), ember.tensor([1.0])),
                       ember.tensor([0.0, 0.0, 1.0]))
    assert t.index_fill(0, ember.tensor([0]), 2.0)[0].item() == 2.0
    assert t.double().dtype is ember.float64
