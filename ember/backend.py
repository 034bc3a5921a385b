"""The array backends: NumPy for 'cpu', CuPy for 'cuda'.

Every difference between numpy and cupy that ember relies on lives here, so ops can be
written once against the namespace ``xp = get_array_module(x)``.
"""
import numpy

try:  # CuPy is optional; without it (or without a GPU) 'cuda' is unavailable.
    import cupy as _cupy
except Exception:  # ImportError, or a CUDA driver error raised while importing
    _cupy = None

# PyTorch computes log(-1) = nan and 1/0 = inf silently; NumPy would warn on every such
# element-wise op. ember follows PyTorch (a process-wide NumPy setting; docs/differences.md).
numpy.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

ndarray = numpy.ndarray
generic = numpy.generic

# Freed temporaries stay in the process (glibc malloc thresholds; see ember/_allocator.py).
from ._allocator import tune as _tune_allocator  # noqa: E402
_tune_allocator()


def cuda_available():
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def get_array_module(x):
    """The array namespace (numpy or cupy) that serves array ``x``."""
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return _cupy
    return numpy


def namespace_for(device_type):
    if device_type == "cpu":
        return numpy
    if device_type == "cuda":
        if not cuda_available():
            raise AssertionError("Torch not compiled with CUDA enabled (ember: CuPy with a "
                                 "visible GPU is needed for device 'cuda')")
        return _cupy
    raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {device_type}")


def device_type_of(x):
    if _cupy is not None and isinstance(x, _cupy.ndarray):
        return "cuda"
    return "cpu"


def as_array(x):
    """Turn the NumPy scalar that a 0-d operation may return back into a 0-d array."""
    if isinstance(x, generic):
        return numpy.asarray(x)
    return x


