"""``Work`` (the handle of an ``async_op=True`` collective) and the timeout watchdog.

MPI's blocking calls cannot be interrupted, and MPI's non-blocking collectives (libnbc in
Open MPI) run large reductions up to ~1.5x slower than the blocking ones, measured on
this machine with 1-64 MB float32 buffers. So synchronous collectives call the blocking
MPI functions, and a timeout is enforced the way PyTorch's NCCL watchdog enforces it: a
daemon thread that, when a call outlives the process group's ``timeout``, writes which
collective timed out on which rank and ends the process (``mpiexec`` then ends the other
ranks, and ``ember.multiprocessing.spawn`` reports the message as the rank's error).
The cost on the hot path is two attribute stores per call.

Waits that *can* raise instead (``monitored_barrier``, ``Work.wait(timeout=...)``) poll
``MPI_Test`` against a deadline and raise ``DistBackendError``.
"""
import os
import sys
import threading
import time

from ._types import DistBackendError

__all__ = ["Watchdog", "Work"]

# Environment variable through which ember.multiprocessing.spawn asks a rank's fatal
# errors (including the watchdog's) to be written to a file the parent reads.
ERROR_FILE_ENV = "EMBER_SPAWN_ERROR_FILE"


class Watchdog:
    """One per process: ``arm(what, timeout)`` before a blocking MPI call, ``disarm()``
    after it. A daemon thread checks the deadline a few times a second."""

    def __init__(self, rank):
        self.rank = rank
        self.deadline = None     # monotonic time, or None when no call is in flight
        self.what = None
        self.timeout = None
        self._thread = threading.Thread(target=self._run, name="ember-distributed-watchdog",
                                        daemon=True)
        self._thread.start()

    def arm(self, what, timeout):
        self.what = what
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def disarm(self):
        self.deadline = None

    def _run(self):
        while True:
            time.sleep(0.2)
            deadline = self.deadline
            if deadline is not None and time.monotonic() > deadline:
                self._expire()

    def _expire(self):
        msg = (f"ember.distributed: rank {self.rank}: {self.what} did not complete within "
               f"the process group timeout of {self.timeout:g} s; another rank has died, "
               f"hangs, or did not call the same collective. Ending this process.")
        fatal(msg)


def fatal(msg):
    """Report ``msg`` (stderr, and the spawn error file if any) and end the process without
    MPI_Finalize (which would wait for the ranks that are gone)."""
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
        sys.stdout.flush()
    except Exception:
        pass
    path = os.environ.get(ERROR_FILE_ENV)
    if path:
        _write_error_file(path, msg)
    os._exit(1)


def _write_error_file(path, text):
    try:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


class Work:
    """``torch.distributed.Work``: ``wait()`` blocks until the operation finished (then
    its output tensors hold the result), ``is_completed()`` polls without blocking.

    Built on MPI requests; ``finish`` (optional) runs once after they complete, copying
    staged results into the caller's tensors.
    """

    def __init__(self, requests, pg, what, finish=None, result=None, want_source=False):
        self._requests = [r for r in requests if r is not None]
        # irecv from any source: keep the MPI status to tell the sender
        self._status = pg._MPI.Status() if want_source else None
        self._pg = pg
        self._what = what
        self._finish = finish
        self._result = result if result is not None else []
        self._done = False
        self._source = None

    def _complete(self):
        if not self._done:
            self._done = True
            if self._status is not None:
                self._source = self._pg._ranks[self._status.Get_source()]
            if self._finish is not None:
                self._finish()

    def is_completed(self):
        if self._done:
            return True
        if self._status is not None:
            if not self._requests[0].Test(self._status):
                return False
        elif self._requests and not self._pg._MPI.Request.Testall(self._requests):
            return False
        self._complete()
        return True

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def wait(self, timeout=None):
        """Block until done. ``timeout`` (a ``timedelta`` or seconds) raises
        ``DistBackendError`` when exceeded; without it the group's timeout applies."""
        if self._done:
            return True
        if timeout is not None:
            seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else timeout
            deadline = time.monotonic() + seconds
            while not self.is_completed():
                if time.monotonic() > deadline:
                    self._pg._broken = True
                    raise DistBackendError(
                        f"rank {self._pg._global_rank}: {self._what} did not complete "
                        f"within {seconds:g} s")
                time.sleep(0)
            return True
        MPI = self._pg._MPI
        dog = self._pg._watchdog
        dog.arm(self._what, self._pg._timeout_s)
        try:
            if self._status is not None:
                self._requests[0].Wait(self._status)
            else:
                MPI.Request.Waitall(self._requests)
        finally:
            dog.disarm()
        self._complete()
        return True

    def synchronize(self):
        self.wait()

    def result(self):
        self.wait()
        return self._result

    def source_rank(self):
        """For ``irecv`` from any source: the rank the message came from."""
        self.wait()
        if self._source is None:
            raise RuntimeError("source_rank() is only available for recv from any source")
        return self._source

    def get_future(self):
        raise NotImplementedError("Work.get_future(): ember's Work has no Future; "
                                  "use wait() / is_completed()")


class CompletedWork(Work):
    """What async_op=True returns for an operation already finished (object collectives,
    ranks outside the group)."""

    def __init__(self, result=None):
        self._requests = []
        self._status = None
        self._result = result if result is not None else []
        self._done = True
        self._source = None

    def is_completed(self):
        return True

    def wait(self, timeout=None):
        return True
