"""``ember.autograd.forward_ad`` (``torch.autograd.forward_ad``): forward-mode AD with dual
tensors.

Inside ``with dual_level():``, ``make_dual(primal, tangent)`` gives a tensor that carries a
tangent; every op applied to dual tensors gives outputs whose tangents are the
Jacobian-vector products, and ``unpack_dual(t)`` returns ``(primal, tangent)`` as
PyTorch's ``UnpackedDualTensor`` namedtuple. Leaving the level drops every tangent.

How the tangents are derived: ember's ops define reverse-mode rules only, and their
``backward`` is written with ember ops (so it is linear in, and differentiable with
respect to, the output gradient). While a level is active a dispatch mode sees each op
call; for one with dual inputs it runs the op on detached copies of those inputs, takes
the vector-Jacobian product ``g(u) = J^T u`` with a placeholder cotangent ``u`` under
``create_graph``, and differentiates ``<g(u), tangent>`` with respect to ``u``: that is
``J @ tangent`` (the "double-backward trick"). So every differentiable op of the op
table has forward-mode AD, at the price of roughly one forward and two backward passes
per op; ops whose backward is once-differentiable raise the engine's error, as in
PyTorch an op without a forward-mode formula raises. The primal result is computed by a
separate ordinary call, so reverse-mode gradients through dual tensors still work.

In-place writes carry tangents as in PyTorch: an op that overwrites all of a tensor
(``x.add_(y)``, ``x.mul_(y)``, ``copy_``, ``fill_``, ``masked_fill_``, ``scatter_`` ... every
op built on ops/pointwise.py ``apply_inplace``) gives it the result's tangent (zeros where
the new value has none, as PyTorch's ``fill_``); a partial write (``x[i] = v``,
``index_put_``, ``x[mask] = 0``) applies the same write to the tangents (the old tangent or
zeros, written with the value's tangent or zeros). An ``out=`` call involving a tangent
raises NotImplementedError, as PyTorch's out= functions do. While no level is active these
paths pay one list-index check.

Differences: one level at a time (PyTorch's limit too); a user ``autograd.Function``'s
``jvp`` staticmethod is not consulted (its tangent comes from its ``backward`` the same
way); an in-place write into a view (``x[0].add_(y)``, ``x.view(-1)[i] = v``) where the
view, its base or the written value carries a tangent raises NotImplementedError: PyTorch
updates the base's tangent through the view, ember does not yet (the tensor ``make_dual``
returns owns its tangent, so writes into it are fine); dual tensors print like plain
tensors (PyTorch appends ``tangent=...``).
"""
from collections import namedtuple

from .. import backend
from .._tensor import Tensor, _make
from . import _dual_level
from .dispatch import DispatchMode
from .grad_mode import enable_grad

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual",
           "unpack_dual", "dual_level"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__module__ = __name__

# _level[0]: the active _ForwardMode (one level at a time, as in PyTorch), or None; the
# list lives in _dual_level so the in-place write paths can check it cheaply.
_level = _dual_level.level