class _HostScalars(dict):
    """Python numbers as 0-d arrays of one host float dtype, made on first use."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def __missing__(self, value):
        if value == 0:
            return value    # 0.0 and -0.0 are equal keys: zeros are not cached
        if len(self) >= 64:
            self.clear()    # values that change every step (bias corrections) churn
        out = self[value] = numpy.array(value, self.dtype)
        return out


class _PlainScalars(dict):
    """The mapping that leaves numbers as they are (device arrays and other dtypes)."""

    def __missing__(self, value):
        return value


PLAIN_SCALARS = _PlainScalars()
_HOST_SCALARS = {"f": _HostScalars(numpy.float32), "d": _HostScalars(numpy.float64)}


def scalar_operands(x):
    """A mapping from Python numbers to the operands an in-place update of array ``x``
    should pass its ufuncs: for a host float32/float64 array, 0-d arrays of its dtype
    (cached by value); otherwise the numbers themselves.

    NumPy converts a Python float operand to the array's dtype on every ufunc call (NEP 50
    weak scalars), ~2.6K instructions a call more than a 0-d array operand of that dtype,
    which gives the same bits: the float is rounded to the dtype either way. Take the
    mapping once per array (the call costs about what one conversion saves) and only for
    ufuncs whose array operands all have ``x``'s dtype. Adam makes six such calls per
    parameter (callgrind, its step over 4 small parameters: 322K -> 281K instructions).
    """
    if type(x) is ndarray:
        ops = _HOST_SCALARS.get(x.dtype.char)
        if ops is not None:
            return ops
    return PLAIN_SCALARS


def to_host(x):
    """A NumPy array with the contents of ``x`` (a copy from the GPU for cupy arrays)."""
    if isinstance(x, ndarray):
        return x
    if isinstance(x, generic):
        return numpy.asarray(x)
    return _cupy.asnumpy(x)


def to_device(x, device_type, index=None, non_blocking=False):
    """``x`` copied to ``device_type`` ('cpu' or 'cuda'; CUDA device ``index``, default the
    current one). ``non_blocking``: a pinned host array goes up with an asynchronous copy
    on the current stream (CuPy's ``ndarray.set``), as PyTorch's; other copies are
    synchronous, which PyTorch's non_blocking also allows."""
    if device_type == "cpu":
        return to_host(x)
    xp = namespace_for("cuda")
    if index is None or index == xp.cuda.runtime.getDevice():
        return _upload(xp, x, non_blocking)
    with xp.cuda.Device(index):
        return _upload(xp, x, non_blocking)


def _upload(xp, x, non_blocking):
    if non_blocking and isinstance(x, ndarray) and x.flags.c_contiguous and is_pinned(x):
        out = xp.empty(x.shape, x.dtype)
        out.set(x, stream=xp.cuda.get_current_stream())
        return out
    return xp.asarray(x)


def cuda_index(x):
    """The CUDA device ordinal of a CuPy array (0 for anything else)."""
    try:
        return x.device.id
    except AttributeError:
        return 0


# -- pinned (page-locked) host memory: CuPy's pinned memory pool ---------------------------

def pin(x):
    """A copy of host array ``x`` in page-locked memory (``cupyx.empty_pinned``), which
    the GPU reads by DMA; PyTorch's error where no CUDA device can pin it."""
    if not cuda_available():
        raise RuntimeError("Cannot access accelerator device when none is available. "
                           "(ember pins host memory through CuPy: pip install "
                           "'ember[cuda12]' on a machine with an NVIDIA GPU)")
    import cupyx
    out = cupyx.empty_pinned(x.shape, x.dtype)
    out[...] = x
    return out


def is_pinned(x):
    """Whether host array ``x`` lies in page-locked memory CUDA knows of."""
    if _cupy is None or not isinstance(x, ndarray) or not x.size:
        return False
    try:
        attrs = _cupy.cuda.runtime.pointerGetAttributes(x.ctypes.data)
    except Exception:   # no driver, or memory CUDA was never told of
        return False
    return getattr(attrs, "type", 0) == 1     # cudaMemoryTypeHost


def mixed_devices(arrays):
    """(first, second) device names when ``arrays`` lie on more than one device, else
    None. Called only after an op failed, so it costs nothing on the hot path."""
    seen = None
    for a in arrays:
        if isinstance(a, ndarray):
            name = "cpu"
        elif _cupy is not None and isinstance(a, _cupy.ndarray):
            name = f"cuda:{cuda_index(a)}"
        else:
            continue
        if seen is None:
            seen = name
        elif name != seen:
            return seen, name
    return None


def on(xp, arr):
    """``arr`` (a host array, or one on another device) as an array of backend ``xp``: the
    index and weight tables ops precompute with NumPy, moved to the GPU once they are used
    there; unchanged when it already is one."""
    if get_array_module(arr) is xp:
        return arr
    return to_host(arr) if xp is numpy else xp.asarray(arr)


def is_array(x):
    return isinstance(x, ndarray) or (_cupy is not None and isinstance(x, _cupy.ndarray))


def broadcast_to(xp, x, shape):
    """A read-only broadcast view of ``x`` with ``shape``.

    numpy.broadcast_to costs ~4 us in Python-level checks; building the zero-stride view
    directly costs ~0.5 us, and this runs in every sum/mean backward.
    """
    if xp is numpy and x.flags.c_contiguous and isinstance(x, ndarray):
        xs = x.shape
        nd = len(shape)
        lead = nd - len(xs)
        if lead >= 0:
            strides = [0] * nd
            ok = True
            for i, s in enumerate(xs):
                if s == shape[lead + i]:
                    strides[lead + i] = x.strides[i] if s != 1 else 0
                elif s == 1:
                    pass
                else:
                    ok = False
                    break
            if ok:
                out = ndarray(shape, x.dtype, x, 0, tuple(strides))
                out.flags.writeable = False
                return out
    return xp.broadcast_to(x, shape)


def as_strided(x, shape, strides):
    """A view of ``x``'s memory with ``shape`` and byte ``strides`` (no bounds checks: the
    caller guarantees every element lies inside ``x``'s buffer). Writes go through.

    For a C-contiguous NumPy array the view is built directly (~1 us; numpy's as_strided
    costs ~6 us); cupy has the same ``lib.stride_tricks.as_strided``.
    """
    if isinstance(x, ndarray) and x.flags.c_contiguous and x.size:
        return ndarray(shape, x.dtype, x, 0, strides)
    return get_array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


# -- BLAS thread policy ------------------------------------------------------------------
# Multi-threaded OpenBLAS on small GEMMs gains nothing on a quiet machine and loses 3-100x
# when another process holds a core (DESIGN.md). ember runs GEMMs below this many
# multiply-adds on one thread and larger ones on the library's default thread count.
SMALL_GEMM_MACS = 1 << 22
_blas = {}


def _openblas():
    """(set_num_threads, default_threads) of the OpenBLAS NumPy loaded, or None."""
    if "lib" in _blas:
        return _blas["lib"]
    _blas["lib"] = None
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
        for path in paths:
            lib = ctypes.CDLL(path)
            for prefix in ("scipy_openblas", "openblas"):
                for suffix in ("64_", ""):
                    setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                    getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                    if setter is not None and getter is not None:
                        n = int(getter())
                        _blas["lib"] = (setter, n)
                        _blas["current"] = n
                        # (stops the worker threads; the next threaded call restarts them)
                        _blas["stop"] = getattr(lib, "blas_thread_shutdown_", None)
                        return _blas["lib"]
    except Exception:  # no /proc, no OpenBLAS (MKL, Accelerate): leave threads alone
        pass
    return None


# Oversubscribed cores: when more processes are runnable than there are cores, each
# OpenBLAS thread past the first spin-waits for a core another process holds, at any
# size. Measured (512x512 float32 GEMM, 2 cores, load average 8.4): 2 threads 84 ms,
# 1 thread 12 ms (torch's 2 threads: 61 ms). Large GEMMs then run on one thread too.
# Two signals, re-read at most every LOAD_CHECK_S seconds (~1 us per call between reads):
# - the load average (os.getloadavg) at or above cores + 1: a crowded machine;
# - CPU time other processes used over a window (/proc/stat's busy ticks minus this
#   process's own CPU time, all its threads: time.process_time) of at least
#   OTHERS_BUSY_CORES cores. The load average cannot see one busy core on a 2-core machine
#   (that process plus this one's two BLAS threads read the same as this process alone),
#   and it lags by a minute; measured with one core kept busy, quiet otherwise (load 1.5):
#   512x512 fwd+bwd, 2 threads 37.8 ms, torch 32.9 ms.
# The window covers time this process spends on GEMMs: the first one after start or after
# an idle gap of IDLE_GAP_S without GEMMs opens a fresh window and its verdict comes
# FRESH_WINDOW_S later (the previous verdict holds until then). What others did while this
# process sat idle says little about the cores it now runs on: a process alternating with
# another (python -m bench's workers, ember then torch) would otherwise see the other's
# turn as contention and drop to one thread. A verdict older than STALE_S is renewed even
# across gaps (a process whose GEMMs are always far apart).
from time import monotonic as _monotonic  # noqa: E402  (the per-GEMM clock; time is builtin)

LOAD_CHECK_S = 1.0
OTHERS_BUSY_CORES = 0.5
IDLE_GAP_S = 0.05
FRESH_WINDOW_S = 0.1
STALE_S = 10.0


def _cpu_ticks():
    """(busy ticks, all ticks) of every CPU so far, from /proc/stat (None where absent)."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()[1:9]   # user nice system idle iowait irq softirq steal
    except OSError:
        return None
    ticks = [int(v) for v in fields]
    total = sum(ticks)
    return total - ticks[3] - ticks[4], total


def _clock_ticks_per_s():
    hz = _blas.get("hz")
    if hz is None:
        import os
        try:
            hz = os.sysconf("SC_CLK_TCK")
        except (AttributeError, ValueError, OSError):
            hz = 100
        _blas["hz"] = hz
    return hz


def others_busy_between(start, end, cores, hz):
    """Whether processes other than this one kept at least OTHERS_BUSY_CORES of ``cores``
    busy between two readings ``start`` and ``end``, each ((busy ticks, all ticks) of
    /proc/stat, this process's CPU seconds); ``hz`` is /proc/stat's ticks per second."""
    (busy0, total0), own0 = start
    (busy1, total1), own1 = end
    d_total = total1 - total0
    if d_total <= 0:
        return False
    others = (busy1 - busy0) - (own1 - own0) * hz   # busy ticks not spent by this process
    return others >= OTHERS_BUSY_CORES * d_total / cores


def _reading():
    """A /proc/stat reading paired with this process's CPU seconds (None without /proc)."""
    import time
    ticks = _cpu_ticks()
    return None if ticks is None else (ticks, time.process_time())


def _check_load(now, idle, reading=_reading):
    """Renew the oversubscription verdict at monotonic time ``now`` (see above);
    ``idle``: this process made no GEMM call for IDLE_GAP_S before this one."""
    import os
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1
        crowded = os.getloadavg()[0] >= cores + 1
    except (AttributeError, OSError):  # no load average (Windows)
        cores, crowded = os.cpu_count() or 1, False
    others = _blas.get("others", False)
    # (/proc/stat counts every CPU: used where this process may run on all of them)
    if 1 < cores == (os.cpu_count() or 0):
        current, start = reading(), _blas.get("window")
        fresh = idle and now - _blas.get("verdict_t", now - STALE_S) < STALE_S
        if current is None or start is None or fresh:
            _blas["window"] = current          # open a window; its verdict comes later
            _blas.setdefault("verdict_t", now)     # (the start counts as a quiet verdict)
            _blas["next_t"] = now + (FRESH_WINDOW_S if current is not None else LOAD_CHECK_S)
        else:
            others = others_busy_between(start, current, cores, _clock_ticks_per_s())
            _blas["window"] = current
            _blas["others"] = others
            _blas["verdict_t"] = now
            _blas["next_t"] = now + LOAD_CHECK_S
    else:
        _blas["next_t"] = now + LOAD_CHECK_S
    _blas["busy"] = crowded or others
    return _blas["busy"]


def _oversubscribed():
    """Whether another process holds a core now (the verdict of _check_load, renewed at
    most every LOAD_CHECK_S seconds while GEMMs keep coming)."""
    now = _monotonic()
    state = _blas
    last = state.get("call_t", now)
    state["call_t"] = now
    if now - last < IDLE_GAP_S and now < state.get("next_t", now):
        return state["busy"]
    return _check_load(now, now - last >= IDLE_GAP_S or "busy" not in state)


def oversubscribed():
    """Whether another process holds a core now: the GEMM policy's load check, for other
    libraries' thread choices (SciPy's LAPACK in ``_lapack``)."""
    return _oversubscribed()


def _use_threads_for(macs):
    lib = _blas.get("lib", 0)
    if lib == 0:
        lib = _openblas()
    if lib is None or _blas.get("pinned"):
        return
    if macs < SMALL_GEMM_MACS or _oversubscribed():
        want = 1
    else:
        want = _blas.get("max") or lib[1]
        _blas["wide_t"] = _blas["call_t"]   # (_oversubscribed stamped this call)
    if want != _blas["current"]:
        lib[0](want)
        _blas["current"] = want


# -- a second host thread beside NumPy's ------------------------------------------------
# After a multi-threaded GEMM, OpenBLAS's idle workers busy-wait for more work (~0.12 s of
# CPU measured here; its THREAD_TIMEOUT) before they sleep: a Python thread started in
# that time competes with one of them for a core (small_cnn's batched GEMMs on two Python
# threads: 8-10 ms against 5 ms; that made last session's im2col split slower). A split
# then first stops OpenBLAS's workers (blas_thread_shutdown_, what OpenBLAS itself calls
# before a fork: ~0.06 ms, and the next threaded GEMM restarts them, ~0.3 ms), which is
# only safe while no other Python thread can be inside a BLAS call (ember's own idle helper
# aside): with other threads alive the split is refused instead until WIDE_GEMM_SPIN_S after the last such GEMM.
WIDE_GEMM_SPIN_S = 0.2


def _workers_may_spin():
    wide = _blas.get("wide_t")
    return wide is not None and _blas["call_t"] - wide < WIDE_GEMM_SPIN_S


def _can_stop_workers():
    import threading
    return _blas.get("stop") is not None and \
        threading.active_count() == 1 + _blas.get("helpers", 0)


def set_helper_threads(n):
    """How many of ember's own helper threads are alive (``ops/_host_threads``). They are
    idle whenever no split runs, so they do not keep a split from stopping OpenBLAS's
    workers the way other Python threads (which may be inside a BLAS call) do."""
    _blas["helpers"] = n


def host_threads_free():
    """Whether a second host thread (beside this one) would find a core of its own now:
    ``set_num_threads`` allows two or more, no other process holds a core (the GEMM
    policy's load check above), and no OpenBLAS worker spins after a multi-threaded GEMM
    of the last WIDE_GEMM_SPIN_S seconds, or ``one_blas_thread`` can stop them."""
    if get_num_threads() < 2 or _oversubscribed():
        return False
    return not _workers_may_spin() or _can_stop_workers()


class one_blas_thread:
    """Inside the block every GEMM runs on one BLAS thread (re-entrant; for work split
    across host threads, each of which then runs its own GEMMs on its own core: measured
    on small_cnn's (11, 64, 288) @ (288, 288) batched GEMMs, two Python threads of
    1-thread GEMMs did twice the work in 71 ms against 45 ms for once on OpenBLAS's 2).
    OpenBLAS's workers, if they may still be spinning, are stopped first (see above)."""

    __slots__ = ()

    def __enter__(self):
        lib = _blas.get("lib", 0)
        if lib == 0:
            lib = _openblas()
        _blas["pinned"] = _blas.get("pinned", 0) + 1
        if lib is not None and _blas["current"] != 1:
            lib[0](1)
            _blas["current"] = 1
        if _blas["pinned"] == 1 and _workers_may_spin() and _can_stop_workers():
            _blas["stop"]()
            _blas["wide_t"] = None
        return self

    def __exit__(self, *exc):
        _blas["pinned"] -= 1


def blas_pinned():
    """Whether a ``one_blas_thread`` block is running (a host-thread split is on)."""
    return bool(_blas.get("pinned"))


def set_num_threads(n):
    """The most threads BLAS may use (``torch.set_num_threads``); small GEMMs keep one."""
    _blas["max"] = int(n)
    lib = _openblas()
    if lib is not None and _blas["current"] > n:
        lib[0](int(n))
        _blas["current"] = int(n)


def get_num_threads():
    """Threads BLAS uses for large GEMMs: what ``set_num_threads`` set, else the
    library's default (OpenBLAS's thread count; the CPU count where it is not found)."""
    if _blas.get("max"):
        return _blas["max"]
    lib = _openblas()
    if lib is not None:
        return lib[1]
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def matmul(xp, a, b, out=None):
    """``xp.matmul(a, b)`` with ember's BLAS thread policy for small products.

    On the host an ``(..., m, k) @ (k, n)`` product is folded to one ``(rows, k) @ (k, n)``
    GEMM: NumPy runs one small GEMM per leading index instead (measured, float32 on this
    2-core machine: (35, 20, 200) @ (200, 10000) 489 ms batched, 108 ms folded)."""
    if xp is numpy:
        an, bn = a.ndim, b.ndim
        if an > 2 and bn == 2 and out is None:
            lead = a.shape[:-1]
            return matmul(xp, a.reshape(-1, a.shape[-1]), b).reshape(lead + b.shape[1:])
        if an and bn:
            sa = a.shape
            macs = (sa[-2] if an > 1 else 1) * sa[-1] * (b.shape[-1] if bn > 1 else 1)
            # a small product while BLAS already runs on one thread: nothing to change
            if macs >= SMALL_GEMM_MACS or _blas.get("current") != 1:
                _use_threads_for(macs)
    if out is None:
        return xp.matmul(a, b)
    return xp.matmul(a, b, out=out)


_fft_ns = {}


def fft_namespace(xp):
    """The FFT functions (``fftn``, ``ifftn``, ``rfftn``, ``irfftn``: NumPy's signatures)
    for arrays of ``xp``: SciPy's ``scipy.fft`` on the host when installed, else
    ``numpy.fft``; ``cupy.fft`` on the GPU.

    Both keep float32/complex64 in single precision; scipy.fft caches its plans (twiddle
    factors), which numpy.fft recomputes on every call: for 2**16 points that is most of
    numpy's time (measured in bench/fft_65536.py's docstring). Threads: ``fft_workers``.
    Imported on the first transform, never at ``import ember``.
    """
    if xp is not numpy:
        return xp.fft
    ns = _fft_ns.get("host")
    if ns is None:
        try:
            import scipy.fft as ns
        except ImportError:
            ns = numpy.fft
        _fft_ns["host"] = ns
    return ns


# Threads for host transforms: scipy.fft's ``workers`` splits a batch of transforms across
# threads, for batches of at least FFT_THREADS_MIN elements. Measured on the 2**16-point
# four-step (ops/fft_kernels.py): 347 us on one worker, 251 us on two with the other core
# idle, the same 348 us with it busy; so one worker whenever the BLAS policy's load check
# sees another process holding a core.
FFT_THREADS_MIN = 1 << 15


def fft_kwargs(xp, size):
    """Extra keyword arguments for a transform of ``size`` elements of ``xp``:
    ``{"workers": cores}`` for scipy.fft on a large batch with no other process on the
    cores (capped by ``set_num_threads``), else none (one thread; numpy.fft and cupy.fft
    take no ``workers``)."""
    if xp is not numpy or size < FFT_THREADS_MIN or _oversubscribed():
        return _NO_KWARGS
    cores = _fft_ns.get("workers")
    if cores is None:
        import os
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1
        cores = _fft_ns["workers"] = cores if fft_namespace(xp) is not numpy.fft else 1
    cores = min(cores, _blas.get("max") or cores)
    return {"workers": cores} if cores > 1 else _NO_KWARGS


_NO_KWARGS = {}


def scatter_add(xp, target, index, values):
    """target[index] += values with repeated indices accumulated (np.add.at / cupyx)."""
    if xp is numpy:
        numpy.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)


# scatter_add_rows runs at most this many rounds of unique-index row adds before falling
# back to numpy.add.at (a round per repetition of the most repeated index).
SCATTER_ROWS_MAX_ROUNDS = 8


def scatter_add_rows(xp, target, index, values):
    """target[index[k]] += values[k] for a 1-D ``index`` into the rows of ``target``,
    repeated indices accumulated in order (as ``scatter_add``, bit for bit).

    NumPy: the k-th repetition of every index is added in round k with one buffered
    fancy-index add (indices are unique within a round), instead of numpy.add.at's
    per-element loop. Measured (embedding backward, 700 indices of 10000 rows, 200 wide,
    float32; 2 cores, load 5): add.at 6.0 ms, rounds 0.85 ms. An index repeated more than
    SCATTER_ROWS_MAX_ROUNDS times sends the call to add.at."""
    n = index.shape[0]
    if xp is not numpy or n == 0 or values.ndim < 2:
        return scatter_add(xp, target, index, values)
    order = numpy.argsort(index, kind="stable")
    srt = index[order]
    first = numpy.empty(n, bool)
    first[0] = True
    numpy.not_equal(srt[1:], srt[:-1], out=first[1:])
    pos = numpy.arange(n)
    rank = pos - numpy.maximum.accumulate(numpy.where(first, pos, 0))
    rounds = int(rank.max()) + 1
    if rounds == 1:
        target[index] += values
    elif rounds > SCATTER_ROWS_MAX_ROUNDS:
        numpy.add.at(target, index, values)
    else:
        for k in range(rounds):
            sel = order[rank == k]
            target[index[sel]] += values[sel]


def scatter_reduce(xp, op, target, index, values):
    """target[index] = op(target[index], values), accumulating repeated indices.

    ``op`` is 'add', 'multiply', 'maximum' or 'minimum' (numpy ufunc.at; cupyx has
    scatter_add/max/min, and multiply goes through the host).
    """
    if xp is numpy:
        getattr(numpy, op).at(target, index, values)
        return
    import cupyx
    if op == "multiply":
        host = to_host(target)
        numpy.multiply.at(host, tuple(to_host(i) if is_array(i) else i for i in index)
                          if isinstance(index, tuple) else to_host(index), to_host(values))
        target[...] = xp.asarray(host)
    else:
        {"add": cupyx.scatter_add, "maximum": cupyx.scatter_max,
         "minimum": cupyx.scatter_min}[op](target, index, values)


def _numpy_erf():
    try:  # SciPy's vectorised erf when installed; otherwise math.erf per element.
        from scipy.special import erf
        return erf
    except ImportError:
        import math
        vec = numpy.vectorize(math.erf, otypes=[numpy.float64])
        return lambda x: vec(x).astype(x.dtype, copy=False)


_erf_impl = {}


def erfinv(xp, x):
    """Inverse error function (SciPy's when installed, else Giles' approximation + Newton)."""
    if xp is numpy:
        try:
            from scipy.special import erfinv as _erfinv
            return _erfinv(x)
        except ImportError:
            w = -numpy.log((1.0 - x) * (1.0 + x))
            small = w < 5.0
            ws = w - 2.5
            wl = numpy.sqrt(numpy.where(small, 5.0, w)) - 3.0
            p_s = numpy.polyval([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                                 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                                 1.50140941], ws)
            p_l = numpy.polyval([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                                 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
                                 2.83297682], wl)
            y = numpy.where(small, p_s, p_l) * x
            for _ in range(2):  # Newton steps on erf(y) = x for full double precision
                err = erf(numpy, y) - x
                y = y - err / (2.0 / numpy.sqrt(numpy.pi) * numpy.exp(-y * y))
            return y
    import cupyx.scipy.special
    return cupyx.scipy.special.erfinv(x)


def erf(xp, x):
    """The error function on either backend (numpy has none of its own)."""
    fn = _erf_impl.get(xp)
    if fn is None:
        if xp is numpy:
            fn = _numpy_erf()
        else:
            import cupyx.scipy.special
            fn = cupyx.scipy.special.erf
        _erf_impl[xp] = fn
    return fn(x)


# -- special functions (ember.special, ember.distributions) ----------------------------------
# SciPy's (CuPy's cupyx.scipy) when installed; NumPy fallbacks for lgamma and digamma.

def _scipy_special(xp, name):
    try:
        if xp is numpy:
            import scipy.special as sp
        else:
            import cupyx.scipy.special as sp
    except ImportError:
        return None
    return getattr(sp, name, None)


def special(xp, name):
    """SciPy's (CuPy's cupyx.scipy) special function ``name``; an ImportError naming the
    extra to install where SciPy is absent."""
    fn = _scipy_special(xp, name)
    if fn is None:
        raise ImportError(f"ember.special.{name} needs SciPy's special functions: "
                          "pip install 'ember[scipy]'")
    return fn


def lgamma(xp, x):
    """log|Gamma(x)| elementwise."""
    fn = _scipy_special(xp, "gammaln")
    if fn is not None:
        return fn(x).astype(x.dtype, copy=False)
    import math
    vec = numpy.vectorize(lambda v: math.lgamma(v) if v > 0 or v != int(v) else math.inf,
                          otypes=[numpy.float64])
    return vec(x).astype(x.dtype, copy=False)


def digamma(xp, x):
    """The digamma function (recurrence to x >= 6, then the asymptotic series)."""
    fn = _scipy_special(xp, "digamma")
    if fn is not None:
        return fn(x).astype(x.dtype, copy=False)
    v = x.astype(numpy.float64)
    reflect = v < 0.5
    w = numpy.where(reflect, 1.0 - v, v)
    acc = numpy.zeros_like(w)
    for _ in range(6):
        small = w < 6.0
        acc = acc - numpy.where(small, 1.0 / w, 0.0)
        w = numpy.where(small, w + 1.0, w)
    inv2 = 1.0 / (w * w)
    res = acc + numpy.log(w) - 0.5 / w - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    res = numpy.where(reflect, res - numpy.pi / numpy.tan(numpy.pi * v), res)
    return res.astype(x.dtype, copy=False)


def polygamma1(xp, x):
    """The trigamma function psi'(x)."""
    fn = _scipy_special(xp, "polygamma")
    if fn is not None:
        return fn(1, x).astype(x.dtype, copy=False)
    w = x.astype(numpy.float64)
    acc = numpy.zeros_like(w)
    for _ in range(6):
        small = w < 6.0
        acc = acc + numpy.where(small, 1.0 / (w * w), 0.0)
        w = numpy.where(small, w + 1.0, w)
    inv = 1.0 / w
    inv2 = inv * inv
    res = acc + inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 / 42))
    return res.astype(x.dtype, copy=False)


