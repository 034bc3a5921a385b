"""DataLoader (ember.utils.data.dataloader): batching, samplers, worker processes."""
import gc
import math
import multiprocessing
import os
import random
import signal
import time
import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, Sampler,
                              SequentialSampler, TensorDataset, get_worker_info)
from ember.utils.data import _transport
from helpers import needs_torch, torch


# ---- datasets (module level, so they pickle for the 'spawn' start method) ----

class Range(Dataset):
    """Sample i is (float tensor [i, i], int i)."""

    def __init__(self, n, slow=()):
        self.n, self.slow = n, set(slow)

    def __getitem__(self, i):
        if i in self.slow:
            time.sleep(0.05)
        return ember.tensor([float(i), float(i)]), i

    def __len__(self):
        return self.n


class Failing(Dataset):
    def __init__(self, bad, how="raise"):
        self.bad, self.how = bad, how

    def __getitem__(self, i):
        if i == self.bad:
            if self.how == "raise":
                _helper_that_fails(i)
            if self.how == "keyerror":
                raise KeyError("missing-key")
            if self.how == "exit":
                os._exit(3)
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.how == "sleep":
                time.sleep(30)
        return i

    def __len__(self):
        return 8


def _helper_that_fails(i):
    raise ValueError(f"bad sample {i}")


class Augment(Dataset):
    """Random 'augmentations' from numpy's global RNG, ember's and python's."""

    def __getitem__(self, i):
        return np.random.rand(), ember.rand(1).item(), random.random()

    def __len__(self):
        return 8


class WhoAmI(Dataset):
    def __getitem__(self, i):
        info = get_worker_info()
        return (i, os.getpid(), -1 if info is None else info.id,
                -1 if info is None else info.seed, getattr(info.dataset, "tag", -1) if info else -1)

    def __len__(self):
        return 12


class Stream(IterableDataset):
    """0..n-1, split between workers with get_worker_info like the PyTorch docs example."""

    def __init__(self, n, split=True):
        self.n, self.split = n, split

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.split:
            return iter(range(self.n))
        per = int(math.ceil(self.n / info.num_workers))
        start = info.id * per
        return iter(range(start, min(start + per, self.n)))

    def __len__(self):
        return self.n


class Big(Dataset):
    def __getitem__(self, i):
        return ember.full((3, 64, 64), float(i)), np.full((5,), i, dtype=np.int16)

    def __len__(self):
        return 20


def tag_init_fn(worker_id):
    get_worker_info().dataset.tag = 100 + worker_id


def _labels(loader):
    return [b[1].tolist() for b in loader]


def _no_children():
    """No worker process is left (after the iterators are collected)."""
    gc.collect()
    for _ in range(50):
        if not multiprocessing.active_children():
            return True
        time.sleep(0.02)
    return False


# ---- single process ----

