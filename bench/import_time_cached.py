"""Import time with a bytecode cache: ``import ember`` vs ``import torch`` in fresh processes,
each allowed to read and write compiled bytecode (``PYTHONPYCACHEPREFIX``, one cache in the
temp directory shared by both libraries), as an installed package or any checkout run twice
has it. ``import_time`` runs under the caller's environment instead: where
``PYTHONDONTWRITEBYTECODE=1`` is set (this machine's default) ember, a source tree, is
compiled on every run while torch's wheel ships its ``.pyc`` files, so that row counts
ember's compile time too. ``make`` imports each library once to fill the cache.
"""
import os
import subprocess
import sys
import tempfile

DESCRIPTION = "import in a fresh process, bytecode cached"
NUMBER = 1
CACHE = os.path.join(tempfile.gettempdir(), "ember-bench-pycache")


def make(lib):
    env = dict(os.environ, PYTHONPYCACHEPREFIX=CACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-c", f"import {lib.__name__}"]
    subprocess.run(cmd, check=True, env=env)     # fill the cache

    def run():
        subprocess.run(cmd, check=True, env=env)
    return run
