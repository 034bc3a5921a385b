"""Finite-difference checks of analytical gradients (``torch.autograd.gradcheck``)."""
import numpy

from .. import backend
from .._tensor import Tensor, _make
from .grad_mode import no_grad, enable_grad
from . import engine


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    return tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(fn, inputs):
    outs = _as_tuple(fn(*inputs))
    return tuple(o for o in outs if isinstance(o, Tensor) and o.requires_grad)


def _numerical_jacobian(fn, inputs, out_index, eps):
    """Central differences: a column per input element, for output ``out_index``."""
    jac = []
    for inp in inputs:
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            jac.append(None)
            continue
        flat = inp._data.reshape(-1)  # a view: inputs are contiguous copies (see gradcheck)
        cols = []
        for k in range(flat.size):
            orig = flat[k].item()
            with no_grad():
                flat[k] = orig + eps
                plus = backend.to_host(_as_tuple(fn(*inputs))[out_index]._data).astype(numpy.float64).ravel()
                flat[k] = orig - eps
                minus = backend.to_host(_as_tuple(fn(*inputs))[out_index]._data).astype(numpy.float64).ravel()
                flat[k] = orig
            cols.append((plus - minus) / (2 * eps))
        jac.append(numpy.stack(cols, axis=1) if cols else numpy.zeros((0, 0)))
    return jac


def _analytical_jacobian(fn, inputs, out_index):
    outs = _as_tuple(fn(*inputs))
    out = outs[out_index]
    n_out = out._data.size
    diff_inputs = [i for i in inputs if isinstance(i, Tensor) and i.requires_grad]
    rows = {id(i): [] for i in diff_inputs}
    for k in range(n_out):
        seed = numpy.zeros(n_out, dtype=out._data.dtype)
        seed[k] = 1
        grads = engine.grad(out, diff_inputs, _make(seed.reshape(out._data.shape)),
                            retain_graph=True, allow_unused=True)
        for inp, g in zip(diff_inputs, grads):
            row = numpy.zeros(inp._data.size) if g is None else \
                backend.to_host(g._data).astype(numpy.float64).ravel()
            rows[id(inp)].append(row)
    jac = []
    for inp in inputs:
        if isinstance(inp, Tensor) and inp.requires_grad:
            r = rows[id(inp)]
            jac.append(numpy.stack(r, axis=0) if r else numpy.zeros((0, inp._data.size)))
        else:
            jac.append(None)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Compare analytical and finite-difference Jacobians of ``func`` at ``inputs``.

    Inputs that require grad should be float64, as in PyTorch (a warning-free check in
    lower precision is not meaningful). Returns True, or raises GradcheckError.
    """
    inputs = _as_tuple(inputs)
    for i in inputs:
        if isinstance(i, Tensor) and i.requires_grad and i._data.dtype != numpy.float64:
            import warnings
            warnings.warn("Input #0 requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point.")
    n_outputs = len(_as_tuple(func(*inputs)))
    for oi in range(n_outputs):
        out = _as_tuple(func(*inputs))[oi]
        if not (isinstance(out, Tensor) and out.requires_grad):
            continue
        numerical = _numerical_jacobian(func, inputs, oi, eps)
        analytical = _analytical_jacobian(func, inputs, oi)
        for ii, (a, n) in enumerate(zip(analytical, numerical)):
            if a is None:
                continue
            # both are (output elements x input elements)
            if a.shape != n.shape:
                a = a.reshape(n.shape)
            if not numpy.allclose(a, n, rtol=rtol, atol=atol):
                msg = (f"Jacobian mismatch for output {oi} with respect to input {ii},\n"
                       f"numerical:{n}\nanalytical:{a}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the first derivative: checks that backward is itself differentiable."""
    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    diff_outs = [o for o in outs if isinstance(o, Tensor) and o.requires_grad]
    if grad_outputs is None:
        rng = numpy.random.default_rng(0)
        grad_outputs = tuple(_make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
                             .requires_grad_() for o in diff_outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [k for k, i in enumerate(inputs) if isinstance(i, Tensor) and i.requires_grad]

    def first_grads(*args):
        # The finite differences call this under no_grad; the first derivative still
        # needs a graph, so record one here.
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():
            o = [x for x in _as_tuple(func(*ins)) if isinstance(x, Tensor) and x.requires_grad]
            gs = engine.grad(o, [ins[k] for k in diff_idx], gos, create_graph=True,
                             allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
