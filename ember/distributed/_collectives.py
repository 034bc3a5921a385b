"""Collectives and point-to-point calls on ember tensors (``torch.distributed``'s).

Each call hands MPI the tensor's own NumPy buffer (buffer protocol, no pickling, no copy)
when the tensor is C-contiguous on the CPU; other tensors are staged through one
contiguous host copy that is written back afterwards. ``async_op=True`` uses MPI's
non-blocking call (``MPI_Iallreduce`` ...) and returns a ``Work``; the synchronous form
uses the blocking call under the timeout watchdog (see ``_work``).

Reductions map onto MPI's operations (``ReduceOp.AVG`` is a sum divided by the group
size; on bool tensors SUM/MAX/BOR are logical or, PRODUCT/MIN/BAND logical and). Types
MPI has no datatype for (bfloat16, float8) move as bytes, and reduce through an
``MPI_Op_create`` operation over 2-byte units that applies the NumPy ufunc.

Shapes and dtypes are compared across ranks on the first call of each kind per group
(every call with ``TORCH_DISTRIBUTED_DEBUG=DETAIL``): a mismatch raises a RuntimeError
that lists every rank's shape and dtype instead of letting MPI mix unrelated buffers.
"""
import numpy as np

from .._tensor import Tensor
from ._types import DistBackendError, GroupMember, RedOpType
from ._work import CompletedWork, Work
from .distributed_c10d import _resolve, _state
from time import monotonic as _monotonic

__all__ = [
    "P2POp",
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "all_to_all",
    "all_to_all_single",
    "barrier",
    "batch_isend_irecv",
    "broadcast",
    "gather",
    "irecv",
    "isend",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "send",
]

# dtypes MPI reduces natively (mpi4py maps the NumPy buffer format to an MPI datatype).
_MPI_NATIVE = frozenset(np.dtype(d) for d in (
    "bool", "int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64",
    "complex64", "complex128"))

_UFUNC = {RedOpType.SUM: np.add, RedOpType.AVG: np.add, RedOpType.PRODUCT: np.multiply,
          RedOpType.MIN: np.minimum, RedOpType.MAX: np.maximum}


# -- buffers --------------------------------------------------------------------------------
def _tensor(t, what):
    if not isinstance(t, Tensor):
        raise TypeError(f"{what}: expected an ember Tensor, got {type(t).__name__}")
    return t


class _Host:
    """The contiguous host buffer MPI reads and writes for one tensor."""

    __slots__ = ("array", "staged", "tensor")

    def __init__(self, t, what):
        a = _tensor(t, what)._data
        self.tensor = t
        if type(a) is np.ndarray and a.flags.c_contiguous:
            self.array, self.staged = a, False
        else:
            self.array = np.ascontiguousarray(a) if isinstance(a, np.ndarray) else \
                np.ascontiguousarray(_to_host(a))
            self.staged = True

    def write_back(self):
        if self.staged:
            a = self.tensor._data
            if isinstance(a, np.ndarray):
                a[...] = self.array
            else:
                a[...] = _to_device_like(self.array, a)


def _to_host(a):
    from .. import backend
    return backend.to_host(a)


def _to_device_like(h, like):
    from .. import backend
    return backend.to_device(h, backend.device_type_of(like))


def _msg(arr):
    """The buffer spec mpi4py gets: the array itself, or its bytes for non-MPI dtypes."""
    flat = arr.reshape(-1)
    return flat if arr.dtype in _MPI_NATIVE else flat.view(np.uint8)


_user_ops = {}
_IN_PLACE = None        # MPI.IN_PLACE once mpi4py is loaded
_SUM = RedOpType.SUM


def _set_in_place(value):
    global _IN_PLACE
    _IN_PLACE = value


