"""``Function``: one differentiable operation, and the graph node it leaves behind.

An op's ``forward`` runs on backend arrays and returns arrays; ``apply`` wraps the
results in Tensors and, when gradients are being recorded, makes the ctx object the
graph node (``tensor.grad_fn``) that the engine later calls ``backward`` on.

Two protocols, chosen by the base class, never by where a class lives:
- ``ArrayFunction``: ember's own ops (and any internal package's: vision ops,
  quantization); ``forward`` takes and returns backend arrays.
- ``Function``: user-defined Functions follow PyTorch: their ``forward`` receives and
  returns Tensors, and runs with grad mode off.

``apply`` is the single choke point; active dispatch modes (``autograd/dispatch.py``)
see every call before it runs.
"""
from itertools import count as _count

from .grad_mode import _state, _anomaly, _saved_hooks
from .dispatch import _top as _mode_top, dispatch as _dispatch_to_mode
from .. import backend
from .._tensor import Tensor, _make
from .._dtype import DIFFERENTIABLE_NP, NATIVE_INEXACT_NP, INTEGRAL_NP, result_type as _result_type

_as_array = backend.as_array
_generic = backend.generic
_ndarray = backend.ndarray      # the host array type: the no-grad fast path's exact check
_new = object.__new__
_next_seq = _count().__next__   # a node's sequence number: the engine runs higher ones first


class _NullCtx:
    """Stands in for ctx on the no-grad fast path: saving and marking are no-ops."""

    needs_input_grad = ()
    materialize_grads = True

    def save_for_backward(self, *items):
        pass

    def mark_non_differentiable(self, *items):
        pass

    def mark_dirty(self, *items):
        pass

    def set_materialize_grads(self, value):
        pass


_NULL_CTX = _NullCtx()


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        # ArrayFunction subclasses take raw arrays; the flag is inherited from the base.
        if "array_forward" not in ns:
            cls.array_forward = any(getattr(b, "array_forward", False) for b in bases)
        if "node_name" not in ns:
            cls.node_name = name + "Backward0" if cls.array_forward else name + "Backward"