def test_sequential_batches_and_len():
    dl = DataLoader(Range(10), batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and len(batches) == 3
    assert batches[0][0].tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    assert batches[0][1].dtype == ember.int64
    assert _labels(dl) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_drop_last():
    dl = DataLoader(Range(10), batch_size=4, drop_last=True)
    assert len(dl) == 2 and _labels(dl) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_tensor_dataset_default_batch_size_one():
    ds = TensorDataset(ember.arange(6).reshape(3, 2), ember.tensor([1, 0, 1]))
    out = list(DataLoader(ds))
    assert len(out) == 3 and tuple(out[0][0].shape) == (1, 2) and out[2][1].tolist() == [1]


def test_batch_size_none_disables_batching():
    dl = DataLoader(Range(3), batch_size=None)
    out = list(dl)
    assert len(dl) == 3 and isinstance(out[1], list)   # default_convert: tuple -> list
    assert out[1][0].tolist() == [1.0, 1.0] and out[1][1] == 1


def test_shuffle_reproducible_with_manual_seed_and_generator():
    ember.manual_seed(0)
    a = _labels(DataLoader(Range(20), batch_size=5, shuffle=True))
    ember.manual_seed(0)
    b = _labels(DataLoader(Range(20), batch_size=5, shuffle=True))
    ember.manual_seed(1)
    c = _labels(DataLoader(Range(20), batch_size=5, shuffle=True))
    assert a == b and a != c and sorted(sum(a, [])) == list(range(20))
    g = lambda: ember.Generator().manual_seed(3)     # noqa: E731
    d = _labels(DataLoader(Range(20), batch_size=5, shuffle=True, generator=g()))
    e = _labels(DataLoader(Range(20), batch_size=5, shuffle=True, generator=g()))
    assert d == e
    dl = DataLoader(Range(20), batch_size=5, shuffle=True, generator=g())
    assert _labels(dl) != _labels(dl)                  # a new order each epoch


def test_custom_sampler_batch_sampler_and_collate():
    class Evens(Sampler):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5
    assert _labels(DataLoader(Range(10), batch_size=2, sampler=Evens())) == [[0, 2], [4, 6], [8]]
    bs = [[3, 1], [0], [9, 8, 7]]
    assert _labels(DataLoader(Range(10), batch_sampler=bs)) == bs
    dl = DataLoader(Range(10), batch_sampler=BatchSampler(SequentialSampler(range(5)), 2, True))
    assert len(dl) == 2 and _labels(dl) == [[0, 1], [2, 3]]
    summed = list(DataLoader(Range(6), batch_size=3, collate_fn=lambda b: sum(x[1] for x in b)))
    assert summed == [3, 12]


def test_mutually_exclusive_options():
    ds = Range(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    for kw in ({"batch_size": 2}, {"shuffle": True}, {"sampler": [0]}, {"drop_last": True}):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive with "
                                             "batch_size, shuffle, sampler, and drop_last"):
            DataLoader(ds, batch_sampler=[[0]], **kw)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(ds, timeout=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used"):
        DataLoader(ds, multiprocessing_context="spawn")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(ds, num_workers=1, multiprocessing_context="nope")
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(4), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(4), sampler=[0])
    dl = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3


@needs_torch
def test_errors_and_len_match_torch():
    for kw in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        assert len(DataLoader(Range(10), **kw)) == len(torch.utils.data.DataLoader(range(10), **kw))
        assert len(DataLoader(Stream(10), **kw)) == len(torch.utils.data.DataLoader(_TorchStream(), **kw))


if torch is not None:
    class _TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(10))

        def __len__(self):
            return 10


