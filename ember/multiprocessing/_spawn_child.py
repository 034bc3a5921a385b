"""Entry point of one rank started by ``ember.multiprocessing.spawn`` (through mpiexec).

Reads the parent's preparation data, ``fn`` and ``args`` from the run directory, calls
``fn(rank, *args)`` and records the outcome there: ``done_<rank>`` on success, the
traceback in ``error_<rank>`` on an exception. After an error the process leaves with
``os._exit`` (no MPI_Finalize, which would wait for ranks blocked in a collective), and
mpiexec ends the other ranks.
"""
import os
import sys
import traceback


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(run_dir):
    rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMIX_RANK", "0")))
    err_path = os.path.join(run_dir, f"error_{rank}")
    from ember.distributed._work import ERROR_FILE_ENV
    os.environ[ERROR_FILE_ENV] = err_path
    _write(os.path.join(run_dir, f"pid_{rank}"), str(os.getpid()))
    try:
        import pickle
        from multiprocessing import spawn as mp_spawn

        import ember.multiprocessing  # noqa: F401  (registers the tensor reductions)
        with open(os.path.join(run_dir, "payload"), "rb") as f:
            prep, inner = pickle.loads(f.read())
        mp_spawn.prepare(prep)          # sys.path, cwd, the main module as __mp_main__
        fn, args = pickle.loads(inner)  # then fn and args, which may live in that module
        fn(rank, *args)
    except KeyboardInterrupt:
        _finish(1)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if code:
            _write(err_path, f"SystemExit: {e.code}\n")
            _finish(code)
    except BaseException:
        _write(err_path, traceback.format_exc())
        _finish(1)
    _write(os.path.join(run_dir, f"done_{rank}"), "")
    sys.stdout.flush()
    sys.stderr.flush()


def _finish(code):
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
