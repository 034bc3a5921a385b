"""Each library in its own worker process, timed in alternating turns (``python -m bench``).

Why not one process: measured on this 2-core machine (load 0.5-1.4), both libraries in one
process slowed each other. Each keeps its idle threads spinning for a while after its turn
(OpenBLAS's workers busy-wait with sched_yield up to ~0.1 s before they sleep; torch's
OpenMP pool spins too), and those threads then compete for the cores during the other
library's turn. ``matmul`` (512x512 fwd+bwd) in one process: ember 8.7 ms, torch 23.2 ms;
each alone in its own process: ember 4.9 ms, torch 6.4 ms. With one core kept busy:
ember 31.6 ms / torch 25.1 ms in one process, 10.2 / 13.8 ms each alone.

So each library gets a worker process (spawned, so a worker imports only its own library)
and the parent, which imports neither, asks them in turn: ember, torch, ember, torch ...
as before, so both still see the same machine state. Before each turn the parent waits
until the other workers are idle (their CPU time, from /proc/<pid>/task/*/schedstat, stops
growing), so spin-down of one library's threads is not charged to the other.
"""
import importlib
import multiprocessing
import os
import time
import traceback

# A worker counts as idle once it used under IDLE_FRACTION of one core over SETTLE_POLL_S;
# the wait gives up after SETTLE_MAX_S (a worker whose library never sleeps its threads).
SETTLE_POLL_S = 0.01
IDLE_FRACTION = 0.05
SETTLE_MAX_S = 1.0


def _serve(lib_name, conn):
    """Worker main loop: import ``lib_name`` and answer the parent's requests on ``conn``."""
    lib = importlib.import_module(lib_name)
    state = {}
    while True:
        request = conn.recv()
        op = request[0]
        if op == "stop":
            conn.close()
            return
        try:
            if op == "info":
                from bench.__main__ import thread_settings
                reply = thread_settings({lib_name: lib})
            elif op == "load":
                mod = importlib.import_module(f"bench.{request[1]}")
                state["mod"] = mod
                state["number"] = getattr(mod, "NUMBER", 1)
                state["run"] = None if hasattr(mod, "measure") else mod.make(lib)
                reply = None
            elif op == "measure":
                reply = state["mod"].measure(lib)
            elif op == "run":                # seconds per call of one timed repeat
                fn = state["run"]
                t0 = time.perf_counter()
                fn()
                reply = (time.perf_counter() - t0) / state["number"]
            else:
                raise ValueError(f"unknown request {op!r}")
        except BaseException:
            conn.send(("error", traceback.format_exc()))
            continue
        conn.send(("ok", reply))


class Worker:
    """One library's worker process; ``call(op, ...)`` sends a request and returns the reply."""

    def __init__(self, lib_name, ctx):
        self.lib_name = lib_name
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(lib_name, child), daemon=True,
                                   name=f"bench-{lib_name}")
        self.process.start()
        child.close()

    def call(self, *request):
        self.conn.send(request)
        try:
            status, value = self.conn.recv()
        except EOFError:
            raise RuntimeError(f"the {self.lib_name} bench worker died "
                               f"(exit code {self.process.exitcode})") from None
        if status == "error":
            raise RuntimeError(f"{self.lib_name} worker, request {request!r}:\n{value}")
        return value

    def cpu_ns(self):
        """CPU time of all the worker's threads so far (ns), or None without /proc."""
        total = 0
        base = f"/proc/{self.process.pid}/task"
        try:
            tasks = os.listdir(base)
        except OSError:
            return None
        for tid in tasks:
            try:
                with open(f"{base}/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # a thread that ended between listdir and open
        return total

    def close(self):
        try:
            self.conn.send(("stop",))
        except (OSError, BrokenPipeError):
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def settle(workers):
    """Wait until every worker in ``workers`` is idle (see IDLE_FRACTION); returns seconds."""
    t_start = time.perf_counter()
    last = [w.cpu_ns() for w in workers]
    if any(v is None for v in last):
        time.sleep(SETTLE_POLL_S * 5)       # no /proc: a fixed pause instead
        return time.perf_counter() - t_start
    while time.perf_counter() - t_start < SETTLE_MAX_S:
        t0 = time.perf_counter()
        time.sleep(SETTLE_POLL_S)
        now = [w.cpu_ns() for w in workers]
        dt_ns = (time.perf_counter() - t0) * 1e9
        if all(b - a < IDLE_FRACTION * dt_ns for a, b in zip(last, now)):
            break
        last = now
    return time.perf_counter() - t_start


class Workers:
    """The worker processes of ``lib_names``, started with the spawn method (a clean
    interpreter that imports only its own library), closed on exit."""

    def __init__(self, lib_names):
        ctx = multiprocessing.get_context("spawn")
        self.workers = {}
        try:
            for name in lib_names:
                self.workers[name] = Worker(name, ctx)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for w in self.workers.values():
            w.close()

    def info(self):
        out = {}
        for w in self.workers.values():
            out.update(w.call("info"))
        return out

    def turn(self, name, *request):
        """``request`` to worker ``name`` once the other workers are idle."""
        settle([w for n, w in self.workers.items() if n != name])
        return self.workers[name].call(*request)
