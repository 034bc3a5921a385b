"""python -m ember.run and ember.compat.install(): real scripts in subprocesses."""
import subprocess
import sys

from runner import env, run, write


def test_script_runs_as_main_with_argv_path_and_siblings(tmp_path):
    write(tmp_path, "helper.py", "VALUE = 7\n")
    script = write(tmp_path, "prog.py", """
        import argparse, os, sys
        import torch, torch.nn as nn, torch.nn.functional as F
        import torch.utils.data
        import ember
        from helper import VALUE
        p = argparse.ArgumentParser()
        p.add_argument("--lr", type=float, default=0.1)
        a = p.parse_args()
        assert torch is ember and torch.nn is ember.nn and F is ember.nn.functional
        assert torch.utils.data is ember.utils.data
        assert sys.modules["torch.nn.functional"] is ember.nn.functional
        assert ember.nn.__spec__.name == "ember.nn"
        assert sys.path[0] == os.path.dirname(os.path.abspath(__file__))
        if __name__ == "__main__":
            print("main", sys.argv[1:], a.lr, VALUE, isinstance(nn.Linear(2, 2), torch.nn.Module))
        """)
    out = run(script, "--lr", "0.5")
    assert out.stdout.strip() == "main ['--lr', '0.5'] 0.5 7 True"


def test_exit_status_and_traceback(tmp_path):
    script = write(tmp_path, "bad.py", "import torch\nraise ValueError('boom')\n")
    out = run(script, check=False)
    assert out.returncode == 1
    assert "ValueError: boom" in out.stderr and 'bad.py", line 2' in out.stderr
    script = write(tmp_path, "exits.py", "import sys\nsys.exit(3)\n")
    assert run(script, check=False).returncode == 3


def test_versions(tmp_path):
    script = write(tmp_path, "ver.py", """
        import torch, torchvision
        from packaging.version import parse, Version
        assert parse(torch.__version__) >= Version("2.0"), torch.__version__
        assert torch.__version__ >= "1.9" and torch.__version__ >= (2, 0)
        assert not torch.__version__ < "2.0"
        assert torch.version.__version__ == torch.__version__
        assert torch.version.cuda is None
        print(torch.__version__, torch.version.ember, isinstance(torch.__version__, str))
        """)
    out = run(script).stdout.split()
    assert out[0].startswith("2.") and "+ember" in out[0]
    assert out[1] == out[0].split("+ember")[1] and out[2] == "True"


def test_spawn_children_get_the_importer(tmp_path):
    script = write(tmp_path, "mp.py", """
        import multiprocessing as mp
        import torch

        def square(x):
            import torch
            return torch.__name__, float(torch.tensor(float(x)) ** 2)

        class Task:
            def __call__(self, x):
                return float(torch.ones(2).sum()) * x

        if __name__ == "__main__":
            for method in ("spawn", "fork"):
                with mp.get_context(method).Pool(2) as pool:
                    print(method, pool.map(square, [1, 2]), pool.map(Task(), [3]))
        """)
    lines = run(script).stdout.strip().splitlines()
    assert len(lines) == 2
    for method, line in zip(("spawn", "fork"), lines):
        assert line == f"{method} [('ember', 1.0), ('ember', 4.0)] [6.0]"


def test_missing_submodule_and_attribute_messages(tmp_path):
    script = write(tmp_path, "missing.py", """
        import torch
        try:
            import torch.nosuchthing
        except ModuleNotFoundError as e:
            print(e)
        try:
            torch.nosuchname
        except AttributeError as e:
            print(e)
        print(hasattr(torch, "nosuchname"))
        """)
    lines = run(script).stdout.strip().splitlines()
    assert lines[0] == "No module named 'torch.nosuchthing': ember does not provide " \
                       "ember.nosuchthing yet"
    assert "torch.nosuchname" in lines[1] and "ember does not provide it yet" in lines[1]
    assert lines[2] == "False"


def test_install_sets_real_torch_aside_and_uninstall_restores(tmp_path):
    code = """
import warnings, sys
import torch as real
import ember, ember.compat
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    ember.compat.install()
assert any("already imported" in str(x.message) for x in w)
import torch
assert torch is ember and ember.__version__.startswith("2.")
import torch.nn
assert torch.nn is ember.nn
ember.compat.uninstall()
import torch
assert torch is real and ember.__version__ == ember.version.ember
assert "torch.nn" in sys.modules and sys.modules["torch.nn"] is real.nn
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env(), timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_module_mode(tmp_path):
    write(tmp_path, "pkgmod.py", "import sys, torch\nprint(__name__, sys.argv[1:], torch.__name__)\n")
    out = subprocess.run([sys.executable, "-m", "ember.run", "-m", "pkgmod", "x"],
                         capture_output=True, text=True, env=env(), cwd=str(tmp_path),
                         timeout=60)
    assert out.stdout.strip() == "__main__ ['x'] ember", out.stderr
