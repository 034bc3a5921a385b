"""``python -m ember.run script.py [args...]``: run a PyTorch program on ember, unmodified.

The script runs as ``python script.py args...`` would run it, with :mod:`ember.compat`
installed first (``import torch`` / ``import torchvision`` give ember): as ``__main__``,
with ``sys.argv == ['script.py', *args]``, ``sys.path[0]`` the script's folder (so it
imports its sibling files), ``__file__`` set, and an exception's traceback and exit
status as Python's. ``python -m ember.run -m package.module [args]`` runs a module as
``python -m`` does.

multiprocessing: with the fork start method children inherit everything. With spawn
and forkserver, a child re-imports the main script before it unpickles its task;
``ember.run`` gives the script's ``__main__`` module the spec of ``ember._spawn_main``,
so multiprocessing makes each child run ``ember._spawn_main``, which installs the
importer and then runs the script (named in the environment variable
``EMBER_RUN_MAIN``, inherited by children) as ``__mp_main__``, as it would have.
Functions and classes defined in the script therefore unpickle in children as usual.
"""
import os
import runpy
import sys

USAGE = "usage: python -m ember.run script.py [args...]  |  python -m ember.run -m module [args...]"
ENV_MAIN = "EMBER_RUN_MAIN"


def _main_spec():
    import importlib.machinery
    return importlib.machinery.ModuleSpec("ember._spawn_main", None)


def run_script(path, argv=None):
    """Run ``path`` as ``__main__`` with ember.compat installed; ``argv`` defaults to
    ``[path]``. Returns the script's globals."""
    import types

    from . import compat
    compat.install()
    path = os.fspath(path)
    sys.argv = [path] + list(argv[1:] if argv else [])
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    os.environ[ENV_MAIN] = os.path.abspath(path)
    with open(path, "rb") as fh:
        source = fh.read()
    code = compile(source, path, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    main.__spec__ = _main_spec()     # multiprocessing's spawn children: see module docstring
    old_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        # keep the script's module reachable while atexit handlers run
        if old_main is not None:
            sys.modules.setdefault("__ember_run_caller__", old_main)
    return main.__dict__


def run_module(name, argv):
    from . import compat
    compat.install()
    sys.argv = [name] + list(argv[1:])
    sys.path[0] = os.getcwd()
    return runpy.run_module(name, run_name="__main__", alter_sys=True)


def main(args=None):
    args = sys.argv[1:] if args is None else list(args)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] == "-m":
        if len(args) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        run_module(args[1], args[1:])
        return 0
    path = args[0]
    if not os.path.exists(path):
        print(f"{sys.executable}: can't open file {os.path.abspath(path)!r}: "
              "[Errno 2] No such file or directory", file=sys.stderr)
        return 2
    run_script(path, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
