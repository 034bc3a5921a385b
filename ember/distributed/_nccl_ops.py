"""Collectives on CUDA tensors through NCCL (the ``"nccl"`` backend, see ``_nccl``).

NCCL calls are asynchronous on the current CuPy stream: ``async_op=True`` returns a Work
that synchronises that stream; the synchronous form returns once NCCL has queued the call,
as PyTorch's does (later work on the stream sees the result).
"""
from . import _nccl
from ._types import RedOpType
from ._work import CompletedWork


class _StreamWork(CompletedWork):
    def __init__(self, result, stream):
        super().__init__(result)
        self._stream = stream

    def wait(self, timeout=None):
        self._stream.synchronize()
        return True


def _ready(pg, tensor, what):
    a = tensor._data
    if not a.flags.c_contiguous:
        raise RuntimeError(f"{what} with backend 'nccl' needs a contiguous CUDA tensor")
    dt = _nccl.nccl_dtype(a.dtype)
    if dt is None:
        raise RuntimeError(f"{what}: NCCL has no type for {tensor.dtype}")
    return a, dt


def _work(tensor, async_op):
    if not async_op:
        return None
    import cupy
    return _StreamWork([tensor], cupy.cuda.get_current_stream())


def all_reduce(pg, tensor, op, async_op):
    a, dt = _ready(pg, tensor, "all_reduce")
    nop = _nccl.nccl_op(RedOpType(op))
    if nop is None:
        raise RuntimeError(f"all_reduce: ReduceOp.{RedOpType(op).name} is not supported by "
                           f"NCCL")
    pg._nccl.allReduce(a.data.ptr, a.data.ptr, a.size, dt, nop, _nccl.stream())
    if op == RedOpType.AVG:
        a /= pg.size()
    return _work(tensor, async_op)


def broadcast(pg, tensor, root, async_op):
    a, dt = _ready(pg, tensor, "broadcast")
    pg._nccl.bcast(a.data.ptr, a.size, dt, root, _nccl.stream())
    return _work(tensor, async_op)
