"""The mode stack at ``Function.apply``: one hook that graph capture, autocast and the
profiler attach to.

Every op call, ember's own and users' ``autograd.Function`` alike, reaches
``Function.apply(cls, *args, **kwargs)``. With no mode active, apply checks
``_top[0] is None`` and goes on (one index and one ``is`` test: the whole cost of this
hook; ``bench/op_overhead.py`` measures it). With modes active, apply hands the call to
the innermost (most recently entered) mode instead.

The protocol a mode implements (subclass ``DispatchMode``)::

    def __ember_dispatch__(self, func, args, kwargs):
        # func:   the Function class being applied (ember.ops.pointwise.Add, a user's
        #         Function ...); func.__name__ names the op, func.__module__ its family.
        # args:   the positional arguments exactly as the public wrapper passed them to
        #         apply: Tensors, Python numbers, None, plan objects of heavy ops.
        # kwargs: the keyword arguments of apply (attributes of the op: dim, keepdim ...).
        # returns what apply returns: a Tensor, a tuple of Tensors (or None entries).
        return func.apply(*args, **kwargs)       # run the op (the next mode, then the op)

While a mode's ``__ember_dispatch__`` runs, that mode is taken off the stack, so
``func.apply`` inside it -- and every op the mode itself calls (a cast, a timer's
sync) -- goes to the next mode down and finally to the op, never back into the same
mode. A mode may change args before calling on (autocast casts them), wrap the call
(the profiler times it), or record it and its result (capture). Modes nest: entering
one pushes it; leaving pops it and must leave the stack as it found it.

Backward passes run ops too (the engine calls each node's backward, whose ember ops go
through apply): modes see them, as PyTorch's dispatcher modes see backward kernels.
The stack is process-global, as ember's grad mode is.
"""

_stack = []
# _top[0]: the innermost active mode, or None. Function.apply reads only this.
_top = [None]


class DispatchMode:
    """Base of modes on the dispatch hook; usable as a context manager."""

    def __ember_dispatch__(self, func, args, kwargs):
        return func.apply(*args, **kwargs)

    def __enter__(self):
        push_mode(self)
        return self

    def __exit__(self, *exc):
        pop_mode(self)
        return False


def push_mode(mode):
    _stack.append(mode)
    _top[0] = mode


def pop_mode(mode):
    if not _stack or _stack[-1] is not mode:
        raise RuntimeError(f"dispatch mode {mode!r} is not the innermost active mode; "
                           "modes must be exited in the reverse order they were entered")
    _stack.pop()
    _top[0] = _stack[-1] if _stack else None


def remove_mode(mode):
    """Take ``mode`` off the stack wherever it is (a profiler stopped by ``step()`` inside
    a region that entered another mode after it)."""
    for i in range(len(_stack) - 1, -1, -1):
        if _stack[i] is mode:
            del _stack[i]
            break
    _top[0] = _stack[-1] if _stack else None


def active_modes():
    """The active modes, outermost first."""
    return tuple(_stack)


def dispatch(cls, args, kwargs):
    """Called by Function.apply when a mode is active: run the innermost mode with itself
    taken off the stack, then put it back."""
    mode = _stack.pop()
    _top[0] = _stack[-1] if _stack else None
    try:
        return mode.__ember_dispatch__(cls, args, kwargs)
    finally:
        _stack.append(mode)
        _top[0] = mode
