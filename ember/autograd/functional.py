"""``torch.autograd.functional``: vjp, jvp, jacobian, hessian, vhp, hvp.

All are built on ``ember.autograd.grad`` (reverse mode). ``jvp`` and ``hvp`` use the
double-backward trick PyTorch uses (a vjp of a vjp), so they need the function's ops to
be twice differentiable. ``vectorize=True`` and ``strategy='forward-mode'`` are accepted
and give the same values, computed row by row in reverse mode. Outputs and argument
checks follow PyTorch: tensors or tuples of tensors in, the same structure out;
``strict=True`` raises where an output does not depend on an input.
"""
from .._tensor import Tensor
from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x, arg_name, fn_name):
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, tuple):
        x = tuple(x) if isinstance(x, list) else x
    if not isinstance(x, tuple) or not all(isinstance(t, Tensor) for t in x):
        raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                        f"of Tensors but the value given was {type(x).__name__}.")
    return True, x


def _grad_preprocess(inputs, create_graph):
    """Inputs that require grad, detached from any outer graph unless create_graph."""
    if create_graph:
        return tuple(t if t.requires_grad else t.detach().requires_grad_(True) for t in inputs)
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def _postprocess(x, create_graph):
    if isinstance(x, tuple):
        return tuple(_postprocess(v, create_graph) for v in x)
    return x if create_graph or x is None else x.detach()


def _fill(grads, inputs, strict, what):
    from ..ops.creation import zeros_like
    out = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode.")
            g = zeros_like(x)
        out.append(g)
    return tuple(out)


def _autograd(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    outs = [o for o in outputs]
    needed = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad]
    if not needed:
        return (None,) * len(inputs)
    return _grad([o for o, _ in needed], inputs, [g for _, g in needed],
                 retain_graph=True if retain_graph is None else retain_graph,
                 create_graph=create_graph, allow_unused=True)


def _check_v(v, outputs, fn_name, what="outputs"):
    for i, (vi, o) in enumerate(zip(v, outputs)):
        if vi.shape != o.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{vi.shape} and output[{i}] has a shape of {o.shape}.")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph)
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
            from ..ops.creation import ones_like
            v = (ones_like(outputs[0]),)
        else:
            _, v = _as_tuple(v, "v", "vjp")
            _check_v(v, outputs, "vjp")
        grads = _autograd(outputs, inputs, v, create_graph)
        grads = _fill(grads, inputs, strict, "vjp")
    out = outputs if out_tuple else outputs[0]
    res = grads if is_tuple else grads[0]
    return _postprocess(out, create_graph), _postprocess(res, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by differentiating a vjp with respect to its cotangent."""
    from ..ops.creation import ones_like, zeros_like
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = (ones_like(inputs[0]),)
        else:
            _, v = _as_tuple(v, "v", "jvp")
            for i, (vi, x) in enumerate(zip(v, inputs)):
                if vi.shape != x.shape:
                    raise RuntimeError(f"Mismatch in shape: v[{i}] has a shape of {vi.shape} "
                                       f"and input[{i}] has a shape of {x.shape}.")
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        us = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        g = _autograd(outputs, inputs, us, create_graph=True)
        pairs = [(gi, vi) for gi, vi in zip(g, v) if gi is not None and gi.requires_grad]
        if pairs:
            res = _grad([p[0] for p in pairs], us, [p[1] for p in pairs], retain_graph=True,
                        create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(us)
        res = tuple(zeros_like(o) if r is None else r for r, o in zip(res, outputs))
        if strict and any(gi is None for gi in g):
            raise RuntimeError("The output of the user-provided function is independent of "
                               "an input. This is not allowed in strict mode.")
    out = outputs if out_tuple else outputs[0]
    res = res if out_tuple else res[0]
    return _postprocess(out, create_graph), _postprocess(res, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian, shaped ``output.shape + input.shape`` (nested tuples for tuples)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         f'Hint: If your function is a vector-valued function, use '
                         f'"reverse-mode"; got {strategy!r}')
    from ..ops.creation import zeros_like
    from ..ops.shape import stack
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph)
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                       "jacobian")
        jac = []
        for i, out in enumerate(outputs):
            flat = out.reshape(-1)
            rows = [[] for _ in inputs]
            for j in range(flat.numel()):
                if flat.requires_grad:
                    g = _grad(flat[j], inputs, retain_graph=True, create_graph=create_graph,
                              allow_unused=True)
                else:
                    g = (None,) * len(inputs)
                for k, (gk, x) in enumerate(zip(g, inputs)):
                    if gk is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not "
                                               "allowed in strict mode.")
                        gk = zeros_like(x)
                    rows[k].append(gk)
            per_input = []
            for k, x in enumerate(inputs):
                if rows[k]:
                    j_ik = stack(rows[k]).reshape(tuple(out.shape) + tuple(x.shape))
                else:
                    from ..ops.creation import zeros
                    j_ik = zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
                per_input.append(_postprocess(j_ik, create_graph))
            jac.append(tuple(per_input))
    if out_tuple:
        return tuple(j if is_tuple else j[0] for j in jac)
    return jac[0] if is_tuple else jac[0][0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: ``input.shape + input.shape``."""
    is_tuple, inputs_t = _as_tuple(inputs, "inputs", "hessian")

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if is_out_tuple or t_out[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "containing a single element")
        return t_out[0].reshape(())

    def jac_func(*inp):
        inp = tuple(t if t.requires_grad else t.requires_grad_(True) for t in inp)
        j = jacobian(ensure_single_output_function, inp, create_graph=True, strict=strict)
        return j
    res = jacobian(jac_func, inputs_t, create_graph=create_graph, strict=strict)
    return res if is_tuple else res[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    from ..ops.creation import ones_like
    with enable_grad():
        is_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _grad_preprocess(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = (ones_like(inputs[0]),)
        else:
            _, v = _as_tuple(v, "v", "vhp")
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vhp")
        if out_tuple or outputs[0].numel() != 1:
            raise RuntimeError("The function given to vhp should return a single Tensor "
                               "containing a single element")
        jac = _autograd(outputs, inputs, (ones_like(outputs[0]),), create_graph=True)
        jac = _fill(jac, inputs, strict, "vhp")
        pairs = [(j, vi) for j, vi in zip(jac, v) if j.requires_grad]
        if pairs:
            res = _grad([p[0] for p in pairs], inputs, [p[1] for p in pairs],
                        retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(inputs)
        res = _fill(res, inputs, strict, "vhp")
    return (_postprocess(outputs[0], create_graph),
            _postprocess(res if is_tuple else res[0], create_graph))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v): equal to vhp for the symmetric Hessian of a twice
    differentiable scalar function, and computed that way."""
    return vhp(func, inputs, v, create_graph=create_graph, strict=strict)
