"""Collectives on picklable Python objects and ``monitored_barrier``.

The object variants pickle (as PyTorch's do) and move the bytes with mpi4py's object
calls (``comm.allgather`` ...). ``monitored_barrier`` follows PyTorch's gloo algorithm:
every rank reports to rank 0 with a point-to-point message, rank 0 waits for each against
the timeout and names the ranks that did not arrive, then releases the others.
"""
import time

from ._types import DistBackendError
from .distributed_c10d import _resolve

__all__ = [
    "all_gather_object",
    "broadcast_object_list",
    "gather_object",
    "monitored_barrier",
    "scatter_object_list",
]

_TAG_MONITORED = 32001


def _obj_call(pg, what, fn):
    dog = pg._watchdog
    dog.arm(what, pg._timeout_s)
    try:
        return fn()
    except pg._MPI.Exception as e:
        raise DistBackendError(f"{what} failed: {e}") from None
    finally:
        dog.disarm()


def all_gather_object(object_list, obj, group=None):
    """``object_list[r]`` = rank r's ``obj`` on every rank."""
    pg = _resolve(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have {pg.size()} entries "
                         f"(one per rank), got {len(object_list)}")
    out = _obj_call(pg, "all_gather_object", lambda: pg._comm.allgather(obj))
    object_list[:] = out


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s entries with those of rank ``src`` (in place)."""
    from ._collectives import _group_rank
    pg = _resolve(group)
    if pg is None:
        return
    if src is None and group_src is None:
        src = pg._ranks[0]
    root = _group_rank(pg, src, group_src, "broadcast_object_list", "src")
    mine = list(object_list) if pg.rank() == root else None
    out = _obj_call(pg, "broadcast_object_list", lambda: pg._comm.bcast(mine, root))
    if len(out) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {src} sent {len(out)} objects but "
                         f"this rank's object_list has {len(object_list)} entries")
    object_list[:] = out


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Every rank's ``obj`` into ``object_gather_list`` on rank ``dst`` (default 0)."""
    from ._collectives import _group_rank
    pg = _resolve(group)
    if pg is None:
        return
    if dst is None and group_dst is None:
        dst = pg._ranks[0]
    root = _group_rank(pg, dst, group_dst, "gather_object", "dst")
    if pg.rank() == root:
        if object_gather_list is None or len(object_gather_list) != pg.size():
            raise ValueError(f"gather_object: Argument ``object_gather_list`` must be a list "
                             f"of {pg.size()} entries on the destination rank")
    out = _obj_call(pg, "gather_object", lambda: pg._comm.gather(obj, root))
    if pg.rank() == root:
        object_gather_list[:] = out


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None,
                        src=None, group=None, group_src=None):
    """Rank r's ``scatter_object_output_list[0]`` = ``scatter_object_input_list[r]`` of
    rank ``src`` (default 0)."""
    from ._collectives import _group_rank
    pg = _resolve(group)
    if pg is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size "
                         "at least 1.")
    if src is None and group_src is None:
        src = pg._ranks[0]
    root = _group_rank(pg, src, group_src, "scatter_object_list", "src")
    items = None
    if pg.rank() == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError(f"scatter_object_list: scatter_object_input_list must have "
                             f"{pg.size()} entries on the source rank")
        items = list(scatter_object_input_list)
    scatter_object_output_list[0] = _obj_call(pg, "scatter_object_list",
                                              lambda: pg._comm.scatter(items, root))


def _poll(req, deadline):
    while not req.Test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0005)
    return True


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that, on rank 0, raises naming the ranks that did not arrive within
    ``timeout`` (default: the group's); the other ranks raise if rank 0 does not release
    them in time. After a timeout the group is unusable, as in PyTorch."""
    pg = _resolve(group)
    if pg is None:
        return
    seconds = pg._timeout_s if timeout is None else (
        timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout))
    comm, me, n = pg._comm, pg.rank(), pg.size()
    deadline = time.monotonic() + seconds
    if n == 1:
        return
    if me == 0:
        missing = []
        reqs = {r: comm.irecv(source=r, tag=_TAG_MONITORED) for r in range(1, n)}
        for r, req in reqs.items():
            if not _poll(req, deadline):
                missing.append(pg._ranks[r])
                if not wait_all_ranks:
                    break
        if missing:
            pg._broken = True
            if wait_all_ranks:
                raise DistBackendError(f"Ranks {', '.join(map(str, missing))} failed to pass "
                                       f"monitoredBarrier in {seconds:g} s")
            raise DistBackendError(f"[Rank 0]: Rank {missing[0]} failed to pass "
                                   f"monitoredBarrier in {seconds:g} s")
        for r in range(1, n):
            comm.send(None, dest=r, tag=_TAG_MONITORED + 1)
        return
    comm.isend(None, dest=0, tag=_TAG_MONITORED).wait()
    release = comm.irecv(source=0, tag=_TAG_MONITORED + 1)
    if not _poll(release, deadline):
        pg._broken = True
        raise DistBackendError(f"[Rank {pg._global_rank}]: monitored_barrier: rank 0 did not "
                               f"release this rank within {seconds:g} s")
    return


