"""``NamedSingleton``: the base of torch's named constant objects (``torch.layout``,
``torch.memory_format``, ``torch.qscheme``).

Each instance is the one object of its name: it prints as ``ember.<name>`` (torch prints
``torch.<name>``), compares by identity, and pickles by name, so unpickling (and
``copy.deepcopy``) returns the very same object (``ember.strided`` stays ``is``-equal).
Subclasses only declare their instances; each subclass keeps its own name table.
"""


class NamedSingleton:
    """See the module docstring."""

    __slots__ = ("name",)
    _by_name = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls._by_name = {}

    def __init__(self, name):
        self.name = name
        type(self)._by_name[name] = self

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        return (named_instance, (type(self), self.name))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def named_instance(cls, name):
    """The instance of ``cls`` called ``name`` (what a pickle of one calls)."""
    return cls._by_name[name]