class Function(metaclass=_FunctionMeta):
    """Base class of differentiable operations (``torch.autograd.Function``).

    Class attributes an op may set:
      broadcasting  -- the engine sums each input's gradient back to the input's shape;
      promotes      -- Tensor/scalar arguments are cast to PyTorch's result dtype first;
      view_of       -- index of the input whose memory the (first) output views;
      differentiable_outputs -- None (all float outputs) or a tuple of output positions;
      once_differentiable -- backward is not itself differentiable.

    ``backward(ctx, *grads)`` (Tensors in, Tensors out) is the differentiable definition of
    the gradient. A heavy op may also define ``backward_arrays(ctx, *grad_arrays)``:
    backend arrays in (None for a missing gradient), arrays or None out, one per input.
    The engine calls it instead of ``backward`` when no graph of the backward is being
    built (``create_graph=False``); it must give the same values. No op reads the
    grad-mode global to choose its path.
    """

    broadcasting = False
    promotes = False
    view_of = None
    differentiable_outputs = None
    once_differentiable = False
    array_forward = False
    backward_arrays = None

    # -- ctx API used inside forward/backward ------------------------------------------
    def save_for_backward(self, *items):
        self._to_save = items

    def mark_non_differentiable(self, *items):
        self._non_diff = items

    def mark_dirty(self, *items):
        self._dirty = items

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    materialize_grads = True
    _to_save = ()
    _n_outputs = 1
    _non_diff = ()
    _dirty = ()
    _saved = None
    _freed = False
    _tensor_hooks = None
    _retained = None
    _pre_hooks = None
    _post_hooks = None
    _hooked = False     # set by any of the four above: the engine's fast path skips them all

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.")
        saved = self._saved
        if saved is None:
            return ()
        out = []
        for slot in saved:
            # the common slot, an unmodified input Tensor, inline; the rest via _unpack
            if slot is not None and slot.__class__ is tuple:
                tensor, _, _, vc, version = slot
                if tensor is not None and (vc is None or vc[0] == version):
                    out.append(tensor)
                    continue
            out.append(self._unpack(slot))
        return tuple(out)

    @property
    def saved_arrays(self):
        """``saved_tensors`` as backend arrays (for ``backward_arrays``), with the same
        checks, and without wrapping saved outputs in Tensors."""
        if self._freed:
            return self.saved_tensors     # raises the "second time" error
        saved = self._saved
        if saved is None:
            return ()
        out = []
        for slot in saved:
            if slot.__class__ is tuple:
                tensor, array, _, vc, version = slot
                if vc is not None and vc[0] != version:
                    return self.saved_tensors     # raises the in-place modification error
                out.append(array if tensor is None else tensor._data)
            elif slot is None:
                out.append(None)
            else:                                 # a _PackedSlot
                out.append(self._unpack(slot)._data)
        return tuple(out)

    def _unpack(self, slot):
        """A saved slot is (tensor, array, output_nr, version_counter, version_at_save):
        an input Tensor, an output of this node (array + output_nr), or a constant array."""
        if slot is None:
            return None
        if slot.__class__ is _PackedSlot:
            return slot.unpack_into(self)
        tensor, array, output_nr, vc, version = slot
        if vc is not None and vc[0] != version:
            shape = "x".join(str(s) for s in (tensor.shape if tensor is not None else array.shape))
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{(tensor if tensor is not None else _make(array)).type()} "
                f"[{shape}]], which is output 0 of "
                f"{self.name()}, is at version {vc[0]}; expected version {version} "
                "instead. Hint: the backtrace further above shows the operation that failed to "
                "compute its gradient.")
        if tensor is not None:
            return tensor
        if output_nr is not None:
            # A fresh Tensor on the same array whose grad_fn is this node: double backward
            # flows through it without the node holding its own output (no ref cycle).
            t = _make(array)
            t._rg = True
            t.grad_fn = self
            t._output_nr = output_nr
            t._vc = vc
            return t
        if type(array) in (int, float, complex, bool):
            return array           # a Python number passed to forward: backward gets it back
        return _make(_as_array(array))

    # -- node API used by the engine and by users ---------------------------------------
    @classmethod
    def name(cls):
        return cls.node_name

    def __repr__(self):
        # PyTorch shows user Functions' nodes by their class path (torch.autograd.function.X).
        prefix = "" if self.array_forward else "ember.autograd.function."
        return f"<{prefix}{self.node_name} object at {hex(id(self))}>"

    def _sequence_nr(self):
        """The node's sequence number (PyTorch's ``Node._sequence_nr()``): nodes recorded
        later have higher ones, and the engine runs higher ones first."""
        return self._seq

    @property
    def next_functions(self):
        from .engine import AccumulateGrad
        out = []
        for e in self._edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e[0], Tensor):
                out.append((AccumulateGrad(e[0]), 0))
            else:
                out.append(e)
        return tuple(out)

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
            self._hooked = True
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) before this node's backward; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
            self._hooked = True
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override to use the ``forward(*args)`` + ``setup_context`` style (PyTorch 2.0)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    # -- the choke point -----------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        if _mode_top[0] is not None:
            return _dispatch_to_mode(cls, args, kwargs)
        if len(args) == 2 and cls.array_forward:
            # The common binary case, tensor (op) tensor or tensor (op) Python number, with
            # nothing to promote: no argument list, no second pass over the arguments.
            a, b = args
            if type(a) is Tensor:
                ad = a._data
                tb = type(b)
                if tb is Tensor:
                    bd = b._data
                    ok = not cls.promotes or ad.dtype is bd.dtype
                    rg = a._rg or b._rg
                elif tb is float or tb is int:
                    bd = b
                    k = ad.dtype
                    ok = not cls.promotes or k in NATIVE_INEXACT_NP or (
                        tb is int and k in INTEGRAL_NP)
                    rg = a._rg
                else:
                    ok = False
                if ok:
                    if rg and _state[0]:
                        return _record_binary(cls, args, a, ad, b, bd, tb, kwargs)
                    try:
                        out = cls.forward(_NULL_CTX, ad, bd, **kwargs)
                    except (ValueError, TypeError) as err:
                        return _forward_failed(cls, args, kwargs, err)
                    if type(out) is _ndarray and cls.view_of is None:
                        t = _new(Tensor)
                        t._data = out
                        return t
                    return _wrap_plain(cls, out, args)
        elif len(args) == 1 and cls.array_forward:
            # The common unary case (reductions, pointwise functions, views, and the
            # Expand/reshape calls that backward passes make): one Tensor, nothing to promote.
            a = args[0]
            if type(a) is Tensor:
                if a._rg and _state[0]:
                    return _record_unary(cls, args, a, kwargs)
                try:
                    out = cls.forward(_NULL_CTX, a._data, **kwargs)
                except (ValueError, TypeError) as err:
                    return _forward_failed(cls, args, kwargs, err)
                if type(out) is _ndarray and cls.view_of is None:
                    t = _new(Tensor)
                    t._data = out
                    return t
                return _wrap_plain(cls, out, args)
        if cls.promotes:
            args = _promote(args)
        if _state[0]:
            for a in args:
                if isinstance(a, Tensor) and a._rg:
                    return _apply_recording(cls, args, kwargs)
        if not cls.array_forward:
            return _run_user_forward(cls, _NULL_CTX, args, kwargs)
        try:
            out = cls.forward(_NULL_CTX, *[a._data if isinstance(a, Tensor) else a
                                           for a in args], **kwargs)
        except (ValueError, TypeError) as err:
            return _forward_failed(cls, args, kwargs, err)
        return _wrap_plain(cls, out, args)


