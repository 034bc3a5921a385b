"""``F.grid_sample`` (2-D: bilinear, nearest, bicubic; 3-D: trilinear, nearest; padding
zeros/border/reflection; align_corners) and ``F.affine_grid`` (2-D and 3-D).

Follows PyTorch's CPU ``grid_sampler_2d`` arithmetic: the grid is unnormalised to pixel
coordinates (``((x + 1) / 2) * (W - 1)`` with align_corners, else ``((x + 1) * W - 1) / 2``),
'border' clips and 'reflection' reflects them (bilinear/nearest: the source coordinate;
bicubic: each of the 16 tap coordinates), nearest rounds half to even, bicubic uses
A = -0.75. Every mode is a list of taps (pixel index, in-bounds mask, weight and its
derivatives), so forward is a weighted gather, the input gradient a scatter-add of the
same weights and the grid gradient the weights' derivatives (times the chain factor of
unnormalisation and padding). Like PyTorch, the sampler's backward is not differentiable
again. Volumetric (5-D) input uses the same taps over three axes (2^3 trilinear corners),
as PyTorch's ``grid_sampler_3d``.
"""
import warnings

from .. import backend
from ..autograd.function import ArrayFunction

__all__ = ["grid_sample", "affine_grid"]

_A = -0.75
_DEFAULT_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                    "align_corners=False since 1.3.0. Please specify align_corners=True if "
                    "the old behavior is desired. See the documentation of grid_sample for "
                    "details.")


def _unnormalize(xp, coord, size, align_corners):
    """Pixel coordinate of a normalised one, and d(pixel)/d(normalised)."""
    if align_corners:
        return ((coord + 1) / 2) * (size - 1), (size - 1) / 2
    return ((coord + 1) * size - 1) / 2, size / 2


def _clip(xp, x, size):
    """Clip to [0, size - 1]; the derivative is 0 where clipped (PyTorch's set_grad rule)."""
    inside = (x > 0) & (x < size - 1)
    return xp.clip(x, 0, size - 1), inside.astype(x.dtype)


def _reflect(xp, x, twice_low, twice_high):
    """Reflect into [twice_low / 2, twice_high / 2] (PyTorch's reflect_coordinates), with
    the derivative (+1 or -1)."""
    if twice_low == twice_high:
        return xp.zeros_like(x), xp.zeros_like(x)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = x - low
    sign = xp.where(x < 0, -1, 1).astype(x.dtype)
    x = xp.abs(x)
    extra = xp.fmod(x, span)
    even = (xp.floor(x / span) % 2) == 0
    return (xp.where(even, extra + low, span - extra + low),
            xp.where(even, sign, -sign))


def _pad_coordinates(xp, x, size, padding_mode, align_corners):
    """Apply 'border'/'reflection' to pixel coordinates; returns (coords, derivative)."""
    if padding_mode == "zeros":
        return x, xp.ones_like(x)
    if padding_mode == "reflection":
        if align_corners:
            x, d = _reflect(xp, x, 0, 2 * (size - 1))
        else:
            x, d = _reflect(xp, x, -1, 2 * size - 1)
        x, dc = _clip(xp, x, size)
        return x, d * dc
    return _clip(xp, x, size)


def _cubic(xp, t):
    """The four cubic convolution weights for fraction ``t`` and their d/dt."""
    a = _A

    def near(x):            # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):             # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def dnear(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def dfar(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    w = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    dw = [dfar(t + 1), dnear(t), -dnear(1 - t), -dfar(2 - t)]
    return w, dw


