"""Array-level image kernels behind the tensor paths of ``ember.vision.transforms``.

Everything here works on backend arrays (``xp`` is numpy or cupy, from
``backend.get_array_module``) of shape (N, C, H, W) and follows the arithmetic of the
PyTorch CPU kernels that torchvision's tensor paths call:

- ``resize_antialias``: ``F.interpolate(..., antialias=True)`` for 'bilinear' and
  'bicubic'. PyTorch computes, for every output sample ``i`` along an axis, the
  Pillow-style filter weights ``filter((j + xmin - center + 0.5) * invscale)`` with
  ``center = scale * (i + 0.5)``, a support of ``interp_size / 2`` input samples widened
  by ``scale`` when downsampling, normalised to sum 1 ('bicubic' uses a = -0.5 as Pillow
  does, not interpolate's -0.75). We build the same weights as one dense (out, in)
  matrix per axis and apply them as two matrix products, width first.
- ``grid_sample``: ``F.grid_sample(mode='nearest'|'bilinear', padding_mode='zeros',
  align_corners=False)``: unnormalise ``x * (W / 2) + (W - 1) / 2``; bilinear mixes the
  four neighbours (outside ones count as 0), nearest rounds half to even.
- ``rgb_to_hsv`` / ``hsv_to_rgb``: torchvision's ``_rgb2hsv`` / ``_hsv2rgb`` formulas.
- ``equalize_lut``: torchvision's per-channel histogram equalisation table.
"""
import numpy

from ... import backend

_gam = backend.get_array_module


def _linear_filter(x):
    x = numpy.abs(x)
    return numpy.where(x < 1.0, 1.0 - x, 0.0)


def _cubic_filter(x, a=-0.5):
    x = numpy.abs(x)
    w1 = ((a + 2) * x - (a + 3)) * x * x + 1
    w2 = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return numpy.where(x < 1.0, w1, numpy.where(x < 2.0, w2, 0.0))


def antialias_matrix(n_in, n_out, mode):
    """The (n_out, n_in) matrix of PyTorch's antialiased 1-d resize (float64)."""
    interp_size, filt = (2, _linear_filter) if mode == "bilinear" else (4, _cubic_filter)
    scale = n_in / n_out
    support = interp_size * 0.5 * scale if scale >= 1.0 else interp_size * 0.5
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    m = numpy.zeros((n_out, n_in))
    for i in range(n_out):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), n_in)
        j = numpy.arange(xmin, xmax)
        w = filt((j - center + 0.5) * invscale)
        total = w.sum()
        if total != 0.0:
            w = w / total
        m[i, xmin:xmax] = w
    return m


def resize_antialias(a, size, mode):
    """Antialiased resize of a float (N, C, H, W) array to ``size`` = (h, w)."""
    xp = _gam(a)
    h, w = a.shape[-2:]
    oh, ow = size
    out = a
    if ow != w:
        mw = xp.asarray(antialias_matrix(w, ow, mode).T.astype(a.dtype))
        out = backend.matmul(xp, out, mw)
    if oh != h:
        mh = xp.asarray(antialias_matrix(h, oh, mode).astype(a.dtype))
        out = backend.matmul(xp, mh, out)
    return xp.ascontiguousarray(out)


def grid_sample(a, grid, mode):
    """Sample float (N, C, H, W) ``a`` at normalised (N, Ho, Wo, 2) ``grid`` (x, y last);
    zeros outside, align_corners=False."""
    xp = _gam(a)
    n, c, h, w = a.shape
    ft = a.dtype.type
    one, two = ft(1), ft(2)
    gx = ((grid[..., 0] + one) * ft(w) - one) / two     # PyTorch's unnormalisation, op for op:
    gy = ((grid[..., 1] + one) * ft(h) - one) / two     # nearest ties (x.5) round the same way
    flat = a.reshape(n, c, h * w)
    bidx = xp.arange(n)[:, None, None]

    def tap(ix, iy):
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        lin = xp.where(inside, iy * w + ix, 0).astype(xp.int64)        # (N, Ho, Wo)
        vals = flat[bidx, :, lin]                                       # (N, Ho, Wo, C)
        return vals, inside

    if mode == "nearest":
        ix = xp.rint(gx).astype(xp.int64)
        iy = xp.rint(gy).astype(xp.int64)
        vals, inside = tap(ix, iy)
        out = vals * inside[..., None].astype(a.dtype)
    else:
        x0 = xp.floor(gx)
        y0 = xp.floor(gy)
        wx = gx - x0
        wy = gy - y0
        ex = ft(1) - wx
        sy = ft(1) - wy
        x0i = x0.astype(xp.int64)
        y0i = y0.astype(xp.int64)
        out = None
        for dx, dy, wgt in ((0, 0, sy * ex), (1, 0, sy * wx), (0, 1, wy * ex), (1, 1, wy * wx)):
            vals, inside = tap(x0i + dx, y0i + dy)
            term = vals * (wgt * inside)[..., None]
            out = term if out is None else out + term
    return xp.ascontiguousarray(xp.moveaxis(out, -1, 1)).astype(a.dtype, copy=False)


def rgb_to_hsv(img):
    """torchvision's ``_rgb2hsv`` on a float (..., 3, H, W) array."""
    xp = _gam(img)
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc = img.max(axis=-3)
    minc = img.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = xp.ones_like(maxc)
    s = cr / xp.where(eqc, ones, maxc)
    cr_div = xp.where(eqc, ones, cr)
    rc = (maxc - r) / cr_div
    gc = (maxc - g) / cr_div
    bc = (maxc - b) / cr_div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = (hr + hg + hb).astype(img.dtype)
    h = xp.fmod(h / img.dtype.type(6.0) + img.dtype.type(1.0), img.dtype.type(1.0))
    return xp.stack((h, s, maxc), axis=-3)


def hsv_to_rgb(img):
    """torchvision's ``_hsv2rgb`` on a float (..., 3, H, W) array."""
    xp = _gam(img)
    ft = img.dtype.type
    h, s, v = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    i = xp.floor(h * ft(6.0))
    f = h * ft(6.0) - i
    i = i.astype(xp.int32) % 6
    p = xp.clip(v * (ft(1.0) - s), 0.0, 1.0)
    q = xp.clip(v * (ft(1.0) - s * f), 0.0, 1.0)
    t = xp.clip(v * (ft(1.0) - s * (ft(1.0) - f)), 0.0, 1.0)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    out = []
    for row in table:
        ch = xp.zeros_like(v)
        for k in range(6):
            ch = xp.where(i == k, row[k], ch)
        out.append(ch)
    return xp.stack(out, axis=-3)


def equalize_channel(chan):
    """torchvision's ``_scale_channel`` on one uint8 (H, W) array."""
    xp = _gam(chan)
    hist = xp.bincount(chan.reshape(-1), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return chan
    lut = (xp.cumsum(hist) + step // 2) // step
    lut = xp.concatenate([xp.zeros(1, lut.dtype), lut[:-1]]).clip(0, 255)
    return lut[chan.astype(xp.int64)].astype(xp.uint8)


def symmetric_pad(a, left, right, top, bottom):
    """torchvision's symmetric padding (edge sample repeated) of the last two axes."""
    xp = _gam(a)
    if min(left, right, top, bottom) < 0:
        a = a[..., max(-top, 0):a.shape[-2] - max(-bottom, 0),
              max(-left, 0):a.shape[-1] - max(-right, 0)]
        left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
    return xp.pad(a, [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)], mode="symmetric")
