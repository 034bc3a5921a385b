"""Samplers (ember.utils.data.sampler / distributed) against torch.utils.data."""
import pytest

import ember
from ember.utils.data import (BatchSampler, DistributedSampler, RandomSampler, Sampler,
                              SequentialSampler, SubsetRandomSampler, WeightedRandomSampler)
from helpers import needs_torch, torch


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
    assert Sampler[int] is not None


def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


def test_random_sampler_permutation_and_reproducible():
    g = ember.Generator().manual_seed(0)
    s = RandomSampler(range(50), generator=g)
    a = list(s)
    assert sorted(a) == list(range(50)) and a != list(range(50)) and len(s) == 50
    assert list(s) != a                                   # generator advanced: new epoch order
    assert list(RandomSampler(range(50), generator=ember.Generator().manual_seed(0))) == a
    ember.manual_seed(7)
    b = list(RandomSampler(range(50)))
    ember.manual_seed(7)
    assert list(RandomSampler(range(50))) == b


def test_random_sampler_num_samples():
    s = RandomSampler(range(7), num_samples=17)
    out = list(s)
    assert len(out) == len(s) == 17
    assert sorted(out[:7]) == list(range(7)) and sorted(out[7:14]) == list(range(7))
    r = RandomSampler(range(3), replacement=True, num_samples=100)
    out = list(r)
    assert len(out) == 100 and set(out) <= {0, 1, 2} and len(set(out)) == 3


def test_random_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler():
    idx = [3, 8, 11, 20]
    s = SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(1))
    assert sorted(s) == idx and len(s) == 4


def test_weighted_random_sampler():
    w = [0.0, 1.0, 0.0, 3.0]
    s = WeightedRandomSampler(w, 200, generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert len(out) == len(s) == 200 and set(out) == {1, 3}
    assert out.count(3) > out.count(1)
    no_rep = list(WeightedRandomSampler([1, 1, 1, 1, 1], 5, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3, 4]
    assert s.weights.dtype == ember.float64


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(2, 1\)"):
        WeightedRandomSampler([[1.0], [2.0]], 1)


@needs_torch
@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                       (2, 5, True), (0, 2, False)])
def test_batch_sampler_matches_torch(n, bs, drop):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, drop)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_batch_sampler_errors_and_plain_iterables():
    assert list(BatchSampler([5, 6, 7], 2, False)) == [[5, 6], [7]]
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(3), 2, 1)


@needs_torch
@pytest.mark.parametrize("n,replicas,drop", [(10, 3, False), (10, 3, True), (12, 4, False),
                                             (12, 4, True), (2, 4, False), (7, 2, True)])
def test_distributed_sampler_matches_torch(n, replicas, drop):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop)
        theirs = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                                     drop_last=drop)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) and ours.total_size == theirs.total_size
        shuffled = DistributedSampler(range(n), replicas, rank, drop_last=drop)
        assert len(list(shuffled)) == len(theirs)


def test_distributed_sampler_partition_and_epochs():
    n, replicas = 23, 4
    parts = [list(DistributedSampler(range(n), replicas, r, seed=5)) for r in range(replicas)]
    flat = [i for p in parts for i in p]
    assert len(flat) == 24 and set(flat) == set(range(n))     # padded by one repeat
    s = DistributedSampler(range(n), replicas, 0, seed=5)
    e0 = list(s)
    assert list(s) == e0                                        # same epoch, same order
    s.set_epoch(1)
    assert list(s) != e0 and s.epoch == 1
    other = DistributedSampler(range(n), replicas, 0, seed=6)
    assert list(other) != e0


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 4, rank should be in the interval \[0, 3\]"):
        DistributedSampler(range(5), num_replicas=4, rank=4)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(5), num_replicas=4, rank=-1)
    import ember.distributed as dist
    if dist.is_available():     # as PyTorch: the process group must exist
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            DistributedSampler(range(5))
    else:
        with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
            DistributedSampler(range(5))
