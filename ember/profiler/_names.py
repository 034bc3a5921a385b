"""Profiler names of ember's ops, in PyTorch's ``aten::`` vocabulary.

Tools that group a trace by op name (TensorBoard's profiler plugin, HTA, one's own
scripts) expect PyTorch's names. Each ember op is one Function whose ``node_name`` is
already PyTorch's backward-node name (``AddmmBackward0``, ``NativeLayerNormBackward0``),
so the op name is that node name without ``Backward<N>``, in snake case, under
``aten::`` (``aten::addmm``, ``aten::native_layer_norm``). The table below overrides
the fused ops whose PyTorch name is the public call (``aten::linear``,
``aten::conv2d``, ``aten::cross_entropy_loss`` ...). ember's fused ops run as one event
where PyTorch shows a nest (``aten::linear`` > ``aten::addmm``); user ``Function``
subclasses are named by their class, as PyTorch names them.
"""
import re

# Fused ember Functions whose PyTorch event is the public op.
_OVERRIDES = {
    "Linear": "aten::linear",
    "Dropout": "aten::dropout",
    "Attention": "aten::scaled_dot_product_attention",
    "ClassNLL": "aten::nll_loss_nd",
    "SoftTargetCE": "aten::cross_entropy_loss",
    "Embedding": "aten::embedding",
    "EmbeddingBag": "aten::embedding_bag",
    "RecurrentLayer": "aten::rnn",
    "Normalize": "aten::batch_norm",
    "BatchNormFn": "aten::batch_norm",
    "LayerNormFn": "aten::layer_norm",
    "GroupNormFn": "aten::group_norm",
    "RMSNormFn": "aten::rms_norm",
    "Contiguous": "aten::contiguous",
    "Square": "aten::square",
    "ToCopy": "aten::to",
    "ToDevice": "aten::to",
    "Matmul": "aten::matmul",
    "Einsum": "aten::einsum",
    "Overwrite": "aten::fill_",
    "CopySlices": "aten::copy_",
    "CopyBackwards": "aten::copy_",
}

_CONV_NAMES = {"_Conv": "aten::conv{}d", "_ConvTranspose": "aten::conv_transpose{}d"}

_cache = {}


def _snake(name):
    name = re.sub(r"(\d)D", r"\1d", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def op_name(cls, args):
    """The event name of a call of Function ``cls`` with positional ``args``."""
    conv = _CONV_NAMES.get(cls.__name__)
    if conv is not None:
        x = args[0] if args else None
        dims = getattr(x, "ndim", 4) - 2
        return conv.format(dims if 1 <= dims <= 3 else 2)
    name = _cache.get(cls)
    if name is None:
        name = _cache[cls] = _derive(cls)
    return name


def _derive(cls):
    if not cls.array_forward:
        return cls.__name__              # a user's autograd.Function
    if cls.__name__ in _OVERRIDES:
        return _OVERRIDES[cls.__name__]
    node = cls.node_name
    if node.startswith("torch::"):
        return "aten::" + node.rsplit("::", 1)[1]
    base = re.sub(r"Backward\d*$", "", node)
    if not base or base.startswith("_"):
        base = cls.__name__.lstrip("_")
    return "aten::" + _snake(base)
