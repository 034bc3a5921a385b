"""DistributedDataParallel on 2 ranks (ember.multiprocessing.spawn + env://): N steps of
DDP equal one process on the full batch, with and without no_sync accumulation, with
several buckets and gradient_as_bucket_view, unused parameters found or reported."""
import copy
import os

import numpy as np
import pytest

pytest.importorskip("mpi4py")

import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.multiprocessing as mp  # noqa: E402
from ember import nn  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")

STEPS = 4
TOL = 1e-6


def _model(seed):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 3)).double()


def _data():
    g = np.random.default_rng(0)
    x = ember.tensor(g.standard_normal((STEPS, 2, 8, 6)))   # step, micro-batch, batch, feature
    y = ember.tensor(g.standard_normal((STEPS, 2, 8, 3)))
    return x, y


def _close(a, b, what):
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        d = float((p - q).abs().max())
        assert d < TOL, f"{what}: {n} differs by {d}"


def _train(model, x, y, rank, world, accumulate, ddp=None):
    """Train ``model`` (DDP when ``ddp``) on this rank's rows; reference on all rows."""
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    per = x.shape[2] // world
    for s in range(STEPS):
        opt.zero_grad()
        micro = range(2) if accumulate else [0]
        for m in micro:
            xb, yb = x[s, m], y[s, m]
            if ddp is not None:
                xb, yb = xb[rank * per:(rank + 1) * per], yb[rank * per:(rank + 1) * per]
            loss = nn.functional.mse_loss(model(xb), yb)
            if ddp is not None and accumulate and m == 0:
                with ddp.no_sync():
                    loss = nn.functional.mse_loss(ddp(xb), yb)
                    loss.backward()
                continue
            loss.backward()
        opt.step()


def _ddp_worker(rank, world):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = "29512"
    dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world)
    x, y = _data()
    for accumulate in (False, True):
        for kwargs in ({}, {"bucket_cap_mb": 0.001, "gradient_as_bucket_view": True}):
            ref = _model(0)
            model = _model(0 if rank == 0 else 7)   # differs on rank 1 until DDP syncs it
            ddp = DDP(model, **kwargs)
            _close(model, ref, "after construction")
            if kwargs:
                assert len(ddp._buckets) > 1
            _train(ddp, x, y, rank, world, accumulate, ddp)
            _train(ref, x, y, rank, world, accumulate)
            _close(model, ref, f"after {STEPS} steps (no_sync={accumulate}, {kwargs})")
    assert list(ddp.state_dict())[0] == "module.0.weight"
    assert ddp.module is model

    # unused parameters: PyTorch's error without find_unused_parameters, found with it
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(4, 2)
            self.unused = nn.Linear(4, 2)

        def forward(self, x):
            return self.used(x)
    ember.manual_seed(0)
    ddp = DDP(Branchy())
    ddp(ember.ones(2, 4)).sum().backward()
    try:
        ddp(ember.ones(2, 4))
    except RuntimeError as e:
        assert "Expected to have finished reduction" in str(e)
        assert "find_unused_parameters=True" in str(e)
    else:
        raise AssertionError("unused parameters went unreported")
    ember.manual_seed(0)
    net = Branchy()
    ddp = DDP(net, find_unused_parameters=True)
    for _ in range(2):
        net.zero_grad()
        ddp(ember.ones(2, 4) * (rank + 1)).sum().backward()
    assert net.unused.weight.grad is None
    g = net.used.weight.grad.numpy()
    assert np.allclose(g, np.full((2, 4), 3.0)), g    # mean of rank 0: 2 and rank 1: 4

    # buffers follow rank 0 before each forward
    bn = nn.BatchNorm1d(3)
    bn.running_mean.fill_(float(rank))
    ddp = DDP(nn.Sequential(nn.Linear(3, 3), bn))
    bn.running_mean.fill_(float(rank + 5))
    ddp.eval()
    ddp(ember.ones(2, 3))
    assert np.allclose(bn.running_mean.numpy(), 5.0), bn.running_mean
    dist.destroy_process_group()


def test_ddp_equals_single_process_full_batch():
    mp.spawn(_ddp_worker, args=(2,), nprocs=2)


def test_data_parallel_runs_module_as_is():
    ember.manual_seed(0)
    m = nn.Linear(3, 2)
    dp = nn.DataParallel(m)
    x = ember.randn(4, 3)
    assert ember.equal(dp(x), m(x))
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    assert dp.module is m
    m2 = copy.deepcopy(m)
    assert ember.equal(nn.DataParallel(m2)(x), m(x))
