"""``torch.gradient``: derivatives estimated by second-order central differences in the
interior and first- or second-order one-sided differences at the edges (``edge_order``),
as ``numpy.gradient`` and PyTorch. ``spacing`` is a number (every dim), a list of numbers
(one per dim) or a list of 1-D coordinate tensors (non-uniform grids). The result is
differentiable in ``input``; coordinate tensors are treated as constants.
"""
import numbers

from .._tensor import Tensor, _make, _wrap_dim
from ._common import check_tensor
from . import pointwise as _pw
from . import shape as _sh


def _part(f, d, start, length):
    return _sh.narrow(f, d, start, length)


def _coef(values, d, nd, like):
    """Per-position coefficients (a 1-D backend array) shaped to broadcast along dim d."""
    shape = [1] * nd
    shape[d] = -1
    return _make(values.astype(like._data.dtype).reshape(shape))


def _uniform(f, d, h, edge_order):
    n = f.shape[d]
    inner = _pw.div(_pw.sub(_part(f, d, 2, n - 2), _part(f, d, 0, n - 2)), 2.0 * h)
    f0, f1, fl, fl1 = _part(f, d, 0, 1), _part(f, d, 1, 1), _part(f, d, n - 1, 1), \
        _part(f, d, n - 2, 1)
    if edge_order == 1:
        left = _pw.div(_pw.sub(f1, f0), h)
        right = _pw.div(_pw.sub(fl, fl1), h)
    else:
        f2, fl2 = _part(f, d, 2, 1), _part(f, d, n - 3, 1)
        left = _pw.div(_pw.sub(_pw.sub(_pw.mul(f1, 4.0), _pw.mul(f0, 3.0)), f2), 2.0 * h)
        right = _pw.div(_pw.add(_pw.sub(_pw.mul(fl, 3.0), _pw.mul(fl1, 4.0)), fl2), 2.0 * h)
    return _sh.cat([left, inner, right], d)


def _nonuniform(f, d, x, edge_order):
    xp = x.__array_namespace__() if hasattr(x, "__array_namespace__") else None
    import numpy
    xp = xp or numpy
    n = f.shape[d]
    nd = f.dim()
    dx = xp.diff(x.astype(xp.float64))
    hl, hr = dx[:-1], dx[1:]
    a = -hr / (hl * (hl + hr))
    b = (hr - hl) / (hl * hr)
    c = hl / (hr * (hl + hr))
    inner = _pw.add(_pw.add(_pw.mul(_part(f, d, 0, n - 2), _coef(a, d, nd, f)),
                            _pw.mul(_part(f, d, 1, n - 2), _coef(b, d, nd, f))),
                    _pw.mul(_part(f, d, 2, n - 2), _coef(c, d, nd, f)))
    f0, f1, fl, fl1 = _part(f, d, 0, 1), _part(f, d, 1, 1), _part(f, d, n - 1, 1), \
        _part(f, d, n - 2, 1)
    if edge_order == 1:
        left = _pw.div(_pw.sub(f1, f0), float(dx[0]))
        right = _pw.div(_pw.sub(fl, fl1), float(dx[-1]))
    else:
        d1, d2 = float(dx[0]), float(dx[1])
        left = _pw.add(_pw.add(_pw.mul(f0, -(2 * d1 + d2) / (d1 * (d1 + d2))),
                               _pw.mul(f1, (d1 + d2) / (d1 * d2))),
                       _pw.mul(_part(f, d, 2, 1), -d1 / (d2 * (d1 + d2))))
        d1, d2 = float(dx[-2]), float(dx[-1])
        right = _pw.add(_pw.add(_pw.mul(_part(f, d, n - 3, 1), d2 / (d1 * (d1 + d2))),
                                _pw.mul(fl1, -(d2 + d1) / (d1 * d2))),
                        _pw.mul(fl, (2 * d2 + d1) / (d2 * (d1 + d2))))
    return _sh.cat([left, inner, right], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """``torch.gradient``: a tuple with the derivative estimate along each of ``dim``."""
    check_tensor(input, "gradient")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input.dim()
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, numbers.Integral):
        dims = [_wrap_dim(dim, nd)]
    else:
        dims = [_wrap_dim(d, nd) for d in dim]
    if len(set(dims)) != len(dims):
        raise RuntimeError("dim appears multiple times in the list of dims")
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but "
                               f"got a spacing argument of length {len(spacing)} and a dim "
                               f"argument of length {len(dims)}.")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    f = _pw._float_input(input)
    out = []
    for d, h in zip(dims, steps):
        if isinstance(h, Tensor):
            if h.dim() == 0:
                out.append(_uniform(f, d, float(h.item()), edge_order))
                continue
            if h.dim() != 1 or h.shape[0] != f.shape[d]:
                raise RuntimeError("torch.gradient expected each tensor to be on the same "
                                   "device and have the same size as the dimension it spans")
            from .._dtype import promote_types
            fd = _pw._to_dtype(f, promote_types(f.dtype, h.dtype)) if h.is_floating_point() else f
            out.append(_nonuniform(fd, d, h._data, edge_order))
        else:
            out.append(_uniform(f, d, float(h), edge_order))
    return tuple(out)


__all__ = ["gradient"]