def _wrap_plain(cls, out, args):
    """The no-grad path's outputs (arrays, NumPy scalars or a tuple of them) as Tensors."""
    view_of = cls.view_of
    if type(out) is tuple:
        res = tuple(_make(_as_array(o)) if o is not None else None for o in out)
        if view_of is not None:
            for r in res:
                if r is not None:
                    _mark_view(r, args[view_of])
        return res
    if isinstance(out, _generic):
        out = _as_array(out)
    res = _make(out)
    if view_of is not None:
        _mark_view(res, args[view_of])
    return res


class NestedIOFunction(Function):
    """``torch.autograd.function.NestedIOFunction``: PyTorch's legacy (pre-0.4) instance-style
    Function with nested inputs/outputs (``forward_extended`` / ``backward_extended`` on an
    instance), kept in PyTorch "only for backward compatibility reasons".

    PyTorch 2.14's class is defined but cannot run: calling an instance reaches
    ``super()._do_forward``, which Function no longer has, and ``apply`` reads
    ``_nested_input`` that nothing set; both raise AttributeError. ember provides the same
    class and methods (``save_for_backward`` / ``saved_tensors`` keep the nesting,
    ``mark_dirty``, ``mark_non_differentiable``, the two ``*_extended`` hooks that raise
    NotImplementedError until overridden) and raises AttributeError at the same points, with
    a message saying what to use instead, rather than emulating an API PyTorch itself no
    longer executes. New code subclasses ``Function`` with static ``forward``/``backward``.
    """

    _LEGACY = ("NestedIOFunction is PyTorch's legacy instance-style autograd Function, which "
               "PyTorch 2.x cannot run either (Function has no _do_forward); subclass "
               "ember.autograd.Function with static forward(ctx, ...) and backward(ctx, ...) "
               "instead")

    def __call__(self, *input):
        raise AttributeError(self._LEGACY)

    @classmethod
    def apply(cls, *args, **kwargs):
        raise AttributeError(cls._LEGACY)

    def save_for_backward(self, *args):
        self.to_save = tuple(_iter_nested_tensors(args))
        self._to_save_nested = args

    @property
    def saved_tensors(self):
        flat = iter(getattr(self, "to_save", ()))
        return _unflatten_like(getattr(self, "_to_save_nested", ()), flat)

    def mark_dirty(self, *args, **kwargs):
        self.dirty_tensors = tuple(_iter_nested_tensors((args, kwargs)))

    def mark_non_differentiable(self, *args, **kwargs):
        self.non_differentiable = tuple(_iter_nested_tensors((args, kwargs)))

    def forward_extended(self, *input):
        """User defined forward."""
        raise NotImplementedError

    def backward_extended(self, *grad_output):
        """User defined backward."""
        raise NotImplementedError


