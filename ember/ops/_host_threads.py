"""Large host work split across two threads on a quiet machine.

NumPy's ufuncs, copies and GEMMs release the GIL, so two Python threads working on
disjoint halves of an array use two cores. They are worth it only when the other core is
free: with another process holding it, the second thread waits for that core (the same
reason the BLAS policy runs GEMMs on one thread then), and for ~0.1 s after a
multi-threaded GEMM an OpenBLAS worker spins on it (``backend.one_blas_thread`` stops it
where that is safe). ``two_threads_ok`` therefore asks ``backend.host_threads_free``. Inside a split every GEMM runs on one BLAS thread (each
host thread's GEMMs on its own core), and a split inside a split runs on one thread.

Used by cross-entropy's exp over the score array, convolution (each half of the batch:
im2col, GEMMs and output writes; ``ops/conv.py``), max pooling's pairs path and its
gradient, exact GELU (each half's own block loop) and cross-entropy's softmax gradient.
A memory-bound pass as plain as ReLU's gained nothing measurable on small_cnn (1M and
0.5M elements: one pass is ~0.3 ms, and two threads share one memory bus).

Measured on this 2-core machine: exp of a 700 x 10000 float32 array, one thread min
19.0 ms, two threads min 10.4 ms in a moment the other core was free. It pays for large
calls only: with many calls of a few microseconds the threads queue for the GIL between
them (exact GELU's 32K-element blocks, ~33 ufuncs each: 4M fwd+bwd 47 ms on two threads
against 46 ms on one; in 128K blocks 30 ms).
"""
import os
import queue
import threading

from .. import backend

# arrays smaller than this run on one thread (exp of 1M float32 elements: ~2.5 ms)
HOST_THREADS_MIN = 1 << 20


def two_threads_ok(x, size, minimum=HOST_THREADS_MIN):
    """Whether work over ``size`` elements (at least ``minimum``) of the array ``x`` should
    use two threads: a host array, no split already running, a free second core."""
    return (size >= minimum and not backend.blas_pinned()
            and backend.device_type_of(x) == "cpu" and backend.host_threads_free())


class _Helper:
    """The daemon thread that runs the second half of every split, started on first use
    (and again in a forked child, where threads do not survive). Starting a thread per
    split cost ~140 us here; handing the half to this one through a queue costs ~16 us
    (a round trip, measured on this 2-core machine)."""

    def __init__(self):
        self.jobs, self.results = queue.SimpleQueue(), queue.SimpleQueue()
        self.lock = threading.Lock()       # one split at a time: others run on one thread
        threading.Thread(target=self._serve, daemon=True, name="ember-host-helper").start()
        backend.set_helper_threads(1)

    def _serve(self):
        while True:
            fn = self.jobs.get()
            try:
                self.results.put((fn(), None))
            except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
                self.results.put((None, e))

    def submit(self, fn):
        """Start ``fn()`` on the helper; ``result()`` waits for it."""
        self.jobs.put(fn)

    def result(self):
        """(value, exception or None) of the job ``submit`` started."""
        return self.results.get()


_helper = {"thread": None}
_helper_made = threading.Lock()


def _the_helper():
    h = _helper["thread"]
    if h is None:
        with _helper_made:
            h = _helper["thread"]
            if h is None:
                h = _helper["thread"] = _Helper()
    return h


def _forget_helper():
    """In a forked child: the helper thread did not survive the fork."""
    _helper["thread"] = None
    backend.set_helper_threads(0)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helper)


def in_two_threads(work, n, split):
    """``work(lo, hi)`` over the index range [0, n), returning the list of its results:
    with ``split`` the halves [0, n // 2) and [n // 2, n) run at once, the second on the
    helper thread (waited for before returning; an exception on it is raised here) and
    every GEMM on one BLAS thread; else ``[work(0, n)]`` on this thread, as also when
    another thread's split holds the helper."""
    if not split or n < 2:
        return [work(0, n)]
    helper = _the_helper()
    if not helper.lock.acquire(blocking=False):
        return [work(0, n)]
    half = n // 2
    try:
        with backend.one_blas_thread():
            helper.submit(lambda: work(half, n))
            try:
                first = work(0, half)
            finally:
                second, failed = helper.result()   # the helper is done with the arrays
    finally:
        helper.lock.release()
    if failed is not None:
        raise failed
    return [first, second]


def cached_chunk(cache, n0, n1):
    """The entry of samples n0:n1 in a per-chunk cache ``{n0: (n1, value)}`` (what a
    forward kept for its backward), or None when absent: a backward that chunked the
    batch differently (it split where forward did not, or the other way) rebuilds it."""
    hit = cache.get(n0) if cache else None
    return hit[1] if hit is not None and hit[0] == n1 else None


def by_rows(fn, out, *arrays):
    """``fn(*arrays, out=out)`` for arrays with ``out``'s rows (leading axis); a large host
    array on a quiet machine as two halves of the rows on two threads. Returns ``out``."""
    rows = out.shape[0] if out.ndim else 0
    if rows < 2 or any(a.shape[:1] != out.shape[:1] for a in arrays) \
            or not two_threads_ok(out, out.size):
        fn(*arrays, out=out)
        return out
    in_two_threads(lambda lo, hi: fn(*(a[lo:hi] for a in arrays), out=out[lo:hi]), rows, True)
    return out


def summed(xp, parts):
    """The results of ``in_two_threads`` (one or two arrays) added, into the first."""
    return parts[0] if len(parts) == 1 else xp.add(parts[0], parts[1], out=parts[0])

