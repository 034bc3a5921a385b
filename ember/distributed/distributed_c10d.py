"""Process groups on MPI communicators (``torch.distributed.distributed_c10d``):
``init_process_group``, ``new_group``, ``destroy_process_group`` and the rank queries.

How ranks find each other: every rank is a process of one ``mpiexec`` job (started by
``mpiexec``, ``python -m ember.distributed.run`` or ``ember.multiprocessing.spawn``), so
``MPI_COMM_WORLD`` already connects them; ``init_process_group`` checks that the rank and
world size the program asks for (arguments, ``env://``'s ``RANK``/``WORLD_SIZE``, or a
``tcp://...?rank=&world_size=`` URL) fit that world, reorders the ranks with
``MPI_Comm_split`` when the program numbers them differently from MPI, and meets the other
ranks in a barrier bounded by ``timeout``. Processes not started by mpiexec cannot join a
group (Open MPI 5 cannot connect singletons, see ``_mpi``): asking for more than one rank
there raises a RuntimeError that says how to start them. ``MASTER_ADDR``/``MASTER_PORT``
are accepted and not needed.

Differences from PyTorch: ``store=`` is not supported (MPI does the rendezvous); ``"gloo"``
and ``"mpi"`` are the same MPI backend (``ReduceOp.AVG`` works on both, where PyTorch's
gloo refuses it).
"""
import os
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from . import _mpi
from ._types import Backend, DistNetworkError, GroupMember, default_pg_timeout, group
from ._work import Watchdog

__all__ = [
    "ProcessGroup",
    "destroy_process_group",
    "get_backend",
    "get_default_backend_for_device",
    "get_global_rank",
    "get_group_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_gloo_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "is_torchelastic_launched",
    "new_group",
]


class _State:
    default_pg = None
    watchdog = None
    groups = []


_state = _State()

# TORCH_DISTRIBUTED_DEBUG=DETAIL checks shapes and dtypes across ranks on every collective
# (otherwise on the first call of each kind per group).
_DEBUG_ENV = "TORCH_DISTRIBUTED_DEBUG"


class ProcessGroup:
    """A set of ranks and the MPI communicator that connects them."""

    def __init__(self, MPI, comm, global_ranks, backend, timeout, watchdog, name=""):
        self._MPI = MPI
        self._comm = comm
        self._ranks = list(global_ranks)          # group rank -> global rank
        self._group_rank = {g: i for i, g in enumerate(self._ranks)}
        self._backend = backend
        self._timeout = timeout
        self._timeout_s = timeout.total_seconds()
        self._watchdog = watchdog
        self._global_rank = watchdog.rank
        self._name = name
        self._checked = set()                     # collective kinds checked across ranks
        self._debug = os.environ.get(_DEBUG_ENV, "").upper() == "DETAIL"
        self._broken = False
        self._nccl = None
        self._fast_ops = {}                       # (ReduceOp, dtype) -> MPI op, all_reduce

    def rank(self):
        return self._comm.Get_rank()

    def size(self):
        return self._comm.Get_size()

    def name(self):
        return self._name

    @property
    def group_name(self):
        return self._name

    def __repr__(self):
        return (f"<ember.distributed.ProcessGroup {self._backend} rank {self.rank()} of "
                f"{self.size()}>")


# -- availability ---------------------------------------------------------------------------
def is_mpi_available():
    return _mpi.available()


def is_gloo_available():
    """gloo runs on MPI here."""
    return _mpi.available()


def is_nccl_available():
    """Whether CuPy with NCCL and a GPU are present."""
    from . import _nccl
    return _nccl.available()


