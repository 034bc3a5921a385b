"""The backward engine: a walk over the graph of Function nodes in reverse creation order.

Edges are ``(node, output_nr)`` pairs; a leaf that requires grad is its own target
(``(tensor, 0)``), so leaves need no separate accumulator object.

Every node has a sequence number, taken when it is recorded (PyTorch's ``sequence_nr``),
and a node's inputs were all recorded before it. So running the reached nodes highest
number first (a heap) runs every node after all the nodes that send it a gradient, with
no pass over the graph to count its edges first; PyTorch's engine orders its ready queue
by the same numbers. Gradients for each node are summed in a buffer until it runs. The
leaves' gradients are summed too and go into ``.grad`` once every node has run, in the
order their last gradient arrived.

Unless ``create_graph`` asks for a graph of the backward, the buffers hold backend arrays,
not Tensors: an op's ``backward_arrays`` takes and returns arrays, and two gradients
meeting at a node are summed with the backend's ``+``, so no Tensor is made between the
seed and the leaves' ``.grad``. User code (hooks, a user Function's ``backward``) still
sees Tensors: the engine wraps the arrays for it and unwraps what it returns.
"""
import weakref
from heapq import heappop, heappush

from .grad_mode import _state, _anomaly
from .profiler_hooks import active as _profiler_active
from .function import _RemovableHandle
from .. import backend
from .._dtype import COMPLEX_NP, DIFFERENTIABLE_NP
from .._tensor import Tensor, _make



class AccumulateGrad:
    """What ``next_functions`` shows for a leaf, as in PyTorch."""

    def __init__(self, variable):
        self.variable = variable

    @staticmethod
    def name():
        return "torch::autograd::AccumulateGrad"

    @staticmethod
    def _sequence_nr():
        """UINT64_MAX, as PyTorch's AccumulateGrad nodes have."""
        return (1 << 64) - 1

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    next_functions = ()


def register_tensor_hook(t, hook):
    """A hook on a leaf runs before accumulation; on a non-leaf, before its node's backward."""
    if t.grad_fn is None:
        if t._hooks is None:
            t._hooks = []
        t._hooks.append(hook)
        return _RemovableHandle(t._hooks, hook)
    node = t.grad_fn
    if node._tensor_hooks is None:
        node._tensor_hooks = {}
        node._hooked = True
    hooks = node._tensor_hooks.setdefault(t._output_nr, [])
    hooks.append(hook)
    return _RemovableHandle(hooks, hook)


def register_retain(t):
    node = t.grad_fn
    if node._retained is None:
        node._retained = {}
        node._hooked = True
    node._retained.setdefault(t._output_nr, []).append(weakref.ref(t))


def _seed(t, g):
    if g is None:
        if t._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if t._data.dtype not in DIFFERENTIABLE_NP:
            raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                               f"but got {t.dtype}")
        d = t._data
        ones = backend.get_array_module(d).empty(d.shape, d.dtype)
        ones.fill(1)        # (numpy.ones is empty + copyto in Python frames)
        return _make(ones)
    if not isinstance(g, Tensor):
        from ..ops.creation import tensor as _tensor
        g = _tensor(g, dtype=t.dtype)
    if g.shape != t.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and "
                           f"output[0] has a shape of {t.shape}.")
    return g


def _sum_to_shape(g, shape):
    """Undo broadcasting: sum ``g`` down to ``shape`` (differentiably)."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def _run_tensor_hooks(node, grads_here, create_graph):
    """Hooks registered on a non-leaf tensor, then retain_grad, see its gradient first."""
    th = node._tensor_hooks
    if th:
        for nr, hooks in th.items():
            g = grads_here[nr]
            if g is None:
                continue
            grads_here[nr] = _call_grad_hooks(hooks, g, not create_graph)
    if node._retained:
        for nr, refs in node._retained.items():
            g = grads_here[nr]
            for r in refs:
                t = r()
                if t is not None and g is not None:
                    t.grad = _leaf_grad_value(g, create_graph) if t.grad is None \
                        else t.grad + (g if create_graph else _make(g))


def _call_grad_hooks(hooks, g, arrays):
    """Run tensor hooks in order on gradient ``g`` (an array when ``arrays``: the hooks see
    it as a Tensor); a hook's non-None result replaces the gradient."""
    if arrays:
        g = _make(g)
    for hook in hooks:
        res = hook(g)
        if res is not None:
            g = res
    return g._data if arrays else g