def gammainc(xp, a, x):
    """The regularized lower incomplete gamma P(a, x) (needs SciPy: ember[scipy])."""
    fn = _scipy_special(xp, "gammainc")
    if fn is None:
        raise ImportError("this needs SciPy's incomplete gamma function: "
                          "pip install 'ember[scipy]'")
    return fn(a, x)


# -- storage geometry (ember/ops/strided.py, ember/_storage.py) -------------------------------
def data_address(x):
    """The address of ``x``'s first element."""
    if isinstance(x, ndarray):
        return x.__array_interface__["data"][0]
    return x.data.ptr


def storage_root(x):
    """The array owning the memory ``x`` views: the end of its ``.base`` chain of arrays
    (NumPy's as_strided leaves a DummyArray in the chain; a foreign buffer such as bytes or
    an mmap ends it). Its first byte is what ember calls the start of ``x``'s storage."""
    while True:
        b = getattr(x, "base", None)
        if b is None:
            return x
        if not is_array(b):
            inner = getattr(b, "base", None)      # numpy.lib.stride_tricks.DummyArray
            if is_array(inner) and hasattr(b, "__array_interface__"):
                b = inner
            else:
                return x
        x = b


def storage_nbytes(root):
    """The bytes a storage root spans (roots are dense; a strided root spans its extent)."""
    if root.flags.c_contiguous or root.flags.f_contiguous:
        return root.nbytes
    if root.size == 0:
        return 0
    hi = sum((n - 1) * s for n, s in zip(root.shape, root.strides) if s > 0)
    return hi + root.itemsize


def view_of_storage(root, dtype, shape, strides, byte_offset):
    """A writable array of ``dtype`` over ``root``'s memory at ``byte_offset`` with byte
    ``strides`` (the caller checked the bounds); its ``.base`` chain ends at ``root``."""
    if isinstance(root, ndarray):
        if not (root.flags.c_contiguous or root.flags.f_contiguous):
            raise NotImplementedError("ember: a strided view of a non-dense storage root")
        flat = root.reshape(-1, order="A").view(numpy.uint8)
        return ndarray(tuple(shape), dtype, flat, byte_offset, tuple(strides))
    return _cupy.ndarray(tuple(shape), dtype, root.data + byte_offset, strides=tuple(strides))


def vecdot(xp, a, b):
    """``sum(a * b, axis=-1)`` without forming ``a * b``: NumPy >= 2's ``vecdot`` (a BLAS
    dot per row, float32 (1024, 1024) in 0.09 ms against 0.24 ms for the two-operand
    einsum here); the einsum where the array module has no ``vecdot``."""
    fn = getattr(xp, "vecdot", None)
    if fn is not None:
        return fn(a, b)
    return xp.einsum("...i,...i->...", a, b)
