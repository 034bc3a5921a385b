"""Table entries for ember.ops embedding / embedding_bag / one_hot (through
lib.nn.functional). Index tensors are ``Const(lambda lib: ...)`` so both libraries get the
same indices; the weight is the differentiable input."""
import numpy as np

from ops.table import OpSample, Arr, Const


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


def _ix(values):
    return Const(lambda lib: lib.tensor(np.array(values)))


_IDX = _ix([[1, 2, 1], [6, 0, 2]])
_BAG = _ix([1, 2, 4, 5, 4, 3, 2, 0])
_OFF = _ix([0, 2, 2, 4])

SAMPLES = [
    OpSample("embedding", _f(lambda F, i, w: F.embedding(i, w)), [[_IDX, (7, 3)]]),
    # padding_idx and scale_grad_by_freq change the gradient on purpose (torch's too), so
    # finite differences disagree: backward parity with torch checks them
    OpSample("embedding_padding_idx", _f(lambda F, i, w: F.embedding(i, w, padding_idx=2)),
             [[_IDX, (7, 3)]], gradcheck=False),
    OpSample("embedding_scale_grad_by_freq",
             _f(lambda F, i, w: F.embedding(i, w, scale_grad_by_freq=True)), [[_IDX, (7, 3)]],
             gradcheck=False),
] + [
    OpSample(f"embedding_bag_{mode}", _f(lambda F, i, w, o, mode=mode: F.embedding_bag(
        i, w, o, mode=mode, padding_idx=2)), [[_BAG, (7, 3), _OFF]], rtol=1e-4, atol=1e-4,
        gradgrad=False)   # ember's EmbeddingBag backward is declared once-differentiable
    for mode in ("sum", "mean", "max")
] + [
    OpSample("embedding_bag_per_sample_weights", _f(lambda F, i, w, o, p: F.embedding_bag(
        i, w, o, mode="sum", per_sample_weights=p)), [[_BAG, (7, 3), _OFF, (8,)]],
        rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("embedding_bag_2d", _f(lambda F, i, w: F.embedding_bag(i, w, mode="mean")),
             [[_ix([[1, 2, 4], [5, 4, 3]]), (7, 3)]], gradgrad=False),
    OpSample("one_hot", _f(lambda F, i: F.one_hot(i, 5)),
             [[Arr((2, 3), 0, 5, dtype="int64")]], grad=False),
    OpSample("one_hot_inferred", _f(lambda F, i: F.one_hot(i)),
             [[_ix([1, 2, 0, 4])]], grad=False),
]
