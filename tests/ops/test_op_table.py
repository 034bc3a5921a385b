"""Every op of the sample table: forward and backward parity with PyTorch, and gradcheck.

Parity runs the same NumPy inputs through ember and torch (float32, and non-contiguous
layouts); gradcheck compares ember's analytical gradients with finite differences in
float64. Tolerances are per sample (default rtol=atol=1e-5 in float32).
"""
import importlib

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch, assert_close
from ops.table import make_inputs, materialize

_FAMILIES = ("samples_pointwise", "samples_reduction", "samples_shape", "samples_indexing",
             "samples_linalg", "samples_pooling", "samples_loss",
             "samples_activation", "samples_upsampling", "samples_linear",
             "samples_math_tail", "samples_stats_tail", "samples_strided", "samples_conv",
             "samples_normalization", "samples_embedding", "samples_nn_misc",
             "samples_creation", "samples_rnn", "samples_attention", "samples_distance",
             "samples_numerics_tail", "samples_stft", "samples_pool_tail")
SAMPLES = []
for _mod in _FAMILIES:
    try:
        SAMPLES.extend(importlib.import_module("ops." + _mod).SAMPLES)
    except ModuleNotFoundError as e:
        if e.name != "ops." + _mod:
            raise

CASES = [pytest.param(s, i, id=f"{s.name}-{i}") for s in SAMPLES for i in range(len(s.cases))]
GRAD_CASES = [p for p in CASES if p.values[0].grad]


def _run(lib, sample, case_idx, dtype, requires_grad, noncontig=False, seed=0):
    rng = np.random.default_rng(seed)
    inputs = make_inputs(sample.cases[case_idx], dtype, rng, noncontig)
    tensors = materialize(lib, inputs, requires_grad)
    out = sample.fn(lib, *tensors)
    return tensors, out


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flatten(o)]
    return [out]


def _diff_outputs(out):
    return [o for o in _flatten(out) if hasattr(o, "requires_grad") and o.requires_grad]


@needs_torch
@pytest.mark.parametrize("sample,case", CASES)
def test_forward_parity(sample, case):
    for dtype in sample.dtypes:
        for noncontig in ((False, True) if sample.noncontig else (False,)):
            _, ours = _run(ember, sample, case, dtype, False, noncontig)
            _, theirs = _run(torch, sample, case, dtype, False, noncontig)
            assert_close(ours, theirs, sample.rtol, sample.atol, sample.check_dtype,
                         msg=f"{sample.name} {dtype} noncontig={noncontig}")


@needs_torch
@pytest.mark.parametrize("sample,case", GRAD_CASES)
def test_backward_parity(sample, case):
    dtype = sample.dtypes[0]
    ins_e, out_e = _run(ember, sample, case, dtype, True)
    ins_t, out_t = _run(torch, sample, case, dtype, True)
    outs_e, outs_t = _diff_outputs(out_e), _diff_outputs(out_t)
    assert len(outs_e) == len(outs_t), "different number of differentiable outputs"
    if not outs_t:
        pytest.skip("no differentiable output for these inputs")
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(o.shape)).astype(dtype) for o in outs_t]
    loss_e = sum((o * ember.from_numpy(w.copy())).sum() for o, w in zip(outs_e, weights))
    loss_t = sum((o * torch.from_numpy(w.copy())).sum() for o, w in zip(outs_t, weights))
    loss_e.backward()
    loss_t.backward()
    for i, (a, b) in enumerate(zip(ins_e, ins_t)):
        if hasattr(b, "requires_grad") and b.requires_grad:
            assert (a.grad is None) == (b.grad is None), f"input {i}: grad presence differs"
            if b.grad is not None:
                assert_close(a.grad, b.grad, sample.rtol * 10, sample.atol * 10,
                             msg=f"{sample.name} grad of input {i}")


def _float64_problem(sample, case, seed=2):
    """(fn, inputs) for the float64 checks: ``fn`` returns the differentiable outputs."""
    rng = np.random.default_rng(seed)
    inputs = make_inputs(sample.cases[case], "float64", rng)
    tensors = materialize(ember, inputs, True)
    if not any(isinstance(t, ember.Tensor) and t.requires_grad for t in tensors):
        pytest.skip("no differentiable input")
    probe = sample.fn(ember, *tensors)
    if not _diff_outputs(probe):
        pytest.skip("no differentiable output")

    n_diff = len(_diff_outputs(probe))

    def fn(*ts):
        # Under no_grad (the finite differences) nothing requires grad: keep float outputs.
        outs = _flatten(sample.fn(ember, *ts))
        floats = [o for o in outs if isinstance(o, ember.Tensor) and o.is_floating_point()]
        return tuple(floats[:n_diff])
    return fn, tuple(tensors)


@pytest.mark.parametrize("sample,case", [p for p in GRAD_CASES if p.values[0].gradcheck])
def test_gradcheck(sample, case):
    fn, tensors = _float64_problem(sample, case)
    assert ember.autograd.gradcheck(fn, tensors, eps=1e-6, atol=1e-5, rtol=1e-3)


GRADGRAD_CASES = [p for p in GRAD_CASES if p.values[0].gradcheck and p.values[0].gradgrad]


@pytest.mark.parametrize("sample,case", GRADGRAD_CASES)
def test_gradgradcheck(sample, case):
    fn, tensors = _float64_problem(sample, case)
    assert ember.autograd.gradgradcheck(fn, tensors, eps=1e-6, atol=1e-5, rtol=1e-3)


DEVICE_CASES = [p for p in CASES if "cuda" in p.values[0].devices]


@pytest.mark.cuda      # skipped without CuPy and a GPU (tests/conftest.py)
@pytest.mark.parametrize("sample,case", DEVICE_CASES)
def test_cuda_matches_cpu(sample, case):
    """The devices column: ember on CuPy gives ember-on-NumPy's values and gradients."""
    dtype = sample.dtypes[0]
    rng = np.random.default_rng(0)
    inputs = make_inputs(sample.cases[case], dtype, rng)
    results = []
    for device in ("cpu", "cuda"):
        tensors = [t.to(device) if isinstance(t, ember.Tensor) else t
                   for t in materialize(ember, inputs, False)]
        tensors = [t.detach().requires_grad_(True)
                   if isinstance(t, ember.Tensor) and t.is_floating_point() and sample.grad
                   else t for t in tensors]
        out = sample.fn(ember, *tensors)
        diff = _diff_outputs(out)
        if diff:
            sum(o.sum() for o in diff).backward()
        results.append((_flatten(out), [t.grad for t in tensors
                                         if isinstance(t, ember.Tensor) and t.requires_grad]))
    (out_c, g_c), (out_g, g_g) = results
    assert_close([o.cpu() if isinstance(o, ember.Tensor) else o for o in out_g], out_c,
                 sample.rtol, sample.atol, msg=f"{sample.name} cuda outputs")
    for a, b in zip(g_g, g_c):
        if b is not None:
            assert_close(a.cpu(), b, sample.rtol * 10, sample.atol * 10,
                         msg=f"{sample.name} cuda grads")


def test_table_is_populated():
    names = {s.name for s in SAMPLES}
    assert {"add", "mul", "exp"} <= names