def _mpi_op(pg, op, dtype):
    """(buffer transform, MPI op) for reducing ``dtype`` with ``op``."""
    MPI = pg._MPI
    if not isinstance(op, RedOpType):
        try:
            op = RedOpType(op)
        except ValueError:
            raise ValueError(f"Invalid reduce op {op!r}") from None
    if op == RedOpType.PREMUL_SUM or op == RedOpType.UNUSED:
        raise NotImplementedError(f"ReduceOp.{op.name} is not supported by ember.distributed")
    if dtype == np.bool_:
        table = {RedOpType.SUM: MPI.LOR, RedOpType.MAX: MPI.LOR, RedOpType.BOR: MPI.LOR,
                 RedOpType.AVG: MPI.LOR, RedOpType.PRODUCT: MPI.LAND,
                 RedOpType.MIN: MPI.LAND, RedOpType.BAND: MPI.LAND,
                 RedOpType.BXOR: MPI.LXOR}
        return None, table[op]
    if dtype in _MPI_NATIVE:
        if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and dtype.kind not in "iu":
            raise RuntimeError(f"ReduceOp.{op.name} needs an integer or bool tensor, got "
                               f"{_dtype_name(dtype)}")
        if op in (RedOpType.MIN, RedOpType.MAX) and dtype.kind == "c":
            raise RuntimeError(f"ReduceOp.{op.name} is not defined for complex tensors")
        return None, {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM,
                      RedOpType.PRODUCT: MPI.PROD, RedOpType.MIN: MPI.MIN,
                      RedOpType.MAX: MPI.MAX, RedOpType.BAND: MPI.BAND,
                      RedOpType.BOR: MPI.BOR, RedOpType.BXOR: MPI.BXOR}[op]
    if dtype.itemsize != 2 or op not in _UFUNC:
        raise RuntimeError(f"ReduceOp.{op.name} is not supported for {_dtype_name(dtype)} "
                           f"tensors")
    key = (op, dtype)
    mop = _user_ops.get(key)
    if mop is None:
        ufunc = _UFUNC[op]

        def combine(inbuf, inoutbuf, datatype, _dt=dtype, _f=ufunc):
            a = np.frombuffer(inbuf, dtype=_dt)
            b = np.frombuffer(inoutbuf, dtype=_dt)
            _f(a, b, out=b)
        mop = _user_ops[key] = MPI.Op.Create(combine, commute=True)
    # reduce 2-byte units so that MPI never splits an element
    return (lambda arr: [arr.reshape(-1).view(np.uint16), MPI.UINT16_T]), mop


def _dtype_name(dtype):
    from .._dtype import NP_TO_DTYPE
    d = NP_TO_DTYPE.get(dtype)
    return str(d) if d is not None else str(dtype)


def _reduce_buf(pg, arr, op):
    transform, mop = _mpi_op(pg, op, arr.dtype)
    return (transform(arr) if transform else arr.reshape(-1)), mop


def _avg(arr, n):
    if arr.dtype.kind in "iu":
        np.floor_divide(arr, n, out=arr)
    else:
        np.divide(arr, n, out=arr, casting="unsafe")


# -- running a call -------------------------------------------------------------------------
def _mpi_error(pg, what, e):
    try:
        text = e.Get_error_string()
    except Exception:
        text = str(e)
    return DistBackendError(f"{what} failed on rank {pg._global_rank}: {text}")


def _run(pg, what, blocking, nonblocking, finish, async_op, result=None):
    """Run one MPI call synchronously (under the watchdog) or as a Work."""
    MPI = pg._MPI
    if async_op:
        try:
            reqs = nonblocking()
        except MPI.Exception as e:
            raise _mpi_error(pg, what, e) from None
        return Work(reqs if isinstance(reqs, list) else [reqs], pg, what, finish, result)
    dog = pg._watchdog
    dog.arm(what, pg._timeout_s)
    try:
        out = blocking()
    except MPI.Exception as e:
        raise _mpi_error(pg, what, e) from None
    finally:
        dog.disarm()
    if finish is not None:
        finish()
    return out


