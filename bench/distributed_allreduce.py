"""ember.distributed.all_reduce against raw mpi4py ``Allreduce`` on the same buffer, 2 ranks.

    python -m bench.distributed_allreduce [--nprocs 2] [--rounds 7]

Needs several processes, so it is not one of ``python -m bench``'s single-process
workloads: run as above, it starts itself under mpiexec. For 4 KB, 1 MB and 64 MB float32
buffers each round times ``reps`` calls of ``comm.Allreduce(MPI.IN_PLACE, array)`` and of
``dist.all_reduce(tensor)`` on the tensor viewing that array, alternately; the table shows
the medians per call and the ratio ember / raw (target <= 1.1).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

SIZES = [("4 KB", 1024), ("1 MB", 256 * 1024), ("64 MB", 16 * 1024 * 1024)]


def _reps(n):
    return 2000 if n <= 1024 else (100 if n <= 256 * 1024 else 4)


def worker(rounds):
    import numpy as np
    import ember
    import ember.distributed as dist
    dist.init_process_group("gloo")
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    rank = dist.get_rank()
    rows = []
    for label, n in SIZES:
        arr = np.ones(n, np.float32)
        t = ember.from_numpy(arr)
        reps = _reps(n)
        dist.all_reduce(t)                      # first call: the cross-rank shape check
        raw_times, ember_times = [], []
        for _ in range(rounds):
            for which in ("raw", "ember"):
                comm.Barrier()
                start = time.perf_counter()
                if which == "raw":
                    for _ in range(reps):
                        comm.Allreduce(MPI.IN_PLACE, arr)
                else:
                    for _ in range(reps):
                        dist.all_reduce(t)
                elapsed = (time.perf_counter() - start) / reps
                # the slowest rank decides a collective's time
                elapsed = comm.allreduce(elapsed, op=MPI.MAX)
                (raw_times if which == "raw" else ember_times).append(elapsed)
            arr[...] = 1
        rows.append((label, statistics.median(raw_times), statistics.median(ember_times)))
    if rank == 0:
        print(f"{'buffer':>8} {'mpi4py Allreduce':>18} {'ember all_reduce':>18} {'ratio':>6}")
        for label, raw, em in rows:
            print(f"{label:>8} {raw * 1e6:>15.1f} us {em * 1e6:>15.1f} us {em / raw:>6.2f}")
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nprocs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--worker", action="store_true")
    a = p.parse_args()
    if a.worker:
        return worker(a.rounds)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, here)
    from ember.distributed import _mpi
    env = _mpi.launch_env({"PYTHONPATH": os.pathsep.join(
        [here] + [x for x in os.environ.get("PYTHONPATH", "").split(os.pathsep) if x])})
    cmd = _mpi.mpiexec_command(a.nprocs, [sys.executable, "-m", "bench.distributed_allreduce",
                                          "--worker", "--rounds", str(a.rounds)])
    print(f"ember.distributed all_reduce vs mpi4py, {a.nprocs} ranks on this host, "
          f"{os.cpu_count()} cpus, median of {a.rounds} rounds")
    return subprocess.call(cmd, env=env, cwd=here)


if __name__ == "__main__":
    raise SystemExit(main())
