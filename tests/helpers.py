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


# -- modules against torch's ---------------------------------------------------------------

def copy_state(m_e, m_t):
    """Load torch module ``m_t``'s state_dict (parameters and buffers) into ember's ``m_e``."""
    m_e.load_state_dict({k: ember.tensor(v.detach().cpu().numpy())
                         for k, v in m_t.state_dict().items()})


def _floats(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _floats(o)]
    return [out] if out is not None and hasattr(out, "requires_grad") and out.requires_grad \
        else []


def assert_module_parity(make, inputs, *, rtol=1e-5, atol=1e-5, grad_rtol=None, grad_atol=None,
                         train=True, call=None, check_repr=True, seed=1):
    """One ember layer against torch's on the same weights and inputs.

    ``make(lib)`` builds the module with ``lib`` (ember or torch); ``inputs`` is a list of
    NumPy arrays (float arrays become tensors that require grad) or ``lambda lib: value``
    for other arguments (masks, index tensors, flags). ``call(module, *args)`` runs the
    forward (default ``module(*args)``). Checks, in order: ``repr`` (``torch`` read as
    ``ember``), ``state_dict`` keys in order and their shapes, the outputs (every tensor of
    a nested tuple/list, ``None`` where torch gives None), and after a backward of a random
    weighting of every differentiable output, the gradients of all inputs and of all
    named parameters. Returns ``(module_ember, module_torch, out_ember, out_torch)``.
    """
    m_t = make(torch)
    m_e = make(ember)
    if check_repr:
        assert repr(m_e) == repr(m_t).replace("torch", "ember"), (repr(m_e), repr(m_t))
    sd_e, sd_t = m_e.state_dict(), m_t.state_dict()
    assert list(sd_e) == list(sd_t), (list(sd_e), list(sd_t))
    for k, v in sd_t.items():
        assert tuple(sd_e[k].shape) == tuple(v.shape), f"state_dict[{k!r}] shape"
    copy_state(m_e, m_t)
    m_e.train(train)
    m_t.train(train)
    call = call or (lambda m, *args: m(*args))
    args = {}
    for lib in (ember, torch):
        args[lib] = [x(lib) if callable(x) else
                     lib.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    out_e, out_t = call(m_e, *args[ember]), call(m_t, *args[torch])
    assert_close(out_e, out_t, rtol, atol, msg="output")
    diff_e, diff_t = _floats(out_e), _floats(out_t)
    assert len(diff_e) == len(diff_t), "different numbers of differentiable outputs"
    if diff_t:
        rng = np.random.default_rng(seed)
        ws = [rng.standard_normal(tuple(o.shape)).astype(np.float32) for o in diff_t]
        sum((o * ember.tensor(w, dtype=o.dtype)).sum() for o, w in zip(diff_e, ws)).backward()
        sum((o * torch.tensor(w, dtype=o.dtype)).sum() for o, w in zip(diff_t, ws)).backward()
        grtol = rtol * 10 if grad_rtol is None else grad_rtol
        gatol = atol * 10 if grad_atol is None else grad_atol
        for i, (a, b) in enumerate(zip(args[ember], args[torch])):
            if isinstance(b, torch.Tensor) and b.requires_grad:
                assert (a.grad is None) == (b.grad is None), f"input {i}: grad presence"
                if b.grad is not None:
                    assert_close(a.grad, b.grad, grtol, gatol, msg=f"grad of input {i}")
        params_e, params_t = dict(m_e.named_parameters()), dict(m_t.named_parameters())
        assert list(params_e) == list(params_t)
        for name, pt in params_t.items():
            pe = params_e[name]
            assert (pe.grad is None) == (pt.grad is None), f"{name}: grad presence"
            if pt.grad is not None:
                assert_close(pe.grad, pt.grad, grtol, gatol, msg=f"grad of {name}")
    return m_e, m_t, out_e, out_t
