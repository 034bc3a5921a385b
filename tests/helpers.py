"""Shared test helpers: optional torch, array conversion, comparison with stated tolerances."""
import numpy as np
import pytest

try:
    import torch
except ImportError:  # parity tests skip without PyTorch
    torch = None

import ember

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed")


def to_numpy(t):
    """A float64/int/bool NumPy copy of an ember or torch tensor (bfloat16 via float32)."""
    if t is None:
        return None
    if isinstance(t, ember.Tensor):
        a = t.detach().numpy()
        return a.astype(np.float32) if a.dtype.kind == "V" else a
    if torch is not None and isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy()
    return np.asarray(t)


def dtype_name(t):
    return str(t.dtype).split(".")[-1]


def assert_close(ours, theirs, rtol=1e-5, atol=1e-6, check_dtype=True, msg=""):
    """Compare an ember result with a torch (or numpy) result: shape, dtype and values."""
    if isinstance(ours, (tuple, list)):
        assert isinstance(theirs, (tuple, list)) and len(ours) == len(theirs), msg
        for o, t in zip(ours, theirs):
            assert_close(o, t, rtol, atol, check_dtype, msg)
        return
    if not isinstance(ours, ember.Tensor):
        assert not hasattr(theirs, "shape") or theirs.dim() == 0, msg
        theirs = theirs.item() if hasattr(theirs, "item") else theirs
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=msg)
        return
    assert tuple(ours.shape) == tuple(theirs.shape), f"{msg} shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    if check_dtype and hasattr(theirs, "dtype"):
        assert dtype_name(ours) == dtype_name(theirs), f"{msg} dtype {ours.dtype} != {theirs.dtype}"
    a, b = to_numpy(ours), to_numpy(theirs)
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=msg)
    else:
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=msg)
