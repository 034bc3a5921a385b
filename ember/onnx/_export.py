"""``ember.onnx.export``: capture the model (``ember.jit``'s capture mode), convert each
node with its family's converter, and assemble the model with ``onnx.helper``."""
import contextlib
import os

import numpy

from .. import backend
from .._tensor import Tensor
from ..jit._ir import Ref, flat_outputs
from ._context import Ctx, ExportError, display

DEFAULT_OPSET = 17
_in_export = [0]


def is_in_onnx_export():
    """True while ``ember.onnx.export`` runs the model."""
    return _in_export[0] > 0


@contextlib.contextmanager
def _exporting():
    _in_export[0] += 1
    try:
        yield
    finally:
        _in_export[0] -= 1


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ember.onnx needs the onnx package: pip install 'ember[onnx]'") \
            from None
    return onnx


def export(model, args=(), f=None, kwargs=None, export_params=True, verbose=False,
           training=None, input_names=None, output_names=None, operator_export_type=None,
           opset_version=None, do_constant_folding=True, dynamic_axes=None,
           keep_initializers_as_inputs=False, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True, dynamo=False,
           external_data=True, dynamic_shapes=None, report=False, optimize=False,
           verify=False, profile=False, dump_exported_program=False, artifacts_dir=".",
           fallback=False):
    """``torch.onnx.export`` (the TorchScript-based exporter's arguments).

    ``model``: an ``nn.Module`` (exported in eval mode unless ``training`` says
    otherwise, as PyTorch's ``TrainingMode.EVAL`` default) or a ScriptModule from
    ``ember.jit``; ``args``: a Tensor or tuple of Tensors; ``f``: a path or a binary file
    object (None returns nothing but the ``ModelProto`` is still built and returned).
    ``dynamic_axes``: {name: {axis: "dim_name"}} or {name: [axis, ...]}.
    Returns the ``onnx.ModelProto`` (PyTorch returns None with dynamo=False).
    """
    onnx = _onnx()
    from onnx import TensorProto, helper  # noqa: F401

    from ..jit._capture import capture
    from ..jit._module import ScriptModule
    from ..nn.modules.module import Module
    if dynamo:
        raise NotImplementedError("ember.onnx.export: dynamo=True (the torch.export-based "
                                  "exporter); ember exports from its own graph capture")
    if kwargs:
        raise NotImplementedError("ember.onnx.export: kwargs")
    if custom_opsets:
        raise NotImplementedError("ember.onnx.export: custom_opsets")
    if export_modules_as_functions:
        raise NotImplementedError("ember.onnx.export: export_modules_as_functions")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset < 14 or opset > 21:
        raise ValueError(f"Unsupported ONNX opset version: {opset} (ember exports opsets "
                         "14 to 21)")
    if isinstance(args, Tensor):
        args = (args,)
    elif isinstance(args, list):
        args = tuple(args)
    if args and isinstance(args[-1], dict):
        if args[-1]:
            raise NotImplementedError("ember.onnx.export: keyword inputs in args")
        args = args[:-1]
    args = tuple(args)

    restore = None
    if isinstance(model, Module) and not isinstance(model, ScriptModule):
        want_train = _training_flag(training, model)
        if want_train != model.training:
            restore = [(m, m.training) for m in model.modules()]
            model.train(want_train)
    try:
        with _exporting():
            if isinstance(model, ScriptModule):
                graph = _script_graph(model, args)
            elif isinstance(model, Module):
                graph, _ = capture(model, args, module=model, input_names=input_names)
            else:
                graph, _ = capture(model, args, input_names=input_names)
    finally:
        if restore:
            for m, t in restore:
                m.training = t

    proto = build_model(graph, opset, input_names, output_names, dynamic_axes or {},
                        export_params, keep_initializers_as_inputs, verbose,
                        getattr(model, "__class__", type(model)).__name__)
    if f is not None:
        if isinstance(f, (str, os.PathLike)):
            size = proto.ByteSize()
            if size > 2 ** 31 - 1 or (external_data is not True and external_data):
                onnx.save_model(proto, os.fspath(f), save_as_external_data=True,
                                all_tensors_to_one_file=True,
                                location=os.path.basename(os.fspath(f)) + ".data")
            else:
                onnx.save_model(proto, os.fspath(f))
        else:
            f.write(proto.SerializeToString())
    return proto


