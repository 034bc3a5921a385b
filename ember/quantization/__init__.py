"""``ember.quantization``: the legacy name of ``ember.ao.quantization`` (as torch keeps
``torch.quantization``)."""
from ..ao.quantization import *  # noqa: F401,F403
from ..ao.quantization import __dict__ as _ao_dict

globals().update({k: v for k, v in _ao_dict.items() if not k.startswith("__")})