def _iter_nested_tensors(obj):
    from .._tensor import Tensor
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _iter_nested_tensors(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _iter_nested_tensors(v)


def _unflatten_like(structure, flat):
    from .._tensor import Tensor
    if isinstance(structure, Tensor):
        return next(flat)
    if isinstance(structure, (list, tuple)):
        return type(structure)(_unflatten_like(s, flat) for s in structure) \
            if not hasattr(structure, "_fields") else structure
    return structure


class ArrayFunction(Function):
    """Base of ember's internal ops: ``forward(ctx, *arrays, **kwargs)`` receives backend
    arrays (Tensor arguments unwrapped) and returns arrays; ``backward`` receives and
    returns Tensors and is written with ember ops, so it is itself differentiable."""

    array_forward = True


def _forward_failed(cls, args, kwargs, err):
    """An ArrayFunction's forward raised ``err``: raise what PyTorch raises instead.

    The one handler around every ``forward`` call in ``apply`` (a ``try`` costs nothing
    while no exception is raised, so the fast paths pay nothing for it):
    - ValueError from NumPy broadcasting -> PyTorch's "The size of tensor a ... must match"
      RuntimeError (``_broadcast_error``); any other ValueError propagates unchanged;
    - TypeError from CuPy refusing NumPy operands (tensors on two devices) -> PyTorch's
      "Expected all tensors to be on the same device" RuntimeError, or, under PyTorch's
      CPU-scalar rule, the result of running the op again with the 0-d CPU tensor moved
      (returned to the caller); any other TypeError propagates unchanged.
    """
    if isinstance(err, ValueError):
        mapped = _broadcast_error(cls, args, err)
        if mapped is err:
            raise err
        raise mapped from None
    retry = _device_error(cls, args, kwargs, err)
    if retry is err:
        raise err
    return retry


def _device_error(cls, args, kwargs, err):
    """After an op's forward raised TypeError: PyTorch's device rules. Tensors on two devices
    raise its "Expected all tensors to be on the same device" RuntimeError, except that a
    0-d CPU tensor joins a CUDA op as a scalar (PyTorch's CPU-scalar rule): the op is run
    again with it moved. Any other TypeError is returned unchanged, for the caller to
    re-raise. Only the failure path pays for this check."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    pair = backend.mixed_devices([t._data for t in tensors])
    if pair is None:
        return err
    cuda = next((t.device for t in tensors if t.is_cuda), None)
    if cuda is not None and all(t._data.ndim == 0 for t in tensors if not t.is_cuda):
        moved = tuple(a.to(cuda) if isinstance(a, Tensor) and not a.is_cuda else a
                      for a in args)
        return cls.apply(*moved, **kwargs)
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {pair[0]} and {pair[1]}!") from None


def _broadcast_error(cls, args, err):
    """PyTorch's message for shapes that do not broadcast (NumPy's names its internals)."""
    if not (cls.broadcasting and "broadcast" in str(err)):
        return err
    shapes = [a._data.shape for a in args if isinstance(a, Tensor)]
    if len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        for k in range(1, min(len(a), len(b)) + 1):
            if a[-k] != b[-k] and a[-k] != 1 and b[-k] != 1:
                return RuntimeError(f"The size of tensor a ({a[-k]}) must match the size of "
                                    f"tensor b ({b[-k]}) at non-singleton dimension "
                                    f"{max(len(a), len(b)) - k}")
    return RuntimeError(f"shapes {' and '.join(str(list(s)) for s in shapes)} cannot be "
                        "broadcast together")


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        try:
            self._list.remove(self._item)
        except ValueError:
            pass


def _mark_view(out, base):
    vc = base._vc
    if vc is None:
        vc = base._vc = [0]
    out._vc = vc
    out._base = base if base._base is None else base._base


def _promote(args):
    """Cast Tensor and scalar arguments to PyTorch's result dtype (None: leave as is)."""
    if len(args) == 2:
        b = args[1]
        tb = type(b)
        if tb is float or tb is int:
            # tensor (op) Python number: NumPy's weak scalars already give PyTorch's dtype
            # when the number's kind does not lift the tensor's category.
            a = args[0]
            if isinstance(a, Tensor):
                k = a._data.dtype    # not bfloat16: NumPy widens ml_dtypes' type to float32
                if k in NATIVE_INEXACT_NP or (tb is int and k in INTEGRAL_NP):
                    return args
    first = None
    same = True
    for a in args:
        if isinstance(a, Tensor):
            if first is None:
                first = a._data.dtype
            elif a._data.dtype != first:
                same = False
        elif a is not None:
            same = False
    if same:
        return args
    target = _result_type(*[a for a in args if a is not None])
    _to_dtype = _convert.to_dtype
    np_target = target.np
    out = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(a if a._data.dtype == np_target else _to_dtype(a, target))
        elif a is None:
            out.append(None)
        else:
            out.append(np_target.type(a))
    return tuple(out)


