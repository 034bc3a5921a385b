"""Datasets and random_split (ember.utils.data.dataset) against torch.utils.data."""
import warnings

import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                              Subset, TensorDataset, random_split)
from helpers import needs_torch, torch


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


class Count(IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def test_dataset_base_getitem_raises():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__"):
        Dataset()[0]


def test_tensor_dataset_indexing_and_len():
    x = ember.arange(12).reshape(6, 2).float()
    y = ember.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8.0, 9.0] and yi.item() == 4
    sl = ds[1:3]
    assert tuple(sl[0].shape) == (2, 2) and sl[1].tolist() == [1, 2]


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3, 2), ember.zeros(4))


def test_add_makes_concat_and_chain():
    c = Squares(3) + Squares(2)
    assert isinstance(c, ConcatDataset)
    assert [c[i] for i in range(len(c))] == [0, 1, 4, 0, 1]
    ch = Count(0, 2) + Count(5, 7)
    assert isinstance(ch, ChainDataset)
    assert list(ch) == [0, 1, 5, 6] and len(ch) == 4


def test_concat_dataset():
    c = ConcatDataset([Squares(3), Squares(0), Squares(4)])
    assert len(c) == 7 and c.cumulative_sizes == [3, 3, 7]
    assert [c[i] for i in range(7)] == [0, 1, 4, 0, 1, 4, 9]
    assert c[-1] == 9 and c[-7] == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        c[-8]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Squares(2), Count(0, 2)])


def test_chain_dataset_rejects_map_style():
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([Count(0, 2), Squares(2)]))


def test_iterable_dataset_is_abstract():
    with pytest.raises(TypeError):
        IterableDataset()


def test_subset():
    s = Subset(Squares(10), [9, 2, 5])
    assert len(s) == 3 and [s[i] for i in range(3)] == [81, 4, 25]
    assert s.__getitems__([2, 0]) == [25, 81]


def test_subset_override_getitem_only_raises():
    class Bad(Subset):
        def __getitem__(self, i):
            return 0
    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(Squares(3), [0])


def test_stack_dataset_tuple_and_dict():
    a, b = Squares(4), TensorDataset(ember.arange(4))
    s = StackDataset(a, b)
    assert len(s) == 4 and s[2][0] == 4 and s[2][1][0].item() == 2
    d = StackDataset(x=a, y=Squares(4))
    assert d[3] == {"x": 9, "y": 9}
    assert d.__getitems__([1, 2]) == [{"x": 1, "y": 1}, {"x": 4, "y": 4}]
    assert s.__getitems__([0, 3])[1][0] == 9
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(2), Squares(3))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        StackDataset(a, y=a)


def test_dataset_is_generic():
    assert Dataset[int] is not None and IterableDataset[int] is not None


@pytest.mark.parametrize("n,lengths", [
    (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [0.33, 0.33, 0.34]), (7, [0.25, 0.25, 0.5]),
    (100, [0.1] * 10), (5, [3, 2]), (9, [0, 9]), (13, [1 / 3, 1 / 3, 1 / 3]),
])
@needs_torch
def test_random_split_lengths_match_torch(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = random_split(Squares(n), lengths, generator=ember.Generator().manual_seed(0))
        theirs = torch.utils.data.random_split(range(n), lengths,
                                               generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    idx = sorted(i for s in ours for i in s.indices)
    assert idx == list(range(n))            # disjoint and covering
    assert all(isinstance(s, Subset) for s in ours)


def test_random_split_zero_length_warns():
    with pytest.warns(UserWarning) as record:
        parts = random_split(Squares(2), [0.9, 0.05, 0.05])
    assert [len(p) for p in parts] == [2, 0, 0]
    assert [str(w.message) for w in record] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset." for i in (1, 2)]


def test_random_split_reproducible_and_errors():
    a = random_split(Squares(20), [5, 15], generator=ember.Generator().manual_seed(3))
    b = random_split(Squares(20), [5, 15], generator=ember.Generator().manual_seed(3))
    c = random_split(Squares(20), [5, 15], generator=ember.Generator().manual_seed(4))
    assert a[0].indices == b[0].indices and a[0].indices != c[0].indices
    ember.manual_seed(1)
    d = random_split(Squares(20), [10, 10])
    ember.manual_seed(1)
    e = random_split(Squares(20), [10, 10])
    assert d[1].indices == e[1].indices
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(Squares(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(Squares(5), [0.5, 1.5, -1.0])
