"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state is one module-level list so that ``Function.apply`` reads it with a single
index (``_state[0]``). Like PyTorch's, each works as a context manager and as a
decorator (with or without parentheses for no_grad/enable_grad/inference_mode), and a
decorated generator runs every step of its body under the mode.
"""
import functools
import inspect

# _state[0]: gradient recording on; _state[1]: inference mode on.
_state = [True, False]
# _anomaly[0]: detect_anomaly is active (nodes record their forward stack, NaN grads raise).
_anomaly = [False]
# _saved_hooks[0]: the innermost saved_tensors_hooks (pack, unpack) pair, a str (the
# disable_saved_tensors_hooks message) or None; read by Function.apply only when a node
# saves something (autograd/graph.py).
_saved_hooks = [None]


def is_grad_enabled():
    return _state[0]


def is_inference_mode_enabled():
    return _state[1]


class _GradModeContext:
    """Context manager whose instances also decorate functions and generators."""

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        # Bare ``@no_grad`` (no parentheses): the single argument is the function.
        if cls._bare_decorator and len(args) == 1 and callable(args[0]) and not kwargs:
            self.__init__()
            return self(args[0])
        return self

    _bare_decorator = True

    def _fresh(self):
        """A new context with the same settings (each call of a decorated fn needs its own)."""
        return self.__class__(*self._init_args())

    def _init_args(self):
        return ()

    def clone(self):
        return self._fresh()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                try:
                    with self._fresh():
                        item = next(gen)
                    while True:
                        try:
                            sent = yield item
                        except BaseException as exc:
                            with self._fresh():
                                item = gen.throw(exc)
                        else:
                            with self._fresh():
                                item = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    """Disable gradient recording inside the block (``torch.no_grad``)."""

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
    """Set gradient recording on or off. Like PyTorch's, it takes effect when constructed,
    so ``set_grad_enabled(False)`` works as a plain call; used as a decorator the
    setting applies only inside the decorated function."""

    _bare_decorator = False

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = _state[0]
        _state[0] = self._mode

    def _init_args(self):
        return (self._mode,)

    def __call__(self, fn):
        _state[0] = self._prev  # undo the constructor's effect: only the function is affected
        return _GradModeContext.__call__(self, fn)

    def _fresh(self):
        ctx = object.__new__(set_grad_enabled)
        ctx._mode = self._mode
        ctx._prev = None   # recorded on entry: a decorated call restores what it found
        return ctx

    def __enter__(self):
        if self._prev is None:
            self._prev = _state[0]
        _state[0] = self._mode

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class inference_mode(_GradModeContext):
    """Like no_grad; ``inference_mode(False)`` turns grad recording on (as PyTorch's guard).
    ember keeps no separate inference tensors (docs/differences.md)."""

    def __init__(self, mode=True):
        self._mode = bool(mode)

    def _init_args(self):
        return (self._mode,)

    def __enter__(self):
        self._prev = tuple(_state)
        _state[0] = not self._mode
        _state[1] = self._mode

    def __exit__(self, *exc):
        _state[0], _state[1] = self._prev
        return False


class _NoOpSwitch(_GradModeContext):
    """A PyTorch switch with nothing to switch in ember (a single-threaded engine; gradients
    take their input's layout): accepted as a context manager and decorator."""

    _bare_decorator = False

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _init_args(self):
        return (self.mode,)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class set_multithreading_enabled(_NoOpSwitch):
    """``torch.autograd.set_multithreading_enabled``: ember's engine runs backward on the
    calling thread always, so the switch has no effect."""


class enforce_grad_layout_policy(_NoOpSwitch):
    """``torch.autograd.enforce_grad_layout_policy``: ember's gradients are always
    contiguous arrays of their parameter's shape, so the policy holds already."""
