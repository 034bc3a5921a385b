"""``ember.jit.save`` / ``load``: one zip archive with the graph as data and the tensors.

Layout (every entry under one top folder, as PyTorch's archives are)::

    <name>/ember_jit.json    {"format": "ember.jit", "version": 1, "kind": module|function,
                              "original_name", "hierarchy", "graph", "state"}
    <name>/tensors.pt        ember.save({"state": {...}, "constants": {...}, "arrays": [...]})
    <name>/extra/<file>      _extra_files

The graph is JSON: op names, value ids and argument templates (tensors as ``{"$v": id}``,
shape expressions as ``{"$s": expr}``, tuples, dtypes ... as tagged objects). Loading
parses JSON and reads tensors with ember.load's safe (weights-only) unpickler, then
checks every op name against ember's own ops (``_ops.resolve``): nothing in the file is
executed, and a file that is not such an archive gives a clear RuntimeError.
"""
import io
import json
import math
import os
import zipfile

import numpy

from .._tensor import Tensor
from ._ir import Block, Graph, Node, Ref, Sym

FORMAT = "ember.jit"
VERSION = 1


# ---------------------------------------------------------------------------------------
# argument templates <-> JSON

def _enc(a, arrays):
    from .._device import device as _device_cls
    from .._dtype import dtype as _dtype_cls
    if a is None or isinstance(a, (bool, str)):
        return a
    if isinstance(a, Ref):
        return {"$v": a.vid}
    if isinstance(a, Sym):
        return {"$s": a.expr}
    if isinstance(a, int):
        return int(a)
    if isinstance(a, float):
        return a if math.isfinite(a) else {"$f": repr(a)}
    if isinstance(a, tuple):
        return {"$t": [_enc(x, arrays) for x in a]}
    if isinstance(a, list):
        return [_enc(x, arrays) for x in a]
    if isinstance(a, dict):
        return {"$d": [[k, _enc(v, arrays)] for k, v in a.items()]}
    if isinstance(a, _dtype_cls):
        return {"$dtype": str(a).split(".")[-1]}
    if isinstance(a, _device_cls):
        return {"$device": str(a)}
    if isinstance(a, numpy.dtype):
        return {"$np": a.str if a.kind != "V" else a.name}
    if isinstance(a, numpy.generic):
        return _enc(a.item(), arrays)
    if isinstance(a, numpy.ndarray) or type(a).__name__ == "ndarray":
        arrays.append(a)
        return {"$array": len(arrays) - 1}
    if isinstance(a, slice):
        return {"$slice": [_enc(a.start, arrays), _enc(a.stop, arrays), _enc(a.step, arrays)]}
    if a is Ellipsis:
        return {"$ellipsis": 0}
    if isinstance(a, complex):
        return {"$complex": [a.real, a.imag]}
    raise _Unsavable(type(a).__name__)


class _Unsavable(Exception):
    pass


def _dec(a, arrays):
    if isinstance(a, list):
        return [_dec(x, arrays) for x in a]
    if not isinstance(a, dict):
        return a
    if len(a) != 1:
        raise RuntimeError(f"ember.jit.load: malformed graph argument {a!r}")
    (tag, v), = a.items()
    if tag == "$v":
        return Ref(int(v))
    if tag == "$s":
        return Sym(_check_expr(v))
    if tag == "$t":
        return tuple(_dec(x, arrays) for x in v)
    if tag == "$d":
        return {str(k): _dec(x, arrays) for k, x in v}
    if tag == "$f":
        if v not in ("inf", "-inf", "nan"):
            raise RuntimeError(f"ember.jit.load: malformed float {v!r}")
        return float(v)
    if tag == "$dtype":
        import ember

        from .._dtype import to_dtype
        d = getattr(ember, v, None)
        return to_dtype(d)
    if tag == "$device":
        from .._device import device
        return device(v)
    if tag == "$np":
        from .._dtype import to_dtype
        try:
            return numpy.dtype(v)
        except TypeError:
            import ember
            return to_dtype(getattr(ember, v)).np
    if tag == "$array":
        return arrays[int(v)]
    if tag == "$slice":
        return slice(*[_dec(x, arrays) for x in v])
    if tag == "$ellipsis":
        return Ellipsis
    if tag == "$complex":
        return complex(v[0], v[1])
    if tag == "$module":
        raise RuntimeError("ember.jit.load: malformed module argument")
    raise RuntimeError(f"ember.jit.load: unknown tag {tag!r} in graph")


def _dec_top(a, arrays):
    """Arguments may hold a recurrent module's head ({"$module": ...} as a plain dict)."""
    if isinstance(a, dict) and "$module" in a and len(a) == 3:
        return {"$module": str(a["$module"]), "config": _dec(a["config"], arrays),
                "params": _dec(a["params"], arrays)}
    return _dec(a, arrays)


