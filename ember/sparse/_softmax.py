"""``torch.sparse.softmax`` / ``log_softmax``: normalise each run of specified entries
along ``dim`` (entries that are not specified count as -inf, so they stay unspecified),
as torch's sparse softmax. One Function on the coalesced input; its backward is written
on arrays (once differentiable)."""
import numpy

from .. import backend
from .._sparse_array import COOArray, coalesce, linear_index
from .._tensor import _make
from ..autograd.function import ArrayFunction
from ..ops import sparse_coo as _sc


def _groups(c, dim):
    xp = backend.get_array_module(c.values)
    keep = [d for d in range(c.sparse_dim) if d != dim]
    lin = linear_index(c.indices[keep], [c.shape[d] for d in keep]) if keep else \
        xp.zeros(c.nnz, dtype=numpy.int64)
    _, inv = xp.unique(lin, return_inverse=True)
    return inv.reshape(-1), int(inv.max()) + 1 if c.nnz else 0


def _group_sum(xp, inv, n, v):
    out = xp.zeros((n,) + v.shape[1:], v.dtype)
    backend.scatter_add(xp, out, inv, v)
    return out[inv]


@_sc._sparse_aware
class SparseSoftmax(ArrayFunction):
    once_differentiable = True
    node_name = "SparseSoftmaxBackward0"

    @staticmethod
    def forward(ctx, s, dim=0, log=False, np_dtype=None):
        c = coalesce(s)
        xp = backend.get_array_module(c.values)
        v = c.values if np_dtype is None else c.values.astype(np_dtype)
        inv, n = _groups(c, dim)
        mx = xp.full((n,) + v.shape[1:], -xp.inf, v.dtype)
        backend.scatter_reduce(xp, "maximum", mx, inv, v)
        shifted = v - mx[inv]
        e = xp.exp(shifted)
        tot = _group_sum(xp, inv, n, e)
        y = shifted - xp.log(tot) if log else e / tot
        ctx.meta = (c.indices, inv, n, log, y, s.dtype)
        return COOArray(c.indices, y, c.shape, True)

    @staticmethod
    def backward(ctx, g):
        indices, inv, n, log, y, in_dtype = ctx.meta
        xp = backend.get_array_module(y)
        gv = _sc.gather_at(g, _make(indices))._data
        if log:
            gx = gv - xp.exp(y) * _group_sum(xp, inv, n, gv)
        else:
            gx = y * (gv - _group_sum(xp, inv, n, gv * y))
        return _sc.SparseCooTensor.apply(_make(indices), _make(gx.astype(in_dtype)),
                                         size=g.shape, coalesced=False)


def sparse_softmax(input, dim, dtype, log):
    c = input._data
    if not _sc.is_sparse(input):
        from ..nn import functional as F
        return (F.log_softmax if log else F.softmax)(input, dim, dtype=dtype)
    dim = dim % c.ndim
    if c.dense_dim:
        raise NotImplementedError("ember: sparse softmax of a hybrid sparse tensor "
                                  "(dense_dim > 0)")
    from .._dtype import to_dtype
    return SparseSoftmax.apply(input, dim=dim, log=log,
                               np_dtype=None if dtype is None else to_dtype(dtype).np)
