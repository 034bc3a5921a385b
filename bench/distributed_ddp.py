"""DDP training throughput: the CIFAR ResNet-18 step (bench/resnet18.py, batch 16 per
process) in 1 process and in 2 DDP processes, for ember (on MPI) and torch (gloo DDP).

    python -m bench.distributed_ddp [--steps 6] [--nprocs 2]

Needs several processes, so it is not one of ``python -m bench``'s single-process
workloads: it starts itself under mpiexec, once with 1 rank and once with ``--nprocs``
(torch's ranks take RANK/WORLD_SIZE from Open MPI's variables and meet over
MASTER_ADDR:MASTER_PORT with gloo). Every rank runs with one thread
(``OMP_NUM_THREADS=1``, ``torch.set_num_threads(1)``), as torchrun sets it, so that the
processes do not compete for cores. Reported: median seconds per step (the slowest rank
decides) and images per second over all ranks.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BATCH = 16


def _time_steps(lib, model, steps, world, rank, barrier):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    lib.manual_seed(rank)
    x = lib.randn(BATCH, 3, 32, 32)
    y = lib.randint(0, 10, (BATCH,))
    times = []
    for i in range(steps + 1):
        barrier()
        start = time.perf_counter()
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        barrier()
        if i:                      # the first step warms up
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(steps):
    from bench.resnet18 import build
    rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
    world = int(os.environ.get("OMPI_COMM_WORLD_SIZE", "1"))
    results = {}
    import ember
    import ember.distributed as edist
    edist.init_process_group("gloo")
    ember.manual_seed(0)
    model = build(ember)
    if world > 1:
        model = ember.nn.parallel.DistributedDataParallel(model)
    results["ember"] = _time_steps(ember, model, steps, world, rank, edist.barrier)
    try:
        import torch
        import torch.distributed as tdist
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world),
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=os.environ["BENCH_PORT"])
        tdist.init_process_group("gloo")
        torch.manual_seed(0)
        tmodel = build(torch)
        if world > 1:
            tmodel = torch.nn.parallel.DistributedDataParallel(tmodel)
        results["torch"] = _time_steps(torch, tmodel, steps, world, rank, tdist.barrier)
        tdist.destroy_process_group()
    if rank == 0:
        print("RESULT " + json.dumps({"world": world, **results}), flush=True)
    edist.destroy_process_group()


def _launch(nprocs, steps, port):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, here)
    from ember.distributed import _mpi
    # mpi_yield_when_idle: a rank waiting for its peer yields the core instead of spinning
    # (gloo's waits block), so on a small or shared machine the waiting rank does not slow
    # the one still computing its backward
    env = _mpi.launch_env({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                           "OMPI_MCA_mpi_yield_when_idle": os.environ.get(
                               "OMPI_MCA_mpi_yield_when_idle", "1"),
                           "BENCH_PORT": str(port), "PYTHONPATH": os.pathsep.join(
                               [here] + [x for x in os.environ.get("PYTHONPATH", "").split(
                                   os.pathsep) if x])})
    cmd = _mpi.mpiexec_command(nprocs, [sys.executable, "-m", "bench.distributed_ddp",
                                        "--worker", "--steps", str(steps)])
    out = subprocess.run(cmd, env=env, cwd=here, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"benchmark run failed:\n{out.stdout}\n{out.stderr}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--nprocs", type=int, default=2)
    p.add_argument("--worker", action="store_true")
    a = p.parse_args()
    if a.worker:
        return worker(a.steps)
    rows = [_launch(1, a.steps, 29611), _launch(a.nprocs, a.steps, 29612)]
    print(f"ResNet-18 (CIFAR) train step, batch {BATCH} per process, 1 thread per process, "
          f"{os.cpu_count()} cpus, median of {a.steps} steps")
    print(f"{'procs':>5} {'lib':>6} {'s/step':>8} {'images/s':>9} {'vs 1 proc':>9}")
    for lib in ("ember", "torch"):
        if lib not in rows[0]:
            continue
        base = BATCH / rows[0][lib]
        for r in rows:
            ips = BATCH * r["world"] / r[lib]
            print(f"{r['world']:>5} {lib:>6} {r[lib]:>8.3f} {ips:>9.1f} {ips / base:>8.2f}x")
    if "torch" in rows[0]:
        for r in rows:
            print(f"ember / torch at {r['world']} procs: {r['ember'] / r['torch']:.2f}x time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
