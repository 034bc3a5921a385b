"""``ember.finfo`` / ``ember.iinfo``: machine limits of floating and integer dtypes, with
PyTorch's attributes and printing (NumPy's, or ml_dtypes' for bfloat16, underneath)."""
from . import _dtype


def _dtype_arg(type, kind):
    if type is None:
        return _dtype.get_default_dtype()
    if not isinstance(type, _dtype.dtype):
        raise TypeError(f"{kind}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type.__class__.__name__}")
    return type


class finfo:
    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                 "dtype")

    def __init__(self, type=None):
        import numpy as np
        t = _dtype_arg(type, "finfo")
        if not (t.is_floating_point or t.is_complex):
            raise TypeError(f"torch.finfo() requires a floating point input type. Use "
                            f"torch.iinfo to handle '{t}'")
        npt = t.np
        if t.is_complex:
            npt = np.float32 if t.itemsize == 8 else np.float64
        if str(t).endswith("bfloat16"):
            import ml_dtypes
            info = ml_dtypes.finfo(npt)
        else:
            info = np.finfo(npt)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = str(t).replace("ember.", "")

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):
        import numpy as np
        t = _dtype_arg(type, "iinfo")
        if t.is_floating_point or t.is_complex or str(t).endswith("bool"):
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo "
                            f"to handle '{t}'")
        info = np.iinfo(t.np)
        self.bits, self.max, self.min = int(info.bits), int(info.max), int(info.min)
        self.dtype = str(t).replace("ember.", "")

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
