"""``ember.jit.script``: compile forward's Python source into the graph IR, keeping
data-dependent control flow as ``prim:If`` / ``prim:Loop`` nodes.

How: the source is parsed (``ast``) and checked against the TorchScript subset (a
construct outside it -- ``try``, ``with``, ``lambda``, ``yield``, ``global``, starred
arguments, ``del``, nested function definitions, ``return`` inside a branch or loop --
is a ``RuntimeError`` naming the file, line and construct, as TorchScript's frontend
reports it). ``if``/``while``/``for`` statements are rewritten into calls of
``__ember_if__`` / ``__ember_while__`` / ``__ember_for__`` with the branch and loop
bodies as local functions over the variables they assign. The rewritten forward is then
run once under graph capture on example values made from the annotations (or on the
first call's inputs): a condition that is a tensor in the graph records both branches
as sub-graphs, a ``while`` on a tensor or a ``for`` over ``range`` of a shape records its
body once as a loop sub-graph; conditions on Python values (``self.training``,
``Final`` attributes, ``is_scripting()``) are decided at compile time, and loops over
``ModuleList``/``Sequential`` or ``range`` of a constant are unrolled, as TorchScript
does. ``@ember.jit.ignore`` functions are called as Python; ``@ember.jit.unused`` ones
raise when reached.

Where ember differs: compilation is lazy -- the graph is built on the first call (its
input ranks and dtypes fix the graph, as a trace's do); ``.graph`` before the first call
raises. Scalar (int/float/bool) arguments are graph constants of that first call.
"""
import ast
import inspect
import linecache
import textwrap
import types

from .._tensor import Tensor
from ._ir import Block, Node, Ref

_UNSUPPORTED = {
    ast.Try: "try blocks", ast.With: "with statements", ast.Lambda: "lambdas",
    ast.Yield: "yield", ast.YieldFrom: "yield from", ast.Global: "global variables",
    ast.Nonlocal: "nonlocal variables", ast.Delete: "del statements",
    ast.AsyncFunctionDef: "async functions", ast.Await: "await", ast.ClassDef: "class definitions",
    ast.GeneratorExp: "generator expressions", ast.SetComp: "set comprehensions",
    ast.Starred: "starred expressions", ast.FunctionDef: "nested function definitions",
}
if hasattr(ast, "TryStar"):
    _UNSUPPORTED[ast.TryStar] = "try blocks"


def _error(fname, node, what):
    line = linecache.getline(fname, node.lineno).rstrip()
    return RuntimeError(f"{what} aren't supported:\n  File \"{fname}\", line {node.lineno}\n"
                        f"    {line.strip()}\n    {' ' * node.col_offset}~~~ <--- HERE\n"
                        "(ember.jit.script compiles TorchScript's subset of Python)")


class _Checker(ast.NodeVisitor):
    def __init__(self, fname, line0):
        self.fname, self.line0, self.depth = fname, line0, 0

    def generic_visit(self, node):
        what = _UNSUPPORTED.get(type(node), False)
        if what and not (isinstance(node, ast.FunctionDef) and self.depth == 0):
            raise _error(self.fname, _shift(node, self.line0), what[0].upper() + what[1:])
        if isinstance(node, ast.FunctionDef):
            self.depth += 1
            if node.args.vararg or node.args.kwarg:
                raise _error(self.fname, _shift(node, self.line0),
                             "Variable-length arguments (*args, **kwargs)")
            super().generic_visit(node)
            self.depth -= 1
            return
        if isinstance(node, (ast.While, ast.For)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Return, ast.Break, ast.Continue)) and sub is not node:
                    kind = {ast.Return: "Returns inside loops",
                            ast.Break: "break statements", ast.Continue: "continue statements"}
                    raise _error(self.fname, _shift(sub, self.line0), kind[type(sub)])
        super().generic_visit(node)