def _enc_top(a, arrays):
    if isinstance(a, dict) and "$module" in a:
        return {"$module": a["$module"], "config": _enc(a["config"], arrays),
                "params": _enc(a["params"], arrays)}
    return _enc(a, arrays)


_EXPR_OPS = {"+", "-", "*", "//", "%"}


def _check_expr(e):
    if isinstance(e, int) and not isinstance(e, bool):
        return e
    if isinstance(e, list) and e:
        if e[0] in ("size",) and len(e) == 3 and all(isinstance(x, int) for x in e[1:]):
            return e
        if e[0] == "numel" and len(e) == 2 and isinstance(e[1], int):
            return e
        if e[0] in _EXPR_OPS and len(e) == 3:
            return [e[0], _check_expr(e[1]), _check_expr(e[2])]
    raise RuntimeError(f"ember.jit.load: malformed shape expression {e!r}")


def _enc_outputs(o):
    if o is None or isinstance(o, int):
        return o
    return [_enc_outputs(x) for x in o]


def _dec_outputs(o):
    if o is None or isinstance(o, int):
        return o
    if isinstance(o, list):
        return tuple(_dec_outputs(x) for x in o)
    raise RuntimeError("ember.jit.load: malformed node outputs")


def _enc_nodes(nodes, arrays):
    out = []
    for n in nodes:
        try:
            args = [_enc_top(a, arrays) for a in n.args]
            kwargs = {k: _enc(v, arrays) for k, v in n.kwargs.items()}
        except _Unsavable as e:
            raise RuntimeError(f"ember.jit.save: op {n.op} (called at {n.where or '?'}) has an "
                               f"argument of type {e.args[0]} that cannot be saved") from None
        from ._ops import is_known
        if not is_known(n.op):
            raise RuntimeError(f"ember.jit.save: op {n.op} (called at {n.where or '?'}) is not "
                               "one of ember's own ops (a user-defined autograd.Function "
                               "cannot be saved in a graph)")
        d = {"op": n.op, "args": args, "kwargs": kwargs, "outputs": _enc_outputs(n.outputs),
             "scope": n.scope, "where": n.where}
        if n.blocks:
            d["blocks"] = [{"params": b.params, "nodes": _enc_nodes(b.nodes, arrays),
                            "results": _enc(b.results, arrays)} for b in n.blocks]
        out.append(d)
    return out


def _dec_nodes(items, arrays):
    from ._ops import resolve
    nodes = []
    for d in items:
        op = d["op"]
        if not isinstance(op, str):
            raise RuntimeError("ember.jit.load: malformed node")
        fn = resolve(op)             # raises for anything that is not a known ember op
        blocks = None
        if d.get("blocks"):
            blocks = [Block([None if p is None else int(p) for p in b["params"]], _dec_nodes(b["nodes"], arrays),
                            _dec(b["results"], arrays)) for b in d["blocks"]]
        n = Node(op, [_dec_top(a, arrays) for a in d["args"]],
                 {str(k): _dec(v, arrays) for k, v in d["kwargs"].items()},
                 _dec_outputs(d["outputs"]), d.get("scope", ""), d.get("where", ""), blocks)
        n._fn = fn
        nodes.append(n)
    return nodes


def graph_to_json(g, arrays):
    return {"inputs": g.inputs, "input_names": g.input_names,
            "input_tree": _enc(getattr(g, "input_tree", None), arrays),
            "params": [[vid, name] for vid, name in g.params.items()],
            "constants": [vid for vid in g.constants],
            "nodes": _enc_nodes(g.nodes, arrays), "outputs": _enc(g.outputs, arrays),
            "meta": [[vid, list(s), dt] for vid, (s, dt) in g.meta.items()],
            "next": g._next}


def graph_from_json(d, arrays, constants):
    g = Graph()
    g.inputs = [int(v) for v in d["inputs"]]
    g.input_names = [str(n) for n in d["input_names"]]
    g.input_tree = _dec(d.get("input_tree"), arrays)
    g.params = {int(vid): str(name) for vid, name in d["params"]}
    g.constants = {int(vid): constants[str(vid)] for vid in d["constants"]}
    g.nodes = _dec_nodes(d["nodes"], arrays)
    g.outputs = _dec(d["outputs"], arrays)
    g.meta = {int(v): (tuple(s), dt) for v, s, dt in d.get("meta", [])}
    g._next = int(d.get("next", 0))
    return g


# ---------------------------------------------------------------------------------------
# save / load

