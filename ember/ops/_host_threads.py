"""Large element-wise host work split across two threads on a quiet machine.

NumPy's ufuncs release the GIL, so two Python threads running ufuncs on disjoint halves
of an array use two cores. They are worth it only when the other core is free: with
another process holding it, the second thread waits for that core (the same reason the
BLAS policy runs GEMMs on one thread then). ``in_two_threads`` therefore asks the GEMM
policy's load check (``backend._oversubscribed``; it changes nothing there) and respects
``set_num_threads``. It is used by cross-entropy's exp over the score array. (It belongs
next to ``backend.fft_kwargs`` if backend takes it over.)

Measured on this 2-core machine: exp of a 700 x 10000 float32 array, one thread min
19.0 ms, two threads min 10.4 ms in a moment the other core was free. It pays for a few
large ufunc calls only: exact GELU's 32K-element blocks (~33 ufuncs each) on two threads
gained nothing in a quiet window (4M fwd+bwd x3: 37.7 ms against 37.2 ms on one), the
threads queueing for the GIL between calls of a few microseconds.
"""
import threading

from .. import backend

# arrays smaller than this run on one thread (a thread start costs ~50-100 us)
HOST_THREADS_MIN = 1 << 20


def two_threads_ok(x, size):
    """Whether work over ``size`` elements of the array ``x`` should use two threads."""
    return (size >= HOST_THREADS_MIN and backend.device_type_of(x) == "cpu"
            and backend.get_num_threads() >= 2 and not backend._oversubscribed())


def in_two_threads(work, n, split):
    """``work(lo, hi)`` over the index range [0, n): with ``split`` the halves [0, n // 2)
    and [n // 2, n) run at once, the second on a helper thread (joined before returning;
    an exception on it is raised here), else ``work(0, n)`` on this thread."""
    if not split or n < 2:
        work(0, n)
        return
    half = n // 2
    failed = []

    def second():
        try:
            work(half, n)
        except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
            failed.append(e)
    worker = threading.Thread(target=second, daemon=True)
    worker.start()
    try:
        work(0, half)
    finally:
        worker.join()
    if failed:
        raise failed[0]