def _used_names(nodes):
    """Every name a node reads, sub-graphs (If/Loop bodies) included."""
    used = set()
    for n in nodes:
        used.update(n.input)
        for a in n.attribute:
            if a.g is not None and a.g.node:
                used |= _used_names(a.g.node)
    return used


def _script_graph(sm, args):
    """A ScriptModule's own graph (control flow kept), run once on ``args`` if it is a
    scripted module whose graph is built on the first call."""
    import copy
    if getattr(sm, "_graph", None) is None:
        sm(*args)
    g = copy.copy(sm._graph)
    g.param_tensors = sm._state()
    return g


def _training_flag(training, model):
    if training is None:
        return False
    name = getattr(training, "name", str(training))
    if name in ("EVAL", "False"):
        return False
    if name in ("TRAINING", "True"):
        return True
    if name == "PRESERVE":
        return model.training
    return bool(training)


def _tensor_values(graph, model_state):
    vals = {}
    for vid, t in graph.constants.items():
        vals[vid] = backend.to_host(t._data)
    for vid, _name in graph.params.items():
        vals[vid] = backend.to_host(model_state[vid]._data)
    return vals


def build_model(graph, opset, input_names, output_names, dynamic_axes, export_params,
                keep_initializers_as_inputs, verbose, model_name):
    _onnx()
    from onnx import helper

    from .converters import table

    tensors = _tensor_values(graph, graph.param_tensors)
    ctx = Ctx(graph, opset, tensors)

    names_in = list(input_names or [])
    in_names = []
    for k, vid in enumerate(graph.inputs):
        name = names_in[k] if k < len(names_in) else graph.input_names[k]
        in_names.append(name)
        ctx.names[vid] = name
        ctx.reserve(name)
    # parameters and constants are initializers named by their module paths
    for vid, name in graph.params.items():
        ctx.names[vid] = name
        ctx.reserve(name)
        ctx.initializer(tensors[vid], name)
    for vid in graph.constants:
        ctx.names[vid] = ctx.initializer(tensors[vid], f"/constant_{vid}")

    conv = table()

    def convert(node):
        fn = conv.get(node.op)
        outer = ctx.node
        ctx.node = node
        if fn is None:
            where = f" (module '{node.scope}')" if node.scope else ""
            at = f", called at {node.where}" if node.where else ""
            raise ExportError(f"ember.onnx.export: no ONNX converter for op "
                              f"'{display(node.op)}' ({node.op}){where}{at}")
        fn(ctx, node)
        ctx.node = outer
    ctx.convert = convert
    for node in graph.nodes:
        convert(node)
    ctx.node = None

    # outputs: named by output_names (or output_<k>), with an Identity where the value is
    # an input, an initializer or used twice
    out_refs = [r for r in flat_outputs(graph.outputs) if isinstance(r, Ref)]
    names_out = list(output_names or [])
    out_names = []
    for k, r in enumerate(out_refs):
        name = names_out[k] if k < len(names_out) else (f"output_{k}" if len(out_refs) > 1
                                                         else "output")
        if k >= len(names_out) and name in ctx._used:
            name = f"{name}_{k}"
        src = ctx.val(r.vid)
        ctx.reserve(name)
        ctx.nodes.append(helper.make_node("Identity", [src], [name], name=f"/output_{k}"))
        out_names.append(name)
    _rename_identity_outputs(ctx, out_names)

    for key in dynamic_axes:
        if key not in in_names and key not in out_names:
            import warnings
            warnings.warn(f"Provided key {key} for dynamic axes is not a valid input/output "
                          "name", stacklevel=3)

    inputs = [_value_info(n, ctx.dtype(v), ctx.shape(v), dynamic_axes.get(n))
              for n, v in zip(in_names, graph.inputs)]
    if keep_initializers_as_inputs:
        inputs += [_value_info(init.name, _np_of(init), tuple(init.dims), None)
                   for init in ctx.initializers]
    used = _used_names(ctx.nodes)
    inits = [i for i in ctx.initializers if i.name in used]
    dynamic_in = any(n in dynamic_axes for n in in_names)
    outputs = [_value_info(n, ctx.dtype(r.vid), None if dynamic_in else ctx.shape(r.vid),
                           None) for n, r in zip(out_names, out_refs)]
    if not export_params:        # parameters become graph inputs (PyTorch's behaviour)
        param_names = set(graph.params.values())
        inputs += [_value_info(init.name, _np_of(init), tuple(init.dims), None)
                   for init in inits if init.name in param_names]
        inits = [i for i in inits if i.name not in param_names]
    g = helper.make_graph(ctx.nodes, "main_graph", inputs, outputs, initializer=inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="ember", producer_version=_version())
    model.ir_version = min(model.ir_version, 8 if opset <= 17 else 9)
    if dynamic_in:
        _output_shapes(model, out_names, out_refs, ctx, dynamic_axes)
    if verbose:
        print(helper.printable_graph(model.graph))
    return model


