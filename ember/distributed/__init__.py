"""``ember.distributed``: PyTorch's ``torch.distributed`` on MPI (mpi4py + Open MPI).

Process groups are MPI communicators; collectives hand MPI the tensors' own buffers.
Backends ``"gloo"`` and ``"mpi"`` run on MPI, ``"nccl"`` on CuPy's NCCL (GPU tensors).
Ranks are processes of one ``mpiexec`` job, started by ``mpiexec``,
``python -m ember.distributed.run`` (torchrun's flags) or
``ember.multiprocessing.spawn``. mpi4py is imported on the first ``init_process_group``,
not by ``import ember.distributed``.
"""
from . import _mpi
from ._collectives import (
    P2POp,
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    all_to_all,
    all_to_all_single,
    barrier,
    batch_isend_irecv,
    broadcast,
    gather,
    irecv,
    isend,
    recv,
    reduce,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
    send,
)
from ._object_collectives import (
    all_gather_object,
    broadcast_object_list,
    gather_object,
    monitored_barrier,
    scatter_object_list,
)
from ._types import (
    Backend,
    DistBackendError,
    DistError,
    DistNetworkError,
    DistStoreError,
    GroupMember,
    ReduceOp,
    default_pg_timeout,
    group,
)
from ._work import Work
from .distributed_c10d import (
    ProcessGroup,
    destroy_process_group,
    get_backend,
    get_default_backend_for_device,
    get_global_rank,
    get_group_rank,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    init_process_group,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    is_torchelastic_launched,
    new_group,
)

# PyTorch's deprecated names for the same functions
_all_gather_base = all_gather_into_tensor
_reduce_scatter_base = reduce_scatter_tensor


def is_available():
    """Whether ember.distributed can run: mpi4py is installed."""
    return _mpi.available()


__all__ = [
    "Backend",
    "DistBackendError",
    "DistError",
    "DistNetworkError",
    "DistStoreError",
    "GroupMember",
    "P2POp",
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "batch_isend_irecv",
    "broadcast",
    "broadcast_object_list",
    "default_pg_timeout",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_default_backend_for_device",
    "get_global_rank",
    "get_group_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "irecv",
    "is_available",
    "is_gloo_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "is_torchelastic_launched",
    "isend",
    "monitored_barrier",
    "new_group",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "scatter_object_list",
    "send",
]
