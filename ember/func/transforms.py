"""The transforms of ``ember.func`` (see the package docstring)."""
import functools

from .._tensor import Tensor
from ..autograd.engine import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "linearize"]


# -- pytrees (tuples, lists, dicts of tensors) ---------------------------------------------

def _flatten(tree):
    if isinstance(tree, Tensor):
        return [tree], lambda leaves: leaves[0]
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        sizes = [len(p[0]) for p in parts]

        def build(leaves, parts=parts, sizes=sizes, kind=type(tree)):
            out, i = [], 0
            for (_, b), n in zip(parts, sizes):
                out.append(b(leaves[i:i + n]))
                i += n
            return kind(out) if kind in (tuple, list) else kind(*out)
        return [x for p in parts for x in p[0]], build
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, build_vals = _flatten([tree[k] for k in keys])
        return leaves, lambda ls: dict(zip(keys, build_vals(ls)))
    return [], lambda leaves, v=tree: v


def _prepare(x):
    """A leaf to differentiate with respect to: x itself when an outer transform tracks it
    (nesting), else a fresh leaf that requires grad."""
    if x.requires_grad and is_grad_enabled():
        return x.view_as(x) if x.is_leaf else x
    return x.detach().requires_grad_(True)


def _argnums_tuple(argnums, nargs, name):
    if isinstance(argnums, int):
        nums = (argnums,)
    elif isinstance(argnums, tuple) and argnums and all(isinstance(a, int) for a in argnums):
        nums = argnums
    else:
        raise RuntimeError(f"{name}: argnums must be int or Tuple[int, ...], got: "
                           f"{type(argnums)}")
    for a in nums:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnums={a}, but only {nargs} positional inputs")
    return tuple(a % nargs for a in nums)


def _nested(x):
    return is_grad_enabled() and x.requires_grad


def _grads(out, leaves, create_graph, grad_outputs=None):
    if not out.requires_grad:
        from ..ops.creation import zeros_like
        return [zeros_like(x) for x in leaves]
    gs = _autograd_grad(out, leaves, grad_outputs, retain_graph=True,
                        create_graph=create_graph, allow_unused=True)
    from ..ops.creation import zeros_like
    return [zeros_like(x) if g is None else g for g, x in zip(gs, leaves)]


def _with_inputs(func, args, argnums):
    """Replace args[argnums] by differentiable leaves; returns (new args, per-argnum
    (leaves, rebuild), create_graph)."""
    args = list(args)
    info, nested = [], False
    for a in argnums:
        leaves, build = _flatten(args[a])
        nested = nested or any(_nested(x) for x in leaves)
        new = [_prepare(x) for x in leaves]
        args[a] = build(new)
        info.append((new, build))
    return args, info, nested


def grad_and_value(func, argnums=0, has_aux=False):
    """``torch.func.grad_and_value``: (gradient, value) of a scalar-valued ``func``."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        with enable_grad():
            new_args, info, nested = _with_inputs(func, args, nums)
            out = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should "
                                       "be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe "
                                   "you wanted to use the vjp or jacrev APIs instead?")
            all_leaves = [x for leaves, _ in info for x in leaves]
            gs = _grads(out, all_leaves, create_graph=nested)
        results, i = [], 0
        for leaves, build in info:
            part = gs[i:i + len(leaves)]
            i += len(leaves)
            results.append(build([g if nested else g.detach() for g in part]))
        g = results[0] if isinstance(argnums, int) else tuple(results)
        value = out if nested else out.detach()
        if has_aux:
            return g, (value, aux)
        return g, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``torch.func.grad``: the gradient of a scalar-valued ``func`` w.r.t. ``argnums``."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``torch.func.vjp``: (func(*primals), vjp_fn[, aux]); ``vjp_fn(cotangents)``
    returns one gradient per primal."""
    with enable_grad():
        nums = tuple(range(len(primals)))
        new_args, info, nested = _with_inputs(func, primals, nums)
        out = func(*new_args)
        aux = None
        if has_aux:
            out, aux = out
    out_leaves, _ = _flatten(out)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        ct_leaves, _ = _flatten(cotangents)
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function")
        cg = nested if create_graph is None else create_graph
        leaves = [x for ls, _ in info for x in ls]
        pairs = [(o, c) for o, c in zip(out_leaves, ct_leaves) if o.requires_grad]
        from ..ops.creation import zeros_like
        if pairs:
            with enable_grad():
                gs = _autograd_grad([p[0] for p in pairs], leaves, [p[1] for p in pairs],
                                    retain_graph=retain_graph, create_graph=cg,
                                    allow_unused=True)
        else:
            gs = [None] * len(leaves)
        gs = [zeros_like(x) if g is None else (g if cg else g.detach()) for g, x in
              zip(gs, leaves)]
        res, i = [], 0
        for ls, build in info:
            res.append(build(gs[i:i + len(ls)]))
            i += len(ls)
        return tuple(res)
    value = out if nested else _detach_tree(out)
    if has_aux:
        return value, vjp_fn, aux
    return value, vjp_fn


