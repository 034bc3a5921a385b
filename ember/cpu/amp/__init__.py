"""``ember.cpu.amp``: PyTorch's deprecated CPU spellings of ``ember.amp`` (FutureWarning)."""
from ...amp.deprecated import device_autocast, device_grad_scaler, CPU_DEFAULT

autocast = device_autocast("cpu", CPU_DEFAULT)
GradScaler = device_grad_scaler("cpu")
