"""``ember.device``: which backend serves a tensor ('cpu' -> numpy, 'cuda' -> cupy)."""
from . import backend

_TYPES = ("cpu", "cuda", "meta")


class device:
    """``torch.device``: a type ('cpu' or 'cuda') and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in _TYPES:
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # Like PyTorch, a device never equals a string: compare with device('cpu').
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def as_device(d):
    """Accept a device, a string or a CUDA ordinal; return a device."""
    if isinstance(d, device):
        return d
    return device(d)


def check_available(d):
    """Raise PyTorch's error when a CUDA device is asked for without CUDA support."""
    if d.type == "cuda" and not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type == "meta":
        raise NotImplementedError("ember has no 'meta' device")
