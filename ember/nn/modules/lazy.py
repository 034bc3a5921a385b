"""Lazy modules (``torch.nn.modules.lazy`` and the Lazy* layers): shapes inferred from the
first input.

``LazyModuleMixin`` follows PyTorch: until the first forward the module's parameters are
``UninitializedParameter`` (buffers ``UninitializedBuffer``), its ``in_features`` /
``in_channels`` / ``num_features`` is 0 and ``repr`` says so; a forward pre-hook calls
``initialize_parameters(input)``, which materializes them from the input's shape and runs
the layer's own ``reset_parameters``; then the module becomes ``cls_to_become`` (Linear,
Conv2d, BatchNorm1d ...), so its repr, type and state_dict are the eager layer's.
``state_dict`` before then has the same keys, with uninitialized values.
"""
from ..parameter import UninitializedParameter, UninitializedBuffer, is_lazy
from .linear import Linear
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                   ConvTranspose3d)
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """Mixin for modules whose parameters' shapes come from the first input."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(
            LazyModuleMixin._infer_parameters, with_kwargs=True)

    def has_uninitialized_params(self):
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in tensors if t is not None)

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{self.__class__.__name__}")

    @staticmethod
    def _infer_parameters(module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become
        return None

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize "
                           "the modules")


def _lazy_param(module, name, device, dtype):
    if getattr(module, name, None) is not None:
        setattr(module, name, UninitializedParameter(device=device, dtype=dtype))


class LazyLinear(LazyModuleMixin, Linear):
    """``torch.nn.LazyLinear(out_features, bias=True)``: in_features from input.shape[-1]."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            from ...autograd import no_grad
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvXdMixin(LazyModuleMixin):
    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input):
        n_spatial = len(self.kernel_size)
        if input.dim() not in (n_spatial + 1, n_spatial + 2):
            raise RuntimeError(f"Expected {n_spatial + 1}D (unbatched) or {n_spatial + 2}D "
                               f"(batched) input to {self.__class__.__name__}, but got input "
                               f"of size: {list(input.shape)}")
        return input.shape[1] if input.dim() == n_spatial + 2 else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            from ...autograd import no_grad
            with no_grad():
                self.in_channels = self._get_in_channels(input)
                if self.in_channels % self.groups != 0:
                    raise ValueError("in_channels must be divisible by groups")
                if self.transposed:
                    shape = (self.in_channels, self.out_channels // self.groups)
                else:
                    shape = (self.out_channels, self.in_channels // self.groups)
                self.weight.materialize(shape + tuple(self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


def _lazy_conv(name, base, transposed):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, *rest, **kwargs):
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        names = (("output_padding", "groups", "bias", "dilation", "padding_mode")
                 if transposed else ("dilation", "groups", "bias", "padding_mode"))
        opts = dict(zip(names, rest))
        opts.update(kwargs)
        bias = opts.pop("bias", True)
        base.__init__(self, 0, 0, kernel_size, stride, padding, bias=False, **opts)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._initialize_hook = self.register_forward_pre_hook(
            LazyModuleMixin._infer_parameters, with_kwargs=True)
    cls = type(name, (_LazyConvXdMixin, base), {
        "__init__": __init__, "cls_to_become": base, "__module__": __name__,
        "__doc__": f"``torch.nn.{name}``: {base.__name__} whose in_channels come from the "
                   f"first input."})
    return cls


LazyConv1d = _lazy_conv("LazyConv1d", Conv1d, False)
LazyConv2d = _lazy_conv("LazyConv2d", Conv2d, False)
LazyConv3d = _lazy_conv("LazyConv3d", Conv3d, False)
LazyConvTranspose1d = _lazy_conv("LazyConvTranspose1d", ConvTranspose1d, True)
LazyConvTranspose2d = _lazy_conv("LazyConvTranspose2d", ConvTranspose2d, True)
LazyConvTranspose3d = _lazy_conv("LazyConvTranspose3d", ConvTranspose3d, True)


class _LazyNormBase(LazyModuleMixin):
    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(0, eps, momentum, False, False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            from ...ops.creation import tensor
            from ..._dtype import int64
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=int64, device=device)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            from ...autograd import no_grad
            with no_grad():
                self.num_features = input.shape[1] if input.dim() > 1 else input.shape[0]
                if self._unbatched_dim is not None and input.dim() == self._unbatched_dim:
                    self.num_features = input.shape[0]
                for name in ("weight", "bias"):
                    t = getattr(self, name)
                    if t is not None and is_lazy(t):
                        t.materialize((self.num_features,))
                for name in ("running_mean", "running_var"):
                    t = getattr(self, name)
                    if t is not None and is_lazy(t):
                        t.materialize((self.num_features,))
                self.reset_parameters()


def _lazy_norm(name, base, default_affine, unbatched_dim):
    def __init__(self, eps=1e-5, momentum=0.1, affine=default_affine,
                 track_running_stats=default_affine, device=None, dtype=None):
        _LazyNormBase.__init__(self, eps, momentum, affine, track_running_stats, device, dtype)
    return type(name, (_LazyNormBase, base), {
        "__init__": __init__, "cls_to_become": base, "_unbatched_dim": unbatched_dim,
        "__module__": __name__,
        "__doc__": f"``torch.nn.{name}``: {base.__name__} whose num_features come from the "
                   f"first input."})


LazyBatchNorm1d = _lazy_norm("LazyBatchNorm1d", BatchNorm1d, True, None)
LazyBatchNorm2d = _lazy_norm("LazyBatchNorm2d", BatchNorm2d, True, None)
LazyBatchNorm3d = _lazy_norm("LazyBatchNorm3d", BatchNorm3d, True, None)
LazyInstanceNorm1d = _lazy_norm("LazyInstanceNorm1d", InstanceNorm1d, True, 2)
LazyInstanceNorm2d = _lazy_norm("LazyInstanceNorm2d", InstanceNorm2d, True, 3)
LazyInstanceNorm3d = _lazy_norm("LazyInstanceNorm3d", InstanceNorm3d, True, 4)
