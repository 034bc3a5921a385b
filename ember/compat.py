"""Run PyTorch programs unmodified: ``import torch`` / ``import torchvision`` resolve to ember.

``ember.compat.install()`` puts a finder at the front of ``sys.meta_path`` that maps

- ``torch`` -> ``ember`` and every ``torch.X.Y`` -> ``ember.X.Y``,
- ``torchvision`` -> ``ember.vision`` and every ``torchvision.X`` -> ``ember.vision.X``,

and hands out *the same module objects*: ``torch.nn is ember.nn``, so classes, isinstance
checks, module-level state and pickles agree whichever name a program uses. A submodule
ember does not have yet raises ``ModuleNotFoundError`` naming both the torch module and
the ember module that would provide it. ``python -m ember.run script.py [args]``
(:mod:`ember.run`) installs this finder and runs the script as ``__main__``.

A real torch installed beside ember is never touched on disk and never imported by
ember. Modules of a real torch *already imported* when ``install()`` is called are taken
out of ``sys.modules`` (kept aside, and put back by :func:`uninstall`), with a warning:
later imports get ember, while objects a program already holds from the real torch stay
PyTorch's. Call ``install()`` before anything imports torch (``ember.run`` does).

While installed, ``ember.__version__`` (hence ``torch.__version__``) is the
PyTorch-compatible :data:`ember.version.compat_version`, e.g. ``"2.14.1+ember0.1.0"``,
which ``packaging.version.parse`` accepts and version checks against PyTorch releases
pass; ember's own version stays in ``ember.version.ember``. ``uninstall()`` restores both.

Child processes: ``multiprocessing``'s fork start method inherits the finder. For spawn
and forkserver, :mod:`ember.run` makes the children run the script through
``ember._spawn_main``, which installs the finder first (see :mod:`ember.run`); a program
that calls ``install()`` itself gets it again in each child when the child re-imports the
main script.
"""
import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

__all__ = ["PREFIXES", "ember_name", "install", "is_installed", "uninstall"]

# torch's top-level package names -> the ember package that provides them.
PREFIXES = {"torch": "ember", "torchvision": "ember.vision"}

def ember_name(fullname):
    """``'torch.nn.functional'`` -> ``'ember.nn.functional'``; None for other names."""
    top, dot, rest = fullname.partition(".")
    base = PREFIXES.get(top)
    if base is None:
        return None
    return base + dot + rest


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already imported ember module under a torch name,
    keeping the module's own ``__spec__`` (``importlib`` overwrites it on the way)."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.spec


class TorchFinder(importlib.abc.MetaPathFinder):
    """The meta-path finder behind :func:`install`."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = ember_name(fullname)
        if target_name is None:
            return None
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name is not None and not target_name.startswith(e.name):
                raise               # something ember itself imports is missing
            raise ModuleNotFoundError(
                f"No module named '{fullname}': ember does not provide {target_name} "
                "yet", name=fullname) from None
        is_pkg = hasattr(module, "__path__")
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(module),
                                              is_package=is_pkg)
        if is_pkg:
            spec.submodule_search_locations = list(module.__path__)
        return spec

    def find_distributions(self, context=None):
        return iter(())


_state = {"finder": None, "saved": {}, "version": None}


def is_installed():
    return _state["finder"] is not None


def _is_foreign(name, module):
    """A module under a torch name in sys.modules that is not ember's alias."""
    own = ember_name(name)
    if own is None or module is None:
        return False
    return not (getattr(module, "__name__", "") or "").startswith("ember")


def install():
    """Make ``torch`` / ``torchvision`` and their submodules import as ember (idempotent)."""
    if _state["finder"] is not None:
        return
    foreign = {name: mod for name, mod in list(sys.modules.items())
               if _is_foreign(name, mod)}
    if foreign:
        warnings.warn("ember.compat.install(): a real torch/torchvision was already imported "
                      f"({len(foreign)} modules); they are set aside so that later imports "
                      "get ember, but objects already taken from them stay PyTorch's. "
                      "Install ember.compat before importing torch.", RuntimeWarning,
                      stacklevel=2)
        for name in foreign:
            del sys.modules[name]
    _state["saved"] = foreign
    finder = TorchFinder()
    sys.meta_path.insert(0, finder)
    _state["finder"] = finder
    import ember
    from ember import version
    _state["version"] = (ember.__version__, version.__version__)
    ember.__version__ = version.__version__ = version.compat_version


def uninstall():
    """Undo :func:`install`: torch names are no longer mapped (aliases are dropped from
    ``sys.modules``), a real torch set aside is put back, and versions are restored."""
    finder = _state["finder"]
    if finder is None:
        return
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name, mod in list(sys.modules.items()):
        if ember_name(name) is not None and not _is_foreign(name, mod):
            del sys.modules[name]
    sys.modules.update(_state["saved"])
    _state["saved"] = {}
    _state["finder"] = None
    import ember
    from ember import version
    ember.__version__, version.__version__ = _state["version"]