def _taps(xp, grid, sizes, mode, padding_mode, align_corners):
    """The sampling taps for a (N, *out, k) grid over an input of spatial ``sizes`` given
    in the grid's coordinate order (W, H) or (W, H, D): a list of (flat pixel index (N, P),
    weight (N, P), [d weight / d grid coordinate, one per axis]), masked taps weighted 0."""
    n, k = grid.shape[0], grid.shape[-1]
    coords, chains = [], []
    for axis in range(k):
        c, m = _unnormalize(xp, grid[..., axis].reshape(n, -1), sizes[axis], align_corners)
        coords.append(c)
        chains.append(m)
    strides = [1]
    for size in sizes[:-1]:
        strides.append(strides[-1] * size)
    taps = []

    def add(idx, wgt, dws):
        inside = None
        lin = 0
        for i, size, stride in zip(idx, sizes, strides):
            ok = (i >= 0) & (i < size)
            inside = ok if inside is None else inside & ok
            lin = lin + i * stride
        lin = xp.where(inside, lin, 0).astype(xp.int64)
        m = inside.astype(grid.dtype)
        taps.append((lin, wgt * m, [d * m for d in dws]))

    if mode == "bicubic":                                       # 2-D only (as in PyTorch)
        (ix, iy), (mx, my), (w, h) = coords, chains, sizes
        x0, y0 = xp.floor(ix), xp.floor(iy)
        wx, dwx = _cubic(xp, ix - x0)
        wy, dwy = _cubic(xp, iy - y0)
        for j in range(4):
            yj, _ = _pad_coordinates(xp, y0 - 1 + j, h, padding_mode, align_corners)
            for i in range(4):
                xi, _ = _pad_coordinates(xp, x0 - 1 + i, w, padding_mode, align_corners)
                add((xi.astype(xp.int64), yj.astype(xp.int64)), wx[i] * wy[j],
                    [dwx[i] * wy[j] * mx, wx[i] * dwy[j] * my])
        return taps
    padded = [_pad_coordinates(xp, c, size, padding_mode, align_corners)
              for c, size in zip(coords, sizes)]
    coords = [c for c, _ in padded]
    if mode == "nearest":
        zero = xp.zeros_like(coords[0])
        add([xp.rint(c).astype(xp.int64) for c in coords], xp.ones_like(coords[0]),
            [zero] * k)
        return taps
    chains = [m * d for m, (_, d) in zip(chains, padded)]
    lows = [xp.floor(c) for c in coords]
    below = [lo + 1 - c for c, lo in zip(coords, lows)]      # PyTorch's (ix_se - ix) ...
    above = [c - lo for c, lo in zip(coords, lows)]          # ... and (ix - ix_nw)
    lows = [lo.astype(xp.int64) for lo in lows]
    for corner in range(2 ** k):                              # bit a set: the upper neighbour
        bits = [(corner >> a) & 1 for a in range(k)]
        factors = [above[a] if bits[a] else below[a] for a in range(k)]
        wgt = factors[0]
        for f in factors[1:]:
            wgt = wgt * f
        dws = []
        for a in range(k):
            d = chains[a] if bits[a] else -chains[a]
            for b in range(k):
                if b != a:
                    d = d * factors[b]
            dws.append(d)
        add([lo + bit for lo, bit in zip(lows, bits)], wgt, dws)
    return taps


def _gather(xp, planes, lin):
    """planes (N, C, pixels), lin (N, P) -> (N, C, P)."""
    return xp.take_along_axis(planes, lin[:, None, :], axis=2)


def _grid_sizes(a):
    """The input's spatial sizes in the grid's coordinate order (x = W first)."""
    return tuple(reversed(a.shape[2:]))