def _tensors(grads):
    """Gradient arrays as Tensors, for user code (hooks, a user Function's backward)."""
    return tuple([None if g is None else _make(g) for g in grads])


def _arrays(node, grads):
    """The Tensors (or None) user code returned as gradients, as arrays."""
    out = []
    for i, g in enumerate(grads):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{node.name()} returned a {type(g).__name__} as gradient {i}; "
                            "expected a Tensor or None")
        out.append(None if g is None else g._data)
    return tuple(out)


def _run_node(node, grads, create_graph):
    """Run ``node``'s backward on ``grads`` (arrays unless ``create_graph``: Tensors)."""
    if node._freed:
        node.saved_tensors  # noqa: B018  raises the "backward through the graph a second time" error
    arrays = not create_graph
    if len(grads) > 1 and node.materialize_grads:
        # (a single-output node only runs once its one gradient has arrived; and no
        # `None in grads`: that would compare every gradient element-wise)
        for g in grads:
            if g is None:
                _materialize(node, grads, arrays)
                break
    if node._pre_hooks:
        for hook in node._pre_hooks:
            res = hook(_tensors(grads) if arrays else tuple(grads))
            if res is not None:
                grads = list(_arrays(node, res) if arrays else res)
    if node.once_differentiable and create_graph:
        raise RuntimeError(f"{node.name()} is not differentiable twice: it was declared "
                           "once_differentiable, so create_graph=True cannot pass through it")
    arrays_fn = node.backward_arrays
    if not arrays:
        out = node.backward(node, *grads)
        if type(out) is not tuple:
            out = (out,)
    elif arrays_fn is not None:
        # the op's fast path on arrays: no graph of the backward is wanted
        out = arrays_fn(node, grads[0]) if len(grads) == 1 else arrays_fn(node, *grads)
        if type(out) is not tuple:
            out = (out,)
    else:
        out = node.backward(node, *_tensors(grads))
        out = _arrays(node, out if type(out) is tuple else (out,))
    if len(out) != len(node._edges):
        out = _check_count(node, out)
    if node._post_hooks:
        for hook in node._post_hooks:
            if arrays:
                res = hook(_tensors(out), _tensors(grads))
                if res is not None:
                    out = _arrays(node, tuple(res))
            else:
                res = hook(out, tuple(grads))
                if res is not None:
                    out = tuple(res)
    return out


def _check_count(node, out):
    """``out`` cut to one gradient per input when the extra ones are None, else the error."""
    n_in = len(node._edges)
    if len(out) > n_in and all(g is None for g in out[n_in:]):
        return out[:n_in]
    raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                       f"gradients (expected {n_in}, got {len(out)})")


def _materialize(node, grads, arrays):
    """Zeros for the outputs of ``node`` that received no gradient (materialize_grads)."""
    first = next(g for g in grads if g is not None)
    xp = backend.get_array_module(first if arrays else first._data)
    for i, g in enumerate(grads):
        if g is None:
            meta = node._out_meta[i]
            if meta is not None:
                z = xp.zeros(meta[0], meta[1])
                grads[i] = z if arrays else _make(z)


