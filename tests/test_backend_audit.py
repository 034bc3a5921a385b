"""The backend rule, audited (issue 19): ops, layers, optimizers, losses, autograd and the
data path compute with the array namespace of their inputs (``xp =
backend.get_array_module(x)``), never with ``numpy`` by name, so the same code runs on CuPy.

An AST scan of those packages fails on any ``numpy.<name>`` / ``np.<name>`` use outside
the allow-list below, each entry with its reason. Metadata (dtype objects such as
``numpy.float32``, ``numpy.ndarray`` for isinstance, ``numpy.iinfo``) is fine on either
backend and is not counted. A new numpy call in an op is either a bug (use ``xp``) or a
host-side table that must be moved with ``backend.on(xp, ...)``: then add it here.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("ember/ops", "ember/nn", "ember/optim", "ember/utils/data", "ember/autograd",
            "ember/linalg", "ember/fft", "ember/special", "ember/distributions", "ember/amp")

METADATA = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
            "uint16", "uint32", "uint64", "bool_", "complex64", "complex128", "dtype",
            "ndarray", "generic", "iinfo", "finfo", "number", "object_", "inf", "nan", "pi",
            "newaxis", "integer", "floating", "complexfloating", "e"}

_HOST_TABLE = "a host-side index/weight table, moved to the input's device with backend.on"
_SHAPE = "arithmetic on shapes and Python numbers, not on array data"
_HOST_INPUT = "builds a tensor from host data (Python lists, NumPy input) before placing it"
_SCIPY_HOST = "SciPy's LU on the host (CuPy has no pivoted batched LU); results go back to the input's device"

ALLOWED = {
    ("ember/linalg/_aliases.py", "geqrf"): "LAPACK's raw QR through numpy.linalg on a host "
        "copy (not differentiable, as torch's), results moved back to the input's device",
    ("ember/ops/combinatorics.py", "_tri_indices"): "tril/triu_indices build a small host "
        "index table, then create the tensor on the requested device",
    ("ember/ops/inplace_tail.py", "_python_map"): "Tensor.apply_/map_/map2_ call a Python "
        "function per element and are CPU-only in PyTorch too (checked above the use)",
    ("ember/ops/sparse_coo.py", "_as_index_array"): "converts Python index data given by the "
        "user, then creates it on the requested device",
    ("ember/ops/stft.py", "_window"): "window values are computed in float64 on the host "
        "(torch's formulas), then created on the requested device",
    ("ember/ops/stft.py", "_cos_terms.formula"): "as _window (host float64 window formula)",
    ("ember/ops/stft.py", "bartlett_window"): "as _window (host float64 window formula)",
    ("ember/ops/stft.py", "kaiser_window"): "as _window (host float64 window formula)",
    ("ember/nn/modules/normalization.py", "_cross_map_window"): "a constant (C, C) 0/1 "
        "matrix built on the host and created on the input's device by the caller",
    ("ember/autograd/gradcheck.py", "_analytical_jacobian"): "gradcheck's Jacobians are "
        "assembled on the host from .cpu() copies, as torch.autograd.gradcheck's are compared",
    ("ember/autograd/gradcheck.py", "_numerical_jacobian"): "as above (host Jacobian)",
    ("ember/autograd/gradcheck.py", "gradcheck"): "compares two host Jacobians",
    ("ember/autograd/gradcheck.py", "gradgradcheck"): "draws the random grad_outputs on the host",
    ("ember/distributions/_functions.py", "StandardGamma.forward"): "gamma samples are drawn "
        "by ember's host generator (one random stream for every device), then moved",
    ("ember/distributions/constraints.py", "_PositiveDefinite.check"): "eigvalsh on a host "
        "copy; the answer goes back to the value's device",
    ("ember/distributions/constraints.py", "_PositiveSemidefinite.check"): "eigvalsh on a host copy, as _PositiveDefinite",
    ("ember/linalg/__init__.py", "_broadcast_batch"): _SHAPE,
    ("ember/linalg/__init__.py", "lu_solve"): _SCIPY_HOST,
    ("ember/nn/init.py", "orthogonal_"): "the QR of a host draw from ember's generator; the "
        "result is written into the parameter with its own namespace",
    ("ember/nn/parallel/distributed.py", "DistributedDataParallel._coalesced_broadcast"):
        "MPI buffers are host memory (mpi4py); CUDA tensors use NCCL instead",
    ("ember/nn/parallel/distributed.py", "DistributedDataParallel._finish_reduction"):
        "as above (host reduction buffers)",
    ("ember/nn/parallel/distributed.py", "_Bucket.__init__"): _SHAPE,
    ("ember/ops/creation.py", "_to_array"): _HOST_INPUT,
    ("ember/ops/creation.py", "tensor"): _HOST_INPUT,
    ("ember/ops/creation.py", "linspace"): "computed on the host in float64 for PyTorch's "
        "rounding, then placed on the requested device",
    ("ember/ops/creation.py", "logspace"): "computed on the host as linspace is",
    ("ember/ops/creation.py", "range"): "computed on the host as linspace is",
    ("ember/ops/creation.py", "multinomial"): "sampled by ember's host generator",
    ("ember/ops/creation.py", "normal"): _SHAPE,
    ("ember/ops/pooling.py", "AvgPool.forward"): "the divisor table (host), moved with backend.on",
    ("ember/ops/pooling.py", "_AvgPoolT.forward"): "as AvgPool.forward",
    ("ember/ops/pooling.py", "MaxUnpool.forward"): _SHAPE,
    ("ember/ops/pooling.py", "_Adapt.__init__"): _HOST_TABLE,
    ("ember/ops/pooling.py", "_adaptive_geo_cached"): _HOST_TABLE,
    ("ember/ops/pooling.py", "_avg_divisor"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_Axis.__init__"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_Index.__init__"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_axis"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_contract"): _SHAPE,
    ("ember/ops/upsampling.py", "_guard"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_matrix"): _HOST_TABLE,
    ("ember/ops/upsampling.py", "_source_index"): _HOST_TABLE,
    ("ember/optim/_functional.py", "step_tensor"): "the 'step' counter stays on the host, as "
        "PyTorch's non-capturable optimizer state does",
    ("ember/utils/data/_transport.py", "Receiver.loads"): "worker batches arrive in host "
        "shared memory (PyTorch's workers also produce CPU tensors)",
    ("ember/utils/data/_worker.py", "seed_worker"): "seeds NumPy's global generator in each "
        "worker, as PyTorch's worker loop does",
}


def _numpy_uses(path):
    """{(file, dotted enclosing scope): set of numpy attribute names} for one file."""
    tree = ast.parse(path.read_text())
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update(a.asname or "numpy" for a in node.names if a.name == "numpy")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numpy":
            names = [a.name for a in node.names if a.name not in METADATA]
            assert not names, f"{path}:{node.lineno}: 'from numpy import {names}' hides numpy " \
                              "calls from this audit; use the backend namespace"
    found = {}
    rel = str(path.relative_to(ROOT))

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            inner = scope + (child.name,) if isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else scope
            if (isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name)
                    and child.value.id in aliases and child.attr not in METADATA):
                key = (rel, ".".join(scope) or "<module>")
                found.setdefault(key, set()).add(f"{child.attr} (line {child.lineno})")
            visit(child, inner)

    visit(tree, ())
    return found


def _all_uses():
    uses = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            uses.update(_numpy_uses(path))
    return uses


def test_no_numpy_by_name_outside_the_allow_list():
    uses = _all_uses()
    bad = {k: sorted(v) for k, v in uses.items() if k not in ALLOWED}
    assert not bad, ("numpy named where the backend namespace (xp) belongs; use "
                     "xp = backend.get_array_module(x), or add the scope to ALLOWED in "
                     f"{__file__} with its reason:\n" +
                     "\n".join(f"  {f} {scope}: {names}" for (f, scope), names in bad.items()))


def test_allow_list_has_no_stale_entries():
    uses = _all_uses()
    stale = [k for k in ALLOWED if k not in uses]
    assert not stale, f"allow-list entries that no longer use numpy (remove them): {stale}"


def test_every_allowed_entry_gives_a_reason():
    assert all(isinstance(r, str) and len(r) > 10 for r in ALLOWED.values())
