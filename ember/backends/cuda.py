"""``torch.backends.cuda``: ``matmul.allow_tf32`` and friends, and the SDPA kernel switches.

``matmul.allow_tf32`` reads and sets the float32 matmul precision of
``ember.set_float32_matmul_precision`` ('highest' <-> False, 'high' <-> True), as in
PyTorch; ember's GEMMs always compute in full float32, so the setting changes no result.
"""
from .. import backend


def is_built():
    return backend.cuda_available()


class _Matmul:
    allow_bf16_reduced_precision_reduction = True
    allow_fp16_reduced_precision_reduction = True
    allow_fp16_accumulation = False

    @property
    def allow_tf32(self):
        from .._runtime import get_float32_matmul_precision
        return get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value):
        from .._runtime import set_float32_matmul_precision
        set_float32_matmul_precision("high" if value else "highest")

    def __repr__(self):
        return f"<ember.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


matmul = _Matmul()

_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def flash_sdp_enabled():
    return _sdp["flash"]


def enable_flash_sdp(enabled):
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled():
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled):
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled():
    return _sdp["math"]


def enable_math_sdp(enabled):
    _sdp["math"] = bool(enabled)


def cudnn_sdp_enabled():
    return _sdp["cudnn"]


def enable_cudnn_sdp(enabled):
    _sdp["cudnn"] = bool(enabled)


def is_flash_attention_available():
    return False


def preferred_linalg_library(backend=None):
    return "default"
