"""Run a program through ``python -m ember.run`` (or plain python with real torch) in a
fresh subprocess; shared by the tests in tests/compat."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("OMP_NUM_THREADS", "1")
    e.setdefault("OPENBLAS_NUM_THREADS", "1")
    return e


def write(folder, name, source):
    path = os.path.join(str(folder), name)
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(source))
    return path


def run(script, *args, torch=False, timeout=240, cwd=None, check=True):
    """Run ``script`` with ember (``python -m ember.run``) or, with ``torch=True``, with
    plain python (the real PyTorch). Returns the CompletedProcess."""
    cmd = [sys.executable] + ([] if torch else ["-m", "ember.run"]) + [str(script)] + \
        [str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env(),
                         cwd=cwd or os.path.dirname(str(script)))
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout[-3000:]}"
                             f"\n{out.stderr[-6000:]}")
    return out
