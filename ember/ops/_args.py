"""PyTorch's argument-parser errors, for ember's functions that take ``*args`` or optional
arguments PyTorch requires (issue 17): a missing argument or one of the wrong type is a
TypeError naming the function and the argument, as torch's are."""
import numbers


def missing(fname, argname):
    """The TypeError PyTorch's parser raises for a missing required argument."""
    return TypeError(f'{fname}() missing 1 required positional arguments: "{argname}"')


def check_tensor(x, fname, argname="input", pos=1):
    from .._tensor import Tensor
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def check_number(x, fname, argname, pos):
    from .._tensor import Tensor
    if isinstance(x, Tensor) or (isinstance(x, numbers.Number) and not isinstance(x, bool)):
        return
    if isinstance(x, bool):
        return
    raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Number, not "
                    f"{type(x).__name__}")


def check_int(x, fname, argname, pos):
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return
    if hasattr(x, "__index__") and not isinstance(x, bool):
        try:
            x.__index__()
            return
        except TypeError:
            pass
    raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be int, not "
                    f"{type(x).__name__}")