class _ForwardMode(DispatchMode):
    """Computes the output tangents of each op whose inputs carry tangents."""

    def __init__(self, index):
        self.index = index
        self.bypass = False

    def __ember_dispatch__(self, func, args, kwargs):
        if self.bypass:
            return func.apply(*args, **kwargs)
        tangents = [_tangent_of(a, self) if isinstance(a, Tensor) else None for a in args]
        if all(t is None for t in tangents):
            return func.apply(*args, **kwargs)
        out = func.apply(*args, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        for o, t in zip(outs, _jvp(func, args, kwargs, tangents)):
            if isinstance(o, Tensor) and t is not None:
                o._fw_tangent = (self, t)
        return out


def _tangent_of(t, mode):
    entry = t.__dict__.get("_fw_tangent")
    if entry is None or entry[0] is not mode:
        return None
    return entry[1]


def _jvp(func, args, kwargs, tangents):
    """The output tangents of ``func(*args)``: d/du <J^T u, tangent> = J tangent."""
    from .engine import grad
    from ..ops.creation import zeros_like
    with enable_grad():
        primals = [a.detach().requires_grad_() if t is not None else
                   (a.detach() if isinstance(a, Tensor) else a)
                   for a, t in zip(args, tangents)]
        out = func.apply(*primals, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        diff = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not diff:
            return [None] * len(outs)
        duals = [(p, t) for p, t in zip(primals, tangents) if t is not None]
        us = [zeros_like(outs[i]).requires_grad_() for i in diff]
        vjps = grad([outs[i] for i in diff], [p for p, _ in duals], us, create_graph=True,
                    allow_unused=True)
        total = None
        for g, (_, t) in zip(vjps, duals):
            if g is not None:
                term = (g * t.to(g.dtype)).sum()
                total = term if total is None else total + term
        if total is None or not total.requires_grad:
            jvps = [zeros_like(outs[i]) for i in diff]
        else:
            jvps = grad(total, us, allow_unused=True, materialize_grads=True)
    result = [None] * len(outs)
    for i, j in zip(diff, jvps):
        result[i] = j.detach()
    return result


_VIEW_WRITE = ("forward-mode AD: in-place write into a view of a dual tensor is not supported "
               "in ember yet")


def _own_entry(t, mode):
    entry = t.__dict__.get("_fw_tangent")
    return entry if entry is not None and entry[0] is mode else None


def _check_write_target(mode, target, incoming):
    """Raise where an in-place write into a view would have to update its base's tangent
    (PyTorch keeps a view's tangent a view of its base's; ember does not). A tensor made
    by ``make_dual`` owns its tangent (its base, the primal, has none), as in PyTorch."""
    base = target._base
    if base is None:
        return
    entry = _own_entry(target, mode)
    if entry is not None and len(entry) > 2:
        return
    if incoming is not None or entry is not None or _own_entry(base, mode) is not None:
        raise NotImplementedError(_VIEW_WRITE)


def _new_entry(mode, target, tangent):
    entry = _own_entry(target, mode)
    return (mode, tangent) + ((True,) if entry is not None and len(entry) > 2 else ())


def _whole_write_tangent(mode, target, res):
    """``target``'s tangent entry once an in-place op has written ``res`` over all of it:
    ``res``'s tangent (cast to target's dtype), or zeros where res has none but target had
    one (``fill_``, ``copy_`` of a constant: PyTorch gives a zero tangent too); None where
    neither has a tangent. Raises for a view (see _check_write_target)."""
    new = _tangent_of(res, mode)
    old = _tangent_of(target, mode)
    if new is None and old is None:
        return None
    _check_write_target(mode, target, new)
    data = target._data
    if new is None:
        new = _make(backend.get_array_module(data).zeros(data.shape, data.dtype))
    elif new._data.dtype != data.dtype:
        new = _make(new._data.astype(data.dtype))
    return _new_entry(mode, target, new)


def _partial_write_tangent(mode, target, value, write):
    """``target``'s tangent entry once part of it is overwritten by ``value``:
    ``write(array, v)`` performs the same write on the tangents (the old tangent or zeros,
    written with value's tangent or zeros). None where neither carries a tangent."""
    vt = _tangent_of(value, mode) if isinstance(value, Tensor) else None
    old = _tangent_of(target, mode)
    if vt is None and old is None:
        return None
    _check_write_target(mode, target, vt)
    data = target._data
    if old is not None:
        arr = old._data.astype(data.dtype, copy=True)
    else:
        arr = backend.get_array_module(data).zeros(data.shape, data.dtype)
    write(arr, vt._data if vt is not None else 0)
    return _new_entry(mode, target, _make(arr))


def enter_dual_level():
    """Enter a new forward-AD level; returns its index (0)."""
    if _level[0] is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    mode = _ForwardMode(0)
    mode.__enter__()
    _level[0] = mode
    return mode.index


def exit_dual_level(*, level=None):
    """Leave the forward-AD level: every tangent made in it is dropped."""
    mode = _level[0]
    if mode is None or (level is not None and level != mode.index):
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    from .dispatch import remove_mode
    remove_mode(mode)
    _level[0] = None


class dual_level:
    """Context manager for a forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def _alias(tensor, mode):
    """A new Tensor on the same memory that keeps tensor's reverse-mode graph."""
    mode.bypass = True
    try:
        return tensor.view_as(tensor)
    finally:
        mode.bypass = False


def make_dual(tensor, tangent, *, level=None):
    """A view of ``tensor`` whose tangent is ``tangent`` (same shape, floating or complex)."""
    mode = _level[0]
    if mode is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}.")
    out = _alias(tensor, mode)
    out._fw_tangent = (mode, tangent, True)    # True: owns its tangent (its base has none)
    return out


def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)``: a view of the primal without its tangent,
    and the tangent (None for a tensor that carries none, returned as is)."""
    mode = _level[0]
    tangent = _tangent_of(tensor, mode) if mode is not None else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor, mode), tangent)
