"""The op sample table: one entry per op, driving every op's checks (see test_op_table.py).

An OpSample names the op, a function ``fn(lib, *inputs)`` that is run once with ``ember``
and once with ``torch`` as ``lib`` on the same NumPy inputs, and one or more input cases.
Each input spec is:
  * a shape tuple          -> standard normal floats of that shape;
  * Arr(shape, low, high, dtype, kind) -> uniform values in a domain (e.g. positive for log),
    integer or bool arrays, or distinct values (kind='distinct') for sort-like ops;
  * Const(value)           -> passed as is (Python numbers, dims, index tensors made
    by a callable ``lambda lib: ...``).
Float inputs are differentiable unless the sample says ``grad=False``.

Columns beyond the inputs: ``grad`` (backward parity), ``gradcheck`` (float64 finite
differences), ``gradgrad`` (float64 ``gradgradcheck``: the backward is itself
differentiable; off for ops declared once-differentiable or whose second derivative is
not smooth at the sampled points), ``dtypes``, ``noncontig``, tolerances, and ``devices``:
the devices the forward/backward parity also runs on (``"cuda"`` runs ember on CuPy against
ember on NumPy, and is skipped where CuPy or a GPU is missing).
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Arr:
    shape: tuple
    low: float = -1.0
    high: float = 1.0
    dtype: str = "float"
    kind: str = "uniform"       # uniform | distinct | normal
    grad: bool = True           # whether this float input is checked for gradients


@dataclass
class Const:
    value: object


@dataclass
class OpSample:
    name: str
    fn: object
    cases: list
    grad: bool = True            # check gradients (backward parity and gradcheck)
    gradcheck: bool = True       # float64 finite-difference check
    rtol: float = 1e-5
    atol: float = 1e-5
    dtypes: tuple = ("float32",)  # float dtypes for forward/backward parity
    noncontig: bool = True       # also run with non-contiguous inputs
    check_dtype: bool = True
    gradgrad: bool = True        # float64 gradgradcheck (double backward)
    devices: tuple = ("cpu", "cuda")   # "cuda": ember on CuPy against ember on NumPy


def make_inputs(case, dtype, rng, noncontig=False):
    """NumPy arrays (or constants) for one case; float arrays in ``dtype``."""
    out = []
    for spec in case:
        if isinstance(spec, Const):
            out.append(spec)
            continue
        if isinstance(spec, tuple):
            spec = Arr(spec, kind="normal")
        shape = spec.shape
        if spec.dtype == "float":
            if spec.kind == "normal":
                a = rng.standard_normal(shape)
            elif spec.kind == "distinct":
                n = int(np.prod(shape))
                a = (rng.permutation(n) / max(n, 1) * (spec.high - spec.low) + spec.low).reshape(shape)
            else:
                a = rng.uniform(spec.low, spec.high, shape)
            a = a.astype(dtype)
        elif spec.dtype == "bool":
            a = np.asarray(rng.random(shape) < 0.5)
        else:
            a = np.asarray(rng.integers(int(spec.low), int(spec.high), shape)).astype(spec.dtype)
        if noncontig and a.ndim >= 2:
            a = np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)
        out.append((a, spec))
    return out


def materialize(lib, inputs, requires_grad):
    """Tensors of library ``lib`` (ember or torch) for the arrays of make_inputs."""
    tensors = []
    for item in inputs:
        if isinstance(item, Const):
            v = item.value
            tensors.append(v(lib) if callable(v) else v)
            continue
        a, spec = item
        t = lib.from_numpy(a.copy()) if a.flags.c_contiguous else lib.from_numpy(a.copy(order="K"))
        if not a.flags.c_contiguous:
            # keep the non-contiguous layout: same strides in both libraries
            base = np.ascontiguousarray(np.swapaxes(a, -1, -2))
            t = lib.from_numpy(base.copy()).transpose(-1, -2)
        if requires_grad and spec.dtype == "float" and spec.grad:
            if t.is_leaf:
                t.requires_grad_(True)
            else:
                t = t.detach().requires_grad_(True)
        tensors.append(t)
    return tensors