def _check_same(pg, what, arrays, check_shape=True):
    """Raise if ranks disagree on the shape/dtype of ``arrays`` (first call of ``what`` in
    this group, or every call in debug mode)."""
    if what in pg._checked and not pg._debug:
        return
    pg._checked.add(what)
    mine = [(tuple(a.shape) if check_shape else a.size, str(a.dtype)) for a in arrays]
    dog = pg._watchdog
    dog.arm(f"{what} (shape check)", pg._timeout_s)
    try:
        everyone = pg._comm.allgather(mine)
    finally:
        dog.disarm()
    if any(e != everyone[0] for e in everyone):
        lines = "; ".join(f"rank {pg._ranks[r]}: " + ", ".join(
            f"shape {list(s) if check_shape else s} {dt}" for s, dt in e)
            for r, e in enumerate(everyone))
        raise RuntimeError(f"{what}: tensors differ in shape or dtype across ranks ({lines})")


def _group_rank(pg, global_rank, group_rank, what, name):
    """Group rank from a global ``src``/``dst`` or a ``group_src``/``group_dst``."""
    if global_rank is not None and group_rank is not None:
        raise ValueError(f"{what}: give only one of {name} and group_{name}")
    if group_rank is not None:
        if not 0 <= group_rank < pg.size():
            raise ValueError(f"{what}: group_{name}={group_rank} is out of range for a group "
                             f"of {pg.size()}")
        return group_rank
    if global_rank is None:
        raise ValueError(f"{what}: {name} or group_{name} must be given")
    r = pg._group_rank.get(int(global_rank))
    if r is None:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return r


def _member(group, async_op):
    """(pg, early) where ``early`` is what to return on a rank outside ``group``."""
    pg = _resolve(group)
    if pg is None:
        return None, (CompletedWork() if async_op else None)
    return pg, None


