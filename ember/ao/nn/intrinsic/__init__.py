"""``ember.ao.nn.intrinsic``: fused float modules (what ``fuse_modules`` produces), as
``torch.ao.nn.intrinsic``: Sequential containers whose type tells convert to use the fused
quantized kernel."""
from ....nn.modules.container import Sequential
from ....nn.modules.linear import Linear
from ....nn.modules.conv import Conv1d, Conv2d
from ....nn.modules.batchnorm import BatchNorm2d
from ....nn.modules.activation import ReLU


class _FusedModule(Sequential):
    pass


def _check(mods, types, name):
    got = tuple(type(m) for m in mods)
    if len(got) != len(types) or not all(issubclass(g, t) for g, t in zip(got, types)):
        raise AssertionError(f"Incorrect types for input modules{got}")


class ConvReLU2d(_FusedModule):
    def __init__(self, conv, relu):
        _check((conv, relu), (Conv2d, ReLU), "ConvReLU2d")
        super().__init__(conv, relu)


class ConvReLU1d(_FusedModule):
    def __init__(self, conv, relu):
        _check((conv, relu), (Conv1d, ReLU), "ConvReLU1d")
        super().__init__(conv, relu)


class LinearReLU(_FusedModule):
    def __init__(self, linear, relu):
        _check((linear, relu), (Linear, ReLU), "LinearReLU")
        super().__init__(linear, relu)


class ConvBn2d(_FusedModule):
    def __init__(self, conv, bn):
        _check((conv, bn), (Conv2d, BatchNorm2d), "ConvBn2d")
        super().__init__(conv, bn)


class ConvBnReLU2d(_FusedModule):
    def __init__(self, conv, bn, relu):
        _check((conv, bn, relu), (Conv2d, BatchNorm2d, ReLU), "ConvBnReLU2d")
        super().__init__(conv, bn, relu)


class BNReLU2d(_FusedModule):
    def __init__(self, batch_norm, relu):
        _check((batch_norm, relu), (BatchNorm2d, ReLU), "BNReLU2d")
        super().__init__(batch_norm, relu)


from . import quantized, qat  # noqa: E402,F401
