"""Import time: ``python -c "import ember"`` vs ``python -c "import torch"``, each in a fresh
process (so nothing is cached in ``sys.modules``); the time includes the interpreter's own
start-up (~20 ms), the same for both. Issue 18's target: numpy's import + 0.1 s. It runs under the caller's
environment: with ``PYTHONDONTWRITEBYTECODE=1`` ember's sources are compiled on every run
(torch's wheel has its ``.pyc``); ``import_time_cached`` times both with a bytecode cache.
"""
import subprocess
import sys

DESCRIPTION = "import in a fresh process"
NUMBER = 1


def make(lib):
    cmd = [sys.executable, "-c", f"import {lib.__name__}"]

    def run():
        subprocess.run(cmd, check=True)
    return run
