"""The event recorder behind ``ember.profiler.profile``: a mode on the dispatch hook.

While recording, every op call reaches ``Recorder.__ember_dispatch__`` (see
``autograd/dispatch.py``), which opens an event named as PyTorch names the op
(``_names.op_name``), runs the op and closes the event; events opened inside another
event become its ``cpu_children``, so self time and nesting are PyTorch's. The engine
reports each backward node and the DataLoader each batch through
``autograd/profiler_hooks.py``; optimizer steps and (``with_modules``) module calls come
through their public global hooks.

Memory (``profile_memory``): an op's output arrays that own their memory count as
allocated by that op; when such an array is freed, its bytes count as freed (negative)
by whatever range is innermost at that moment -- PyTorch's CPU Mem / Self CPU Mem
columns, with the difference that temporaries an op allocates and frees inside itself
are not seen (NumPy allocates them below Python).
"""
import os
import sys
import threading
import time
import weakref

from .. import _tensor
from ..autograd import dispatch, profiler_hooks
from ._events import FunctionEvent
from ._names import op_name

_Tensor = _tensor.Tensor

# c10's scalar-type names, as PyTorch's traces print "Input type".
_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
               "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
               "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
               "bool": "bool", "complex64": "c10::complex<float>",
               "complex128": "c10::complex<double>"}

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Range:
    __slots__ = ("recorder", "name", "category", "event")

    def __init__(self, recorder, name, category):
        self.recorder, self.name, self.category = recorder, name, category
        self.event = None

    def __enter__(self):
        self.event = self.recorder.begin(self.name, self.category)
        return self

    def __exit__(self, *exc):
        self.recorder.end(self.event)
        return False


class Recorder(dispatch.DispatchMode):
    """Collects FunctionEvents between ``start()`` and ``stop()``."""

    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False,
                 with_flops=False, with_modules=False):
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.events = []
        self.python_events = []
        self._open = []
        self._module_open = []
        self._next_id = 1
        self._recording = False
        self._outer = None
        self._handles = []
        self._module_names = {}
        self._module_counts = {}
        self._wall0_ns = time.time_ns()
        self._perf0_ns = time.perf_counter_ns()
        self._tid = threading.get_native_id()

    # -- lifetime ------------------------------------------------------------------------
    def start(self):
        from ..optim import optimizer
        self._recording = True
        dispatch.push_mode(self)
        self._outer = profiler_hooks.active[0]
        profiler_hooks.active[0] = self
        self._handles.append(optimizer.register_optimizer_step_pre_hook(self._optimizer_pre))
        self._handles.append(optimizer.register_optimizer_step_post_hook(self._optimizer_post))
        if self.with_modules:
            from ..nn.modules import module
            self._handles.append(module.register_module_forward_pre_hook(self._module_pre))
            self._handles.append(module.register_module_forward_hook(self._module_post))

    def stop(self):
        if not self._recording:
            return
        self._recording = False
        dispatch.remove_mode(self)
        if profiler_hooks.active[0] is self:
            profiler_hooks.active[0] = self._outer
        for h in self._handles:
            h.remove()
        self._handles.clear()
        now = self._now_us()
        for still_open in (self._open, self._module_open):
            while still_open:      # ranges left open (an exception, a step() inside one)
                still_open.pop().end_us = now

    @property
    def base_time_ns(self):
        return self._wall0_ns

    def _now_us(self):
        return (self._wall0_ns + (time.perf_counter_ns() - self._perf0_ns)) / 1000.0

    # -- events --------------------------------------------------------------------------
    def begin(self, name, category="cpu_op", input_shapes=None, input_types=None,
              concrete_inputs=None):
        stack = self._python_stack() if self.with_stack and category == "cpu_op" else None
        evt = FunctionEvent(self._next_id, name, self._now_us(), self._tid, category,
                            input_shapes, stack, input_types=input_types,
                            concrete_inputs=concrete_inputs)
        self._next_id += 1
        if self._open:
            parent = self._open[-1]
            evt.cpu_parent = parent
            parent.cpu_children.append(evt)
        self._open.append(evt)
        self.events.append(evt)
        return evt

    def end(self, evt):
        now = self._now_us()
        while self._open:
            top = self._open.pop()
            top.end_us = now
            if top is evt:
                break

    def range(self, name, category="user_annotation"):
        return _Range(self, name, category)

    # -- the dispatch hook ---------------------------------------------------------------
    def __ember_dispatch__(self, func, args, kwargs):
        shapes = types = concrete = None
        if self.record_shapes:
            shapes, types, concrete = _describe_inputs(args, kwargs)
        evt = self.begin(op_name(func, args), "cpu_op", shapes, types, concrete)
        try:
            out = func.apply(*args, **kwargs)
        finally:
            self.end(evt)
        if self.profile_memory:
            self._count_allocations(evt, args, out)
        if self.with_flops:
            evt.flops = _flops(func, args, out)
        first = out[0] if type(out) is tuple and out else out
        node = getattr(first, "grad_fn", None)
        if node is not None:
            # the recorded node's number, which its backward events carry too (PyTorch's
            # "Sequence number": it pairs a forward op with its backward)
            evt.sequence_nr = node._seq
        return out

    def run_backward_node(self, run, node, grads, create_graph):
        name = node.name()
        outer = self.begin(f"autograd::engine::evaluate_function: {name}")
        inner = self.begin(name)
        outer.sequence_nr = inner.sequence_nr = node._seq
        try:
            return run(node, grads, create_graph)
        finally:
            self.end(inner)
            self.end(outer)

    # -- memory --------------------------------------------------------------------------
    def _count_allocations(self, evt, args, out):
        outs = out if isinstance(out, tuple) else (out,)
        inputs = {id(a._data) for a in args if isinstance(a, _Tensor)}
        for t in outs:
            if not isinstance(t, _Tensor):
                continue
            arr = t._data
            if getattr(arr, "base", None) is not None or id(arr) in inputs:
                continue                        # a view or an input returned as is
            nbytes = int(arr.nbytes)
            evt.self_cpu_memory_usage += nbytes
            try:
                weakref.finalize(arr, self._freed, nbytes)
            except TypeError:
                pass                            # an array type without weak references

    def _freed(self, nbytes):
        if self._recording and self._open:
            self._open[-1].self_cpu_memory_usage -= nbytes

    # -- optimizer and module hooks ------------------------------------------------------
    def _optimizer_pre(self, opt, args, kwargs):
        name = type(opt).__name__
        self.begin(f"Optimizer.step#{name}.step", "user_annotation")

    def _optimizer_post(self, opt, args, kwargs):
        name = f"Optimizer.step#{type(opt).__name__}.step"
        for evt in reversed(self._open):
            if evt.name == name:
                self.end(evt)
                break

    # Module ranges are Python-tracer events in PyTorch: in the trace, not in
    # key_averages, and never the parent of an op (they do not change self times).
    def _module_pre(self, module, args):
        key = id(module)
        label = self._module_names.get(key)
        if label is None:
            cls = type(module).__name__
            k = self._module_counts.get(cls, 0)
            self._module_counts[cls] = k + 1
            label = self._module_names[key] = f"nn.Module: {cls}_{k}"
        evt = FunctionEvent(self._next_id, label, self._now_us(), self._tid, "python_function")
        self._next_id += 1
        self._module_open.append(evt)
        self.python_events.append(evt)

    def _module_post(self, module, args, output):
        label = self._module_names.get(id(module))
        for i in range(len(self._module_open) - 1, -1, -1):
            if self._module_open[i].name == label:
                self._module_open.pop(i).end_us = self._now_us()
                break

    # -- stacks --------------------------------------------------------------------------
    def _python_stack(self):
        """The user's Python frames, innermost first, as PyTorch prints them
        (``file.py(12): forward``); ember's own frames are left out."""
        frames = []
        f = sys._getframe(2)
        while f is not None:
            path = f.f_code.co_filename
            if not path.startswith(_EMBER_DIR):
                frames.append(f"{path}({f.f_lineno}): {f.f_code.co_name}")
            f = f.f_back
        return frames


