"""``ember.ao``: architecture optimization -- quantization (``ember.ao.quantization``) and
the quantized modules (``ember.ao.nn``)."""
from . import nn, quantization  # noqa: F401
