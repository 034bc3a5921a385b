"""``ember.nn.functional``: the functional form of every layer, over ``ember.ops``.

Each op family exports its functional names through its module's ``__all__``.
"""
from ..ops.linear import linear, bilinear  # noqa: F401
from ..ops.activation import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.pooling import *  # noqa: F401,F403
from ..ops.upsampling import *  # noqa: F401,F403
from ..ops.normalization import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.sparse import *  # noqa: F401,F403
from ..ops.distance import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.channel_shuffle import channel_shuffle, native_channel_shuffle  # noqa: F401
from ..ops.grid_sample import grid_sample, affine_grid  # noqa: F401
from ..ops.multi_head_attention import multi_head_attention_forward  # noqa: F401
from ..ops.fractional_pool import *  # noqa: F401,F403
from ..ops.linear_cross_entropy import linear_cross_entropy  # noqa: F401
from .._native_nn import conv_tbc  # noqa: F401  (F.conv_tbc is torch.conv_tbc)
