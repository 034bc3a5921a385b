"""``ember.ao.nn``: quantized (``quantized``, ``quantized.dynamic``), fused
(``intrinsic``) and quantization-aware-training (``qat``) modules."""
from . import quantized, intrinsic, qat  # noqa: F401