def _check_grad(node, i, g):
    """Fit gradient ``g`` (a Tensor) to input ``i``'s metadata: sum a broadcast gradient
    back to the input's shape, cast to its dtype; check for NaN in anomaly mode."""
    if not isinstance(g, Tensor):
        raise TypeError(f"{node.name()} returned a {type(g).__name__} as gradient {i}; "
                        "expected a Tensor or None")
    shape, dtype = node._in_meta[i]
    if g._data.shape != shape:
        if node.broadcasting:
            g = _sum_to_shape(g, shape)
        if g._data.shape != shape:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index "
                               f"{i} - got {list(g._data.shape)} but expected shape compatible "
                               f"with {list(shape)}")
    if g._data.dtype != dtype:
        g = _grad_as(g, dtype)
    if _anomaly[0]:
        xp = backend.get_array_module(g._data)
        if g._data.dtype in DIFFERENTIABLE_NP and bool(xp.isnan(g._data).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               f"output. The forward op was created at:\n"
                               f"{getattr(node, '_anomaly_trace', '  (trace unavailable)')}")
    return g


def _grad_as(g, np_dtype):
    """Gradient ``g`` in an input's dtype. A complex gradient reaching a real input keeps
    its real part, differentiably (PyTorch's ``handle_r_to_c``: the input entered a complex
    computation, and the derivative of a real loss in a real variable is real), with no
    ComplexWarning; other dtype mismatches are a plain cast."""
    if g._data.dtype in COMPLEX_NP and np_dtype not in COMPLEX_NP:
        from ..ops.complex import real
        g = real(g)
        if g._data.dtype == np_dtype:
            return g
    return g.to(_np_to_dtype(np_dtype))


def _np_to_dtype(np_dtype):
    from .._dtype import NP_TO_DTYPE
    return NP_TO_DTYPE[np_dtype]


def _root_array(arr):
    while arr.base is not None and hasattr(arr.base, "base"):
        arr = arr.base
    return arr


def _leaf_grad_value(g, create_graph, assigned=None):
    """What goes into ``.grad``: with ``create_graph`` the gradient Tensor ``g`` itself;
    otherwise a Tensor on array ``g`` whose memory nothing else in this backward uses.

    A gradient array is stolen (no copy) unless it is read-only (a broadcast view) or
    shares memory with a gradient already handed out or with a user-given seed, as
    PyTorch's AccumulateGrad steals or clones.
    """
    if create_graph:
        return g
    if not getattr(g.flags, "writeable", True):   # CuPy arrays have no such flag
        return _make(g.copy())
    if assigned is None:
        return _make(g.copy() if g.base is not None else g)
    root = id(g if g.base is None else _root_array(g))
    if root in assigned:
        return _make(g.copy())
    assigned.add(root)
    return _make(g)


