"""ember's BLAS thread policy (ember/backend.py): small GEMMs on one thread, and every GEMM
on one thread while another process holds a core, judged from /proc/stat readings minus
this process's own CPU time (all its threads: torch's or OpenBLAS's idle spinning threads in
the same process are not "others"). Readings are mocked here, except in the last test."""
import os
import time

import pytest

from ember import backend

HZ = 100          # /proc/stat ticks per second
CORES = 2


def reading(busy_ticks, total_ticks, own_s):
    return (busy_ticks, total_ticks), own_s


def test_other_process_on_one_core_is_busy():
    # 1 s on 2 cores (200 ticks): this process used 0.5 s, another process a whole core
    start, end = reading(0, 0, 0.0), reading(50 + 100, 200, 0.5)
    assert backend.others_busy_between(start, end, CORES, HZ) is True


def test_own_threads_are_not_others():
    # this process kept both cores busy (its BLAS threads plus, say, torch's OpenMP pool
    # spinning in the same process): nothing left for others
    start, end = reading(1000, 5000, 3.0), reading(1000 + 200, 5000 + 200, 5.0)
    assert backend.others_busy_between(start, end, CORES, HZ) is False


def test_light_other_load_is_not_busy():
    # another process used 0.3 of a core: under OTHERS_BUSY_CORES (0.5)
    start, end = reading(0, 0, 0.0), reading(30 + 100, 200, 1.0)
    assert backend.others_busy_between(start, end, CORES, HZ) is False
    assert backend.others_busy_between(start, start, CORES, HZ) is False   # no time passed


@pytest.fixture
def policy(monkeypatch):
    """A fresh policy state on a quiet 2-core machine; returns a list the test fills with
    the (/proc/stat, own CPU) readings _check_load will see, in order."""
    monkeypatch.setattr(backend, "_blas", {"hz": HZ})
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(os, "cpu_count", lambda: CORES)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    readings = []
    return readings


def check(readings, now, idle=False):
    return backend._check_load(now, idle, reading=lambda: readings.pop(0))


def test_busy_core_gives_one_thread_after_a_short_first_window(policy):
    policy += [reading(0, 0, 0.0), reading(10 + 10, 20, 0.1)]   # 0.1 s: other on a core
    assert check(policy, 100.0, idle=True) is False      # first call: opens a window
    assert backend._blas["next_t"] == pytest.approx(100.0 + backend.FRESH_WINDOW_S)
    assert check(policy, 100.1) is True
    assert backend._blas["next_t"] == pytest.approx(100.1 + backend.LOAD_CHECK_S)


def test_idle_gap_opens_a_fresh_window_and_keeps_the_verdict(policy):
    policy += [reading(0, 0, 0.0), reading(20, 200, 0.1)]        # quiet second
    check(policy, 0.0, idle=True)
    assert check(policy, 1.0) is False
    # idle for 2 s while another process (bench's torch worker, say) had both cores: the
    # gap's readings are not judged; the window restarts when this process's GEMMs resume
    policy += [reading(420, 600, 0.1), reading(420 + 18, 600 + 20, 0.28)]
    assert check(policy, 3.0, idle=True) is False
    assert backend._blas["next_t"] == pytest.approx(3.0 + backend.FRESH_WINDOW_S)
    assert check(policy, 3.1) is False                   # only this process ran: quiet
    assert policy == []


def test_gap_before_the_first_verdict_reopens_the_window(policy):
    # bench's warm-up: a few GEMMs (under FRESH_WINDOW_S), then the other library's turn
    # kept both cores busy, then this process's turn: that turn is judged, not the gap
    policy += [reading(0, 0, 0.0), reading(60, 80, 0.02), reading(60 + 19, 80 + 20, 0.21)]
    check(policy, 0.0, idle=True)
    assert check(policy, 0.4, idle=True) is False
    assert backend._blas["next_t"] == pytest.approx(0.4 + backend.FRESH_WINDOW_S)
    assert check(policy, 0.5) is False and policy == []


def test_stale_verdict_is_renewed_across_gaps(policy):
    policy += [reading(0, 0, 0.0), reading(0, 20, 0.0)]
    check(policy, 0.0, idle=True)
    assert check(policy, 0.1) is False
    # GEMMs always far apart: after STALE_S the window (gap included) is judged anyway
    policy += [reading(3000, 4000, 0.0)]
    assert check(policy, 0.1 + backend.STALE_S + 1, idle=True) is True


