"""ember's public surface as name lists, collected in a fresh interpreter.

``collect()`` imports ember in a subprocess (so what other tests imported cannot change
the answer) and returns, for each surface in ``SURFACES``, the sorted public names:
names without a leading underscore, plus for classes the dunder methods they define
themselves (``__add__``, ``__array__``) rather than inherit from ``object``. The lazily
imported subpackages of ``ember._LAZY_SUBMODULES`` count as names of ``ember`` whether or
not they were imported (or exist yet).

The committed lists live next to this file (``<surface>_names.txt``); regenerate them
after adding or removing names with ``python -m tests.surface.update`` from the
repository root, and review the diff.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# surface name -> (expression evaluated after ``import ember``, the torch counterpart)
SURFACES = {
    "ember": ("ember", "torch"),
    "tensor": ("ember.Tensor", "torch.Tensor"),
    "nn": ("ember.nn", "torch.nn"),
    "nn_functional": ("ember.nn.functional", "torch.nn.functional"),
}

_COLLECT = r"""
import json, sys
import ember, ember.nn, ember.nn.functional

def names(obj):
    out = {n for n in dir(obj) if not n.startswith("_")}
    if isinstance(obj, type):
        out |= {n for n in vars(obj) if n.startswith("__") and n.endswith("__")
                and n not in ("__dict__", "__module__", "__weakref__", "__doc__",
                              "__annotations__", "__qualname__", "__firstlineno__",
                              "__static_attributes__")}
        for base in obj.__mro__[1:-1]:
            out |= {n for n in vars(base) if n.startswith("__") and n.endswith("__")
                    and getattr(obj, n, None) is not getattr(object, n, None)
                    and n not in ("__dict__", "__module__", "__weakref__", "__doc__")}
    if obj is ember:
        out |= set(ember._LAZY_SUBMODULES)
    return sorted(out)

exprs = json.loads(sys.argv[1])
print(json.dumps({k: names(eval(e)) for k, e in exprs.items()}))
"""


def collect(which="ember"):
    """{surface: sorted names} for ember (``which="ember"``) or torch (``"torch"``)."""
    col = 0 if which == "ember" else 1
    exprs = {k: v[col] for k, v in SURFACES.items()}
    code = _COLLECT if which == "ember" else _COLLECT.replace(
        "import ember, ember.nn, ember.nn.functional", "import torch, torch.nn, "
        "torch.nn.functional\nember = None")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    out = subprocess.run([sys.executable, "-c", code, json.dumps(exprs)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise RuntimeError(f"collecting {which}'s names failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def path_of(surface):
    return os.path.join(HERE, f"{surface}_names.txt")


def read_committed(surface):
    with open(path_of(surface)) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def write_all(names=None):
    """Write every ``<surface>_names.txt`` from ``collect()``; returns {surface: (added,
    removed)} relative to the files as they were."""
    names = collect() if names is None else names
    changes = {}
    for surface, current in names.items():
        old = read_committed(surface) if os.path.exists(path_of(surface)) else []
        changes[surface] = (sorted(set(current) - set(old)), sorted(set(old) - set(current)))
        with open(path_of(surface), "w") as f:
            f.write(f"# public names of {SURFACES[surface][0]}; regenerate with "
                    "`python -m tests.surface.update`\n")
            f.write("\n".join(current) + "\n")
    return changes


def diff(surface, current):
    """(added, removed) names of ``current`` against the committed list."""
    old = set(read_committed(surface))
    return sorted(set(current) - old), sorted(old - set(current))