def _edge_of(t):
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._rg:
        return (t, 0)
    return None


def _apply_recording(cls, args, kwargs):
    """apply() when some input requires grad: run forward and record the graph node."""
    ctx = object.__new__(cls)
    ctx._seq = _next_seq()
    if _anomaly[0]:
        import traceback
        ctx._anomaly_trace = "".join(traceback.format_stack()[:-2])
    needs, edges, meta, arrays = [], [], [], []
    for a in args:
        if isinstance(a, Tensor):
            rg = a._rg
            needs.append(rg)
            fn = a.grad_fn
            edges.append((fn, a._output_nr) if fn is not None else ((a, 0) if rg else None))
            d = a._data
            meta.append((d.shape, d.dtype))
            arrays.append(d)
        else:
            needs.append(False)
            edges.append(None)
            meta.append(None)
            arrays.append(a)
    ctx.needs_input_grad = tuple(needs)
    ctx._edges = edges
    ctx._in_meta = meta
    user = not cls.array_forward
    if user:
        raw_out = _run_user_forward(cls, ctx, args, kwargs)
        single = not isinstance(raw_out, tuple)
        outs_t = (raw_out,) if single else raw_out
        outs = tuple(o._data if isinstance(o, Tensor) else o for o in outs_t)
    else:
        try:
            raw_out = cls.forward(ctx, *arrays, **kwargs)
        except (ValueError, TypeError) as err:
            return _forward_failed(cls, args, kwargs, err)
        return _finish_array_forward(ctx, cls, args, raw_out)
    return _finish_outputs(ctx, cls, args, outs, outs_t, single, user)


def _record_binary(cls, args, a, ad, b, bd, tb, kwargs):
    """_apply_recording for an ArrayFunction called with (Tensor, Tensor) or (Tensor, Python
    number), which apply's fast path has unpacked already: the node's lists built directly."""
    if _anomaly[0]:
        return _apply_recording(cls, args, kwargs)
    ctx = _new(cls)
    ctx._seq = _next_seq()
    fn = a.grad_fn
    ea = (fn, a._output_nr) if fn is not None else ((a, 0) if a._rg else None)
    if tb is Tensor:
        fn = b.grad_fn
        eb = (fn, b._output_nr) if fn is not None else ((b, 0) if b._rg else None)
        ctx.needs_input_grad = (a._rg, b._rg)
        ctx._in_meta = [(ad.shape, ad.dtype), (bd.shape, bd.dtype)]
    else:
        eb = None
        ctx.needs_input_grad = (a._rg, False)
        ctx._in_meta = [(ad.shape, ad.dtype), None]
    ctx._edges = [ea, eb]
    try:
        raw_out = cls.forward(ctx, ad, bd, **kwargs)
    except (ValueError, TypeError) as err:
        return _forward_failed(cls, args, kwargs, err)
    return _finish_array_forward(ctx, cls, args, raw_out)


def _record_unary(cls, args, a, kwargs):
    """_apply_recording for an ArrayFunction called with one Tensor that requires grad."""
    if _anomaly[0]:
        return _apply_recording(cls, args, kwargs)
    ctx = _new(cls)
    ctx._seq = _next_seq()
    fn = a.grad_fn
    ctx._edges = [(fn, a._output_nr) if fn is not None else (a, 0)]
    ad = a._data
    ctx.needs_input_grad = (True,)
    ctx._in_meta = [(ad.shape, ad.dtype)]
    try:
        raw_out = cls.forward(ctx, ad, **kwargs)
    except (ValueError, TypeError) as err:
        return _forward_failed(cls, args, kwargs, err)
    return _finish_array_forward(ctx, cls, args, raw_out)