def _shift(node, line0):
    class _N:
        pass
    n = _N()
    n.lineno = node.lineno + line0 - 1
    n.col_offset = node.col_offset
    return n


def _ends_return(stmts):
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, ast.Return):
        return True
    return isinstance(last, ast.If) and _ends_return(last.body) and _ends_return(last.orelse)


def _has_return(stmts):
    return any(isinstance(n, ast.Return) for s in stmts for n in ast.walk(s))


def _lift(stmts):
    """Early returns: an ``if`` with a returning branch takes the statements after it into
    its other branch, so every return ends a branch (TorchScript accepts early returns)."""
    out = []
    for i, st in enumerate(stmts):
        if isinstance(st, ast.Return):
            out.append(st)
            return out                     # the rest is unreachable
        if isinstance(st, ast.If) and _has_return([st]):
            rest = stmts[i + 1:]
            body = st.body if _ends_return(st.body) else st.body + rest
            orelse = st.orelse if _ends_return(st.orelse) else st.orelse + rest
            out.append(ast.copy_location(ast.If(st.test, _lift(body), _lift(orelse) or
                                                [ast.Pass()]), st))
            return out
        out.append(st)
    return out


def _assign_returns(stmts, fname, line0):
    """``return x`` at the end of every branch -> ``__ret = x``."""
    last = stmts[-1]
    if isinstance(last, ast.Return):
        stmts[-1] = ast.copy_location(ast.Assign([ast.Name("__ret", ast.Store())],
                                                 last.value or ast.Constant(None)), last)
    elif isinstance(last, ast.If):
        if not (_ends_return(last.body) and _ends_return(last.orelse)):
            raise _error(fname, _shift(last, line0), "Functions that return on some paths only")
        _assign_returns(last.body, fname, line0)
        _assign_returns(last.orelse, fname, line0)


def _assigned(stmts):
    names = []
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id not in names:
                names.append(n.id)
    return names


class _Rewriter(ast.NodeTransformer):
    """if / while / for -> calls of the control-flow helpers over the assigned names."""

    def __init__(self):
        self.k = 0

    def _fn(self, name, params, body, result_names):
        body = list(body) + [ast.Return(ast.Tuple([ast.Name(n, ast.Load()) for n in result_names],
                                                  ast.Load()))]
        return ast.FunctionDef(name=name, args=ast.arguments(
            posonlyargs=[], args=[ast.arg(p) for p in params], kwonlyargs=[], kw_defaults=[],
            defaults=[]), body=body, decorator_list=[], returns=None, type_params=[])

    def _pre(self, names):
        # make every carried name defined (None when not yet bound), as TorchScript requires
        return [ast.parse(f"{n} = {n} if {n!r} in locals() else None").body[0] for n in names]

    def _assign(self, names, call):
        if not names:
            return ast.Expr(call)
        return ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())],
                          call)

    def visit_If(self, node):
        self.generic_visit(node)
        names = _assigned(node.body + node.orelse)
        self.k += 1
        t, f = f"__then{self.k}", f"__else{self.k}"
        out = self._pre(names)
        out.append(self._fn(t, names, node.body or [ast.Pass()], names))
        out.append(self._fn(f, names, node.orelse or [ast.Pass()], names))
        call = ast.Call(ast.Name("__ember_if__", ast.Load()),
                        [node.test, ast.Name(t, ast.Load()), ast.Name(f, ast.Load()),
                         ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())], [])
        out.append(self._assign(names, call))
        return out

    def visit_While(self, node):
        self.generic_visit(node)
        if node.orelse:
            raise RuntimeError("while ... else is not supported by ember.jit.script")
        names = _assigned(node.body)
        self.k += 1
        c, b = f"__cond{self.k}", f"__body{self.k}"
        out = self._pre(names)
        cond = ast.FunctionDef(name=c, args=ast.arguments(
            posonlyargs=[], args=[ast.arg(p) for p in names], kwonlyargs=[], kw_defaults=[],
            defaults=[]), body=[ast.Return(node.test)], decorator_list=[], returns=None,
            type_params=[])
        out.append(cond)
        out.append(self._fn(b, names, node.body, names))
        call = ast.Call(ast.Name("__ember_while__", ast.Load()),
                        [ast.Name(c, ast.Load()), ast.Name(b, ast.Load()),
                         ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())], [])
        out.append(self._assign(names, call))
        return out

    def visit_For(self, node):
        self.generic_visit(node)
        if node.orelse or not isinstance(node.target, ast.Name):
            raise RuntimeError("ember.jit.script: for loops need a single loop variable and "
                               "no else")
        names = [n for n in _assigned(node.body) if n != node.target.id]
        self.k += 1
        b = f"__for{self.k}"
        out = self._pre(names)
        out.append(self._fn(b, [node.target.id] + names, node.body, names))
        it = node.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
            it = ast.Call(ast.Name("__ember_range__", ast.Load()), it.args, it.keywords)
        call = ast.Call(ast.Name("__ember_for__", ast.Load()),
                        [it, ast.Name(b, ast.Load()),
                         ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())], [])
        out.append(self._assign(names, call))
        return out


