"""Array-level image kernels behind the tensor paths of ``ember.vision.transforms``.

Everything here works on backend arrays (``xp`` is numpy or cupy, from
``backend.get_array_module``) of shape (N, C, H, W) and follows the arithmetic of the
PyTorch CPU kernels that torchvision's tensor paths call:

- ``resize_antialias``: ``F.interpolate(..., antialias=True)`` for 'bilinear' and
  'bicubic'. PyTorch computes, for every output sample ``i`` along an axis, the
  Pillow-style filter weights ``filter((j + xmin - center + 0.5) * invscale)`` with
  ``center = scale * (i + 0.5)``, a support of ``interp_size / 2`` input samples widened
  by ``scale`` when downsampling, normalised to sum 1 ('bicubic' uses a = -0.5 as Pillow
  does, not interpolate's -0.75), in the image's float type as PyTorch does. The taps
  (a few per output sample, computed for all outputs at once) are cached per (size,
  mode, dtype) and applied as weighted gathers along each axis, accumulated in place,
  width first (about 2.5x the time of PyTorch's fused C++ loop on float batches).
- ``grid_sample``: ``F.grid_sample(mode='nearest'|'bilinear', padding_mode='zeros',
  align_corners=False)`` through ``ember.ops.grid_sample.sample`` (one grid may be shared
  by the batch).
- ``rgb_to_hsv`` / ``hsv_to_rgb``: torchvision's ``_rgb2hsv`` / ``_hsv2rgb`` formulas.
- ``equalize_channel``: torchvision's per-channel histogram equalisation.
- ``symmetric_pad``: torchvision's 'symmetric' padding.
"""
import functools

import numpy

from ... import backend

_gam = backend.get_array_module


def _linear_filter(x, ft):
    x = numpy.abs(x)
    return numpy.where(x < 1.0, ft.type(1) - x, ft.type(0)).astype(ft)


def _cubic_filter(x, ft):
    a = ft.type(-0.5)
    x = numpy.abs(x)
    w1 = ((a + ft.type(2)) * x - (a + ft.type(3))) * x * x + ft.type(1)
    w2 = ((a * x - ft.type(5) * a) * x + ft.type(8) * a) * x - ft.type(4) * a
    return numpy.where(x < 1.0, w1, numpy.where(x < 2.0, w2, ft.type(0))).astype(ft)


@functools.lru_cache(maxsize=256)
def antialias_taps(n_in, n_out, mode, dtype):
    """PyTorch's antialiased 1-d resize as taps: ``out[j] = sum_t w[t, j] * x[idx[t, j]]``
    ((K, n_out) arrays, K the widest support, unused taps weigh 0). Computed for all
    outputs at once, in ``dtype`` with the precision of each step of PyTorch's CPU kernel
    (its weights are computed in the image's float type)."""
    ft = numpy.dtype(dtype)
    f = ft.type
    interp_size, filt = (2, _linear_filter) if mode == "bilinear" else (4, _cubic_filter)
    scale = f(n_in / n_out)
    support = f(interp_size * 0.5 * float(scale)) if scale >= 1.0 else f(interp_size * 0.5)
    invscale = float(f(1.0 / float(scale))) if scale >= 1.0 else 1.0
    i = numpy.arange(n_out)
    center = (float(scale) * (i + 0.5)).astype(ft)
    xmin = numpy.maximum(numpy.trunc((center - support).astype(numpy.float64) + 0.5).astype(numpy.int64), 0)
    xmax = numpy.minimum(numpy.trunc((center + support).astype(numpy.float64) + 0.5).astype(numpy.int64), n_in)
    k = max(int((xmax - xmin).max()), 1) if n_out else 1
    j = xmin[:, None] + numpy.arange(k)[None, :]
    valid = j < xmax[:, None]
    d = (j.astype(ft) - center[:, None]).astype(ft)
    w = filt(((d.astype(numpy.float64) + 0.5) * invscale).astype(ft), ft)
    w = numpy.where(valid, w, f(0)).astype(ft)
    total = numpy.cumsum(w, axis=1, dtype=ft)[:, -1:]
    w = numpy.where(total != 0, w / numpy.where(total != 0, total, f(1)), w).astype(ft)
    return numpy.ascontiguousarray(numpy.clip(j, 0, n_in - 1).T), numpy.ascontiguousarray(w.T)


def antialias_matrix(n_in, n_out, mode, dtype=numpy.float64):
    """The same resize as a dense (n_out, n_in) matrix (for reference and tests)."""
    idx, w = antialias_taps(n_in, n_out, mode, numpy.dtype(dtype).str)
    m = numpy.zeros((n_out, n_in), dtype=w.dtype)
    for t in range(idx.shape[0]):
        numpy.add.at(m, (numpy.arange(n_out), idx[t]), w[t])
    return m


def _resize_axis(xp, a, n_out, mode, axis):
    """Resize one axis (-1 or -2) of a float array: each tap is one gather along that axis
    (whole rows for axis -2), weighted and accumulated in place."""
    idx, w = antialias_taps(a.shape[axis], n_out, mode, a.dtype.str)
    idx, w = xp.asarray(idx), xp.asarray(w)
    out = None
    for t in range(idx.shape[0]):
        term = xp.take(a, idx[t], axis=axis)
        term *= w[t] if axis == -1 else w[t][:, None]
        if out is None:
            out = term
        else:
            out += term
    return out


def resize_antialias(a, size, mode):
    """Antialiased resize of a float (..., H, W) array to ``size`` = (h, w): width first,
    then height, PyTorch's order."""
    xp = _gam(a)
    h, w = a.shape[-2:]
    oh, ow = size
    out = a
    if ow != w:
        out = _resize_axis(xp, out, ow, mode, -1)
    if oh != h:
        out = _resize_axis(xp, out, oh, mode, -2)
    return xp.ascontiguousarray(out)


def grid_sample(a, grid, mode):
    """``F.grid_sample(a, grid, mode, 'zeros', align_corners=False)`` on arrays; ``grid``
    (G, Ho, Wo, 2) with G = N or 1 (shared by the batch): ``ember.ops.grid_sample.sample``."""
    from ...ops.grid_sample import sample
    return sample(a, grid, mode)


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
