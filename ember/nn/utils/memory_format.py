"""``convert_conv2d/3d_weight_memory_format``: PyTorch re-lays conv weights out as
channels_last; ember's arrays are always C-contiguous (its convolutions do not depend on
weight layout), so the conversion returns the module unchanged after PyTorch's checks."""
__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, kinds):
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    return _convert(module, memory_format, ("Conv2d", "ConvTranspose2d"))


def convert_conv3d_weight_memory_format(module, memory_format):
    return _convert(module, memory_format, ("Conv3d", "ConvTranspose3d"))