def test_crowded_load_average_is_busy(policy, monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    policy += [reading(0, 0, 0.0)]
    assert check(policy, 0.0, idle=True) is True


def test_no_proc_stat_means_quiet(policy):
    assert backend._check_load(0.0, True, reading=lambda: None) is False
    assert backend._check_load(0.2, False, reading=lambda: None) is False


class FakeOpenBLAS:
    def __init__(self):
        self.calls = []

    def __call__(self, n):
        self.calls.append(n)


@pytest.mark.parametrize("busy,macs,want", [
    (False, 1 << 10, 1),                   # small GEMM: one thread
    (False, 1 << 24, 2),                   # large on a quiet machine: the library default
    (True, 1 << 24, 1),                    # large while another process holds a core
])
def test_use_threads_for(monkeypatch, busy, macs, want):
    setter = FakeOpenBLAS()
    state = {"lib": (setter, 2), "current": 0, "busy": busy,
             "call_t": time.monotonic() + 1e6, "next_t": time.monotonic() + 1e9}
    monkeypatch.setattr(backend, "_blas", state)
    monkeypatch.setattr(backend, "_monotonic", lambda: state["call_t"])   # no idle gap
    backend._use_threads_for(macs)
    assert setter.calls == [want] and state["current"] == want


def _spin(stop_at):
    while time.time() < stop_at:
        pass


@pytest.mark.skipif(not os.path.exists("/proc/stat") or (os.cpu_count() or 1) < 2
                    or not hasattr(os, "sched_getaffinity")
                    or len(os.sched_getaffinity(0)) != os.cpu_count(),
                    reason="needs /proc/stat and this process on all of 2+ CPUs")
def test_real_spinning_process_is_seen(monkeypatch):
    """A real process spinning on one core: _check_load (real /proc/stat) says busy."""
    import multiprocessing
    monkeypatch.setattr(backend, "_blas", {})
    spinner = multiprocessing.get_context("spawn").Process(target=_spin,
                                                           args=(time.time() + 5,))
    spinner.start()
    try:
        time.sleep(0.3)                                  # the spinner is running
        backend._check_load(time.monotonic(), True)      # opens the window
        time.sleep(0.3)
        assert backend._check_load(time.monotonic(), False) is True
    finally:
        spinner.terminate()
        spinner.join()


def test_wide_gemm_keeps_host_threads_off_while_openblas_spins(monkeypatch):
    """A multi-threaded GEMM stamps its time; a second host thread is refused for
    WIDE_GEMM_SPIN_S after it (OpenBLAS's workers still spin), allowed after."""
    setter = FakeOpenBLAS()
    clock = {"t": 1000.0}
    state = {"lib": (setter, 2), "current": 1, "busy": False,
             "call_t": clock["t"], "next_t": clock["t"] + 1e9}
    monkeypatch.setattr(backend, "_blas", state)
    monkeypatch.setattr(backend, "_monotonic", lambda: clock["t"])
    assert backend.host_threads_free()                 # no wide GEMM yet
    backend._use_threads_for(1 << 24)
    assert setter.calls == [2] and state["wide_t"] == clock["t"]
    clock["t"] += backend.WIDE_GEMM_SPIN_S / 4         # (no idle gap: IDLE_GAP_S)
    assert backend.host_threads_free() is False
    for _ in range(8):
        clock["t"] += backend.IDLE_GAP_S / 2
        backend._use_threads_for(1 << 10)              # small GEMMs keep the clock going
    clock["t"] += backend.WIDE_GEMM_SPIN_S
    assert backend.host_threads_free()
    backend.set_num_threads(1)
    assert backend.host_threads_free() is False


def test_one_blas_thread_pins_every_gemm(monkeypatch):
    setter = FakeOpenBLAS()
    state = {"lib": (setter, 2), "current": 2, "busy": False,
             "call_t": time.monotonic() + 1e6, "next_t": time.monotonic() + 1e9}
    monkeypatch.setattr(backend, "_blas", state)
    monkeypatch.setattr(backend, "_monotonic", lambda: state["call_t"])
    with backend.one_blas_thread():
        assert setter.calls == [1] and backend.blas_pinned()
        with backend.one_blas_thread():
            backend._use_threads_for(1 << 24)          # a large GEMM stays on one thread
        assert backend.blas_pinned()
    assert setter.calls == [1] and not backend.blas_pinned()
    backend._use_threads_for(1 << 24)
    assert setter.calls == [1, 2]


def test_split_stops_spinning_openblas_workers(monkeypatch):
    """While OpenBLAS's workers may spin, a split is allowed when they can be stopped (no
    other Python thread alive): entering one_blas_thread stops them once; with another
    thread alive it is refused and nothing is stopped."""
    import threading
    setter, stopped = FakeOpenBLAS(), []
    clock = {"t": 1000.0}
    state = {"lib": (setter, 2), "current": 1, "busy": False, "stop": lambda: stopped.append(1),
             "call_t": clock["t"], "next_t": clock["t"] + 1e9}
    monkeypatch.setattr(backend, "_blas", state)
    monkeypatch.setattr(backend, "_monotonic", lambda: clock["t"])
    backend._use_threads_for(1 << 24)                  # a wide GEMM: workers spin
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert backend.host_threads_free() is False
    with backend.one_blas_thread():
        pass
    assert stopped == []
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert backend.host_threads_free()
    with backend.one_blas_thread():
        with backend.one_blas_thread():
            pass
    assert stopped == [1] and state["wide_t"] is None
    with backend.one_blas_thread():
        pass
    assert stopped == [1]                              # nothing left spinning
