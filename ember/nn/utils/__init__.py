"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, flat buffer views."""
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .flat_view import flat_views, FlatView
from . import rnn
from . import parametrize, parametrizations  # noqa: E402,F401  (issue 12)
from .weight_norm import weight_norm, remove_weight_norm  # noqa: E402,F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: E402,F401
from . import prune  # noqa: E402,F401
# nn-autograd (issue 17): BN fusion, skip_init, memory-format conversion
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights,  # noqa: E402,F401
                     fuse_linear_bn_eval, fuse_linear_bn_weights)
from .init import skip_init  # noqa: E402,F401
from . import fusion  # noqa: E402,F401
from .memory_format import (convert_conv2d_weight_memory_format,  # noqa: E402,F401
                            convert_conv3d_weight_memory_format)
from . import stateless  # noqa: E402,F401