def run_backward(roots, grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Propagate ``grads`` from ``roots`` (Tensors) through the graph.

    With ``accumulate`` the leaves' ``.grad`` receive the result (Tensor.backward);
    otherwise the gradients for ``inputs`` are returned (autograd.grad).
    """
    if retain_graph is None:
        retain_graph = create_graph
    arrays = not create_graph      # what the buffers hold: arrays, or Tensors (see the top)
    heap = []      # (-sequence number, node) of every node reached and not yet run
    buf = {}       # sequence number -> the node's per-output gradients (None: none yet)
    leaves = {}    # id(leaf) -> [leaf, summed gradient], in the order of the last arrival
    # memory already handed out as a .grad, starting with user-given seed gradients
    assigned = set()
    for t, g in zip(roots, grads):
        if not t._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
        arr = g._data
        assigned.add(id(arr if arr.base is None else _root_array(arr)))
        if arr.dtype != t._data.dtype:
            g = g.to(t.dtype)
        g = g._data if arrays else g
        if t.grad_fn is None:
            _add_leaf_grad(leaves, t, g)
        else:
            _send(buf, heap, t.grad_fn, t._output_nr, g)

    captured = None
    if inputs is not None:
        # Gradients are captured where each input's edge lands.
        captured = {}
        for i, t in enumerate(inputs):
            e = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t, 0)
            captured.setdefault(e, []).append(i)
        results = [None] * len(inputs)

    # nodes may take the inline path: arrays, nothing captured, no profiler (hooks per node)
    plain = arrays and captured is None and _profiler_active[0] is None
    prev = _state[0]
    _state[0] = bool(create_graph)
    try:
        while heap:
            seq, node = heappop(heap)
            grads_here = buf.pop(-seq)
            edges = node._edges
            if grads_here is None:
                in_grads = None
            elif plain and not node._hooked and len(grads_here) == 1 and \
                    node.backward_arrays is not None and not node._freed:
                # the common node: one output, an array backward, no hooks (_run_node's
                # checks all pass), inline
                in_grads = node.backward_arrays(node, grads_here[0])
                if type(in_grads) is not tuple:
                    in_grads = (in_grads,)
                if len(in_grads) != len(edges):
                    in_grads = _check_count(node, in_grads)
                meta = node._in_meta
            else:
                if node._tensor_hooks or node._retained:
                    _run_tensor_hooks(node, grads_here, create_graph)
                if captured is not None:
                    for nr in range(len(grads_here)):
                        g = grads_here[nr]
                        for i in captured.get((node, nr), ()):
                            results[i] = _make(g) if arrays and g is not None else g
                if _profiler_active[0] is None:
                    in_grads = _run_node(node, grads_here, create_graph)
                else:
                    in_grads = _profiler_active[0].run_backward_node(
                        _run_node, node, grads_here, create_graph)
                meta = node._in_meta
            if not retain_graph and node._saved is not None:
                # Only nodes that saved tensors refuse a second backward, as in PyTorch.
                node._saved = None
                node._freed = True
            for i, e in enumerate(edges):
                if e is None:
                    continue
                nxt, nr = e
                g = None if in_grads is None else in_grads[i]
                if g is not None:
                    m = meta[i]
                    if arrays:
                        if g.shape != m[0] or g.dtype != m[1] or _anomaly[0]:
                            g = _check_grad(node, i, _make(g))._data
                    else:
                        gd = g._data if g.__class__ is Tensor else None
                        if gd is None or gd.shape != m[0] or gd.dtype != m[1] or _anomaly[0]:
                            g = _check_grad(node, i, g)
                if nxt._seq is None:            # a leaf
                    if g is not None:
                        _add_leaf_grad(leaves, nxt, g)
                else:
                    _send(buf, heap, nxt, nr, g)
        for leaf, g in leaves.values():
            if leaf._hooks:
                g = _call_grad_hooks(leaf._hooks, g, arrays)
            if captured is not None:
                key = (leaf, 0)
                for i in captured.get(key, ()):
                    results[i] = _make(g) if arrays else g
                if not accumulate or key not in captured:
                    continue
            _accumulate_leaf(leaf, g, create_graph, assigned)
            if leaf._post_accumulate_grad_hooks:
                _run_post_accumulate_grad_hooks(leaf)
    finally:
        _state[0] = prev
    if captured is not None:
        return results
    return None


def _send(buf, heap, node, nr, g):
    """Sum gradient ``g`` (or None) into output ``nr`` of ``node``'s buffer. A node reached
    for the first time joins the heap, with no gradient too: it still runs, frees its
    saved tensors and passes the visit on, as PyTorch's engine does."""
    seq = node._seq
    if seq not in buf:
        buf[seq] = None
        heappush(heap, (-seq, node))
    if g is not None:
        slot = buf[seq]
        if slot is None:
            slot = buf[seq] = [None] * node._n_outputs
            slot[nr] = g
        else:
            old = slot[nr]
            slot[nr] = g if old is None else old + g


def _add_leaf_grad(leaves, leaf, g):
    """Sum gradient ``g`` into ``leaf``'s entry, moving the entry to the end of ``leaves``."""
    entry = leaves.pop(id(leaf), None)
    if entry is None:
        leaves[id(leaf)] = [leaf, g]
    else:
        entry[1] = entry[1] + g
        leaves[id(leaf)] = entry


def register_post_accumulate_grad_hook(t, hook):
    """``Tensor.register_post_accumulate_grad_hook``: ``hook(t)`` after ``t.grad`` is updated.

    As in PyTorch: leaves only, run by ``backward`` (not by ``autograd.grad``, which
    accumulates nothing), in registration order, in no-grad mode unless ``create_graph``.
    """
    if not t._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if t._post_accumulate_grad_hooks is None:
        t._post_accumulate_grad_hooks = []
    t._post_accumulate_grad_hooks.append(hook)
    return _RemovableHandle(t._post_accumulate_grad_hooks, hook)


def _run_post_accumulate_grad_hooks(leaf):
    for hook in tuple(leaf._post_accumulate_grad_hooks):
        res = hook(leaf)
        if res is not None and not isinstance(res, Tensor):
            # torch ignores a returned Tensor (its docs' example returns ``p.add_(...)``)
            raise TypeError(f"post accumulate grad hooks should return None or a Tensor "
                            f"(ignored), but the hook returned '{type(res).__name__}'")


def _accumulate_leaf(leaf, g, create_graph, assigned):
    """Add gradient ``g`` (an array, or a Tensor with ``create_graph``) into ``leaf.grad``."""
    if leaf.grad is None:
        leaf.grad = _leaf_grad_value(g, create_graph, assigned)
    elif create_graph:
        leaf.grad = leaf.grad + g
    elif leaf.grad.grad_fn is not None:
        leaf.grad = leaf.grad + _make(g)
    else:
        # Accumulate in place so .grad keeps its identity across steps, as in PyTorch.
        leaf.grad._data += g


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """``torch.autograd.backward``."""
    if type(tensors) is Tensor and grad_tensors is None and inputs is None:
        # Tensor.backward() of a loss: the common case, without the tuple juggling
        run_backward((tensors,), (_seed(tensors, None),), retain_graph, create_graph)
        return
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    seeds = tuple(_seed(t, g) for t, g in zip(tensors, grad_tensors))
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(tensors, seeds, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """``torch.autograd.grad``: gradients of ``outputs`` w.r.t. ``inputs``, without touching .grad."""
    if is_grads_batched:
        return _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    single_out = isinstance(outputs, Tensor)
    outputs = (outputs,) if single_out else tuple(outputs)
    single_in = isinstance(inputs, Tensor)
    inputs = (inputs,) if single_in else tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = tuple(_seed(t, g) for t, g in zip(outputs, grad_outputs))
    results = run_backward(outputs, seeds, retain_graph, create_graph, inputs=inputs,
                           accumulate=False)
    out = []
    for t, r in zip(inputs, results):
        if r is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                r = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        elif not create_graph and r.grad_fn is not None:
            r = r.detach()
        out.append(r)
    return tuple(out)


def _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """``grad(..., is_grads_batched=True)``: the first dimension of every grad_output is a
    batch of vectors; the result stacks one vector-Jacobian product per batch entry (a loop
    over the batch, where PyTorch vmaps: the same values)."""
    from ..ops.shape import stack
    single_out = isinstance(outputs, Tensor)
    outs = (outputs,) if single_out else tuple(outputs)
    gos = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs or ())
    if len(gos) != len(outs) or not all(isinstance(g, Tensor) for g in gos):
        raise RuntimeError("grad requires a batched grad_output Tensor for every output when "
                           "is_grads_batched=True")
    sizes = {g.shape[0] if g.dim() else None for g in gos}
    if len(sizes) != 1 or None in sizes:
        raise RuntimeError("If `is_grads_batched=True`, we interpret the first dimension of "
                           "each grad_output as the batch dimension. The sizes of the first "
                           "dimension of the grad_outputs must all match.")
    n = sizes.pop()
    if n == 0:
        from ..ops.creation import empty
        ins = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        return tuple(empty((0,) + tuple(t.shape), dtype=t.dtype) for t in ins)
    per_input = None
    for b in range(n):
        keep = True if b < n - 1 else retain_graph
        res = grad(outs, inputs, tuple(g[b] for g in gos), retain_graph=keep,
                   create_graph=create_graph, allow_unused=allow_unused,
                   materialize_grads=materialize_grads)
        per_input = [[r] for r in res] if per_input is None else [
            acc + [r] for acc, r in zip(per_input, res)]
    return tuple(None if any(r is None for r in rs) else stack(rs) for rs in per_input)
