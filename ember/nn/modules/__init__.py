"""Every layer, one file per family; re-exported as ``ember.nn.<Layer>``."""

# The layer families load on first use (import time, issue 18; ember/_lazy.py), in binding
# order (a later source wins). After adding a layer, run ``python -m tools.lazy_tables --write``.
_LAZY_SOURCES = (
    ("ember.nn.modules.linear", "star", ""),
    ("ember.nn.modules.activation", "star", ""),
    ("ember.nn.modules.loss", "star", ""),
    ("ember.nn.modules.conv", "star", ""),
    ("ember.nn.modules.pooling", "star", ""),
    ("ember.nn.modules.upsampling", "star", ""),
    ("ember.nn.modules.pixelshuffle", "star", ""),
    ("ember.nn.modules.normalization", "star", ""),
    ("ember.nn.modules.batchnorm", "star", ""),
    ("ember.nn.modules.instancenorm", "star", ""),
    ("ember.nn.modules.dropout", "star", ""),
    ("ember.nn.modules.sparse", "star", ""),
    ("ember.nn.modules.distance", "star", ""),
    ("ember.nn.modules.rnn", "star", ""),
    ("ember.nn.modules.multihead_attention", "star", ""),
    ("ember.nn.modules.transformer", "star", ""),
    ("ember.nn.modules.padding", "star", ""),
    ("ember.nn.modules.channelshuffle", "star", ""),
    ("ember.nn.modules.lazy", "star", ""),              # nn-autograd (issue 17)
    ("ember.nn.modules.adaptive", "names", "AdaptiveLogSoftmaxWithLoss"),   # nn-autograd
    ("ember.nn.modules.fractional_pool", "names", "FractionalMaxPool2d FractionalMaxPool3d"),
    # Module and the containers (last, so that a family's re-export never stands for them)
    ("ember.nn.modules.module", "names", "Module"),
    ("ember.nn.modules.container", "names",
     "Sequential ModuleList ModuleDict ParameterList ParameterDict"),
)

from ..._lazy_tables import NN_MODULES as _LAZY_NAMES  # noqa: E402
from ..._lazy import module_getattr as _module_getattr  # noqa: E402

# what ``from .modules import *`` (ember.nn) exports: the layers, not the family files
__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AlphaDropout", "AvgPool1d", "AvgPool2d",
    "AvgPool3d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d",
    "BatchNorm3d", "Bilinear", "CELU", "CTCLoss", "Conv1d", "Conv2d", "Conv3d",
    "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss",
    "CosineSimilarity", "CrossEntropyLoss", "Dropout", "Dropout1d", "Dropout2d",
    "Dropout3d", "ELU", "Embedding", "EmbeddingBag", "FeatureAlphaDropout", "Flatten",
    "Fold", "GELU", "GLU", "GRU", "GRUCell", "GaussianNLLLoss", "GroupNorm", "Hardshrink",
    "Hardsigmoid", "Hardswish", "Hardtanh", "HingeEmbeddingLoss", "HuberLoss", "Identity",
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "KLDivLoss", "L1Loss", "LPPool1d",
    "LPPool2d", "LPPool3d", "LSTM", "LSTMCell", "LayerNorm", "LeakyReLU", "Linear",
    "LocalResponseNorm", "LogSigmoid", "LogSoftmax", "MSELoss", "MarginRankingLoss",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
    "Mish", "Module", "ModuleDict", "ModuleList", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiheadAttention", "NLLLoss",
    "NLLLoss2d", "PReLU", "PairwiseDistance", "ParameterDict", "ParameterList",
    "PixelShuffle", "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RNN", "RNNBase",
    "RNNCell", "RNNCellBase", "RReLU", "ReLU", "ReLU6", "SELU", "Sequential", "SiLU",
    "Sigmoid", "SmoothL1Loss", "SoftMarginLoss", "Softmax", "Softmax2d", "Softmin",
    "Softplus", "Softshrink", "Softsign", "SyncBatchNorm", "Tanh", "Tanhshrink",
    "Threshold", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
    "TransformerEncoder", "TransformerEncoderLayer", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "Unflatten", "Unfold", "Upsample",
    "UpsamplingBilinear2d", "UpsamplingNearest2d",
]
__all__ += [n for n, (m, _) in _LAZY_NAMES.items()
            if m in ("ember.nn.modules.padding", "ember.nn.modules.lazy")]
__all__ += ["ChannelShuffle", "CrossMapLRN2d", "AdaptiveLogSoftmaxWithLoss",
            "FractionalMaxPool2d", "FractionalMaxPool3d"]

__getattr__ = _module_getattr(globals(), _LAZY_NAMES)


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES))
