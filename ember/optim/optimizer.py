"""``Optimizer``: parameter groups, per-parameter state, state_dict, hooks (torch.optim).

Algorithms update parameter arrays in place with backend ufuncs (``out=``) under no
autograd, so a step allocates little and costs a handful of array ops per parameter.
"""
from collections import OrderedDict, defaultdict
import copy
import functools
import itertools

from .. import backend
from ..autograd import _dual_level
from ..autograd.grad_mode import _state as _grad_state
from .._tensor import Tensor
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()
_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def _wrap_step(step):
    """Run hooks around ``step`` and note that it was called (lr_scheduler warns otherwise)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True
        if self._step_pre_hooks or _global_pre_hooks:
            for hook in itertools.chain(_global_pre_hooks.values(), self._step_pre_hooks.values()):
                res = hook(self, args, kwargs)
                if res is not None:
                    args, kwargs = res
        mode = _dual_level.level[0]
        if mode is None:
            out = step(self, *args, **kwargs)
        else:                   # forward-mode AD active: carry dual parameters' tangents
            from . import _forward_ad
            todo = _forward_ad.plan(self, mode)
            out = step(self, *args, **kwargs)
            _forward_ad.apply(todo, mode)
        if self._step_post_hooks or _global_post_hooks:
            for hook in itertools.chain(self._step_post_hooks.values(), _global_post_hooks.values()):
                hook(self, args, kwargs)
        return out
    wrapper._ember_wrapped = True
    return wrapper


class Optimizer:
    """Base class of optimizers (``torch.optim.Optimizer``).

    ``params``: an iterable of Tensors, of (name, Tensor) pairs, or of dicts defining
    parameter groups; ``defaults``: the default options of every group.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_wrapped", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()
        self._opt_called = False
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_step_post_hooks", OrderedDict())
        self.__dict__.setdefault("_opt_called", False)

    def __repr__(self):
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += "\n" + f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        plist = param_group["params"]
        names = []
        if plist and isinstance(plist[0], tuple):
            names = [n for n, _ in plist]
            param_group["params"] = plist = [p for _, p in plist]
            param_group["param_names"] = names
        for p in plist:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if any(id(p) in seen for p in plist):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _scratch(self, p):
        """Two work arrays shaped like ``p``, kept between steps: allocating them anew each
        step costs page faults on every large parameter (they are not optimizer state)."""
        work = self.__dict__.setdefault("_work", {})
        pair = work.get(id(p))
        d = p._data
        if pair is None or pair[0].shape != d.shape or pair[0].dtype != d.dtype:
            xp = backend.get_array_module(d)
            pair = work[id(p)] = (xp.empty_like(d), xp.empty_like(d))
        return pair

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    p.grad._data[...] = 0

    def step(self, closure=None):
        raise NotImplementedError

    # -- hooks --------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        return RemovableHandle.register(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        return RemovableHandle.register(self._step_post_hooks, hook)

    # -- state_dict ---------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``."""
        index = {}
        groups = []
        start = 0
        for group in self.param_groups:
            ids = list(range(start, start + len(group["params"])))
            for p, i in zip(group["params"], ids):
                index.setdefault(id(p), i)
            start += len(ids)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: v for p, v in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore options and per-parameter state saved by ``state_dict``."""
        state_dict = copy.deepcopy(state_dict)
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, sg in zip(groups, saved_groups):
            if len(g["params"]) != len(sg["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        id_map = {old: p for g, sg in zip(groups, saved_groups)
                  for old, p in zip(sg["params"], g["params"])}
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                state[p] = {key: _cast_state(p, key, val) for key, val in v.items()}
            else:
                state[k] = v
        new_groups = []
        for g, sg in zip(groups, saved_groups):
            ng = dict(sg)
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            new_groups.append(ng)
        self.state = state
        self.param_groups = new_groups


def _cast_state(param, key, value):
    """Floating state follows the parameter's dtype and device; 'step' stays as saved."""
    if isinstance(value, Tensor):
        if key != "step" and value.is_floating_point():
            return value.to(device=param.device, dtype=param.dtype)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast_state(param, k, v) for k, v in value.items()}
    return value


def register_optimizer_step_pre_hook(hook):
    return RemovableHandle.register(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    return RemovableHandle.register(_global_post_hooks, hook)


def _use_grad(step):
    """Run ``step`` under no_grad (the update must not be recorded). The grad-mode flag is
    set directly: a ``no_grad()`` context object costs four Python calls a step."""
    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        prev = _grad_state[0]
        _grad_state[0] = False
        try:
            return step(*args, **kwargs)
        finally:
            _grad_state[0] = prev
    return wrapper
