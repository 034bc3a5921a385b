"""ember/_allocator.py: the malloc tuning applies once at import on glibc, and the
environment switches turn it off (checked in fresh interpreters)."""
import os
import platform
import subprocess
import sys

import pytest

CODE = "import ember, ember._allocator as a; print(a._done)"


def _run(env_extra):
    env = dict(os.environ, **env_extra)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the tuning applies to glibc's malloc only")
def test_tuned_at_import_on_glibc():
    assert _run({}) == "[True]"


@pytest.mark.parametrize("env", [{"EMBER_MALLOC_TUNE": "0"},
                                 {"MALLOC_TRIM_THRESHOLD_": "131072"}])
def test_environment_leaves_malloc_alone(env):
    assert _run(env) == "[False]"




STEP_CODE = """
import resource
import ember
from ember import backend
from bench import resnet18
backend.host_threads_free = lambda: True       # the two-thread splits, quiet or not
step = resnet18.make(ember)
for _ in range(3):
    step()
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) // 3)
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the tuning applies to glibc's malloc only")
def test_helper_thread_work_reuses_freed_memory():
    """The ResNet-18 CIFAR step (bench/resnet18), its convolutions split across ember's
    helper thread, touches almost no fresh pages in steady state: the helper allocates
    from the main arena, which keeps freed memory (from an arena of its own, ~4000 pages a
    step faulted back in here; 0-100 now)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", STEP_CODE], capture_output=True, text=True,
                         check=True, env=env, cwd=root)
    assert int(out.stdout) < 1000
