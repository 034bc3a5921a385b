"""``torch.distributions.utils``: broadcasting parameters, probs <-> logits."""
import numbers

from .. import _dtype

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs",
           "lazy_property", "euler_constant"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Tensors and numbers -> tensors of one broadcast shape (numbers take the dtype of the
    tensors, or the default dtype)."""
    from .._tensor import Tensor
    from ..ops.creation import tensor
    from ..ops.shape import broadcast_tensors
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        like = next((v for v in values if isinstance(v, Tensor)), None)
        dtype = like.dtype if like is not None else _dtype.get_default_dtype()
        device = like.device if like is not None else None
        values = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype, device=device)
                  for v in values]
    return broadcast_tensors(*values)


def clamp_probs(probs):
    import numpy
    eps = float(numpy.finfo(probs.dtype.np if hasattr(probs.dtype, "np") else numpy.float32).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    from ..nn.functional import softmax
    if is_binary:
        return logits.sigmoid()
    return softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """Computed on first access and stored on the instance (PyTorch's lazy_property)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        from ..autograd import enable_grad
        with enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value
