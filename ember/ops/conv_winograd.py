"""Winograd F(2x2, 3x3) for the 3x3, stride-1, undilated, ungrouped convolutions of
``ops/conv.py`` (ResNet's stages), used where it beats im2col + GEMM.

Each 2x2 block of outputs is computed from the 4x4 input tile under it with 16
multiplications per (input, output) channel pair instead of 36 (Lavin & Gray, 2015):

    Y = A^T [ (G g G^T) * (B^T d B) ] A

The elementwise product, summed over input channels, is 16 GEMMs ``U[i,j] @ V[i,j]`` of
``(OC, C) @ (C, tiles)``: 16/36 of im2col's GEMM work. The transforms are a few
whole-array adds over strided views of the padded input (``V``, 4x the input), of the
weight (``U``) and of the products (``M``); they cost more than they save when channels
are few (their time grows with C + OC, the saving with C * OC) or when tiles are few next
to the weight (deep layers at small batch), hence ``applies``' thresholds. Measured, one
thread, batch 16, against im2col + GEMM: 128 channels at 16x16 58 -> 40 ms.

Two threads: every stage runs inside a split (``_host_threads``), none between them on
one thread: the weight transform by output-channel halves, the input transforms, GEMMs
and output transforms by batch halves, the weight gradient by output-channel halves when
the forward kept its input transforms (so no halves' sums to add and its back transform
split too). Measured in one process, ResNet-18 CIFAR layers at batch 16, forward +
backward on two threads: 512 channels at 4x4 27.6 -> 23.0 ms, 256 at 8x8 20.5 -> 16.4 ms
(the weight transforms, the halves' sum and the back transform had run on one thread
between the splits).

Rounding: the transforms add and halve float32 values, so results differ from the direct
sum by a few ulps of the largest term (relative error ~1e-6), as PyTorch's own Winograd and
FFT paths do. Float32/float64 only (integer convolutions stay exact on the GEMM path).
"""
from .. import backend
from .._dtype import FLOATING_NP
from ._host_threads import cached_chunk, in_two_threads, summed

_gam = backend.get_array_module
_as_strided = backend.as_strided

# Both channel counts at least this. 64-channel layers gain only in chunks that keep the
# transforms in cache (below); with 32 channels the transforms' passes over 4x the input
# outweigh the GEMM saving (their time grows with C + OC, the saving with C * OC).
WINO_MIN_CHANNELS = 64
# At least this many 2x2 output tiles over the whole batch (the weight transform is paid
# once per call; a 512-channel layer at 4x4 and batch 16, 64 tiles, forward + backward:
# 19.5 -> 17 ms on one thread, 25.3 -> 22.1 ms on two).
WINO_MIN_TILES = 64
# The batch runs in chunks whose input transform (16 values per tile and channel) takes
# about this many bytes, so that the transients (tiles, transform, products: ~4x this)
# stay in the cores' L2 and the shared L3 between the passes. ResNet-18 CIFAR layers at
# batch 16, forward + backward on two threads, alternated in one process, 8 MB -> 2 MB:
# 64 channels at 32x32 28.8 -> 25.1 ms (im2col + GEMM: 27.7), 128 at 16x16 18.8 -> 18.5,
# 256 and 512 (one chunk) unchanged; in the whole step the 64-channel layers' forward and
# backward took 125 -> 115 ms, and vision_resnet18_train's step 0.96x the time. Smaller
# chunks cost more than they save: 512 KB made the 512-channel layer 23 -> 28 ms.
WINO_CHUNK_BYTES = 2 << 20


