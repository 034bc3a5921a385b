"""Run the example programs of tests/compat/programs with ember and with PyTorch on the
same local data; print each one's curve, status and wall-time ratio (ember / torch).

    python tools/example_programs.py [name ...]

Both runs get OMP_NUM_THREADS=1 (this machine is shared); times include interpreter
start and imports.
"""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "compat"))
import example_data  # noqa: E402
from runner import run  # noqa: E402


def run_case(name):
    prog, args, setup, metric, extra, _ = example_data.CASES[name]
    out = {}
    for lib in ("ember", "torch"):
        with tempfile.TemporaryDirectory() as d:
            script = example_data.copy_program(prog, d)
            if setup:
                setup(d)
            os.environ.update(extra)
            start = time.time()
            res = run(script, *args, torch=lib == "torch", check=False, timeout=900)
            elapsed = time.time() - start
            for k in extra:
                os.environ.pop(k)
            ok = res.returncode == 0
            out[lib] = (ok, example_data.values(res.stdout, metric), elapsed,
                        res.stderr.strip().splitlines()[-1:] if not ok else [])
    return out


def main(names):
    print("| program | status | ember curve | torch curve | time ember/torch |")
    print("|---|---|---|---|---|")
    for name in names or list(example_data.CASES):
        r = run_case(name)
        (eo, ev, et, ee), (_, tv, tt, _) = r["ember"], r["torch"]
        status = "runs" if eo else f"FAILS: {ee[0][:60] if ee else ''}"
        fmt = lambda v: " ".join(f"{x:.3g}" for x in v)  # noqa: E731
        print(f"| {name} | {status} | {fmt(ev)} | {fmt(tv)} | {et / tt:.2f} ({et:.1f}s/{tt:.1f}s) |",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
