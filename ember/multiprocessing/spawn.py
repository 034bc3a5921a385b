"""``spawn`` / ``start_processes`` (``torch.multiprocessing.spawn``): run ``fn(rank, *args)``
in ``nprocs`` new processes.

The processes are started through ``mpiexec``, so that they are ranks of one MPI job and
``ember.distributed.init_process_group`` can connect them (Open MPI 5 cannot connect
processes started any other way; see ember/distributed/_mpi.py). Each child is a fresh
interpreter, as with PyTorch's default ``start_method="spawn"``: the parent's main module
is re-imported as ``__mp_main__`` (``multiprocessing.spawn.prepare``), and ``fn`` and
``args`` travel pickled by ``ForkingPickler`` (so tensors arrive in shared memory).

Errors: a child that raises writes its traceback to a file of the run's temporary
directory and exits; ``mpiexec`` then ends the other ranks, and ``join()`` raises
``ProcessRaisedException`` with that traceback. A child killed by a signal or exiting
with a non-zero code gives ``ProcessExitedException``. ``start_method`` "fork" and
"forkserver" are accepted and behave as "spawn"; ``daemon`` is accepted (the children are
ended when the parent's ``mpiexec`` ends).
"""
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

__all__ = [
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "spawn",
    "start_processes",
]