def _describe_inputs(args, kwargs):
    shapes, types, concrete = [], [], []
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, _Tensor):
            shapes.append(list(a._data.shape))
            types.append(_TYPE_NAMES.get(str(a._data.dtype), str(a._data.dtype)))
            concrete.append("")
        elif isinstance(a, (bool, int, float)):
            shapes.append([])
            types.append("Scalar")
            concrete.append(str(a))
        else:
            shapes.append([])
            types.append("" if a is None else type(a).__name__)
            concrete.append("")
    return shapes, types, concrete


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _flops(func, args, out):
    """Multiply-adds counted as 2 FLOPs, as PyTorch's with_flops counts them for matrix
    products and convolutions; element-wise add/mul count one per output element."""
    name = func.__name__
    o = out[0] if isinstance(out, tuple) else out
    if not isinstance(o, _Tensor):
        return 0
    out_numel = _numel(o._data.shape)
    tensors = [a for a in args if isinstance(a, _Tensor)]
    if name in ("Linear", "Mm", "Bmm", "Matmul", "Addmm", "Baddbmm", "Mv", "Addmv") and tensors:
        x = tensors[1] if name in ("Addmm", "Baddbmm", "Addmv") and len(tensors) > 1 else tensors[0]
        return 2 * out_numel * x._data.shape[-1]
    if name in ("_Conv", "_ConvTranspose") and len(tensors) > 1:
        w = tensors[1]._data.shape
        if name == "_Conv":
            return 2 * out_numel * _numel(w[1:])
        x = tensors[0]._data.shape
        return 2 * _numel(x) * _numel(w[1:])
    if name in ("Add", "Mul", "Sub", "Div"):
        return out_numel
    return 0


class record_function:
    """``torch.profiler.record_function(name, args=None)``: a user range in the trace,
    as a context manager or decorator; nothing is recorded when no profiler is active."""

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._event = None
        self._recorder = None

    def __enter__(self):
        rec = profiler_hooks.active[0]
        if rec is not None:
            self._recorder = rec
            self._event = rec.begin(self.name, "user_annotation")
        return self

    def __exit__(self, *exc):
        if self._recorder is not None:
            self._recorder.end(self._event)
            self._recorder = self._event = None
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)
        return wrapper