def is_torchelastic_launched():
    """True under ``python -m ember.distributed.run`` (it sets TORCHELASTIC_RUN_ID)."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def get_default_backend_for_device(device):
    dev = str(getattr(device, "type", device)).split(":")[0]
    if dev not in Backend.default_device_backend_map:
        raise ValueError(f"Default backend not registered for device : {device}")
    return Backend.default_device_backend_map[dev]


# -- initialisation ---------------------------------------------------------------------------
def _env_int(name):
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"Error initializing torch.distributed using env:// rendezvous: "
                         f"environment variable {name} must be an integer, got {value!r}") from None


def _requested_rank_and_size(init_method, rank, world_size):
    """Rank and world size the program asks for (-1: take MPI's)."""
    if init_method is None or init_method.startswith("env://"):
        if rank == -1:
            rank = _env_int("RANK") if _env_int("RANK") is not None else -1
        if world_size == -1:
            world_size = _env_int("WORLD_SIZE") if _env_int("WORLD_SIZE") is not None else -1
        return rank, world_size
    url = urlparse(init_method)
    if url.scheme not in ("tcp", "file"):
        raise ValueError(f"No rendezvous handler for {url.scheme}://")
    query = parse_qs(url.query)
    if rank == -1 and "rank" in query:
        rank = int(query["rank"][0])
    if world_size == -1 and "world_size" in query:
        world_size = int(query["world_size"][0])
    return rank, world_size


def _as_timedelta(timeout):
    if timeout is None:
        return default_pg_timeout
    if isinstance(timeout, timedelta):
        return timeout
    if isinstance(timeout, (int, float)):
        return timedelta(seconds=timeout)
    raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                    f"{type(timeout).__name__}")