def _detach_tree(tree):
    leaves, build = _flatten(tree)
    return build([x.detach() for x in leaves])


def _jacobian(func, argnums, has_aux, name):
    def wrapper(*args, **kwargs):
        from ..ops.shape import stack
        nums = _argnums_tuple(argnums, len(args), name)
        with enable_grad():
            new_args, info, nested = _with_inputs(func, args, nums)
            out = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            out_leaves, out_build = _flatten(out)
            per_out = []
            for o in out_leaves:
                flat = o.reshape(-1)
                leaves = [x for ls, _ in info for x in ls]
                rows = [_grads(flat[j], leaves, create_graph=nested) for j in range(flat.numel())]
                jacs = []
                for k, x in enumerate(leaves):
                    if rows:
                        jk = stack([r[k] for r in rows]).reshape(tuple(o.shape) + tuple(x.shape))
                    else:
                        from ..ops.creation import zeros
                        jk = zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype)
                    jacs.append(jk if nested else jk.detach())
                res, i = [], 0
                for ls, build in info:
                    res.append(build(jacs[i:i + len(ls)]))
                    i += len(ls)
                per_out.append(res[0] if isinstance(argnums, int) else tuple(res))
        result = out_build(per_out) if len(out_leaves) != 1 or not isinstance(out, Tensor) \
            else per_out[0]
        if has_aux:
            return result, aux
        return result
    return functools.wraps(func)(wrapper)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """``torch.func.jacrev``: the Jacobian, ``output.shape + input.shape``."""
    return _jacobian(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``torch.func.jacfwd``: the same Jacobian (computed in reverse mode here)."""
    return _jacobian(func, argnums, has_aux, "jacfwd")


def hessian(func, argnums=0):
    """``torch.func.hessian``: ``jacfwd(jacrev(func))``."""
    return jacfwd(jacrev(func, argnums), argnums)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``torch.func.jvp``: (func(*primals), J @ tangents), by the double-vjp trick."""
    from ..ops.creation import zeros_like
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be "
                           "tuples")
    with enable_grad():
        nums = tuple(range(len(primals)))
        new_args, info, nested = _with_inputs(func, primals, nums)
        out = func(*new_args)
        aux = None
        if has_aux:
            out, aux = out
        out_leaves, out_build = _flatten(out)
        us = [zeros_like(o).requires_grad_(True) for o in out_leaves]
        leaves = [x for ls, _ in info for x in ls]
        t_leaves, _ = _flatten(list(tangents))
        pairs = [(o, u) for o, u in zip(out_leaves, us) if o.requires_grad]
        if pairs:
            g = _autograd_grad([p[0] for p in pairs], leaves, [p[1] for p in pairs],
                               retain_graph=True, create_graph=True, allow_unused=True)
        else:
            g = [None] * len(leaves)
        gp = [(gi, ti) for gi, ti in zip(g, t_leaves) if gi is not None and gi.requires_grad]
        if gp:
            res = _autograd_grad([p[0] for p in gp], us, [p[1] for p in gp], retain_graph=True,
                                 create_graph=nested, allow_unused=True)
        else:
            res = [None] * len(us)
    res = [zeros_like(o) if r is None else (r if nested else r.detach())
           for r, o in zip(res, out_leaves)]
    value = out if nested else _detach_tree(out)
    tangent_out = out_build(res)
    if has_aux:
        return value, tangent_out, aux
    return value, tangent_out


