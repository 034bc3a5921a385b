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
    """Base of modes on the dispatch hook; usable as a context manager.

    ``symbolic_shapes``: Tensor.shape/size/numel/len (and .item()/.tolist()/bool) ask
    the mode (graph capture: shape reads become graph values). ``captures_composites``:
    the mode receives calls of the ``composite`` functions whole (see ``composite``).
    """

    symbolic_shapes = False
    captures_composites = False

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


class composite:
    """Decorator for a public function whose Functions take plan objects built from the
    input's shape (a convolution's geometry, a pooling window plan, running statistics
    folded into one array): ``@composite("conv2d")``.

    With no mode active the wrapper checks ``_top[0]`` and calls the function. A mode
    with ``captures_composites`` set (graph capture) receives the whole call instead,
    as ``mode.__ember_composite__(name, fn, args, kwargs)``, and may record it as one
    node with PyTorch-level arguments (stride, padding ...) and run ``fn`` with itself
    taken off the stack, so the Functions inside are not seen twice. Other modes
    (autocast, profiler) never see composites: they see the Functions inside.
    """

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __call__(self, fn):
        import functools
        name = self.name

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            mode = _top[0]
            if mode is not None and mode.captures_composites:
                mode = _stack.pop()
                _top[0] = _stack[-1] if _stack else None
                try:
                    return mode.__ember_composite__(name, fn, args, kwargs)
                finally:
                    _stack.append(mode)
                    _top[0] = mode
            return fn(*args, **kwargs)
        wrapper.__ember_composite_name__ = name
        return wrapper

def casting_active():
    """True while a mode that casts op inputs (autocast: ``casts_inputs = True``) is on the
    stack. Public wrappers that reject mixed input dtypes (``mm``, ``linear``, ``conv``)
    let the call through then, because the mode casts before the op runs, as PyTorch's
    autocast does before its kernels' dtype checks."""
    for mode in _stack:
        if getattr(mode, "casts_inputs", False):
            return True
    return False


def push_base_mode(mode):
    """Put ``mode`` at the bottom of the stack (below every active mode), where it stays:
    the quantized-tensor mode, installed when the first quantized tensor is made, so that
    modes entered earlier still leave the stack in the order they entered it."""
    _stack.insert(0, mode)
    _top[0] = _stack[-1]
