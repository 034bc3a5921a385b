"""What each rank started by ``python -m ember.distributed.run`` runs first: torchrun's
per-rank variables from Open MPI's (``OMPI_COMM_WORLD_RANK`` ...), then the script as
``__main__`` (or the module, or the executable). An exception is printed as usual and
also written to the launcher's run directory for its failure summary; the process then
leaves without MPI_Finalize, so mpiexec ends the other ranks instead of waiting."""
import os
import runpy
import sys
import traceback


def _rank_env():
    env = os.environ
    rank = int(env.get("OMPI_COMM_WORLD_RANK", env.get("PMIX_RANK", "0")))
    local_rank = int(env.get("OMPI_COMM_WORLD_LOCAL_RANK", "0"))
    local_world = int(env.get("LOCAL_WORLD_SIZE",
                              env.get("OMPI_COMM_WORLD_LOCAL_SIZE", "1")))
    env["RANK"] = str(rank)
    env["LOCAL_RANK"] = str(local_rank)
    env["GROUP_RANK"] = str(rank // max(local_world, 1))
    env["ROLE_RANK"] = str(rank)
    env["ROLE_WORLD_SIZE"] = env.get("WORLD_SIZE", env.get("OMPI_COMM_WORLD_SIZE", "1"))
    env.setdefault("WORLD_SIZE", env["ROLE_WORLD_SIZE"])
    env.setdefault("LOCAL_WORLD_SIZE", str(local_world))
    return rank


def main():
    mode, target, *args = sys.argv[1:]
    rank = _rank_env()
    run_dir = os.environ.get("EMBER_RUN_DIR")
    if run_dir:
        from ._work import ERROR_FILE_ENV
        os.environ[ERROR_FILE_ENV] = os.path.join(run_dir, f"error_{rank}")
    if mode == "exec":
        os.execvp(target, [target] + args)
    sys.argv = [target] + args
    if os.environ.get("EMBER_DIST_COMPAT"):
        from .. import compat
        compat.install()
    try:
        if mode == "module":
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            _fail(run_dir, rank, f"SystemExit: {e.code}\n",
                  e.code if isinstance(e.code, int) else 1)
        raise
    except BaseException:
        text = traceback.format_exc()
        sys.stderr.write(text)
        _fail(run_dir, rank, text, 1)


def _fail(run_dir, rank, text, code):
    if run_dir:
        path = os.path.join(run_dir, f"error_{rank}")
        try:
            with open(path + ".tmp", "w") as f:
                f.write(text)
            os.replace(path + ".tmp", path)
        except OSError:
            pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
