"""Run the benchmarks: ``python -m bench [WORKLOAD ...] [--json] [--repeats N] [--busy-core]``.

Every workload is timed for ember and PyTorch alternately in this one process (ember,
torch, ember, torch ...), so both see the same machine state; the table shows the median
time per call of each and the ratio ember / PyTorch (lower is better for ember). Without
PyTorch installed only ember's times are printed.

Threads are left at each library's default and printed in the header. Two pitfalls from
DESIGN.md: float32 denormals slow every framework 50-100x (no workload here trains long
enough to produce them), and on a shared machine a busy core makes multi-threaded BLAS on
small matrices 3-100x slower; ``--busy-core`` keeps one core busy during the run to show it.
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


def thread_settings(libs):
    """What each library will use for threads, as a dict of printable strings."""
    out = {}
    env = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS") if k in os.environ}
    out["cpus"] = str(os.cpu_count())
    out["env"] = ", ".join(f"{k}={v}" for k, v in env.items()) or "(no thread variables set)"
    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
        out["numpy BLAS"] = ", ".join(f"{p.get('internal_api')} {p.get('num_threads')} threads"
                                      for p in pools) or "unknown"
    except ImportError:
        n = _openblas_threads()
        out["numpy BLAS"] = (f"OpenBLAS {n} threads" if n else
                             "library default (install threadpoolctl to see the count)")
    if "torch" in libs:
        t = libs["torch"]
        out["torch"] = f"{t.get_num_threads()} intra-op threads, {t.__version__}"
    return out


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
    while True:
        pass


def run_all(names, libs, repeats, busy_core=False):
    """time_workload over ``names``; with ``busy_core`` a second process spins on one core."""
    spinner = None
    if busy_core:
        spinner = multiprocessing.Process(target=_spin, daemon=True)
        spinner.start()
    try:
        return [time_workload(n, libs, repeats) for n in names]
    finally:
        if spinner is not None:
            spinner.terminate()
            spinner.join()


def time_workload(name, libs, repeats, warmup=1):
    """Median seconds per call of workload ``name`` for each library in ``libs``."""
    mod = importlib.import_module(f"bench.{name}")
    number = getattr(mod, "NUMBER", 1)
    if hasattr(mod, "measure"):     # a row that reports a quantity (UNIT), not seconds
        samples = {lib_name: [mod.measure(lib) for _ in range(repeats)]
                   for lib_name, lib in libs.items()}
        return {"workload": name, "description": getattr(mod, "DESCRIPTION", ""),
                "calls_per_repeat": number, "repeats": repeats, "unit": mod.UNIT,
                "seconds": {k: statistics.median(v) for k, v in samples.items()}}
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
    return {
        "workload": name,
        "description": getattr(mod, "DESCRIPTION", ""),
        "calls_per_repeat": number,
        "repeats": repeats,
        "seconds": {k: statistics.median(v) for k, v in samples.items()},
    }


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
    args = parser.parse_args(argv)

    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    names = args.workloads or WORKLOADS
    libs = _load_libs()
    if args.no_torch:
        libs.pop("torch", None)
    have_torch = "torch" in libs

    if args.quiet_and_busy:
        for busy in (False, True):
            rest = [a for a in (argv if argv is not None else sys.argv[1:])
                    if a != "--quiet-and-busy"]
            main(rest + (["--busy-core"] if busy else []))
            print()
        return 0
    results = run_all(names, libs, args.repeats, args.busy_core)

    info = {"python": platform.python_version(), "machine": platform.machine(),
            "busy_core": args.busy_core, "threads": thread_settings(libs)}
    if args.json:
        json.dump({"info": info, "results": results}, sys.stdout, indent=2)
        print()
        return 0
    print(f"python {info['python']} on {info['machine']}, {args.repeats} repeats, "
          f"median time per call" + (", one core kept busy" if args.busy_core else ""))
    for k, v in info["threads"].items():
        print(f"  {k}: {v}")
    if not have_torch:
        print("  PyTorch " + ("not timed (--no-torch)" if args.no_torch else "not installed")
              + ": ember times only")
    print()
    print(format_table(results, have_torch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