# ---------------------------------------------------------------------------------------
# runtime helpers the rewritten code calls

def _capture_mode():
    from ..autograd.dispatch import _top
    from ._capture import CaptureMode
    m = _top[0]
    return m if isinstance(m, CaptureMode) else None


def _record_block(mode, fn, args):
    """Run ``fn(*args)`` recording its nodes into a fresh list; (nodes, results template,
    Python results)."""
    saved = mode.graph.nodes
    mode.graph.nodes = []
    try:
        res = fn(*args)
        nodes = mode.graph.nodes
    finally:
        mode.graph.nodes = saved
    return nodes, mode.template(tuple(res)), res


def _if(cond, then, orelse, vals):
    mode = _capture_mode()
    if mode is None or not isinstance(cond, Tensor):
        return then(*vals) if cond else orelse(*vals)
    from ..autograd.dispatch import pop_mode, push_mode
    pop_mode(mode)
    try:
        taken = bool(cond)
    finally:
        push_mode(mode)
    n1, r1, o1 = _record_block(mode, then, vals)
    n2, r2, o2 = _record_block(mode, orelse, vals)
    real = list(o1 if taken else o2)
    node = Node("prim:If", [Ref(mode.vid_of(cond))], {}, None, mode.scope[-1] if mode.scope else "",
                blocks=[Block([], n1, r1), Block([], n2, r2)])
    node.outputs = _outputs_for(mode, real, r1, r2)
    mode.graph.nodes.append(node)
    return tuple(real)


def _outputs_for(mode, real, r1, r2):
    """Output value ids of a control-flow node; ``real`` (a list) gets fresh aliases of its
    tensors, so a tensor that was already a graph value keeps its old id elsewhere."""
    outs = []
    for k, (v, a, b) in enumerate(zip(real, r1, r2)):
        if isinstance(v, Tensor):
            v = real[k] = v.detach()
        if isinstance(v, Tensor) or (v is None and (isinstance(a, Ref) or isinstance(b, Ref))
                                     and (a is None or b is None)):
            # a tensor (possibly unset on the other path: reading it there is an error,
            # as TorchScript reports a variable defined on one path only)
            vid = mode.graph.new_value()
            if v is not None:
                mode._bind(v, vid)
            outs.append(vid)
        else:
            if isinstance(a, Ref) or isinstance(b, Ref) or a != b:
                raise RuntimeError("ember.jit.script: a variable is a tensor in one branch of an "
                                   "if and not in the other, or a Python value that differs "
                                   "between the branches")
            outs.append(None)
    return tuple(outs)


def _while(cond, body, vals):
    mode = _capture_mode()
    c = cond(*vals)
    if mode is None or not isinstance(c, Tensor):
        while c:
            vals = body(*vals)
            c = cond(*vals)
        return vals
    return _loop(mode, None, cond, body, vals, c)