def _finish_array_forward(ctx, cls, args, raw_out):
    """Wrap an ArrayFunction's forward result and complete its node."""
    single = type(raw_out) is not tuple
    if single and not ctx._non_diff and cls.differentiable_outputs is None:
        return _record_single(ctx, cls, args, raw_out if type(raw_out) is _ndarray
                              else _as_array(raw_out), raw_out)
    outs = (_as_array(raw_out),) if single else tuple(
        _as_array(o) if o is not None else None for o in raw_out)
    # forward may have saved a NumPy scalar that _as_array replaced: map it to the array
    raw_outs = (raw_out,) if single else raw_out
    if any(r is not o for r, o in zip(raw_outs, outs)) and ctx._to_save:
        remap = {id(r): o for r, o in zip(raw_outs, outs) if r is not o}
        ctx._to_save = tuple(remap.get(id(x), x) for x in ctx._to_save)
    return _finish_outputs(ctx, cls, args, outs, (), single, False)


def _finish_outputs(ctx, cls, args, outs, outs_t, single, user):
    """The outputs as Tensors carrying the node, views marked, saved tensors packed."""
    # mark_dirty: an input modified in place becomes the output (in-place user Functions).
    dirty = ctx._dirty
    non_diff_ids = {id(x) for x in ctx._non_diff} if ctx._non_diff else ()
    diff_pos = cls.differentiable_outputs
    results = []
    for i, arr in enumerate(outs):
        if arr is None:
            results.append(None)
            continue
        if user and not backend.is_array(arr):
            results.append(arr)  # user functions may return non-tensor values
            continue
        t = None
        if user and dirty:
            for d in dirty:
                if d._data is arr:
                    t = d
                    _bump(t)
        if t is None:
            t = _make(arr)
        differentiable = (arr.dtype in DIFFERENTIABLE_NP
                          and (diff_pos is None or i in diff_pos)
                          and (not non_diff_ids or (id(arr) not in non_diff_ids
                               and not (user and id(outs_t[i]) in non_diff_ids))))
        if differentiable:
            t._rg = True
            t.grad_fn = ctx
            t._output_nr = i
        results.append(t)
    ctx._n_outputs = len(outs)
    ctx._out_meta = [(o.shape, o.dtype) if o is not None and hasattr(o, "dtype") else None
                     for o in outs]

    if cls.view_of is not None:
        for r in results:
            if isinstance(r, Tensor):
                _mark_view(r, args[cls.view_of])

    to_save = ctx._to_save
    if to_save:
        ctx._saved = tuple(_make_slot(x, args, outs, results, user) for x in to_save)
        ctx._to_save = ()
        if _saved_hooks[0] is not None:
            _pack_saved(ctx, results)
    if single:
        return results[0]
    return tuple(results)


def _run_user_forward(cls, ctx, args, kwargs):
    """A user Function's forward under no_grad: ``forward(ctx, *args)``, or the PyTorch 2.0
    style ``forward(*args)`` followed by ``setup_context(ctx, inputs, output)``."""
    from .grad_mode import no_grad
    with no_grad():
        if cls.setup_context is Function.setup_context:
            return cls.forward(ctx, *args, **kwargs)
        out = cls.forward(*args, **kwargs)
        if ctx is not _NULL_CTX:
            cls.setup_context(ctx, args, out)
        return out


def _record_single(ctx, cls, args, arr, raw):
    """The common case of an internal op with one output: wrap it and finish the node."""
    t = _make(arr)
    if arr.dtype in DIFFERENTIABLE_NP:
        t._rg = True
        t.grad_fn = ctx
    # (no _out_meta: only a node with several outputs can run with one of them missing)
    if cls.view_of is not None:
        _mark_view(t, args[cls.view_of])
    to_save = ctx._to_save
    if to_save:
        saved = []
        for x in to_save:
            if x is arr or x is raw:
                vc = t._vc
                if vc is None:
                    vc = t._vc = [0]
                saved.append((None, arr, 0, vc, vc[0]))
            elif x is None:
                saved.append(None)
            else:
                for a in args:
                    if isinstance(a, Tensor) and a._data is x:
                        vc = a._vc
                        if vc is None:
                            vc = a._vc = [0]
                        saved.append((a, None, None, vc, vc[0]))
                        break
                else:
                    saved.append((None, x, None, None, 0))
        ctx._saved = saved
        ctx._to_save = ()
        if _saved_hooks[0] is not None:
            _pack_saved(ctx, (t,))
    return t