def _resolve_backend(backend):
    if backend is None:
        return Backend(Backend.GLOO)
    if isinstance(backend, str) and ":" in backend:
        # "cpu:gloo,cuda:nccl": ember uses one backend per group; take the cuda one when
        # NCCL is usable, else the cpu one.
        pairs = dict(p.split(":") for p in backend.lower().split(","))
        from . import _nccl
        if "cuda" in pairs and _nccl.available():
            return Backend(pairs["cuda"])
        return Backend(pairs.get("cpu", Backend.GLOO))
    return Backend(backend)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1,
                       rank=-1, store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group (``torch.distributed.init_process_group``)."""
    if _state.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None:
        raise NotImplementedError("init_process_group(store=...): ember's process groups "
                                  "meet through MPI, not a key-value store; leave store "
                                  "out (rank and world_size are still accepted)")
    if pg_options is not None:
        raise NotImplementedError("init_process_group(pg_options=...) is not supported")
    backend = _resolve_backend(backend)
    timeout = _as_timedelta(timeout)
    rank, world_size = _requested_rank_and_size(init_method, rank, world_size)
    if world_size > 1 and not _mpi.launched_by_mpiexec():
        raise RuntimeError(
            f"init_process_group(world_size={world_size}): this process was not started by "
            f"mpiexec. ember.distributed runs on MPI, and Open MPI connects only processes "
            f"of one mpiexec job (its singletons cannot MPI_Comm_connect to each other), so "
            f"start the ranks with ember.multiprocessing.spawn(fn, nprocs=N), "
            f"`python -m ember.distributed.run --nproc-per-node N script.py` or "
            f"`mpiexec -n N python script.py` rather than multiprocessing.Process")
    MPI = _init_mpi_within(timeout.total_seconds())
    world = MPI.COMM_WORLD
    mpi_rank, mpi_size = world.Get_rank(), world.Get_size()
    if world_size == -1:
        world_size = mpi_size
    if rank == -1:
        rank = mpi_rank
    if _state.watchdog is None:
        _state.watchdog = Watchdog(mpi_rank)
    dog = _state.watchdog
    if world_size != mpi_size:
        raise ValueError(f"init_process_group: world_size={world_size} but mpiexec started "
                         f"{mpi_size} processes; they must be equal")
    if not 0 <= rank < world_size:
        raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                         f"[0, {world_size - 1}]")
    # Rendezvous: every rank reports its requested rank; bounded by the timeout.
    dog.arm("init_process_group (waiting for every rank to join)", timeout.total_seconds())
    try:
        requested = world.allgather(rank)
    finally:
        dog.disarm()
    if sorted(requested) != list(range(world_size)):
        dup = sorted({r for r in requested if requested.count(r) > 1})
        raise DistNetworkError(f"init_process_group: ranks {dup} were requested by more than "
                               f"one process (requested ranks by MPI rank: {requested})")
    comm = world if requested == list(range(world_size)) else world.Split(0, rank)
    dog.rank = rank
    pg = ProcessGroup(MPI, comm, range(world_size), backend, timeout, dog,
                      group_name or "0")
    if backend == Backend.NCCL:
        from . import _nccl
        pg._nccl = _nccl.communicator(pg)
    _state.default_pg = pg
    _state.groups = [pg]
    GroupMember.WORLD = group.WORLD = pg


def _init_mpi_within(seconds):
    """``MPI_Init`` bounded by ``seconds``. Under mpiexec, MPI_Init waits for every rank of
    the job, holding the GIL, so the watchdog thread cannot run: faulthandler's C-level
    timer ends the process instead, after writing why (to the spawn error file when there
    is one) and the stack."""
    import sys
    if "mpi4py.MPI" in sys.modules or not _mpi.launched_by_mpiexec():
        return _mpi.mpi()
    import faulthandler
    from ._work import ERROR_FILE_ENV
    path = os.environ.get(ERROR_FILE_ENV)
    if path:
        # read by spawn/the launcher only when no rank left a real error file
        path += ".init_timeout"
    out = open(path, "w") if path else sys.stderr
    out.write(f"ember.distributed: init_process_group: MPI_Init did not complete within the "
              f"timeout of {seconds:g} s: another rank of this mpiexec job did not start MPI "
              f"or died before joining. Ending this process.\n" if path else "")
    out.flush()
    faulthandler.dump_traceback_later(seconds, exit=True, file=out)
    try:
        return _mpi.mpi()
    finally:
        faulthandler.cancel_dump_traceback_later()
        if path:
            out.close()
            os.unlink(path)


def is_initialized():
    return _state.default_pg is not None


def _default_pg():
    if _state.default_pg is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return _state.default_pg


def _resolve(group_):
    """The ProcessGroup for ``group`` (None: the default); None where this rank is not in it."""
    if group_ is None or group_ is GroupMember.WORLD:
        return _default_pg()
    if group_ == GroupMember.NON_GROUP_MEMBER:
        _default_pg()
        return None
    if not isinstance(group_, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup, got {type(group_).__name__}")
    if group_._comm is None:
        raise ValueError("the process group has been destroyed")
    return group_


def destroy_process_group(group=None):
    """Free ``group`` (default: every group, leaving ember.distributed uninitialised)."""
    pg_default = _default_pg()
    targets = list(_state.groups) if group is None or group is pg_default else [group]
    for pg in targets:
        if not isinstance(pg, ProcessGroup) or pg._comm is None:
            continue
        if pg._comm is not pg._MPI.COMM_WORLD:
            try:
                pg._comm.Free()
            except Exception:
                pass
        pg._comm = None
        if pg in _state.groups:
            _state.groups.remove(pg)
    if group is None or group is pg_default:
        _state.default_pg = None
        _state.groups = []
        GroupMember.WORLD = globals()["group"].WORLD = None


def get_rank(group=None):
    """Rank of this process in ``group`` (-1 if it is not a member)."""
    if group is None or group is GroupMember.WORLD:
        return _default_pg()._comm.Get_rank()
    pg = _resolve(group)
    return -1 if pg is None else pg._comm.Get_rank()


def get_world_size(group=None):
    """Number of ranks in ``group`` (-1 if this process is not a member)."""
    if group is None or group is GroupMember.WORLD:
        return _default_pg()._comm.Get_size()
    pg = _resolve(group)
    return -1 if pg is None else pg._comm.Get_size()


def get_backend(group=None):
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group):
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_global_rank(group, group_rank):
    pg = _resolve(group)
    if pg is None or not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


def get_group_rank(group, global_rank):
    pg = _resolve(group)
    if pg is None or global_rank not in pg._group_rank:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return pg._group_rank[global_rank]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """A group of some ranks (``torch.distributed.new_group``); every rank of the default
    group must call it, with the same ``ranks``. Non-members get
    ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default_pg()
    if use_local_synchronization:
        raise NotImplementedError("new_group(use_local_synchronization=True) is not supported:"
                                  " ember creates groups with MPI_Comm_split over all ranks")
    n = world.size()
    ranks = list(range(n)) if ranks is None else sorted(int(r) for r in ranks)
    for r in ranks:
        if not 0 <= r < n:
            raise ValueError(f"new_group: rank {r} is out of range for world size {n}")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: duplicate ranks in {ranks}")
    me = world.rank()
    MPI = world._MPI
    color = 0 if me in ranks else MPI.UNDEFINED
    dog = world._watchdog
    dog.arm("new_group", world._timeout_s)
    try:
        comm = world._comm.Split(color, ranks.index(me) if me in ranks else 0)
    finally:
        dog.disarm()
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    be = world._backend if backend is None else _resolve_backend(backend)
    pg = ProcessGroup(MPI, comm, ranks, be,
                      world._timeout if timeout is None else _as_timedelta(timeout), dog,
                      str(len(_state.groups)))
    if be == Backend.NCCL:
        from . import _nccl
        pg._nccl = _nccl.communicator(pg)
    _state.groups.append(pg)
    return pg
