"""The trapezoidal rule: ``torch.trapezoid`` (alias ``trapz``) and
``torch.cumulative_trapezoid``, along ``dim`` with spacing ``dx`` or sample points ``x``
(1-D, or broadcastable to ``y``), written with differentiable ember ops."""
from .._tensor import Tensor, _wrap_dim
from ._common import check_tensor
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from .cumulative import diff as _diff


def _areas(fname, y, x, dx, dim):
    check_tensor(y, fname, "y")
    d = _wrap_dim(dim, y.dim())
    if not (y.is_floating_point() or y.is_complex()):
        y = _pw._float_input(y)
    n = y.shape[d]
    if n == 0:
        return None, d, y
    mid = _pw.add(_sh.narrow(y, d, 1, n - 1), _sh.narrow(y, d, 0, n - 1))
    if isinstance(x, Tensor):
        if x.dim() == 1:
            if x.shape[0] != n:
                raise RuntimeError(f"{fname}: There must be one `x` value for each sample "
                                   "point")
            view = [1] * y.dim()
            view[d] = n - 1
            spacing = _sh.reshape(_diff(x), tuple(view))
        else:
            spacing = _diff(x, dim=d)
        return _pw.div(_pw.mul(mid, spacing), 2.0), d, y
    step = 1 if dx is None else (x if x is not None else dx)
    return _pw.mul(mid, step / 2.0), d, y


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.trapezoid``: integral of ``y`` along ``dim`` by the trapezoidal rule."""
    areas, d, y = _areas("trapezoid", y, x, dx, dim)
    if areas is None:
        shape = list(y.shape)
        del shape[d]
        from .creation import zeros
        return zeros(tuple(shape), dtype=y.dtype, device=y.device)
    return _red.sum(areas, d)


def trapz(y, x=None, *, dx=None, dim=-1):
    """``torch.trapz``: ``trapezoid``'s older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """``torch.cumulative_trapezoid``: running trapezoidal integral (one fewer sample)."""
    areas, d, y = _areas("cumulative_trapezoid", y, x, dx, dim)
    if areas is None:
        return _pw.clone_tensor(y)
    return _red.cumsum(areas, d)


__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]