def _make_slot(x, args, outs, results, user):
    """The saved slot for ``x`` (see Function._unpack for its layout)."""
    if x is None:
        return None
    arr = x._data if (user and isinstance(x, Tensor)) else x
    for i, o in enumerate(outs):
        if o is arr and isinstance(results[i], Tensor):
            out_t = results[i]
            vc = out_t._vc
            if vc is None:
                vc = out_t._vc = [0]
            if out_t.grad_fn is None:
                return (out_t, None, None, vc, vc[0])
            return (None, o, i, vc, vc[0])
    for a in args:
        if isinstance(a, Tensor) and (a is x or a._data is arr):
            vc = a._vc
            if vc is None:
                vc = a._vc = [0]
            return (a, None, None, vc, vc[0])
    if isinstance(x, Tensor):
        return (x, None, None, None, 0)
    return (None, x, None, None, 0)


class _PackedSlot(tuple):
    """A saved slot that went through ``saved_tensors_hooks``: the pack hook's result, the
    unpack hook to call on each access, and the graph position of the saved tensor (its
    grad_fn and output_nr, or the leaf it was), so that the unpacked tensor takes part in
    double backward as the original did. It reads as an empty slot to code that indexes
    saved slots (``slot[0] is None``); as in PyTorch, no version check is made on unpack."""

    def __new__(cls, packed, unpack, fn, output_nr, leaf):
        self = tuple.__new__(cls, (None, None, None, None, 0))
        self.packed, self.unpack, self.fn, self.output_nr, self.leaf = (
            packed, unpack, fn, output_nr, leaf)
        return self

    def unpack_into(self, node):
        t = self.unpack(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        fn = self.fn
        if fn is not None:
            if t.grad_fn is fn and t._output_nr == self.output_nr:
                return t
            out = _make(t._data)
            out._rg = True
            out.grad_fn = fn
            out._output_nr = self.output_nr
            return out
        leaf = self.leaf
        if leaf is not None and t is not leaf and _state[0]:
            return _SavedLeafAlias.apply(leaf, t.detach())
        return t


def _pack_saved(ctx, results):
    """Replace ctx's saved slots by the innermost pack hook's results (autograd/graph.py)."""
    hooks = _saved_hooks[0]
    pack, unpack = hooks
    packed = []
    for slot in ctx._saved:
        if slot is None:
            packed.append(None)
            continue
        tensor, array, output_nr, _, _ = slot
        fn = nr = leaf = None
        if tensor is not None:
            t = tensor
            if t.grad_fn is not None:
                fn, nr = t.grad_fn, t._output_nr
            elif t._rg:
                leaf = t
        elif output_nr is not None:
            t = results[output_nr]
            fn, nr = ctx, output_nr
        elif type(array) in (int, float, complex, bool):
            packed.append(slot)        # a Python number is no tensor: PyTorch saves it as is
            continue
        else:
            t = _make(_as_array(array))
        packed.append(_PackedSlot(pack(t), unpack, fn, nr, leaf))
    ctx._saved = tuple(packed)


def _bump(t):
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


class once_differentiable:
    """Decorator for a backward that is not itself differentiable (as in PyTorch)."""

    def __new__(cls, fn):
        import functools
        from .grad_mode import no_grad

        @functools.wraps(fn)
        def wrapper(ctx, *grads):
            with no_grad():
                return fn(ctx, *grads)
        return wrapper


class _SavedLeafAlias(ArrayFunction):
    """The value a saved_tensors_hooks unpack hook returned for a leaf, wired to that leaf
    so that a graph built in backward (create_graph=True) reaches it."""

    @staticmethod
    def forward(ctx, leaf, value):
        return value

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# The dtype cast promotion uses; imported last because ToCopy is an ArrayFunction (the
# module attribute is read at call time, so either import order works).
from .. import _convert  # noqa: E402
