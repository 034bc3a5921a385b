"""``torch.testing.make_tensor``: a random tensor of a dtype, shape and value range."""


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """Floats uniform in [low, high) (default [-9, 9)), integers in [low, high) (default
    [-9, 10) or [0, 10) for unsigned), bools at random; as PyTorch's, from ember's
    generator."""
    from .. import ops
    from .._dtype import bool as _bool
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    from ..ops.creation import randint, rand
    if dtype is _bool:
        t = randint(0, 2, shape, device=device).to(_bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        t = (rand(shape, device=device, dtype=dtype) * (hi - lo) + lo)
    else:
        lo = (0 if "uint" in str(dtype) else -9) if low is None else int(low)
        hi = 10 if high is None else int(high)
        t = randint(lo, hi, shape, device=device).to(dtype)
    if exclude_zero:
        t = ops.pointwise.where(t == 0, ops.creation.ones_like(t), t) if hasattr(ops, "pointwise") else t
    if noncontiguous and t.numel() > 1:
        t = t.repeat_interleave(2, dim=-1)[..., ::2]
    if requires_grad:
        t.requires_grad_(True)
    return t
