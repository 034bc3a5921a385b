"""Names that load their module on first use (import time, issue 18).

``import ember`` imports numpy and ember's core only: Tensor, dtypes, autograd, the core
op families (pointwise, reduction, shape, indexing, linalg, creation), Module and
Optimizer. Everything else keeps its public name where PyTorch has it, and its module is
imported the first time the name is used:

- module-level names (``ember.cumsum``, ``ember.nn.Conv2d``, ``F.relu``): PEP 562
  ``__getattr__`` over a ``{name: module path}`` table; the value is then stored in the
  module's globals, so the second lookup is a plain dict hit and nothing is slower later.
- Tensor methods (``t.cumsum``): a ``LazyMethod`` descriptor in the class dict that, on
  first access, imports the module and replaces itself with the function, so every later
  call is the very function the eager binding gave (``Tensor.cumsum is ops.cumulative.cumsum``).

Which names come from which star-exported module is precomputed in
``ember/_lazy_tables.py`` (reading a module's ``__all__`` would import it); regenerate it
with ``python -m tools.lazy_tables --write`` after adding names to an op module (a test
checks it is in sync).
"""
import importlib
import sys
import types


def load(module, attr):
    return getattr(importlib.import_module(module), attr)


def import_submodule(package, name):
    """``package.name`` imported, or AttributeError as for a missing attribute: submodules
    that ``import ember`` no longer loads stay reachable as attributes (``ember.ops.special``)."""
    try:
        return importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"{package}.{name}":
            raise
        raise AttributeError(f"module '{package}' has no attribute '{name}'") from None


def module_getattr(namespace, attributes, fallback=None):
    """A PEP 562 ``__getattr__`` for ``namespace`` (a module's globals) over
    ``attributes`` ``{name: (module, attribute)}``; unknown names go to ``fallback(name)``,
    or are tried as submodules of a package."""
    modname = namespace["__name__"]

    def __getattr__(name):
        where = attributes.get(name)
        if where is None:
            if fallback is not None:
                return fallback(name)
            if "__path__" in namespace and not name.startswith("__"):
                return import_submodule(modname, name)
            raise AttributeError(f"module '{modname}' has no attribute '{name}'")
        value = load(*where)
        namespace[name] = value
        return value
    return __getattr__


def child_modules(package, *tables):
    """The names of ``package``'s direct submodules that the lazy ``tables`` load from
    (``ember.optim.adam`` -> ``adam``): ``dir()`` lists them as the eager imports did."""
    prefix = package + "."
    return {where[0][len(prefix):].partition(".")[0] for table in tables
            for where in table.values() if where[0].startswith(prefix)}


class _NamesOverSubmodules(types.ModuleType):
    """A package whose attribute ``name`` is a function of its submodule of the same name
    (``ember.autograd.gradcheck``, as torch's): importing the submodule, which binds it on
    the package, binds the function instead (an eager ``from .gradcheck import gradcheck``
    used to rebind it right after)."""

    def __setattr__(self, name, value):
        attr = self.__dict__.get("_NAMES_OVER_SUBMODULES", {}).get(name)
        if attr is not None and isinstance(value, types.ModuleType) \
                and value.__name__ == f"{self.__name__}.{name}":
            value = getattr(value, attr)
        super().__setattr__(name, value)


def names_over_submodules(package, names):
    """Make ``package`` (a module name) keep ``names`` ``{name: attribute of the submodule
    package.name}`` bound to the function when the submodule is imported."""
    module = sys.modules[package]
    module._NAMES_OVER_SUBMODULES = dict(names)
    module.__class__ = _NamesOverSubmodules


class LazyMethod:
    """A Tensor attribute whose function lives in a module loaded on first access; the
    first access puts the function itself in the class dict (no cost on later calls)."""

    __slots__ = ("owner", "name", "module", "attr", "table")

    def __init__(self, owner, name, module, attr, table=None):
        self.owner, self.name, self.module, self.attr, self.table = owner, name, module, attr, table

    def resolve(self):
        mod = importlib.import_module(self.module)
        value = getattr(mod, self.table)[self.attr] if self.table else getattr(mod, self.attr)
        if self.owner.__dict__.get(self.name) is self:
            setattr(self.owner, self.name, value)
        return value

    def __get__(self, obj, objtype=None):
        value = self.resolve()
        get = getattr(type(value), "__get__", None)
        return value if get is None else get(value, obj, objtype)

    def __set__(self, obj, value):
        # a data descriptor, so that a lazy property (``t.T``) stays read-only and an
        # instance attribute of a method's name is set as it would be after binding
        resolved = self.resolve()
        set_ = getattr(type(resolved), "__set__", None)
        if set_ is not None:
            set_(resolved, obj, value)
        else:
            obj.__dict__[self.name] = value

    def __delete__(self, obj):
        resolved = self.resolve()
        delete = getattr(type(resolved), "__delete__", None)
        if delete is not None:
            delete(resolved, obj)
        else:
            del obj.__dict__[self.name]

    def __repr__(self):
        return f"<lazy method {self.owner.__name__}.{self.name} from {self.module}>"


def attach_methods(cls, table):
    """Install ``LazyMethod`` descriptors: ``table`` is ``{name: (module, attr, dict)}``
    (``dict`` names a table attribute of the module holding ``attr`` as a key, or None)."""
    for name, (module, attr, tab) in table.items():
        setattr(cls, name, LazyMethod(cls, name, module, attr, tab))


def unpack(packed, methods=False):
    """The tables of ember/_lazy_tables.py are stored packed, ``{"module": "name attr=name"}``
    (``"module:DICT"`` for Tensor methods kept in a dict attribute of the module): a few
    strings compile faster than hundreds of tuples. Unpacked: ``{name: (module, attr)}``,
    for methods ``{name: (module, attr, dict attribute or None)}``."""
    out = {}
    for key, names in packed.items():
        module, _, table = key.partition(":")
        for item in names.split():
            attr, _, name = item.partition("=")
            out[name or attr] = (module, attr, table or None) if methods else (module, attr)
    return out