def _output_shapes(model, out_names, out_refs, ctx, dynamic_axes):
    """Output dims from ONNX shape inference (symbolic where they follow a dynamic
    input dim), with the dim names ``dynamic_axes`` gives."""
    from onnx import shape_inference
    try:
        inferred = shape_inference.infer_shapes(model)
        found = {o.name: o for o in inferred.graph.output}
    except Exception:                  # noqa: BLE001 - shapes stay unknown then
        found = {}
    for out, name, r in zip(model.graph.output, out_names, out_refs):
        rank = ctx.rank(r.vid)
        src = found.get(name)
        dims = out.type.tensor_type.shape.dim
        del dims[:]
        sdims = src.type.tensor_type.shape.dim if src is not None else []
        dyn = dynamic_axes.get(name) or {}
        if not isinstance(dyn, dict):
            dyn = {int(a): f"{name}_dynamic_axes_{int(a) + 1}" for a in dyn}
        for i in range(rank):
            d = dims.add()
            if i in dyn:
                d.dim_param = str(dyn[i])
            elif i < len(sdims) and sdims[i].HasField("dim_value"):
                d.dim_value = sdims[i].dim_value
            elif i < len(sdims) and sdims[i].dim_param:
                d.dim_param = sdims[i].dim_param
            else:
                d.dim_param = f"{name}_dim_{i}"


def _rename_identity_outputs(ctx, out_names):
    """Drop the Identity in front of an output when the value is produced by a node and
    used by nothing else (so outputs are the real ops' outputs, as PyTorch writes them)."""
    produced = {}
    uses = {}
    for i, n in enumerate(ctx.nodes):
        for o in n.output:
            produced[o] = i
        for x in n.input:
            uses[x] = uses.get(x, 0) + 1
    keep = []
    for n in ctx.nodes:
        if n.op_type == "Identity" and n.output[0] in out_names and n.name.startswith("/output_"):
            src = n.input[0]
            if src in produced and uses.get(src, 0) == 1 and src not in out_names:
                p = ctx.nodes[produced[src]]
                for k, o in enumerate(p.output):
                    if o == src:
                        p.output[k] = n.output[0]
                continue
        keep.append(n)
    del ctx.nodes[:]
    ctx.nodes.extend(keep)


def _value_info(name, np_dtype, shape, dyn):
    from onnx import helper
    if shape is None:
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(
            numpy.dtype(np_dtype)), None)
    dims = list(shape)
    if dyn is not None:
        if isinstance(dyn, dict):
            for axis, dname in dyn.items():
                dims[int(axis)] = str(dname)
        else:
            for axis in dyn:
                dims[int(axis)] = f"{name}_dynamic_axes_{int(axis) + 1}"
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(
        numpy.dtype(np_dtype)), dims)


def _np_of(init):
    from onnx import helper
    return helper.tensor_dtype_to_np_dtype(init.data_type)


def _version():
    try:
        from .. import __version__
        return str(__version__)
    except ImportError:
        return "0"


__all__ = ["ExportError", "export", "is_in_onnx_export"]