class _SymRange:
    """``range(n)`` where n is a shape read during scripting: a loop node, not unrolled."""

    def __init__(self, stop):
        self.stop = stop


def _range(*args):
    from ._capture import SymInt
    if len(args) == 1 and isinstance(args[0], SymInt) and _capture_mode() is not None:
        return _SymRange(args[0])
    return range(*args)


def _for(it, body, vals):
    mode = _capture_mode()
    if isinstance(it, _SymRange):
        return _loop(mode, it.stop, None, body, vals, None)
    for i in it:
        vals = body(i, *vals)
    return vals


def _loop(mode, trip, cond, body, vals, c0):
    """Record a loop: block 0 computes the condition from the carried values (while), block
    1 the body; carried tensors are the blocks' parameters."""
    from ..autograd.dispatch import pop_mode, push_mode
    from ._capture import sym
    params = []
    proxies = []
    orig = list(vals)
    for v in vals:
        if isinstance(v, Tensor):
            p = mode.graph.new_value()
            alias = v.detach()
            mode._bind(alias, p)
            params.append(p)
            proxies.append(alias)
        else:
            params.append(None)
            proxies.append(v)
    blocks = []
    counter = None
    if trip is not None:
        counter = mode.graph.new_value()
        blocks.append(Block([], [], ()))
        i0 = sym(0, ["size", counter, 0])
        nodes, res_t, _ = _record_block(mode, body, (i0,) + tuple(proxies))
    else:
        cn, ct, _ = _record_block(mode, lambda *a: (cond(*a),), proxies)
        blocks.append(Block([], cn, ct))
        nodes, res_t, _ = _record_block(mode, body, proxies)
    blocks.append(Block([p for p in params], nodes, res_t))
    # the real values: run the Python loop with capture off
    pop_mode(mode)
    try:
        if trip is not None:
            for i in range(int(trip)):
                vals = body(i, *vals)
        else:
            while c0:
                vals = body(*vals)
                c0 = cond(*vals)
    finally:
        push_mode(mode)
    init = [Ref(mode.vid_of(v)) if isinstance(v, Tensor) else v for v in orig]
    node = Node("prim:Loop", [mode.template(trip) if trip is not None else None,
                              tuple(init)], {"counter": counter}, None,
                mode.scope[-1] if mode.scope else "", blocks=blocks)
    vals = list(vals)
    node.outputs = _outputs_for(mode, vals, res_t, res_t)
    mode.graph.nodes.append(node)
    return tuple(vals)


# -- interpreter side ------------------------------------------------------------------

def prim(name):
    if name == "If":
        return _run_if
    if name == "Loop":
        return _run_loop
    raise RuntimeError(f"ember.jit: unknown op 'prim:{name}' in graph")


def _run_if(node, env):
    from ._ir import bind
    from ._module import _store, run_nodes
    cond = env[node.args[0].vid]
    b = node.blocks[0] if bool(cond) else node.blocks[1]
    run_nodes(b.nodes, env)
    _store(node.outputs, bind(b.results, env), env)


def _run_loop(node, env):
    from ._ir import bind
    from ._module import _store, run_nodes
    trip = bind(node.args[0], env)
    init = bind(node.args[1], env)
    cond_b, body = node.blocks
    params = body.params
    vals = list(init)
    counter = node.kwargs.get("counter")

    def load(vs):
        for p, v in zip(params, vs):
            if p is not None:
                env[p] = v
    load(vals)
    if trip is not None:
        for i in range(int(trip)):
            if counter is not None:
                env[counter] = _Counter(i)
            run_nodes(body.nodes, env)
            vals = list(bind(body.results, env))
            load(vals)
    else:
        while True:
            run_nodes(cond_b.nodes, env)
            if not bool(bind(cond_b.results, env)[0]):
                break
            run_nodes(body.nodes, env)
            vals = list(bind(body.results, env))
            load(vals)
    _store(node.outputs, vals, env)