class ProcessException(Exception):
    __slots__ = ["error_index", "error_pid"]

    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child raised; the message holds its traceback."""

    def __init__(self, msg, error_index, error_pid):
        super().__init__(msg, error_index, error_pid)


class ProcessExitedException(ProcessException):
    """A child died from a signal or exited with a non-zero code."""

    __slots__ = ["exit_code"]

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return (type(self), (self.msg, self.error_index, self.pid, self.exit_code,
                             self.signal_name))


# "prterun noticed that process rank 1 with PID 11147 on node vm exited on signal 9 (Killed)."
_NOTICED = re.compile(r"process rank (\d+) with PID (\d+) on node \S+ exited on\s+signal (\d+)")


class _RankProcess:
    """What ``ProcessContext.processes`` holds for one rank: its pid and exit code."""

    def __init__(self, ctx, rank):
        self._ctx, self.rank = ctx, rank

    @property
    def pid(self):
        return self._ctx._pid(self.rank)

    @property
    def exitcode(self):
        return self._ctx._exitcode(self.rank)

    def is_alive(self):
        return self._ctx._launcher.poll() is None and self.exitcode is None


class ProcessContext:
    """The running ranks of one ``start_processes`` call; ``join()`` waits for them."""

    def __init__(self, launcher, run_dir, nprocs, stderr_lines):
        self._launcher = launcher
        self._dir = run_dir
        self._nprocs = nprocs
        self._stderr = stderr_lines
        self.processes = [_RankProcess(self, r) for r in range(nprocs)]
        self.error_files = [os.path.join(run_dir, f"error_{r}") for r in range(nprocs)]

    def _read(self, name):
        try:
            with open(os.path.join(self._dir, name)) as f:
                return f.read()
        except OSError:
            return None

    def _pid(self, rank):
        text = self._read(f"pid_{rank}")
        return int(text) if text else None

    def _exitcode(self, rank):
        if self._read(f"done_{rank}") is not None:
            return 0
        if self._read(f"error_{rank}") is not None:
            return 1
        return None

    def pids(self):
        return [self._pid(r) for r in range(self._nprocs)]

    def join(self, timeout=None, grace_period=None):
        """True once every rank has finished; False if ``timeout`` (seconds) passes first.
        Raises ProcessRaisedException / ProcessExitedException when a rank failed."""
        try:
            self._launcher.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._reader_done()
        code = self._launcher.returncode
        try:
            self._raise_if_failed(code)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
        return True

    def _reader_done(self):
        t = getattr(self, "_reader", None)
        if t is not None:
            t.join(5)

    def _raise_if_failed(self, code):
        for suffix in ("", ".init_timeout"):     # a rank's error, else an init timeout
            errors = [r for r in range(self._nprocs)
                      if self._read(f"error_{r}{suffix}") is not None]
            if errors:
                r = errors[0]
                raise ProcessRaisedException(
                    f"\n\n-- Process {r} terminated with the following error:\n"
                    f"{self._read(f'error_{r}{suffix}')}", r, self._pid(r))
        if code == 0 and all(self._read(f"done_{r}") is not None
                             for r in range(self._nprocs)):
            return
        rank, sig = self._who_died(code)
        pid = self._pid(rank)
        if sig:
            name = _signal_name(sig)
            raise ProcessExitedException(f"process {rank} terminated with signal {name}",
                                         rank, pid, -sig, name)
        exit_code = code if code else 1
        raise ProcessExitedException(f"process {rank} terminated with exit code {exit_code}",
                                     rank, pid, exit_code)

    def _who_died(self, code):
        m = _NOTICED.search("".join(self._stderr))
        if m:
            return int(m.group(1)), int(m.group(3))
        unfinished = [r for r in range(self._nprocs) if self._read(f"done_{r}") is None]
        rank = unfinished[0] if unfinished else 0
        sig = code - 128 if code and code > 128 else (-code if code and code < 0 else 0)
        return rank, sig

    def terminate(self):
        if self._launcher.poll() is None:
            self._launcher.terminate()


def _signal_name(sig):
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"SIG{sig}"


def _tee(stream, sink, lines):
    """Copy mpiexec's stderr to ours, keeping the lines that say which rank died."""
    for raw in iter(stream.readline, b""):
        text = raw.decode(errors="replace")
        try:
            sink.write(text)
            sink.flush()
        except Exception:
            pass
        if "rank" in text or "signal" in text:
            lines.append(text)
    stream.close()


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` ranks running ``fn(rank, *args)``; see the module docstring."""
    from multiprocessing import spawn as mp_spawn
    from multiprocessing.reduction import ForkingPickler

    from ..distributed import _mpi
    from . import reductions
    if start_method not in ("spawn", "fork", "forkserver"):
        raise ValueError(f"start_method must be 'spawn', 'fork' or 'forkserver', got "
                         f"{start_method!r}")
    if not isinstance(nprocs, int) or nprocs < 1:
        raise ValueError(f"nprocs must be a positive int, got {nprocs!r}")
    reductions.init_reductions()
    run_dir = tempfile.mkdtemp(prefix="ember_spawn_")
    # The preparation data carries the parent's authkey: the children need it to fetch
    # shared tensors' descriptors from this process's resource sharer. The run directory
    # is private (mkdtemp: mode 0700).
    prep = mp_spawn.get_preparation_data("ember-spawn")
    prep["authkey"] = bytes(prep["authkey"])
    with reductions.several_receivers():
        inner = bytes(ForkingPickler.dumps((fn, tuple(args))))
    with open(os.path.join(run_dir, "payload"), "wb") as f:
        pickle.dump((prep, inner), f)
    ember_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    boot = ("import sys; sys.path.insert(0, %r); "
            "from ember.multiprocessing._spawn_child import main; main(%r)"
            % (ember_root, run_dir))
    cmd = _mpi.mpiexec_command(nprocs, [sys.executable, "-c", boot])
    launcher = subprocess.Popen(cmd, env=_mpi.launch_env(), stderr=subprocess.PIPE,
                                start_new_session=False)
    lines = []
    ctx = ProcessContext(launcher, run_dir, nprocs, lines)
    reader = threading.Thread(target=_tee, args=(launcher.stderr, sys.stderr, lines),
                              daemon=True)
    reader.start()
    ctx._reader = reader
    if not join:
        return ctx
    try:
        while not ctx.join(1.0):
            pass
    except KeyboardInterrupt:
        ctx.terminate()
        raise
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``torch.multiprocessing.spawn``: ``fn(i, *args)`` for i in range(nprocs)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)

