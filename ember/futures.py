"""``ember.futures`` (``torch.futures``): a result that arrives later.

ember runs everything synchronously, but distributed code, RPC-style helpers and
libraries (Captum imports ``Future``) build on this API: ``Future`` follows
``torch.futures.Future`` (``wait``, ``value``, ``done``, ``then``, ``add_done_callback``,
``set_result``, ``set_exception``), and ``collect_all`` / ``wait_all`` combine them.
Callbacks run in the thread that completes the future, or at once if it is done.
"""
import threading

__all__ = ["Future", "collect_all", "wait_all"]


class Future:
    """``torch.futures.Future``."""

    def __init__(self, *, devices=None):
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._value = None
        self._exc = None
        self._callbacks = []

    def __class_getitem__(cls, item):   # Future[int] in annotations
        return cls

    def done(self):
        return self._done.is_set()

    def wait(self):
        """Block until complete; return the value, or raise the stored exception."""
        self._done.wait()
        if self._exc is not None:
            raise self._exc
        return self._value

    def value(self):
        """The value of a completed future (raises its exception if it holds one)."""
        if not self.done():
            raise RuntimeError("Future.value() called on a Future that is not completed yet")
        if self._exc is not None:
            raise self._exc
        return self._value

    def _complete(self, value, exc):
        with self._lock:
            if self._done.is_set():
                raise RuntimeError("Future can only be marked completed once.")
            self._value, self._exc = value, exc
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def set_result(self, result):
        self._complete(result, None)

    def set_exception(self, result):
        if not isinstance(result, BaseException):
            raise TypeError(f"{result} is of type {type(result)}, not an Exception.")
        self._complete(None, result)

    def add_done_callback(self, callback):
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self)

    def then(self, callback):
        """A new Future completed with ``callback(self)`` once this one completes (with
        the callback's exception if it raises)."""
        out = Future()

        def run(fut):
            try:
                out.set_result(callback(fut))
            except Exception as e:  # noqa: BLE001  (delivered through the future)
                out.set_exception(e)
        self.add_done_callback(run)
        return out

    def __repr__(self):
        state = "done" if self.done() else "pending"
        return f"<ember.futures.Future ({state})>"


def collect_all(futures):
    """A Future completed with the list of ``futures`` once all of them are done."""
    futures = list(futures)
    out = Future()
    if not futures:
        out.set_result([])
        return out
    remaining = [len(futures)]
    lock = threading.Lock()

    def one_done(_):
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            out.set_result(futures)
    for f in futures:
        f.add_done_callback(one_done)
    return out


def wait_all(futures):
    """Wait for all ``futures``; their values in order (the first exception is raised)."""
    return [f.wait() for f in collect_all(futures).wait()]
