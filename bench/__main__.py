"""Run the benchmarks: ``python -m bench [WORKLOAD ...] [--json] [--repeats N] [--busy-core]``.

Each library runs in its own worker process (bench/_workers.py says why: in one process
each library's idle threads spin during the other's turn), and the workers are timed
alternately (ember, torch, ember, torch ...), each turn starting once the other worker's
threads have gone idle, so both see the same machine state; the table shows the median
time per call of each and the ratio ember / PyTorch (lower is better for ember). Without
PyTorch installed only ember's times are printed. ``--same-process`` times both in this
one process instead (the old harness, kept to show the difference).

Threads are left at each library's default and printed in the header. Two pitfalls from
DESIGN.md: float32 denormals slow every framework 50-100x (no workload here trains long
enough to produce them), and on a shared machine a busy core makes multi-threaded BLAS on
small matrices 3-100x slower; ``--busy-core`` keeps one core busy during the run (a
spinning process pinned to the last CPU this process may use) to show it.
"""
import argparse
import importlib
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time

# The workloads, in table order (each is bench/<name>.py with make(lib) and NUMBER).
WORKLOADS = [
    "op_overhead",
    "autograd_step",
    "matmul",
    "two_layer",
    "small_cnn",
    "resnet18",
    "lstm_lm",
    "transformer",
    "dataloader",
    "profiler_overhead",
    "jit_replay",
    "amp_autocast",
    "amp_float32",
    "vision_resnet50_eval",
    "vision_resnet18_train",
    "vision_pipeline",
    "quant_inference",
    "distributed_overhead",
    "linalg_256",
    "fft_65536",
    "sparse_gcn",
    "import_time",
    "peak_memory",
    "conv_depthwise",
    "gelu",
    "batchnorm",
    "save_small",
    "import_time_cached",
    "lstm_lm_gemms",
    "resnet18_gemms",
    "matmul_gemms",
    "two_layer_numpy",
]


def _load_libs():
    import ember
    libs = {"ember": ember}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        libs["torch"] = torch
    return libs


def _lib_names(no_torch=False):
    """The libraries to time: ember, and torch where it is installed (without importing it)."""
    import importlib.util
    names = ["ember"]
    try:
        if not no_torch and importlib.util.find_spec("torch") is not None:
            names.append("torch")
    except ImportError:   # hidden (tests' EMBER_TEST_HIDE_TORCH=1)
        pass
    return names


def thread_settings(libs):
    """What each library will use for threads, as a dict of printable strings."""
    out = {}
    env = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE")
           if k in os.environ}
    model = _cpu_model()
    out["cpus"] = f"{os.cpu_count()}" + (f" ({model})" if model else "")
    out["env"] = ", ".join(f"{k}={v}" for k, v in env.items()) or "(no thread variables set)"
    if "ember" in libs:
        try:
            import threadpoolctl
            pools = threadpoolctl.threadpool_info()
            # (the architecture: the kernels OpenBLAS picked for this CPU, see README)
            out["numpy BLAS"] = ", ".join(
                f"{p.get('internal_api')} {p.get('num_threads')} threads"
                + (f", {p['architecture']} kernels" if p.get("architecture") else "")
                for p in pools) or "unknown"
        except ImportError:
            n = _openblas_threads()
            out["numpy BLAS"] = (f"OpenBLAS {n} threads" if n else
                                 "library default (install threadpoolctl to see the count)")
        out["numpy BLAS"] += ("; ember runs GEMMs under 2**22 multiply-adds, and all of them "
                              "while another process holds a core, on 1")
    if "torch" in libs:
        t = libs["torch"]
        out["torch"] = f"{t.get_num_threads()} intra-op threads, {t.__version__}"
    return out


def _cpu_model():
    """The CPU's model name and family/model numbers (Linux), or "" elsewhere: the host
    changes between runs, and the ratios with it."""
    try:
        with open("/proc/cpuinfo") as f:
            info = dict(line.split(":", 1) for line in f.read().split("\n\n")[0].splitlines()
                        if ":" in line)
    except OSError:
        return ""
    info = {k.strip(): v.strip() for k, v in info.items()}
    name = info.get("model name", "")
    if "cpu family" in info:
        name += f", family {info['cpu family']} model {info.get('model', '?')}"
    return name


