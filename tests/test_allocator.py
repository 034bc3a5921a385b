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
