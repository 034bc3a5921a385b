"""``torch.nn.parallel.scatter_gather``: split inputs across devices and gather outputs.

``scatter`` chunks every tensor inside (nested tuples, lists, dicts of) ``inputs``
along ``dim`` into one piece per target device and moves each piece there; other
objects are repeated per device. ``gather`` concatenates per-device outputs along
``dim`` on ``target_device`` (an index means ``cuda:<index>``; -1 or 'cpu' the CPU).
Devices are ember devices or CUDA indices, as in PyTorch; on a CPU-only machine
``['cpu', 'cpu']`` splits a batch in two.
"""
from ..._device import device as _device
from ..._tensor import Tensor

__all__ = ["scatter", "scatter_kwargs", "gather"]


def _as_device(d):
    if isinstance(d, int):
        return _device("cpu") if d < 0 else _device("cuda", d)
    return _device(d) if isinstance(d, str) else d


def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(obj, "_asdict") and hasattr(obj, "_fields")


def scatter(inputs, target_gpus, dim=0):
    """One copy of ``inputs`` per target device, tensors split along ``dim``."""
    devices = [_as_device(d) for d in target_gpus]

    def scatter_map(obj):
        if isinstance(obj, Tensor):
            chunks = obj.chunk(len(devices), dim)
            return [c.to(d) for c, d in zip(chunks, devices)]
        if _is_namedtuple(obj):
            return [type(obj)(*args) for args in zip(*map(scatter_map, obj))]
        if isinstance(obj, tuple) and len(obj) > 0:
            return list(zip(*map(scatter_map, obj)))
        if isinstance(obj, list) and len(obj) > 0:
            return [list(i) for i in zip(*map(scatter_map, obj))]
        if isinstance(obj, dict) and len(obj) > 0:
            return [type(obj)(i) for i in zip(*map(scatter_map, obj.items()))]
        return [obj for _ in devices]
    try:
        return scatter_map(inputs)
    finally:
        scatter_map = None   # break the reference cycle, as PyTorch does


def scatter_kwargs(inputs, kwargs, target_gpus, dim=0):
    """Scatter positional and keyword inputs; pads the shorter list with empties."""
    scattered_inputs = scatter(inputs, target_gpus, dim) if inputs else []
    scattered_kwargs = scatter(kwargs, target_gpus, dim) if kwargs else []
    if len(scattered_inputs) < len(scattered_kwargs):
        scattered_inputs.extend(() for _ in range(len(scattered_kwargs) - len(scattered_inputs)))
    elif len(scattered_kwargs) < len(inputs):
        scattered_kwargs.extend({} for _ in range(len(scattered_inputs) - len(scattered_kwargs)))
    return tuple(scattered_inputs), tuple(scattered_kwargs)


def gather(outputs, target_device, dim=0):
    """Concatenate per-device outputs along ``dim`` on ``target_device``."""
    target = _as_device(target_device)

    def gather_map(outs):
        from ...ops.shape import cat
        out = outs[0]
        if isinstance(out, Tensor):
            if out.dim() == 0:   # scalars become a vector, as PyTorch (with a warning)
                return cat([o.reshape(1).to(target) for o in outs], 0)
            return cat([o.to(target) for o in outs], dim)
        if out is None:
            return None
        if isinstance(out, dict):
            if not all(len(out) == len(d) for d in outs):
                raise ValueError("All dicts must have the same number of keys")
            return type(out)((k, gather_map([d[k] for d in outs])) for k in out)
        if _is_namedtuple(out):
            return type(out)._make(map(gather_map, zip(*outs)))
        return type(out)(map(gather_map, zip(*outs)))
    try:
        return gather_map(outputs)
    finally:
        gather_map = None
