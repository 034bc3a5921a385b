"""What a spawned child of a program started by ``python -m ember.run`` runs as its main
module: install ember.compat, then run the script as ``__mp_main__`` (see ember.run)."""
import os as _os
import runpy as _runpy

from ember import compat as _compat
from ember.run import ENV_MAIN as _ENV

_compat.install()
_path = _os.environ.get(_ENV)
if not _path:
    raise RuntimeError(f"ember._spawn_main: {_ENV} is not set (it is run by multiprocessing "
                       "for programs started with python -m ember.run)")
globals().update(_runpy.run_path(_path, run_name="__mp_main__"))
