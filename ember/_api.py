"""Small top-level helpers of ``torch.*`` that belong to no op family."""
from ._tensor import Tensor
from ._dtype import result_type as _result_type


def result_type(tensor1, tensor2):
    """``torch.result_type``: the dtype an arithmetic op on the two operands produces."""
    return _result_type(tensor1, tensor2)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()
