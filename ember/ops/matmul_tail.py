"""``torch.addr`` and ``torch.addbmm``: the BLAS-style ``beta * input + alpha * product``
forms not in ``ops/linalg.py``, composed from its outer/bmm so gradients (and double
backward) come from those ops. As in PyTorch, ``beta=0`` ignores ``input`` (NaN in it does
not propagate) and ``input`` broadcasts to the product's shape.
"""
from ._common import check_tensor, write_out as _out
from . import linalg as _la
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh


def _combine(input, product, beta, alpha, name):
    shape = tuple(product.shape)
    try:
        base = _sh.expand(input, shape)
    except RuntimeError as e:
        raise RuntimeError(f"{name}: {e}") from None
    scaled = product if alpha == 1 else _pw.mul(product, alpha)
    if beta == 0:
        # input is ignored (its NaN does not propagate) but still gets a zero gradient
        keep = _pw.eq(_zero_like(base), 0)
        return _pw.where(keep, scaled, base)
    return _pw.add(base if beta == 1 else _pw.mul(base, beta), scaled)


def _zero_like(t):
    from .creation import zeros_like
    return zeros_like(t)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``torch.addr``: ``beta * input + alpha * outer(vec1, vec2)``."""
    for i, (arg, t) in enumerate((("input", input), ("vec1", vec1), ("vec2", vec2))):
        check_tensor(t, "addr", arg, i + 1)
    for arg, t in (("vec1", vec1), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {arg}, but got {t._data.ndim}-D")
    return _out(_combine(input, _la.outer(vec1, vec2), beta, alpha, "addr"), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``torch.addbmm``: ``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    for i, (arg, t) in enumerate((("input", input), ("batch1", batch1), ("batch2", batch2))):
        check_tensor(t, "addbmm", arg, i + 1)
    for arg, t in (("batch1", batch1), ("batch2", batch2)):
        if t._data.ndim != 3:   # IndexError, as torch's (it indexes dim 2 first)
            raise IndexError(f"addbmm: {arg} must be a 3D tensor, got {t._data.ndim}-D")
    product = _red.sum(_la.bmm(batch1, batch2), 0)
    return _out(_combine(input, product, beta, alpha, "addbmm"), out)


METHODS = ("addr", "addbmm")
__all__ = ["addr", "addbmm"]
