"""``ember.cuda.amp``: PyTorch's deprecated CUDA spellings of ``ember.amp`` (FutureWarning)."""
from ...amp.deprecated import (device_autocast, device_grad_scaler, device_custom_fwd,
                               device_custom_bwd, CUDA_DEFAULT)

autocast = device_autocast("cuda", CUDA_DEFAULT)
GradScaler = device_grad_scaler("cuda")
custom_fwd = device_custom_fwd("cuda")
custom_bwd = device_custom_bwd("cuda")
