"""Started by `python -m ember.distributed.run --nproc-per-node 2` in test_dist_launcher.py:
torchrun's environment, init from env://, DistributedSampler on the process group, a few
DDP steps; rank 0 prints what the test checks."""
import os
import sys

import ember
import ember.distributed as dist
from ember import nn
from ember.utils.data import DataLoader, TensorDataset
from ember.utils.data.distributed import DistributedSampler

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--fail-on-rank-1" and os.environ["RANK"] == "1":
        raise KeyError("rank 1 was told to fail")
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    env = {k: os.environ[k] for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE",
                                       "MASTER_ADDR", "MASTER_PORT")}
    assert env["RANK"] == str(rank) and env["WORLD_SIZE"] == str(world), env
    ember.manual_seed(0)
    data = TensorDataset(ember.randn(32, 5), ember.randn(32, 1))
    sampler = DistributedSampler(data, shuffle=False)
    assert sampler.num_replicas == world and sampler.rank == rank
    model = nn.parallel.DistributedDataParallel(nn.Linear(5, 1))
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    for x, y in DataLoader(data, batch_size=4, sampler=sampler):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    w = model.module.weight.detach().clone()
    others = [ember.zeros_like(w) for _ in range(world)]
    dist.all_gather(others, w)
    same = all(bool(ember.equal(o, w)) for o in others)
    if rank == 0:
        print(f"LAUNCHED world={world} env={sorted(env.items())} replicas_equal={same}",
              flush=True)
    dist.destroy_process_group()
