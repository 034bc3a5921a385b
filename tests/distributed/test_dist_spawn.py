"""ember.multiprocessing: spawn re-raises a rank's error with its traceback, a rank killed
(or hanging) mid-allreduce ends the run within the timeout, Hogwild on shared parameters,
tensors through a Queue share memory."""
import os
import signal
import time
from datetime import timedelta

import numpy as np
import pytest

pytest.importorskip("mpi4py")

import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.multiprocessing as mp  # noqa: E402
from ember import nn  # noqa: E402

os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")


def _raises(rank):
    if rank == 1:
        raise ValueError(f"rank {rank} gives up")


def test_raising_rank_raises_in_parent():
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(_raises, nprocs=2)
    assert info.value.error_index == 1
    assert "ValueError: rank 1 gives up" in str(info.value)
    assert "in _raises" in str(info.value)       # the child's traceback


def _dies_mid_allreduce(rank, how):
    dist.init_process_group("gloo", rank=rank, world_size=2, timeout=timedelta(seconds=4))
    t = ember.ones(1 << 16)
    for i in range(1000):
        if rank == 1 and i == 3:
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(120)                   # hangs: never joins the next all_reduce
        dist.all_reduce(t)


def test_killed_rank_ends_the_others():
    start = time.monotonic()
    with pytest.raises(mp.ProcessExitedException) as info:
        mp.spawn(_dies_mid_allreduce, args=("kill",), nprocs=2)
    assert time.monotonic() - start < 50
    assert info.value.error_index == 1 and info.value.signal_name == "SIGKILL"
    assert "process 1 terminated with signal SIGKILL" in str(info.value)


def test_hanging_rank_times_out():
    start = time.monotonic()
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(_dies_mid_allreduce, args=("hang",), nprocs=2)
    assert time.monotonic() - start < 50
    assert info.value.error_index == 0
    assert "all_reduce did not complete within the process group timeout of 4 s" in \
        str(info.value)


def _never_joins(rank):
    if rank == 1:
        time.sleep(120)           # never calls init_process_group
    dist.init_process_group("gloo", rank=rank, world_size=2, timeout=timedelta(seconds=3))


def test_rank_that_never_joins_fails_init_within_timeout():
    start = time.monotonic()
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(_never_joins, nprocs=2)
    assert time.monotonic() - start < 50
    assert info.value.error_index == 0
    assert "init_process_group: MPI_Init did not complete within the timeout of 3 s" in \
        str(info.value)


def _hogwild_train(model, seed, steps):
    ember.manual_seed(seed)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    w_true = ember.arange(1., 5.).reshape(4, 1)
    for _ in range(steps):
        x = ember.randn(32, 4)
        loss = nn.functional.mse_loss(model(x), x @ w_true)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _loss(model):
    ember.manual_seed(123)
    x = ember.randn(256, 4)
    with ember.no_grad():
        return float(nn.functional.mse_loss(model(x), x @ ember.arange(1., 5.).reshape(4, 1)))


def test_hogwild_on_shared_parameters():
    ember.manual_seed(0)
    model = nn.Linear(4, 1)
    model.share_memory()
    assert all(p.is_shared() for p in model.parameters())
    before = _loss(model)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_hogwild_train, args=(model, seed, 60)) for seed in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    after = _loss(model)        # the children's updates landed in this process's memory
    assert after < before * 0.1, (before, after)


def _add_one(q_in, q_out):
    t = q_in.get()
    t.add_(1)
    q_out.put(t.is_shared())


@pytest.mark.parametrize("strategy", ["file_descriptor", "file_system"])
def test_queue_tensor_is_a_view_of_shared_memory(strategy):
    mp.set_sharing_strategy(strategy)
    ctx = mp.get_context("spawn")
    q_in, q_out = ctx.Queue(), ctx.Queue()
    t = ember.zeros(3, 4)[:, 1]          # a non-contiguous view: moved to shared memory
    p = ctx.Process(target=_add_one, args=(q_in, q_out))
    p.start()
    q_in.put(t)
    assert q_out.get(timeout=120) is True
    p.join(60)
    assert t.is_shared()
    assert np.array_equal(t.numpy(), np.ones(3))
    assert mp.get_sharing_strategy() == strategy
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}
    mp.set_sharing_strategy("file_descriptor")
    with pytest.raises(ValueError):
        mp.set_sharing_strategy("carrier pigeon")