# -- collectives ----------------------------------------------------------------------------
def all_reduce(tensor, op=RedOpType.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks, in place on every rank."""
    pg = _state.default_pg if group is None else _resolve(group)
    if pg is None:
        _resolve(group)               # raises when ember.distributed is not initialised
        return CompletedWork() if async_op else None
    # Fast path (the 4 KB all_reduce is ~2 us of MPI): a contiguous NumPy tensor, an MPI
    # operation for its dtype, already checked across ranks, synchronous.
    a = getattr(tensor, "_data", None)
    if type(a) is np.ndarray and not async_op and a.flags.c_contiguous:
        mop = pg._fast_ops.get(a.dtype) if op is _SUM else pg._fast_ops.get((op, a.dtype))
        if mop is not None:
            dog = pg._watchdog
            dog.what = "all_reduce"
            dog.deadline = _monotonic() + pg._timeout_s
            try:
                pg._comm.Allreduce(_IN_PLACE, a, mop)
            except pg._MPI.Exception as e:
                raise _mpi_error(pg, "all_reduce", e) from None
            finally:
                dog.deadline = None
            return None
    if pg._nccl is not None and not isinstance(tensor._data, np.ndarray):
        from . import _nccl_ops
        return _nccl_ops.all_reduce(pg, tensor, op, async_op)
    h = _Host(tensor, "all_reduce")
    arr = h.array
    if "all_reduce" not in pg._checked or pg._debug:
        _check_same(pg, "all_reduce", [arr])
    buf, mop = _reduce_buf(pg, arr, op)
    if not pg._debug and op != RedOpType.AVG and arr.dtype in _MPI_NATIVE and \
            pg._nccl is None:
        # later calls take the fast path (SUM keyed by dtype alone)
        pg._fast_ops[arr.dtype if op is _SUM else (op, arr.dtype)] = mop
        _set_in_place(pg._MPI.IN_PLACE)
    comm = pg._comm
    n = pg.size()
    avg = op == RedOpType.AVG
    if not (avg or h.staged):
        finish = None
    else:
        def finish():
            if avg:
                _avg(arr, n)
            h.write_back()
    MPI = pg._MPI
    return _run(pg, "all_reduce", lambda: comm.Allreduce(MPI.IN_PLACE, buf, mop),
                lambda: comm.Iallreduce(MPI.IN_PLACE, buf, mop), finish, async_op,
                [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` to every rank."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    root = _group_rank(pg, src, group_src, "broadcast", "src")
    if pg._nccl is not None and not isinstance(tensor._data, np.ndarray):
        from . import _nccl_ops
        return _nccl_ops.broadcast(pg, tensor, root, async_op)
    h = _Host(tensor, "broadcast")
    _check_same(pg, "broadcast", [h.array])
    buf = _msg(h.array)
    comm = pg._comm
    finish = h.write_back if h.staged else None
    return _run(pg, "broadcast", lambda: comm.Bcast(buf, root),
                lambda: comm.Ibcast(buf, root), finish, async_op, [tensor])


def reduce(tensor, dst=None, op=RedOpType.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over all ranks into rank ``dst``'s ``tensor``."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    root = _group_rank(pg, dst, group_dst, "reduce", "dst")
    h = _Host(tensor, "reduce")
    arr = h.array
    _check_same(pg, "reduce", [arr])
    buf, mop = _reduce_buf(pg, arr, op)
    comm, MPI, n = pg._comm, pg._MPI, pg.size()
    is_root = pg.rank() == root
    if is_root:
        send, recv = MPI.IN_PLACE, buf
    else:
        send, recv = buf, None

    def finish():
        if is_root:
            if op == RedOpType.AVG:
                _avg(arr, n)
            h.write_back()
    return _run(pg, "reduce", lambda: comm.Reduce(send, recv, mop, root),
                lambda: comm.Ireduce(send, recv, mop, root), finish, async_op, [tensor])


def _split_into(flat, tensors, counts=None):
    """Copy consecutive pieces of the 1-d ``flat`` into ``tensors``."""
    off = 0
    for i, t in enumerate(tensors):
        n = t._data.size if counts is None else counts[i]
        piece = flat[off:off + n].reshape(t._data.shape)
        if isinstance(t._data, np.ndarray):
            t._data[...] = piece
        else:
            t._data[...] = _to_device_like(piece, t._data)
        off += n


def _check_list(what, tensors, n, name):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{what}: {name} must be a list of tensors, got "
                        f"{type(tensors).__name__}")
    if len(tensors) != n:
        raise ValueError(f"{what}: {name} must have one tensor per rank ({n}), got "
                         f"{len(tensors)}")
    for t in tensors:
        _tensor(t, what)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank's ``tensor`` into ``tensor_list[r]`` on every rank (sizes may differ by
    rank, as PyTorch allows; all_gather_v through ``MPI_Allgatherv``)."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    n = pg.size()
    _check_list("all_gather", tensor_list, n, "tensor_list")
    h = _Host(tensor, "all_gather")
    for t in tensor_list:
        if t._data.dtype != h.array.dtype:
            raise RuntimeError(f"all_gather: tensor_list holds {t.dtype} but the input is "
                               f"{tensor.dtype}")
    counts = [t._data.size for t in tensor_list]
    if counts[pg.rank()] != h.array.size:
        raise RuntimeError(f"all_gather: the input has {h.array.size} elements but "
                           f"tensor_list[{pg.rank()}] has {counts[pg.rank()]}")
    out = np.empty(sum(counts), h.array.dtype)
    comm = pg._comm
    send, recv = _msg(h.array), _msg(out)
    scale = recv.size // max(out.size, 1) if out.size else 1
    if len(set(counts)) == 1:
        def blocking():
            return comm.Allgather(send, recv)
        def nonblocking():
            return comm.Iallgather(send, recv)
    else:
        spec = [recv, [c * scale for c in counts]]
        def blocking():
            return comm.Allgatherv(send, spec)
        def nonblocking():
            return comm.Iallgatherv(send, spec)
    return _run(pg, "all_gather", blocking, nonblocking,
                lambda: _split_into(out, tensor_list), async_op, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor`` concatenated (or stacked) into ``output_tensor``."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    hi = _Host(input_tensor, "all_gather_into_tensor")
    ho = _Host(output_tensor, "all_gather_into_tensor")
    n = pg.size()
    if ho.array.size != hi.array.size * n or ho.array.dtype != hi.array.dtype:
        raise ValueError(f"all_gather_into_tensor: output tensor size must be equal to "
                         f"world_size times input tensor size (output {list(ho.array.shape)} "
                         f"{output_tensor.dtype}, input {list(hi.array.shape)} "
                         f"{input_tensor.dtype}, world size {n})")
    _check_same(pg, "all_gather_into_tensor", [hi.array])
    comm = pg._comm
    send, recv = _msg(hi.array), _msg(ho.array)
    finish = ho.write_back if ho.staged else None
    return _run(pg, "all_gather_into_tensor", lambda: comm.Allgather(send, recv),
                lambda: comm.Iallgather(send, recv), finish, async_op, [output_tensor])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (default 0)."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    if dst is None and group_dst is None:
        dst = pg._ranks[0]
    root = _group_rank(pg, dst, group_dst, "gather", "dst")
    h = _Host(tensor, "gather")
    _check_same(pg, "gather", [h.array])
    comm = pg._comm
    n = pg.size()
    send = _msg(h.array)
    if pg.rank() == root:
        if gather_list is None:
            raise ValueError("gather: Argument ``gather_list`` must be specified on "
                             "destination rank.")
        _check_list("gather", gather_list, n, "gather_list")
        out = np.empty(h.array.size * n, h.array.dtype)
        recv = _msg(out)
        def finish():
            return _split_into(out, gather_list)
    else:
        if gather_list:
            raise ValueError("gather: Argument ``gather_list`` must NOT be specified on "
                             "non-destination ranks.")
        recv, finish = None, None
    return _run(pg, "gather", lambda: comm.Gather(send, recv, root),
                lambda: comm.Igather(send, recv, root), finish, async_op, gather_list or [])


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """``scatter_list[r]`` of rank ``src`` (default 0) into rank r's ``tensor``."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    if src is None and group_src is None:
        src = pg._ranks[0]
    root = _group_rank(pg, src, group_src, "scatter", "src")
    h = _Host(tensor, "scatter")
    _check_same(pg, "scatter", [h.array])
    comm = pg._comm
    n = pg.size()
    if pg.rank() == root:
        if scatter_list is None:
            raise ValueError("scatter: Argument ``scatter_list`` must be specified on source "
                             "rank.")
        _check_list("scatter", scatter_list, n, "scatter_list")
        for t in scatter_list:
            if t._data.shape != h.array.shape or t._data.dtype != h.array.dtype:
                raise ValueError(f"scatter: every tensor of scatter_list must have the "
                                 f"output's shape {list(h.array.shape)} and dtype "
                                 f"{tensor.dtype}, got {list(t.shape)} {t.dtype}")
        stacked = np.concatenate([_to_host(t._data).reshape(-1) for t in scatter_list])
        send = _msg(stacked)
    else:
        if scatter_list:
            raise ValueError("scatter: Argument ``scatter_list`` must NOT be specified on "
                             "non-source ranks.")
        send = None
    recv = _msg(h.array)
    finish = h.write_back if h.staged else None
    return _run(pg, "scatter", lambda: comm.Scatter(send, recv, root),
                lambda: comm.Iscatter(send, recv, root), finish, async_op, [tensor])


def reduce_scatter_tensor(output, input, op=RedOpType.SUM, group=None, async_op=False):
    """Reduce ``input`` over ranks; rank r keeps the r-th of ``world_size`` equal pieces."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    hi = _Host(input, "reduce_scatter_tensor")
    ho = _Host(output, "reduce_scatter_tensor")
    n = pg.size()
    if hi.array.size != ho.array.size * n or hi.array.dtype != ho.array.dtype:
        raise ValueError(f"reduce_scatter_tensor: input tensor must be the same size as "
                         f"output size times world size (input {list(hi.array.shape)} "
                         f"{input.dtype}, output {list(ho.array.shape)} {output.dtype}, "
                         f"world size {n})")
    _check_same(pg, "reduce_scatter_tensor", [hi.array])
    return _reduce_scatter(pg, "reduce_scatter_tensor", hi.array, ho, op, async_op, [output])


def reduce_scatter(output, input_list, op=RedOpType.SUM, group=None, async_op=False):
    """Reduce ``input_list`` over ranks; rank r gets the reduction of ``input_list[r]``."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    n = pg.size()
    _check_list("reduce_scatter", input_list, n, "input_list")
    ho = _Host(output, "reduce_scatter")
    for t in input_list:
        if t._data.shape != ho.array.shape or t._data.dtype != ho.array.dtype:
            raise ValueError(f"reduce_scatter: every input must have the output's shape "
                             f"{list(ho.array.shape)} and dtype {output.dtype}, got "
                             f"{list(t.shape)} {t.dtype}")
    _check_same(pg, "reduce_scatter", [ho.array])
    flat = np.concatenate([_to_host(t._data).reshape(-1) for t in input_list])
    return _reduce_scatter(pg, "reduce_scatter", flat, ho, op, async_op, [output])


def _reduce_scatter(pg, what, flat_in, ho, op, async_op, result):
    comm, n = pg._comm, pg.size()
    send, mop = _reduce_buf(pg, flat_in, op)
    recv, _ = _reduce_buf(pg, ho.array, op)
    out = ho.array

    def finish():
        if op == RedOpType.AVG:
            _avg(out, n)
        ho.write_back()
    return _run(pg, what, lambda: comm.Reduce_scatter_block(send, recv, mop),
                lambda: comm.Ireduce_scatter_block(send, recv, mop), finish, async_op,
                result)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 and send piece r to rank r; ``output`` receives the
    pieces from every rank in rank order (even splits unless sizes are given)."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    n = pg.size()
    hi = _Host(input, "all_to_all_single")
    ho = _Host(output, "all_to_all_single")
    if hi.array.dtype != ho.array.dtype:
        raise RuntimeError(f"all_to_all_single: input is {input.dtype} but output is "
                           f"{output.dtype}")
    row_in = hi.array[0].size if hi.array.ndim and hi.array.shape[0] else 0
    row_out = ho.array[0].size if ho.array.ndim and ho.array.shape[0] else 0

    def counts(sizes, arr, row, name):
        if sizes is None or len(sizes) == 0:
            if arr.ndim == 0 or arr.shape[0] % n:
                raise ValueError(f"all_to_all_single: dim 0 of {name} ({list(arr.shape)}) "
                                 f"must divide by the world size {n} when no split sizes "
                                 f"are given")
            return [arr.size // n] * n
        sizes = [int(s) for s in sizes]
        if len(sizes) != n or sum(sizes) != (arr.shape[0] if arr.ndim else 0):
            raise ValueError(f"all_to_all_single: {name} split sizes {sizes} must be "
                             f"{n} numbers summing to dim 0 ({list(arr.shape)})")
        return [s * row for s in sizes]
    cin = counts(input_split_sizes, hi.array, row_in, "input")
    cout = counts(output_split_sizes, ho.array, row_out, "output")
    return _all_to_all(pg, "all_to_all_single", hi.array, cin, ho, cout, async_op,
                       [output], ho.write_back if ho.staged else None)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """``input_tensor_list[r]`` goes to rank r; ``output_tensor_list[s]`` comes from s."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    n = pg.size()
    _check_list("all_to_all", output_tensor_list, n, "output_tensor_list")
    _check_list("all_to_all", input_tensor_list, n, "input_tensor_list")
    dt = input_tensor_list[0]._data.dtype
    for t in list(input_tensor_list) + list(output_tensor_list):
        if t._data.dtype != dt:
            raise RuntimeError("all_to_all: every tensor must have the same dtype")
    flat_in = np.concatenate([_to_host(t._data).reshape(-1) for t in input_tensor_list])
    cin = [t._data.size for t in input_tensor_list]
    cout = [t._data.size for t in output_tensor_list]
    out = np.empty(sum(cout), dt)

    class _Out:
        array = out
    return _all_to_all(pg, "all_to_all", flat_in, cin, _Out, cout, async_op,
                       output_tensor_list, lambda: _split_into(out, output_tensor_list))


def _all_to_all(pg, what, arr_in, cin, ho, cout, async_op, result, finish):
    comm = pg._comm
    send, recv = _msg(arr_in), _msg(ho.array)
    scale = send.size // max(arr_in.size, 1) if arr_in.size else 1

    def displ(c):
        out, off = [], 0
        for x in c:
            out.append(off)
            off += x
        return out
    cin = [c * scale for c in cin]
    cout = [c * scale for c in cout]
    # every rank must agree on how much it receives from each: check the send/recv matrix
    if what not in pg._checked or pg._debug:
        pg._checked.add(what)
        sends = pg._comm.allgather(cin)
        expect = [sends[s][pg.rank()] for s in range(pg.size())]
        if expect != cout:
            raise RuntimeError(f"{what}: rank {pg._global_rank} expects {cout} bytes-units "
                               f"from each rank but they send {expect}")
    sspec = [send, (cin, displ(cin))]
    rspec = [recv, (cout, displ(cout))]
    return _run(pg, what, lambda: comm.Alltoallv(sspec, rspec),
                lambda: comm.Ialltoallv(sspec, rspec), finish, async_op, result)


def barrier(group=None, async_op=False, device_ids=None):
    """Block until every rank of ``group`` reached the barrier."""
    pg, early = _member(group, async_op)
    if pg is None:
        return early
    comm = pg._comm
    return _run(pg, "barrier", comm.Barrier, comm.Ibarrier, None, async_op)


# -- point to point -------------------------------------------------------------------------
def _p2p(tensor, peer, group, tag, what, name, group_peer, recv):
    pg = _resolve(group)
    if pg is None:
        return None, None, None, None
    if recv and peer is None and group_peer is None:
        r = pg._MPI.ANY_SOURCE
    else:
        r = _group_rank(pg, peer, group_peer, what, name)
        if r == pg.rank():
            raise ValueError(f"Invalid {name} rank: {name} must not be the same as the "
                             f"rank of the current process.")
    return pg, r, _Host(tensor, what), int(tag)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (blocks until MPI has taken the buffer)."""
    pg, r, h, tag = _p2p(tensor, dst, group, tag, "send", "dst", group_dst, False)
    if pg is None:
        return
    buf = _msg(h.array)
    _run(pg, "send", lambda: pg._comm.Send(buf, r, tag), None, None, False)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from ``src`` (any rank if None); returns the sender's rank."""
    pg, r, h, tag = _p2p(tensor, src, group, tag, "recv", "src", group_src, True)
    if pg is None:
        return -1
    buf = _msg(h.array)
    status = pg._MPI.Status()
    _run(pg, "recv", lambda: pg._comm.Recv(buf, r, tag, status), None,
         h.write_back if h.staged else None, False)
    return pg._ranks[status.Get_source()]


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Non-blocking send: a Work whose wait() returns once MPI has taken the buffer."""
    pg, r, h, tag = _p2p(tensor, dst, group, tag, "isend", "dst", group_dst, False)
    if pg is None:
        return None
    buf = _msg(h.array)
    return Work([pg._comm.Isend(buf, r, tag)], pg, "isend", None, [tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Non-blocking receive into ``tensor``; ``Work.source_rank()`` names the sender."""
    pg, r, h, tag = _p2p(tensor, src, group, tag, "irecv", "src", group_src, True)
    if pg is None:
        return None
    buf = _msg(h.array)
    req = pg._comm.Irecv(buf, r, tag)
    return Work([req], pg, "irecv", h.write_back if h.staged else None, [tensor],
                want_source=True)


class P2POp:
    """One send or receive for ``batch_isend_irecv`` (``torch.distributed.P2POp``)."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type "
                             "``torch.distributed.isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every P2POp; returns their Works."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                         "``torch.distributed.P2POp``.")
    return [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]


# ranks outside a group get this from new_group
NON_GROUP_MEMBER = GroupMember.NON_GROUP_MEMBER
