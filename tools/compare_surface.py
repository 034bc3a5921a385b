"""Compare the public surface of two ember trees, name by name (import time, issue 18).

    python tools/compare_surface.py /path/to/other/tree     # this tree vs the other one

For each namespace (ember, ember.nn, ember.nn.modules, ember.nn.functional, ember.optim,
ember.autograd, ember.Tensor) a fresh process per tree lists ``dir()``, what
``from X import *`` binds and, for every name, what it resolves to (a module by name, a function or class by module and
qualified name, an adapter defined at binding time (a lambda) by its signature, anything
else by type and repr). A name the other tree lists and this one only resolves (a private
submodule that is no longer imported eagerly) is reported as unlisted, not lost. Exit 1
when a public name (or dunder) is lost or changed or ``import *`` differs; differences in
private names are printed but not counted. Making ``import ember`` lazy must change none.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACES = ["ember", "ember.nn", "ember.nn.modules", "ember.nn.functional", "ember.optim",
              "ember.autograd", "ember.Tensor"]

PROBE = r"""
import importlib, inspect, json, re, sys, types, warnings
warnings.simplefilter("ignore")
import ember
path = sys.argv[1]
extra = json.loads(sys.argv[2])     # names to resolve although dir() does not list them
if sys.argv[3] == "star":           # what ``from path import *`` binds, in a fresh process
    scope = {}
    exec(f"from {path} import *", scope)
    print(json.dumps(sorted(n for n in scope if n != "__builtins__")))
    sys.exit(0)
if path == "ember.Tensor":
    ns = ember.Tensor
else:
    ns = importlib.import_module(path)

def signature(f):
    try:
        return str(inspect.signature(f))
    except (TypeError, ValueError):
        return "?"

def describe(v):
    # kind|identity|signature: an adapter (a lambda or a function defined inside the
    # binding code) has identity "adapter" and is compared by its signature
    if isinstance(v, types.ModuleType):
        return "module|" + v.__name__ + "|"
    kind = type(v).__name__
    if isinstance(v, property):
        v = v.fget
    if isinstance(v, (staticmethod, classmethod)):
        v = v.__func__
    q = getattr(v, "__qualname__", None)
    m = getattr(v, "__module__", None)
    if q is not None and m is not None and (callable(v) or isinstance(v, type)):
        ident = "adapter" if ("<locals>" in q or "<lambda>" in q) else f"{m}.{q}"
        return f"{kind}|{ident}|{signature(v) if callable(v) else ''}"
    r = re.sub(r" at 0x[0-9a-f]+", "", repr(v))
    return f"{kind}|{r if len(r) < 200 else r[:200]}|"

out = {"dir": {}, "all": [], "extra": {}}
names = dir(ns)
for name in names + [n for n in extra if n not in names]:
    where = out["dir"] if name in names else out["extra"]
    if name in ("__dict__", "__doc__", "__file__", "__cached__", "__spec__", "__loader__",
                "__path__", "__builtins__", "__weakref__", "__getattr__", "__dir__"):
        continue
    try:
        if path == "ember.Tensor":
            raw = None
            for klass in ns.__mro__:
                if name in vars(klass):
                    raw = vars(klass)[name]
                    break
            if type(raw).__name__ == "LazyMethod":
                raw.resolve()
                raw = vars(ns)[name]
            v = raw if isinstance(raw, (property, staticmethod, classmethod)) else getattr(ns, name)
        else:
            v = getattr(ns, name)
        if name == "__all__":
            v = sorted(v)           # its order does not matter to ``import *``
        where[name] = describe(v)
    except Exception as err:  # noqa: BLE001  (reported as a difference)
        where[name] = f"ERROR {type(err).__name__}: {err}"
print(json.dumps(out))
"""


def same(here, there):
    """Equal descriptions, or equal kind and signature where either side is an adapter
    (the branch binds named functions where main bound lambdas, or the other way)."""
    if here == there:
        return True
    h, t = here.split("|", 2), there.split("|", 2)
    return len(h) == len(t) == 3 and "adapter" in (h[1], t[1]) and h[0] == t[0] \
        and h[2] == t[2]


def probe(tree, namespace, extra=()):
    out = run(tree, namespace, extra, "dir")
    if namespace != "ember.Tensor":
        out["all"] = run(tree, namespace, (), "star")
    return out


def run(tree, namespace, extra, mode):
    env = dict(os.environ, PYTHONPATH=tree)
    res = subprocess.run([sys.executable, "-c", PROBE, namespace, json.dumps(list(extra)), mode],
                         capture_output=True,
                         text=True, env=env, cwd=tree)
    if res.returncode:
        raise SystemExit(f"{tree}: {namespace}: {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def public(name):
    """Counted as a difference: public names and dunders, not ember's private bookkeeping
    (``_LAZY_SUBMODULES``, a private module alias such as ``nn.modules._padding``)."""
    return not name.startswith("_") or name.startswith("__")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    other = os.path.abspath(argv[0])
    bad = 0
    for ns in NAMESPACES:
        theirs = probe(other, ns)
        mine = probe(ROOT, ns, theirs["dir"])
        lost = sorted(set(theirs["dir"]) - set(mine["dir"]))
        # not listed here, but reachable as the same object (a private submodule ...)
        unlisted = [n for n in lost if same(mine["extra"].get(n, ""), theirs["dir"][n])]
        lost = [n for n in lost if n not in unlisted]
        added = sorted(set(mine["dir"]) - set(theirs["dir"]))
        changed = sorted(n for n in set(mine["dir"]) & set(theirs["dir"])
                         if not same(mine["dir"][n], theirs["dir"][n]))
        all_diff = sorted(set(mine["all"]) ^ set(theirs["all"]))
        print(f"{ns}: {len(mine['dir'])} names here, {len(theirs['dir'])} there; "
              f"lost {len(lost)}, unlisted but resolving {len(unlisted)}, added {len(added)}, "
              f"changed {len(changed)}, `import *` differs by {len(all_diff)}")
        for n in unlisted:
            print(f"  unlisted {n}: {theirs['dir'][n]}")
        for n in lost:
            print(f"  lost    {n}: {theirs['dir'][n]} (here: {mine['extra'].get(n)})")
        for n in added:
            print(f"  added   {n}: {mine['dir'][n]}")
        for n in changed:
            print(f"  changed {n}: here {mine['dir'][n]} / there {theirs['dir'][n]}")
        for n in all_diff:
            print(f"  import * {n}: {'here' if n in mine['all'] else 'there'} only")
        # ember's own private bookkeeping (``_LAZY_SUBMODULES`` ...) may differ
        bad += len(all_diff) + sum(1 for n in lost + changed if public(n))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
