"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state is one module-level list so that ``Function.apply`` reads it with a single
index (``_state[0]``). Like PyTorch's, each works as a context manager and a decorator.
"""
import functools

# _state[0]: gradient recording on; _state[1]: inference mode on.
_state = [True, False]


def is_grad_enabled():
    return _state[0]


def is_inference_mode_enabled():
    return _state[1]


class _GradModeContext:
    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._init_args()):
                return fn(*args, **kwargs)
        return wrapper

    def _init_args(self):
        return ()

    def clone(self):
        return self.__class__(*self._init_args())


class no_grad(_GradModeContext):
    """Disable gradient recording inside the block (``torch.no_grad``)."""

    def __new__(cls, orig_func=None):
        if orig_func is not None:
            # The bare ``@no_grad`` form decorates directly, as in PyTorch.
            return object.__new__(cls)(orig_func)
        return object.__new__(cls)

    def __enter__(self):
        self._prev = _state[0]
        _state[0] = False

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class enable_grad(_GradModeContext):
    """Enable gradient recording inside the block (``torch.enable_grad``)."""

    def __enter__(self):
        self._prev = _state[0]
        _state[0] = True

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class set_grad_enabled(_GradModeContext):
    """Set gradient recording on or off; takes effect at once, like PyTorch's."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = _state[0]
        _state[0] = self._mode

    def _init_args(self):
        return (self._mode,)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class inference_mode(_GradModeContext):
    """Like no_grad (ember keeps no separate inference tensors; see docs/differences.md)."""

    def __init__(self, mode=True):
        self._mode = bool(mode)

    def _init_args(self):
        return (self._mode,)

    def __enter__(self):
        self._prev = tuple(_state)
        if self._mode:
            _state[0] = False
            _state[1] = True
        else:
            _state[1] = False

    def __exit__(self, *exc):
        _state[0], _state[1] = self._prev
        return False
