"""How much of PyTorch's public surface ember has, namespace by namespace.

    python tools/coverage.py                  # counts per namespace (needs torch)
    python tools/coverage.py --missing torch.nn.functional   # the names ember lacks there,
                                                             # each with its reason
    python tools/coverage.py --write          # refresh tests/compat/ember_names.txt

Public names are a module's ``__all__`` where it has one, else its ``dir()`` without
leading underscores and without submodules; ``torch.Tensor`` lists tensor methods and
attributes. ember's side is the module ``ember.compat`` maps the torch name to
(``torch.X`` -> ``ember.X``, ``torchvision.X`` -> ``ember.vision.X``). The committed list
``tests/compat/ember_names.txt`` holds the names ember has; tests/compat/test_coverage.py
fails when one of them disappears.
"""
import argparse
import importlib
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
NAMES_FILE = os.path.join(HERE, "..", "tests", "compat", "ember_names.txt")

NAMESPACES = [
    "torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init",
    "torch.nn.utils", "torch.nn.utils.rnn", "torch.nn.parallel", "torch.optim",
    "torch.optim.lr_scheduler", "torch.autograd", "torch.autograd.functional",
    "torch.utils.data", "torch.utils.checkpoint", "torch.cuda", "torch.backends",
    "torch.backends.cudnn", "torch.backends.cuda", "torch.backends.mps", "torch.accelerator",
    "torch.distributions", "torch.distributions.constraints", "torch.func", "torch.testing",
    "torch.random", "torch.futures", "torch.linalg", "torch.fft", "torch.special",
    "torch.signal.windows",
    "torch.amp", "torch.jit", "torch.onnx", "torch.distributed", "torch.multiprocessing",
    "torch.profiler", "torch.ao.quantization", "torch.compiler", "torch.hub",
    "torchvision", "torchvision.transforms", "torchvision.transforms.functional",
    "torchvision.datasets", "torchvision.models", "torchvision.ops", "torchvision.utils",
    "torchvision.io",
]


def _public(obj):
    if isinstance(obj, type):
        return {n for n in dir(obj) if not n.startswith("_")}
    names = getattr(obj, "__all__", None)
    if names is None:
        names = [n for n in dir(obj) if not n.startswith("_")
                 and not isinstance(getattr(obj, n, None), types.ModuleType)]
    return {n for n in names if isinstance(n, str)}


def _resolve(path, ember_side):
    if ember_side:
        from ember.compat import ember_name
        path = ember_name(path.split(".Tensor")[0]) + (".Tensor" if path.endswith(".Tensor")
                                                       else "")
    mod_path, attr = (path.rsplit(".", 1) if path.endswith(".Tensor") else (path, None))
    try:
        obj = importlib.import_module(mod_path)
        return getattr(obj, attr) if attr else obj
    except Exception:  # noqa: BLE001  (a namespace that is missing on one side)
        return None


def ember_names(ns):
    obj = _resolve(ns, True)
    if obj is None:
        return set()
    if ns == "torch" or ns.endswith(".Tensor"):
        return {n for n in dir(obj) if not n.startswith("_")} | (
            _lazy_names(obj) if ns == "torch" else set())
    return {n for n in dir(obj) if not n.startswith("_")} | set(getattr(obj, "__all__", []))


def _lazy_names(mod):
    return set(getattr(mod, "_LAZY_SUBMODULES", {}))


def has_name(obj, name):
    try:
        return hasattr(obj, name)
    except Exception:  # noqa: BLE001
        return False


def table():
    rows = []
    for ns in NAMESPACES:
        t = _resolve(ns, False)
        e = _resolve(ns, True)
        if t is None:
            continue
        theirs = _public(t)
        missing = sorted(n for n in theirs if e is None or not has_name(e, n))
        rows.append((ns, len(theirs), len(theirs) - len(missing), missing))
    return rows


def write_names():
    """The torch names ember has (all of ember's public names where torch is absent)."""
    lines = []
    for ns in NAMESPACES:
        e = _resolve(ns, True)
        if e is None:
            continue
        t = _resolve(ns, False)
        wanted = _public(t) if t is not None else ember_names(ns)
        for n in sorted(wanted):
            if has_name(e, n):
                lines.append(f"{ns} {n}")
    with open(NAMES_FILE, "w") as f:
        f.write("# namespace name: public names ember has (tools/coverage.py --write)\n")
        f.write("\n".join(lines) + "\n")
    return len(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--missing", metavar="NAMESPACE")
    p.add_argument("--write", action="store_true")
    a = p.parse_args()
    if a.write:
        print(f"wrote {write_names()} names to {os.path.relpath(NAMES_FILE)}")
        return
    from coverage_reasons import EXCLUDED, reason
    rows = table()
    if a.missing:
        for ns, _, _, missing in rows:
            if ns == a.missing:
                print("\n".join(f"{n:40} {reason(n)}" for n in missing))
        return
    # documented: torch's public names less those outside the user API (TorchScript,
    # backend kernels, quantized internals, typing helpers; tools/coverage_reasons.py)
    print(f"{'namespace':34} {'torch':>6} {'ember':>6} {'missing':>7} {'documented':>10} "
          f"{'covered':>7}")
    total_t = total_e = total_d = 0
    for ns, n_t, n_e, missing in rows:
        n_d = n_t - sum(reason(n) in EXCLUDED for n in missing)
        total_t += n_t
        total_e += n_e
        total_d += n_d
        pct = f"{100 * n_e / n_d:6.1f}%" if n_d else "      -"
        print(f"{ns:34} {n_t:6d} {n_e:6d} {n_t - n_e:7d} {n_d:10d} {pct}")
    print(f"{'total':34} {total_t:6d} {total_e:6d} {total_t - total_e:7d} {total_d:10d} "
          f"{100 * total_e / total_d:6.1f}%")


if __name__ == "__main__":
    main()