def applies(geo, dtype):
    """Whether ``geo`` (a ``conv._Geom``) is computed by Winograd F(2x2, 3x3)."""
    return (geo.n == 2 and geo.K == (3, 3) and geo.stride == (1, 1) and geo.dil == (1, 1)
            and geo.G == 1 and min(geo.C, geo.OC) >= WINO_MIN_CHANNELS
            and geo.N * ((geo.O[0] + 1) // 2) * ((geo.O[1] + 1) // 2) >= WINO_MIN_TILES
            and dtype in FLOATING_NP and dtype.itemsize >= 4)


# The transforms as Kronecker products: U = (G (x) G) g, V = (B^T (x) B^T) d over the
# row-major flattened 3x3 kernel / 4x4 tile, so each is a GEMM with a 16-row matrix
# (memory-bound, but one pass where the separable form took eight): 512 channels, batch 16
# at 4x4: V 7.0 -> 2.3 ms.
def _kron(a, b):
    """The Kronecker product of two matrices given as nested lists."""
    return [[x * y for x in ra for y in rb] for ra in a for rb in b]


def _transpose(a):
    return [list(col) for col in zip(*a)]


_G = [[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]]
_BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
_AT = [[1, 1, 1, 0], [0, 1, -1, -1]]
# The flipped kernel's transform is a permutation of the kernel's: G rev(g) = P G g with P
# swapping rows 0 and 3, so G rev2(g) G^T = P (G g G^T) P^T and the input gradient's U at
# tile position (a, b) is the forward's at (_P[a], _P[b]), channel axes swapped. The
# input-gradient convolution therefore multiplies by the forward's U as it is, transposed,
# with the permutation (an involution) moved into its input transform's rows and its output
# transform's columns, which are free.
_P = (3, 1, 2, 0)
_Q = [4 * _P[a] + _P[b] for a in range(4) for b in range(4)]
# The output transform A^T M A runs as one GEMM with (A^T (x) A^T) when rows hold at most
# this many tiles (512 channels at 4x4: 2.3 -> 1.0 ms); wider rows run it separably, its
# strided passes then long enough (128 channels at 16x16: 3.1 ms against 3.9 as a GEMM).
_NARROW_TILES = 4
_TABLES = {
    "G": _kron(_G, _G),                                     # (16, 9): the weight transform
    "G^T": _transpose(_kron(_G, _G)),                       # (9, 16): back to the kernel
    "B^T": _kron(_BT, _BT),                                 # (16, 16): the input transform
    "B^T flipped": [_kron(_BT, _BT)[q] for q in _Q],        # ... rows in _Q's order
    "A^T": _kron(_AT, _AT),                                 # (4, 16): the output transform
    "A^T flipped": [[row[q] for q in _Q] for row in _kron(_AT, _AT)],
    "A": _transpose(_kron(_AT, _AT)),                       # (16, 4): of the output grad
}
_consts = {}


def _const(xp, name, dtype):
    """Transform matrix ``name`` as an array of ``xp`` in ``dtype`` (cached)."""
    key = (name, xp.__name__, dtype)
    a = _consts.get(key)
    if a is None:
        a = _consts[key] = xp.asarray(_TABLES[name], dtype=dtype)
    return a


def weight_transform(xp, w, split=False):
    """``G g G^T`` of every (output, input) channel pair of ``w`` (OC, C, 3, 3), laid out
    (OC, 16, C): ``u[:, i]`` is tile position i's (OC, C) matrix, rows 16*C apart, a GEMM
    operand as it is (``u.swapaxes(0, 1)``) and, transposed (``u.transpose(1, 2, 0)``), the
    flipped kernel's (see ``_P``). One (16, 9) @ (9, C) product per output channel, the
    output channels halved across two threads with ``split`` (512 channels, one thread:
    2.7 ms, against 4.1 for one (16, 9) @ (9, OC*C) GEMM into (16, OC, C))."""
    OC, C = w.shape[:2]
    kernels = w.reshape(OC, C, 9).swapaxes(1, 2)
    kron = _const(xp, "G", w.dtype)
    u = xp.empty((OC, 16, C), w.dtype)

    def part(lo, hi):
        backend.matmul(xp, kron, kernels[lo:hi], out=u[lo:hi])
    in_two_threads(part, OC, split)
    return u


def _chunks(geo, itemsize, lo=0, hi=None):
    """[(n0, n1)] covering samples lo:hi (the batch by default), each chunk's input
    transform ~WINO_CHUNK_BYTES."""
    hi = geo.N if hi is None else hi
    per = 16 * geo.C * ((geo.O[0] + 1) // 2) * ((geo.O[1] + 1) // 2) * itemsize
    size = max(1, WINO_CHUNK_BYTES // per)
    return [(n0, min(n0 + size, hi)) for n0 in range(lo, hi, size)]


def _input_transform(xp, geo, x, flipped=False):
    """``B^T d B`` of every 4x4 tile (stride 2) of the zero-padded input ``x`` (samples of
    geometry ``geo``): (16, C, tiles); ``flipped``: the tile positions in ``_Q``'s order."""
    N, C = x.shape[0], geo.C
    th, tw = (geo.O[0] + 1) // 2, (geo.O[1] + 1) // 2
    buf = xp.zeros((C, N, 2 * th + 2, 2 * tw + 2), x.dtype)
    (a, b), (i0, i1) = geo.lo, geo.I
    buf[:, :, a:a + i0, b:b + i1] = x.swapaxes(0, 1)
    sc, sn, sy, sx = buf.strides
    tiles = xp.empty((4, 4, C, N, th, tw), x.dtype)
    tiles[...] = _as_strided(buf, tiles.shape, (sy, sx, sc, sn, 2 * sy, 2 * sx))
    bt = _const(xp, "B^T flipped" if flipped else "B^T", x.dtype)
    v = backend.matmul(xp, bt, tiles.reshape(16, -1))
    return v.reshape(16, C, N * th * tw)


def _output_transform(xp, m, out, o0, o1, flipped=False):
    """Write ``A^T M A`` of the products ``m`` (16, OC, tiles) into ``out`` (N, OC, o0, o1);
    ``flipped``: ``m``'s tile positions are in ``_Q``'s order."""
    N, OC = out.shape[:2]
    th, tw = (o0 + 1) // 2, (o1 + 1) // 2
    even = o0 % 2 == 0 and o1 % 2 == 0
    y = out if even else xp.empty((N, OC, 2 * th, 2 * tw), m.dtype)
    yv = y.reshape(N, OC, th, 2, tw, 2).transpose(3, 5, 1, 0, 2, 4)   # (2, 2, OC, N, th, tw)
    if tw <= _NARROW_TILES:     # narrow images: one Kronecker GEMM, then one strided copy
        at = _const(xp, "A^T flipped" if flipped else "A^T", m.dtype)
        a = backend.matmul(xp, at, m.reshape(16, -1))
        yv[...] = a.reshape(2, 2, OC, N, th, tw)
    else:                       # separable: rows, then columns written into the output
        i0, i1, i2, i3 = _P if flipped else range(4)
        m = m.reshape(4, 4, OC, N, th, tw)
        r = xp.empty((2, 4, OC, N, th, tw), m.dtype)
        xp.add(m[i0], m[i1], out=r[0])
        r[0] += m[i2]
        xp.subtract(m[i1], m[i2], out=r[1])
        r[1] -= m[i3]
        xp.add(r[:, i0], r[:, i1], out=yv[:, 0])
        yv[:, 0] += r[:, i2]
        xp.subtract(r[:, i1], r[:, i2], out=yv[:, 1])
        yv[:, 1] -= r[:, i3]
    if not even:
        out[...] = y[:, :, :o0, :o1]


class Kept:
    """What a Winograd forward keeps for its backward: ``vs``, the input transforms
    ({n0: (n1, transform)} or None; ``weight_grad``), and ``u``, the weight transform (or
    None; the input gradient's ``conv(..., flipped=True, u=u)``). Keeping ``u`` (16/9 of the
    weight's size) saves computing it again: in the ResNet-18 CIFAR step, one (16, 9) @
    (9, C) product per output channel of every Winograd layer, ~1.7 ms for each 512-channel
    one on two threads."""

    __slots__ = ("vs", "u")

    def __init__(self, vs, u):
        self.vs, self.u = vs, u


def conv(geo, x, w, bias, out, flipped=False, split=False, u=None):
    """Write ``conv(x, w) + bias`` of geometry ``geo`` into ``out`` (N, OC, *O); with
    ``flipped``, ``w`` is the (C, OC, 3, 3) kernel whose flip and channel swap to use (the
    input gradient of that convolution: its U transposed, see ``_P``). ``u``: ``w``'s
    weight transform when already made. The batch runs in chunks (``_chunks``), with
    ``split`` its two halves on two threads (``_host_threads``). Returns (each chunk's
    input transform as {n0: (n1, transform)} (``weight_grad``'s ``vs``; in ``_Q``'s order
    when ``flipped``), the weight transform)."""
    xp = _gam(x)
    if u is None:
        u = weight_transform(xp, w, split)
    a = u.transpose(1, 2, 0) if flipped else u.swapaxes(0, 1)

    def part(lo, hi):
        vs = {}
        for n0, n1 in _chunks(geo, x.itemsize, lo, hi):
            v = _input_transform(xp, geo, x[n0:n1], flipped)
            _output_transform(xp, backend.matmul(xp, a, v), out[n0:n1], *geo.O, flipped)
            vs[n0] = (n1, v)
        return vs
    vs = {}
    for p in in_two_threads(part, geo.N, split):
        vs.update(p)
    if bias is not None:
        out += bias.reshape(1, geo.OC, 1, 1)
    return vs, u


def _cover(vs, n):
    """The cached input transforms ``vs`` as [(n0, n1, transform)] when they cover samples
    0:n, else None."""
    if not vs:
        return None
    out, at = [], 0
    for n0 in sorted(vs):
        n1, v = vs[n0]
        if n0 != at:
            return None
        out.append((n0, n1, v))
        at = n1
    return out if at == n else None


def weight_grad(geo, g, x, vs=None, split=False):
    """The weight gradient (OC, C, 3, 3) of ``conv(x, .)`` of geometry ``geo`` for output
    gradient ``g``, by the same tiling: the forward is bilinear, so

        dL/dw = G^T [ sum over tiles of (A gy A^T) * (B^T d B) ] G

    with ``gy`` each tile's 2x2 output gradient (zero past the output's edge): 16 GEMMs
    ``(OC, tiles) @ (tiles, C)`` per chunk between the transforms (16/36 of im2col's GEMM
    work, and no columns to rebuild). ``vs``: the forward's input transforms, when kept
    ({n0: (n1, transform)}): when they cover the batch they are used in their own chunks
    (the forward may have chunked it otherwise), and with ``split`` two threads each take
    half the output channels (nothing to add up afterwards, and the back transform halved
    too); else the chunks' transforms not kept are made again, with ``split`` half the
    batch on each thread, their sums then added."""
    xp = _gam(g)
    C, OC, N = geo.C, geo.OC, geo.N
    (o0, o1) = geo.O
    th, tw = (o0 + 1) // 2, (o1 + 1) // 2
    out = xp.empty((OC, C, 3, 3), g.dtype)
    kept = _cover(vs, N)

    def products(c0, c1, chunks):
        """The sum over ``chunks`` [(n0, n1, transform or None)] of the tile products
        for output channels c0:c1: (16, c1 - c0, C)."""
        mw = None
        for n0, n1, v in chunks:
            if v is None:
                v = _input_transform(xp, geo, x[n0:n1])
            gc, n = g[n0:n1, c0:c1], n1 - n0
            if o0 % 2 or o1 % 2:
                gp = xp.zeros((n, c1 - c0, 2 * th, 2 * tw), g.dtype)
                gp[:, :, :o0, :o1] = gc
                gc = gp
            tiles = xp.empty((2, 2, c1 - c0, n, th, tw), g.dtype)
            tiles[...] = gc.reshape(n, c1 - c0, th, 2, tw, 2).transpose(3, 5, 1, 0, 2, 4)
            gy = backend.matmul(xp, _const(xp, "A", g.dtype), tiles.reshape(4, -1))
            p = backend.matmul(xp, gy.reshape(16, c1 - c0, -1), v.swapaxes(1, 2))
            mw = p if mw is None else xp.add(mw, p, out=mw)
        return mw

    def back(mw, c0, c1):
        """``G^T`` of the summed products into ``out[c0:c1]``, written in its layout (the
        transposed product: no transposing copy after it)."""
        gt = _const(xp, "G^T", g.dtype)
        backend.matmul(xp, mw.reshape(16, -1).T, gt.T, out=out[c0:c1].reshape(-1, 9))

    if kept is not None:
        in_two_threads(lambda c0, c1: back(products(c0, c1, kept), c0, c1), OC, split)
    else:
        def part(lo, hi):
            return products(0, OC, [(n0, n1, cached_chunk(vs, n0, n1))
                                    for n0, n1 in _chunks(geo, g.itemsize, lo, hi)])
        back(summed(xp, in_two_threads(part, N, split)), 0, OC)
    return out
