"""python -m bench: each library in its own worker process (bench/_workers.py), the
--busy-core spinner really occupying a core, and the JSON report saying how it ran."""
import json
import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bench(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_json_report_of_isolated_run():
    report = json.loads(_bench("op_overhead", "--repeats", "2", "--no-torch", "--json"))
    assert report["info"]["processes"] == "one per library"
    assert report["info"]["busy_core"] is False
    assert "numpy BLAS" in report["info"]["threads"]
    if os.path.exists("/proc/stat"):
        load = report["info"]["other_load"]
        assert 0 <= load["other_cores"] <= os.cpu_count() and len(load["loadavg"]) == 2
    (row,) = report["results"]
    assert row["workload"] == "op_overhead" and row["repeats"] == 2
    assert set(row["seconds"]) == {"ember"} and 0 < row["seconds"]["ember"] < 1e-3


def test_worker_answers_and_reports_errors():
    from bench._workers import Workers, settle
    with Workers(["ember"]) as workers:
        worker = workers.workers["ember"]
        assert worker.process.pid != os.getpid()
        workers.turn("ember", "load", "op_overhead")
        assert 0 < workers.turn("ember", "run") < 1e-3
        assert settle([worker]) < 0.5                    # an idle worker settles at once
        assert worker.cpu_ns() > 0
        with pytest.raises(RuntimeError, match="No module named 'bench.no_such_row'"):
            worker.call("load", "no_such_row")
        workers.turn("ember", "load", "op_overhead")     # still serving after the error


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or not os.path.exists("/proc/stat"),
                    reason="Linux only")
def test_busy_core_spinner_uses_a_core():
    from bench.__main__ import _busy_core
    spinner = _busy_core()
    try:
        time.sleep(0.3)
        with open(f"/proc/{spinner.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        assert fields[0] == "R"                                  # running, not sleeping
        assert os.sched_getaffinity(spinner.pid) == {max(os.sched_getaffinity(0))}
    finally:
        spinner.terminate()
        spinner.join()


def test_other_load_excludes_the_bench_itself():
    from bench.__main__ import other_load
    # 2 s wall, 3 CPU-seconds busy in all, 2 of them this bench's: others kept 0.5 cores
    assert other_load((0.0, 10.0, 1.0, 0.5), (2.0, 13.0, 3.0, 0.7)) == {
        "other_cores": 0.5, "loadavg": [0.5, 0.7]}
    assert other_load(None, (2.0, 13.0, 3.0, 0.7)) == {}