class _Counter:
    """A loop counter in the environment: ``size(0)`` of it is the iteration number."""

    __slots__ = ("_data",)

    def __init__(self, i):
        import numpy
        self._data = numpy.empty((i, 0))


# ---------------------------------------------------------------------------------------
# compiling a module or function

def _compile(fn, owner_name):
    if getattr(fn, "__ember_jit_unused__", False):
        return None
    src_lines, line0 = inspect.getsourcelines(fn)
    fname = inspect.getsourcefile(fn) or "<unknown>"
    src = textwrap.dedent("".join(src_lines))
    tree = ast.parse(src)
    fdef = tree.body[0]
    fdef.decorator_list = []
    _Checker(fname, line0).visit(tree)
    body = _lift(fdef.body)
    if body and isinstance(body[-1], ast.If) and _has_return([body[-1]]):
        _assign_returns(body, fname, line0)
        body.append(ast.Return(ast.Name("__ret", ast.Load())))
    fdef.body = body
    new = _Rewriter().visit(tree)
    ast.fix_missing_locations(new)
    ast.increment_lineno(new, line0 - 1)
    code = compile(new, fname, "exec")
    glb = dict(fn.__globals__)
    glb.update(__ember_if__=_if, __ember_while__=_while, __ember_for__=_for,
               __ember_range__=_range)
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            glb[name] = cell.cell_contents
    ns = {}
    exec(code, glb, ns)
    return ns[fdef.name]


def script(obj):
    from ..nn.modules.module import Module
    from ._module import ScriptFunction, ScriptModule
    if isinstance(obj, (ScriptModule, ScriptFunction)):
        return obj
    if isinstance(obj, Module):
        fwd = _compile(type(obj).forward, type(obj).__name__)
        return _ScriptedModule.build(obj, fwd)
    if isinstance(obj, types.FunctionType):
        if getattr(obj, "__ember_jit_ignore__", False):
            return obj
        fn = _compile(obj, obj.__name__)
        return _ScriptedFunction(obj, fn)
    raise RuntimeError(f"ember.jit.script: cannot script an object of type "
                       f"{type(obj).__name__} (a Module or a function)")


def _capture_scripted(fn, args, module):
    from . import _tracing_scope
    from ._capture import capture
    with _tracing_scope(), _scripting():
        return capture(fn, args, module=module, scalars=True)


_scripting_flag = [0]


class _scripting:
    def __enter__(self):
        _scripting_flag[0] += 1

    def __exit__(self, *exc):
        _scripting_flag[0] -= 1


from ._module import ScriptFunction as _SF  # noqa: E402  (after the classes it needs)
from ._module import ScriptModule as _SM  # noqa: E402


class _ScriptedModule(_SM):
    @classmethod
    def build(cls, module, compiled_forward):
        sm = cls(None, type(module).__name__)
        from ._module import _mirror
        _mirror(sm, module)
        object.__setattr__(sm, "_module", module)
        object.__setattr__(sm, "_compiled", compiled_forward)
        return sm

    def forward(self, *args):
        if self._graph is None:
            mod, fwd = self._module, self._compiled
            graph, out = _capture_scripted(lambda *a: fwd(mod, *a), args, mod)
            object.__setattr__(self, "_graph", graph)
            self._reset_state_slots()
            return out
        return super().forward(*args)

    @property
    def graph(self):
        if self._graph is None:
            raise RuntimeError("ember.jit.script: the graph is built on the first call")
        return self._graph


class _ScriptedFunction(_SF):
    def __init__(self, original, compiled):
        super().__init__(None, original.__name__)
        self._compiled = compiled

    def __call__(self, *args):
        if self._graph is None:
            graph, out = _capture_scripted(self._compiled, args, None)
            self._graph = graph
            return out
        return super().__call__(*args)
