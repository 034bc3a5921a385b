"""PyTorch's and torchvision's global names -> ember's objects, for ``weights_only=False``.

A whole model pickled by ``torch.save(model)`` names its classes and functions by their
PyTorch module paths (``torch.nn.modules.rnn.LSTM``, ``torch.nn.functional.relu``,
``torchvision.models.resnet.ResNet`` ...). :func:`resolve` finds ember's counterpart:

1. the same path under ember (``torch.X.Y`` -> ``ember.X.Y``, ``torchvision.X`` ->
   ``ember.vision.X``), the way :mod:`ember.compat` maps imports;
2. for a class of ``torch.nn.modules.<file>`` whose file is organised differently in
   ember (``torch.nn.modules.activation.MultiheadAttention``), the class of that name in
   ``ember.nn``; likewise ``torchvision.models.<file>.<name>`` in ``ember.vision.models``
   and ``torch.optim.<file>.<name>`` in ``ember.optim``;
3. ``_SAME_AS``: PyTorch-only classes that load as the ember class they behave as
   (none at present).

A real torch installed beside ember is never imported. A name without a counterpart
raises ``pickle.UnpicklingError`` naming the PyTorch name. The weights-only reader does
not use this module: it allows only its fixed table (``names.py``).
"""
import importlib
import pickle

_PACKAGES = {"torch": "ember", "torchvision": "ember.vision"}
# where a class of a torch module file is found when ember's file layout differs
_FLAT = (("torch.nn.modules.", "ember.nn"), ("torch.nn.", "ember.nn"),
         ("torchvision.models.", "ember.vision.models"), ("torch.optim.", "ember.optim"),
         ("torch.", "ember"))
# PyTorch classes ember does without: their objects load as the ember class they act as.
_SAME_AS = {}


def is_torch_name(module):
    return module.partition(".")[0] in _PACKAGES


def _lookup(module_name, qualname):
    try:
        obj = importlib.import_module(module_name)
    except ImportError:
        return None
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def resolve(module, name):
    """ember's object for the PyTorch global ``module.name``."""
    alias = _SAME_AS.get(f"{module}.{name}")
    if alias is not None:
        return _lookup(*alias)
    top, dot, rest = module.partition(".")
    obj = _lookup(_PACKAGES[top] + dot + rest, name)
    if obj is not None:
        return obj
    for prefix, flat in _FLAT:
        if (module + ".").startswith(prefix):
            obj = _lookup(flat, name)
            if obj is not None:
                return obj
            break
    raise pickle.UnpicklingError(
        f"{module}.{name} has no counterpart in ember yet, so this whole-object pickle "
        "cannot be loaded; load a state_dict instead (model.load_state_dict(ember.load(f)))")
