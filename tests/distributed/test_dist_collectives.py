"""Every collective of ember.distributed on 2 ranks started by ember.multiprocessing.spawn
with env:// (one spawn runs all checks; a failed check raises in the rank, and spawn
re-raises it here with the rank's traceback)."""
import os

import numpy as np
import pytest

pytest.importorskip("mpi4py")

import ember
import ember.distributed as dist
import ember.multiprocessing as mp

os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")

N = 2


def eq(t, expected, what):
    got = t.numpy() if isinstance(t, ember.Tensor) else np.asarray(t)
    exp = np.asarray(expected, dtype=got.dtype)
    assert got.shape == exp.shape and np.allclose(got, exp), f"{what}: {got} != {exp}"


def _collectives(rank, world):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = "29511"
    dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world)
    assert dist.is_initialized() and dist.get_rank() == rank
    assert dist.get_world_size() == world and dist.get_backend() == "gloo"
    r = rank
    # all_reduce, every op
    base = [np.array([1., 2., 3.], np.float32) * (k + 1) for k in range(world)]
    for op, fn in [(dist.ReduceOp.SUM, sum), (dist.ReduceOp.AVG, lambda a: sum(a) / world),
                   (dist.ReduceOp.PRODUCT, np.prod), (dist.ReduceOp.MIN, np.min),
                   (dist.ReduceOp.MAX, np.max)]:
        t = ember.tensor(base[r])
        dist.all_reduce(t, op=op)
        exp = sum(base) if op == dist.ReduceOp.SUM else (
            sum(base) / world if op == dist.ReduceOp.AVG else fn(np.stack(base), axis=0))
        eq(t, exp, f"all_reduce {op}")
    ints = [np.array([5, 6, 12], np.int64) + k for k in range(world)]
    for op, f in [(dist.ReduceOp.BAND, np.bitwise_and), (dist.ReduceOp.BOR, np.bitwise_or),
                  (dist.ReduceOp.BXOR, np.bitwise_xor)]:
        t = ember.tensor(ints[r])
        dist.all_reduce(t, op=op)
        eq(t, f.reduce(np.stack(ints)), f"all_reduce {op}")
    # non-contiguous view, written through; float64; bfloat16; async
    m = ember.zeros(3, 4, dtype=ember.float64)
    col = m[:, 1]
    col.add_(r + 1)
    dist.all_reduce(col)
    eq(m[:, 1], [3., 3., 3.], "all_reduce non-contiguous")
    eq(m[:, 0], [0., 0., 0.], "all_reduce non-contiguous neighbours")
    b = ember.ones(4, dtype=ember.bfloat16) * (r + 1)
    dist.all_reduce(b)
    eq(b.float(), [3.] * 4, "all_reduce bfloat16")
    w = dist.all_reduce(ember.ones(5) * r, async_op=True)
    assert w.wait() and w.is_completed()
    t = ember.ones(1000) * (r + 1)
    w = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    w.wait()
    eq(t, np.full(1000, 1.5), "async all_reduce AVG")
    # broadcast, reduce
    t = ember.full((2, 2), float(r + 10))
    dist.broadcast(t, src=1)
    eq(t, np.full((2, 2), 11.), "broadcast")
    t = ember.full((3,), float(r + 1))
    dist.broadcast(t, src=0, async_op=True).wait()
    eq(t, [1.] * 3, "async broadcast")
    t = ember.full((3,), float(r + 1))
    dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
    eq(t, [2.] * 3 if r == 0 else [r + 1.] * 3, "reduce")
    # all_gather (even and uneven), all_gather_into_tensor (concatenated and stacked)
    lst = [ember.zeros(2) for _ in range(world)]
    dist.all_gather(lst, ember.tensor([r, r + .5]))
    for k in range(world):
        eq(lst[k], [k, k + .5], "all_gather")
    lst = [ember.zeros(k + 1, dtype=ember.int32) for k in range(world)]
    dist.all_gather(lst, ember.full((r + 1,), r, dtype=ember.int32))
    for k in range(world):
        eq(lst[k], [k] * (k + 1), "all_gather uneven")
    out = ember.zeros(world * 3)
    dist.all_gather_into_tensor(out, ember.arange(3.) + 10 * r)
    eq(out, np.concatenate([np.arange(3.) + 10 * k for k in range(world)]),
       "all_gather_into_tensor")
    out = ember.zeros(world, 3)
    dist.all_gather_into_tensor(out, ember.arange(3.) + 10 * r, async_op=True).wait()
    eq(out, np.stack([np.arange(3.) + 10 * k for k in range(world)]), "all_gather stacked")
    # gather, scatter
    gl = [ember.zeros(2) for _ in range(world)] if r == 0 else None
    dist.gather(ember.full((2,), float(r)), gl, dst=0)
    if r == 0:
        for k in range(world):
            eq(gl[k], [k, k], "gather")
    out = ember.zeros(2)
    sl = [ember.full((2,), float(k * 7)) for k in range(world)] if r == 1 else None
    dist.scatter(out, sl, src=1)
    eq(out, [r * 7.] * 2, "scatter")
    # reduce_scatter, reduce_scatter_tensor
    out = ember.zeros(2)
    dist.reduce_scatter(out, [ember.full((2,), float(k + r)) for k in range(world)])
    eq(out, [sum(r + s for s in range(world))] * 2, "reduce_scatter")
    out = ember.zeros(2)
    inp = ember.arange(2. * world) * (r + 1)
    dist.reduce_scatter_tensor(out, inp)
    full = np.arange(2. * world) * sum(k + 1 for k in range(world))
    eq(out, full[2 * r:2 * r + 2], "reduce_scatter_tensor")
    # all_to_all_single (even, uneven), all_to_all
    inp = ember.arange(4.) + 100 * r
    out = ember.zeros(4)
    dist.all_to_all_single(out, inp)
    eq(out, np.concatenate([np.arange(4.)[2 * r:2 * r + 2] + 100 * k for k in range(world)]),
       "all_to_all_single")
    in_splits = [1, 2] if r == 0 else [3, 1]
    out_splits = [1, 3] if r == 0 else [2, 1]
    inp = ember.arange(float(sum(in_splits))) + 10 * r
    out = ember.zeros(sum(out_splits))
    dist.all_to_all_single(out, inp, out_splits, in_splits)
    expect = [0., 10., 11., 12.] if r == 0 else [1., 2., 13.]
    eq(out, expect, "all_to_all_single uneven")
    outs = [ember.zeros(k + 1) for k in range(world)]
    dist.all_to_all(outs, [ember.full((r + 1,), float(10 * r + k)) for k in range(world)])
    for k in range(world):
        eq(outs[k], [10. * k + r] * (k + 1), "all_to_all")
    # barrier, monitored_barrier, p2p
    dist.barrier()
    dist.barrier(async_op=True).wait()
    dist.monitored_barrier(timeout=30)
    if r == 0:
        dist.send(ember.tensor([1., 2.]), dst=1, tag=3)
        w = dist.isend(ember.tensor([5, 6, 7]), dst=1)
        w.wait()
        x = ember.zeros(2)
        assert dist.recv(x) == 1
        eq(x, [9., 9.], "recv any source")
    else:
        x = ember.zeros(2)
        assert dist.recv(x, src=0, tag=3) == 0
        eq(x, [1., 2.], "send/recv")
        y = ember.zeros(3, dtype=ember.int64)
        w = dist.irecv(y, src=0)
        w.wait()
        eq(y, [5, 6, 7], "isend/irecv")
        dist.send(ember.tensor([9., 9.]), dst=0)
    # object collectives
    objs = [None] * world
    dist.all_gather_object(objs, {"rank": r, "s": "x" * r})
    assert objs == [{"rank": k, "s": "x" * k} for k in range(world)], objs
    ol = [r, "a"] if r == 0 else [None, None]
    dist.broadcast_object_list(ol, src=0)
    assert ol == [0, "a"], ol
    gl = [None] * world if r == 1 else None
    dist.gather_object(("g", r), gl, dst=1)
    if r == 1:
        assert gl == [("g", k) for k in range(world)], gl
    so = [None]
    dist.scatter_object_list(so, [f"item{k}" for k in range(world)] if r == 0 else None, 0)
    assert so == [f"item{r}"], so
    # groups
    g = dist.new_group([1])
    if r == 1:
        assert dist.get_rank(g) == 0 and dist.get_world_size(g) == 1
        t = ember.ones(2)
        dist.all_reduce(t, group=g)
        eq(t, [1., 1.], "all_reduce in a group of one")
    else:
        assert g == dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(g) == -1
        assert dist.all_reduce(ember.ones(2), group=g) is None
    g2 = dist.new_group([0, 1])
    assert dist.get_process_group_ranks(g2) == [0, 1]
    t = ember.ones(2)
    dist.all_reduce(t, group=g2)
    eq(t, [2., 2.], "all_reduce in new_group")
    # mismatched shapes: a clear error on every rank, not garbage
    g3 = dist.new_group([0, 1])
    try:
        dist.all_reduce(ember.ones(3 + r), group=g3)
    except RuntimeError as e:
        assert "differ in shape" in str(e) and "rank 0: shape [3]" in str(e), str(e)
    else:
        raise AssertionError("mismatched all_reduce did not raise")
    dist.destroy_process_group()
    assert not dist.is_initialized()


