"""``COOArray``: the backend-level value of a sparse COO tensor (``layout=ember.sparse_coo``).

A sparse tensor is an ordinary ``ember.Tensor`` whose ``_data`` is a ``COOArray`` instead
of a NumPy/CuPy array, so autograd, ``.grad`` accumulation and the optimizers handle it
as they handle any tensor. A ``COOArray`` holds, as PyTorch's sparse COO tensors do:

* ``indices``: an int64 array of shape ``(sparse_dim, nnz)``;
* ``values``: an array of shape ``(nnz, *dense_shape)`` (the tensor's dtype);
* ``shape``: the full size, ``sparse_dim + dense_dim`` dims;
* ``coalesced``: whether the indices are unique and sorted (row-major), torch's flag.

It answers the metadata the framework reads from arrays (``shape``, ``ndim``, ``dtype``,
``size``, ``itemsize``, ``base``, ``flags.writeable``) and nothing else: any other array
attribute raises NotImplementedError naming the layout, so a dense kernel can never
compute on it by accident. The dense ops that do run on sparse tensors are routed by the
sparse dispatch mode (``ember/sparse/_mode.py``), installed when the first ``COOArray``
is made; in a process that never makes one, nothing changes on the dense hot path.

``+=`` implements gradient accumulation (sparse + sparse concatenates, as torch's
uncoalesced sum; dense += sparse scatter-adds into the dense array).
"""
import numpy

from . import backend

_mode_installed = [False]


class _Flags:
    __slots__ = ()
    writeable = True
    c_contiguous = False


_FLAGS = _Flags()


def install_sparse_mode():
    """Install the sparse dispatch mode the first time any sparse array is made."""
    if not _mode_installed[0]:
        _mode_installed[0] = True
        from .sparse import _mode
        _mode.install()


class SparseArrayBase:
    """What every sparse array (``COOArray``, ``CompressedArray``) answers as an array:
    ``shape``/``ndim``/``size``/``dtype``/``itemsize`` from its ``shape`` and ``values``,
    ``base``/``flags``; any other array attribute, and implicit conversion to a dense
    array, raise NotImplementedError naming the layout."""

    __slots__ = ()
    base = None
    flags = _FLAGS
    _kind = "sparse tensor"     # how the NotImplementedError messages name the tensor

    def _layout_label(self):
        return "sparse_coo"

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def itemsize(self):
        return self.values.itemsize

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(
            f"ember: '{name}' is not supported on a {self._kind} "
            f"(layout=ember.{self._layout_label()}); convert it with .to_dense() first")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"ember: a sparse tensor (layout=ember.{self._layout_label()}) "
                                  "cannot be converted to a dense array implicitly; use "
                                  ".to_dense()")


class COOArray(SparseArrayBase):
    """See the module docstring."""

    __slots__ = ("indices", "values", "shape", "coalesced", "_csr")

    def __init__(self, indices, values, shape, coalesced=False):
        self.indices = indices
        self.values = values
        self.shape = tuple(int(s) for s in shape)
        self.coalesced = bool(coalesced)
        self._csr = None
        install_sparse_mode()

    @property
    def nbytes(self):
        return self.indices.nbytes + self.values.nbytes

    @property
    def sparse_dim(self):
        return self.indices.shape[0]

    @property
    def dense_dim(self):
        return self.values.ndim - 1

    @property
    def nnz(self):
        return self.indices.shape[1]

    def copy(self):
        return COOArray(self.indices.copy(), self.values.copy(), self.shape, self.coalesced)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # dense += sparse (gradient accumulation into a dense .grad)
        if ufunc is numpy.add and method == "__call__" and len(inputs) == 2:
            out = kwargs.get("out")
            other = inputs[1] if inputs[0] is self else inputs[0]
            if isinstance(other, COOArray):
                return NotImplemented
            if out is not None:
                target = out[0]
                if target is not other:
                    target[...] = other
            else:
                target = other.astype(numpy.result_type(other.dtype, self.dtype), copy=True)
            scatter_into(target, self)
            return target
        raise NotImplementedError(f"ember: numpy.{ufunc.__name__} on a sparse tensor "
                                  "(layout=ember.sparse_coo)")

    def __iadd__(self, other):
        if isinstance(other, COOArray):
            return concat(self, other)
        return to_dense(self).astype(other.dtype, copy=False) + other

    __add__ = __iadd__

    def __repr__(self):
        return f"COOArray(shape={self.shape}, nnz={self.nnz}, dtype={self.dtype})"


# -- kernels on arrays ------------------------------------------------------------------
def _xp(a):
    return backend.get_array_module(a.values if isinstance(a, COOArray) else a)


def linear_index(indices, sizes):
    """Row-major linear positions of the index columns over ``sizes``."""
    xp = backend.get_array_module(indices)
    lin = xp.zeros(indices.shape[1], dtype=numpy.int64)
    for d, n in enumerate(sizes):
        lin = lin * n + indices[d]
    return lin


def coalesce(a):
    """Unique, sorted indices with the values of duplicates summed (torch's coalesce)."""
    if a.coalesced:
        return a
    xp = _xp(a)
    sd = a.sparse_dim
    nnz = a.nnz
    if nnz == 0:
        return COOArray(a.indices, a.values, a.shape, True)
    lin = linear_index(a.indices, a.shape[:sd])
    order = xp.argsort(lin, kind="stable")
    slin = lin[order]
    first = xp.concatenate((xp.ones(1, dtype=bool), slin[1:] != slin[:-1]))
    starts = xp.flatnonzero(first)
    vals = a.values[order]
    if starts.shape[0] == nnz:
        new_vals = vals
    else:
        group = xp.cumsum(first) - 1
        new_vals = xp.zeros((starts.shape[0],) + vals.shape[1:], dtype=vals.dtype)
        backend.scatter_add(xp, new_vals, group, vals)
    return COOArray(a.indices[:, order[starts]], new_vals, a.shape, True)


