"""ember/ops/_host_threads.py: host work split across two threads (both halves' results,
exceptions from the helper thread, BLAS pinned to one thread inside a split, no split
inside a split), and the element-wise ops that use it (exact GELU) giving the
one-thread results bit for bit."""
import numpy as np
import pytest

import ember
from ember import backend
from ember.ops import _host_threads as ht


@pytest.fixture
def threads_free(monkeypatch, split_calls):
    """A quiet machine (two threads allowed); returns the list of splits run."""
    monkeypatch.setattr(backend, "host_threads_free", lambda: True)
    return split_calls


def test_in_two_threads_returns_both_halves(threads_free):
    seen = []

    def work(lo, hi):
        seen.append(backend.blas_pinned())
        return (lo, hi)
    assert ht.in_two_threads(work, 5, True) == [(0, 2), (2, 5)]
    assert seen == [True, True] and not backend.blas_pinned() and threads_free == [1]
    assert ht.in_two_threads(work, 5, False) == [(0, 5)]
    assert ht.in_two_threads(work, 1, True) == [(0, 1)]


def test_error_on_helper_thread_is_raised_and_blas_unpinned(threads_free):
    def work(lo, hi):
        if lo:
            raise MemoryError("second half")
        return hi
    with pytest.raises(MemoryError, match="second half"):
        ht.in_two_threads(work, 4, True)
    assert not backend.blas_pinned()


def test_no_split_inside_a_split(threads_free):
    x = np.ones(1 << 20, np.float32)
    inner = []
    ht.in_two_threads(lambda lo, hi: inner.append(ht.two_threads_ok(x, x.size)), 2, True)
    assert inner == [False, False]
    assert ht.two_threads_ok(x, x.size) and not ht.two_threads_ok(x, 10)


def test_busy_machine_runs_on_one_thread(monkeypatch):
    monkeypatch.setattr(backend, "host_threads_free", lambda: False)
    x = np.ones(1 << 21, np.float32)
    assert not ht.two_threads_ok(x, x.size)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_gelu_split_is_bit_identical(monkeypatch, threads_free, dtype):
    """Exact GELU and its gradient with the halves (in 128K blocks) on two threads: the
    one-thread values, infinities and NaN included."""
    from ember.ops import activation
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(300_001) * 4).astype(dtype)
    a[[5, 70_000, 200_000]] = [np.inf, -np.inf, np.nan]
    g = rng.standard_normal(a.shape).astype(dtype)

    def run():
        x = ember.tensor(a, requires_grad=True)
        y = ember.nn.functional.gelu(x)
        y.backward(ember.tensor(g))
        return y.detach().numpy(), x.grad.numpy()
    monkeypatch.setattr(activation, "GELU_SPLIT_MIN", 1 << 40)
    one = run()
    assert not threads_free
    monkeypatch.setattr(activation, "GELU_SPLIT_MIN", 0)
    two = run()
    assert len(threads_free) == 1
    for p, q in zip(one, two):
        assert p.tobytes() == q.tobytes()


def test_by_rows_splits_rows_and_keeps_broadcast_shapes_whole(threads_free):
    a = np.arange(ht.HOST_THREADS_MIN, dtype=np.float32).reshape(-1, 4)
    k = np.arange(a.shape[0], dtype=np.float32).reshape(-1, 1)
    out = ht.by_rows(np.multiply, np.empty_like(a), a, k)
    assert threads_free == [1] and (out == a * k).all()
    row = np.ones((1, 4), np.float32)             # one row: not sliceable by rows
    out = ht.by_rows(np.add, np.empty_like(a), a, row)
    assert threads_free == [1] and (out == a + 1).all()
    small = a[:8]
    out = ht.by_rows(np.negative, np.empty_like(small), small)
    assert threads_free == [1] and (out == -small).all()


def test_cached_chunk_hits_only_the_same_chunk():
    cache = {0: (3, "a"), 3: (6, "b")}
    assert ht.cached_chunk(cache, 3, 6) == "b"
    assert ht.cached_chunk(cache, 3, 5) is None    # chunked differently: rebuilt
    assert ht.cached_chunk(cache, 1, 3) is None
    assert ht.cached_chunk(None, 0, 3) is None


def test_helper_thread_is_reused_across_splits(threads_free):
    """Every split hands its second half to one long-lived helper thread."""
    import threading
    idents = []
    for _ in range(3):
        ht.in_two_threads(lambda lo, hi: idents.append((lo, threading.get_ident())), 2, True)
    helpers = {ident for lo, ident in idents if lo == 1}
    assert len(helpers) == 1 and threading.get_ident() not in helpers
    assert len(threads_free) == 3


def test_split_while_the_helper_is_held_runs_on_one_thread(threads_free):
    helper = ht._the_helper()
    with helper.lock:      # another thread's split in progress
        assert ht.in_two_threads(lambda lo, hi: (lo, hi), 4, True) == [(0, 4)]
    assert not threads_free and ht.in_two_threads(lambda lo, hi: hi, 4, True) == [2, 4]


def test_idle_helper_does_not_block_stopping_openblas_workers(monkeypatch, threads_free):
    """The helper is counted as ember's own idle thread; any other thread still refuses."""
    import threading
    ht._the_helper()
    monkeypatch.setitem(backend._blas, "stop", lambda: None)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert backend._can_stop_workers()
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert not backend._can_stop_workers()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_forked_child_starts_its_own_helper(threads_free):
    """Threads do not survive fork: a child's first split starts a new helper."""
    import os
    import warnings
    ht.in_two_threads(lambda lo, hi: hi, 2, True)
    read, write = os.pipe()
    with warnings.catch_warnings():   # Python 3.12+ warns of fork() beside live threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:   # the child: report whether the split ran both halves, then leave
        try:
            ok = ht._helper["thread"] is None and backend._blas.get("helpers") == 0 \
                and ht.in_two_threads(lambda lo, hi: hi, 2, True) == [1, 2]
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    os.close(read)