def linearize(func, *primals):
    """``torch.func.linearize``: (func(*primals), jvp_fn)."""
    out = func(*primals)
    return _detach_tree(out), lambda *tangents: jvp(func, primals, tangents)[1]


# -- vmap ----------------------------------------------------------------------------------

def _batch_size(args, in_dims):
    sizes = set()
    for a, d in zip(args, in_dims):
        for leaf, dim in _leaves_with_dims(a, d):
            if dim is not None:
                if not isinstance(leaf, Tensor):
                    raise ValueError(f"vmap: Got in_dim={dim} for an input but the input is of "
                                     f"type {type(leaf)}. We cannot vmap over non-Tensor "
                                     "arguments, please use None as the respective in_dim")
                if not -leaf.dim() <= dim < leaf.dim():
                    raise ValueError(f"vmap: Got in_dim={dim} for some input, but that input "
                                     f"is a Tensor of dimensionality {leaf.dim()} so expected "
                                     f"in_dim to satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}.")
                sizes.add(leaf.shape[dim])
    if not sizes:
        raise ValueError("vmap: at least one input must be a Tensor mapped over an in_dim "
                         "(all in_dims are None)")
    if len(sizes) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
    return sizes.pop()


def _leaves_with_dims(tree, dims):
    if isinstance(tree, Tensor) or not isinstance(tree, (tuple, list, dict)):
        return [(tree, dims if isinstance(dims, int) or dims is None else None)]
    items = list(tree.values()) if isinstance(tree, dict) else list(tree)
    if isinstance(dims, (tuple, list)):
        ds = list(dims)
    elif isinstance(dims, dict):
        ds = [dims[k] for k in tree]
    else:
        ds = [dims] * len(items)
    return [p for t, d in zip(items, ds) for p in _leaves_with_dims(t, d)]


def _slice_tree(tree, dims, i):
    if isinstance(tree, Tensor):
        return tree if dims is None else tree.select(dims, i) if hasattr(tree, "select") \
            else tree.movedim(dims, 0)[i]
    if isinstance(tree, (tuple, list)):
        ds = dims if isinstance(dims, (tuple, list)) else [dims] * len(tree)
        return type(tree)(_slice_tree(t, d, i) for t, d in zip(tree, ds))
    if isinstance(tree, dict):
        ds = dims if isinstance(dims, dict) else {k: dims for k in tree}
        return {k: _slice_tree(v, ds[k], i) for k, v in tree.items()}
    return tree


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``torch.func.vmap`` as a loop over the mapped dimension (see the package doc)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from ..ops.shape import stack
        dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             f"compatible with the structure of `inputs`. in_dims has "
                             f"structure {len(dims)} but inputs has {len(args)}.")
        n = _batch_size(args, dims)
        results = [func(*[_slice_tree(a, d, i) for a, d in zip(args, dims)], **kwargs)
                   for i in range(n)]
        first_leaves, build = _flatten(results[0])
        per_leaf = list(zip(*[_flatten(r)[0] for r in results])) if first_leaves else []
        odims = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(per_leaf)
        stacked = []
        for leaves, od in zip(per_leaf, odims):
            if od is None:
                stacked.append(leaves[0])
            else:
                stacked.append(stack(list(leaves), dim=od))
        if not first_leaves:
            raise ValueError("vmap: `func` must return a Tensor or a tuple/list/dict of "
                             f"Tensors, got {type(results[0])}")
        return build(stacked)
    return wrapper
