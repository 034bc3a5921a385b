"""``ember.cuda``: ``torch.cuda`` on CuPy. Tensors on ``device='cuda'`` hold CuPy arrays;
this module answers the queries (is_available, device_count, current_device, ...),
switches devices and streams (``_streams``), seeds, and reports CuPy's memory pool.
Without CuPy or a GPU it reports no device (``is_available()`` False, ``device_count()``
0) and what needs one raises PyTorch's "Torch not compiled with CUDA enabled".
"""
from .. import backend
from . import _streams
from ._streams import (Event, Stream, StreamContext, current_stream, default_stream,  # noqa: F401
                       device_of, set_stream, stream)


def is_available():
    return backend.cuda_available()


def device_count():
    if not backend.cuda_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def current_device():
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    return cupy.cuda.runtime.getDevice()


def synchronize(device=None):
    """Wait for all work on ``device`` (default: the current one). Without a GPU it does
    nothing (PyTorch raises), so CPU timing code that calls it runs."""
    if not backend.cuda_available():
        return
    import cupy
    with _streams.device(device):
        cupy.cuda.runtime.deviceSynchronize()


def manual_seed(seed):
    """Seeds ember's single generator (CUDA tensors are drawn on the host, then copied)."""
    from .._random import manual_seed as _ms
    _ms(seed)


manual_seed_all = manual_seed


def is_bf16_supported():
    return is_available()


# -- ember.compat (issue 12): the rest of torch.cuda that programs call ----------------
# Without a GPU the memory queries return zeros (PyTorch raises or returns 0 there; the
# zeros let logging code run); with one they report CuPy's default memory pool.

def _pool():
    if not backend.cuda_available():
        return None
    import cupy
    return cupy.get_default_memory_pool()


_peak = {"allocated": 0, "reserved": 0}


def is_initialized():
    return backend.cuda_available()


def init():
    """Nothing to initialise lazily (CuPy does it on first use)."""


def set_device(device):
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    index = _streams._index(device)
    if index >= 0:
        cupy.cuda.runtime.setDevice(index)


def get_device_name(device=None):
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(current_device() if device is None
                                                  else int(getattr(device, "index", device) or 0))
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    cc = cupy.cuda.Device(current_device() if device is None else device).compute_capability
    return int(cc[:-1]), int(cc[-1])


def empty_cache():
    pool = _pool()
    if pool is not None:
        pool.free_all_blocks()


def memory_allocated(device=None):
    pool = _pool()
    used = 0 if pool is None else int(pool.used_bytes())
    _peak["allocated"] = max(_peak["allocated"], used)
    return used


def memory_reserved(device=None):
    pool = _pool()
    total = 0 if pool is None else int(pool.total_bytes())
    _peak["reserved"] = max(_peak["reserved"], total)
    return total


def max_memory_allocated(device=None):
    return max(_peak["allocated"], memory_allocated(device))


def max_memory_reserved(device=None):
    return max(_peak["reserved"], memory_reserved(device))


memory_cached = memory_reserved
max_memory_cached = max_memory_reserved


def reset_peak_memory_stats(device=None):
    _peak["allocated"] = _peak["reserved"] = 0


reset_max_memory_allocated = reset_max_memory_cached = reset_peak_memory_stats


def reset_accumulated_memory_stats(device=None):
    """No accumulated counters are kept."""


def memory_stats(device=None):
    """The keys programs read most, with CuPy pool numbers (zeros without a GPU)."""
    cur, peak = memory_allocated(device), max_memory_allocated(device)
    res, res_peak = memory_reserved(device), max_memory_reserved(device)
    return {"allocated_bytes.all.current": cur, "allocated_bytes.all.peak": peak,
            "reserved_bytes.all.current": res, "reserved_bytes.all.peak": res_peak,
            "active_bytes.all.current": cur, "active_bytes.all.peak": peak,
            "num_alloc_retries": 0, "num_ooms": 0}


def memory_summary(device=None, abbreviated=False):
    s = memory_stats(device)
    return "\n".join(f"{k}: {v}" for k, v in s.items())


def mem_get_info(device=None):
    if not backend.cuda_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    import cupy
    free, total = cupy.cuda.runtime.memGetInfo()
    return int(free), int(total)


def seed():
    from .._random import seed as _seed
    return _seed()


seed_all = seed


def initial_seed():
    from .._random import initial_seed as _i
    return _i()


def get_rng_state(device="cuda"):
    from .._random import get_rng_state as _g
    return _g()


def set_rng_state(new_state, device="cuda"):
    from .._random import set_rng_state as _s
    _s(new_state)


def get_rng_state_all():
    return [get_rng_state()] * max(device_count(), 1)


def set_rng_state_all(new_states):
    if new_states:
        set_rng_state(new_states[0])
# imported last: the functions above take a ``device`` argument, as torch.cuda's do
device = _streams.device


def __getattr__(name):
    # ``ember.cuda.amp`` (issue 14) loads on first use
    if name == "amp":
        import importlib
        module = importlib.import_module("ember.cuda.amp")
        globals()["amp"] = module
        return module
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