def test_every_collective_two_ranks():
    mp.spawn(_collectives, args=(N,), nprocs=N)


def test_single_process_world_and_errors():
    """A world of one in this process (MPI singleton), and the errors before init."""
    if dist.is_initialized():
        dist.destroy_process_group()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="not started by mpiexec"):
        dist.init_process_group("gloo", rank=0, world_size=2)
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group("foo", rank=0, world_size=1)
    with pytest.raises(RuntimeError, match="NCCL"):
        if dist.is_nccl_available():
            raise RuntimeError("NCCL present")
        dist.init_process_group("nccl", rank=0, world_size=1)
    dist.init_process_group("mpi", rank=0, world_size=1)
    try:
        assert dist.get_backend() == "mpi" and dist.get_world_size() == 1
        t = ember.arange(4.)
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
        eq(t, np.arange(4.), "all_reduce world of one")
        with pytest.raises(ValueError, match="twice"):
            dist.init_process_group("gloo")
        with pytest.raises(RuntimeError, match="BAND needs an integer"):
            dist.all_reduce(ember.ones(2), op=dist.ReduceOp.BAND)
        assert dist.ReduceOp.SUM == dist.ReduceOp.RedOpType.SUM
        assert dist.Backend("GLOO") == "gloo"
    finally:
        dist.destroy_process_group()