def _openblas_threads():
    """The thread count of the OpenBLAS that NumPy loaded (Linux, without threadpoolctl)."""
    import ctypes
    import numpy  # noqa: F401  (loads its BLAS)
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for sym in ("openblas_get_num_threads", "openblas_get_num_threads64_",
                    "scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                return fn()
    return None


def _spin():
    """Keep one core busy: pinned to the last CPU this process may use (Linux)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    while True:
        pass


def _busy_core():
    """A started daemon process that spins on one core (stop it with terminate())."""
    spinner = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn").Process(
        target=_spin, daemon=True, name="bench-busy-core")
    spinner.start()
    return spinner


def _cpu_snapshot():
    """(wall s, /proc/stat busy s summed over CPUs, this process's and its waited-for
    children's CPU s, 1-min load average), or None without /proc/stat."""
    import resource
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
        hz = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, AttributeError):
        return None
    own = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return (time.monotonic(), (sum(ticks) - ticks[3] - ticks[4]) / hz, own,
            os.getloadavg()[0])


def other_load(start, end):
    """What processes other than the bench's own (this one, its workers, the busy-core
    spinner) did between two _cpu_snapshot()s: {"other_cores": average cores they kept
    busy, "loadavg": [1-min load at start, at end]}; {} where /proc/stat is absent."""
    if start is None or end is None or end[0] <= start[0]:
        return {}
    others = ((end[1] - start[1]) - (end[2] - start[2])) / (end[0] - start[0])
    return {"other_cores": round(max(others, 0.0), 2), "loadavg": [start[3], end[3]]}


def run_all(names, lib_names, repeats, busy_core=False, same_process=False):
    """time_workload over ``names`` for each library of ``lib_names``, each library in its own
    worker process (or all in this one with ``same_process``); with ``busy_core`` a further
    process spins on one core meanwhile. Returns (results, thread settings, other_load)."""
    start = _cpu_snapshot()
    spinner = _busy_core() if busy_core else None
    try:
        if same_process:
            libs = {k: v for k, v in _load_libs().items() if k in lib_names}
            results = [time_workload(n, libs, repeats) for n in names]
            threads = thread_settings(libs)
        else:
            from bench._workers import Workers
            with Workers(lib_names) as workers:
                threads = workers.info()
                results = [time_workload_isolated(n, workers, repeats) for n in names]
    finally:
        if spinner is not None:
            spinner.terminate()
            spinner.join()
    return results, threads, other_load(start, _cpu_snapshot())


def _result(name, mod, repeats, samples, unit=None):
    out = {"workload": name, "description": getattr(mod, "DESCRIPTION", ""),
           "calls_per_repeat": getattr(mod, "NUMBER", 1), "repeats": repeats,
           "seconds": {k: statistics.median(v) for k, v in samples.items()}}
    if unit is not None:
        out["unit"] = unit
    return out


def time_workload_isolated(name, workers, repeats, warmup=1):
    """Median seconds per call of workload ``name`` for each worker of ``workers``
    (bench._workers.Workers), in alternating turns as time_workload does in one process."""
    mod = importlib.import_module(f"bench.{name}")   # its NUMBER, DESCRIPTION, UNIT only
    names = list(workers.workers)
    for lib_name in names:
        workers.turn(lib_name, "load", name)
    samples = {lib_name: [] for lib_name in names}
    if hasattr(mod, "measure"):     # a row that reports a quantity (UNIT), not seconds
        for _ in range(repeats):
            for lib_name in names:
                samples[lib_name].append(workers.turn(lib_name, "measure"))
        return _result(name, mod, repeats, samples, mod.UNIT)
    for _ in range(warmup):
        for lib_name in names:
            workers.turn(lib_name, "run")
    for _ in range(repeats):
        for lib_name in names:      # alternate: ember, torch, ember, torch ...
            samples[lib_name].append(workers.turn(lib_name, "run"))
    return _result(name, mod, repeats, samples)


def time_workload(name, libs, repeats, warmup=1):
    """Median seconds per call of workload ``name`` for each library in ``libs``, all in
    this process (``--same-process``)."""
    mod = importlib.import_module(f"bench.{name}")
    number = getattr(mod, "NUMBER", 1)
    if hasattr(mod, "measure"):     # a row that reports a quantity (UNIT), not seconds
        samples = {lib_name: [mod.measure(lib) for _ in range(repeats)]
                   for lib_name, lib in libs.items()}
        return _result(name, mod, repeats, samples, mod.UNIT)
    runs = {lib_name: mod.make(lib) for lib_name, lib in libs.items()}
    samples = {lib_name: [] for lib_name in libs}
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    clock = time.perf_counter
    for _ in range(repeats):
        for lib_name, fn in runs.items():  # alternate: ember, torch, ember, torch ...
            t0 = clock()
            fn()
            samples[lib_name].append((clock() - t0) / number)
    return _result(name, mod, repeats, samples)


def _fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def format_table(results, have_torch):
    head = ["workload", "ember", "PyTorch", "ember/PyTorch"] if have_torch else ["workload", "ember"]
    rows = []
    for r in results:
        sec = r["seconds"]
        unit = r.get("unit")
        fmt = (lambda v, unit=unit: f"{v:.1f} {unit}") if unit else _fmt_time
        row = [r["workload"], fmt(sec["ember"])]
        if have_torch:
            row += [fmt(sec["torch"]), f"{sec['ember'] / sec['torch']:.2f}x"]
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in
                       enumerate(zip(head, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                               enumerate(zip(row, widths))))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"which to run (default: all of {', '.join(WORKLOADS)})")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per library")
    parser.add_argument("--no-torch", action="store_true", help="time ember only")
    parser.add_argument("--busy-core", action="store_true",
                        help="keep one core busy with a spinning process while timing")
    parser.add_argument("--quiet-and-busy", action="store_true",
                        help="run everything twice, quiet and then with one core busy, and "
                             "print both tables")
    parser.add_argument("--same-process", action="store_true",
                        help="time both libraries in this one process (each then runs while "
                             "the other's idle threads still spin; see bench/_workers.py)")
    args = parser.parse_args(argv)

    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    names = args.workloads or WORKLOADS
    lib_names = _lib_names(args.no_torch)
    have_torch = "torch" in lib_names

    if args.quiet_and_busy:
        for busy in (False, True):
            rest = [a for a in (argv if argv is not None else sys.argv[1:])
                    if a != "--quiet-and-busy"]
            main(rest + (["--busy-core"] if busy else []))
            print()
        return 0
    results, threads, load = run_all(names, lib_names, args.repeats, args.busy_core,
                                     args.same_process)

    info = {"python": platform.python_version(), "machine": platform.machine(),
            "busy_core": args.busy_core,
            "processes": "one" if args.same_process else "one per library",
            "threads": threads, "other_load": load}
    if args.json:
        json.dump({"info": info, "results": results}, sys.stdout, indent=2)
        print()
        return 0
    print(f"python {info['python']} on {info['machine']}, {args.repeats} repeats, "
          "median time per call, " + ("both libraries in one process" if args.same_process
                                      else "each library in its own process")
          + (", one core kept busy" if args.busy_core else ""))
    for k, v in info["threads"].items():
        print(f"  {k}: {v}")
    if load:
        print(f"  other processes (not this bench's): {load['other_cores']:.2f} cores busy on "
              f"average, load average {load['loadavg'][0]:.2f} -> {load['loadavg'][1]:.2f}")
    if not have_torch:
        print("  PyTorch " + ("not timed (--no-torch)" if args.no_torch else "not installed")
              + ": ember times only")
    print()
    print(format_table(results, have_torch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