def test_iterable_dataset_single_process():
    dl = DataLoader(Stream(7), batch_size=3)
    assert _plain(dl) == [[0, 1, 2], [3, 4, 5], [6]]
    assert _plain(DataLoader(Stream(7), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]   # default_convert keeps ints


def _plain(loader):
    return [b.tolist() for b in loader]


def test_timeout_requires_workers_like_torch():
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(DataLoader(Range(2), timeout=1))


def test_pin_memory_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _labels(DataLoader(Range(4), batch_size=2, pin_memory=True)) == [[0, 1], [2, 3]]


# ---- worker processes ----

def test_workers_give_same_batches_as_main_process():
    ds = Range(37, slow=(0, 5, 6))       # uneven worker speed: results arrive out of order
    kw = dict(batch_size=4, shuffle=True)
    a = list(DataLoader(ds, generator=ember.Generator().manual_seed(11), **kw))
    b = list(DataLoader(ds, num_workers=2, generator=ember.Generator().manual_seed(11), **kw))
    c = list(DataLoader(ds, num_workers=2, prefetch_factor=1, drop_last=True,
                        generator=ember.Generator().manual_seed(11), **kw))
    assert len(a) == len(b) == 10 and len(c) == 9
    for x, y in zip(a, b):
        assert x[0].tolist() == y[0].tolist() and x[1].tolist() == y[1].tolist()
        assert y[0].dtype == ember.float32 and y[1].dtype == ember.int64
    assert [x[1].tolist() for x in a[:9]] == [x[1].tolist() for x in c]
    ember.manual_seed(5)
    d = _labels(DataLoader(ds, batch_size=4, shuffle=True))
    ember.manual_seed(5)
    assert _labels(DataLoader(ds, batch_size=4, shuffle=True, num_workers=2)) == d
    assert _no_children()


def test_out_of_order_option():
    got = _labels(DataLoader(Range(20, slow=(0,)), batch_size=2, num_workers=2, in_order=False))
    assert sorted(sum(got, [])) == list(range(20))


def test_worker_exception_reraised_with_traceback():
    dl = DataLoader(Failing(5), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as info:
        list(dl)
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process 0." in msg
    assert "Original Traceback (most recent call last):" in msg
    assert "_helper_that_fails" in msg and "bad sample 5" in msg
    del info                             # its traceback holds the iterator (as in PyTorch)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 1"):
        list(DataLoader(Failing(3, "keyerror"), batch_size=2, num_workers=2))
    assert _no_children()


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class OddFailures(Dataset):
    def __getitem__(self, i):
        if i == 0:
            raise TwoArgError(1, 2)
        return lambda: i                     # a sample that cannot be pickled

    def __len__(self):
        return 2


def test_worker_exception_fallbacks():
    it = iter(DataLoader(OddFailures(), batch_size=None, num_workers=1))
    with pytest.raises(RuntimeError, match="Caught TwoArgError in DataLoader worker process 0"):
        next(it)                             # cannot be rebuilt from a message: RuntimeError
    with pytest.raises(Exception, match="Caught (Pickling|Attribute)Error in DataLoader worker"):
        next(it)
    del it
    assert _no_children()


def test_worker_exception_then_iteration_continues():
    it = iter(DataLoader(Failing(1), batch_size=2, num_workers=2))
    with pytest.raises(ValueError):
        next(it)
    assert next(it).tolist() == [2, 3]
    del it
    assert _no_children()


@pytest.mark.parametrize("how,detail", [("exit", "with exit code 3"),
                                        ("kill", "killed by signal SIGKILL")])
def test_dying_worker_reported(how, detail):
    dl = DataLoader(Failing(2, how), batch_size=1, num_workers=2)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited unexpectedly") as info:
        list(dl)
    assert detail in str(info.value)
    assert time.monotonic() - t0 < 10
    assert _no_children()


def test_timeout():
    dl = DataLoader(Failing(0, "sleep"), batch_size=1, num_workers=1, timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(dl)
    assert time.monotonic() - t0 < 10
    assert _no_children()


def test_iterable_dataset_split_across_workers():
    out = sum(_plain(DataLoader(Stream(23), batch_size=4, num_workers=2)), [])
    assert sorted(out) == list(range(23))               # each sample exactly once
    # without splitting each worker yields the whole stream (as in PyTorch)
    dup = sum(_plain(DataLoader(Stream(5, split=False), batch_size=2, num_workers=2)), [])
    assert sorted(dup) == sorted(list(range(5)) * 2)
    single = list(DataLoader(Stream(6), batch_size=None, num_workers=2))
    assert sorted(single) == list(range(6))
    dropped = _plain(DataLoader(Stream(10), batch_size=4, num_workers=2, drop_last=True))
    assert all(len(b) == 4 for b in dropped) and len(dropped) == 2
    assert _no_children()


def test_worker_info_and_init_fn():
    assert get_worker_info() is None
    ember.manual_seed(123)
    rows = [r for b in DataLoader(WhoAmI(), batch_size=3, num_workers=2, worker_init_fn=tag_init_fn)
            for r in zip(*[x.tolist() if isinstance(x, ember.Tensor) else x for x in b])]
    assert [r[0] for r in rows] == list(range(12))
    by_worker = {r[2]: r for r in rows}
    assert set(by_worker) == {0, 1}
    assert by_worker[0][1] != by_worker[1][1] and os.getpid() not in (by_worker[0][1], by_worker[1][1])
    assert by_worker[1][3] == by_worker[0][3] + 1            # seed = base_seed + worker_id
    assert {r[4] for r in rows} == {100, 101}                # worker_init_fn ran in each worker
    ember.manual_seed(123)
    again = next(iter(DataLoader(WhoAmI(), batch_size=3, num_workers=2)))
    assert again[3][0].item() == by_worker[0][3]             # base seed from ember.manual_seed


def test_per_worker_augmentation_differs_and_reproduces():
    def run(seed):
        ember.manual_seed(seed)
        return [tuple(x.tolist() for x in b) for b in DataLoader(Augment(), batch_size=2, num_workers=2)]
    a, b, c = run(0), run(0), run(1)
    assert a == b and a != c
    assert a[0] != a[1]          # batches 0 and 1 come from workers 0 and 1: different streams
    flat = [v for batch in a for col in batch for v in col]
    assert len(set(flat)) == len(flat)


def test_persistent_workers_reused():
    dl = DataLoader(WhoAmI(), batch_size=4, num_workers=2, persistent_workers=True)
    pids = []
    for _ in range(3):
        epoch = list(dl)
        assert sum((b[0].tolist() for b in epoch), []) == list(range(12))
        pids.append(sorted({p for b in epoch for p in b[1].tolist()}))
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    it = iter(dl)
    next(it)                             # abandon an epoch half way: the next one is complete
    assert sum((b[0].tolist() for b in dl), []) == list(range(12))
    s = DataLoader(Stream(9), batch_size=2, num_workers=2, persistent_workers=True)
    assert sorted(sum(_plain(s), [])) == sorted(sum(_plain(s), [])) == list(range(9))
    del dl, it, s
    assert _no_children()


def test_clean_shutdown_when_iterator_deleted():
    it = iter(DataLoader(Range(100), batch_size=2, num_workers=2))
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert _no_children()
    leftovers = [f for f in os.listdir(_transport.SHM_DIR) if f.startswith(f"ember_dl_{os.getpid()}_")] \
        if _transport.HAS_SHM else []
    assert leftovers == []


def test_large_batches_through_shared_memory():
    batches = list(DataLoader(Big(), batch_size=8, num_workers=2))
    assert [tuple(b[0].shape) for b in batches] == [(8, 3, 64, 64)] * 2 + [(4, 3, 64, 64)]
    for k, (x, y) in enumerate(batches):
        expect = np.arange(8 * k, min(8 * k + 8, 20), dtype=np.float32)
        np.testing.assert_array_equal(x.numpy()[:, 1, 2, 3], expect)
        assert y.dtype == ember.int16 and y.numpy()[:, 0].tolist() == expect.astype(int).tolist()
    x = batches[0][0]
    x.add_(1.0)                          # writable, like a batch built in the main process
    assert x[0, 0, 0, 0].item() == 1.0


def test_transport_roundtrip_in_process():
    sender = _transport.Sender(None, f"ember_test_{os.getpid()}_")
    receiver = _transport.Receiver()
    big = ember.arange(100000).float().reshape(1000, 100)
    obj = {"x": big, "small": np.arange(3), "s": "text", "nc": big.numpy()[:, ::2]}
    for _ in range(3):
        out, slot = receiver.loads(sender.dumps(obj))
        sender.release([] if slot is None else [slot])
        np.testing.assert_array_equal(out["x"].numpy(), big.numpy())
        np.testing.assert_array_equal(out["nc"], big.numpy()[:, ::2])
        assert out["s"] == "text" and out["small"].tolist() == [0, 1, 2]
    assert len(sender._slots) == (1 if _transport.HAS_SHM else 0)
    sender.close()
    receiver.close()


def test_spawn_context():
    from .spawn_data import Labelled
    batches = list(DataLoader(Labelled(), batch_size=4, num_workers=2,
                              multiprocessing_context="spawn"))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    assert [b[2].tolist() for b in batches] == [[0] * 4, [1] * 4, [0]]
    assert batches[2][0].tolist() == [[8.0]]
    assert _no_children()
