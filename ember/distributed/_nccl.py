"""The ``"nccl"`` backend: CuPy's NCCL communicator for tensors on NVIDIA GPUs.

The NCCL unique id travels from rank 0 to the others over the group's MPI communicator;
after that, collectives on CUDA tensors go through NCCL on the current CuPy stream
(all_reduce, broadcast, reduce, all_gather_into_tensor, reduce_scatter_tensor and
send/recv). Collectives NCCL has no call for, and CPU tensors in an NCCL group, are staged
through MPI on the host.
"""

_NO_NCCL = "Distributed package doesn't have NCCL built in"


def available():
    try:
        import cupy
        from cupy.cuda import nccl  # noqa: F401
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def communicator(pg):
    """An ``NcclCommunicator`` over the ranks of ``pg``."""
    if not available():
        raise RuntimeError(f"{_NO_NCCL}: backend 'nccl' needs CuPy with NCCL "
                           f"(pip install 'ember[cuda12]') and an NVIDIA GPU; use backend "
                           f"'gloo' or 'mpi' for CPU tensors")
    from cupy.cuda import nccl
    uid = nccl.get_unique_id() if pg.rank() == 0 else None
    uid = pg._comm.bcast(uid, root=0)
    return nccl.NcclCommunicator(pg.size(), uid, pg.rank())


_DTYPES = None


def nccl_dtype(dtype):
    global _DTYPES
    from cupy.cuda import nccl
    if _DTYPES is None:
        import numpy as np
        _DTYPES = {np.dtype(k): v for k, v in [
            ("int8", nccl.NCCL_INT8), ("uint8", nccl.NCCL_UINT8), ("int32", nccl.NCCL_INT32),
            ("uint32", nccl.NCCL_UINT32), ("int64", nccl.NCCL_INT64),
            ("uint64", nccl.NCCL_UINT64), ("float16", nccl.NCCL_FLOAT16),
            ("float32", nccl.NCCL_FLOAT32), ("float64", nccl.NCCL_FLOAT64)]}
    return _DTYPES.get(dtype)


def nccl_op(op):
    """NCCL reduction for a ReduceOp (AVG: sum, divided afterwards), None if none."""
    from cupy.cuda import nccl

    from ._types import RedOpType
    return {RedOpType.SUM: nccl.NCCL_SUM, RedOpType.AVG: nccl.NCCL_SUM,
            RedOpType.PRODUCT: nccl.NCCL_PROD, RedOpType.MIN: nccl.NCCL_MIN,
            RedOpType.MAX: nccl.NCCL_MAX}.get(op)


def stream():
    import cupy
    return cupy.cuda.get_current_stream().ptr
