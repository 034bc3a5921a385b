"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d; ``pad`` (``ops/padding.py``) and
``unfold``/``fold`` (``ops/im2col.py``) are re-exported here (``F.pad`` ... import from this
module).

PyTorch's functional signatures, shapes, defaults and error messages are followed
(``torch.nn.functional``): stride/padding/dilation as an int or a tuple, ``padding='same'``
(asymmetric when the dilated kernel length is even, extra element on the right, as
PyTorch) and ``'valid'``, groups (depthwise included), output_padding for the transposed
forms, unbatched ``(C, *spatial)`` inputs.

How a convolution is computed (im2col + BLAS GEMM; no Python loops over pixels or
channels, only over kernel offsets in col2im and over batch chunks):

* im2col: the input is copied once into a zero-padded buffer; an ``as_strided`` view of it
  holds every window (kernel offsets x output positions), and one copy of that view gives
  the column matrix. One GEMM (batched over groups) with the weight
  ``(groups, OC/groups, C/groups * prod(kernel))`` gives the output, written to NCHW in
  the same copy that adds the bias.
* two column layouts (see ``_Geom``): channel-major ``(G, C/G*KK, N*L)``, where each
  product is a single GEMM over the whole batch (best for deep layers: many channels,
  small images), and sample-major ``(N, G, C/G*KK, L)``, batched over samples, which
  writes NCHW directly with no transposing copies (best for early layers: big images,
  few channels).
* the batch is processed in chunks whose columns fit in cache (~4 MB): whole-batch
  columns of a large layer are tens of MB, and streaming them through memory (and the
  page faults of allocating them) cost more than the GEMMs.
* 1x1 stride-1 unpadded convolutions (ResNet bottlenecks) skip im2col: the input itself
  is the column matrix (a view in the sample-major layout, one transposing copy in the
  channel-major one), and col2im is a plain copy. In the sample-major layout, without
  cropped columns, the GEMM writes straight into the NCHW output (``matmul(out=)``) and
  the bias is added in place, saving a pass over the output.
* stride 1 may use the "flat" grid: the padded image of each (channel, sample) is one
  flat row and the output is computed as wide as the padded input, so each kernel offset
  is one contiguous slice; the few extra columns are dropped when the output is written.
* 3x3 stride-1 ungrouped convolutions with enough channels and tiles (ResNet's stages
  from 64 channels on) use Winograd F(2x2, 3x3) instead (``ops/conv_winograd.py``: 16/36
  of the GEMM work); their forward keeps no columns but its transforms (``_wino.Kept``):
  the input transforms for the weight gradient (within _CACHE_COLS_BYTES) and the weight
  transform for the input gradient.
* depthwise convolutions (one input channel per group, any channel multiplier) skip
  im2col and BLAS: a direct kernel sums, over the kernel offsets, each offset's strided
  window view times its per-channel weights; the weight gradient is a per-channel dot
  product per offset, the input gradient a flipped-kernel depthwise convolution (stride 1)
  or an offset-wise add into a padded buffer (see ``_dw_conv``).
* backward: the weight gradient is a GEMM of the output gradient with the columns (every
  chunk's columns are kept from forward when they take at most _CACHE_COLS_BYTES in all,
  else rebuilt per chunk); the input gradient is
  a GEMM ``W^T @ grad`` followed by col2im: a loop over the kernel offsets adding each
  offset's slab into a padded buffer.
* convolution, transposed convolution and the weight gradient are three Functions whose
  backward passes are written with one another, so double backward works. When no graph
  is being built (the usual ``backward()``), backward runs fused on arrays instead, sharing
  each chunk's gradient between the input and weight gradients.