def concat(a, b):
    """a + b for two sparse arrays of the same shape: indices and values concatenated."""
    xp = _xp(a)
    dt = numpy.result_type(a.dtype, b.dtype)
    return COOArray(xp.concatenate((a.indices, b.indices), axis=1),
                    xp.concatenate((a.values.astype(dt, copy=False),
                                    b.values.astype(dt, copy=False))), a.shape, False)


def merge_add(a, b):
    """torch's sparse + sparse: a merge walk over both entry lists by row-major position
    (equal positions summed, each list taken in its stored order), so the result is
    coalesced exactly when both inputs are."""
    xp = _xp(a)
    dt = numpy.result_type(a.dtype, b.dtype)
    av, bv = a.values.astype(dt, copy=False), b.values.astype(dt, copy=False)
    if a.indices.shape == b.indices.shape and bool((a.indices == b.indices).all()):
        return COOArray(a.indices, av + bv, a.shape, a.coalesced and b.coalesced)
    if a.coalesced and b.coalesced:
        return coalesce(concat(a, b))
    sizes = a.shape[:a.sparse_dim]
    la = backend.to_host(linear_index(a.indices, sizes)).tolist()
    lb = backend.to_host(linear_index(b.indices, sizes)).tolist()
    take = []          # (source, position) per output entry; a pair of entries when summed
    i = j = 0
    na, nb = len(la), len(lb)
    while i < na and j < nb:
        if la[i] < lb[j]:
            take.append((i, -1))
            i += 1
        elif lb[j] < la[i]:
            take.append((-1, j))
            j += 1
        else:
            take.append((i, j))
            i += 1
            j += 1
    take.extend((k, -1) for k in range(i, na))
    take.extend((-1, k) for k in range(j, nb))
    ta = numpy.array([t[0] for t in take], dtype=numpy.int64)
    tb = numpy.array([t[1] for t in take], dtype=numpy.int64)
    ia, ib = backend.on(xp, numpy.maximum(ta, 0)), backend.on(xp, numpy.maximum(tb, 0))
    ma = backend.on(xp, ta >= 0).reshape((-1,) + (1,) * (av.ndim - 1))
    mb = backend.on(xp, tb >= 0).reshape((-1,) + (1,) * (bv.ndim - 1))
    zero = xp.zeros((), dt)
    vals = xp.where(ma, av[ia] if na else zero, zero) + xp.where(mb, bv[ib] if nb else zero,
                                                                 zero)
    idx = xp.where(backend.on(xp, ta >= 0)[None, :], a.indices[:, ia] if na else 0,
                   b.indices[:, ib] if nb else 0)
    return COOArray(idx.astype(numpy.int64), vals, a.shape, False)


def scatter_into(target, a):
    """target += dense(a), in place."""
    xp = _xp(a)
    backend.scatter_add(xp, target, tuple(a.indices), a.values.astype(target.dtype, copy=False))


def to_dense(a, dtype=None):
    xp = _xp(a)
    out = xp.zeros(a.shape, dtype=a.dtype if dtype is None else dtype)
    if a.nnz:
        if a.coalesced:
            out[tuple(a.indices)] = a.values
        else:
            scatter_into(out, a)
    return out


def from_dense(x, sparse_dim=None):
    """The coalesced COO form of dense array ``x`` over its first ``sparse_dim`` dims."""
    xp = backend.get_array_module(x)
    sd = x.ndim if sparse_dim is None else sparse_dim
    nz = x != 0
    if x.ndim > sd:
        nz = nz.any(axis=tuple(range(sd, x.ndim)))
    if sd == 0:
        return COOArray(xp.zeros((0, 1), dtype=numpy.int64), x.reshape((1,) + x.shape),
                        x.shape, True)
    idx = xp.stack(xp.nonzero(nz)).astype(numpy.int64) if nz.ndim else \
        xp.zeros((0, int(bool(nz))), dtype=numpy.int64)
    return COOArray(idx, x[tuple(idx)], x.shape, True)


def csr_of(a):
    """A cached scipy / cupyx CSR matrix of a 2-D sparse array (for products)."""
    if a._csr is None:
        xp = _xp(a)
        c = coalesce(a)
        if xp is numpy:
            try:
                import scipy.sparse as sp
            except ImportError:
                return None
        else:
            import cupyx.scipy.sparse as sp
        a._csr = sp.csr_matrix((c.values, (c.indices[0], c.indices[1])), shape=a.shape)
    return a._csr


def sparse_dense_mm(a, d):
    """dense result of 2-D sparse ``a`` @ 2-D dense ``d`` (CSR product through scipy when
    installed, else a scatter-add of the products)."""
    xp = _xp(a)
    m = csr_of(a)
    if m is not None and a.dtype != numpy.bool_:
        out = m @ d
        return xp.asarray(out, dtype=numpy.result_type(a.dtype, d.dtype))
    out = xp.zeros((a.shape[0], d.shape[1]), dtype=numpy.result_type(a.dtype, d.dtype))
    backend.scatter_add(xp, out, a.indices[0], a.values[:, None] * d[a.indices[1]])
    return out
