"""``torch.func.functional_call`` and ``stack_module_state``."""
import contextlib

from .._tensor import Tensor

__all__ = ["functional_call", "stack_module_state"]


def _owner(module, dotted):
    *path, leaf = dotted.split(".")
    for p in path:
        module = module._modules[p] if p in module._modules else getattr(module, p)
    return module, leaf


@contextlib.contextmanager
def _swapped(module, tensors, strict):
    saved = []
    try:
        for name, value in tensors.items():
            owner, leaf = _owner(module, name)
            if leaf in owner._parameters:
                table = owner._parameters
            elif leaf in owner._buffers:
                table = owner._buffers
            else:
                if strict:
                    raise RuntimeError(f"functional_call got unexpected key '{name}'")
                table = None
            if table is None:
                saved.append((owner.__dict__, leaf, owner.__dict__.get(leaf, _MISSING)))
                owner.__dict__[leaf] = value
            else:
                saved.append((table, leaf, table[leaf]))
                table[leaf] = value
        yield
    finally:
        for table, leaf, old in reversed(saved):
            if old is _MISSING:
                del table[leaf]
            else:
                table[leaf] = old


_MISSING = object()


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with the named parameters/buffers replaced by
    the given tensors (dotted names, as in ``state_dict``); the module is unchanged
    afterwards. With ``tie_weights``, tensors shared in the module (tied weights) are
    replaced together when one of their names is given."""
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = dict(parameter_and_buffer_dicts)
    else:
        tensors = {}
        for d in parameter_and_buffer_dicts:
            dup = set(tensors) & set(d)
            if dup:
                raise ValueError(f"{sorted(dup)} appeared in multiple dictionaries; behavior "
                                 "of functional call is ambiguous")
            tensors.update(d)
    if tie_weights:
        by_id = {}
        for name, t in list(module.named_parameters(remove_duplicate=False)) + \
                list(module.named_buffers(remove_duplicate=False)):
            by_id.setdefault(id(t), []).append(name)
        for names in by_id.values():
            given = [n for n in names if n in tensors]
            if given:
                for n in names:
                    tensors.setdefault(n, tensors[given[0]])
    if strict:
        expected = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
                   {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = expected - set(tensors)
        if missing:
            raise RuntimeError(f"Error(s) in functional_call: missing key(s): "
                               f"{', '.join(sorted(missing))}")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, tensors, strict):
        return module(*args, **(kwargs or {}))


def stack_module_state(models):
    """(params, buffers): each name -> the models' tensors stacked along a new dim 0."""
    from ..ops.shape import stack
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    params = {n: stack([dict(m.named_parameters())[n].detach() for m in models]).requires_grad_(
        dict(models[0].named_parameters())[n].requires_grad)
        for n, _ in models[0].named_parameters()}
    buffers = {n: stack([dict(m.named_buffers())[n] for m in models])
               for n, _ in models[0].named_buffers()}
    _ = Tensor
    return params, buffers