def sample(a, grid, mode, padding_mode="zeros", align_corners=False):
    """The sampler on arrays: float (N, C, [D,] H, W) ``a`` at (G, [Do,] Ho, Wo, 2 or 3)
    ``grid`` with G = N, or G = 1 for one grid shared by the whole batch
    (``ember.vision.transforms``' geometric transforms), which costs one gather per tap for
    the batch."""
    xp = backend.get_array_module(a)
    n, c = a.shape[:2]
    g, out_spatial = grid.shape[0], grid.shape[1:-1]
    taps = _taps(xp, grid, _grid_sizes(a), mode, padding_mode, align_corners)
    planes = a.reshape(g, (n // g) * c, -1)          # (G, planes sharing a grid, pixels)
    out = None
    for lin, wgt, _ in taps:
        term = _gather(xp, planes, lin) * wgt[:, None, :]
        out = term if out is None else out + term
    return xp.ascontiguousarray(out.reshape((n, c) + tuple(out_spatial))).astype(
        a.dtype, copy=False)


class GridSampler2d(ArrayFunction):
    """``torch.grid_sampler_2d`` (and ``_3d``: the taps are N-d): forward a weighted gather
    over the taps."""

    node_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx, input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
        ctx.args = (mode, padding_mode, align_corners)
        ctx.save_for_backward(input, grid)
        return sample(input, grid, mode, padding_mode, align_corners)

    @staticmethod
    def backward(ctx, g):
        input, grid = ctx.saved_tensors
        need = ctx.needs_input_grad[:2]
        gi, gg = GridSampler2dBackward.apply(g, input, grid, *ctx.args, need=tuple(need))
        return (gi if need[0] else None), (gg if need[1] else None)


class GridSampler3d(GridSampler2d):
    """``torch.grid_sampler_3d``: volumetric input (N, C, D, H, W), grid (N, Do, Ho, Wo, 3)."""

    node_name = "GridSampler3DBackward0"


class GridSampler2dBackward(ArrayFunction):
    """Input gradient (scatter-add of the tap weights) and grid gradient (their derivatives)."""

    @staticmethod
    def forward(ctx, g, input, grid, mode, padding_mode, align_corners, need=(True, True)):
        xp = backend.get_array_module(input)
        n, c = input.shape[:2]
        pixels = _prod(input.shape[2:])
        k = grid.shape[-1]
        taps = _taps(xp, grid, _grid_sizes(input), mode, padding_mode, align_corners)
        go = g.reshape(n, c, -1)
        planes = input.reshape(n, c, pixels)
        gi = xp.zeros(n * c * pixels, dtype=input.dtype)
        gcoord = [xp.zeros(go.shape[0::2], dtype=grid.dtype) for _ in range(k)]
        base = (xp.arange(n * c, dtype=xp.int64) * pixels).reshape(n, c, 1)
        for lin, wgt, dws in taps:
            if need[0]:
                idx = (base + lin[:, None, :]).ravel()
                vals = (go * wgt[:, None, :]).ravel()
                gi += xp.bincount(idx, weights=vals, minlength=gi.size).astype(gi.dtype)
            if need[1] and mode != "nearest":
                contrib = (go * _gather(xp, planes, lin)).sum(axis=1)
                for acc, d in zip(gcoord, dws):
                    acc += contrib * d
        gg = xp.stack(gcoord, axis=-1).reshape(grid.shape).astype(grid.dtype, copy=False)
        return gi.reshape(input.shape), gg

    @staticmethod
    def backward(ctx, ggi, ggg):
        raise NotImplementedError("the derivative of grid_sampler_2d_backward is not "
                                  "implemented (as in PyTorch)")


def _prod(xs):
    out = 1
    for x in xs:
        out *= int(x)
    return out


def check_grid_sampler(input, grid, mode, ndim=None):
    """ATen's ``grid_sampler`` checks (dtype, rank, batch, last grid dimension, empty
    spatial dimensions, bicubic only in 2-D); ``ndim`` 4 or 5 for the fixed-rank
    ``grid_sampler_2d`` / ``_3d`` entry points."""
    if input.dtype != grid.dtype:
        raise RuntimeError("grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    ranks = (ndim,) if ndim else (4, 5)
    if input.dim() not in ranks or grid.dim() != input.dim():
        which = {4: "4D", 5: "5D"}.get(ndim, "4D or 5D")
        raise RuntimeError(f"grid_sampler(): expected {which} input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    k = input.dim() - 2
    if grid.shape[-1] != k:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {k} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def apply_grid_sampler(input, grid, mode, padding_mode, align_corners):
    """The checked sampler Function for 4-D or 5-D input."""
    fn = GridSampler2d if input.dim() == 4 else GridSampler3d
    return fn.apply(input, grid, mode=mode, padding_mode=padding_mode,
                    align_corners=bool(align_corners))


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """``F.grid_sample``: sample ``input`` (N, C, H, W) at ``grid`` (N, Ho, Wo, 2) (x, y in
    [-1, 1]) -> (N, C, Ho, Wo), or volumetric ``input`` (N, C, D, H, W) at (N, Do, Ho, Wo, 3)
    (x, y, z) -> (N, C, Do, Ho, Wo) ('bilinear' is trilinear there; no 'bicubic')."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, stacklevel=2)
        align_corners = False
    check_grid_sampler(input, grid, mode)
    return apply_grid_sampler(input, grid, mode, padding_mode, align_corners)


def _base_coords(n, align_corners, like):
    """PyTorch's affine_grid base coordinates along one axis (linspace, shrunk unless
    align_corners; 0 for a single sample)."""
    from .. import linspace
    if n <= 1:
        return linspace(0.0, 0.0, 1, dtype=like.dtype)
    c = linspace(-1.0, 1.0, n, dtype=like.dtype)
    return c if align_corners else c * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """``F.affine_grid``: the (N, H, W, 2) (or (N, D, H, W, 3)) sampling grid of the affine
    maps ``theta`` (N, 2, 3) (or (N, 3, 4)); differentiable in ``theta`` (a batched matmul)."""
    from .. import ones, stack
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    axes = [_base_coords(s, align_corners, theta) for s in reversed(spatial)]   # x, y(, z)
    shape = tuple(spatial)
    k = len(spatial)
    comps = []
    for i, a in enumerate(axes):            # axis i (x first) varies along dim k - 1 - i
        view = [1] * k
        view[k - 1 - i] = a.shape[0]
        comps.append(a.reshape(*view).expand(*shape))
    comps.append(ones(*shape, dtype=theta.dtype))
    base = stack(comps, dim=-1).reshape(1, -1, k + 1)
    n = size[0]
    grid = base.expand(n, base.shape[1], k + 1).bmm(theta.transpose(1, 2))
    return grid.reshape(n, *shape, k)
