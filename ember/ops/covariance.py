"""``torch.cov`` and ``torch.corrcoef``, written with differentiable ember ops.

``cov`` takes variables as rows and observations as columns (a 1-D input is one
variable, giving a 0-d result), ``correction`` (1: Bessel's), integer ``fweights`` and
float ``aweights``; the normaliser follows PyTorch (and NumPy) and is clamped at 0.
``corrcoef`` divides by the outer product of the standard deviations and clips real
results to [-1, 1], as PyTorch.
"""
from .._dtype import get_default_dtype
from ._common import check_tensor
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from . import linalg as _la


def cov(input, *, correction=1, fweights=None, aweights=None):
    """``torch.cov``: the covariance matrix of the rows of ``input``."""
    check_tensor(input, "cov")
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else _sh.reshape(input, (1, -1))
    if not (x.is_floating_point() or x.is_complex()):
        x = _pw._to_dtype(x, get_default_dtype())
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        if fweights.dim() > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but "
                               f"got fweights with {fweights.dim()} dimensions")
        if fweights.is_floating_point() or fweights.is_complex():
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got "
                               f"fweights with {fweights.dtype} dtype")
        if fweights.numel() != n_obs:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are "
                               f"observations in the input but got {fweights.numel()} != {n_obs}")
        if n_obs and bool((fweights._data < 0).any()):
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        if aweights.dim() > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but "
                               f"got aweights with {aweights.dim()} dimensions")
        if not aweights.is_floating_point():
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {aweights.dtype} dtype")
        if aweights.numel() != n_obs:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are "
                               f"observations in the input but got {aweights.numel()} != {n_obs}")
        if n_obs and bool((aweights._data < 0).any()):
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else _pw.mul(w, aweights)
    if w is None:
        avg = _red.mean(x, 1)
        norm = float(n_obs - correction)
        xw = None
    else:
        w = _pw._to_dtype(w, x.dtype) if not w.is_floating_point() else w
        w_sum = _red.sum(w)
        avg = _pw.div(_red.sum(_pw.mul(x, w), 1), w_sum)
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = _pw.sub(w_sum, correction)
        else:
            norm = _pw.sub(w_sum, _pw.div(_pw.mul(_red.sum(_pw.mul(w, aweights)), correction),
                                          w_sum))
        xw = w
    if isinstance(norm, float):
        norm = max(norm, 0.0)
    else:
        norm = _pw.clamp(norm, min=0)
    xm = _pw.sub(x, _sh.reshape(avg, (-1, 1)))
    lhs = xm if xw is None else _pw.mul(xm, xw)
    c = _la.matmul(lhs, _pw.conj(_sh.transpose(xm, 0, 1)))
    c = _pw.div(c, norm)
    return _sh.reshape(c, ()) if input.dim() < 2 else c


def corrcoef(input):
    """``torch.corrcoef``: Pearson correlation coefficients of the rows of ``input``."""
    check_tensor(input, "corrcoef")
    if input.dim() > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return _pw.div(c, c)
    d = _sh.diagonal(c)
    std = _pw.sqrt(d.real if d.is_complex() else d)
    c = _pw.div(_pw.div(c, _sh.reshape(std, (-1, 1))), _sh.reshape(std, (1, -1)))
    return c if c.is_complex() else _pw.clamp(c, -1, 1)


METHODS = ("cov", "corrcoef")
__all__ = list(METHODS)
