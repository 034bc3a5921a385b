"""The state of one ONNX export: value names, emitted nodes, initializers, and the small
helpers converters share (constants, shapes built from runtime dims, opset differences).

Every node and tensor is made with ``onnx.helper`` / ``onnx.numpy_helper``; nothing here
writes protobuf by hand.
"""
import inspect

import numpy

from ..jit._ir import Ref, Sym

INT64_MAX = 9223372036854775807


class ExportError(RuntimeError):
    """An op or argument that has no ONNX form (``torch.onnx.errors.UnsupportedOperatorError``)."""


class Ctx:
    def __init__(self, graph, opset, tensors):
        import onnx  # noqa: F401
        self.g = graph
        self.opset = opset
        self.tensors = tensors          # value id -> numpy array (params and constants)
        self.names = {}                 # value id -> ONNX name
        self.nodes = []
        self.initializers = []
        self._init_names = set()
        self._used = set()
        self._shape_cache = {}
        self._const_cache = {}
        self.node = None                # the IR node being converted (for messages)
        self.counters = {}              # loop counter value id -> the Loop body's iter name
        self.convert = None             # convert(node): set by the exporter (sub-graphs)

    # -- names ------------------------------------------------------------------------------
    def fresh(self, hint="t"):
        hint = hint.replace(":", "_")
        k = len(self._used)
        while True:
            name = f"/{hint}_{k}"
            if name not in self._used:
                self._used.add(name)
                return name
            k += 1

    def reserve(self, name):
        self._used.add(name)

    def val(self, vid):
        try:
            return self.names[vid]
        except KeyError:
            raise ExportError(f"value %{vid} is used before it is computed") from None

    def set(self, outputs, names):
        """Bind a node's IR outputs (an id, or a nested tuple of ids) to ONNX names."""
        if outputs is None:
            return
        if isinstance(outputs, int):
            self.names[outputs] = names
            return
        for o, n in zip(outputs, names):
            self.set(o, n)

    # -- emitting ---------------------------------------------------------------------------
    def op(self, op_type, inputs, n_out=1, outputs=None, name=None, **attrs):
        from onnx import helper
        if outputs is None:
            outputs = [self.fresh(op_type) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, list(inputs), list(outputs),
                                           name=name or self.fresh(op_type + "_node"), **attrs))
        return outputs[0] if n_out == 1 and len(outputs) == 1 else outputs

    def initializer(self, array, name=None):
        from onnx import numpy_helper
        if name is None:
            name = self.fresh("const")
        self._init_names.add(name)
        self._used.add(name)
        self.initializers.append(numpy_helper.from_array(numpy.array(array, order="C", copy=True), name))
        return name

    def const(self, value, dtype=None):
        """A constant tensor (cached by value) of ``dtype`` (numpy)."""
        arr = numpy.asarray(value, dtype=dtype)
        if arr.dtype == numpy.float64 and dtype is None:
            arr = arr.astype(numpy.float32)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        name = self._const_cache.get(key)
        if name is None:
            name = self.initializer(arr)
            self._const_cache[key] = name
        return name

    def ints(self, values):
        return self.const(numpy.asarray(list(values), dtype=numpy.int64))

    # -- arguments --------------------------------------------------------------------------
    def dtype(self, vid):
        m = self.g.meta.get(vid)
        if m is None:
            t = self.tensors.get(vid)
            return t.dtype if t is not None else numpy.dtype(numpy.float32)
        import ember

        from .._dtype import to_dtype
        d = getattr(ember, m[1], None)
        return to_dtype(d).np if d is not None else numpy.dtype(m[1])

    def shape(self, vid):
        m = self.g.meta.get(vid)
        if m is not None:
            return tuple(m[0])
        return tuple(self.tensors[vid].shape)

    def rank(self, vid):
        return len(self.shape(vid))

    def tensor(self, a, like=None, dtype=None):
        """The ONNX name for a tensor argument: a Ref, or a Python number as a constant of
        the dtype of ``like`` (a value id)."""
        if isinstance(a, Ref):
            return self.val(a.vid)
        if isinstance(a, Sym):
            name = self.expr(a.expr)
            return self.op("Squeeze", [name, self.ints([0])])
        if dtype is None:
            dtype = self.dtype(like) if like is not None else None
        if dtype is not None and numpy.dtype(dtype).kind == "b" and not isinstance(a, bool):
            dtype = None
        return self.const(a, dtype)

    def value_of(self, a):
        """The numpy value of a parameter/constant argument (for weights ONNX needs
        reordered, as the recurrent ops do)."""
        if isinstance(a, Ref) and a.vid in self.tensors:
            return self.tensors[a.vid]
        raise ExportError(f"{self.where()}: expected a parameter or constant tensor")

    # -- runtime shapes -------------------------------------------------------------------
    def shape_of(self, vid):
        name = self._shape_cache.get(vid)
        if name is None:
            name = self._shape_cache[vid] = self.op("Shape", [self.val(vid)])
        return name

    def dim(self, vid, axis):
        """1-D int64 [size of dim ``axis`` of value ``vid``]."""
        return self.op("Gather", [self.shape_of(vid), self.ints([axis])], axis=0)

    def expr(self, e):
        """A shape expression as a 1-D int64 tensor of one element."""
        if isinstance(e, int):
            return self.ints([e])
        k = e[0]
        if k == "size" and e[1] in self.counters:
            return self.op("Unsqueeze", [self.counters[e[1]], self.ints([0])])
        if k == "size":
            return self.dim(e[1], e[2])
        if k == "numel":
            return self.op("ReduceProd", [self.shape_of(e[1])], keepdims=1)
        a, b = self.expr(e[1]), self.expr(e[2])
        return self.op({"+": "Add", "-": "Sub", "*": "Mul", "//": "Div", "%": "Mod"}[k], [a, b])

    def shape_tensor(self, items):
        """A 1-D int64 shape from ints and Syms: constants when all are ints, else the
        dynamic pieces (Shape -> Gather -> arithmetic) concatenated with the static ones."""
        items = list(items)
        if all(not isinstance(x, Sym) for x in items):
            return self.ints([int(x) for x in items])
        parts, run = [], []
        for x in items:
            if isinstance(x, Sym):
                if run:
                    parts.append(self.ints(run))
                    run = []
                parts.append(self.expr(x.expr))
            else:
                run.append(int(x))
        if run:
            parts.append(self.ints(run))
        return parts[0] if len(parts) == 1 else self.op("Concat", parts, axis=0)

    # -- opset differences ----------------------------------------------------------------
    def reduce(self, op_type, x, axes, keepdims):
        """ReduceX over ``axes`` (None: all); axes became an input in opset 18 (13 for
        ReduceSum)."""
        as_input = self.opset >= 18 or op_type == "ReduceSum"
        if axes is None:
            return self.op(op_type, [x], keepdims=int(keepdims))
        axes = [int(a) for a in axes]
        if as_input:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def where(self):
        n = self.node
        if n is None:
            return "ember.onnx.export"
        bits = []
        if n.scope:
            bits.append(f"module '{n.scope}'")
        if n.where:
            bits.append(f"called at {n.where}")
        return f"op {display(n.op)}" + (f" ({', '.join(bits)})" if bits else "")


def display(op):
    if op.startswith("F:"):
        return op[2:]
    return op.split(":")[-1]


def bound_args(fn_name, args, kwargs):
    """The PyTorch-level arguments of a composite node, by name with defaults."""
    from ..jit._ops import resolve
    fn = resolve("F:" + fn_name)
    sig = inspect.signature(inspect.unwrap(fn))
    b = sig.bind(*args, **kwargs)
    b.apply_defaults()
    return b.arguments


def tup(v, n):
    if isinstance(v, (tuple, list)):
        return [int(x) for x in v]
    return [int(v)] * n