* float16/bfloat16 are computed in float32 and rounded back (NumPy's half GEMM is slow);
  integer tensors convolve exactly (NumPy integer matmul); bool raises as in PyTorch;
  complex tensors raise NotImplementedError (PyTorch supports them).


Plan objects are a contract: convolutions pass ``geo=`` (a ``_Geom``) and unfold/fold
``blocks=`` (a ``_Blocks``, ``ops/im2col.py``) to ``apply``; dispatch modes (ONNX export, the profiler's
``record_shapes``) read PyTorch's arguments from them by name: ``stride``, ``padding``,
``pads``, ``dilation``, ``groups``, ``kernel_size``, ``transposed``, ``output_padding``,
``output_size`` (see each class's docstring). Other attributes are internal.

Where ember differs: PyTorch's padding='same' with an even kernel warns about an extra
copy; ember pads asymmetrically without a copy and does not warn. The grad_fn of every
convolution is ``ConvolutionBackward0``; of its double backward
``ConvolutionBackwardBackward0``.
"""
import itertools
import math
import operator

from .. import backend
from .._dtype import BOOL_NP, COMPLEX_NP
from ..autograd.function import ArrayFunction
from . import conv_winograd as _wino
from ._common import check_tensor as _check_tensor, up as _up
from ._host_threads import cached_chunk, in_two_threads, summed, two_threads_ok
from ..autograd.dispatch import composite
from ..autograd.dispatch import casting_active as _casting_active

_gam = backend.get_array_module
_as_strided = backend.as_strided

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "pad", "unfold", "fold"]

# Columns built in forward (all batch chunks together) are kept for the weight gradient
# when at most this big; bigger ones are rebuilt in backward (one copy) rather than held.
# 16 MB keeps the small CNN's second layer (10.6 MB: its rebuild was ~4% of the step) and
# adds ~50 MB to the ResNet-18 CIFAR step's peak (32 MB added ~110 MB for <1% of its time).
_CACHE_COLS_BYTES = 16 << 20
# The batch is processed in chunks whose columns take about this many bytes, so that they
# stay in cache between im2col, the GEMM and col2im (whole-batch columns of a large layer
# are tens of MB, and streaming them through memory dominated the time).
_CHUNK_BYTES = 4 << 20
# Weight gradients (per group) up to this many elements use the transposed GEMM.
_SMALL_WEIGHT = 1 << 18
# The depthwise kernels process the batch in chunks whose padded input buffer takes about
# this many bytes (one 96x56x56 sample, 1.2 MB, stays in L2 through the nine offsets; a
# whole batch of 8 was 4x slower).
_DW_CHUNK_BYTES = 2 << 20
# Stride-1 convolutions use the flat (padded-width) output grid when the extra columns it
# computes are at most this fraction of the real ones.
_FLAT_MAX_WASTE = 1.3
# The sample-major column layout is used when a sample's output has at least this many
# positions (and at least as many as a column has rows).
_NM_MIN_L = 256


# ---------------------------------------------------------------------------------------
# array helpers

def _bmm(a, b):
    """Group-batched product ``(G, m, k) @ (G, k, n)``: a plain GEMM when G == 1."""
    if a.shape[0] == 1:
        return backend.matmul(_gam(a), a[0], b[0])[None]
    return backend.matmul(_gam(a), a, b)


def _swap01(a):
    """``a`` with its first two axes swapped (a view)."""
    return a.swapaxes(0, 1)


def _offsets(kernel):
    """Every kernel offset, as index tuples over the kernel axes."""
    return itertools.product(*[range(k) for k in kernel])


def _add_windows(win, cols, kernel, lead):
    """col2im's scatter: ``win[..., k, ...] += cols[..., k, ...]`` for every kernel offset
    ``k`` (the kernel axes follow ``lead`` leading axes), one strided add per offset."""
    head = (slice(None),) * lead
    for k in _offsets(kernel):
        idx = head + k
        win[idx] += cols[idx]


class _Geom:
    """The index arithmetic of one convolution (computed once per call).

    A convolution maps an input ``(N, C, *I)`` through the weight ``(OC, C/G, *K)`` to an
    output ``(N, OC, *O)``. A transposed convolution uses the geometry of the convolution
    it is the input-gradient of (its output is this geometry's input).

    The padded input lives in a buffer of F elements per (channel, sample); its
    ``(C, N, *P)`` grid has element strides ``grid`` on the spatial axes. Windows over it
    have kernel axes ``K`` and output axes ``oshape``: in flat mode (stride 1) the output
    grid is ``ext = (O[0], P[1], ..., P[-1])``, flattened, and extra columns are cropped;
    otherwise it is ``O`` exactly. ``L`` positions per sample.

    Two layouts of the columns, chosen per call:
      channel-major (cm): buffer (C, N, F), columns (G, C/G*KK, N*L); every product is one
        GEMM over all samples; outputs/gradients are transposed to NCHW in a copy;
      sample-major (nm): buffer (N, C, F), columns (N, G, C/G*KK, L); products are batched
        over samples and write NCHW directly (no transposing copies). Used when each
        sample's output is large (early layers: big images, few channels).
    The batch is processed in chunks whose columns fit in cache (``chunks()``); a chunk's
    geometry is this one with N set to the chunk's size.

    The contract converters (ONNX) and the profiler read, in PyTorch's names (one entry
    per spatial dim): ``stride``, ``padding`` (the ``padding`` argument: a tuple, or the
    string ``'same'``/``'valid'``), ``pads`` (numeric begin pads then end pads, ONNX's
    order), ``dilation``, ``groups``, ``kernel_size``, ``transposed``, ``output_padding``
    (zeros for a convolution) and ``output_size`` (the spatial size of the op's output).
    """

    __slots__ = ("n", "N", "C", "OC", "G", "K", "KK", "stride", "dil", "lo", "hi", "I", "P",
                 "O", "flat", "F", "grid", "oshape", "ext", "L", "crop", "buffered", "cm",
                 "padding", "output_padding", "transposed", "direct", "dw")

    def __init__(self, N, C, I, OC, K, stride, dil, lo, hi, groups, O=None, padding=None,
                 output_padding=None, transposed=False):
        n = len(K)
        self.padding = tuple(lo) if padding is None else padding
        self.output_padding = (0,) * n if output_padding is None else tuple(output_padding)
        self.transposed = transposed
        self.n, self.N, self.C, self.OC, self.G = n, N, C, OC, groups
        self.K, self.stride, self.dil, self.lo, self.hi, self.I = K, stride, dil, lo, hi, I
        self.KK = math.prod(K)
        P = tuple(i + a + b for i, a, b in zip(I, lo, hi))
        if O is None:
            O = tuple((p - d * (k - 1) - 1) // s + 1 for p, d, k, s in zip(P, dil, K, stride))
        self.P, self.O = P, O
        grid = [1] * n
        for i in range(n - 2, -1, -1):
            grid[i] = grid[i + 1] * P[i + 1]
        self.grid = tuple(grid)
        waste = math.prod(P[1:]) / max(math.prod(O[1:]), 1)
        # ... and when a column is at least as long as an output channel group is deep: with
        # few input channels (an RGB stem: 27 rows for 32-64 output channels) cropping the
        # wide output costs more than the flat grid saves on the column copy (small CNN's
        # first layer, forward + weight gradient: 4.8 -> 3.6 ms)
        self.flat = (all(s == 1 for s in stride) and waste <= _FLAT_MAX_WASTE
                     and C // groups * self.KK >= OC // groups)
        size = math.prod(P)
        if self.flat:
            self.ext = (O[0],) + P[1:]
            self.oshape = (math.prod(self.ext),)
            self.F = size + sum((k - 1) * d * g for k, d, g in zip(K[1:], dil[1:], grid[1:]))
        else:
            self.ext = self.oshape = O
            self.F = size
        self.L = math.prod(self.ext)
        self.crop = self.ext != O
        # an unpadded strided input needs no buffer: its windows are views of it
        self.buffered = self.flat or any(lo) or any(hi)
        # one input channel per group (depthwise, any channel multiplier): the direct
        # per-channel kernels, on sample-major buffers, instead of im2col + GEMM
        self.dw = groups > 1 and C == groups
        self.cm = not self.dw and not (self.L >= _NM_MIN_L and self.L >= C // groups * self.KK)
        # a 1x1, stride-1, unpadded convolution: the input itself is the column matrix
        # (a view in the sample-major layout, one transposing copy in the channel-major one)
        self.direct = self.KK == 1 and not self.crop and all(s == 1 for s in stride) and not (
            any(lo) or any(hi))

    # -- the torch-named contract (see the class docstring) ---------------------------------
    @property
    def dilation(self):
        return self.dil

    @property
    def groups(self):
        return self.G

    @property
    def kernel_size(self):
        return self.K

    @property
    def pads(self):
        return tuple(self.lo) + tuple(self.hi)

    @property
    def output_size(self):
        return self.I if self.transposed else self.O

    def chunks(self, limit=None, lo=0, hi=None):
        """[(n0, n1, geometry of samples n0:n1)] covering samples lo:hi (the batch by
        default), each chunk's columns at most ~``limit`` bytes (at least one sample per
        chunk); the depthwise kernels count their padded buffer instead (``limit``
        _DW_CHUNK_BYTES)."""
        hi = self.N if hi is None else hi
        N = hi - lo
        limit = _CHUNK_BYTES if limit is None else limit
        per = max((self.C * self.F if self.dw else self.C * self.KK * self.L) * 4, 1)
        count = max(1, -(-N // max(1, limit // per))) if N else 1
        size = -(-N // count) if N else 0
        if count == 1 and N == self.N:
            return [(0, N, self)]
        out = []
        for n0 in range(lo, hi, size) if N else [lo]:
            sub = object.__new__(_Geom)
            for name in _Geom.__slots__:
                setattr(sub, name, getattr(self, name))
            sub.N = min(size, hi - n0)
            out.append((n0, n0 + sub.N, sub))
        return out

    def columns_size(self):
        """Elements of the whole batch's columns (the im2col work of one pass)."""
        return self.N * self.C * self.KK * self.L

    # -- views ---------------------------------------------------------------------------
    def _buffer(self, xp, dtype):
        shape = (self.C, self.N, self.F) if self.cm else (self.N, self.C, self.F)
        return xp.zeros(shape, dtype)

    def _buffer_strides(self, buf):
        """Byte strides (channel, sample, spatial) of the padded grid in ``buf``."""
        it = buf.itemsize
        if self.cm:
            sc, sn = self.N * self.F * it, self.F * it
        else:
            sc, sn = self.F * it, self.C * self.F * it
        return sc, sn, tuple(g * it for g in self.grid)

    def _interior(self, buf):
        """The unpadded ``(C, N, *I)`` region of the padded grid in ``buf``."""
        sc, sn, sp = self._buffer_strides(buf)
        grid = _as_strided(buf, (self.C, self.N) + self.P, (sc, sn) + sp)
        return grid[(slice(None), slice(None))
                    + tuple(slice(a, a + i) for a, i in zip(self.lo, self.I))]

    def _windows(self, base, sc, sn, sp):
        """Every window of a (C, N, *P) grid with byte strides sc, sn, sp: a view of shape
        (C, *K, N, *oshape) (cm) or (N, C, *K, *oshape) (nm)."""
        ks = tuple(d * s for d, s in zip(self.dil, sp))
        os_ = (sp[-1],) if self.flat else tuple(st * s for st, s in zip(self.stride, sp))
        if self.cm:
            return _as_strided(base, (self.C,) + self.K + (self.N,) + self.oshape,
                               (sc,) + ks + (sn,) + os_)
        return _as_strided(base, (self.N, self.C) + self.K + self.oshape, (sn, sc) + ks + os_)

    def _shape(self, ch):
        """Product-layout shape for ``ch`` channels per group."""
        if self.cm:
            return (self.G, ch, self.N * self.L)
        return (self.N, self.G, ch, self.L)

    # -- im2col / col2im -----------------------------------------------------------------
    def source_windows(self, x):
        """Every window of input ``x`` ``(N, C, *I)``: a view of its zero-padded copy (or of
        ``x`` itself when no buffer is needed), laid out as ``_windows`` says."""
        if self.buffered:
            buf = self._buffer(_gam(x), x.dtype)
            self._interior(buf)[...] = _swap01(x)
            return self._windows(buf, *self._buffer_strides(buf))
        s = x.strides
        return self._windows(x, s[1], s[0], s[2:])

    def im2col(self, x):
        """The columns of input ``x`` ``(N, C, *I)`` in this geometry's layout."""
        xp = _gam(x)
        if self.direct:
            ch = self.C // self.G
            if self.cm:
                cols = xp.empty((self.C, self.N) + self.I, x.dtype)
                cols[...] = _swap01(x)
                return cols.reshape(self._shape(ch))
            return xp.ascontiguousarray(x).reshape(self._shape(ch))
        win = self.source_windows(x)
        cols = xp.empty(win.shape, x.dtype)
        cols[...] = win
        return cols.reshape(self._shape(self.C // self.G * self.KK))

    def col2im(self, cols, out):
        """Write into ``out`` ``(N, C, *I)`` the sum of the windows' columns."""
        if self.direct:     # every input element is in exactly one column
            lead = (self.C, self.N) if self.cm else (self.N, self.C)
            cols = cols.reshape(lead + self.I)
            out[...] = _swap01(cols) if self.cm else cols
            return
        buf = self._buffer(_gam(cols), cols.dtype)
        win = self._windows(buf, *self._buffer_strides(buf))
        _add_windows(win, cols.reshape(win.shape), self.K, 1 if self.cm else 2)
        out[...] = _swap01(self._interior(buf))

    # -- products --------------------------------------------------------------------------
    def _wmat(self, w):
        """Weight ``(OC, C/G, *K)`` as ``(G, OC/G, C/G * KK)``."""
        return w.reshape(self.G, self.OC // self.G, -1)

    def forward_product(self, w, cols, out=None):
        """``W @ cols`` in the product layout (sample-major: into ``out`` when given)."""
        if self.cm:
            return _bmm(self._wmat(w), cols)
        return backend.matmul(_gam(cols), self._wmat(w), cols, out=out)

    def writes_output(self):
        """Whether the product can be written straight into the NCHW output (sample-major
        layout, no cropped columns): saves one pass over the output."""
        return not self.cm and not self.crop

    def input_product(self, w, ge):
        """``W^T @ ge``: a columns-shaped gradient."""
        wt = self._wmat(w).swapaxes(1, 2)
        if wt.shape[2] == 1:    # one output channel per group (depthwise): an outer
            return wt * ge      # product, which BLAS runs very slowly
        if self.cm:
            return _bmm(wt, ge)
        return backend.matmul(_gam(ge), wt, ge)

    def weight_part(self, ge, cols):
        """``ge @ cols^T`` summed over samples: ``(G, OC/G, C/G*KK)``. OpenBLAS runs the
        transposed product ``cols @ ge^T`` faster (in the sample-major layout when the
        columns' side is the longer), which pays for transposing back when the weight is
        small (the transposing copy of a large weight costs more than it saves)."""
        xp = _gam(ge)
        if self.cm:
            if ge.shape[1] * cols.shape[1] <= _SMALL_WEIGHT:
                gw = _bmm(cols, ge.swapaxes(1, 2)).swapaxes(1, 2)
                return xp.ascontiguousarray(gw)
            return _bmm(ge, cols.swapaxes(1, 2))
        if ge.shape[2] < cols.shape[2] and ge.shape[2] * cols.shape[2] <= _SMALL_WEIGHT:
            # the longer side as the product's rows (small_cnn's second layer, 64 against
            # 288, a half batch of 16 on one thread: 2.18 -> 1.87 ms)
            return backend.matmul(xp, cols, ge.swapaxes(2, 3)).sum(0).swapaxes(1, 2)
        return backend.matmul(xp, ge, cols.swapaxes(2, 3)).sum(0)

    def weight_of(self, part):
        """The accumulated weight_part as a weight-shaped array."""
        return part.reshape((self.OC, self.C // self.G) + self.K)

    # -- the output side ------------------------------------------------------------------
    def _crop_index(self):
        return (slice(None),) * 3 + tuple(slice(0, o) for o in self.O[1:])

    def ext_grad(self, g):
        """Output-shaped ``(N, OC, *O)`` -> product layout (zeros in the extra columns of
        the flat grid)."""
        xp = _gam(g)
        if self.crop:
            shape = ((self.OC, self.N) if self.cm else (self.N, self.OC)) + self.ext
            ge = xp.zeros(shape, g.dtype)
            ge[self._crop_index()] = _swap01(g) if self.cm else g
        elif self.cm:
            ge = xp.empty((self.OC, self.N) + self.O, g.dtype)
            ge[...] = _swap01(g)
        else:
            ge = xp.ascontiguousarray(g)
        return ge.reshape(self._shape(self.OC // self.G))

    def output(self, ye, bias, out):
        """Write the product result (+ bias) into ``out`` ``(N, OC, *O)``. ``ye`` is scratch:
        the bias is added into it in place, in passes as long as a whole channel (added to
        the cropped or transposed rows it is broadcast over short rows: small_cnn's second
        convolution, 11 samples, 0.27 -> 0.17 ms)."""
        lead = (self.OC, self.N) if self.cm else (self.N, self.OC)
        if bias is not None:
            rows = ye.reshape((self.OC, -1) if self.cm else (self.N, self.OC, -1))
            rows += bias.reshape(self.OC, 1)
        ye = ye.reshape(lead + self.ext)
        if self.crop:
            ye = ye[self._crop_index()]
        out[...] = _swap01(ye) if self.cm else ye


# ---------------------------------------------------------------------------------------
# whole-batch drivers on arrays (chunked over the batch; float16/bfloat16 via float32)

def _run_conv(geo, x, w, b, keep=False, keep_u=False):
    """conv(x, w) + b; with ``keep``, also returns every chunk's columns ({n0: (n1, cols)})
    when they take at most _CACHE_COLS_BYTES in all, else None. A Winograd layer returns a
    ``_wino.Kept`` instead: its input transforms under the same rule, and with ``keep_u``
    its weight transform (for the input gradient). The two halves of the batch run on two
    threads when ``_split_batch`` says so."""
    if geo.dw:
        y = _dw_conv(geo, x, w)
        if b is not None:
            y += _up(b).reshape((1, geo.OC) + (1,) * geo.n)
        return y, None
    x, w, b = _up(x), _up(w), _up(b)
    y = _gam(x).empty((geo.N, geo.OC) + geo.O, x.dtype)
    split = _split_batch(geo, x)
    if _wino.applies(geo, x.dtype):     # its transforms serve the backward (_wino.Kept)
        vs, u = _wino.conv(geo, x, w, b, y, split=split)
        size = sum(v.nbytes for _, v in vs.values())
        vs = vs if keep and size <= _CACHE_COLS_BYTES else None
        u = u if keep_u else None
        return y, (None if vs is None and u is None else _wino.Kept(vs, u))
    cap = _CACHE_COLS_BYTES // (2 if split else 1)

    def part(lo, hi):
        kept, size = ({} if keep else None), 0
        for n0, n1, sg in geo.chunks(lo=lo, hi=hi):
            cols = sg.im2col(x[n0:n1])
            if sg.writes_output():
                yc = y[n0:n1]
                sg.forward_product(w, cols, out=yc.reshape(sg._shape(sg.OC // sg.G)))
                if b is not None:
                    yc += b.reshape((1, sg.OC) + (1,) * sg.n)
            else:
                sg.output(sg.forward_product(w, cols), b, y[n0:n1])
            if kept is not None:
                size += cols.nbytes
                if size <= cap:
                    kept[n0] = (n1, cols)
                else:
                    kept = None
        return kept
    parts = in_two_threads(part, geo.N, split)
    if not keep or any(k is None for k in parts):
        return y, None
    return y, {n0: c for k in parts for n0, c in k.items()}


# The batch is split across two host threads (``_host_threads``) for convolutions whose
# columns have at least this many elements, on a quiet machine with no OpenBLAS worker
# spinning (small_cnn's RGB stem: 0.9M): each half's im2col, 1-thread GEMMs and output
# writes run on their own core. The per-sample GEMMs of the sample-major layout run far
# below speed on OpenBLAS's two threads (small_cnn's second layer: two Python threads of
# 1-thread GEMMs did twice the work in 71 ms against 45 ms once on OpenBLAS's 2).
_SPLIT_MIN_COLS = 1 << 18


def _split_batch(geo, a):
    """Whether convolution work over the batch of ``geo`` runs as two halves at once."""
    return geo.N >= 2 and two_threads_ok(a, geo.columns_size(), _SPLIT_MIN_COLS)


# -- depthwise: direct per-channel kernels ------------------------------------------------
# With one input channel per group, im2col + GEMM is a product of (multiplier x KK) by
# (KK x L) per channel, which BLAS runs far below speed (a tiny GEMM per group, and the
# column copy is KK times the input). These kernels instead loop over the kernel offsets:
# each offset is one strided view of the padded input (a contiguous slice per plane in the
# flat layout) times a per-channel weight, accumulated in place. Measured on
# bench/conv_depthwise's layer (8x96x56x56, 3x3, one thread): forward 20 -> 10.5 ms,
# weight gradient 21 -> 10 ms, input gradient (the flipped-kernel forward) 23 -> ~11 ms.

def _dw_weights(geo, w):
    """Weight ``(OC, 1, *K)`` as ``(C, multiplier, KK)`` (output channel ``c*m + j``)."""
    return w.reshape(geo.C, geo.OC // geo.C, geo.KK)


def _dw_operands(geo, a, w):
    """(a, weight (C, multiplier, KK), its namespace, multiplier, the shape that broadcasts
    one offset's weights over a chunk) for a depthwise kernel of array ``a``."""
    a, wk = _up(a), _dw_weights(geo, _up(w))
    m = wk.shape[1]
    return a, wk, _gam(a), m, (geo.C, m) + (1,) * len(geo.oshape)


def _dw_conv(geo, x, w):
    """The depthwise convolution of ``x`` (no bias): per chunk, the sum over kernel offsets
    of each offset's window view times its per-channel weights."""
    x, wk, xp, m, wshape = _dw_operands(geo, x, w)
    y = xp.empty((geo.N, geo.OC) + geo.O, x.dtype)
    for n0, n1, sg in geo.chunks(_DW_CHUNK_BYTES):
        win = sg.source_windows(x[n0:n1])
        shape = (n1 - n0, geo.C, m) + sg.oshape
        acc = xp.empty(shape, x.dtype) if sg.crop else y[n0:n1].reshape(shape)
        tmp = None
        for i, k in enumerate(_offsets(geo.K)):
            src = win[(slice(None), slice(None)) + k][:, :, None]
            wi = wk[:, :, i].reshape(wshape)
            if i == 0:
                xp.multiply(src, wi, out=acc)
            else:
                if tmp is None:
                    tmp = xp.empty(shape, x.dtype)
                xp.multiply(src, wi, out=tmp)
                acc += tmp
        if sg.crop:
            sg.output(acc.reshape((n1 - n0, geo.OC, sg.L)), None, y[n0:n1])
    return y


def _dw_input_grad(geo, g, w):
    """The input-gradient of the depthwise convolution ``geo`` for output gradient ``g``:
    the convolution of ``g`` with the flipped kernel where that exists (stride 1: itself
    depthwise when the multiplier is 1), else each offset's weighted gradient added into a
    padded buffer (col2im without the columns)."""
    fwd = _as_forward(geo)
    if fwd is not None:
        return _conv_flipped(geo, fwd, g, w, None)
    g, wk, xp, m, wshape = _dw_operands(geo, g, w)
    gx = xp.empty((geo.N, geo.C) + geo.I, g.dtype)
    for n0, n1, sg in geo.chunks(_DW_CHUNK_BYTES):
        ge = sg.ext_grad(g[n0:n1]).reshape((n1 - n0, geo.C, m) + sg.oshape)
        buf = sg._buffer(xp, g.dtype)
        win = sg._windows(buf, *sg._buffer_strides(buf))
        tmp = xp.empty(ge.shape, g.dtype)
        for i, k in enumerate(_offsets(geo.K)):
            xp.multiply(ge, wk[:, :, i].reshape(wshape), out=tmp)
            win[(slice(None), slice(None)) + k] += tmp[:, :, 0] if m == 1 else tmp.sum(2)
        gx[n0:n1] = _swap01(sg._interior(buf))
    return gx


def _dw_weight_grad(geo, g, x):
    """The weight gradient of the depthwise convolution ``geo`` of input ``x`` for output
    gradient ``g``: per kernel offset, a per-channel dot product of the gradient with that
    offset's window view (NumPy's vecdot: a BLAS dot per plane row)."""
    g, x = _up(g), _up(x)
    xp = _gam(g)
    m = geo.OC // geo.C
    gw = xp.zeros((geo.C, m, geo.KK), g.dtype)
    for n0, n1, sg in geo.chunks(_DW_CHUNK_BYTES):
        win = sg.source_windows(x[n0:n1])
        ge = sg.ext_grad(g[n0:n1]).reshape((n1 - n0, geo.C, m) + sg.oshape)
        for i, k in enumerate(_offsets(geo.K)):
            r = backend.vecdot(xp, ge, win[(slice(None), slice(None)) + k][:, :, None])
            gw[:, :, i] += r.sum(axis=(0,) + tuple(range(3, r.ndim)))
    return gw.reshape((geo.OC, 1) + geo.K)


def _as_forward(geo):
    """The stride-1 transposed convolution of ``geo`` as a plain convolution, or None: the
    input-gradient of a stride-1 convolution is the convolution of the output gradient,
    padded by ``d*(k-1) - pad``, with the kernel flipped and its channel axes swapped. That
    is one im2col (a gather copy) where col2im is one strided add per kernel offset over a
    zeroed buffer (ResNet-18 CIFAR step: col2im was ~10% of the CPU time, ~3x an im2col of
    the same size). Used when that padding is not negative, for kernels > 1x1, except with
    one output channel per group unless depthwise (the others keep the outer-product path;
    a depthwise geometry with multiplier 1 maps to one)."""
    if geo.KK == 1 or any(s != 1 for s in geo.stride) or (geo.OC == geo.G and not (
            geo.dw and geo.OC == geo.C)):
        return None
    ext = [d * (k - 1) for d, k in zip(geo.dil, geo.K)]
    lo = tuple(e - a for e, a in zip(ext, geo.lo))
    hi = tuple(i - o + a for i, o, a in zip(geo.I, geo.O, geo.lo))
    if any(v < 0 for v in lo + hi):
        return None
    return _Geom(geo.N, geo.OC, geo.O, geo.C, geo.K, geo.stride, geo.dil, lo, hi, geo.G)


def _flipped_weight(geo, w):
    """Weight ``(OC, C/G, *K)`` -> ``(C, OC/G, *K)`` with the kernel reversed (the kernel
    of ``_as_forward(geo)``)."""
    G = geo.G
    k = w.reshape((G, geo.OC // G, geo.C // G) + geo.K)
    k = k[(slice(None),) * 3 + (slice(None, None, -1),) * geo.n].swapaxes(1, 2)
    return _gam(w).ascontiguousarray(k).reshape((geo.C, geo.OC // G) + geo.K)


def _conv_flipped(geo, fwd, g, w, b, u=None):
    """``g`` convolved (+ b) with the flipped kernel of ``geo`` in geometry ``fwd``
    (``_as_forward(geo)``); Winograd takes the kernel flip and the channel swap into its
    weight transform (``u``: the forward's, when kept), so no flipped copy of the weight
    is made there."""
    g, w, b = _up(g), _up(w), _up(b)
    if _wino.applies(fwd, g.dtype):
        y = _gam(g).empty((fwd.N, fwd.OC) + fwd.O, g.dtype)
        _wino.conv(fwd, g, w, b, y, flipped=True, split=_split_batch(fwd, g), u=u)
        return y
    return _run_conv(fwd, g, _flipped_weight(geo, w), b)[0]


def _run_conv_transpose(geo, x, w, b):
    """The input-gradient of conv applied to ``x`` (+ b): conv_transpose."""
    if geo.dw:
        y = _dw_input_grad(geo, x, w)
        if b is not None:
            y += _up(b).reshape((1, -1) + (1,) * geo.n)
        return y
    fwd = _as_forward(geo)
    if fwd is not None:
        return _conv_flipped(geo, fwd, x, w, b)
    x, w, b = _up(x), _up(w), _up(b)
    y = _gam(x).empty((geo.N, geo.C) + geo.I, x.dtype)

    def part(lo, hi):
        for n0, n1, sg in geo.chunks(lo=lo, hi=hi):
            sg.col2im(sg.input_product(w, sg.ext_grad(x[n0:n1])), y[n0:n1])
    in_two_threads(part, geo.N, _split_batch(geo, x))
    if b is not None:
        y += b.reshape((1, -1) + (1,) * geo.n)
    return y


def _run_conv_backward(geo, g, x, w, need_x, need_w, cols=None):
    """(input gradient, weight gradient) of conv for output gradient g, sharing each
    chunk's channel-major gradient between them; ``cols``: forward's per-chunk columns
    (a ``_wino.Kept`` for a Winograd layer)."""
    if geo.dw:
        return (_dw_input_grad(geo, g, w) if need_x else None,
                _dw_weight_grad(geo, g, x) if need_w else None)
    g, w = _up(g), _up(w)
    xp = _gam(g)
    gx = gw = u = None
    if isinstance(cols, _wino.Kept):
        cols, u = cols.vs, cols.u
    if need_w and _wino.applies(geo, g.dtype):      # cols: the forward's input transforms
        gw, need_w = _wino.weight_grad(geo, g, _up(x), cols, _split_batch(geo, g)), False
    if need_x:
        fwd = _as_forward(geo)
        if fwd is not None:
            gx, need_x = _conv_flipped(geo, fwd, g, w, None, u), False
        else:
            gx = xp.empty((geo.N, geo.C) + geo.I, g.dtype)
    if not need_w and not need_x:
        return gx, gw

    def part(lo, hi):
        acc = None
        for n0, n1, sg in geo.chunks(lo=lo, hi=hi):
            ge = sg.ext_grad(g[n0:n1])
            if need_x:
                sg.col2im(sg.input_product(w, ge), gx[n0:n1])
            if need_w:
                c = cached_chunk(cols, n0, n1)
                p = sg.weight_part(ge, sg.im2col(_up(x[n0:n1])) if c is None else c)
                acc = p if acc is None else xp.add(acc, p, out=acc)
        return acc
    parts = in_two_threads(part, geo.N, _split_batch(geo, g))
    return gx, (geo.weight_of(summed(xp, parts)) if need_w else gw)


def _run_conv_transpose_backward(geo, h, x, w, need_x, need_w):
    """(input gradient, weight gradient) of conv_transpose(x, w) for output gradient h:
    conv(h, w) and the conv weight gradient of input h for output gradient x."""
    if geo.dw:
        return (_dw_conv(geo, h, w) if need_x else None,
                _dw_weight_grad(geo, x, h) if need_w else None)
    h, w = _up(h), _up(w)
    xp = _gam(h)
    gx = xp.empty((geo.N, geo.OC) + geo.O, h.dtype) if need_x else None

    def part(lo, hi):
        acc = None
        for n0, n1, sg in geo.chunks(lo=lo, hi=hi):
            cols = sg.im2col(h[n0:n1])
            if need_x:
                sg.output(sg.forward_product(w, cols), None, gx[n0:n1])
            if need_w:
                p = sg.weight_part(sg.ext_grad(_up(x[n0:n1])), cols)
                acc = p if acc is None else xp.add(acc, p, out=acc)
        return acc
    parts = in_two_threads(part, geo.N, _split_batch(geo, h))
    return gx, (geo.weight_of(summed(xp, parts)) if need_w else None)


def _bias_grad(g, n):
    return _up(g).sum(axis=(0,) + tuple(range(2, 2 + n)))


def _sum_bias(g, n):
    from .reduction import sum as _sum
    return _sum(g, dim=(0,) + tuple(range(2, 2 + n)))


# ---------------------------------------------------------------------------------------
# the three convolution Functions (each one's backward is written with the others)

class _Conv(ArrayFunction):
    """conv(x, w) + b: im2col, GEMM, (transpose +) bias into NCHW."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geo=None):
        need = ctx.needs_input_grad
        y, cols = _run_conv(geo, x, w, b, keep=bool(need) and need[1],
                            keep_u=bool(need) and need[0])
        if need:
            ctx.save_for_backward(x, w)
            ctx.geo = geo
            if cols is not None:
                ctx.cols = cols
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        geo = ctx.geo
        nx, nw, nb = ctx.needs_input_grad
        return (_ConvTranspose.apply(g, w, None, geo=geo) if nx else None,
                _ConvWeight.apply(x, g, geo=geo) if nw else None,
                _sum_bias(g, geo.n) if nb else None)

    @staticmethod
    def backward_arrays(ctx, g):
        # fused: each chunk's gradient is shared by the input and weight gradients
        x, w = ctx.saved_arrays
        geo = ctx.geo
        nx, nw, nb = ctx.needs_input_grad
        cols = ctx.__dict__.pop("cols", None)
        dt = x.dtype
        gx, gw = _run_conv_backward(geo, g, x, w, nx, nw, cols)
        return (gx.astype(dt, copy=False) if nx else None,
                gw.astype(dt, copy=False) if nw else None,
                _bias_grad(g, geo.n).astype(dt, copy=False) if nb else None)


class _ConvTranspose(ArrayFunction):
    """The input-gradient of conv (w.r.t. its input) as an op: W^T @ x, col2im (+ bias)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geo=None):
        y = _run_conv_transpose(geo, x, w, b)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.geo = geo
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, h):
        x, w = ctx.saved_tensors
        geo = ctx.geo
        nx, nw, nb = ctx.needs_input_grad
        return (_Conv.apply(h, w, None, geo=geo) if nx else None,
                _ConvWeight.apply(h, x, geo=geo) if nw else None,
                _sum_bias(h, geo.n) if nb else None)

    @staticmethod
    def backward_arrays(ctx, h):
        x, w = ctx.saved_arrays
        geo = ctx.geo
        nx, nw, nb = ctx.needs_input_grad
        dt = x.dtype
        gx, gw = _run_conv_transpose_backward(geo, h, x, w, nx, nw)
        return (gx.astype(dt, copy=False) if nx else None,
                gw.astype(dt, copy=False) if nw else None,
                _bias_grad(h, geo.n).astype(dt, copy=False) if nb else None)


class _ConvWeight(ArrayFunction):
    """The weight-gradient of conv(x, .) for output gradient g."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, g, geo=None):
        _, gw = _run_conv_backward(geo, g, x, None, False, True)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, g)
            ctx.geo = geo
        return gw.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, hw):
        x, g = ctx.saved_tensors
        geo = ctx.geo
        nx, ng = ctx.needs_input_grad
        return (_ConvTranspose.apply(g, hw, None, geo=geo) if nx else None,
                _Conv.apply(x, hw, None, geo=geo) if ng else None)


# ---------------------------------------------------------------------------------------
# argument handling shared by the functional forms

_TYPE_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
              "bool": "bool"}
_SCALAR_NAME = {"float32": "Float", "float64": "Double", "float16": "Half",
                "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}


def _ntuple(v, n, name):
    """An int or a sequence of 1 or n ints -> an n-tuple (PyTorch's expand_param_if_needed)."""
    try:
        return (operator.index(v),) * n
    except TypeError:
        pass
    try:
        t = tuple(int(i) for i in v)
    except TypeError:
        raise TypeError(f"{name} must be an int or a tuple of ints, not "
                        f"{type(v).__name__}") from None
    if len(t) == 1:
        return t * n
    if len(t) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(t)}")
    return t


def _dims_msg(shape):
    return " x ".join(str(s) for s in shape)


def _prepare(n, fname, input, weight, bias, stride, dilation, groups, transposed):
    """Checks shared by conv and conv_transpose; returns (input batched, unbatched flag)."""
    _check_tensor(input, fname, "input", 1)
    _check_tensor(weight, fname, "weight", 2)
    if bias is not None:
        _check_tensor(bias, fname, "bias", 3)
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                           f"{fname}, but got input of size: {list(input.shape)}")
    unbatched = input.dim() == n + 1
    if unbatched:
        from .shape import unsqueeze
        input = unsqueeze(input, 0)
    if weight.dim() != n + 2:
        raise RuntimeError(f"Expected {n + 2}-dimensional weight for {n + 2}-dimensional input "
                           f"{list(input.shape)}, but got weight of size "
                           f"{list(weight.shape)} instead")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride = _ntuple(stride, n, "stride")
    dilation = _ntuple(dilation, n, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    dt, wdt = input._data.dtype, weight._data.dtype
    bias_dt = bias._data.dtype if bias is not None else dt
    if (wdt != dt or bias_dt != dt) and _casting_active():
        wdt = bias_dt = dt      # autocast casts the operands before the op runs
    if dt != wdt:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAME.get(dt.name, dt.name)} but "
                           f"found {_SCALAR_NAME.get(wdt.name, wdt.name)}")
    if bias is not None and bias_dt != dt:
        raise RuntimeError(f"Input type ({_TYPE_NAME.get(dt.name, dt.name)}) and bias type "
                           f"({_TYPE_NAME.get(bias._data.dtype.name, bias._data.dtype.name)}) "
                           f"should be the same")
    if dt in BOOL_NP:
        raise NotImplementedError(f"\"{fname}\" not implemented for 'Bool'")
    if dt in COMPLEX_NP:
        raise NotImplementedError(f"{fname}: complex tensors are not supported by ember")
    ws = list(weight.shape)
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    C = input.shape[1]
    expect = ws[0] if transposed else ws[1] * groups
    if C != expect:
        what = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {what}, weight of size {ws}, expected input"
                           f"{list(input.shape)} to have {expect} channels, but got {C} "
                           f"channels instead")
    out_ch = ws[1] * groups if transposed else ws[0]
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_ch):
        what = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(f"{what} of size {ws}, expected bias to be 1-dimensional with "
                           f"{out_ch} elements, but got bias of size {list(bias.shape)} "
                           f"instead")
    return input, unbatched, stride, dilation


def _finish(out, unbatched):
    if unbatched:
        from .shape import squeeze
        return squeeze(out, 0)
    return out


def _convnd(n, fname, input, weight, bias, stride, padding, dilation, groups):
    input, unbatched, stride, dilation = _prepare(n, fname, input, weight, bias, stride,
                                                  dilation, groups, False)
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * n
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, K)]
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - a for t, a in zip(total, lo))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = _ntuple(padding, n, "padding")
        if any(p < 0 for p in lo):
            raise RuntimeError("negative padding is not supported")
    I = tuple(input.shape[2:])
    padded = tuple(i + a + b for i, a, b in zip(I, lo, hi))
    dk = tuple(d * (k - 1) + 1 for d, k in zip(dilation, K))
    if any(p < k for p, k in zip(padded, dk)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_dims_msg(padded)}). "
                           f"Kernel size: ({_dims_msg(dk)}). Kernel size can't be greater than "
                           f"actual input size")
    geo = _Geom(input.shape[0], input.shape[1], I, weight.shape[0], K, stride, dilation, lo, hi,
                groups, padding=padding if isinstance(padding, str) else lo)
    return _finish(_Conv.apply(input, weight, bias, geo=geo), unbatched)


def _conv_transposend(n, fname, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    input, unbatched, stride, dilation = _prepare(n, fname, input, weight, bias, stride,
                                                  dilation, groups, True)
    pad_ = _ntuple(padding, n, "padding")
    if any(p < 0 for p in pad_):
        raise RuntimeError("negative padding is not supported")
    opad = _ntuple(output_padding, n, "output_padding")
    if any(o < 0 for o in opad):
        raise RuntimeError("negative output_padding is not supported")
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dilation)):
        hw = ("depth", "height", "width")[3 - n:] if n <= 3 else [str(i) for i in range(n)]
        parts = [f"output_padding_{a}: {o}" for a, o in zip(hw, opad)]
        parts += [f"stride_{a}: {s}" for a, s in zip(hw, stride)]
        parts += [f"dilation_{a}: {d}" for a, d in zip(hw, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(parts))
    K = tuple(weight.shape[2:])
    O = tuple(input.shape[2:])
    out = tuple((o - 1) * s - 2 * p + d * (k - 1) + op + 1
                for o, s, p, d, k, op in zip(O, stride, pad_, dilation, K, opad))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({_dims_msg(O)}). Calculated output "
                           f"size per channel: ({_dims_msg(out)}). Output size is too small")
    geo = _Geom(input.shape[0], weight.shape[1] * groups, out, weight.shape[0], K, stride,
                dilation, pad_, pad_, groups, O=O, padding=pad_, output_padding=opad,
                transposed=True)
    return _finish(_ConvTranspose.apply(input, weight, bias, geo=geo), unbatched)


# ---------------------------------------------------------------------------------------
# public convolutions

@composite("conv1d")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv1d``: input (N, C, L) or (C, L), weight (OC, C/groups, k)."""
    return _convnd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


@composite("conv2d")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv2d``: input (N, C, H, W) or (C, H, W)."""
    return _convnd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


@composite("conv3d")
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``torch.nn.functional.conv3d``: input (N, C, D, H, W) or (C, D, H, W)."""
    return _convnd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


@composite("conv_transpose1d")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """``torch.nn.functional.conv_transpose1d``: weight (C_in, C_out/groups, k)."""
    return _conv_transposend(1, "conv_transpose1d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@composite("conv_transpose2d")
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """``torch.nn.functional.conv_transpose2d``: weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transposend(2, "conv_transpose2d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@composite("conv_transpose3d")
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """``torch.nn.functional.conv_transpose3d``: weight (C_in, C_out/groups, kd, kh, kw)."""
    return _conv_transposend(3, "conv_transpose3d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# ---------------------------------------------------------------------------------------
# pad (ops/padding.py) and unfold / fold (ops/im2col.py), re-exported here

from .padding import pad  # noqa: E402,F401
from .im2col import fold, unfold  # noqa: E402,F401