def save(m, f, _extra_files=None):
    from .. import serialization
    from ._module import ScriptFunction, ScriptModule
    if isinstance(m, ScriptModule):
        kind, graph = "module", m._graph
        if graph is None:
            raise RuntimeError("ember.jit.save: the module has no forward graph")
        hierarchy = {name: [getattr(mod, "original_name", type(mod).__name__), mod.training]
                     for name, mod in m.named_modules()}
        state = {}
        kinds = {}
        for name, p in m.named_parameters(remove_duplicate=False):
            state[name] = p.detach()
            kinds[name] = True
        for name, b in m.named_buffers(remove_duplicate=False):
            if b is not None:
                state[name] = b
                kinds[name] = False
        original = m.original_name
    elif isinstance(m, ScriptFunction):
        kind, graph, hierarchy, state, kinds, original = "function", m._graph, {}, {}, {}, m.name
    else:
        raise TypeError(f"ember.jit.save: expected a ScriptModule or ScriptFunction (from "
                        f"ember.jit.trace or ember.jit.script), got {type(m).__name__}")
    arrays = []
    gjson = graph_to_json(graph, arrays)
    from .._tensor import _make
    doc = {"format": FORMAT, "version": VERSION, "kind": kind, "original_name": original,
           "hierarchy": hierarchy, "graph": gjson, "state": [[k, kinds[k]] for k in state]}
    buf = io.BytesIO()
    serialization.save({"state": state,
                        "constants": {str(v): t.detach() for v, t in graph.constants.items()},
                        "arrays": [_make(a) for a in arrays]}, buf)
    top = "archive"
    close = False
    if isinstance(f, (str, os.PathLike)):
        f = open(f, "wb")
        close = True
    try:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
            z.writestr(f"{top}/ember_jit.json", json.dumps(doc))
            z.writestr(f"{top}/tensors.pt", buf.getvalue())
            for name, data in (_extra_files or {}).items():
                z.writestr(f"{top}/extra/{name}", data if isinstance(data, bytes)
                           else str(data).encode())
    finally:
        if close:
            f.close()


def load(f, map_location=None, _extra_files=None):
    from .. import serialization
    from ._module import ScriptFunction, ScriptModule
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    if isinstance(f, (str, os.PathLike)) and not os.path.exists(f):
        raise ValueError(f"The provided filename {f} does not exist")
    try:
        z = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError) as err:
        raise RuntimeError(f"ember.jit.load: {name} is not an ember.jit archive (not a zip "
                           f"file: {err})") from None
    with z:
        names = z.namelist()
        docs = [n for n in names if n.endswith("/ember_jit.json") and n.count("/") == 1]
        if not docs:
            if any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
                raise RuntimeError(f"ember.jit.load: {name} is a TorchScript archive written by "
                                   "PyTorch; ember.jit.load reads archives written by "
                                   "ember.jit.save only")
            if any(n.endswith("/data.pkl") for n in names):
                raise RuntimeError(f"ember.jit.load: {name} is a checkpoint written by "
                                   "torch.save/ember.save, not a jit archive: use ember.load")
            raise RuntimeError(f"ember.jit.load: {name} is not an ember.jit archive (no "
                               "ember_jit.json record)")
        top = docs[0].split("/")[0]
        try:
            doc = json.loads(z.read(docs[0]).decode("utf-8"))
            data = z.read(f"{top}/tensors.pt")
        except (KeyError, ValueError, zipfile.BadZipFile) as err:
            raise RuntimeError(f"ember.jit.load: {name} is a corrupt ember.jit archive "
                               f"({err})") from None
        if _extra_files is not None:
            for k in list(_extra_files):
                try:
                    _extra_files[k] = z.read(f"{top}/extra/{k}")
                except KeyError:
                    pass
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RuntimeError(f"ember.jit.load: {name} is not an ember.jit archive")
    if doc.get("version") != VERSION:
        raise RuntimeError(f"ember.jit.load: {name} has archive version {doc.get('version')}; "
                           f"this ember reads version {VERSION}")
    try:
        tensors = serialization.load(io.BytesIO(data), map_location=map_location,
                                     weights_only=True)
        arrays = [t._data for t in tensors["arrays"]]
        graph = graph_from_json(doc["graph"], arrays, tensors["constants"])
        if doc["kind"] == "function":
            return ScriptFunction(graph, doc["original_name"])
        kinds = dict((k, bool(v)) for k, v in doc["state"])
        state = {k: (tensors["state"][k], kinds[k]) for k in kinds}
        hierarchy = {k: (v[0], bool(v[1])) for k, v in doc["hierarchy"].items()}
        return ScriptModule.from_state(graph, doc["original_name"], hierarchy, state)
    except RuntimeError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise RuntimeError(f"ember.jit.load: {name} is a corrupt ember.jit archive "
                           f"({type(err).__name__}: {err})") from None


__all__ = ["Tensor", "load", "save"]
