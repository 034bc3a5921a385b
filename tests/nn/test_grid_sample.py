"""F.grid_sample (every mode x padding_mode x align_corners) and F.affine_grid against
torch: outputs, input and grid gradients (float64 and float32), float64 gradcheck, the
argument errors and the align_corners=None warning."""
import itertools
import warnings

import numpy as np
import pytest

from helpers import torch, needs_torch, assert_close

import ember
from ember.autograd.gradcheck import gradcheck

F = ember.nn.functional
COMBOS = list(itertools.product(["bilinear", "nearest", "bicubic"],
                                ["zeros", "border", "reflection"], [False, True]))


def _inputs(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((2, 3, 5, 6)).astype(dtype),
            rng.uniform(-1.3, 1.3, (2, 4, 7, 2)).astype(dtype),     # some samples outside
            rng.standard_normal((2, 3, 4, 7)).astype(dtype))


@needs_torch
@pytest.mark.parametrize("mode,padding_mode,align_corners", COMBOS)
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners, dtype, tol):
    x, g, w = _inputs(dtype)
    outs = []
    for lib in (ember, torch):
        lx, lg = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = lib.nn.functional.grid_sample(lx, lg, mode, padding_mode, align_corners)
        (y * lib.tensor(w)).sum().backward()
        outs.append((y, lx.grad, lg.grad))
    for e, t in zip(*outs):
        assert_close(e, t, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         [c for c in COMBOS if c[0] != "nearest"])
def test_grid_sample_gradcheck(mode, padding_mode, align_corners):
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    # keep samples off the kinks (integer pixel positions, clip/reflect edges)
    g = ember.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: F.grid_sample(a, b, mode, padding_mode, align_corners),
                     (x, g))


@needs_torch
@pytest.mark.parametrize("size", [[2, 3, 4, 5], [2, 1, 1, 3], [2, 3, 2, 3, 4]])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(size, align_corners):
    rng = np.random.default_rng(2)
    k = len(size) - 2
    th = rng.standard_normal((2, k, k + 1))
    w = rng.standard_normal(tuple(size[:1]) + tuple(size[2:]) + (k,))
    res = []
    for lib in (ember, torch):
        t = lib.tensor(th, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grid = lib.nn.functional.affine_grid(t, size, align_corners)
        (grid * lib.tensor(w)).sum().backward()
        res.append((grid, t.grad))
    for e, t in zip(*res):
        assert_close(e, t, rtol=1e-12, atol=1e-12)


@needs_torch
def test_affine_grid_then_grid_sample_rotation_matches_torch():
    x = np.random.default_rng(3).standard_normal((1, 2, 8, 8)).astype(np.float32)
    c, s = np.cos(0.3), np.sin(0.3)
    th = np.array([[[c, -s, 0.1], [s, c, -0.2]]], np.float32)
    ys = [lib.nn.functional.grid_sample(
        lib.tensor(x), lib.nn.functional.affine_grid(lib.tensor(th), [1, 2, 8, 8], False),
        align_corners=False) for lib in (ember, torch)]
    assert_close(*ys, rtol=1e-5, atol=1e-5)


@needs_torch
def test_errors_and_warning_match_torch():
    for lib in (ember, torch):
        f = lib.nn.functional
        x, g = lib.zeros(1, 1, 2, 2), lib.zeros(1, 2, 2, 2)
        with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or "
                                             "'bicubic', but got: 'area'"):
            f.grid_sample(x, g, mode="area")
        with pytest.raises(ValueError, match="expected padding_mode to be 'zeros', 'border', "
                                             "or 'reflection', but got: 'wrap'"):
            f.grid_sample(x, g, padding_mode="wrap")
        with pytest.raises(RuntimeError, match="expected grid and input to have same batch"):
            f.grid_sample(x, lib.zeros(2, 2, 2, 2), align_corners=False)
        with pytest.raises(RuntimeError, match="expected grid to have size 2 in last dim"):
            f.grid_sample(x, lib.zeros(1, 2, 2, 3), align_corners=False)
        with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
            f.grid_sample(x, g)
        with pytest.raises(ValueError, match="Expected theta to have floating point type"):
            f.affine_grid(lib.zeros(1, 2, 3, dtype=lib.int64), [1, 1, 2, 2], False)
        with pytest.raises(ValueError, match="Expected a batch of 2D affine matrices"):
            f.affine_grid(lib.zeros(1, 3, 4), [1, 1, 2, 2], False)
        with pytest.raises(NotImplementedError, match="affine_grid only supports 4D and 5D"):
            f.affine_grid(lib.zeros(1, 2, 3), [1, 2, 2], False)
