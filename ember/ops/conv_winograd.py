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

Rounding: the transforms add and halve float32 values, so results differ from the direct
sum by a few ulps of the largest term (relative error ~1e-6), as PyTorch's own Winograd and
FFT paths do. Float32/float64 only (integer convolutions stay exact on the GEMM path).
"""
from .. import backend
from .._dtype import FLOATING_NP

_gam = backend.get_array_module
_as_strided = backend.as_strided

# Both channel counts at least this (64-channel layers ran 1.5x slower: the transforms'
# passes over 4x the input outweigh the GEMM saving when C*OC is small).
WINO_MIN_CHANNELS = 128
# At least this many 2x2 output tiles over the whole batch (the weight transform is paid
# once per call: a 512-channel layer at 4x4 and batch 16, 64 tiles, ran slower; 128 tiles
# at 256 channels was even).
WINO_MIN_TILES = 256


def applies(geo, dtype):
    """Whether ``geo`` (a ``conv._Geom``) is computed by Winograd F(2x2, 3x3)."""
    return (geo.n == 2 and geo.K == (3, 3) and geo.stride == (1, 1) and geo.dil == (1, 1)
            and geo.G == 1 and min(geo.C, geo.OC) >= WINO_MIN_CHANNELS
            and geo.N * ((geo.O[0] + 1) // 2) * ((geo.O[1] + 1) // 2) >= WINO_MIN_TILES
            and dtype in FLOATING_NP and dtype.itemsize >= 4)


def _weight_transform(xp, w):
    """``G g G^T`` for every (output, input) channel pair: (4, 4, OC, C)."""
    OC, C = w.shape[:2]
    wt = xp.empty((3, 3, OC, C), w.dtype)
    wt[...] = w.transpose(2, 3, 0, 1)
    half = w.dtype.type(0.5)
    rows = xp.empty((4, 3, OC, C), w.dtype)     # G g: over the kernel rows
    rows[0] = wt[0]
    rows[3] = wt[2]
    xp.add(wt[0], wt[2], out=rows[1])
    xp.subtract(rows[1], wt[1], out=rows[2])
    rows[1] += wt[1]
    rows[1:3] *= half
    u = xp.empty((4, 4, OC, C), w.dtype)        # (G g) G^T: over the kernel columns
    u[:, 0] = rows[:, 0]
    u[:, 3] = rows[:, 2]
    xp.add(rows[:, 0], rows[:, 2], out=u[:, 1])
    xp.subtract(u[:, 1], rows[:, 1], out=u[:, 2])
    u[:, 1] += rows[:, 1]
    u[:, 1:3] *= half
    return u.reshape(16, OC, C)


def _input_transform(xp, geo, x):
    """``B^T d B`` of every 4x4 tile (stride 2) of the zero-padded input: (16, C, tiles)."""
    N, C = geo.N, geo.C
    th, tw = (geo.O[0] + 1) // 2, (geo.O[1] + 1) // 2
    buf = xp.zeros((C, N, 2 * th + 2, 2 * tw + 2), x.dtype)
    (a, b), (i0, i1) = geo.lo, geo.I
    buf[:, :, a:a + i0, b:b + i1] = x.swapaxes(0, 1)
    sc, sn, sy, sx = buf.strides
    d = _as_strided(buf, (4, 4, C, N, th, tw), (sy, sx, sc, sn, 2 * sy, 2 * sx))
    t = xp.empty((4, 4, C, N, th, tw), x.dtype)     # B^T d: over the tile rows
    xp.subtract(d[0], d[2], out=t[0])
    xp.add(d[1], d[2], out=t[1])
    xp.subtract(d[2], d[1], out=t[2])
    xp.subtract(d[1], d[3], out=t[3])
    v = xp.empty((4, 4, C, N, th, tw), x.dtype)     # (B^T d) B: over the tile columns
    xp.subtract(t[:, 0], t[:, 2], out=v[:, 0])
    xp.add(t[:, 1], t[:, 2], out=v[:, 1])
    xp.subtract(t[:, 2], t[:, 1], out=v[:, 2])
    xp.subtract(t[:, 1], t[:, 3], out=v[:, 3])
    return v.reshape(16, C, N * th * tw)


def conv(geo, x, w, bias, out):
    """Write ``conv(x, w) + bias`` of geometry ``geo`` into ``out`` (N, OC, *O)."""
    xp = _gam(x)
    N, OC = geo.N, geo.OC
    (o0, o1) = geo.O
    th, tw = (o0 + 1) // 2, (o1 + 1) // 2
    m = backend.matmul(xp, _weight_transform(xp, w), _input_transform(xp, geo, x))
    m = m.reshape(4, 4, OC, N, th, tw)
    r = xp.empty((2, 4, OC, N, th, tw), x.dtype)    # A^T M: over the tile rows
    xp.add(m[0], m[1], out=r[0])
    r[0] += m[2]
    xp.subtract(m[1], m[2], out=r[1])
    r[1] -= m[3]
    even = o0 % 2 == 0 and o1 % 2 == 0
    y = out if even else xp.empty((N, OC, 2 * th, 2 * tw), x.dtype)
    yv = y.reshape(N, OC, th, 2, tw, 2).transpose(3, 5, 1, 0, 2, 4)   # (2, 2, OC, N, th, tw)
    xp.add(r[:, 0], r[:, 1], out=yv[:, 0])          # (A^T M) A: over the tile columns
    yv[:, 0] += r[:, 2]
    xp.subtract(r[:, 1], r[:, 2], out=yv[:, 1])
    yv[:, 1] -= r[:, 3]
    if not even:
        out[...] = y[:, :, :o0, :o1]
    if bias is not None:
        out += bias.reshape(1, OC, 1, 1)
