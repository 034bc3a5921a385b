"""``torch.nn.utils.parametrize``: a tensor of a module computed from other tensors.

As in PyTorch: ``register_parametrization(module, "weight", P)`` moves the original
tensor to ``module.parametrizations.weight.original`` (or ``original0``, ``original1``
... when ``P.right_inverse`` returns several tensors), swaps the module's class for a
subclass ``Parametrized<Class>`` whose ``weight`` property returns ``P(original)``, and
``module.weight = value`` stores ``P.right_inverse(value)``. ``state_dict`` keys are
``parametrizations.weight.original``, as PyTorch's. ``cached()`` computes each
parametrized tensor once per block.
"""
import contextlib

from ..._tensor import Tensor
from ...autograd import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "cached", "type_before_parametrizations", "ParametrizationList",
           "transfer_parametrizations_and_params"]

_cache = {"enabled": 0, "values": {}}


@contextlib.contextmanager
def cached():
    """Compute each parametrized tensor at most once inside the block."""
    _cache["enabled"] += 1
    try:
        yield
    finally:
        _cache["enabled"] -= 1
        if not _cache["enabled"]:
            _cache["values"] = {}


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, and its ``original`` tensor(s)."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        first = modules[0]
        new = original
        with no_grad():
            for m in reversed(self):
                if hasattr(m, "right_inverse"):
                    try:
                        new = m.right_inverse(new)
                    except NotImplementedError:
                        pass        # as PyTorch: a right_inverse that cannot run is the identity
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != original.dtype or new.shape != original.shape):
                raise ValueError("When `right_inverse` outputs one tensor, it may not change "
                                 f"the dtype or shape. original.shape: {original.shape}, "
                                 f"right_inverse(original).shape: {new.shape}")
            with no_grad():
                original.data = new.detach()
            _register_tensor(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                     f"tensors (list, tuple...). Got element {i} of type "
                                     f"{type(t).__name__}")
                p = Parameter(t.detach(), original.requires_grad) \
                    if isinstance(original, Parameter) else t.detach()
                _register_tensor(self, f"original{i}", p)
        _ = first

    def right_inverse(self, value):
        with no_grad():
            for m in reversed(self):
                if not hasattr(m, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(m).__name__} does not "
                                       "implement right_inverse.")
                value = m.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                self.original.copy_(value) if value.shape == self.original.shape else \
                    setattr(self.original, "data", value.detach())
            else:
                for i, t in enumerate(value):
                    getattr(self, f"original{i}").copy_(t)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for m in list(self)[1:]:
            x = m(x)
        return x


def _register_tensor(module, name, t):
    if isinstance(t, Parameter):
        module.register_parameter(name, t)
    else:
        module.register_buffer(name, t)


def _inject_new_class(module):
    cls = module.__class__

    def getstate(self):
        raise RuntimeError("Serialization of parametrized modules is only supported through "
                           "state_dict().")
    new_cls = type(f"Parametrized{cls.__name__}", (cls,), {"__getstate__": getstate})
    new_cls._ember_original_class = cls
    module.__class__ = new_cls


def _inject_property(module, tensor_name):
    def get_parametrized(self):
        p = self.parametrizations[tensor_name]
        if _cache["enabled"]:
            key = (id(self), tensor_name)
            value = _cache["values"].get(key)
            if value is None:
                value = _cache["values"][key] = p()
            return value
        return p()

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)
    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module, tensor_name=None):
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def type_before_parametrizations(module):
    return getattr(type(module), "_ember_original_class", type(module)) \
        if is_parametrized(module) else type(module)


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` be ``parametrization(original)``; returns module."""
    if not isinstance(parametrization, Module):
        raise TypeError("parametrization must be an nn.Module")
    if is_parametrized(module, tensor_name):
        if not unsafe:
            with no_grad():
                Y = getattr(module, tensor_name)
                X = parametrization(Y)
                if not isinstance(X, Tensor):
                    raise ValueError(f"A parametrization must return a tensor. Got "
                                     f"{type(X).__name__}.")
                if X.dtype != Y.dtype or X.shape != Y.shape:
                    raise ValueError("Registering a parametrization may not change the shape "
                                     "or dtype of the tensor, unless `unsafe` flag is enabled.")
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
        return module
    if tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if not unsafe:
            with no_grad():
                X = parametrization(original)
            if not isinstance(X, Tensor) or X.dtype != original.dtype or \
                    X.shape != original.shape:
                raise ValueError("Registering a parametrization may not change the shape or "
                                 "dtype of the tensor, unless `unsafe` flag is enabled.")
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
        return module
    raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                     f"parametrized element with name '{tensor_name}'")


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo ``register_parametrization`` for ``tensor_name``: the tensor becomes a plain
    parameter again, holding its parametrized value (or the original one)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            with no_grad():
                if t.shape == original.shape and t.dtype == original.dtype:
                    original.copy_(t)
                else:
                    original.data = t.detach()
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                             "tensor that is parametrized in terms of a sequence of tensors.")
        with no_grad():
            t = getattr(module, tensor_name)
        req = plist.original0.requires_grad
        original = Parameter(t.detach(), req) if isinstance(plist.original0, Parameter) \
            else t.detach()
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_tensor(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__._ember_original_class
    return module


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    raise NotImplementedError("torch.nn.utils.parametrize.transfer_parametrizations_and_params "
                              "is not implemented in ember yet")
