"""Process-wide switches at ``torch.*`` top level: threads, matmul precision,
determinism, ``compile``, ``typename``, ``is_storage``.

- ``set_num_threads`` / ``get_num_threads`` set the most threads BLAS may use; ember's
  thread policy (one thread for small GEMMs, see ``backend``) stays in force below that.
  Inter-op threads: ember runs ops one after another, so ``get_num_interop_threads`` is 1
  and ``set_num_interop_threads`` only checks its argument.
- ``set_float32_matmul_precision``: kept and reported ('highest' by default, as PyTorch);
  ember's float32 GEMMs always run in full float32 (no TF32/bfloat16 passes).
- ``use_deterministic_algorithms``: kept and reported; ember's ops are deterministic on
  the CPU (index_add / scatter_add included), so nothing changes.
- ``compile``: see ``ember._dynamo`` (the model runs eagerly).
"""
from . import backend

_state = {"precision": "highest", "deterministic": False, "warn_only": False}


def set_num_threads(num):
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num!r}")
    backend.set_num_threads(num)


def get_num_threads():
    return backend.get_num_threads()


def get_num_interop_threads():
    return 1


def set_num_interop_threads(num):
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("Expected positive number of threads")


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision!r}: expected one of 'highest', "
                           "'high', 'medium'")
    _state["precision"] = precision


def get_float32_matmul_precision():
    return _state["precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, but got "
                        f"{type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    modes = {"default": 0, "warn": 1, "error": 2}
    level = modes.get(debug_mode, debug_mode)
    if level not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, "
                           f"`error`, but got {debug_mode}")
    use_deterministic_algorithms(level > 0, warn_only=level == 1)


def get_deterministic_debug_mode():
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """``torch.compile``: see :func:`ember._dynamo.compile`."""
    from ._dynamo import compile as _compile
    return _compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                    options=options, disable=disable)


def typename(obj):
    """``torch.typename``: 'torch.FloatTensor' for a float32 tensor, the qualified class
    name otherwise (as PyTorch, with torch's tensor type names)."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def is_storage(obj):
    return False
