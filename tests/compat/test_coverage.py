"""Every torch name ember provides stays provided (the list is tools/coverage.py --write's).
A name that disappears fails here; new names are added by re-running the tool."""
import importlib
import os

from ember.compat import ember_name

NAMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ember_names.txt")


def _ember_object(ns):
    if ns.endswith(".Tensor"):
        return importlib.import_module(ember_name(ns[:-len(".Tensor")])).Tensor
    return importlib.import_module(ember_name(ns))


def test_no_provided_name_disappears():
    by_ns = {}
    with open(NAMES) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                ns, name = line.split()
                by_ns.setdefault(ns, []).append(name)
    assert sum(len(v) for v in by_ns.values()) > 1000
    gone = []
    for ns, names in by_ns.items():
        try:
            obj = _ember_object(ns)
        except ImportError as e:
            gone.append(f"{ns} (module: {e})")
            continue
        gone += [f"{ns}.{n}" for n in names if not hasattr(obj, n)]
    assert not gone, f"{len(gone)} torch names ember provided are gone: {gone[:40]}"
