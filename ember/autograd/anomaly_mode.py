"""``detect_anomaly``: find the forward op whose backward produced NaN.

While enabled, every recorded node keeps the stack of the forward call that made it, and
the engine checks each gradient for NaN, naming the op and that stack.
"""
from . import engine


def is_anomaly_enabled():
    return engine._anomaly[0]


class detect_anomaly:
    """Context manager and decorator, as ``torch.autograd.detect_anomaly``."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = engine._anomaly[0]
        engine._anomaly[0] = self.check_nan

    def __exit__(self, *exc):
        engine._anomaly[0] = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self._prev = engine._anomaly[0]
        engine._anomaly[0] = bool(mode) and check_nan

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        engine._anomaly[0] = self._prev
        return False
