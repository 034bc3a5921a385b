"""`python -m ember.distributed.run` (torchrun's flags) starts the ranks through mpiexec
with torchrun's environment; a failing rank fails the run with its traceback."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "ddp_launched.py")


def _run(*extra):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return subprocess.run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node",
                           "2", "--master-port", "29533", SCRIPT, *extra],
                          capture_output=True, text=True, timeout=120, env=env)


def test_launcher_runs_ddp_script_on_two_ranks():
    out = _run()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "LAUNCHED world=2" in out.stdout
    assert "('LOCAL_WORLD_SIZE', '2')" in out.stdout and "('MASTER_PORT', '29533')" in \
        out.stdout
    assert "replicas_equal=True" in out.stdout


def test_launcher_reports_failing_rank():
    out = _run("--fail-on-rank-1")
    assert out.returncode != 0
    assert "KeyError: 'rank 1 was told to fail'" in out.stderr
    assert "ddp_launched.py FAILED" in out.stderr and "rank 1:" in out.stderr


def test_launcher_refuses_other_node_ranks():
    out = subprocess.run([sys.executable, "-m", "ember.distributed.run", "--nnodes", "2",
                          "--node-rank", "1", SCRIPT], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "--node-rank must be 0" in out.stderr
