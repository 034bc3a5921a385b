"""``parameters_to_vector`` / ``vector_to_parameters`` (``torch.nn.utils``)."""
from ..._tensor import Tensor


def parameters_to_vector(parameters):
    """One 1-D tensor of all parameters, flattened in order (differentiable)."""
    from ...ops.shape import cat
    params = list(parameters)
    _check_same_device(params)
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy slices of ``vec`` into the parameters' data, in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    _check_same_device(params + [vec])
    offset = 0
    for p in params:
        n = p.numel()
        p._data = vec._data[offset:offset + n].reshape(p._data.shape)  # a view, as PyTorch
        offset += n


def _check_same_device(tensors):
    devices = {t.device.type for t in tensors}
    if len(devices) > 1:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
