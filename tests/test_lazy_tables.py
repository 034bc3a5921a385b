"""Lazy names (ember/_lazy.py, issue 18): the precomputed tables match the modules, every
lazy name resolves to the object its module defines, and ``import ember`` leaves ember's
heavier internal modules unloaded (complements tests/test_import_is_light.py)."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ember's own modules that ``import ember`` must not load: op families and layers beyond
# the core, and the namespaces that only some programs use.
HEAVY_INTERNAL = [
    "ember.ops.conv", "ember.ops.pooling", "ember.ops.loss", "ember.ops.cross_entropy",
    "ember.ops.activation", "ember.ops.normalization", "ember.ops.upsampling",
    "ember.ops.rnn", "ember.ops.attention", "ember.ops.special", "ember.ops.stft",
    "ember.ops.strided", "ember.ops.inplace_tail", "ember.ops.elementwise_math",
    "ember.ops.decomposition", "ember.linalg", "ember.amp", "ember._qtensor",
    "ember._storage", "ember._native_nn", "ember.nn.modules.conv", "ember.nn.modules.rnn",
    "ember.nn.modules.transformer", "ember.nn.modules.loss", "ember.nn.modules.linear",
    "ember.nn.init", "ember.nn.utils", "ember.optim.adam", "ember.optim.lbfgs",
    # the core too: loaded by the first tensor, op, layer or optimizer
    "ember.ops.pointwise", "ember.ops.creation", "ember.ops.reduction", "ember.ops.shape",
    "ember.ops.indexing", "ember.autograd.function", "ember.autograd.engine",
    "ember.nn.modules.module", "ember.nn.parameter", "ember.optim.optimizer", "ember._random",
    "numpy.random", "ember.cuda", "ember._printing",
]


def _fresh(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_lazy_tables_are_in_sync_with_the_modules():
    out = subprocess.run([sys.executable, "-m", "tools.lazy_tables"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, ("ember/_lazy_tables.py is out of date: run "
                                 "`python -m tools.lazy_tables --write`\n" + out.stdout[-3000:])


def test_import_ember_leaves_heavy_internal_modules_unloaded():
    loaded = _fresh("import json, sys, ember\n"
                    f"print(json.dumps([m for m in {HEAVY_INTERNAL!r} if m in sys.modules]))")
    assert loaded == []


# every ember module ``import ember`` loads; anything else loads on first use
EAGER_MODULES = {
    "ember", "ember._allocator", "ember._api", "ember._device", "ember._dtype", "ember._layout",
    "ember._lazy", "ember._lazy_tables", "ember._named", "ember._sparse_methods",
    "ember._tensor", "ember._tensor_methods", "ember.autograd", "ember.autograd.dispatch",
    "ember.autograd.grad_mode", "ember.backend", "ember.nn", "ember.nn.functional",
    "ember.nn.modules", "ember.optim", "ember.version",
}


def test_import_ember_loads_only_the_eager_core():
    loaded = set(_fresh("import json, sys, ember\n"
                        "print(json.dumps([m for m in sys.modules if m.split('.')[0] == 'ember']))"))
    assert loaded - EAGER_MODULES == set(), (
        "`import ember` now loads these modules too: bind their names lazily (a source in "
        "_LAZY_SOURCES of ember/__init__.py, ember.nn.modules, ember.nn.functional or "
        "ember.optim, or LAZY_METHOD_SOURCES of ember/_tensor_methods.py, then `python -m "
        "tools.lazy_tables --write`), or add them to EAGER_MODULES with the reason")


def test_every_lazy_name_resolves_to_its_module_object():
    got = _fresh(r"""
import importlib, json, ember, ember.nn, ember.nn.functional, ember.optim
from ember import _lazy_tables as T
from ember._lazy import LazyMethod
bad = []
for ns, table in ((ember, T.TOP), (ember.nn.modules, T.NN_MODULES),
                  (ember.nn.functional, T.FUNCTIONAL), (ember.optim, T.OPTIM)):
    for name, (module, attr) in table.items():
        if getattr(ns, name) is not getattr(importlib.import_module(module), attr):
            bad.append(f"{ns.__name__}.{name}")
for name, (module, attr, tab) in T.TENSOR_METHODS.items():
    mod = importlib.import_module(module)
    want = getattr(mod, tab)[attr] if tab else getattr(mod, attr)
    getattr(ember.Tensor, name)
    have = vars(ember.Tensor)[name]
    if isinstance(have, LazyMethod) or have is not want:
        bad.append(f"Tensor.{name}")
layers = [n for n in ember.nn.modules.__all__ if getattr(ember.nn, n) is not getattr(ember.nn.modules, n)]
print(json.dumps([bad, layers, ember.nn.Conv2d.__module__, ember.cummax.__module__]))
""")
    assert got == [[], [], "ember.nn.modules.conv", "ember.ops.cumulative"]


def test_star_imports_and_dir_keep_the_lazy_names():
    got = _fresh("import json, ember, ember.nn\n"
                 "ns = {}\n"
                 "exec('from ember.nn import *', ns)\n"
                 "fns = {}\n"
                 "exec('from ember.nn.functional import *', fns)\n"
                 "print(json.dumps(['Conv2d' in ns, 'LSTM' in ns, 'relu' in fns, 'conv2d' in fns,\n"
                 "                  'cumsum' in dir(ember), 'Conv2d' in dir(ember.nn),\n"
                 "                  'conv2d' in dir(ember.nn.functional), 'Adam' in dir(ember.optim),\n"
                 "                  ember.ops.special.__name__]))")
    assert got == [True] * 8 + ["ember.ops.special"]


def test_a_name_stays_the_function_when_its_submodule_is_imported_first():
    # ember.autograd.gradcheck is the function, as torch's, even when the module
    # ember.autograd.gradcheck (which the import system binds on the package) loads first
    got = _fresh("import json, types, ember.autograd.gradcheck, ember\n"
                 "import ember.autograd.gradcheck as g\n"
                 "print(json.dumps([callable(ember.autograd.gradcheck), callable(g),\n"
                 "    isinstance(ember.autograd.gradcheck, types.ModuleType)]))")
    assert got == [True, True, False]
